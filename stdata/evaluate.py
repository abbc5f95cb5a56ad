"""`stdata eval`: zero-shot statement scoring of evaluation tasks, per task x language x variant.

For every example, each template variant renders one statement per candidate (label or choice);
the model scores P(True) for each and the argmax over candidates is the prediction (method.md).
A pair task renders one statement per example and is a binary decision (P(True) > 0.5), checked
on the row's own pair (true) and on a partner from another row (false).

All statements of a (task, language) group -- every example, candidate and variant -- are
deduplicated and handed to the scorer in one call, which sorts them by length and pads per batch,
so the cost is one pass over the distinct statements rather than one forward per example.
Everything a run needs is loaded and checked before the model is: `--strict` fails fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import __version__, languages
from .errors import StdataError, UsageError
from .partners import PartnerSelector, seeded_rng
from .registry import Registry, TaskEntry, TemplateSet
from .schema import Variant
from .sources import MissingData, SourceRows, load_rows, source_for
from .sources import data_dir as resolve_data_dir

FORMAT = "stdata-eval/1"
AUTO = "auto"
#: `--batch-size auto` never goes above this (bigger batches stop paying off on one GPU).
AUTO_MAX_BATCH = 1024
#: ... nor below / off the GPU: a CPU gains nothing from probing.
DEFAULT_BATCH = 32
DTYPES = ("auto", "float32", "bfloat16", "float16")
#: Seed of the partner draws for pair tasks' negative examples.
EVAL_SEED = 42


class Scorer(Protocol):
    """What evaluation needs from a model: P(True) for each statement, in input order."""

    def score(self, statements: list[str], batch_size: int = 32) -> np.ndarray: ...


@dataclass
class EvalOptions:
    model: str | Path | None = None
    out: Path | None = None
    tasks: str | None = None  # comma list; default: every task with role `eval`
    langs: str | None = None  # preset or comma list; default: every language a task has data for
    split: str | None = None  # default: each source's own split
    template_lang: str = "native"
    variants: str | None = None  # comma list of variant ids; default: all
    batch_size: int | str = DEFAULT_BATCH
    data_dir: Path | None = None
    strict: bool = False
    true_index: int | None = None
    device: str | None = None
    max_length: int | None = None
    limit: int | None = None  # first N examples per (task, language): quick looks and tests
    dtype: str = "auto"  # auto: bf16 (else fp16) on a GPU, fp32 on the CPU
    command: list[str] = field(default_factory=lambda: list(sys.argv))

    def check(self) -> None:
        if self.template_lang not in ("native", "en"):
            raise UsageError(f"--template-lang must be native or en, got {self.template_lang!r}")
        if self.batch_size != AUTO and (not isinstance(self.batch_size, int) or self.batch_size < 1):
            raise UsageError(f"--batch-size must be a positive number or 'auto', got {self.batch_size!r}")
        if self.limit is not None and self.limit < 1:
            raise UsageError("--limit must be at least 1")
        if self.max_length is not None and self.max_length < 8:
            raise UsageError("--max-length must be at least 8")
        if self.dtype not in DTYPES:
            raise UsageError(f"--dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")


def parse_batch_size(value: str | int) -> int | str:
    """`auto` or a positive integer, from the command line."""
    if isinstance(value, int) or value == AUTO:
        return value
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"--batch-size must be a positive number or 'auto', got {value!r}") from None
    if n < 1:
        raise UsageError(f"--batch-size must be a positive number or 'auto', got {value!r}")
    return n


# -- planning: which (task, language) groups, with their rows and variants -------------------------


@dataclass
class Group:
    """One (task, language): its rows and the variants that score them."""

    task: TaskEntry
    lang: str
    source: SourceRows
    templates: TemplateSet
    variants: list[Variant]


@dataclass
class Missing:
    task: str
    lang: str
    reason: str  # no-source | missing-data | no-rows | no-variant | skipped-rows
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"task": self.task, "lang": self.lang, "reason": self.reason, "message": self.message}


def task_languages(task: TaskEntry) -> list[str]:
    """Every language some source of `task` has a config for (what `--langs` defaults to)."""
    return sorted({lang for src in task.spec.sources for lang in src.configs})


def plan(reg: Registry, opts: EvalOptions) -> tuple[list[Group], list[Missing]]:
    """Load rows for every requested (task, language); what is not there is listed, not fatal."""
    opts.check()
    tasks = reg.select_tasks(opts.tasks, role="eval")
    if not tasks:
        raise UsageError("no evaluation tasks in the registry (check --tasks)")
    wanted_langs = languages.resolve(opts.langs, reg.languages()) if opts.langs else None
    wanted_variants = [v.strip() for v in opts.variants.split(",") if v.strip()] if opts.variants else None
    if wanted_variants:
        known = {v.id for t in tasks for ts in t.templates.values() for v in ts.variants}
        unknown = [v for v in wanted_variants if v not in known]
        if unknown:
            raise UsageError(f"--variants: no selected task has variant(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    mirror = resolve_data_dir(opts.data_dir)
    if mirror is not None and not mirror.is_dir():
        raise UsageError(f"--data-dir {mirror} is not a folder")

    groups: list[Group] = []
    missing: list[Missing] = []
    for task in tasks:
        langs = wanted_langs if wanted_langs is not None else task_languages(task)
        if not langs:
            missing.append(Missing(task.name, "*", "no-source", f"task {task.name!r} lists no source data"))
        for lang in langs:
            if source_for(task, lang) is None:
                missing.append(Missing(task.name, lang, "no-source", f"no source of {task.name} has {lang}"))
                continue
            try:
                src = load_rows(task, lang, mirror, opts.split)
            except MissingData as e:
                missing.append(Missing(task.name, lang, "missing-data", str(e)))
                continue
            if src.skipped:
                missing.append(
                    Missing(task.name, lang, "skipped-rows", f"{sum(src.skipped.values())} source row(s) skipped: {dict(src.skipped)}")
                )
            if opts.limit is not None:
                src.rows, src.row_ids = src.rows[: opts.limit], src.row_ids[: opts.limit]
            if not src.rows:
                missing.append(Missing(task.name, lang, "no-rows", f"{src.dataset} {src.config}/{src.split} has no usable rows"))
                continue
            ts = task.variant_set(lang, opts.template_lang)
            variants = list(ts.variants)
            if wanted_variants:
                variants = [v for v in ts.variants if v.id in wanted_variants]
                absent = [v for v in wanted_variants if ts.variant(v) is None]
                if absent:
                    missing.append(Missing(task.name, lang, "no-variant", f"{ts.lang} templates lack variant(s) {', '.join(absent)}"))
                if not variants:
                    continue
            groups.append(Group(task, lang, src, ts, variants))
    return groups, missing


# -- rendering: one statement per candidate, as an index into the group's distinct statements -----


@dataclass
class Rendered:
    """A group's distinct statements and, per variant, example and candidate, which one it is."""

    statements: list[str]
    index: np.ndarray  # (variants, examples, candidates) -> position in `statements`
    gold: np.ndarray  # (examples,) gold candidate; binary tasks: 1 = the statement is true
    binary: bool  # one statement per example: predict True iff P(True) > 0.5
    rendered: int  # statements before deduplication
    skipped: Counter = field(default_factory=Counter)


def examples_of(task: TaskEntry, rows: list[dict], lang: str = "", seed: int = EVAL_SEED) -> tuple[list[dict], list[int], Counter]:
    """The rows to score and their gold candidate index (the kind decides; pair tasks add a mismatched example per row)."""
    partner_of = None
    if task.spec.partner_field:
        selector = PartnerSelector(rows, task.spec.partner_field, task.spec.group_field)
        rng = seeded_rng(seed, task.name, lang, "eval-partners")
        everyone = list(range(len(rows)))

        def partner_of(i: int) -> int | None:
            return selector.pick(i, everyone, rng)

    return task.kind.eval_examples(task, rows, partner_of)


def render_group(group: Group) -> Rendered:
    """Render every (variant, example, candidate) once; identical statements are scored once."""
    task = group.task
    words = task.label_words(group.templates.lang)
    rows, gold, skipped = examples_of(task, group.source.rows, group.lang)
    positions: dict[str, int] = {}
    statements: list[str] = []
    index = []
    for v in group.variants:
        per_variant = []
        for row in rows:
            cands = task.candidates(v, row, words)
            ids = []
            for s in cands:
                k = positions.get(s)
                if k is None:
                    k = positions[s] = len(statements)
                    statements.append(s)
                ids.append(k)
            per_variant.append(ids)
        index.append(per_variant)
    arr = np.asarray(index, dtype=np.int64)
    if arr.ndim != 3:  # ragged: a row with a different number of choices than the others
        raise StdataError(f"{task.name}/{group.lang}: rows have different numbers of candidates; check the task's sources")
    return Rendered(statements, arr, np.asarray(gold, dtype=np.int64), task.kind.binary, int(arr.size), skipped)


# -- scoring and statistics ------------------------------------------------------------------------


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


def _hash(obj: Any) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def template_hash(group: Group) -> str:
    """What a group's statements depend on besides the rows: the variants' texts and label words."""
    spec = group.task.spec
    return _hash({
        "task": spec.name, "kind": spec.kind.value, "labels": spec.labels,
        "words": group.task.label_words(group.templates.lang) if spec.labels else None,
        "variants": {v.id: v.content_hash for v in group.variants},
    })  # fmt: skip


def model_fingerprint(path: str | Path | None) -> str | None:
    """Content hash of a model folder (every file, by relative path); a hub id hashes as its name."""
    if path is None:
        return None
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(str(f.relative_to(p)).encode() + b"\0")
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    elif p.is_file():
        h.update(p.read_bytes())
    else:
        h.update(str(path).encode())
    return "sha256:" + h.hexdigest()[:16]


def _is_cuda(scorer: Any) -> bool:
    dev = getattr(scorer, "device", None)
    return dev is not None and str(dev).startswith("cuda")


def _oom(e: BaseException) -> bool:
    return "out of memory" in str(e).lower() or type(e).__name__ == "OutOfMemoryError"


class Batching:
    """The batch size for the scorer: fixed, or `auto` -- probed once on the GPU, halved on OOM.

    The probe scores the longest statements of the first group at doubling batch sizes up to
    AUTO_MAX_BATCH and keeps the largest that fits; off the GPU throughput hardly depends on the
    batch, so `auto` keeps DEFAULT_BATCH there.
    """

    def __init__(self, option: int | str, scorer: Any, score_kw: dict | None = None):
        self.auto = option == AUTO
        self.size: int | None = None if self.auto else int(option)
        self.scorer = scorer
        self.kw = score_kw or {}
        self.probe_s = 0.0

    def score(self, statements: list[str]) -> np.ndarray:
        if self.size is None:
            t0 = time.perf_counter()
            self.size = self._probe(statements) if _is_cuda(self.scorer) else DEFAULT_BATCH
            self.probe_s = time.perf_counter() - t0
            if _is_cuda(self.scorer):
                _reset_peak()  # the probe's peak is not the run's
        while True:
            try:
                return self.scorer.score(statements, batch_size=self.size, **self.kw)
            except (RuntimeError, MemoryError) as e:
                if not (self.auto and _oom(e) and self.size > 1):
                    raise
                _empty_cache()
                self.size //= 2

    def _probe(self, statements: list[str]) -> int:
        longest = sorted(statements, key=len, reverse=True)[:AUTO_MAX_BATCH]
        best, bs = None, DEFAULT_BATCH
        while bs <= AUTO_MAX_BATCH:
            try:
                self.scorer.score((longest * (bs // len(longest) + 1))[:bs], batch_size=bs, **self.kw)
            except (RuntimeError, MemoryError) as e:
                if not _oom(e):
                    raise
                _empty_cache()
                break
            best = bs
            if bs >= len(statements):
                break
            bs *= 2
        return best or DEFAULT_BATCH // 2  # halved further on OOM while scoring


def _empty_cache() -> None:
    import torch

    torch.cuda.empty_cache()


def _reset_peak() -> None:
    import torch

    torch.cuda.reset_peak_memory_stats()


class _Memory:
    """Peak GPU memory (CUDA scorers) or peak resident memory of this process, in MiB."""

    def __init__(self, scorer: Any):
        self.cuda = _is_cuda(scorer)
        if self.cuda:
            _reset_peak()

    def peak(self) -> dict[str, Any]:
        if self.cuda:
            import torch

            return {"kind": "gpu", "peak_mib": round(torch.cuda.max_memory_allocated() / 2**20, 1)}
        from .model import peak_rss_mib

        return {"kind": "cpu-rss", "peak_mib": peak_rss_mib()}


def score_group(group: Group, batching: Batching) -> dict[str, Any]:
    """Render, score and grade one (task, language) group; returns its result record."""
    t0 = time.perf_counter()
    r = render_group(group)
    t1 = time.perf_counter()
    with warnings.catch_warnings():  # truncation is counted into the results, not warned per call
        warnings.filterwarnings("ignore", message=r".*were truncated")
        probs = np.asarray(batching.score(r.statements), dtype=np.float64)
    t2 = time.perf_counter() - batching.probe_s
    batching.probe_s = 0.0
    truncated = int(getattr(batching.scorer, "truncated", 0) or 0)  # StatementScorer counts its last call
    if probs.shape != (len(r.statements),):
        raise StdataError(f"the scorer returned {probs.shape} scores for {len(r.statements)} statements")
    preds = predict(probs[r.index], r.binary)  # (variants, examples)
    correct = (preds == r.gold[None, :]).sum(axis=1)
    n = len(r.gold)
    accs = [float(c / n) for c in correct]
    mean, std = variant_stats(accs)
    src = group.source
    candidates = int(r.index.shape[2])
    return {
        "task": group.task.name,
        "lang": group.lang,
        "kind": group.task.spec.kind.value,
        "template_lang": group.templates.lang,
        "template_hash": template_hash(group),
        "source": {
            "dataset": src.dataset,
            "config": src.config,
            "split": src.split,
            "rows": len(src.rows),
            "fingerprint": src.fingerprint,
            "skipped": dict(sorted(src.skipped.items())),
        },
        "examples": n,
        "candidates": candidates,
        "binary": r.binary,
        "gold_counts": {str(k): int(v) for k, v in enumerate(np.bincount(r.gold, minlength=2 if r.binary else candidates))},
        "skipped_examples": dict(r.skipped),
        "truncated_statements": truncated,
        "variants": [
            {"id": v.id, "hash": v.content_hash, "correct": int(c), "accuracy": a} for v, c, a in zip(group.variants, correct, accs)
        ],
        "mean": mean,
        "std": std,
        "baselines": baselines(r.gold, candidates, r.binary),
        "speed": {
            "statements": r.rendered,
            "scored": len(r.statements),
            "render_s": round(t1 - t0, 6),
            "score_s": round(t2 - t1, 6),
            "batch_size": batching.size,
        },
    }


# -- the run ---------------------------------------------------------------------------------------


def load_model(opts: EvalOptions) -> Scorer:
    """The scorer for `--model` (stdata.model does the loading: adapter, merged, or any classifier)."""
    if opts.model is None:
        raise UsageError("--model is required: a `stdata train` output folder or a two-label classifier")
    from transformers.utils import logging as hf_logging

    from .model import load_scorer

    hf_logging.disable_progress_bar()  # "Loading weights" bars would drown the run's own progress
    scorer = load_scorer(str(opts.model), true_index=opts.true_index, device=opts.device)
    set_dtype(scorer, opts.dtype)
    return scorer


def set_dtype(scorer: Any, dtype: str) -> str | None:
    """Cast the scorer's model for inference: `auto` is bf16 (fp16 where the GPU lacks it) on CUDA, fp32 on CPU.

    A 4-bit (QLoRA) model keeps its own layout. Returns the dtype of the model's weights.
    """
    model = getattr(scorer, "model", None)
    if model is None:
        return None
    import torch

    if dtype == "auto":
        if not _is_cuda(scorer):
            dtype = "float32"
        else:
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if not (getattr(model, "is_quantized", False) or getattr(getattr(model, "base_model", None), "is_quantized", False)):
        model.to(getattr(torch, dtype))
    return model_dtype(scorer)


def model_dtype(scorer: Any) -> str | None:
    model = getattr(scorer, "model", None)
    if model is None:
        return None
    dtypes = {str(p.dtype).replace("torch.", "") for p in model.parameters() if p.is_floating_point()}
    return "/".join(sorted(dtypes)) or None


def _summary(groups: list[dict]) -> dict[str, Any]:
    """Averages over languages per task (the paper's numbers), over tasks per language, and overall."""
    by_task: dict[str, list[dict]] = {}
    by_lang: dict[str, list[float]] = {}
    for g in groups:
        by_task.setdefault(g["task"], []).append(g)
        by_lang.setdefault(g["lang"], []).append(g["mean"])
    tasks = {}
    for task, gs in sorted(by_task.items()):
        entry = {
            "languages": [g["lang"] for g in gs],
            "mean": float(np.mean([g["mean"] for g in gs])),
            "std": None,
            "random": float(np.mean([g["baselines"]["random"] for g in gs])),
            "majority": float(np.mean([g["baselines"]["majority"] for g in gs])),
            "examples": sum(g["examples"] for g in gs),
        }
        ids = [tuple(v["id"] for v in g["variants"]) for g in gs]
        if len(set(ids)) == 1:  # same variants everywhere: std over variants of their language averages
            per_variant = np.mean([[v["accuracy"] for v in g["variants"]] for g in gs], axis=0)
            entry["std"] = float(per_variant.std())
        tasks[task] = entry
    langs = {lang: {"mean": float(np.mean(v)), "tasks": len(v)} for lang, v in sorted(by_lang.items())}
    overall = float(np.mean([t["mean"] for t in tasks.values()])) if tasks else None
    return {"tasks": tasks, "languages": langs, "overall": overall}


def evaluate(
    opts: EvalOptions,
    registry: Registry | None = None,
    scorer: Scorer | None = None,
    progress: Callable[[dict], None] | None = None,
) -> dict[str, Any]:
    """Run the evaluation `opts` describes; returns the results (see docs/evaluation.md).

    `scorer` replaces loading `opts.model` (tests, or a model already in memory).
    `progress` is called with each finished group's record (or its missing entry).
    """
    started = time.perf_counter()
    reg = (registry or Registry.load()).require_clean()
    groups, missing = plan(reg, opts)
    if opts.strict and missing:
        first = missing[0]
        raise StdataError(f"--strict: {len(missing)} missing piece(s), e.g. {first.task}/{first.lang} {first.reason}: {first.message}")
    if not groups:
        why = "; ".join(f"{m.task}/{m.lang}: {m.reason}" for m in missing[:5])
        raise StdataError(f"nothing to evaluate: no (task, language) has data ({why})")
    for m in missing:
        if progress:
            progress({"task": m.task, "lang": m.lang, "missing": m.reason})
    t_load = time.perf_counter()
    if scorer is None:
        scorer = load_model(opts)
    load_s = time.perf_counter() - t_load
    memory = _Memory(scorer)
    batching = Batching(opts.batch_size, scorer, {"max_length": opts.max_length} if opts.max_length else None)
    results = []
    for g in groups:
        rec = score_group(g, batching)
        results.append(rec)
        if progress:
            progress(rec)
    score_s = sum(r["speed"]["score_s"] for r in results)
    evaluated = sum(r["examples"] * len(r["variants"]) for r in results)
    scored = sum(r["speed"]["scored"] for r in results)
    meta = getattr(scorer, "meta", None) or {}
    return {
        "format": FORMAT,
        "stdata_version": __version__,
        "command": " ".join(opts.command),
        "model": {
            "path": str(opts.model) if opts.model is not None else type(scorer).__name__,
            "hash": model_fingerprint(opts.model) if opts.model is not None else None,
            "true_index": getattr(scorer, "true_index", opts.true_index),
            "device": str(getattr(scorer, "device", None) or "cpu"),
            "dtype": model_dtype(scorer),
            "max_length": getattr(scorer, "max_length", None),
            "train": _jsonable(meta),  # stdata_model.json of a `stdata train` output: base, method, languages...
        },
        "options": {
            "tasks": sorted({g.task.name for g in groups} | {m.task for m in missing}),
            "langs": opts.langs,
            "split": opts.split,
            "template_lang": opts.template_lang,
            "variants": opts.variants,
            "batch_size": opts.batch_size,
            "max_length": opts.max_length,
            "dtype": opts.dtype,
            "limit": opts.limit,
            "data": "mirror" if resolve_data_dir(opts.data_dir) else "hub",
        },
        "template_set_hash": _hash({f"{r['task']}/{r['lang']}": r["template_hash"] for r in results}),
        "groups": results,
        "missing": [m.to_dict() for m in missing],
        "summary": _summary(results),
        "speed": {
            "examples": evaluated,
            "statements": sum(r["speed"]["statements"] for r in results),
            "scored": scored,
            "score_s": round(score_s, 6),
            "examples_per_s": round(evaluated / score_s, 2) if score_s > 0 else None,
            "statements_per_s": round(scored / score_s, 2) if score_s > 0 else None,
            "model_load_s": round(load_s, 3),
            "total_s": round(time.perf_counter() - started, 3),
            "memory": memory.peak(),
            "truncated_statements": sum(r["truncated_statements"] for r in results),
            "batch_size": batching.size,
            "threads": _threads(),
        },
    }


def _jsonable(obj: Any) -> Any:
    try:
        return json.loads(json.dumps(obj, default=str))
    except (TypeError, ValueError):
        return None


def _threads() -> int | None:
    try:
        import torch

        return torch.get_num_threads()
    except ImportError:  # pragma: no cover - torch is in the `train` extra
        return os.cpu_count()


def run(opts: EvalOptions, registry: Registry | None = None, scorer: Scorer | None = None, progress=None) -> dict[str, Any]:
    """Evaluate and write every report into `opts.out` (results.json, results.md, CSV, PNG)."""
    if opts.out is None:
        raise UsageError("--out is required: the folder the results are written to")
    out = Path(opts.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    results = evaluate(opts, registry, scorer, progress)
    from .report import write_reports

    write_reports(results, out)  # also records the files in results["files"]
    return results
