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

import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import __version__, languages
from .batching import AUTO, DEFAULT_BATCH, Batching, is_cuda, parse_batch_size
from .errors import StdataError, UsageError
from .hashing import json_hash, tree_hash
from .memory import PeakMemory
from .metrics import baselines, predict, summarize, variant_stats
from .options import option
from .partners import PartnerSelector, seeded_rng
from .registry import Registry, TaskEntry, TemplateSet
from .results import EvalResult, GroupResult, GroupSpeed, Memory, MissingCell, ModelRef, RunSpeed, SourceRef, VariantScore
from .schema import Variant
from .sources import MissingData, SourceRows, load_rows
from .sources import data_dir as resolve_data_dir

DTYPES = ("auto", "float32", "bfloat16", "float16")
#: Seed of the partner draws for pair tasks' negative examples.
EVAL_SEED = 42


class Scorer(Protocol):
    """What evaluation needs from a model: P(True) for each statement, in input order."""

    def score(self, statements: list[str], batch_size: int = 32) -> np.ndarray: ...


@dataclass
class EvalOptions:
    model: str | None = option(None, help="A `stdata train` output folder, or a two-label classifier (with --true-index).")
    out: Path | None = option(None, help="Folder for results.json, results.md, CSV and PNG reports.")
    tasks: str | None = option(None, help="Comma list of tasks (default: every evaluation task).")
    langs: str | None = option(None, help="Preset (1, 11, 25, all) or comma list (default: every language a task has).")
    split: str | None = option(None, help="Split to read (default: each source's own, e.g. validation; xwinograd: test).")
    template_lang: str = option("native", help="native (per-language variants, English fallback) or en.")
    variants: str | None = option(None, help="Comma list of variant ids (default: all).")
    batch_size: int | str = option(
        DEFAULT_BATCH,
        help="Statements per forward pass, or 'auto' (largest that fits on the GPU).",
        cli_type=str,
        parse=parse_batch_size,
    )
    true_index: int | None = option(None, help="Logit index of True, for a classifier not made by `stdata train`.")
    device: str | None = option(None, help="cpu, cuda, cuda:1 ... (default: cuda if available).")
    max_length: int | None = option(None, help="Truncate statements to this many tokens (default: the model's limit).")
    dtype: str = option("auto", help="auto (bf16, else fp16, on a GPU; fp32 on CPU), float32, bfloat16 or float16.")
    limit: int | None = option(None, help="Only the first N examples per task and language (quick looks).")
    data_dir: Path | None = option(None, help="Hub-layout mirror (else $STDATA_DATA_DIR, else the hub).")
    strict: bool = option(False, help="Exit 1 if any task, language, variant or source row is missing.")
    command: list[str] = option(default_factory=lambda: list(sys.argv), help="The command line, for the results.", cli=False)

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


# -- planning: which (task, language) groups, with their rows and variants -------------------------


@dataclass
class Group:
    """One (task, language): its rows and the variants that score them."""

    task: TaskEntry
    lang: str
    source: SourceRows
    templates: TemplateSet
    variants: list[Variant]


def _missing(task: str, lang: str, reason: str, message: str) -> MissingCell:
    return MissingCell(task=task, lang=lang, reason=reason, message=message)


def task_languages(task: TaskEntry) -> list[str]:
    """Every language some source of `task` has a config for (what `--langs` defaults to)."""
    return sorted({lang for src in task.spec.sources for lang in src.configs})


def plan(reg: Registry, opts: EvalOptions) -> tuple[list[Group], list[MissingCell]]:
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
    missing: list[MissingCell] = []
    for task in tasks:
        langs = wanted_langs if wanted_langs is not None else task_languages(task)
        if not langs:
            missing.append(_missing(task.name, "*", "no-source", f"task {task.name!r} lists no source data"))
        for lang in langs:
            try:
                src = load_rows(task, lang, mirror, opts.split)
            except MissingData as e:
                missing.append(_missing(task.name, lang, "missing-data", str(e)))
                continue
            if src is None:
                missing.append(_missing(task.name, lang, "no-source", f"no source of {task.name} has {lang}"))
                continue
            if src.skipped:
                missing.append(
                    _missing(task.name, lang, "skipped-rows", f"{sum(src.skipped.values())} source row(s) skipped: {dict(src.skipped)}")
                )
            if opts.limit is not None:
                src.rows, src.row_ids = src.rows[: opts.limit], src.row_ids[: opts.limit]
            if not src.rows:
                missing.append(_missing(task.name, lang, "no-rows", f"{src.dataset} {src.config}/{src.split} has no usable rows"))
                continue
            ts = task.variant_set(lang, opts.template_lang)
            variants = list(ts.variants)
            if wanted_variants:
                variants = [v for v in ts.variants if v.id in wanted_variants]
                absent = [v for v in wanted_variants if ts.variant(v) is None]
                if absent:
                    missing.append(_missing(task.name, lang, "no-variant", f"{ts.lang} templates lack variant(s) {', '.join(absent)}"))
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


def template_hash(group: Group) -> str:
    """What a group's statements depend on besides the rows: the variants' texts and label words."""
    spec = group.task.spec
    return json_hash(
        {
            "task": spec.name,
            "kind": spec.kind.value,
            "labels": spec.labels,
            "words": group.task.label_words(group.templates.lang) if spec.labels else None,
            "variants": {v.id: v.content_hash for v in group.variants},
        }
    )


def score_group(group: Group, batching: Batching) -> GroupResult:
    """Render, score and grade one (task, language) group."""
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
    return GroupResult(
        task=group.task.name,
        lang=group.lang,
        kind=group.task.spec.kind.value,
        template_lang=group.templates.lang,
        template_hash=template_hash(group),
        source=SourceRef(
            dataset=src.dataset,
            config=src.config,
            split=src.split,
            rows=len(src.rows),
            fingerprint=src.fingerprint,
            skipped=dict(sorted(src.skipped.items())),
        ),
        examples=n,
        candidates=candidates,
        binary=r.binary,
        gold_counts={str(k): int(v) for k, v in enumerate(np.bincount(r.gold, minlength=2 if r.binary else candidates))},
        skipped_examples=dict(r.skipped),
        truncated_statements=truncated,
        variants=[VariantScore(id=v.id, hash=v.content_hash, correct=int(c), accuracy=a) for v, c, a in zip(group.variants, correct, accs)],
        mean=mean,
        std=std,
        baselines=baselines(r.gold, candidates, r.binary),
        speed=GroupSpeed(
            statements=r.rendered, scored=len(r.statements), render_s=round(t1 - t0, 6), score_s=round(t2 - t1, 6), batch_size=batching.size
        ),
    )


# -- the run ---------------------------------------------------------------------------------------


def load_model(opts: EvalOptions) -> Scorer:
    """The scorer for `--model` (stdata.model does the loading: adapter, merged, or any classifier)."""
    if opts.model is None:
        raise UsageError("--model is required: a `stdata train` output folder or a two-label classifier")
    from transformers.utils import logging as hf_logging

    from .model import load_scorer, set_dtype

    hf_logging.disable_progress_bar()  # "Loading weights" bars would drown the run's own progress
    scorer = load_scorer(str(opts.model), true_index=opts.true_index, device=opts.device)
    set_dtype(scorer, opts.dtype)
    return scorer


def evaluate(
    opts: EvalOptions,
    registry: Registry,
    scorer: Scorer | None = None,
    progress: Callable[[GroupResult | MissingCell], None] | None = None,
) -> EvalResult:
    """Run the evaluation `opts` describes (see docs/evaluation.md).

    `scorer` replaces loading `opts.model` (tests, or a model already in memory).
    `progress` is called with each finished group's result, or with each missing cell.
    """
    started = time.perf_counter()
    reg = registry.require_clean()
    groups, missing = plan(reg, opts)
    if opts.strict and missing:
        first = missing[0]
        raise StdataError(f"--strict: {len(missing)} missing piece(s), e.g. {first.task}/{first.lang} {first.reason}: {first.message}")
    if not groups:
        why = "; ".join(f"{m.task}/{m.lang}: {m.reason}" for m in missing[:5])
        raise StdataError(f"nothing to evaluate: no (task, language) has data ({why})")
    for m in missing:
        if progress:
            progress(m)
    t_load = time.perf_counter()
    if scorer is None:
        scorer = load_model(opts)
    load_s = time.perf_counter() - t_load
    memory = PeakMemory(is_cuda(scorer))
    batching = Batching(opts.batch_size, scorer, {"max_length": opts.max_length} if opts.max_length else None)
    results = []
    for g in groups:
        rec = score_group(g, batching)
        results.append(rec)
        if progress:
            progress(rec)
    return EvalResult(
        stdata_version=__version__,
        command=" ".join(opts.command),
        model=_model_ref(opts, scorer),
        options={
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
        templates_hash=json_hash({f"{r.task}/{r.lang}": r.template_hash for r in results}),
        groups=results,
        missing=missing,
        summary=summarize(results),
        speed=_run_speed(results, load_s, started, memory, batching),
    )


def _model_ref(opts: EvalOptions, scorer: Scorer) -> ModelRef:
    from .model import model_dtype

    meta = getattr(scorer, "meta", None) or {}
    meta = meta.to_dict() if hasattr(meta, "to_dict") else meta  # a ModelInfo (stdata_model.json)
    return ModelRef(
        path=str(opts.model) if opts.model is not None else type(scorer).__name__,
        hash=tree_hash(opts.model) if opts.model is not None else None,
        true_index=getattr(scorer, "true_index", opts.true_index),
        device=str(getattr(scorer, "device", None) or "cpu"),
        dtype=model_dtype(scorer),
        max_length=getattr(scorer, "max_length", None),
        train=_jsonable(meta),  # stdata_model.json of a `stdata train` output: base, method, languages...
    )


def _run_speed(results: list[GroupResult], load_s: float, started: float, memory: PeakMemory, batching: Batching) -> RunSpeed:
    score_s = sum(r.speed.score_s for r in results)
    evaluated = sum(r.examples * len(r.variants) for r in results)
    scored = sum(r.speed.scored for r in results)
    return RunSpeed(
        examples=evaluated,
        statements=sum(r.speed.statements for r in results),
        scored=scored,
        score_s=round(score_s, 6),
        examples_per_s=round(evaluated / score_s, 2) if score_s > 0 else None,
        statements_per_s=round(scored / score_s, 2) if score_s > 0 else None,
        model_load_s=round(load_s, 3),
        total_s=round(time.perf_counter() - started, 3),
        memory=Memory.model_validate(memory.peak()),
        truncated_statements=sum(r.truncated_statements for r in results),
        batch_size=batching.size,
        threads=_threads(),
    )


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


def run(opts: EvalOptions, registry: Registry, scorer: Scorer | None = None, progress=None) -> EvalResult:
    """Evaluate and write every report into `opts.out` (results.json, results.md, CSV, PNG)."""
    if opts.out is None:
        raise UsageError("--out is required: the folder the results are written to")
    out = Path(opts.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    results = evaluate(opts, registry, scorer, progress)
    from .report import write_reports

    write_reports(results, out)  # also records the files in results.files
    return results
