"""`stdata stats | coverage | push | sources download`: thin layers over stdata's corpus and source modules."""

from __future__ import annotations

from pathlib import Path

import typer

from .output import console, err_console, load_registry, print_json, table

JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")
sources_app = typer.Typer(help="Source datasets: mirror them for offline builds.", no_args_is_help=True)


def stats(corpus: Path = typer.Argument(..., help="Corpus directory (or hub id)."), json_out: bool = JSON) -> None:
    """Task x language x label counts, template usage and statement lengths of a corpus."""
    from stdata.stats import corpus_stats

    s = corpus_stats(corpus)
    if json_out:
        return print_json(s)
    console.print(
        f"{s['corpus']}: "
        + ", ".join(f"{k} {v}" for k, v in s["splits"].items())
        + (f"  ({s['fingerprint']})" if s["fingerprint"] else ""),
        highlight=False,
    )
    table("statements (all splits)", ["task", "lang", "true", "false"], [
        (t, lang, c.get("true", 0), c.get("false", 0)) for t, by in s["counts"].items() for lang, c in by.items()
    ])  # fmt: skip
    table("templates", ["task", "template uses"], [(t, ", ".join(f"{k}:{v}" for k, v in c.items())) for t, c in s["templates"].items()])
    table("lengths (words)", ["task", "mean", "p50", "p95", "max"], [
        (t, x["mean_words"], x["p50_words"], x["p95_words"], x["max_words"]) for t, x in s["lengths"].items()
    ])  # fmt: skip


def coverage(
    langs: str = typer.Option("25", "--langs"),
    tasks: str | None = typer.Option(None, "--tasks"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror (else $STDATA_DATA_DIR, else the hub)."),
    no_rows: bool = typer.Option(False, "--no-rows", help="Do not read the data; show sources and variants only."),
    png: Path | None = typer.Option(None, "--png", help="Also draw the matrix as a heatmap PNG here (real rows / MT-fillable / missing)."),
    json_out: bool = JSON,
) -> None:
    """Task x language matrix: source available, native variants, rows available."""
    from rich.text import Text

    from stdata.coverage import coverage as compute
    from stdata.coverage_plot import coverage_cells, write_png

    cov = compute(load_registry(), langs, tasks, data_dir, count_rows=not no_rows)
    if png is not None:
        write_png(coverage_cells(cov), f"coverage ({cov['data']}): real rows per task x language", png)
        err_console.print(f"heatmap: {png}", highlight=False)
    if json_out:
        return print_json(cov)
    cells = {(c["task"], c["lang"]): c for c in cov["cells"]}

    def cell(t: str, lang: str) -> Text:
        c = cells[(t, lang)]
        mt = ("+MT", "dim") if c["mt_fillable"] else ""
        if c["status"] == "gap":
            return Text.assemble(("-", "dim"), mt)
        if c["status"] == "unlisted":
            return Text.assemble(("?", "yellow"), mt)
        rows = "?" if c["rows"] is None else str(c["rows"])
        mark = "n" if c["native_variants"] else "e"
        if c["rows"] == 0 and c["mt_fillable"]:
            return Text.assemble((f"{rows}{mark}", "red"), mt)
        return Text(f"{rows}{mark}", style="" if c["rows"] else "red")

    n = cov["counts"]
    table(f"coverage ({cov['data']}): rows available; n = native variants, e = English templates, "
          f"- = no usable hub dataset (declared gap, reason below), ? = no source and no gap declared, "
          f"+MT = no real rows, but `build --mt-fill` can translate the task's English rows",
          ["lang", *cov["tasks"]], [(lang, *(cell(t, lang) for t in cov["tasks"])) for lang in cov["langs"]])  # fmt: skip
    empty = [c for c in cov["cells"] if c["status"] != "source"]
    if empty:
        table("empty cells: why", ["task", "lang", "why"], [(c["task"], c["lang"], c["note"]) for c in empty])
    console.print(
        f"{n['source']} cells with a source, {n['gap']} declared gaps (-), {n['unlisted']} unlisted (?); "
        f"{n['mt_only']} cells without real rows that --mt-fill can fill" + ("" if png else "; --png PATH draws the matrix"),
        highlight=False,
    )


def push(
    corpus: Path = typer.Argument(..., help="Corpus directory."),
    repo_id: str = typer.Option(..., "--repo-id", help="Hub dataset repo, e.g. me/statements-25."),
    private: bool = typer.Option(False, "--private"),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be uploaded, upload nothing."),
) -> None:
    """Push a corpus (parquet shards, card, manifest) to the Hugging Face hub."""
    from stdata.push import push as do_push
    from stdata.push import push_payload

    if dry_run:
        for path, local in push_payload(corpus):
            console.print(f"{path}  <- {local}", highlight=False)
        return
    console.print(do_push(corpus, repo_id, private), highlight=False)


@sources_app.command("download")
def download(
    out: Path = typer.Option(..., "--out", help="Mirror directory to write (hub layout)."),
    langs: str = typer.Option("25", "--langs"),
    tasks: str | None = typer.Option(None, "--tasks", help="Comma list (default: every task, train and eval)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Read from this mirror instead of the hub."),
    json_out: bool = JSON,
) -> None:
    """Write every source split the tasks need for these languages as a hub-layout mirror."""
    from stdata.mirror import download as do_download

    res = do_download(
        load_registry(), langs, out, tasks, data_dir, progress=None if json_out else lambda s: err_console.print(f"  {s}", highlight=False)
    )
    if json_out:
        return print_json(res)
    console.print(f"wrote {len(res['written'])} config/split file(s) to {res['out']}", highlight=False)
    for m in res["missing"]:
        err_console.print(f"missing: {m['message']}", highlight=False)
