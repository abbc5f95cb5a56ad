"""Read a task's source rows for one language and turn them into canonical rows.

Rows come through `datasets`: the hub id by default, or a local mirror in hub layout
(`DIR/<org>/<name>`) from `--data-dir` / `$STDATA_DATA_DIR`. There is no silent fallback from
one to the other. Canonical rows have the task's fields (plus `label`, `choices`); rows that
cannot be used are skipped and counted per reason, never dropped silently.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StdataError
from .hf import quiet_datasets
from .registry import TaskEntry
from .schema import Source

DATA_DIR_ENV = "STDATA_DATA_DIR"


@dataclass
class SourceRows:
    """Canonical rows of one (task, language), with where they came from and what was skipped."""

    task: str
    lang: str
    dataset: str
    config: str
    split: str
    rows: list[dict[str, Any]]
    row_ids: list[int]  # index of each row in the source split
    skipped: Counter = field(default_factory=Counter)
    fingerprint: str = ""
    license: str = ""
    mt_engine: str = ""  # rows machine-translated by this engine (build --mt-fill); "" for real rows


class MissingData(StdataError):
    """A mirror lacks a dataset or config: reported per (task, language), fatal only with --strict."""


def data_dir(explicit: str | Path | None) -> Path | None:
    value = explicit or os.environ.get(DATA_DIR_ENV)
    return Path(value) if value else None


def source_for(task: TaskEntry, lang: str) -> tuple[Source, str] | None:
    """The first source that has `lang`, with that dataset's own config name for it."""
    for src in task.spec.sources:
        if lang in src.configs:
            return src, src.configs[lang]
    return None


def load_split(src: Source, config: str, split: str, mirror: Path | None):
    """Load one config/split as a `datasets.Dataset`, with a clear error when it is not there."""
    datasets = quiet_datasets()

    if mirror is not None:
        path = mirror / src.dataset
        if not path.is_dir():
            raise MissingData(
                f"{src.dataset} is not in the mirror {mirror} (looked for {path}); add it with "
                f"`stdata sources download`, or build without --data-dir/{DATA_DIR_ENV} to use the hub"
            )
        where = str(path)
    else:
        where = src.dataset
    try:
        return datasets.load_dataset(where, config, split=split, revision=src.revision if mirror is None else None)
    except Exception as e:
        reason = " ".join(str(e).split())[:200]
        if mirror is not None:
            raise MissingData(f"cannot load {src.dataset} config {config!r} split {split!r} from the mirror {mirror}: {reason}") from None
        raise StdataError(
            f"cannot load {src.dataset} config {config!r} split {split!r} from the hub: {reason}; "
            f"pass --data-dir DIR (or set {DATA_DIR_ENV}) with a local mirror"
        ) from None


def get_path(row: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path into structs and lists (`answers.text.0`), or None."""
    value: Any = row
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            return None
        if value is None:
            return None
    return value


def _text(row: Mapping[str, Any], ref: str | list[str]) -> Any:
    if isinstance(ref, list):
        parts = [get_path(row, r) for r in ref]
        if any(p is None or not isinstance(p, str) for p in parts):
            return None
        return " ".join(p.strip() for p in parts)
    return get_path(row, ref)


def raw_label(src: Source, record: Mapping[str, Any], label_names: dict[str, list[str]]) -> tuple[Any, str | None]:
    """The record's raw label (a ClassLabel index read as its name), or why it has none.

    SNLI-style unlabelled rows (-1) are "missing label": they never become a statement.
    """
    ref = src.columns.get("label")
    raw = get_path(record, ref) if isinstance(ref, str) else None
    if raw is None or (isinstance(raw, int) and raw < 0):
        return None, "missing label"
    names = label_names.get(ref) if isinstance(ref, str) else None
    if names is not None and isinstance(raw, int):
        raw = names[raw] if raw < len(names) else None
    return raw, None


def canonical_rows(task: TaskEntry, src: Source, records: list[dict], label_names: dict[str, list[str]]):
    """Map source records to canonical rows; returns (rows, source indices, skip counts).

    Text fields are read here; the kind reads its own columns (label, choices). `label_names`
    gives ClassLabel names per column so raw ints are read as names.
    """
    spec, kind = task.spec, task.kind
    rows, ids, skipped = [], [], Counter[str]()
    for idx, rec in enumerate(records):
        row: dict[str, Any] = {}
        reason = None
        for f in spec.fields:
            value = _text(rec, src.columns[f])
            if value is None:
                reason = f"missing {f}"
                break
            if not isinstance(value, str):
                value = str(value)
            value = value.strip()
            if not value:
                reason = f"empty {f}"
                break
            row[f] = value
        if reason is None:
            reason = kind.read_row(spec, src, rec, row, label_names)
        if reason is not None:
            skipped[reason] += 1
            continue
        rows.append(row)
        ids.append(idx)
    return rows, ids, skipped


def load_rows(task: TaskEntry, lang: str, mirror: Path | None, split: str | None = None) -> SourceRows | None:
    """Canonical rows of `task` in `lang`, or None when no source has that language."""
    found = source_for(task, lang)
    if found is None:
        return None
    src, config = found
    split = split or src.split
    ds = load_split(src, config, split, mirror)
    needed = _top_columns(src)
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        raise StdataError(
            f"{src.dataset} config {config!r} has no column(s) {missing} (has {ds.column_names}); fix task {task.name!r} sources"
        )
    label_names = {}
    for col in needed:
        feat = ds.features[col]
        if hasattr(feat, "names"):
            label_names[col] = list(feat.names)
    records = ds.select_columns(needed).to_list()
    rows, ids, skipped = canonical_rows(task, src, records, label_names)
    return SourceRows(task.name, lang, src.dataset, config, split, rows, ids, skipped, ds._fingerprint, src.license)


def _top_columns(src: Source) -> list[str]:
    refs: list[str] = []
    for ref in src.columns.values():
        refs += ref if isinstance(ref, list) else [ref]
    return list(dict.fromkeys(r.split(".")[0] for r in refs))
