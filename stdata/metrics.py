"""Zero-shot metrics: predictions from P(True) per candidate, accuracy per variant, their mean and
std, the random and majority baselines, and the averages the paper reports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .results import GroupResult, LangSummary, Summary, TaskSummary


def predict(scores: np.ndarray, binary: bool) -> np.ndarray:
    """Argmax over candidates (the first wins a tie); one statement per example: P(True) > 0.5."""
    if binary:
        return (scores[..., 0] > 0.5).astype(np.int64)
    return np.argmax(scores, axis=-1)


def variant_stats(accuracies: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation (numpy's default, ddof=0) over template variants."""
    a = np.asarray(accuracies, dtype=np.float64)
    return float(a.mean()), float(a.std())


def baselines(gold: np.ndarray, candidates: int, binary: bool) -> dict[str, float]:
    """Expected accuracy of a uniform random guess, and of always answering the most frequent gold."""
    counts = np.bincount(gold, minlength=2 if binary else candidates)
    return {
        "random": 0.5 if binary else 1.0 / candidates,
        "majority": float(counts.max() / len(gold)),
    }


def _task_summary(gs: list[GroupResult]) -> TaskSummary:
    std = None
    if len({tuple(v.id for v in g.variants) for g in gs}) == 1:  # same variants everywhere: std over variants of their language averages
        std = float(np.mean([[v.accuracy for v in g.variants] for g in gs], axis=0).std())
    return TaskSummary(
        languages=[g.lang for g in gs],
        mean=float(np.mean([g.mean for g in gs])),
        std=std,
        random=float(np.mean([g.baselines["random"] for g in gs])),
        majority=float(np.mean([g.baselines["majority"] for g in gs])),
        examples=sum(g.examples for g in gs),
    )


def summarize(groups: list[GroupResult]) -> Summary:
    """Averages over languages per task (the paper's numbers), over tasks per language, and overall."""
    by_task: dict[str, list[GroupResult]] = {}
    by_lang: dict[str, list[float]] = {}
    for g in groups:
        by_task.setdefault(g.task, []).append(g)
        by_lang.setdefault(g.lang, []).append(g.mean)
    tasks = {task: _task_summary(gs) for task, gs in sorted(by_task.items())}
    langs = {lang: LangSummary(mean=float(np.mean(v)), tasks=len(v)) for lang, v in sorted(by_lang.items())}
    overall = float(np.mean([t.mean for t in tasks.values()])) if tasks else None
    return Summary(tasks=tasks, languages=langs, overall=overall)
