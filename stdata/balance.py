"""`stdata balance CORPUS... --out OUT`: mix prebuilt corpora into one, balanced again per task x language.

Why: people train from corpora built elsewhere (a real-data build, an `--mt-fill` build, a hub
corpus); mixing them by hand loses the balance, duplicates statements and forgets where the rows
came from. Here:

  * The unit is a statement group (`group_id`: a source example's true and false statement), so
    every pair stays whole and each (task, language) is exactly half true, half false. Groups
    without a `group_id` (corpora from other tools) are single statements, paired true with false.
  * Statements are deduplicated across inputs by normalised text (case, Unicode width,
    punctuation and spacing ignored), and a source example keeps the split it was first taken
    in, so nothing crosses train/validation.
  * Each cell gets `--per-task-lang` statements, or with `--temperature T` a share of the task's
    budget proportional to (available statements)^(1/T), as multilingual pre-training mixes
    sample languages (T=1: as available; large T: uniform).
  * The inputs' fingerprints are recorded in the manifest (`lineage`) and their manifests copied
    into `lineage/` in the output, and the result is checked against the evaluation tasks' rows
    (eval_overlap.py); `--strict` refuses to write a corpus that overlaps them.

Seeded and written with corpus.write_corpus, so the same inputs and seed give the same bytes, and
an interrupted run leaves the previous corpus intact.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import __version__, coverage_plot
from .card import dataset_card
from .corpus import (
    COLUMNS,
    FORMAT_VERSION,
    BuildRun,
    GroupStats,
    Lineage,
    Manifest,
    MissingGroup,
    MtStats,
    Shortfall,
    SourceInfo,
    arrow_schema,
    check_out,
    load_corpus,
    read_manifest,
    table_from_rows,
    write_corpus,
)
from .errors import StdataError, UsageError
from .eval_overlap import check_overlap, normalize_text
from .hashing import json_hash
from .options import option
from .registry import Registry

SPLITS = ("validation", "train")  # validation first: what it cannot take, train takes


@dataclass
class BalanceOptions:
    out: Path = option(help="Corpus directory to write (replaced atomically).")
    per_task_lang: int = option(1500, help="Statements per (task, language): half true, half false.")
    tasks: str | None = option(None, help="Comma list of tasks to keep (default: every task of the inputs).")
    langs: str | None = option(None, help="Preset (1, 11, 25, all) or comma list of languages to keep (default: every one of the inputs).")
    temperature: float | None = option(
        None,
        help="Sample languages per task with p ~ available^(1/T) from a budget of --per-task-lang x languages "
        "(T=1 as available, large T uniform); default: exactly --per-task-lang per cell.",
    )
    seed: int = option(42, help="Seed of every random choice (same inputs and seed: byte-identical corpus).")
    val_fraction: float = option(0.1, help="Share of each cell's statements taken from the inputs' validation splits.")
    data_dir: Path | None = option(
        None, help="Mirror with the evaluation tasks' rows for the overlap check (else $STDATA_DATA_DIR, else the hub)."
    )
    strict: bool = option(
        False, help="Exit 1 (and write nothing) if a statement contains an evaluation task's text or an evaluation set could not be read."
    )
    corpora: list[str] = option(default_factory=list, help="Input corpora (folders or hub ids).", cli=False)
    command: list[str] = option(default_factory=lambda: list(sys.argv), help="The command line, for the manifest.", cli=False)

    def check(self) -> None:
        if not self.corpora:
            raise UsageError("give at least one corpus to balance")
        if self.per_task_lang < 2 or self.per_task_lang % 2:
            raise UsageError(f"--per-task-lang must be an even number >= 2 (half true, half false), got {self.per_task_lang}")
        if self.temperature is not None and self.temperature <= 0:
            raise UsageError(f"--temperature must be > 0, got {self.temperature}")
        if not 0 <= self.val_fraction < 1:
            raise UsageError("--val-fraction must be in [0, 1)")
        check_out(self.out)  # before any work: a file, a root or a folder that is not our corpus is refused


@dataclass
class _Input:
    name: str
    tables: dict[str, pa.Table]  # split -> rows in the corpus schema
    manifest: Any = None  # Manifest | None


@dataclass
class _Unit:
    """One statement group of one input split: row indices, labels, normalised texts, its source example."""

    where: tuple[int, str]  # (input, split)
    rows: list[int]
    true: int = 0
    false: int = 0
    texts: list[str] = field(default_factory=list)
    example: tuple | None = None


@dataclass
class _Cell:
    units: list[_Unit] = field(default_factory=list)
    taken: dict[str, list[_Unit]] = field(default_factory=lambda: {s: [] for s in SPLITS})
    skipped: Counter = field(default_factory=Counter)

    @property
    def available(self) -> int:
        return 2 * min(sum(u.true for u in self.units), sum(u.false for u in self.units))


def _load(corpus: str) -> _Input:
    """A corpus as arrow tables in the corpus schema (columns an older or foreign corpus lacks get their defaults)."""
    dd = load_corpus(corpus)
    manifest = read_manifest(Path(corpus)) if Path(corpus).is_dir() and (Path(corpus) / "manifest.json").exists() else None
    tables = {}
    for split, ds in dd.items():
        if split not in SPLITS:
            continue
        t = ds.with_format("arrow")[:]
        cols = []
        for name, typ in COLUMNS.items():
            if name in t.column_names:
                cols.append(t.column(name).cast(typ))
            else:
                default = {pa.string(): "", pa.int64(): -1, pa.bool_(): False}[typ]
                cols.append(pa.array([default] * t.num_rows, type=typ))
        tables[split] = pa.Table.from_arrays(cols, schema=arrow_schema())
    return _Input(corpus, tables, manifest)


def _cells(inputs: list[_Input], tasks: set[str] | None, langs: set[str] | None) -> dict[tuple[str, str], _Cell]:
    cells: dict[tuple[str, str], _Cell] = defaultdict(_Cell)
    for i, inp in enumerate(inputs):
        for split, t in inp.tables.items():
            c = {n: t.column(n).to_pylist() for n in ("statement", "label", "task", "lang", "group_id", "source_dataset",
                                                       "source_config", "source_split", "source_row", "mt_engine")}  # fmt: skip
            groups: dict[tuple, _Unit] = {}
            for k in range(t.num_rows):
                task, lang = c["task"][k], c["lang"][k]
                if (tasks is not None and task not in tasks) or (langs is not None and lang not in langs):
                    continue
                gid = c["group_id"][k] or f"#row{k}"
                unit = groups.get((task, lang, gid))
                if unit is None:
                    example = None
                    if c["source_dataset"][k] and c["source_row"][k] >= 0:
                        example = (
                            c["source_dataset"][k],
                            c["source_config"][k],
                            c["source_split"][k],
                            c["source_row"][k],
                            c["mt_engine"][k],
                        )
                    unit = groups[(task, lang, gid)] = _Unit((i, split), [], example=example)
                    cells[(task, lang)].units.append(unit)
                unit.rows.append(k)
                unit.true += c["label"][k] == 1
                unit.false += c["label"][k] != 1
                unit.texts.append(normalize_text(c["statement"][k]))
    return cells


def quotas(available: dict[str, int], per_task_lang: int, temperature: float | None) -> dict[str, int]:
    """Statements per language of one task: `per_task_lang` each, or temperature-sampled shares of the task's budget.

    With a temperature, p(lang) ~ available^(1/T); shares over what a language has are handed to the
    others (water-filling); every quota is even (pairs) and at most what is available.
    """
    langs = [x for x in sorted(available) if available[x] >= 2]
    if temperature is None:
        return {x: per_task_lang for x in available}
    budget = per_task_lang * len(langs) // 2  # in pairs
    caps = {x: available[x] // 2 for x in langs}
    out = dict.fromkeys(langs, 0)
    open_ = list(langs)
    while budget > 0 and open_:
        weights = {x: caps[x] ** (1.0 / temperature) for x in open_}
        total = sum(weights.values())
        shares = {x: budget * w / total for x, w in weights.items()}
        give = {x: min(caps[x] - out[x], int(shares[x])) for x in open_}
        rest = budget - sum(give.values())
        for x in sorted(open_, key=lambda x: (-(shares[x] - int(shares[x])), x)):  # largest remainders get the rest
            if rest <= 0:
                break
            if out[x] + give[x] < caps[x]:
                give[x] += 1
                rest -= 1
        for x in open_:
            out[x] += give[x]
        budget -= sum(give.values())
        open_ = [x for x in open_ if out[x] < caps[x]]
        if not any(give.values()):
            break
    return {x: 2 * out.get(x, 0) for x in available}


def _select(cell: _Cell, quota: int, val_fraction: float, rng: random.Random, seen: set[str], locked: dict[tuple, str]) -> None:
    """Take whole, balanced groups for one cell up to `quota` statements; count what was passed over and why."""
    units = sorted(cell.units, key=lambda u: (u.where, u.rows[0]))
    rng.shuffle(units)
    val_pairs = round(quota // 2 * val_fraction)
    want = {"validation": val_pairs, "train": quota // 2 - val_pairs}
    for split in SPLITS:
        pending: dict[str, list[_Unit]] = {"true": [], "false": []}
        got = 0
        for u in (u for u in units if u.where[1] == split):
            if got >= want[split]:
                break
            if any(t in seen for t in u.texts) or len(set(u.texts)) < len(u.texts):
                cell.skipped["duplicate statement"] += 1
                continue
            if u.example is not None and locked.get(u.example, split) != split:
                cell.skipped["example in the other split"] += 1
                continue
            if u.true == u.false:
                batch = [u]
            elif u.true + u.false == 1:  # a single statement: waits for one of the other label
                mine, other = ("true", "false") if u.true else ("false", "true")
                if not pending[other]:
                    pending[mine].append(u)
                    continue
                batch = [u, pending[other].pop(0)]
            else:
                cell.skipped["unbalanced group"] += 1
                continue
            pairs = sum(b.true for b in batch)
            if got + pairs > want[split]:
                continue
            for b in batch:
                seen.update(b.texts)
                if b.example is not None:
                    locked[b.example] = split
                cell.taken[split].append(b)
            got += pairs
        if split == "validation":
            want["train"] += want["validation"] - got


def balance(opts: BalanceOptions, registry: Registry, progress: Callable[[str], None] | None = None) -> Manifest:
    """Mix `opts.corpora` into one balanced, deduplicated corpus at `opts.out`; returns its manifest."""
    opts.check()
    from . import languages

    started = time.time()
    inputs = []
    for corpus in opts.corpora:
        if progress:
            progress(f"reading {corpus}")
        inputs.append(_load(corpus))
    task_filter = {t.strip() for t in opts.tasks.split(",") if t.strip()} if opts.tasks else None
    lang_filter = set(languages.resolve(opts.langs, registry.languages())) if opts.langs else None
    cells = _cells(inputs, task_filter, lang_filter)
    for name, kind in ((task_filter, 0), (lang_filter, 1)):
        absent = sorted((name or set()) - {key[kind] for key in cells})
        if absent:
            raise UsageError(f"no input corpus has {'task' if kind == 0 else 'language'}(s) {', '.join(absent)}")
    if not cells:
        raise StdataError("the input corpora hold no statements")

    wanted: dict[tuple[str, str], int] = {}
    for task in sorted({t for t, _ in cells}):
        avail = {lang: cells[(task, lang)].available for t, lang in cells if t == task}
        for lang, q in quotas(avail, opts.per_task_lang, opts.temperature).items():
            wanted[(task, lang)] = q
    seen: set[str] = set()
    locked: dict[tuple, str] = {}
    for key in sorted(cells):
        _select(cells[key], wanted[key], opts.val_fraction, random.Random(f"{opts.seed}/{key[0]}/{key[1]}"), seen, locked)

    splits = {s: _gather(inputs, cells, s) for s in ("train", "validation")}
    if progress:
        progress("checking against the evaluation tasks")
    statements = [s for t in splits.values() for s in t.column("statement").to_pylist()]
    out_langs = sorted({lang for _, lang in cells})
    overlap = check_overlap(registry, statements, out_langs, opts.data_dir)
    bad = {t: o for t, o in overlap.items() if o.exact or o.normalized or o.not_checked}
    if opts.strict and bad:
        first = next(iter(bad.items()))
        why = (
            f"{first[1].exact} exact / {first[1].normalized} normalised overlap(s)"
            if first[1].exact or first[1].normalized
            else first[1].not_checked[0]
        )
        raise StdataError(f"--strict: evaluation task {first[0]}: {why}; corpus not written")

    manifest = _manifest(opts, inputs, cells, wanted, splits, overlap)
    manifest.run = BuildRun(command=" ".join(opts.command), num_proc=1, resumed_groups=0, timings={"total_s": None})
    files = {
        coverage_plot.FILE_NAME: coverage_plot.png_bytes(coverage_plot.manifest_cells(manifest), f"balanced corpus ({Path(opts.out).name})")
    }
    for k, inp in enumerate(inputs):
        if inp.manifest is not None:
            files[f"lineage/{k}-manifest.json"] = (json.dumps(inp.manifest.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    card = dataset_card(manifest, picture=coverage_plot.FILE_NAME)
    manifest.run.timings["total_s"] = round(time.time() - started, 3)
    return write_corpus(Path(opts.out), splits, manifest, card, files)


def _gather(inputs: list[_Input], cells: dict[tuple[str, str], _Cell], split: str) -> pa.Table:
    """The taken rows of `split`, cell by cell in selection order."""
    parts = []
    for key in sorted(cells):
        for u in cells[key].taken[split]:
            parts.append(inputs[u.where[0]].tables[u.where[1]].take(u.rows))
    return pa.concat_tables(parts) if parts else table_from_rows([])


def _manifest(opts, inputs, cells, wanted, splits, overlap) -> Manifest:
    """The output's manifest, counted from the rows written."""
    from .build import mismatch_shares

    names = (
        "task",
        "lang",
        "label",
        "template_id",
        "template_lang",
        "source_dataset",
        "source_config",
        "source_split",
        "upsampled",
        "mt_engine",
    )
    by_cell: dict[tuple[str, str], dict[str, Any]] = {}
    for split, t in splits.items():
        c = {n: t.column(n).to_pylist() for n in names}
        for k in range(t.num_rows):
            x = by_cell.setdefault(
                (c["task"][k], c["lang"][k]), {"counts": {"train": Counter(), "validation": Counter()}, **{n: Counter() for n in names[3:]}}
            )
            x["counts"][split]["true" if c["label"][k] == 1 else "false"] += 1
            for n in names[3:]:
                x[n][c[n][k]] += 1
    stats: dict[str, GroupStats] = {}
    per_lang: list[tuple[str, int, int]] = []
    for (task, lang), x in sorted(by_cell.items()):
        cell = cells[(task, lang)]
        total = sum(sum(c.values()) for c in x["counts"].values())
        mt = sum(n for e, n in x["mt_engine"].items() if e)
        per_lang.append((lang, total, sum(n for tl, n in x["template_lang"].items() if tl != lang)))
        licences = sorted(
            {g.source.license for inp in inputs if inp.manifest for k, g in inp.manifest.groups.items() if k == f"{task}/{lang}"}
        )
        taken = [u for s in SPLITS for u in cell.taken[s]]
        source = SourceInfo(
            dataset="+".join(sorted(x["source_dataset"])),
            config="+".join(sorted(x["source_config"])),
            split="+".join(sorted(x["source_split"])),
            rows=len(taken),
            rows_hash=json_hash(sorted(f"{u.where}/{u.rows}" for u in taken)),
            license="; ".join(licences) or "unknown (input has no manifest)",
        )
        stats[f"{task}/{lang}"] = GroupStats(
            source=source,
            template_lang="+".join(sorted(x["template_lang"])),
            counts={s: dict(sorted(c.items())) for s, c in x["counts"].items()},
            total=total,
            wanted=wanted[(task, lang)],
            shortfall=wanted[(task, lang)] - total,
            skipped=dict(sorted(cell.skipped.items())),
            variants=dict(sorted(x["template_id"].items())),
            upsampled=x["upsampled"][True],
            mt=MtStats(
                engine="+".join(sorted(e for e in x["mt_engine"] if e)), statements=mt, reason="machine-translated rows of the inputs"
            )
            if mt
            else None,
        )
    skipped: Counter = Counter()
    for cell in cells.values():
        skipped.update(cell.skipped)
    return Manifest(
        format_version=FORMAT_VERSION,
        stdata_version=__version__,
        seed=opts.seed,
        options={
            "inputs": list(opts.corpora),
            "langs": sorted({lang for _, lang in cells}),
            "tasks": sorted({task for task, _ in cells}),
            "per_task_lang": opts.per_task_lang,
            "temperature": opts.temperature,
            "val_fraction": opts.val_fraction,
            "template_lang": "as in the inputs",
        },
        counts={s: t.num_rows for s, t in splits.items()},
        groups=stats,
        shortfalls=[
            Shortfall(task=k.split("/")[0], lang=k.split("/")[1], wanted=g.wanted, got=g.total, source_rows=g.source.rows)
            for k, g in stats.items()
            if g.shortfall > 0
        ],
        missing=[
            MissingGroup(task=t, lang=lang, reason="no-data", message="no balanced statement group left after deduplication")
            for (t, lang) in sorted(cells)
            if f"{t}/{lang}" not in stats and wanted[(t, lang)] > 0
        ],
        skipped=dict(sorted(skipped.items())),
        template_mismatch=mismatch_shares(per_lang),
        lineage=[_lineage(k, inp, cells) for k, inp in enumerate(inputs)],
        eval_overlap=overlap,
    )


def _lineage(k: int, inp: _Input, cells: dict[tuple[str, str], _Cell]) -> Lineage:
    m = inp.manifest
    used = sum(len(u.rows) for c in cells.values() for s in SPLITS for u in c.taken[s] if u.where[0] == k)
    return Lineage(
        corpus=inp.name,
        fingerprint=m.fingerprint if m else None,
        manifest_hash=json_hash(m.to_dict()) if m else None,
        manifest_file=f"lineage/{k}-manifest.json" if m else None,
        stdata_version=m.stdata_version if m else None,
        seed=m.seed if m else None,
        counts={s: t.num_rows for s, t in inp.tables.items()},
        used=used,
    )
