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
import socket
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from . import __version__
from .audit import AuditReport
from .errors import StdataError, UsageError
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
#: `format` of every manifest stdata writes: with a fingerprint that checks out, the proof that a
#: folder is a corpus stdata wrote -- the only kind of folder `build --out` replaces.
CORPUS_FORMAT = "stdata-corpus"
#: The owner file of a folder stdata is writing (`.<out>.writing-<pid>`, `.<out>.partial`): which
#: process on which host, so a later build removes it only when that process is gone.
OWNER_FILE = ".stdata-owner.json"
#: The task x language heatmap a build or balance writes beside the card (coverage_plot.py draws it).
COVERAGE_PNG = "coverage.png"

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
    "mt_engine": pa.string(),  # the engine that machine-translated the source row (build --mt-fill); "" for real rows
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


class MtStats(Record):
    """The machine-translated part of one (task, language) group (build --mt-fill)."""

    engine: str  # provenance `mt:<engine>`; the rows' `mt_engine` column
    source: SourceInfo | None = None  # the English rows translated
    reason: str = ""  # why the group needed them (no source, not in the mirror, too few real rows)
    statements: int = 0  # statements made from translated rows (half true, half false)
    rows_translated: int = 0  # English rows sent through the engine (or answered from its cache) for this group
    skipped: dict[str, int] = Field(default_factory=dict)  # reason -> translated rows not used
    error: str | None = None  # the engine failed: no translated row was kept (the group is short)


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
    mt: MtStats | None = None  # machine-translated statements among `total` (build --mt-fill)


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
    translation: dict[str, int] = Field(default_factory=dict)  # --mt-fill engine counters (cache hits differ per run)


class LangMismatch(Record):
    """How many statements of one language wrap its text in another language's template (English fallback)."""

    statements: int
    mismatched: int
    share: float  # mismatched / statements


class Lineage(Record):
    """One input of `stdata balance`: which corpus, which build of it, and how much of it was used."""

    corpus: str  # the folder or hub id as given
    fingerprint: str | None = None  # its manifest's fingerprint (None: a corpus without manifest)
    manifest_hash: str | None = None  # hash of its whole manifest
    manifest_file: str | None = None  # the copy of its manifest kept in the output folder
    stdata_version: str | None = None
    seed: int | None = None
    counts: dict[str, int] = Field(default_factory=dict)  # split -> statements it holds
    used: int = 0  # statements taken from it


class EvalOverlap(Record):
    """Statements that contain an evaluation task's text (`stdata balance`'s contamination check)."""

    langs_checked: list[str] = Field(default_factory=list)
    not_checked: list[str] = Field(default_factory=list)  # languages whose rows could not be read, with why
    eval_texts: int = 0  # distinct texts (fields and choices) compared
    exact: int = 0  # statements containing one of them verbatim
    normalized: int = 0  # statements containing one of them after normalisation (case, width, punctuation, spaces)
    examples: list[dict[str, str]] = Field(default_factory=list)


#: Manifest keys written only when set, so corpora without them keep their fingerprint.
OPTIONAL_KEYS = ("note", "lineage", "eval_overlap", "format", "audit")
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
    template_mismatch: dict[str, LangMismatch] = Field(default_factory=dict)  # lang (and "all") -> template language != data language
    lineage: list[Lineage] | None = None  # `stdata balance`: the input corpora
    eval_overlap: dict[str, EvalOverlap] | None = None  # `stdata balance`: eval task -> statements containing its text
    format: str | None = None  # CORPUS_FORMAT in every corpus written since it was introduced (absent before)
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


def hf_schema_metadata() -> dict[bytes, bytes]:
    """The arrow schema metadata `datasets` reads features from: a shard loaded alone keeps `label` as ClassLabel."""
    return {b"huggingface": json.dumps({"info": {"features": features().to_dict()}}, sort_keys=True).encode()}


def fingerprint_of(manifest: Manifest, shard_hashes: dict[str, str]) -> str:
    return json_hash({"manifest": manifest.content(), "shards": shard_hashes}, length=None)


# -- which folders stdata may replace or remove -----------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _write_owner(folder: Path) -> None:
    """Mark `folder` as being written by this process (read back by `_owner_gone`)."""
    owner = {"format": CORPUS_FORMAT, "pid": os.getpid(), "host": socket.gethostname()}
    (folder / OWNER_FILE).write_text(json.dumps(owner) + "\n")


def _owner(folder: Path) -> dict[str, Any] | None:
    try:
        owner = json.loads((folder / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(owner, dict) or owner.get("format") != CORPUS_FORMAT or not isinstance(owner.get("pid"), int):
        return None
    return owner


def _owner_gone(owner: dict[str, Any]) -> bool:
    """Whether the process that marked a folder has ended (only decidable on its own host)."""
    return owner.get("host") == socket.gethostname() and owner["pid"] != os.getpid() and not _pid_alive(owner["pid"])


def not_ours(path: Path) -> str | None:
    """Why `path` cannot be proven a corpus stdata wrote, or None when it can.

    Proof: a manifest.json of format CORPUS_FORMAT (or a format-1 manifest from before the marker)
    whose fingerprint matches its content, and nothing in the folder that the build did not write
    (a file of the user's in there would be lost with the old corpus). Beside the card, a build and
    a balance write the coverage picture, and a balance its inputs' manifests (`lineage/`, each
    named in the manifest's `lineage`).
    """
    try:
        manifest = read_manifest(path)
    except StdataError as e:
        return str(e)
    if manifest.format not in (CORPUS_FORMAT, None) or manifest.format_version != FORMAT_VERSION:
        return f"its manifest is not a stdata corpus manifest (format {manifest.format!r}, version {manifest.format_version})"
    if not manifest.fingerprint or fingerprint_of(manifest, manifest.shards) != manifest.fingerprint:
        return "its manifest.json does not match its own fingerprint (not written by stdata, or edited)"
    splits = set(SPLITS) | set(manifest.counts)
    shard_names = {Path(name).name for name in manifest.shards}
    lineage = {x.manifest_file for x in manifest.lineage or [] if x.manifest_file}
    for entry in path.iterdir():
        name = entry.name
        if name in (MANIFEST, CARD, COVERAGE_PNG, "dataset_dict.json") and entry.is_file() and not entry.is_symlink():
            continue
        if name == "lineage" and lineage and entry.is_dir() and not entry.is_symlink():
            extra = sorted(f.name for f in entry.iterdir() if f"lineage/{f.name}" not in lineage or not f.is_file() or f.is_symlink())
            if extra:
                return f"lineage/ holds files the balance did not write: {', '.join(extra[:3])}"
            continue
        if name == "data" and entry.is_dir() and not entry.is_symlink():
            extra = sorted(f.name for f in entry.iterdir() if f.name not in shard_names or not f.is_file() or f.is_symlink())
            if extra:
                return f"data/ holds files the build did not write: {', '.join(extra[:3])}"
            continue
        if name in splits and entry.is_dir() and not entry.is_symlink():
            extra = sorted(f.name for f in entry.iterdir() if not (f.is_file() and f.suffix in (".arrow", ".json")) or f.is_symlink())
            if extra:
                return f"{name}/ holds files the build did not write: {', '.join(extra[:3])}"
            continue
        return f"it holds {name!r}, which the build did not write"
    return None


def check_out(out: str | Path) -> Path:
    """The absolute corpus folder to write, refused now (before any work) if writing it could lose data.

    `out` may be missing, an empty folder, or a corpus stdata wrote; a file, a symbolic link, a
    filesystem root or any other folder is refused with one line. Leftovers of killed runs next to
    it (`.<out>.writing-<pid>`, `.<out>.old-<pid>`) are removed when provably ours and their process is gone.
    """
    out = Path(os.path.abspath(Path(out).expanduser()))
    if out.parent == out or not out.name:
        raise UsageError(f"--out {out} is a filesystem root; give a folder for the corpus")
    if out.is_symlink():
        raise UsageError(f"--out {out} is a symbolic link; give the folder itself")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the corpus")
    if out.is_dir() and any(out.iterdir()):
        why = not_ours(out)
        if why:
            raise StdataError(
                f"--out {out} exists and is not a corpus stdata wrote ({why}); refusing to replace it: "
                "choose another --out, or move it away yourself"
            )
    remove_stale(out)
    return out


def remove_stale(out: Path) -> list[Path]:
    """Remove `.<out>.writing-<pid>` and `.<out>.old-<pid>` left by killed runs, when provably ours; returns them."""
    removed: list[Path] = []
    if not out.parent.is_dir():
        return removed
    for entry in out.parent.iterdir():
        kind, _, pid = entry.name.removeprefix(f".{out.name}.").rpartition("-")
        if not entry.name.startswith(f".{out.name}.") or kind not in ("writing", "old") or not pid.isdigit():
            continue
        if entry.is_symlink() or not entry.is_dir() or int(pid) == os.getpid() or _pid_alive(int(pid)):
            continue
        owner = _owner(entry)
        if kind == "writing" and owner is not None:
            stale = _owner_gone(owner)
        else:  # a finished corpus: the stage killed just before its swap, or the previous corpus after it
            stale = not_ours(entry) is None and (kind == "writing" or out.is_dir())
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def claim_work_dir(out: Path, resume: bool) -> Path:
    """`.<out>.partial`, the build's folder of finished groups: kept for `--resume`, else emptied.

    Refused while another live build uses it, or when it is not a folder stdata made.
    """
    work = out.parent / f".{out.name}.partial"
    if work.is_symlink() or (work.exists() and not work.is_dir()):
        raise StdataError(f"{work} is in the way of the build's work folder and is not stdata's; move it away")
    if work.is_dir() and any(work.iterdir()):
        owner = _owner(work)
        if owner is None:
            raise StdataError(f"{work} exists and was not made by this version of stdata; move it away (or delete it) and build again")
        if owner["pid"] != os.getpid() and not _owner_gone(owner):
            raise StdataError(f"{work} is in use by another build (pid {owner['pid']} on {owner.get('host')}); wait for it to end")
        if not resume:
            shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    _write_owner(work)
    return work


def write_corpus(out: Path, splits: dict[str, pa.Table], manifest: Manifest, card: str, files: dict[str, bytes] | None = None) -> Manifest:
    """Write the corpus atomically to `out`; the previous corpus there stays intact until the swap.

    `files` (relative path -> bytes) are written beside the card: the coverage picture, input manifests.
    """
    datasets = quiet_datasets()

    out = check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.writing-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)  # our own pid: an earlier write of this process that failed
    (stage / "data").mkdir(parents=True)
    try:
        _write_owner(stage)
        shard_hashes: dict[str, str] = {}
        dd = {}
        for split, table in splits.items():
            n = max(1, -(-table.num_rows // SHARD_ROWS))
            for i in range(n):
                name = f"data/{split}-{i:05d}-of-{n:05d}.parquet"
                write_parquet(table.slice(i * SHARD_ROWS, SHARD_ROWS).replace_schema_metadata(hf_schema_metadata()), stage / name)
                shard_hashes[name] = file_hash(stage / name)
            fp = json_hash([split, shard_hashes], ensure_ascii=True, prefix=False)
            ds = datasets.Dataset(table, fingerprint=fp).cast(features())
            dd[split] = datasets.Dataset(ds.data.table, info=ds.info, fingerprint=fp)
        datasets.DatasetDict(dd).save_to_disk(str(stage))
        manifest = manifest.model_copy(update={"shards": shard_hashes, "format": CORPUS_FORMAT})
        manifest.fingerprint = fingerprint_of(manifest, shard_hashes)
        (stage / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2, sort_keys=False, ensure_ascii=False) + "\n")
        (stage / CARD).write_text(card)
        for name, data in (files or {}).items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_bytes(data)
        (stage / OWNER_FILE).unlink()  # from here on the stage proves itself by its manifest
        _swap_into_place(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return manifest


def _swap_into_place(stage: Path, out: Path) -> None:
    """Replace `out` by `stage` with renames only, so a crash leaves either the old or the new corpus."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists() or out.is_symlink():
        check_out(out)  # checked again right before the rename: it may have changed during the build
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
        try:
            if (p / "dataset_dict.json").exists():
                dd = _load_saved(p)
            elif (p / "data").is_dir():
                files = {s: sorted(str(f) for f in (p / "data").glob(f"{s}-*.parquet")) for s in SPLITS}
                dd = datasets.load_dataset("parquet", data_files={s: f for s, f in files.items() if f})
            else:
                raise StdataError(f"{p} holds no corpus (no dataset_dict.json or data/*.parquet)")
        except StdataError:
            raise
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as e:  # damaged files, not a bug
            raise StdataError(f"cannot read corpus {p}: {type(e).__name__}: {' '.join(str(e).split())[:200]}") from None
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


def _load_saved(p: Path):
    """`load_from_disk`, except that a split with no rows (a tiny --per-task-lang, --val-fraction 0) is
    read as an empty split: `save_to_disk` writes no arrow file for it, which `load_from_disk` cannot read."""
    datasets = quiet_datasets()

    splits = json.loads((p / "dataset_dict.json").read_text())["splits"]
    out = {}
    for split in splits:
        state = json.loads((p / split / "state.json").read_text())
        if state.get("_data_files"):
            out[split] = datasets.load_from_disk(str(p / split))
        else:
            saved = datasets.DatasetInfo.from_directory(str(p / split)).features
            feats = features() if not saved or set(saved) == set(COLUMNS) else saved  # the corpus format's types
            out[split] = datasets.Dataset.from_dict({name: [] for name in feats}, features=feats)
    return datasets.DatasetDict(out)


def manifest_hash(path: str | Path) -> str | None:
    """The corpus fingerprint recorded in its manifest (None for corpora without one, e.g. hub ids)."""
    p = Path(path)
    if (p / MANIFEST).exists():
        return read_manifest(p).fingerprint
    return None
