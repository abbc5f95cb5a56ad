"""`stdata translate ...`: machine-translated template variants and source data (stdata.translate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .output import console, err_console, load_registry, print_json, table

app = typer.Typer(help="Machine-translate templates and source data, placeholders kept by identity.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print the summary as JSON (segments, unique, cache_hits, engine_calls, rejected, failed, ...).")
ENGINE = typer.Option(
    "google", "--engine",
    help="google | deepl | microsoft | libre?url=URL | mymemory | yandex | papago | baidu | qcri | hf:<model> | pseudo "
    "(options after '?', e.g. pseudo?faults=drop or hf:MODEL?batch=32&device=cuda; keys from environment variables).",
)  # fmt: skip
TO = typer.Option(..., "--to", help="Target languages: a comma list (de,sw) or a preset (11, 25, all).")
CACHE = typer.Option(None, "--cache", help="Translation cache file (default $STDATA_CACHE_DIR/translate.sqlite or ~/.cache/stdata/).")
NO_CACHE = typer.Option(False, "--no-cache", help="Keep answers in memory only (every run calls the engine).")
TIMEOUT = typer.Option(None, "--timeout", min=0.0, help="Seconds one engine call may take (overrides the engine's default).")
RETRIES = typer.Option(None, "--retries", min=0, help="Retries after a failed call (exponential backoff with jitter).")
RATE = typer.Option(None, "--rate", min=0.0, help="At most this many engine calls per second.")
BATCH = typer.Option(None, "--batch-size", min=1, help="Segments per engine call.")


def _registry(root: Path | None):
    from stdata.registry import Registry

    return Registry.load(root) if root else load_registry()


def _cache(path: Path | None, off: bool):
    from stdata.translate.cache import Cache

    return Cache.memory() if off else Cache(path) if path else None


def _limits(timeout, retries, rate, batch) -> dict[str, Any]:
    return {"timeout": timeout, "attempts": None if retries is None else retries + 1, "rate": rate, "batch": batch}


def _progress(enabled: bool):
    if not enabled or not err_console.is_terminal:
        return None, None
    from rich.progress import Progress

    bar = Progress(console=err_console, transient=True)
    task = bar.add_task("translating", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _report(out: dict[str, Any], json_out: bool, extra: list[tuple[str, Any]]) -> None:
    if json_out:
        print_json(out)
    else:
        keys = ["segments", "unique", "cache_hits", "engine_calls", "sent", "retries", "timeouts", "rejected", "failed"]
        table(f"translate ({out['provenance']})", ["what", "n"], [*extra, *[(k, out[k]) for k in keys]])
        for r in out["rejections"]:
            where = " ".join(f"{k}={r[k]}" for k in ("task", "lang", "variant", "slot", "row", "column") if k in r)
            err_console.print(
                f"rejected {where}: {r['reason']}\n  sent: {r['text']!r}\n  got:  {r['translation']!r}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        for f in out["failures"]:
            where = " ".join(f"{k}={f[k]}" for k in ("task", "lang", "variant", "slot", "row", "column") if k in f)
            err_console.print(f"failed {where}: {f['reason']}", highlight=False, markup=False, soft_wrap=True)
        for note in out.get("notes", []):
            err_console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
        if out.get("fatal"):
            err_console.print(f"stopped sending after a fatal engine error: {out['fatal']}", highlight=False, markup=False)
    if out["rejected"] or out["failed"] or out.get("fatal"):
        raise typer.Exit(1)


def _announce(templates_dir: Path | None) -> None:
    """A registry given with this command's own --templates is reported like a discovered one."""
    if templates_dir is not None:
        from stdata import discovery

        discovery.announce(discovery.Found(templates_dir, "--templates"))


@app.command("templates")
def templates(
    task: str | None = typer.Option(None, "--task", help="Task name(s), comma-separated."),
    all_tasks: bool = typer.Option(False, "--all", help="Every task in the registry."),
    to: str = TO,
    engine: str = ENGINE,
    update: bool = typer.Option(False, "--update", help="Only variants that are missing or whose English source changed."),
    force: bool = typer.Option(False, "--force", help="Also overwrite human, team-draft and reviewed variants."),
    templates_dir: Path | None = typer.Option(None, "--templates", help="Registry root (default: $STDATA_TEMPLATES or the built-in one)."),
    cache: Path | None = CACHE,
    no_cache: bool = NO_CACHE,
    timeout: float | None = TIMEOUT,
    retries: int | None = RETRIES,
    rate: float | None = RATE,
    batch_size: int | None = BATCH,
    dry_run: bool = typer.Option(False, "--dry-run", help="Translate and check, but write nothing."),
    json_out: bool = JSON,
) -> None:
    """Write `<task>/<lang>.yaml` variants (provenance mt:<engine>, reviewed: false) from the English ones."""
    from stdata.translate.templates import translate_templates

    _announce(templates_dir)
    bar, progress = _progress(not json_out)
    try:
        if bar:
            bar.start()
        out = translate_templates(
            _registry(templates_dir), to, task, all_tasks, engine, update, force, _cache(cache, no_cache), dry_run, progress,
            **_limits(timeout, retries, rate, batch_size),
        )  # fmt: skip
    finally:
        if bar:
            bar.stop()
    if not json_out:
        verb = "would write" if out["dry_run"] else "wrote"
        console.print(
            f"{verb} {out['written']} variant(s) in {len(out['files'])} file(s); {out['unchanged']} unchanged, "
            f"kept {out['kept']} human/reviewed, {out['up_to_date']} up to date", highlight=False,
        )  # fmt: skip
        for f in out["files"]:
            console.print(f"  {f}", highlight=False)
    _report(out, json_out, [("variants written", out["written"])])


@app.command("data")
def data(
    task: str = typer.Option(..., "--task", help="Task whose source rows are translated."),
    to: str = TO,
    out: Path = typer.Option(..., "--out", help="Mirror root to write DIR/<org>/<name>/<lang>/<split>-00000-of-00001.parquet into."),
    engine: str = ENGINE,
    source_lang: str = typer.Option("en", "--from", help="Language of the source rows to translate."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Hub-layout mirror to read the source from (default: the hub or $STDATA_DATA_DIR)."
    ),
    split: str | None = typer.Option(None, "--split", help="Source split (default: the task's)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Translate only the first N rows."),
    name: str | None = typer.Option(None, "--name", help="Dataset id of the output, ORG/NAME (default stdata-mt/<source name>)."),
    templates_dir: Path | None = typer.Option(None, "--templates", help="Registry root (default: $STDATA_TEMPLATES or the built-in one)."),
    cache: Path | None = CACHE,
    no_cache: bool = NO_CACHE,
    timeout: float | None = TIMEOUT,
    retries: int | None = RETRIES,
    rate: float | None = RATE,
    batch_size: int | None = BATCH,
    json_out: bool = JSON,
) -> None:
    """Translate a task's source rows into a hub-layout mirror that `stdata build --data-dir` can read."""
    import yaml

    from stdata.translate.data import translate_data

    _announce(templates_dir)
    bar, progress = _progress(not json_out)
    try:
        if bar:
            bar.start()
        res = translate_data(
            _registry(templates_dir), task, to, out, engine, source_lang, data_dir, split, limit, name, _cache(cache, no_cache), progress,
            **_limits(timeout, retries, rate, batch_size),
        )  # fmt: skip
    finally:
        if bar:
            bar.stop()
    if not json_out:
        for w in res["written"]:
            console.print(f"wrote {w['rows']} rows: {w['path']}", highlight=False)
        if res["source_entry"]:
            console.print(
                f"add to {res['task']}/task.yaml `sources` (after the real sources) so `stdata build --data-dir {out}` uses it:",
                highlight=False,
            )
            console.print(
                yaml.safe_dump([res["source_entry"]], sort_keys=False, allow_unicode=True, width=10_000),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    _report(res, json_out, [("rows read", res["source"]["rows"])])


@app.command("engines")
def engines(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The engines, the environment variables they read, and whether those are set."""
    from stdata.translate.engines import engine_catalog

    rows = engine_catalog()
    if json_out:
        return print_json(rows)
    table(
        "translation engines",
        ["engine", "kind", "environment", "ready"],
        [(r["engine"], r["kind"], " ".join(r["env"]), r["ready"]) for r in rows],
    )
