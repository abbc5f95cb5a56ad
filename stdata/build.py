"""`stdata build`: the registered training tasks x languages -> one balanced statement corpus.

Each (task, language) group is made independently from its own seed (statements.py), in worker
processes when `num_proc > 1`, and kept as a finished shard in a work folder beside the output;
`--resume` reuses the shards whose inputs have not changed. Only when every group is done is the
corpus written (corpus.py) and swapped into place, so an interrupted build leaves the previous
corpus intact.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from . import __version__, coverage_plot, languages, mtfill
from .atomic import write_atomic
from .audit import AuditCell, AuditReport, audit_group, audit_tables, preload, report
from .card import dataset_card
from .corpus import (
    FORMAT_VERSION,
    BuildRun,
    GroupStats,
    LangMismatch,
    Manifest,
    MissingGroup,
    Shortfall,
    SourceInfo,
    check_out,
    claim_work_dir,
    table_from_rows,
    write_corpus,
    write_parquet,
)
from .errors import StdataError, UsageError
from .hashing import json_hash
from .options import option
from .records import Record
from .registry import Registry, TaskEntry
from .sources import MissingData, load_rows, source_for
from .sources import data_dir as resolve_data_dir
from .statements import GroupResult, make_group
from .validate import require_valid
from .workers import die_with_parent

MT_TAG = mtfill.MT_TAG  # tasks left out by --no-mt
TEMPLATE_LANGS = ("native", "en")


@dataclass
class BuildOptions:
    out: Path = option(help="Corpus directory to write (replaced atomically).")
    langs: str = option("25", help="Preset (1, 11, 25, all) or a comma list of BCP-47 tags.")
    tasks: str | None = option(None, help="Comma list of tasks (default: every training task).")
    template_lang: str = option("native", help="native (per-language variants, English fallback) or en.")
    no_mt: bool = option(False, help="Leave out machine-translation pair tasks (ablation).")
    per_task_lang: int = option(1500, help="Statements per (task, language): half true, half false.")
    seed: int = option(42, help="Seed of every random choice (same inputs and seed: byte-identical corpus).")
    num_proc: int = option(1, help="Worker processes (output is identical for any value).")
    data_dir: Path | None = option(None, help="Hub-layout mirror (else $STDATA_DATA_DIR, else the hub).")
    resume: bool = option(False, help="Reuse finished (task, language) shards of an interrupted build.")
    strict: bool = option(False, help="Exit 1 on a skipped source row, a missing mirror entry or a shortcut the audit flags.")
    allow_upsample: bool = option(False, help="Repeat rows (marked `upsampled`) to fill shortfalls.")
    val_fraction: float = option(0.1, help="Share of source rows held out for validation.")
    command: list[str] = option(default_factory=lambda: list(sys.argv), help="The command line, for the manifest.", cli=False)
    mt_fill: str | None = option(
        None,
        help="Fill cells without real rows, or short of them, with the task's English rows machine-translated by this "
        "`stdata translate` engine (pseudo, google, hf:<model>...); MT rows are marked (`mt_engine`) and counted.",
        metavar="ENGINE",
    )
    mt_cache: Path | None = option(None, help="Translation cache for --mt-fill (default: the `stdata translate` cache).")

    def check(self) -> None:
        if self.per_task_lang < 2 or self.per_task_lang % 2:
            raise UsageError(f"--per-task-lang must be an even number >= 2 (half true, half false), got {self.per_task_lang}")
        if self.template_lang not in TEMPLATE_LANGS:
            raise UsageError(f"--template-lang must be native or en, got {self.template_lang!r}")
        if not 0 <= self.val_fraction < 1:
            raise UsageError("--val-fraction must be in [0, 1)")
        if self.num_proc < 1:
            raise UsageError("--num-proc must be at least 1")
        check_out(self.out)  # before any work: a file, a root or a folder that is not our corpus is refused


@dataclass
class BuildPlan:
    """Which tasks and languages a build covers (planned once, shown by the CLI, used by the build)."""

    tasks: list[TaskEntry]
    langs: list[str]


class GroupOutcome(Record):
    """What became of one (task, language): built or resumed (with its stats), or why not."""

    task: str
    lang: str
    status: str  # built | resumed | no-source | missing-data
    message: str = ""
    stats: GroupStats | None = None
    key: str = ""  # hash of everything the group's statements depend on: a resumed shard must match it
    empty_labels: list[str] = Field(default_factory=list)  # labels the group's source should assert but yields no row for (fails the build)
    translation: dict[str, int] = Field(default_factory=dict)  # --mt-fill engine counters of this group (run block only)
    audit: AuditCell | None = None  # the shortcut audit of the group's statements (stdata/audit.py)

    @property
    def built(self) -> bool:
        return self.status in ("built", "resumed")


def plan(reg: Registry, opts: BuildOptions) -> BuildPlan:
    opts.check()
    tasks = reg.select_tasks(opts.tasks, role="train")
    if opts.no_mt:
        tasks = [t for t in tasks if MT_TAG not in t.spec.tags]
    if not tasks:
        raise UsageError("no tasks to build (check --tasks / --no-mt)")
    langs = list(languages.resolve(opts.langs, reg.languages()))
    require_valid(reg, [t.name for t in tasks], langs)  # what `templates validate` refuses is never built
    if opts.mt_fill:  # an unknown engine, a missing key or language fails before any work
        mtfill.engine(opts.mt_fill).check(mtfill.SOURCE_LANG, [x for x in langs if x != mtfill.SOURCE_LANG])
    return BuildPlan(tasks, langs)


def _group_key(task: TaskEntry, lang: str, opts: BuildOptions, mirror: Path | None) -> str:
    ts = task.variant_set(lang, opts.template_lang)
    return json_hash(
        {
            "v": __version__,
            "spec": task.spec.model_dump(mode="json"),
            "variants": [v.model_dump(mode="json") for v in ts.variants],
            "words": task.label_words(ts.lang),
            "opts": [opts.per_task_lang, opts.seed, opts.template_lang, opts.allow_upsample, opts.val_fraction],
            "mirror": str(mirror.resolve()) if mirror else "hub",
            **({"mt_fill": opts.mt_fill} if opts.mt_fill else {}),
        },
        length=20,
        ensure_ascii=True,
        prefix=False,
    )


def _build_group(task: TaskEntry, lang: str, opts: BuildOptions, mirror: Path | None, work: Path, key: str) -> GroupOutcome:
    """Make one group's statements and write them as a shard in the work folder (runs in a worker).

    Real rows first; with --mt-fill, what they cannot make comes from translated English rows (mtfill.py).
    """
    found = source_for(task, lang)
    may_fill = bool(opts.mt_fill) and mtfill.can_fill(task, lang)
    src, why = None, f"no source of {task.name} has {lang}"
    if found is not None:
        try:
            src = load_rows(task, lang, mirror)
        except MissingData as e:
            if not may_fill:
                return GroupOutcome(task=task.name, lang=lang, status="missing-data", message=str(e))
            why = f"real source not readable: {e}"
    ts = task.variant_set(lang, opts.template_lang)
    upsample = opts.allow_upsample and not may_fill  # with --mt-fill only translated rows are repeated
    if src is not None:
        res = make_group(task, src, ts.variants, ts.lang, opts.per_task_lang, opts.seed, opts.val_fraction, upsample)
        why = f"{len(src.rows)} usable real rows made {res.total} of {opts.per_task_lang} statements"
    else:
        res = GroupResult(wanted=opts.per_task_lang)
    mt = None
    if may_fill and res.total < opts.per_task_lang:
        assert opts.mt_fill is not None
        mt = mtfill.fill(
            task, lang, opts.per_task_lang - res.total, why, opts.mt_fill, opts.mt_cache, mirror,
            ts.variants, ts.lang, opts.seed, opts.val_fraction, opts.allow_upsample,
        )  # fmt: skip
        if mt.result is not None:
            for split, rows in mt.result.rows.items():
                res.rows[split] += rows
            res.upsampled += mt.result.upsampled
    translation = mt.translation if mt else {}
    if src is None and (mt is None or mt.result is None):
        status = "no-source" if found is None else "missing-data"
        detail = f" (--mt-fill: {mt.stats.error})" if mt and mt.stats.error else ""
        return GroupOutcome(task=task.name, lang=lang, status=status, message=why + detail, translation=translation)
    counts = {s: dict(sorted(Counter("true" if r["label"] else "false" for r in rows).items())) for s, rows in res.rows.items()}
    variants = Counter(r["template_id"] for rows in res.rows.values() for r in rows)
    if src is not None:
        source = SourceInfo(
            dataset=src.dataset,
            config=src.config,
            split=src.split,
            rows=len(src.rows),
            rows_hash=json_hash(src.rows),
            license=src.license,
            revision=found[0].revision if found else None,
        )
    else:
        assert mt is not None and mt.stats.source is not None
        source = mt.stats.source
    stats = GroupStats(
        source=source,
        template_lang=ts.lang,
        counts=counts,
        total=res.total,
        wanted=opts.per_task_lang,
        shortfall=opts.per_task_lang - res.total,
        skipped=dict(sorted(res.skipped.items())),
        variants=dict(sorted(variants.items())),
        upsampled=res.upsampled,
        mt=mt.stats if mt else None,
    )
    stem = work / f"{task.name}__{lang}"
    for split, rows in res.rows.items():
        write_parquet(table_from_rows(rows), Path(f"{stem}.{split}.parquet"))
    cell = audit_group(task.name, lang, res.rows)
    outcome = GroupOutcome(
        task=task.name,
        lang=lang,
        status="built",
        stats=stats,
        key=key,
        empty_labels=src.empty_labels if src else [],
        translation=translation,
        audit=cell,
    )
    write_atomic(Path(f"{stem}.json"), json.dumps(outcome.to_dict(), sort_keys=True))  # the json marks the group finished
    return outcome


def _build_group_star(args: tuple) -> GroupOutcome:
    return _build_group(*args)


def _resumed(work: Path, task: str, lang: str, key: str) -> GroupOutcome | None:
    stem = work / f"{task}__{lang}"
    try:
        done = GroupOutcome.from_dict(json.loads(Path(f"{stem}.json").read_text()))
    except (OSError, json.JSONDecodeError, StdataError):
        return None
    if done.key != key or not all(Path(f"{stem}.{s}.parquet").exists() for s in ("train", "validation")):
        return None
    if done.stats is not None and done.stats.mt is not None and done.stats.mt.error:
        return None  # the engine failed for this group: try it again
    return done.model_copy(update={"status": "resumed"})


def _run_groups(todo: list[tuple], num_proc: int, progress: Callable[[GroupOutcome], None] | None) -> list[GroupOutcome]:
    """Build the groups in `todo`, in worker processes when asked (fork: the registry is inherited, not re-read)."""
    outcomes = []
    if num_proc > 1 and len(todo) > 1:
        import multiprocessing as mp

        pool = ProcessPoolExecutor(
            max_workers=min(num_proc, len(todo)), mp_context=mp.get_context("fork"), initializer=die_with_parent, initargs=(os.getpid(),)
        )  # fmt: skip
        with pool:
            for o in pool.map(_build_group_star, todo):
                outcomes.append(o)
                if progress:
                    progress(o)
        return outcomes
    for args in todo:
        o = _build_group(*args)
        outcomes.append(o)
        if progress:
            progress(o)
    return outcomes


def build_corpus(
    opts: BuildOptions,
    registry: Registry,
    progress: Callable[[GroupOutcome], None] | None = None,
    build_plan: BuildPlan | None = None,
) -> Manifest:
    """Build the corpus described by `opts` from `registry`; returns its manifest."""
    opts.check()
    started = time.time()
    reg = registry.require_clean()
    bp = build_plan or plan(reg, opts)
    mirror = resolve_data_dir(opts.data_dir)
    if mirror is not None and not mirror.is_dir():
        raise UsageError(f"--data-dir {mirror} is not a folder")
    out = check_out(opts.out)
    work = claim_work_dir(out, opts.resume)

    outcomes: list[GroupOutcome] = []
    todo = []
    for t in bp.tasks:
        for lang in bp.langs:
            if source_for(t, lang) is None and not (opts.mt_fill and mtfill.can_fill(t, lang)):
                outcomes.append(GroupOutcome(task=t.name, lang=lang, status="no-source", message=f"no source of {t.name} has {lang}"))
                continue
            key = _group_key(t, lang, opts, mirror)
            done = _resumed(work, t.name, lang, key) if opts.resume else None
            if done is None:
                todo.append((t, lang, opts, mirror, work, key))
                continue
            outcomes.append(done)
            if progress:
                progress(done)
    t0 = time.time()
    if todo:
        preload()  # import scikit-learn once, before the workers fork
    outcomes += _run_groups(todo, opts.num_proc, progress)
    gen_seconds = time.time() - t0

    outcomes.sort(key=lambda o: (o.task, o.lang))
    built = [o for o in outcomes if o.built]
    skipped: Counter = Counter()
    for o in built:
        assert o.stats is not None
        skipped.update(o.stats.skipped)
    cells = list[AuditCell]()
    for o in built:  # a shard resumed from a build that kept no audit is audited here
        cells += [o.audit] if o.audit else audit_tables(_shard_tables(work, o)).cells
    shortcuts = report(cells)
    _check_outcomes(opts, outcomes, built, skipped, shortcuts, work)

    splits = {}
    for split in ("train", "validation"):
        tables = [pq.read_table(work / f"{o.task}__{o.lang}.{split}.parquet") for o in built]
        splits[split] = pa.concat_tables(tables) if tables else table_from_rows([])
    manifest = _manifest(opts, bp, outcomes, built, skipped, splits, mirror)
    translation: Counter = Counter()
    for o in outcomes:
        translation.update(o.translation)
    manifest.audit = shortcuts
    manifest.run = BuildRun(
        command=" ".join(opts.command),
        num_proc=opts.num_proc,
        resumed_groups=sum(o.status == "resumed" for o in outcomes),
        timings={"generate_s": round(gen_seconds, 3), "total_s": None},
        translation=dict(sorted(translation.items())),
    )
    png = coverage_plot.png_bytes(coverage_plot.manifest_cells(manifest), f"corpus: statements per task x language ({out.name})")
    card = dataset_card(manifest, picture=coverage_plot.FILE_NAME)
    manifest.run.timings["total_s"] = round(time.time() - started, 3)
    manifest = write_corpus(out, splits, manifest, card, files={coverage_plot.FILE_NAME: png})
    shutil.rmtree(work, ignore_errors=True)
    return manifest


def _shard_tables(work: Path, o: GroupOutcome) -> dict[str, pa.Table]:
    return {s: pq.read_table(work / f"{o.task}__{o.lang}.{s}.parquet") for s in ("train", "validation")}


def _check_outcomes(
    opts: BuildOptions, outcomes: list[GroupOutcome], built: list[GroupOutcome], skipped: Counter, shortcuts: AuditReport, work: Path
) -> None:
    """Refuse to write a corpus `--strict` would reject, or one with no group at all."""
    missing = [o for o in outcomes if o.status == "missing-data"]
    if opts.strict and (skipped or missing or shortcuts.flags):
        parts = [f"{sum(skipped.values())} skipped row(s) {dict(skipped)}"] if skipped else []
        if missing:
            parts.append(f"missing data for {len(missing)} group(s), e.g. {missing[0].message}")
        if shortcuts.flags:
            parts.append(f"the shortcut audit flagged {len(shortcuts.flags)} rule(s), e.g. {shortcuts.flags[0].line()}")
        raise StdataError(f"--strict: {'; '.join(parts)}; corpus not written (partial work kept in {work})")
    if not built:
        raise StdataError("no (task, language) group has data: " + "; ".join(o.message for o in outcomes[:3]))
    empty = [(o, lab) for o in built for lab in o.empty_labels]
    if empty:
        o, lab = empty[0]
        assert o.stats is not None
        src = o.stats.source
        more = f" (and {len(empty) - 1} more label(s) in {len({(e.task, e.lang) for e, _ in empty})} group(s))" if len(empty) > 1 else ""
        raise StdataError(
            f"task {o.task} lang {o.lang} source {src.dataset} {src.config}/{src.split}: label {lab!r} yields no rows{more}; "
            f"fix the source's label_map, or list the labels it can assert under `labels:`; corpus not written (partial work kept in {work})"
        )


def _manifest(
    opts: BuildOptions,
    bp: BuildPlan,
    outcomes: list[GroupOutcome],
    built: list[GroupOutcome],
    skipped: Counter,
    splits: dict[str, pa.Table],
    mirror: Path | None,
) -> Manifest:
    templates = {t.name: {lang: {v.id: v.content_hash for v in ts.variants} for lang, ts in sorted(t.templates.items())} for t in bp.tasks}
    groups: dict[str, GroupStats] = {f"{o.task}/{o.lang}": o.stats for o in built if o.stats is not None}
    return Manifest(
        format_version=FORMAT_VERSION,
        stdata_version=__version__,
        seed=opts.seed,
        options={
            "langs": bp.langs,
            "tasks": [t.name for t in bp.tasks],
            "per_task_lang": opts.per_task_lang,
            "template_lang": opts.template_lang,
            "no_mt": opts.no_mt,
            "allow_upsample": opts.allow_upsample,
            "val_fraction": opts.val_fraction,
            "data": "mirror" if mirror else "hub",
            "mt_fill": opts.mt_fill,
        },
        template_set_hash=json_hash(templates, ensure_ascii=True),
        templates=templates,
        counts={s: t.num_rows for s, t in splits.items()},
        groups=groups,
        shortfalls=[
            Shortfall(task=key.split("/")[0], lang=key.split("/")[1], wanted=g.wanted, got=g.total, source_rows=g.source.rows)
            for key, g in groups.items()
            if g.shortfall > 0
        ],
        missing=[
            MissingGroup(task=o.task, lang=o.lang, reason=o.status, message=o.message)
            for o in outcomes
            if o.status in ("no-source", "missing-data")
        ],
        skipped=dict(sorted(skipped.items())),
        template_mismatch=template_mismatch(groups),
    )


def template_mismatch(groups: dict[str, GroupStats]) -> dict[str, LangMismatch]:
    """Per language (and "all"): statements whose template language is not the data language (the English fallback)."""
    return mismatch_shares(
        [(key.split("/")[1], g.total, g.total if g.template_lang != key.split("/")[1] else 0) for key, g in groups.items()]
    )


def mismatch_shares(counts: list[tuple[str, int, int]]) -> dict[str, LangMismatch]:
    """(lang, statements, mismatched) items summed per language and over all ("all", last)."""
    totals: dict[str, list[int]] = {}
    for lang, n, m in counts:
        for k in (lang, "all"):
            t = totals.setdefault(k, [0, 0])
            t[0] += n
            t[1] += m
    return {
        k: LangMismatch(statements=n, mismatched=m, share=round(m / n, 4) if n else 0.0)
        for k, (n, m) in sorted(totals.items(), key=lambda kv: (kv[0] == "all", kv[0]))
    }
