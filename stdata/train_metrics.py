"""Validation metrics of `stdata train`, computed from predictions matched to their examples by index.

The Trainer's evaluation sampler is not sequential: with `group_by_length` (which `stdata train`
sets) transformers 5 also shuffles the evaluation set by length, so the i-th prediction is not the
i-th validation statement. Overall accuracy and F1 do not care, but anything split by task or
language does. Every validation statement therefore carries its row number (`example_idx`) through
the evaluation loop: `IndexedTrainer` takes it out of the batch before the forward pass and returns
it beside the label, and the metrics look task and language up by that number, never by position.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .corpus import TRUE_INDEX

#: The validation column that carries each statement's row number through the evaluation loop.
EXAMPLE_INDEX = "example_idx"


def binary_metrics(pred: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy and F1 of the True class (the paper's early-stopping criterion)."""
    tp = int(((pred == TRUE_INDEX) & (labels == TRUE_INDEX)).sum())
    fp = int(((pred == TRUE_INDEX) & (labels != TRUE_INDEX)).sum())
    fn = int(((pred != TRUE_INDEX) & (labels == TRUE_INDEX)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {"accuracy": float((pred == labels).mean()) if len(labels) else 0.0, "f1": float(f1)}


def unpack(eval_pred) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Predicted class, label and example index (None without one) of each evaluated statement."""
    logits = eval_pred.predictions
    logits = logits[0] if isinstance(logits, tuple) else logits
    pred = np.asarray(logits).argmax(-1)
    label_ids = np.asarray(eval_pred.label_ids)
    if label_ids.ndim == 2:  # IndexedTrainer: (label, example index) per statement
        return pred, label_ids[:, 0], label_ids[:, 1]
    return pred, label_ids, None


def compute_metrics(eval_pred) -> dict[str, float]:
    """The Trainer's `compute_metrics`: overall accuracy and F1 (order-free, so no index is needed)."""
    pred, labels, _ = unpack(eval_pred)
    return binary_metrics(pred, labels)


def grouped_metrics(pred: np.ndarray, labels: np.ndarray, index: np.ndarray, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Accuracy, F1 and count per key, where `keys[index[i]]` is the key of the i-th prediction."""
    if len(np.unique(index)) != len(index) or len(index) != len(keys):
        raise AssertionError(f"{len(index)} predictions for {len(keys)} validation statements, {len(np.unique(index))} distinct")
    of = np.asarray(keys, dtype=object)[index]
    out = {}
    for key in sorted(set(keys)):
        sel = of == key
        m = binary_metrics(pred[sel], labels[sel])
        out[str(key)] = {"accuracy": round(m["accuracy"], 6), "f1": round(m["f1"], 6), "n": int(sel.sum())}
    return out


def final_metrics(trainer, val_t, tasks: Sequence[str], langs: Sequence[str]) -> dict[str, Any]:
    """Loss, accuracy and F1 of the final (best) model on validation, and the same per task and per language.

    `tasks[i]` and `langs[i]` belong to the validation statement whose `example_idx` is i.
    """
    pred_out = trainer.predict(val_t, metric_key_prefix="eval")
    skip = ("runtime", "per_second")
    metrics: dict[str, Any] = {
        k.removeprefix("eval_"): round(float(v), 6) for k, v in pred_out.metrics.items() if not any(x in k for x in skip)
    }
    pred, labels, index = unpack(pred_out)
    if index is None:
        raise AssertionError("validation predictions came back without their example index")
    metrics["per_task"] = grouped_metrics(pred, labels, index, tasks)
    metrics["per_lang"] = grouped_metrics(pred, labels, index, langs)
    return metrics


@functools.cache
def indexed_trainer_class():
    """A Trainer that carries `example_idx` through evaluation (built lazily: transformers is heavy)."""
    import torch
    from transformers import Trainer

    class IndexedTrainer(Trainer):
        """Keeps `example_idx` in evaluation batches, out of the forward pass, and returns it with the labels."""

        def _set_signature_columns_if_needed(self) -> None:
            super()._set_signature_columns_if_needed()
            columns: list[str] = list(self._signature_columns or [])
            self._signature_columns = columns if EXAMPLE_INDEX in columns else [*columns, EXAMPLE_INDEX]  # type: ignore[assignment]

        def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
            index = inputs.pop(EXAMPLE_INDEX, None)
            loss, logits, labels = super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
            if index is not None and labels is not None:
                labels = torch.stack([labels, index.to(labels.device, labels.dtype)], dim=-1)
            return loss, logits, labels

    return IndexedTrainer
