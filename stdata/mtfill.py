"""`stdata build --mt-fill ENGINE`: machine-translated rows for the cells real data leaves short.

Why: the paper fills the (task, language) cells that lack real data with machine translations of
the task's English rows. A cell takes its real rows first (statements.make_group); only the
statements still missing are made here, from English canonical rows translated through the same
engines, SQLite cache and segment checks as `stdata translate data` (translate.data.translate_records).

What is translated: the canonical rows' text fields and, for multiple choice, the choices (the
kind's `text_columns`). Labels are not: a classification label is a name whose words come from the
target language's templates, a multiple-choice label an index. Canonical rows, not raw records,
are translated, so nested source columns (`answers.text.0`) and label maps need no special case.
A task tagged `translation-pairs` keeps its English partner field and gets the other side as the
partner's machine translation (its English source's other side is not English).

Rules that keep the corpus honest:
  * Every MT row says so (`mt_engine` column; `group_id` `task/lang/mt:ROW`), and the manifest
    counts them per cell (GroupStats.mt).
  * A translated row stays in the split of the English row it came from, as the English cell
    splits it (same seeded stream), so no English example sits in one split while its
    translation sits in the other.
  * Rows are translated in growing rounds, only as many as the cell needs (real engines cost).
  * A failed engine call drops the cell's whole MT part: the cell is reported short with the
    reason, never half filled; a later `--resume` retries it (answers already given are cached).
    Output therefore depends only on the engine's answers, so a warm cache gives the same bytes.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import MtStats, SourceInfo
from .errors import StdataError
from .hashing import json_hash
from .registry import SOURCE_LANG, TaskEntry
from .schema import Variant
from .sources import SourceRows, load_rows, source_for
from .statements import GroupResult, assign_splits, group_rng, make_group
from .translate.cache import Cache
from .translate.data import ROW_COLUMN, translate_records
from .translate.engines import Engine, make_engine

MT_TAG = "translation-pairs"
SPLITS = ("validation", "train")


@dataclass
class EnglishRows:
    """A task's English canonical rows and, per split, their indices in the English cell's sampling order."""

    src: SourceRows
    splits: dict[str, list[int]]
    info: SourceInfo


@dataclass
class MtPart:
    """The machine-translated part of one cell: its statements (None when none were kept) and what it took."""

    result: GroupResult | None
    stats: MtStats
    translation: dict[str, int] = field(default_factory=dict)  # runner counters (cache hits differ per run: run block only)


def can_fill(task: TaskEntry, lang: str) -> bool:
    """Whether `--mt-fill` may add rows to this cell: not English itself, and the task has an English source."""
    return lang != SOURCE_LANG and source_for(task, SOURCE_LANG) is not None


@functools.lru_cache(maxsize=4)
def engine(spec: str) -> Engine:
    """One engine per spec and process (a local model loads once, not once per cell)."""
    return make_engine(spec)


_ENGLISH: dict[tuple, EnglishRows] = {}


def english_rows(task: TaskEntry, mirror: Path | None, seed: int, val_fraction: float) -> EnglishRows:
    """The task's English rows, split exactly as the English cell splits them (read once per process)."""
    key = (task.name, str(mirror), seed, val_fraction)
    if key not in _ENGLISH:
        src = load_rows(task, SOURCE_LANG, mirror)
        assert src is not None  # can_fill checked there is an English source
        splits = assign_splits(task, src, group_rng(seed, task.name, SOURCE_LANG), seed, val_fraction, Counter())
        found = source_for(task, SOURCE_LANG)
        info = SourceInfo(
            dataset=src.dataset,
            config=src.config,
            split=src.split,
            rows=len(src.rows),
            rows_hash=json_hash(src.rows),
            license=src.license,
            revision=found[0].revision if found else None,
        )
        _ENGLISH[key] = EnglishRows(src, splits, info)
    return _ENGLISH[key]


def _fields(task: TaskEntry) -> dict[str, str]:
    """Canonical field -> the English field whose translation fills it."""
    fields = list(task.spec.fields)
    partner = task.spec.partner_field
    if MT_TAG in task.spec.tags and partner:
        return {f: partner for f in fields if f != partner}
    return {f: f for f in fields}


def _flat(task: TaskEntry, row: dict[str, Any], fields: dict[str, str]) -> dict[str, str]:
    """The texts of a canonical row to translate, one column each (choices as `choices.K`)."""
    flat = {f: row[src] for f, src in fields.items()}
    if "choices" in task.kind.text_columns:
        flat.update({f"choices.{k}": c for k, c in enumerate(row["choices"])})
    return flat


def _refused(eng: Engine, texts: list[str]) -> bool:
    chars = eng.limits.chars
    return any((chars and len(t) > chars) or eng.refuse(t) for t in texts)


def fill(
    task: TaskEntry,
    lang: str,
    need: int,
    reason: str,
    spec: str,
    cache_path: Path | None,
    mirror: Path | None,
    variants: list[Variant],
    template_lang: str,
    seed: int,
    val_fraction: float,
    allow_upsample: bool,
) -> MtPart:
    """`need` statements (even) for (task, lang) from translated English rows, or as many as there are."""
    eng = engine(spec)
    try:
        english = english_rows(task, mirror, seed, val_fraction)
    except StdataError as e:  # the English source is unreadable (not in the mirror...): nothing to translate
        msg = " ".join(str(e).split())[:300]
        return MtPart(None, MtStats(engine=eng.name, reason=reason, error=f"English source unavailable: {msg}"))
    stats = MtStats(engine=eng.name, source=english.info, reason=reason)
    fields = _fields(task)
    translated: dict[int, dict[str, Any] | None] = {}  # English index -> translated canonical row (None: left out)
    counters: Counter = Counter()
    skipped: Counter = Counter()
    pairs = need // 2
    wanted = {"validation": round(pairs * val_fraction), "train": pairs - round(pairs * val_fraction)}
    taken = dict.fromkeys(SPLITS, 0)
    cache = Cache(cache_path) if cache_path else Cache()
    try:
        while True:
            for s in SPLITS:
                grow = max(2 * taken[s], math.ceil(wanted[s] * 1.25) + 8)
                taken[s] = min(len(english.splits[s]), grow)
            new = [i for s in SPLITS for i in english.splits[s][: taken[s]] if i not in translated]
            error = _translate(task, lang, new, english, fields, eng, cache, translated, counters, skipped)
            if error:
                stats.error = error
                stats.rows_translated = len(translated)
                return MtPart(None, stats, dict(counters))
            src, splits = _rows(task, lang, english, translated, taken, eng.name)
            res = make_group(task, src, variants, template_lang, need, seed, val_fraction, False, splits)
            exhausted = all(taken[s] == len(english.splits[s]) for s in SPLITS)
            if res.total == need or exhausted:
                break
        if res.total < need and allow_upsample:
            res = make_group(task, src, variants, template_lang, need, seed, val_fraction, True, splits)
    finally:
        cache.close()
    res.skipped.update(skipped)
    stats.statements = res.total
    stats.rows_translated = len(translated)
    stats.skipped = dict(sorted(res.skipped.items()))
    return MtPart(res if res.total else None, stats, dict(counters))


def _translate(
    task: TaskEntry,
    lang: str,
    indices: list[int],
    english: EnglishRows,
    fields: dict[str, str],
    eng: Engine,
    cache: Cache,
    translated: dict[int, dict[str, Any] | None],
    counters: Counter,
    skipped: Counter,
) -> str | None:
    """Translate the English rows `indices` into `lang`, into `translated`; the error that voids the MT part, or None."""
    records, order = [], []
    for i in indices:
        flat = _flat(task, english.src.rows[i], fields)
        if _refused(eng, list(flat.values())):
            skipped["too long for the engine"] += 1
            translated[i] = None
            continue
        records.append(flat)
        order.append(i)
    if not records:
        return None
    cols = list(records[0])
    done = translate_records(records, cols, SOURCE_LANG, [lang], eng, cache)
    counters.update({k: v for k, v in done.stats.as_dict().items() if v})
    if done.fatal or done.failures:
        first = done.failures[0]["reason"] if done.failures else ""
        return f"engine {eng.name!r} failed: {done.fatal or first} ({len(done.failures)} text(s) got no translation)"
    got = {rec[ROW_COLUMN]: rec for rec in done.rows[lang]}
    for k, i in enumerate(order):
        rec = got.get(k)
        if rec is None:  # an empty or unusable translation: the row is left out, counted
            skipped["unusable translation"] += 1
            translated[i] = None
            continue
        row = dict(english.src.rows[i])
        for f in fields:
            row[f] = rec[f]
        if "choices" in task.kind.text_columns:
            row["choices"] = [rec[f"choices.{j}"] for j in range(len(row["choices"]))]
        translated[i] = row
    return None


def _rows(
    task: TaskEntry, lang: str, english: EnglishRows, translated: dict[int, dict[str, Any] | None], taken: dict[str, int], engine_name: str
) -> tuple[SourceRows, dict[str, list[int]]]:
    """The translated rows as a cell's source rows, with each one's split fixed by its English row."""
    rows: list[dict[str, Any]] = []
    ids: list[int] = []
    splits: dict[str, list[int]] = {}
    for s in SPLITS:
        splits[s] = []
        for i in english.splits[s][: taken[s]]:
            row = translated.get(i)
            if row is None:
                continue
            splits[s].append(len(rows))
            rows.append(row)
            ids.append(english.src.row_ids[i])
    e = english.src
    src = SourceRows(task.name, lang, e.dataset, e.config, e.split, rows, ids, Counter(), "", e.license, mt_engine=engine_name)
    return src, splits
