"""The statement corpus on disk: its columns, manifest and dataset card. Build writes it; train and stats read it.

Layout of a corpus directory:
    dataset_dict.json, train/, validation/   `DatasetDict.save_to_disk` (load with `load_corpus`)
    data/<split>-0000i-of-0000n.parquet        the same rows as parquet shards (hub-ready)
    manifest.json                              what was built, from what, and how (see docs/corpus.md)
    README.md                                  dataset card with hub metadata

Everything except the `run` block of the manifest (timings, command line, host) is a pure function
of the inputs and the seed, so two builds give byte-identical parquet and an identical `fingerprint`.
Writes are atomic: the corpus is assembled in a sibling folder and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from . import __version__
from .audit import AuditReport
from .errors import StdataError
from .hashing import file_hash, json_hash
from .hf import quiet_datasets
from .records import Record

MANIFEST = "manifest.json"
CARD = "README.md"
SPLITS = ("train", "validation")
LABEL_NAMES = ("false", "true")
TRUE_INDEX = 1
FORMAT_VERSION = 1
SHARD_ROWS = 200_000

#: Column name -> arrow type. `label` is stored as int64 and typed ClassLabel(false, true) in `features()`.
COLUMNS: dict[str, pa.DataType] = {
    "statement": pa.string(),
    "label": pa.int64(),
    "task": pa.string(),
    "lang": pa.string(),
    "template_id": pa.string(),
    "template_lang": pa.string(),
    "candidate": pa.string(),  # the label name, choice index or "partner" this statement states
    "source_dataset": pa.string(),
    "source_config": pa.string(),
    "source_split": pa.string(),
    "source_row": pa.int64(),  # row index in the source split
    "negative_source_row": pa.int64(),  # pair tasks: the row the mismatched partner came from; else -1
    "group_id": pa.string(),  # ties all statements of one source example together
    "upsampled": pa.bool_(),  # a repeated row (only with --allow-upsample)
}
REQUIRED = ("statement", "label", "task", "lang")


# -- the manifest ----------------------------------------------------------------------------------


class SourceInfo(Record):
    """Where one (task, language) group's rows came from."""

    dataset: str
    config: str
    split: str
    rows: int  # usable canonical rows
    rows_hash: str  # hash of the canonical rows: the statements depend on nothing else from the source
    license: str
    revision: str | None = None


class GroupStats(Record):
    """What one (task, language) group of a build holds."""

    source: SourceInfo
    template_lang: str  # the language of the templates used (native, or en as the fallback)
    counts: dict[str, dict[str, int]]  # split -> true/false -> statements
    total: int
    wanted: int
    shortfall: int
    skipped: dict[str, int]  # reason -> source rows
    variants: dict[str, int]  # template id -> statements
    upsampled: int


class Shortfall(Record):
    task: str
    lang: str
    wanted: int
    got: int
    source_rows: int


class MissingGroup(Record):
    task: str
    lang: str
    reason: str  # no-source | missing-data
    message: str


class BuildRun(Record):
    """How the build ran: left out of the fingerprint, since it differs between identical builds."""

    command: str
    num_proc: int
    resumed_groups: int
    timings: dict[str, float | None]


#: Manifest keys written only when set, so corpora without them keep their fingerprint.
OPTIONAL_KEYS = ("note", "audit")
#: Manifest keys the fingerprint does not cover: how the build ran, and what the audit found (derived
#: from the content, and free to change when the audit's rules do).
UNFINGERPRINTED = ("run", "fingerprint", "audit")


class Manifest(Record):
    """manifest.json: what a corpus was built from and what it holds (docs/building.md)."""

    format_version: int = FORMAT_VERSION
    stdata_version: str = __version__
    seed: int | None = None
    options: dict[str, Any] = Field(
        default_factory=dict
    )  # the build options that shape the content (langs, tasks, sizes, template language)
    template_set_hash: str | None = None  # hash of every variant of the built tasks in every language
    templates: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)  # task -> lang -> variant id -> content hash
    counts: dict[str, int] = Field(default_factory=dict)  # split -> statements
    groups: dict[str, GroupStats] = Field(default_factory=dict)  # "task/lang" -> what it holds
    shortfalls: list[Shortfall] = Field(default_factory=list)
    missing: list[MissingGroup] = Field(default_factory=list)
    skipped: dict[str, int] = Field(default_factory=dict)
    note: str | None = None  # free text for corpora derived by hand (benchmarks)
    run: BuildRun | None = None
    shards: dict[str, str] = Field(default_factory=dict)  # data/<file>.parquet -> sha256
    fingerprint: str | None = None  # over everything but `run` and `audit`: equal inputs and seed, equal fingerprint
    audit: AuditReport | None = None  # the shortcut audit of the statements (stdata/audit.py), run by build

    def to_dict(self) -> dict[str, Any]:
        """As written to manifest.json; optional fields added after format 1 appear only when set."""
        d = super().to_dict()
        for key in OPTIONAL_KEYS:
            if d.get(key) is None:
                d.pop(key, None)
        return d

    def content(self) -> dict[str, Any]:
        """What the fingerprint covers."""
        return {k: v for k, v in self.to_dict().items() if k not in UNFINGERPRINTED}


def features():
    import datasets

    feats = {name: datasets.Value(str(t)) for name, t in COLUMNS.items()}
    feats["label"] = datasets.ClassLabel(names=list(LABEL_NAMES))
    feats["upsampled"] = datasets.Value("bool")
    return datasets.Features(feats)


def arrow_schema() -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in COLUMNS.items()])


def table_from_rows(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema())


def write_parquet(table: pa.Table, path: Path) -> None:
    """Deterministic parquet: fixed compression, no write timestamps, stable row groups."""
    pq.write_table(table, path, compression="zstd", row_group_size=50_000, write_statistics=True)


def fingerprint_of(manifest: Manifest, shard_hashes: dict[str, str]) -> str:
    return json_hash({"manifest": manifest.content(), "shards": shard_hashes}, length=None)


def write_corpus(out: Path, splits: dict[str, pa.Table], manifest: Manifest, card: str) -> Manifest:
    """Write the corpus atomically to `out`; the previous corpus there stays intact until the swap."""
    datasets = quiet_datasets()

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.writing-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "data").mkdir(parents=True)
    try:
        shard_hashes: dict[str, str] = {}
        dd = {}
        for split, table in splits.items():
            n = max(1, -(-table.num_rows // SHARD_ROWS))
            for i in range(n):
                name = f"data/{split}-{i:05d}-of-{n:05d}.parquet"
                write_parquet(table.slice(i * SHARD_ROWS, SHARD_ROWS), stage / name)
                shard_hashes[name] = file_hash(stage / name)
            fp = json_hash([split, shard_hashes], ensure_ascii=True, prefix=False)
            ds = datasets.Dataset(table, fingerprint=fp).cast(features())
            dd[split] = datasets.Dataset(ds.data.table, info=ds.info, fingerprint=fp)
        datasets.DatasetDict(dd).save_to_disk(str(stage))
        manifest = manifest.model_copy(update={"shards": shard_hashes})
        manifest.fingerprint = fingerprint_of(manifest, shard_hashes)
        (stage / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2, sort_keys=False, ensure_ascii=False) + "\n")
        (stage / CARD).write_text(card)
        _swap_into_place(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return manifest


def _swap_into_place(stage: Path, out: Path) -> None:
    """Replace `out` by `stage` with renames only, so a crash leaves either the old or the new corpus."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        if not (out / MANIFEST).exists() and any(out.iterdir()):
            raise StdataError(f"{out} exists and is not a stdata corpus; refusing to replace it")
        os.rename(out, old)
    os.rename(stage, out)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(path: Path) -> Manifest:
    path = Path(path)
    mf = path / MANIFEST
    if not mf.exists():
        raise StdataError(f"{path} is not a stdata corpus (no {MANIFEST})")
    try:
        data = json.loads(mf.read_text())
    except json.JSONDecodeError as e:
        raise StdataError(f"{mf}: broken JSON at line {e.lineno}: {e.msg}") from None
    return Manifest.from_dict(data, str(mf))


def load_corpus(path: str | Path):
    """A corpus as a `DatasetDict`: a corpus directory (save_to_disk or parquet shards) or a hub id."""
    datasets = quiet_datasets()

    p = Path(path)
    if p.is_dir():
        if (p / "dataset_dict.json").exists():
            dd = datasets.load_from_disk(str(p))
        elif (p / "data").is_dir():
            files = {s: sorted(str(f) for f in (p / "data").glob(f"{s}-*.parquet")) for s in SPLITS}
            dd = datasets.load_dataset("parquet", data_files={s: f for s, f in files.items() if f})
        else:
            raise StdataError(f"{p} holds no corpus (no dataset_dict.json or data/*.parquet)")
    elif p.exists():
        raise StdataError(f"{p} is a file; give a corpus directory or a hub dataset id")
    else:
        try:
            dd = datasets.load_dataset(str(path))
        except Exception as e:
            raise StdataError(f"cannot load corpus {path!r}: {' '.join(str(e).split())[:200]}") from None
    if isinstance(dd, datasets.Dataset):
        dd = datasets.DatasetDict({"train": dd})
    for split, ds in dd.items():
        missing = [c for c in REQUIRED if c not in ds.column_names]
        if missing:
            raise StdataError(f"corpus {path} split {split!r} lacks column(s) {missing}")
    return dd


def manifest_hash(path: str | Path) -> str | None:
    """The corpus fingerprint recorded in its manifest (None for corpora without one, e.g. hub ids)."""
    p = Path(path)
    if (p / MANIFEST).exists():
        return read_manifest(p).fingerprint
    return None
