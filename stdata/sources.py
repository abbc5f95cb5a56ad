"""Read a task's source rows for one language and turn them into canonical rows.

Rows come through `datasets`: the hub id by default, or a local mirror in hub layout
(`DIR/<org>/<name>`) from `--data-dir` / `$STDATA_DATA_DIR`. There is no silent fallback from
one to the other. `stdata eval --source` (a `SourceOverride`) reads a task from another dataset
or folder with the same columns. Canonical rows have the task's fields (plus `label`, `choices`); rows that
cannot be used are skipped and counted per reason, never dropped silently.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .alignment import align_columns, align_keys
from .errors import StdataError, UsageError
from .hashing import file_hash
from .hf import quiet_datasets
from .model import looks_like_path
from .preprocess import pipeline
from .registry import TaskEntry
from .schema import Source, TaskSpec

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
    data_path: str | None = None  # the folder the rows were read from (a mirror's or --source's), resolved; None: the hub
    revision: str | None = None  # the hub revision asked for (None: the hub's current main)
    override: str | None = None  # the --source that chose this dataset, when one did
    #: per row, the key of the example it translates (sources with `align:`), else None
    align_keys: list[str] | None = None
    #: the labels this source can assert (the kind's `source_labels`: classification names), None if not known
    labels: list[Any] | None = None
    #: labels the source asserts that yield no row: a `label_map` typo, a binary source without
    #: `labels:`, or filters that dropped a whole class (the build fails on them)
    empty_labels: list[str] = field(default_factory=list)
    mt_engine: str = ""  # rows machine-translated by this engine (build --mt-fill); "" for real rows


@dataclass(frozen=True)
class SourceOverride:
    """`--source TASK[:LANG]=DATASET[:CONFIG[:SPLIT]]`: read a task from another dataset with the task's columns.

    DATASET is a hub id (read through the mirror when one is given, like the registry's sources) or
    a folder (hub layout, or one config's files). Without LANG it replaces the dataset for every
    language of the task, each keeping its registry config unless CONFIG is given; with LANG, CONFIG
    defaults to the dataset's default config. SPLIT defaults to `--split`, then the registry's.
    """

    task: str
    lang: str | None
    dataset: str
    config: str | None
    split: str | None
    spec: str

    @property
    def folder(self) -> Path | None:
        """The folder DATASET names, when it is a path rather than a hub id."""
        p = Path(self.dataset).expanduser()
        return p.resolve() if p.exists() or looks_like_path(self.dataset) else None


def parse_override(spec: str) -> SourceOverride:
    """One `--source` value; a malformed one is a usage error naming it."""
    from . import languages

    left, eq, right = spec.partition("=")
    target, _, lang = left.strip().partition(":")
    parts = right.strip().split(":") if eq else []
    if not eq or not target or not parts or not parts[0] or len(parts) > 3:
        raise UsageError(f"--source {spec!r}: expected TASK[:LANG]=DATASET[:CONFIG[:SPLIT]], e.g. xcopa:en=super_glue:copa:validation")
    tag = languages.require(lang.strip()) if lang.strip() else None
    config, split = (parts + [""] * 3)[1:3]
    return SourceOverride(target.strip(), tag, parts[0], config or None, split or None, spec)


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


def dataset_folder(mirror: Path, dataset: str) -> Path:
    """`<mirror>/<org>/<name>`, resolved; refused if it lands outside the mirror (`..`, a symbolic link out of it).

    `dataset` comes from a task.yaml, i.e. from a pull request: it must never read files beside the mirror.
    """
    root = mirror.resolve()
    path = (mirror / dataset).resolve()
    if not path.is_relative_to(root) or path == root:
        raise StdataError(f"source dataset {dataset!r} resolves outside the mirror (--data-dir); sources are hub ids org/name")
    return path


def location(dataset: str, mirror: Path | None, override: SourceOverride | None = None) -> Path | None:
    """The folder `dataset` is read from (a `--source` folder, or the mirror's copy), or None for the hub.

    A `--source` folder is the user's explicit choice and is read where it is; a mirror's dataset
    must stay inside the mirror (`dataset_folder`).
    """
    if override is not None and override.folder is not None:
        if not override.folder.is_dir():
            raise MissingData(f"--source {override.spec!r}: {override.folder} is not a folder")
        return override.folder
    if mirror is None:
        return None
    path = dataset_folder(mirror, dataset)
    if not path.is_dir():
        raise MissingData(
            f"{dataset} is not in the mirror (--data-dir/{DATA_DIR_ENV}); add it with "
            f"`stdata sources download`, or build without --data-dir/{DATA_DIR_ENV} to use the hub"
        )
    return path


def _local_files(builder: Any, root: Path | None, dataset: str) -> list[Path]:
    """The files a local config reads; with `root` (a mirror), each checked to lie inside it (its README may point anywhere)."""
    files = []
    for pattern_files in (builder.config.data_files or {}).values():
        for f in pattern_files:
            p = Path(str(f)).resolve()
            if root is not None and not p.is_relative_to(root):
                raise StdataError(
                    f"{dataset}: the mirror's card points at a data file outside the mirror (--data-dir); refusing to read it"
                )
            files.append(p)
    return sorted(set(files))


def _content_key(folder: Path, files: list[Path]) -> str:
    """Hash of the dataset card and of every data file's bytes, by their place in the dataset folder.

    It names the datasets cache of a local config (a mirror's or a `--source` folder's): datasets
    itself keys local files by mtime only, so a file edited in place (or a second mirror holding a
    dataset of the same name) would be served from a stale cache. The same bytes under any path
    give the same key.
    """
    h = hashlib.sha256()
    for f in [folder / "README.md", *files]:
        if f.is_file():
            h.update(str(f.relative_to(folder) if f.is_relative_to(folder) else f.name).encode() + b"\0")
            h.update(file_hash(f).encode() + b"\0")
    return h.hexdigest()[:32]


def _path_free(text: str, mirror: Path) -> str:
    """`text` with the mirror's location replaced: messages land in manifests, whose fingerprint must not depend on it."""
    for spelling in sorted({str(mirror.resolve()), str(mirror.absolute()), str(mirror)}, key=len, reverse=True):
        text = text.replace(spelling, "<data-dir>")
    return text


def load_source(src: Source, config: str | None, split: str, mirror: Path | None, override: SourceOverride | None = None):
    """One config/split as a `datasets.Dataset`, with the fingerprint of what was read (content hash
    for a local folder), and a clear error when it is not there.

    `override` (a `--source`) replaces the registry's dataset; the registry source still gives the columns.
    """
    datasets = quiet_datasets()
    dataset = override.dataset if override is not None else src.dataset
    folder = location(dataset, mirror, override)
    own_folder = override is not None and override.folder is not None
    mirror_root = mirror.resolve() if mirror is not None and not own_folder else None
    try:
        if folder is None:
            revision = src.revision if override is None else None
            ds = datasets.load_dataset(dataset, config, split=split, revision=revision)
            return ds, ds._fingerprint
        builder = datasets.load_dataset_builder(str(folder), config)
        key = _content_key(folder, _local_files(builder, mirror_root, dataset))
        cache = Path(datasets.config.HF_DATASETS_CACHE) / "stdata-mirror" / key
        return datasets.load_dataset(str(folder), config, split=split, cache_dir=str(cache)), key
    except StdataError:
        raise
    except Exception as e:
        reason = " ".join(str(e).split())[:200]
        if mirror_root is not None and mirror is not None:
            reason = _path_free(reason, mirror)
            raise MissingData(f"cannot load {dataset} config {config!r} split {split!r} from the mirror: {reason}") from None
        if folder is not None:
            raise MissingData(f"cannot load {dataset} config {config!r} split {split!r} from {folder}: {reason}") from None
        raise StdataError(
            f"cannot load {dataset} config {config!r} split {split!r} from the hub: {reason}; "
            f"pass --data-dir DIR (or set {DATA_DIR_ENV}) with a local mirror"
        ) from None


def load_split(src: Source, config: str | None, split: str, mirror: Path | None, override: SourceOverride | None = None):
    """Load one config/split as a `datasets.Dataset`, with a clear error when it is not there."""
    return load_source(src, config, split, mirror, override)[0]


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


def raw_label_values(src: Source, config: str, mirror: Path | None) -> list[str]:
    """The raw label values of one config as `label_map` keys see them: a ClassLabel's names (read
    from the features), else every distinct value of the label column, as text."""
    ref = src.columns.get("label")
    if not isinstance(ref, str):
        return []
    ds = load_split(src, config, src.split, mirror)
    top = ref.split(".")[0]
    if top not in ds.column_names:
        raise StdataError(f"{src.dataset} config {config!r} has no column {top!r} (has {ds.column_names})")
    if ref == top and hasattr(ds.features[top], "names"):
        return list(ds.features[top].names)
    values = {get_path(r, ref) for r in ds.select_columns([top]).to_list()}
    return sorted({str(v) for v in values if v is not None and not (type(v) is int and v < 0)})  # -1: unlabelled


def canonical_rows(task: TaskEntry, src: Source, records: list[dict], label_names: dict[str, list[str]]):
    """Map source records to canonical rows; returns (rows, source indices, skip counts).

    Text fields are read here; the kind reads its own columns (label, choices). `label_names`
    gives ClassLabel names per column so raw ints are read as names. The source's `preprocess`
    steps then clean every text, and its `filters` drop rows, each with its reason counted.
    """
    spec, kind = task.spec, task.kind
    clean = pipeline(src.preprocess)
    keep = _RowFilter(spec, src)
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
        if reason is None and clean is not None:
            reason = _clean_row(row, spec.fields, kind.text_columns, clean)
        if reason is None:
            reason = keep.reason(row)
        if reason is not None:
            skipped[reason] += 1
            continue
        rows.append(row)
        ids.append(idx)
    return rows, ids, skipped


def _clean_row(row: dict[str, Any], fields: list[str], text_columns: tuple[str, ...], clean) -> str | None:
    """Apply the preprocess steps to the row's texts in place; the reason to skip it when one becomes empty."""
    for f in fields:
        row[f] = clean(row[f]).strip()
        if not row[f]:
            return f"empty {f} after preprocess"
    for col in text_columns:
        row[col] = [clean(c).strip() for c in row[col]]
        if not all(row[col]):
            return f"empty {col} after preprocess"
    return None


class _RowFilter:
    """A source's `filters:` over canonical rows, in source order (the first of duplicates is kept)."""

    def __init__(self, spec: TaskSpec, src: Source):
        f = src.filters
        self.min_words = f.min_words if f else None
        self.max_chars = f.max_chars if f else None
        self.fields = (f.fields if f else None) or spec.fields
        self.dedup = f.dedup if f else None
        self.seen: set[tuple[str, ...]] = set()

    def reason(self, row: dict[str, Any]) -> str | None:
        for f in self.fields:
            if self.min_words is not None and len(row[f].split()) < self.min_words:
                return f"filter: {f} under {self.min_words} words"
            if self.max_chars is not None and len(row[f]) > self.max_chars:
                return f"filter: {f} over {self.max_chars} characters"
        if self.dedup:
            key = tuple(row[f] for f in self.dedup)
            if key in self.seen:
                return f"filter: duplicate {'+'.join(self.dedup)}"
            self.seen.add(key)
        return None


def load_rows(
    task: TaskEntry, lang: str, mirror: Path | None, split: str | None = None, override: SourceOverride | None = None
) -> SourceRows | None:
    """Canonical rows of `task` in `lang`, or None when no source has that language.

    With `override` (a `--source`) the rows come from its dataset, read with the columns of the
    task's source for `lang` (its first source where none has `lang`).
    """
    found = source_for(task, lang)
    if override is not None and task.spec.sources:
        src = found[0] if found else task.spec.sources[0]
        config: str | None = override.config or (found[1] if found and override.lang is None else None)
        split = override.split or split or src.split
        dataset = override.dataset
    elif found is None:
        return None
    else:
        src, config = found
        split = split or src.split
        dataset = src.dataset
    ds, fingerprint = load_source(src, config, split, mirror, override)
    needed = _top_columns(src)
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        fix = f"--source {override.spec!r} needs a dataset with them" if override else f"fix task {task.name!r} sources"
        raise StdataError(f"{dataset} config {config!r} has no column(s) {missing} (has {ds.column_names}); {fix}")
    label_names = {}
    for col in needed:
        feat = ds.features[col]
        if hasattr(feat, "names") and not (override and src.label_map and not set(feat.names) & set(src.label_map)):
            label_names[col] = list(feat.names)  # else: a --source dataset's own label names, unknown to the task: read the index
    records = ds.select_columns(needed).to_list()
    rows, ids, skipped = canonical_rows(task, src, records, label_names)
    folder = location(dataset, mirror, override)
    return SourceRows(
        task.name, lang, dataset, config or ds.info.config_name or "default", split, rows, ids, skipped, fingerprint,
        src.license if override is None else "", str(folder.resolve()) if folder else None,
        src.revision if folder is None and override is None else None, override.spec if override else None,
        align_keys=align_keys(src, records, ids), labels=task.kind.source_labels(task.spec, src),
        empty_labels=empty_labels(task, src, records, label_names, rows),
    )  # fmt: skip


def empty_labels(task: TaskEntry, src: Source, records: list[dict], label_names: dict[str, list[str]], rows: list[dict]) -> list[str]:
    """The labels `src` asserts (`TaskKind.source_labels`) that none of `rows` has, except those its
    ClassLabel declares but no record carries: a small sample of MASSIVE's 60 intents is still a
    sound source, while a label no raw value maps to, or whose every row was dropped, is not."""
    expected = task.kind.source_labels(task.spec, src)
    if not expected:
        return []
    got = {row["label"] for row in rows}
    missing = [lab for lab in expected if lab not in got]
    ref = src.columns.get("label")
    names = label_names.get(ref) if isinstance(ref, str) else None
    if not missing or names is None:
        return [str(lab) for lab in missing]
    canonical = task.kind.canonical_label
    declared = {canonical(task.spec, src, name) for name in names}
    carried = {canonical(task.spec, src, raw_label(src, rec, label_names)[0]) for rec in records}
    return [str(lab) for lab in missing if lab in carried or lab not in declared]


def _top_columns(src: Source) -> list[str]:
    """The source columns a task reads: its mapped columns and the align column(s)."""
    refs: list[str] = []
    for ref in src.columns.values():
        refs += ref if isinstance(ref, list) else [ref]
    refs += align_columns(src)
    return list(dict.fromkeys(r.split(".")[0] for r in refs))
