"""`stdata build`: flags, a progress bar per task, and the summary table; the work is stdata.build."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .output import console, err_console, print_json, table


def build(
    out: Path = typer.Option(..., "--out", help="Corpus directory to write (replaced atomically)."),
    langs: str = typer.Option("25", "--langs", help="Preset (1, 11, 25, all) or a comma list of BCP-47 tags."),
    tasks: str | None = typer.Option(None, "--tasks", help="Comma list of tasks (default: every training task)."),
    template_lang: str = typer.Option("native", "--template-lang", help="native (per-language variants, English fallback) or en."),
    no_mt: bool = typer.Option(False, "--no-mt", help="Leave out machine-translation pair tasks (ablation)."),
    per_task_lang: int = typer.Option(1500, "--per-task-lang", help="Statements per (task, language): half true, half false."),
    seed: int = typer.Option(42, "--seed"),
    num_proc: int = typer.Option(1, "--num-proc", help="Worker processes (output is identical for any value)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror (else $STDATA_DATA_DIR, else the hub)."),
    resume: bool = typer.Option(False, "--resume", help="Reuse finished (task, language) shards of an interrupted build."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any source row is skipped or any mirror entry is missing."),
    allow_upsample: bool = typer.Option(False, "--allow-upsample", help="Repeat rows (marked `upsampled`) to fill shortfalls."),
    val_fraction: float = typer.Option(0.1, "--val-fraction", help="Share of source rows held out for validation."),
    json_out: bool = typer.Option(False, "--json", help="Print the manifest as JSON instead of the summary."),
) -> None:
    """Build a balanced multilingual statement corpus (Arrow DatasetDict + parquet + manifest + card)."""
    from stdata.build import BuildOptions, build_corpus, plan
    from stdata.registry import Registry

    opts = BuildOptions(
        out=out, langs=langs, tasks=tasks, template_lang=template_lang, no_mt=no_mt, per_task_lang=per_task_lang,
        seed=seed, num_proc=num_proc, data_dir=data_dir, resume=resume, strict=strict,
        allow_upsample=allow_upsample, val_fraction=val_fraction, command=["stdata", *sys.argv[1:]],
    )  # fmt: skip
    reg = Registry.load()
    task_list, lang_list = plan(reg.require_clean(), opts)
    with Progress(
        TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(), console=err_console, transient=json_out, disable=not err_console.is_terminal and json_out,
    ) as progress:  # fmt: skip
        bars = {t.name: progress.add_task(t.name, total=len(lang_list), last="") for t in task_list}

        def tick(o) -> None:
            progress.update(bars[o.task], advance=1, last=f"{o.lang} {o.status}")

        manifest = build_corpus(opts, reg, progress=tick)
        for t in task_list:  # groups without a source never reach a worker
            progress.update(bars[t.name], completed=len(lang_list))
    if json_out:
        return print_json(manifest)
    _summary(manifest, out)


def _summary(m: dict, out: Path) -> None:
    rows = []
    by_task: dict[str, dict] = {}
    for key, g in m["groups"].items():
        task = key.split("/")[0]
        s = by_task.setdefault(task, {"langs": 0, "statements": 0, "short": 0, "skipped": 0})
        s["langs"] += 1
        s["statements"] += g["total"]
        s["short"] += g["shortfall"] > 0
        s["skipped"] += sum(g["skipped"].values())
    missing: dict[tuple[str, str], int] = {}
    for x in m["missing"]:
        missing[(x["task"], x["reason"])] = missing.get((x["task"], x["reason"]), 0) + 1
    for task in m["options"]["tasks"]:
        s = by_task.get(task, {"langs": 0, "statements": 0, "short": 0, "skipped": 0})
        rows.append((task, s["langs"], missing.get((task, "no-source"), 0), missing.get((task, "missing-data"), 0),
                     s["statements"], s["short"], s["skipped"]))  # fmt: skip
    table(f"corpus {out}", ["task", "langs built", "no source", "not in mirror", "statements", "short groups", "skipped rows"], rows)
    c = m["counts"]
    console.print(f"train {c['train']}  validation {c['validation']}  fingerprint {m['fingerprint']}  "
                  f"in {m['run']['timings']['total_s']} s", highlight=False)  # fmt: skip
    if m["shortfalls"]:
        worst = sorted(m["shortfalls"], key=lambda s: s["got"])[:5]
        console.print("shortfalls (see manifest.json): " + ", ".join(f"{s['task']}/{s['lang']} {s['got']}/{s['wanted']}" for s in worst)
                      + (" ..." if len(m["shortfalls"]) > 5 else ""), highlight=False)  # fmt: skip
    data_missing = [x for x in m["missing"] if x["reason"] == "missing-data"]
    if data_missing:
        console.print(
            f"{len(data_missing)} task/language pair(s) have a source that the mirror lacks, e.g. {data_missing[0]['message']}",
            highlight=False,
        )
    if m["skipped"]:
        console.print(f"skipped source rows: {m['skipped']}", highlight=False)
