"""`stdata build`: the registered training tasks x languages -> one balanced statement corpus.

Each (task, language) group is made independently from its own seed (statements.py), in worker
processes when `num_proc > 1`, and kept as a finished shard in a work folder beside the output;
`--resume` reuses the shards whose inputs have not changed. Only when every group is done is the
corpus written (corpus.py) and swapped into place, so an interrupted build leaves the previous
corpus intact.
"""

from __future__ import annotations

import json
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

from . import __version__, languages
from .atomic import write_atomic
from .audit import AuditCell, AuditReport, audit_group, audit_tables, preload, report
from .card import dataset_card
from .corpus import (
    FORMAT_VERSION,
    BuildRun,
    GroupStats,
    Manifest,
    MissingGroup,
    Shortfall,
    SourceInfo,
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
from .statements import make_group

MT_TAG = "translation-pairs"  # tasks left out by --no-mt
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

    def check(self) -> None:
        if self.per_task_lang < 2 or self.per_task_lang % 2:
            raise UsageError(f"--per-task-lang must be an even number >= 2 (half true, half false), got {self.per_task_lang}")
        if self.template_lang not in TEMPLATE_LANGS:
            raise UsageError(f"--template-lang must be native or en, got {self.template_lang!r}")
        if not 0 <= self.val_fraction < 1:
            raise UsageError("--val-fraction must be in [0, 1)")
        if self.num_proc < 1:
            raise UsageError("--num-proc must be at least 1")


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
    audit: AuditCell | None = None  # the shortcut audit of the group's statements (stdata/audit.py)

    @property
    def built(self) -> bool:
        return self.status in ("built", "resumed")


def plan(reg: Registry, opts: BuildOptions) -> BuildPlan:
    tasks = reg.select_tasks(opts.tasks, role="train")
    if opts.no_mt:
        tasks = [t for t in tasks if MT_TAG not in t.spec.tags]
    if not tasks:
        raise UsageError("no tasks to build (check --tasks / --no-mt)")
    return BuildPlan(tasks, list(languages.resolve(opts.langs, reg.languages())))


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
        },
        length=20,
        ensure_ascii=True,
        prefix=False,
    )


def _build_group(task: TaskEntry, lang: str, opts: BuildOptions, mirror: Path | None, work: Path, key: str) -> GroupOutcome:
    """Make one group's statements and write them as a shard in the work folder (runs in a worker)."""
    found = source_for(task, lang)
    assert found is not None  # groups without a source never reach a worker
    try:
        src = load_rows(task, lang, mirror)
    except MissingData as e:
        return GroupOutcome(task=task.name, lang=lang, status="missing-data", message=str(e))
    assert src is not None
    ts = task.variant_set(lang, opts.template_lang)
    res = make_group(task, src, ts.variants, ts.lang, opts.per_task_lang, opts.seed, opts.val_fraction, opts.allow_upsample)
    counts = {s: dict(sorted(Counter("true" if r["label"] else "false" for r in rows).items())) for s, rows in res.rows.items()}
    variants = Counter(r["template_id"] for rows in res.rows.values() for r in rows)
    source = SourceInfo(
        dataset=src.dataset,
        config=src.config,
        split=src.split,
        rows=len(src.rows),
        rows_hash=json_hash(src.rows),
        license=src.license,
        revision=found[0].revision,
    )
    stats = GroupStats(
        source=source,
        template_lang=ts.lang,
        counts=counts,
        total=res.total,
        wanted=res.wanted,
        shortfall=res.wanted - res.total,
        skipped=dict(sorted(res.skipped.items())),
        variants=dict(sorted(variants.items())),
        upsampled=res.upsampled,
    )
    stem = work / f"{task.name}__{lang}"
    for split, rows in res.rows.items():
        write_parquet(table_from_rows(rows), Path(f"{stem}.{split}.parquet"))
    cell = audit_group(task.name, lang, res.rows)
    outcome = GroupOutcome(task=task.name, lang=lang, status="built", stats=stats, key=key, audit=cell)
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
    return done.model_copy(update={"status": "resumed"})


def _run_groups(todo: list[tuple], num_proc: int, progress: Callable[[GroupOutcome], None] | None) -> list[GroupOutcome]:
    """Build the groups in `todo`, in worker processes when asked (fork: the registry is inherited, not re-read)."""
    outcomes = []
    if num_proc > 1 and len(todo) > 1:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=min(num_proc, len(todo)), mp_context=mp.get_context("fork")) as pool:
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
    out = Path(opts.out)
    work = out.parent / f".{out.name}.partial"
    if not opts.resume:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)

    outcomes: list[GroupOutcome] = []
    todo = []
    for t in bp.tasks:
        for lang in bp.langs:
            if source_for(t, lang) is None:
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
    manifest.audit = shortcuts
    manifest.run = BuildRun(
        command=" ".join(opts.command),
        num_proc=opts.num_proc,
        resumed_groups=sum(o.status == "resumed" for o in outcomes),
        timings={"generate_s": round(gen_seconds, 3), "total_s": None},
    )
    card = dataset_card(manifest)
    manifest.run.timings["total_s"] = round(time.time() - started, 3)
    manifest = write_corpus(out, splits, manifest, card)
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
    )
