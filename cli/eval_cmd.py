"""`stdata eval` (score a model zero-shot, write reports) and `stdata eval compare RUN...`; the work is
stdata.evaluate and stdata.report."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stdata.errors import UsageError

from .output import console, err_console, print_json, table

app = typer.Typer(help="Zero-shot evaluation: accuracy per task x language x template variant, with reports.")
JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")


@app.callback(invoke_without_command=True)
def evaluate(
    ctx: typer.Context,
    model: str | None = typer.Option(
        None, "--model", help="A `stdata train` output folder, or a two-label classifier (with --true-index)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Folder for results.json, results.md, CSV and PNG reports."),
    tasks: str | None = typer.Option(None, "--tasks", help="Comma list of tasks (default: every evaluation task)."),
    langs: str | None = typer.Option(None, "--langs", help="Preset (1, 11, 25, all) or comma list (default: every language a task has)."),
    split: str | None = typer.Option(None, "--split", help="Split to read (default: each source's own, e.g. validation; xwinograd: test)."),
    template_lang: str = typer.Option("native", "--template-lang", help="native (per-language variants, English fallback) or en."),
    variants: str | None = typer.Option(None, "--variants", help="Comma list of variant ids (default: all)."),
    batch_size: str = typer.Option("32", "--batch-size", help="Statements per forward pass, or 'auto' (largest that fits on the GPU)."),
    true_index: int | None = typer.Option(None, "--true-index", help="Logit index of True, for a classifier not made by `stdata train`."),
    device: str | None = typer.Option(None, "--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)."),
    max_length: int | None = typer.Option(
        None, "--max-length", help="Truncate statements to this many tokens (default: the model's limit)."
    ),
    dtype: str = typer.Option("auto", "--dtype", help="auto (bf16, else fp16, on a GPU; fp32 on CPU), float32, bfloat16 or float16."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N examples per task and language (quick looks)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror (else $STDATA_DATA_DIR, else the hub)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any task, language, variant or source row is missing."),
    json_out: bool = JSON,
) -> None:
    """Score a model zero-shot on the evaluation tasks; `stdata eval compare RUN...` compares runs."""
    if ctx.invoked_subcommand is not None:
        return
    from stdata.evaluate import EvalOptions, parse_batch_size, run
    from stdata.registry import Registry

    if model is None or out is None:
        raise UsageError("stdata eval needs --model and --out (or: stdata eval compare RUN1 RUN2 ...)")
    opts = EvalOptions(
        model=model, out=out, tasks=tasks, langs=langs, split=split, template_lang=template_lang, variants=variants,
        batch_size=parse_batch_size(batch_size), data_dir=data_dir, strict=strict, true_index=true_index,
        device=device, max_length=max_length, limit=limit, dtype=dtype, command=["stdata", *sys.argv[1:]],
    )  # fmt: skip
    with Progress(
        TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(), console=err_console, transient=True, disable=not err_console.is_terminal,
    ) as progress:  # fmt: skip
        bar = progress.add_task("evaluating", total=None, last="")

        def tick(rec: dict) -> None:
            last = f"{rec['task']}/{rec['lang']} " + (rec["missing"] if "missing" in rec else f"{100 * rec['mean']:.1f}%")
            progress.update(bar, advance=0 if "missing" in rec else 1, last=last)

        results = run(opts, Registry.load(), progress=tick)
    if json_out:
        return print_json(results)
    _summary(results, out)


def _summary(results: dict, out: Path) -> None:
    from stdata.report import accuracy_rows

    header, rows = accuracy_rows(results)
    table(f"accuracy (%) of {results['model']['path']}", header, rows)
    for (task, reason), ms in _by_task_reason(results["missing"]).items():
        langs = " ".join(m["lang"] for m in ms)
        err_console.print(f"not evaluated: {task} ({reason}) for {langs}: {ms[0]['message']}", highlight=False, soft_wrap=True)
    sp = results["speed"]
    if sp["truncated_statements"]:
        err_console.print(f"warning: {sp['truncated_statements']} statement(s) were truncated to the model's max length", highlight=False)
    console.print(
        f"{sp['examples']} example predictions, {sp['examples_per_s']} examples/s, {sp['statements_per_s']} statements/s, "
        f"batch {sp['batch_size']}, peak memory {sp['memory']['peak_mib']} MiB ({sp['memory']['kind']}); reports in {out}",
        highlight=False,
    )


def _by_task_reason(missing: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for m in missing:
        out.setdefault((m["task"], m["reason"]), []).append(m)
    return out


@app.command("compare")
def compare(
    runs: list[Path] = typer.Argument(..., help="Two or more `stdata eval --out` folders (or their results.json)."),
    out: Path | None = typer.Option(None, "--out", help="Also write compare.md, compare.csv, compare.json and compare.png here."),
    json_out: bool = JSON,
) -> None:
    """Put evaluation runs side by side (e.g. --template-lang en vs native): accuracy and differences."""
    from stdata.report import compare as compare_runs
    from stdata.report import compare_table, write_compare

    cmp = compare_runs(runs)
    if out is not None:
        cmp["files"] = write_compare(cmp, out)
    if json_out:
        return print_json(cmp)
    header, rows = compare_table(cmp)
    table("accuracy (%) per run; Δ to the first", header, rows)
    for n in cmp["notes"]:
        err_console.print(f"note: {n}", highlight=False, soft_wrap=True)
