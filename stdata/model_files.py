"""What a training run leaves on disk: the adapter (or full model), tokenizer, `stdata_model.json`
and a model card; `merge` folds an adapter into its base; `push` uploads the folder to the hub.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

from .atomic import write_atomic
from .errors import StdataError
from .model import META, ModelInfo, load_classifier, read_meta

CHECKPOINTS = "checkpoints"
MERGED = "merged"


def save(model, tokenizer, out: Path, meta: ModelInfo) -> None:
    """Adapter (or full model), tokenizer and stdata_model.json in `out`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("adapter_model.safetensors", "adapter_config.json", "model.safetensors", "config.json"):
        (out / stale).unlink(missing_ok=True)
    shutil.rmtree(out / MERGED, ignore_errors=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_atomic(out / META, json.dumps(meta.to_dict(), indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "README.md", model_card(meta))  # replaces peft's empty template card


def model_card(meta: ModelInfo) -> str:
    """A short hub card: what was trained on what, how well, and how to score with it."""
    m, c = meta.final_metrics, meta.corpus
    tags = ["stdata", "statement-tuning", "text-classification"] + (["peft", "lora"] if meta.kind == "adapter" else [])
    given = meta.base_model or "?"
    base = given if not Path(given).exists() else Path(given).name
    lines = [
        "---", f"base_model: {base}", "library_name: " + ("peft" if meta.kind == "adapter" else "transformers"),
        "pipeline_tag: text-classification", "tags:", *[f"- {t}" for t in tags], "---", "",
        f"# Statement-tuned {base} ({meta.method})", "",
        "Scores how likely a natural-language statement is true: P(True) = softmax(logits)[true_index]"
        f" with true_index = {meta.true_index}.", "",
        f"- corpus: `{c['path']}`, manifest `{meta.corpus_manifest_hash}`, templates `{meta.template_set_hash}`",
        f"- tasks: {', '.join(c['tasks'])}; languages: {', '.join(c['langs'])}",
        f"- statements: {c['rows']['train']} train, {c['rows']['validation']} validation",
        f"- validation accuracy {m.get('accuracy', float('nan')):.4f}, F1 {m.get('f1', float('nan')):.4f}",
        *_per_group_lines(m),
        "", "```python", "from stdata.model import load_scorer", "scorer = load_scorer(\"<this folder or repo>\")",
        'scorer.score(["Paris is the capital of France.", "Paris is the capital of Peru."])', "```", "",
        "Full training settings: `stdata_model.json`.", "",
    ]  # fmt: skip
    return "\n".join(lines)


def _per_group_lines(metrics: dict) -> list[str]:
    """Validation accuracy and F1 per task and per language, as a markdown table (empty before they were recorded)."""
    lines = []
    for key, what in (("per_task", "task"), ("per_lang", "language")):
        groups = metrics.get(key) or {}
        if groups:
            lines += ["", f"| {what} | statements | accuracy | F1 |", "|---|---|---|---|"]
            lines += [f"| {k} | {v['n']} | {v['accuracy']:.4f} | {v['f1']:.4f} |" for k, v in groups.items() if "f1" in v]
    return lines


def merge(out: Path) -> Path:
    """A standalone full-precision model with the adapter folded in, at out/merged.

    QLoRA adapters are merged into the full-precision base (folding them into 4-bit weights would
    re-quantize and lose them), so merged scores differ from the adapter's by quantization noise.
    """
    from peft import PeftModel

    out = Path(out)
    meta = read_meta(out)
    if meta is None or meta.base_model_resolved is None:
        raise StdataError(f"{out}/{META} names no base model: not a `stdata train` adapter")
    base = load_classifier(meta.base_model_resolved)
    with warnings.catch_warnings():  # peft reads transformers' deprecated is_gradient_checkpointing
        warnings.simplefilter("ignore", FutureWarning)
        merged = PeftModel.from_pretrained(base, str(out)).merge_and_unload()
    dest = out / MERGED
    merged.save_pretrained(dest)
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(out)).save_pretrained(dest)
    meta = meta.model_copy(update={"kind": "merged", "merged_from": "adapter in the parent folder", "quantization": None})
    write_atomic(dest / META, json.dumps(meta.to_dict(), indent=2, ensure_ascii=False) + "\n")
    write_atomic(dest / "README.md", model_card(meta))
    return dest


def push_model(out: Path, repo_id: str, private: bool = True) -> str:
    """Upload the trained model folder (not its checkpoints) to the hub; returns the repo URL."""
    from huggingface_hub import HfApi

    try:
        api = HfApi()
        url = api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(folder_path=str(out), repo_id=repo_id, ignore_patterns=[f"{CHECKPOINTS}/*"], commit_message="stdata train")
    except Exception as e:
        why = f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"
        raise StdataError(f"model saved to {out}, but --push-to-hub {repo_id} failed: {why}") from None
    return str(url)
