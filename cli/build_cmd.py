"""`stdata build`: a progress bar per task and the summary table; options and work are stdata.build's."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stdata.build import BuildOptions, GroupOutcome, build_corpus, plan
from stdata.corpus import Manifest

from .audit_cmd import print_flags
from .options import command_from, flag
from .output import console, err_console, load_registry, print_json, table


def _build(opts: BuildOptions, json_out: bool) -> None:
    opts.command = ["stdata", *sys.argv[1:]]
    reg = load_registry().require_clean()
    bp = plan(reg, opts)
    with Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=json_out,
        disable=not err_console.is_terminal and json_out,
    ) as progress:
        bars = {t.name: progress.add_task(t.name, total=len(bp.langs), last="") for t in bp.tasks}

        def tick(o: GroupOutcome) -> None:
            progress.update(bars[o.task], advance=1, last=f"{o.lang} {o.status}")

        manifest = build_corpus(opts, reg, progress=tick, build_plan=bp)
        for t in bp.tasks:  # groups without a source never reach a worker
            progress.update(bars[t.name], completed=len(bp.langs))
    if json_out:
        return print_json(manifest.to_dict())
    _summary(manifest, opts.out)


build = command_from(
    BuildOptions,
    _build,
    doc="Build a balanced multilingual statement corpus (Arrow DatasetDict + parquet + manifest + card).",
    required=["out"],
    extra=[flag("json_out", "--json", "Print the manifest as JSON instead of the summary.")],
)


def _summary(m: Manifest, out: Path) -> None:
    by_task: dict[str, Counter] = {}
    for key, g in m.groups.items():
        s = by_task.setdefault(key.split("/")[0], Counter())
        s.update(
            langs=1, statements=g.total, short=int(g.shortfall > 0), skipped=sum(g.skipped.values()), mt=g.mt.statements if g.mt else 0
        )
    missing = Counter((x.task, x.reason) for x in m.missing)
    rows = []
    for task in m.options["tasks"]:
        s = by_task.get(task, Counter())
        rows.append(
            (
                task,
                s["langs"],
                missing[(task, "no-source")],
                missing[(task, "missing-data")],
                s["statements"],
                s["mt"],
                s["short"],
                s["skipped"],
            )
        )
    table(
        f"corpus {out}",
        ["task", "langs built", "no source", "not in mirror", "statements", "machine-translated", "short groups", "skipped rows"],
        rows,
    )
    assert m.run is not None
    console.print(
        f"train {m.counts['train']}  validation {m.counts['validation']}  fingerprint {m.fingerprint}  in {m.run.timings['total_s']} s",
        highlight=False,
    )
    mis = m.template_mismatch
    if "all" in mis:
        other = ", ".join(f"{lang} {x.share:.0%}" for lang, x in mis.items() if lang != "all" and x.mismatched)
        console.print(
            f"template language differs from the data language: {mis['all'].share:.1%} of statements"
            + (f" ({other})" if other else " (every language has native variants)"),
            highlight=False,
        )
    mt_errors = [f"{key} ({g.mt.error})" for key, g in m.groups.items() if g.mt and g.mt.error]
    if mt_errors:
        console.print(f"--mt-fill failed for {len(mt_errors)} group(s), left short: {mt_errors[0][:300]}", highlight=False)
    if m.shortfalls:
        worst = sorted(m.shortfalls, key=lambda s: s.got)[:5]
        console.print(
            "shortfalls (see manifest.json): "
            + ", ".join(f"{s.task}/{s.lang} {s.got}/{s.wanted}" for s in worst)
            + (" ..." if len(m.shortfalls) > 5 else ""),
            highlight=False,
        )
    data_missing = [x for x in m.missing if x.reason == "missing-data"]
    if data_missing:
        console.print(
            f"{len(data_missing)} task/language pair(s) have a source that the mirror lacks, e.g. {data_missing[0].message}",
            highlight=False,
        )
    if m.skipped:
        console.print(f"skipped source rows: {m.skipped}", highlight=False)
    if m.audit is not None:
        print_flags(m.audit)
