"""`stdata build`: the registered training tasks x languages -> one balanced statement corpus.

Each (task, language) group is made independently from its own seed (statements.py), in worker
processes when `num_proc > 1`, and kept as a finished shard in a work folder beside the output;
`--resume` reuses the shards whose inputs have not changed. Only when every group is done is the
corpus written (corpus.py) and swapped into place, so an interrupted build leaves the previous
corpus intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__, languages
from .card import dataset_card
from .corpus import FORMAT_VERSION, table_from_rows, write_corpus, write_parquet
from .errors import StdataError, UsageError
from .registry import Registry, TaskEntry
from .sources import MissingData, load_rows, source_for
from .sources import data_dir as resolve_data_dir
from .statements import make_group

MT_TAG = "translation-pairs"  # tasks left out by --no-mt


@dataclass
class BuildOptions:
    out: Path
    langs: str = "25"
    tasks: str | None = None
    template_lang: str = "native"
    no_mt: bool = False
    per_task_lang: int = 1500
    seed: int = 42
    num_proc: int = 1
    data_dir: Path | None = None
    resume: bool = False
    strict: bool = False
    allow_upsample: bool = False
    val_fraction: float = 0.1
    command: list[str] = field(default_factory=lambda: list(sys.argv))

    def check(self) -> None:
        if self.per_task_lang < 2 or self.per_task_lang % 2:
            raise UsageError(f"--per-task-lang must be an even number >= 2 (half true, half false), got {self.per_task_lang}")
        if self.template_lang not in ("native", "en"):
            raise UsageError(f"--template-lang must be native or en, got {self.template_lang!r}")
        if not 0 <= self.val_fraction < 1:
            raise UsageError("--val-fraction must be in [0, 1)")
        if self.num_proc < 1:
            raise UsageError("--num-proc must be at least 1")


@dataclass
class GroupOutcome:
    task: str
    lang: str
    status: str  # built | resumed | no-source | missing-data
    message: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


_REGISTRY: Registry | None = None  # set before forking workers


def _group_key(task: TaskEntry, lang: str, opts: BuildOptions, mirror: Path | None) -> str:
    """Everything a group's statements depend on, hashed: a resumed shard must match it."""
    ts = task.variant_set(lang, opts.template_lang)
    blob = json.dumps(
        {
            "v": __version__,
            "spec": task.spec.model_dump(mode="json"),
            "variants": [v.model_dump(mode="json") for v in ts.variants],
            "words": task.label_words(ts.lang),
            "opts": [opts.per_task_lang, opts.seed, opts.template_lang, opts.allow_upsample, opts.val_fraction],
            "mirror": str(mirror.resolve()) if mirror else "hub",
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _rows_hash(rows: list[dict]) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _build_group(args: tuple) -> GroupOutcome:
    """Make one group's statements and write them as a shard in the work folder (runs in a worker)."""
    task_name, lang, opts, mirror, work, key = args
    task = _REGISTRY.tasks[task_name]
    src_spec, _config = source_for(task, lang)
    try:
        src = load_rows(task, lang, mirror)
    except MissingData as e:
        return GroupOutcome(task_name, lang, "missing-data", str(e))
    ts = task.variant_set(lang, opts.template_lang)
    res = make_group(task, src, ts.variants, ts.lang, opts.per_task_lang, opts.seed, opts.val_fraction, opts.allow_upsample)
    counts = {s: dict(sorted(Counter("true" if r["label"] else "false" for r in rows).items())) for s, rows in res.rows.items()}
    variants = Counter(r["template_id"] for rows in res.rows.values() for r in rows)
    stats = {
        "source": {
            "dataset": src.dataset, "config": src.config, "split": src.split, "rows": len(src.rows),
            "rows_hash": _rows_hash(src.rows), "license": src.license, "revision": src_spec.revision,
        },
        "template_lang": ts.lang,
        "counts": counts,
        "total": res.total,
        "wanted": res.wanted,
        "shortfall": res.wanted - res.total,
        "skipped": dict(sorted(res.skipped.items())),
        "variants": dict(sorted(variants.items())),
        "upsampled": res.upsampled,
        "key": key,
    }  # fmt: skip
    stem = work / f"{task_name}__{lang}"
    for split, rows in res.rows.items():
        write_parquet(table_from_rows(rows), Path(f"{stem}.{split}.parquet"))
    tmp = Path(f"{stem}.json.tmp")
    tmp.write_text(json.dumps(stats, sort_keys=True))
    os.replace(tmp, f"{stem}.json")  # the json marks the group finished
    return GroupOutcome(task_name, lang, "built", stats=stats)


def _resumed(work: Path, task: str, lang: str, key: str) -> GroupOutcome | None:
    stem = work / f"{task}__{lang}"
    try:
        stats = json.loads(Path(f"{stem}.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if stats.get("key") != key or not all(Path(f"{stem}.{s}.parquet").exists() for s in ("train", "validation")):
        return None
    return GroupOutcome(task, lang, "resumed", stats=stats)


def plan(reg: Registry, opts: BuildOptions) -> tuple[list[TaskEntry], list[str]]:
    tasks = reg.select_tasks(opts.tasks, role="train")
    if opts.no_mt:
        tasks = [t for t in tasks if MT_TAG not in t.spec.tags]
    if not tasks:
        raise UsageError("no tasks to build (check --tasks / --no-mt)")
    langs = languages.resolve(opts.langs, reg.languages())
    return tasks, langs


def build_corpus(
    opts: BuildOptions,
    registry: Registry | None = None,
    progress: Callable[[GroupOutcome], None] | None = None,
) -> dict[str, Any]:
    """Build the corpus described by `opts`; returns its manifest."""
    global _REGISTRY
    opts.check()
    started = time.time()
    reg = (registry or Registry.load()).require_clean()
    tasks, langs = plan(reg, opts)
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
    for t in tasks:
        for lang in langs:
            if source_for(t, lang) is None:
                outcomes.append(GroupOutcome(t.name, lang, "no-source", f"no source of {t.name} has {lang}"))
                continue
            key = _group_key(t, lang, opts, mirror)
            done = _resumed(work, t.name, lang, key) if opts.resume else None
            if done is not None:
                outcomes.append(done)
                if progress:
                    progress(done)
            else:
                todo.append((t.name, lang, opts, mirror, work, key))
    _REGISTRY = reg
    t0 = time.time()
    if opts.num_proc > 1 and len(todo) > 1:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=opts.num_proc, mp_context=mp.get_context("fork")) as pool:
            for o in pool.map(_build_group, todo):
                outcomes.append(o)
                if progress:
                    progress(o)
    else:
        for args in todo:
            o = _build_group(args)
            outcomes.append(o)
            if progress:
                progress(o)
    gen_seconds = time.time() - t0

    outcomes.sort(key=lambda o: (o.task, o.lang))
    built = [o for o in outcomes if o.status in ("built", "resumed")]
    skipped = Counter()
    for o in built:
        skipped.update(o.stats["skipped"])
    missing = [o for o in outcomes if o.status == "missing-data"]
    if opts.strict and (skipped or missing):
        parts = [f"{sum(skipped.values())} skipped row(s) {dict(skipped)}"] if skipped else []
        if missing:
            parts.append(f"missing data for {len(missing)} group(s), e.g. {missing[0].message}")
        raise StdataError(f"--strict: {'; '.join(parts)}; corpus not written (partial work kept in {work})")
    if not built:
        raise StdataError("no (task, language) group has data: " + "; ".join(o.message for o in outcomes[:3]))

    splits = {}
    for split in ("train", "validation"):
        tables = [pq.read_table(work / f"{o.task}__{o.lang}.{split}.parquet") for o in built]
        splits[split] = pa.concat_tables(tables) if tables else table_from_rows([])
    manifest = _manifest(reg, opts, tasks, langs, outcomes, built, skipped, splits, mirror)
    manifest["run"] = {
        "command": " ".join(opts.command),
        "num_proc": opts.num_proc,
        "resumed_groups": sum(o.status == "resumed" for o in outcomes),
        "timings": {"generate_s": round(gen_seconds, 3), "total_s": None},
    }
    card = dataset_card(manifest)
    manifest["run"]["timings"]["total_s"] = round(time.time() - started, 3)
    manifest = write_corpus(out, splits, manifest, card)
    shutil.rmtree(work, ignore_errors=True)
    return manifest


def _manifest(reg, opts, tasks, langs, outcomes, built, skipped, splits, mirror) -> dict[str, Any]:
    templates = {}
    for t in tasks:
        templates[t.name] = {lang: {v.id: v.content_hash for v in ts.variants} for lang, ts in sorted(t.templates.items())}
    template_set_hash = "sha256:" + hashlib.sha256(json.dumps(templates, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "format_version": FORMAT_VERSION,
        "stdata_version": __version__,
        "seed": opts.seed,
        "options": {
            "langs": langs,
            "tasks": [t.name for t in tasks],
            "per_task_lang": opts.per_task_lang,
            "template_lang": opts.template_lang,
            "no_mt": opts.no_mt,
            "allow_upsample": opts.allow_upsample,
            "val_fraction": opts.val_fraction,
            "data": "mirror" if mirror else "hub",
        },
        "template_set_hash": template_set_hash,
        "templates": templates,
        "counts": {s: t.num_rows for s, t in splits.items()},
        "groups": {f"{o.task}/{o.lang}": {k: v for k, v in o.stats.items() if k != "key"} for o in built},
        "shortfalls": [
            {"task": o.task, "lang": o.lang, "wanted": o.stats["wanted"], "got": o.stats["total"], "source_rows": o.stats["source"]["rows"]}
            for o in built
            if o.stats["shortfall"] > 0
        ],
        "missing": [
            {"task": o.task, "lang": o.lang, "reason": o.status, "message": o.message}
            for o in outcomes
            if o.status in ("no-source", "missing-data")
        ],
        "skipped": dict(sorted(skipped.items())),
    }
