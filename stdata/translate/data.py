"""`stdata translate data`: machine-translate a task's source rows into a hub-layout mirror.

Why: the paper's translated-data setting trains languages that lack data on machine-translated
rows. The output is a dataset like any other in a mirror (`DIR/<org>/<name>/<lang>/<split>-...`
plus README front matter, written by the mirror writer `stdata sources download` uses), with the
source's own column names and features (ClassLabel names kept) and provenance columns, so a task
only needs one more `sources` entry pointing at it (`source_entry` in the summary;
docs/translation.md). Rows whose text could not be translated are left out and counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import languages
from ..atomic import replacing
from ..errors import StdataError, UsageError
from ..hf import quiet_datasets
from ..kinds import TaskKind
from ..mirror import write_readme
from ..registry import Registry
from ..schema import Source
from ..sources import _top_columns, data_dir, load_split, source_for
from .cache import Cache
from .engines import Engine, make_engine
from .runner import Runner, Stats
from .segments import normalize

PROVENANCE_COLUMN = "mt_provenance"
ROW_COLUMN = "mt_source_row"
DEFAULT_ORG = "stdata-mt"


def text_columns(kind: TaskKind, fields: list[str], src: Source) -> list[str]:
    """The source columns holding the task's text (fields and, for multiple choice, the choices)."""
    refs: list[str] = []
    for f in [*fields, *kind.text_columns]:
        ref = src.columns.get(f, [])
        refs += ref if isinstance(ref, list) else [ref]
    nested = [r for r in refs if "." in r]
    if nested:
        raise UsageError(
            f"{src.dataset}: column(s) {nested} reach into a struct or list; translate data handles top-level "
            "text columns only (an answer span inside a translated context cannot be kept aligned)"
        )
    return list(dict.fromkeys(refs))


@dataclass
class TranslatedRows:
    """Source records translated into one language each: rows kept, and why the others were left out."""

    rows: dict[str, list[dict[str, Any]]]  # lang -> translated records (source order), with their source row index
    failures: list[dict[str, Any]] = field(default_factory=list)  # the engine gave no translation
    rejections: list[dict[str, Any]] = field(default_factory=list)  # a translation that cannot be used
    stats: Stats = field(default_factory=Stats)
    fatal: str | None = None


def translate_records(
    records: list[dict[str, Any]],
    cols: list[str],
    src_lang: str,
    targets: list[str],
    eng: Engine,
    cache: Cache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TranslatedRows:
    """Translate the text columns `cols` of `records` into each target; a row with any failed cell is left out whole.

    Every distinct text goes to the engine once (through the cache); a row keeps its index in
    `records` as ROW_COLUMN and the engine's provenance as PROVENANCE_COLUMN.
    """
    stats = Stats()
    requests = [(src_lang, lang, rec[c]) for lang in targets for rec in records for c in cols if isinstance(rec[c], str) and rec[c].strip()]
    own_cache = cache is None
    cache = cache or Cache()
    try:
        runner = Runner(eng, cache, stats, progress)
        answers = runner.translate(requests)
    finally:
        if own_cache:
            cache.close()
    out = TranslatedRows({lang: [] for lang in targets}, stats=stats, fatal=runner.fatal)
    provenance = f"mt:{eng.name}"
    for lang in targets:
        for i, rec in enumerate(records):
            new = _translated_row(rec, i, cols, answers, src_lang, lang, out)
            if new is not None:
                out.rows[lang].append({**new, PROVENANCE_COLUMN: provenance, ROW_COLUMN: i})
    return out


def _translated_row(rec: dict, i: int, cols: list[str], answers: dict, src_lang: str, lang: str, out: TranslatedRows) -> dict | None:
    new = dict(rec)
    for c in cols:
        value = rec[c]
        if not (isinstance(value, str) and value.strip()):
            continue  # left as it is; the build skips rows with empty fields
        ans = answers[(src_lang, lang, value)]
        where = {"lang": lang, "row": i, "column": c, "text": value[:200]}
        if ans.text is None:
            out.failures.append({**where, "reason": ans.error})
            out.stats.failed += 1  # the row is left out, counted once
            return None
        text = normalize(ans.text, value)
        if not text:
            out.rejections.append({**where, "translation": ans.text, "reason": "empty translation"})
            out.stats.rejected += 1
            return None
        new[c] = text
    return new


def translate_data(
    registry: Registry,
    task: str,
    to: str,
    out: Path,
    engine: str | Engine = "google",
    source_lang: str = "en",
    data: Path | str | None = None,
    split: str | None = None,
    limit: int | None = None,
    name: str | None = None,
    cache: Cache | None = None,
    progress: Callable[[int, int], None] | None = None,
    **limits: Any,
) -> dict[str, Any]:
    """Translate the text columns of `task`'s `source_lang` source into each language of `to`, as a hub-layout mirror."""
    reg = registry
    t = reg.task(task)
    src_lang = languages.require(source_lang, reg.languages())
    found = source_for(t, src_lang)
    if found is None:
        raise UsageError(f"task {task!r} has no source with language {src_lang!r} to translate from")
    src, config = found
    split = split or src.split
    # a union such as "train+validation+test" is read as one and written as one split, `train`
    out_split = split if re.fullmatch(r"[A-Za-z0-9_]+", split) else "train"
    targets = [x for x in languages.resolve(to, reg.languages()) if x != src_lang]
    if not targets:
        raise UsageError(f"--to names only {src_lang!r}, the language translated from")
    cols = text_columns(t.kind, list(t.spec.fields), src)
    out_name = name or f"{DEFAULT_ORG}/{src.dataset.split('/')[1]}"
    if out_name.count("/") != 1 or not all(out_name.split("/")):
        raise UsageError(f"--name {out_name!r} must be ORG/NAME")
    eng = make_engine(engine, **limits) if isinstance(engine, str) else engine
    eng.check(src_lang, targets)  # a missing key fails before any data is read
    mirror = data_dir(data)
    out = Path(out)
    if mirror is not None and (out / out_name).resolve() == (mirror / src.dataset).resolve():
        raise UsageError(f"--name {out_name} would overwrite the source dataset; pick another name")
    ds = _source_split(src, config, split, mirror, cols, limit)
    records = ds.to_list()
    done = translate_records(records, cols, src_lang, targets, eng, cache, progress)

    datasets = quiet_datasets()
    features = datasets.Features({**ds.features, PROVENANCE_COLUMN: datasets.Value("string"), ROW_COLUMN: datasets.Value("int64")})
    provenance = f"mt:{eng.name}"
    root_out = out / out_name
    written = []
    for lang in targets:
        if not done.rows[lang]:
            continue
        tds = datasets.Dataset.from_list(done.rows[lang], features=features)
        target = _write_config(tds, root_out, lang, out_split)
        entry = {
            "split": out_split,
            "rows": tds.num_rows,
            "bytes": tds.data.nbytes,
            "features": tds.info._to_yaml_dict().get("features", []),
        }
        origin = f"{out_name} (machine translation of {src.dataset} {config}/{split} by {provenance})"
        write_readme(root_out, origin, src.license, {lang: entry}, writer="stdata translate data")
        written.append({"lang": lang, "rows": tds.num_rows, "path": str(target)})
    shadowed = [x for x in targets if source_for(t, x) is not None]
    notes = [
        f"task {t.name!r} already has real rows for {', '.join(shadowed)}: a translated config is read only where no earlier source lists the language"
    ] * bool(shadowed)
    return {
        **done.stats.as_dict(),
        "engine": eng.name,
        "provenance": provenance,
        "task": t.name,
        "source": {"dataset": src.dataset, "config": config, "split": split, "rows": len(records)},
        "dataset": out_name,
        "out": str(root_out),
        "written": written,
        "fatal": done.fatal,
        "source_entry": source_entry(src, out_name, [w["lang"] for w in written], out_split, provenance, f"{config}/{split}"),
        "rejections": done.rejections,
        "failures": done.failures,
        "notes": notes,
    }


def _source_split(src: Source, config: str, split: str, mirror: Path | None, cols: list[str], limit: int | None):
    """The source split with only the columns the task reads, checked to hold text where it is translated."""
    ds = load_split(src, config, split, mirror)
    needed = _top_columns(src)
    missing = [c for c in needed if c not in ds.column_names]
    if missing:
        raise StdataError(f"{src.dataset} config {config!r} has no column(s) {missing} (has {ds.column_names})")
    not_text = [c for c in cols if getattr(ds.features[c], "dtype", None) not in ("string", "large_string")]
    if not_text:
        raise UsageError(f"{src.dataset}: column(s) {not_text} are not text, so they cannot be translated")
    if limit is not None:
        ds = ds.select(range(min(limit, ds.num_rows)))
    return ds.select_columns(needed)


def _write_config(tds: Any, root_out: Path, lang: str, split: str) -> Path:
    """One language's translated split as `ROOT/<lang>/<split>-00000-of-00001.parquet`, written aside and renamed."""
    (root_out / lang).mkdir(parents=True, exist_ok=True)
    target = root_out / lang / f"{split}-00000-of-00001.parquet"
    with replacing(target) as tmp:
        tds.to_parquet(str(tmp))
    return target


def source_entry(src: Source, dataset: str, langs: list[str], split: str, provenance: str, origin: str) -> dict[str, Any] | None:
    """The `sources` item a task needs to read the translated mirror (checked against the schema)."""
    if not langs:
        return None
    entry: dict[str, Any] = {
        "dataset": dataset,
        "configs": {lang: lang for lang in langs},
        "split": split,
        "columns": dict(src.columns),
    }
    if src.label_map is not None:
        entry["label_map"] = dict(src.label_map)
    if src.labels is not None:
        entry["labels"] = list(src.labels)
    if src.align is not None:  # translations split like their originals: by the id column, or by source row number
        entry["align"] = {"column": "mt_source_row"} if src.align == "row" else src.align.model_dump()
    entry["license"] = src.license
    entry["verified"] = "no"
    entry["notes"] = f"{provenance} of {src.dataset} {origin}, written by stdata translate data"
    Source.model_validate(entry)
    return entry
