"""`stdata eval` (score a model zero-shot, write reports) and `stdata eval compare RUN...`; the work is
stdata.evaluate and stdata.report."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stdata.errors import UsageError
from stdata.evaluate import EvalOptions
from stdata.results import EvalResult, GroupResult, MissingCell

from .options import command_from, flag
from .output import console, err_console, load_registry, print_json, table

app = typer.Typer(help="Zero-shot evaluation: accuracy per task x language x template variant, with reports.")
JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")


def _evaluate(opts: EvalOptions, ctx: typer.Context, json_out: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from stdata.evaluate import run

    if opts.model is None or opts.out is None:
        raise UsageError("stdata eval needs --model and --out (or: stdata eval compare RUN1 RUN2 ...)")
    opts.command = ["stdata", *sys.argv[1:]]
    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        bar = progress.add_task("evaluating", total=None, last="")

        def tick(rec: GroupResult | MissingCell) -> None:
            done = isinstance(rec, GroupResult)
            last = f"{rec.task}/{rec.lang} " + (f"{100 * rec.mean:.1f}%" if isinstance(rec, GroupResult) else rec.reason)
            progress.update(bar, advance=1 if done else 0, last=last)

        results = run(opts, load_registry(), progress=tick)
    if json_out:
        return print_json(results.to_dict())
    _summary(results, opts.out)


app.callback(invoke_without_command=True)(
    command_from(
        EvalOptions,
        _evaluate,
        doc="Score a model zero-shot on the evaluation tasks; `stdata eval compare RUN...` compares runs.",
        extra=[
            inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context),
            flag("json_out", "--json", "Print JSON for machines instead of tables."),
        ],
    )
)


def _summary(results: EvalResult, out: Path) -> None:
    from stdata.report import accuracy_rows, summary_notes

    header, rows = accuracy_rows(results)
    table(f"accuracy (%) of {results.model.path}", header, rows)
    by_reason: dict[tuple[str, str], list[MissingCell]] = {}
    for m in results.missing:
        by_reason.setdefault((m.task, m.reason), []).append(m)
    for (task, reason), ms in by_reason.items():
        langs = " ".join(m.lang for m in ms)
        err_console.print(f"not evaluated: {task} ({reason}) for {langs}: {ms[0].message}", highlight=False, soft_wrap=True)
    sp = results.speed
    for note in summary_notes(results):  # untuned heads, --source datasets, cells with > 1% of statements cut
        err_console.print(note, highlight=False, soft_wrap=True)
    if sp.truncated_statements:
        err_console.print(f"note: {sp.truncated_statements} statement(s) in all were truncated to the model's max length", highlight=False)
    console.print(
        f"{sp.examples} example predictions, {sp.examples_per_s} examples/s, {sp.statements_per_s} statements/s, "
        f"batch {sp.batch_size}, peak memory {sp.memory.peak_mib} MiB ({sp.memory.kind}), {results.model.device} "
        f"{results.model.dtype}" + (f" {sp.quantization}" if sp.quantization else "") + f", {sp.threads} thread(s); reports in {out}",
        highlight=False,
    )


@app.command("compare")
def compare(
    runs: list[Path] = typer.Argument(..., help="Two or more `stdata eval --out` folders (or their results.json)."),
    out: Path | None = typer.Option(None, "--out", help="Also write compare.md, compare.csv, compare.json and compare.png here."),
    json_out: bool = JSON,
) -> None:
    """Put evaluation runs side by side (e.g. --template-lang en vs native): accuracy and differences."""
    from stdata.report import compare as compare_runs
    from stdata.report import compare_efficiency, compare_table, write_compare

    cmp = compare_runs(runs)
    if out is not None:
        cmp["files"] = write_compare(cmp, out)
    if json_out:
        return print_json(cmp)
    header, rows = compare_table(cmp)
    table("accuracy (%) per run; Δ to the first", header, rows)
    table("efficiency per run; × the first run's statements/s", *compare_efficiency(cmp))
    for n in cmp["notes"]:
        err_console.print(f"note: {n}", highlight=False, soft_wrap=True)
