"""`stdata templates ...`: list, show, render and validate the statement template registry."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.text import Text

from .output import console, err_console, print_json, table

app = typer.Typer(help="Inspect, preview and validate statement templates.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")


def _registry():
    from stdata.registry import Registry

    return Registry.load()


@app.command("list")
def list_(
    task: str | None = typer.Option(None, "--task", help="Only this task."),
    lang: str | None = typer.Option(None, "--lang", help="Only this language."),
    json_out: bool = JSON,
) -> None:
    """One line per task and language: kind, role, variants, provenance, reviewed."""
    from stdata.catalog import list_templates

    rows = list_templates(_registry(), task, lang)
    if json_out:
        return print_json(rows)
    table("templates", ["task", "kind", "role", "lang", "variants", "reviewed", "provenance"], [
        (r["task"], r["kind"], r["role"], r["lang"], r["variants"], r["reviewed"], ", ".join(f"{k}:{v}" for k, v in r["provenance"].items()))
        for r in rows
    ])  # fmt: skip


@app.command()
def show(task: str = typer.Argument(..., help="Task name."), json_out: bool = JSON) -> None:
    """A task's spec, sources and English variants."""
    from stdata.catalog import show_task

    info = show_task(_registry(), task)
    if json_out:
        return print_json(info)
    console.print(Text.assemble((info["task"], "bold"), f" ({info['kind']}, {info['role']}): {info['description']}"), highlight=False)
    console.print(
        f"fields: {', '.join(info['fields'])}" + (f"   labels: {', '.join(info['labels'])}" if info["labels"] else ""), highlight=False
    )
    console.print(f"negatives: {info['negatives']}   template languages: {' '.join(info['template_languages'])}", highlight=False)
    table("sources", ["dataset", "split", "languages", "licence", "verified"], [
        (s["dataset"], s["split"], " ".join(s["languages"]), s["license"], s["verified"]) for s in info["sources"]
    ])  # fmt: skip
    table("variants (en)", ["id", "provenance", "slot", "template"], [
        (v["id"] if i == 0 else "", v["provenance"] if i == 0 else "", slot, tpl)
        for v in info["variants"] for i, (slot, tpl) in enumerate(v["templates"].items())
    ])  # fmt: skip


@app.command()
def render(
    task: str = typer.Argument(..., help="Task name."),
    lang: str = typer.Option("en", "--lang", help="Language of the rows and templates."),
    variant: str | None = typer.Option(None, "--variant", help="Only this variant id (default: rotate)."),
    n: int = typer.Option(3, "--n", min=1, help="How many rows."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror to read real rows from."),
    template_lang: str = typer.Option("native", "--template-lang", help="native (fall back to en) or en."),
    json_out: bool = JSON,
) -> None:
    """Render statements: inline examples by default, real rows with --data-dir."""
    from stdata.catalog import render_preview

    out = render_preview(_registry(), task, lang, variant, n, data_dir, template_lang)
    if json_out:
        return print_json(out)
    note = "" if out["template_lang"] == out["lang"] else f" (no {out['lang']} variants: English templates)"
    console.print(
        Text.assemble((out["task"], "bold"), f" {out['lang']} from {out['origin']}; templates: {out['template_lang']}{note}"),
        highlight=False,
    )
    table(None, ["row", "variant", "truth", "statement"], [
        (r["row"] if i == 0 else "", r["variant"] if i == 0 else "", "TRUE" if s["true"] else "false", s["text"])
        for r in out["rows"] for i, s in enumerate(r["statements"])
    ])  # fmt: skip
    if out["skipped"]:
        err_console.print(f"skipped source rows: {out['skipped']}", highlight=False)


@app.command()
def validate(
    paths: list[Path] | None = typer.Argument(None, help="Files or folders (default: the whole registry)."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Hub-layout mirror: also check each source's label_map and labels against its data (first config)."
    ),
    json_out: bool = JSON,
) -> None:
    """Check templates: schema, safety, fields, labels, rendering, placeholders, language, duplicates."""
    from stdata.errors import UsageError
    from stdata.problems import errors
    from stdata.validate import DataCheck, check, validate_paths

    if data_dir is not None and not data_dir.is_dir():
        raise UsageError(f"--data-dir {data_dir} is not a folder")
    data = DataCheck()
    # with paths, each problem names its file
    problems = validate_paths(paths, data_dir, data) if paths else check(_registry(), data_dir, data)
    bad = errors(problems)
    checked = {"checked": data.checked, "not_in_mirror": sorted(set(data.not_in_mirror))} if data_dir is not None else None
    if json_out:
        print_json({"errors": len(bad), "warnings": len(problems) - len(bad), "problems": [p.to_dict() for p in problems], "data": checked})
    else:
        for p in problems:
            (err_console if p.severity == "error" else console).print(str(p), highlight=False, soft_wrap=True, markup=False)
        if checked is not None:
            console.print(
                f"labels checked against {data_dir}: {data.checked} source(s); not in the mirror: {len(checked['not_in_mirror'])}",
                highlight=False, soft_wrap=True,
            )  # fmt: skip
        summary = f"{len(bad)} error(s), {len(problems) - len(bad)} warning(s)"
        (err_console if bad else console).print(("FAILED: " if bad else "OK: ") + summary, highlight=False)
    if bad:
        raise typer.Exit(1)


def _writable_registry():
    from stdata import discovery
    from stdata.registry import Registry

    found = discovery.for_writing()
    return found, Registry.load(found.root)


@app.command("new")
def new(
    task: str = typer.Argument(..., help="Name of the new task (lower_snake_case; also its folder name)."),
    kind: str = typer.Option(..., "--kind", help="classification | multiple_choice | pair."),
    labels: str | None = typer.Option(None, "--labels", help="classification: the label names, comma-separated."),
    fields: str | None = typer.Option(None, "--fields", help="Text fields, comma-separated (default: text / question / source,target)."),
    num_choices: int = typer.Option(2, "--num-choices", help="multiple_choice: candidates per row."),
    partner_field: str | None = typer.Option(None, "--partner-field", help="pair: the field a false statement swaps (default: the last)."),
    role: str = typer.Option("train", "--role", help="train (built into corpora) or eval (zero-shot evaluation only)."),
    description: str | None = typer.Option(None, "--description", help="One sentence: what the task decides."),
    json_out: bool = JSON,
) -> None:
    """Scaffold templates/TASK/task.yaml and en.yaml, with comments saying what to fill in.

    Example:

        stdata templates new news_topic --kind classification --labels world,sports,business,science

        stdata templates validate templates/news_topic
    """
    from stdata.authoring import new_task

    found, _ = _writable_registry()
    out = new_task(found.root, task, kind, fields=fields, labels=labels, num_choices=num_choices,
                   partner_field=partner_field, role=role, description=description)  # fmt: skip
    if json_out:
        return print_json({**out, "registry": found.to_dict()})
    for f in out["files"]:
        console.print(f"wrote {f}", highlight=False)
    console.print(
        f"next: fill in the TODOs and sources, then `stdata templates validate {Path(out['files'][0]).parent}`",
        highlight=False,
        soft_wrap=True,
    )


@app.command("add-lang")
def add_lang(
    task: str = typer.Argument(..., help="Task name."),
    lang: str = typer.Argument(..., help="BCP-47 language tag of the new variant file, e.g. de, sw, pt-BR."),
    json_out: bool = JSON,
) -> None:
    """Start TASK/LANG.yaml: every English variant id, its translated_from hash, reviewed: false.

    The draft keeps the English text: translate each statement (keep the {{ placeholders }}), then validate; validation reports wrong-language for any statement still in English.

    Example:

        stdata templates add-lang xcopa de

        $EDITOR templates/xcopa/de.yaml

        stdata templates validate templates/xcopa/de.yaml && stdata templates diff --format md
    """
    from stdata.authoring import add_lang as run

    found, reg = _writable_registry()
    out = run(reg, task, lang)
    if json_out:
        return print_json({**out, "registry": found.to_dict()})
    console.print(f"wrote {out['file']} with {len(out['variants'])} draft variant(s): {', '.join(out['variants'])}", highlight=False)
    console.print(f"next: translate them, then `stdata templates validate {out['file']}`", highlight=False, soft_wrap=True)


@app.command("hash")
def hash_(
    task: str = typer.Argument(..., help="Task name."),
    lang: str | None = typer.Option(None, "--lang", help="Also say whether this language's translations are current."),
    json_out: bool = JSON,
) -> None:
    """The content hash of each English variant (what translated_from.hash records).

    Example:

        stdata templates hash xcopa --lang de     # current | stale | missing | untracked per variant
    """
    from stdata import discovery
    from stdata.authoring import hashes

    out = hashes(_registry(), task, lang)
    if json_out:
        return print_json({**out, "registry": discovery.find().to_dict()})
    cols = ["variant", "hash"] + (["status", "recorded"] if lang else [])
    table(f"{task}: English variant hashes", cols, [[r.get(c) for c in cols] for r in out["variants"]])


@app.command("diff")
def diff(
    base: str = typer.Option("HEAD", "--base", help="Git ref to compare with (its merge base with HEAD), e.g. main or origin/main."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror to read real rows from (else inline examples)."),
    hub: bool = typer.Option(False, "--hub", help="Read real rows from the Hugging Face hub when there is no --data-dir."),
    rows: int = typer.Option(3, "--rows", min=0, help="Rows rendered per changed variant."),
    fmt: str = typer.Option("text", "--format", help="text | md (a PR comment or job summary) | json."),
) -> None:
    """The registry files changed against a git ref (working tree included), validated, with before/after statements.

    Only the changed files are validated; each new or changed variant is rendered on the same rows before and after, true and false statement. Exit 1 when a changed file has an error.

    Example:

        stdata templates diff --base main --data-dir ../shared/hub --rows 3 --format md > preview.md
    """
    from stdata import discovery
    from stdata.errors import UsageError
    from stdata.review import diff as run
    from stdata.review import to_markdown, to_text

    if fmt not in ("text", "md", "json"):
        raise UsageError(f"--format must be text, md or json, not {fmt!r}")
    found = discovery.resolve()
    out = run(found.root, base, data_dir, rows, hub)
    out["registry"] = found.to_dict()
    if fmt == "json":
        print_json(out)
    else:
        sys.stdout.write(to_markdown(out) if fmt == "md" else to_text(out))
    if out["errors"]:
        raise typer.Exit(1)


@app.command("site")
def site(
    out: Path = typer.Option(..., "--out", help="Folder to write the static site into (replaced if it holds an earlier site)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Hub-layout mirror to read real rows from (else inline examples)."),
    hub: bool = typer.Option(False, "--hub", help="Read real rows from the Hugging Face hub when there is no --data-dir."),
    rows: int = typer.Option(2, "--rows", min=0, help="Rows rendered per variant and language."),
    changed_from: str | None = typer.Option(None, "--changed-from", help="Git ref: a PR preview of only what changed since it."),
    json_out: bool = JSON,
) -> None:
    """Write a static catalog (HTML, no server, no JavaScript): task x language matrix, every variant side by side.

    Example:

        stdata templates site --out site --data-dir ../shared/hub && open site/index.html

        stdata templates site --out preview --changed-from origin/main     # only what a PR changes
    """
    from stdata import discovery
    from stdata.registry import Registry
    from stdata.review import diff as review
    from stdata.samples import RowSource
    from stdata.site import build_site

    found = discovery.resolve()
    preview = review(found.root, changed_from, data_dir, rows, hub) if changed_from else None
    res = build_site(Registry.load(found.root), out, RowSource(data_dir, hub, rows), preview)
    if json_out:
        return print_json({**res, "registry": found.to_dict()})
    console.print(
        f"wrote {len(res['pages'])} page(s) for {res['tasks']} task(s) into {res['out']}; open {res['out']}/index.html", highlight=False
    )


import_app = typer.Typer(help="Bring prompts from other collections in as draft variants.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("promptsource")
def import_promptsource(
    source: str = typer.Argument(..., help="A promptsource templates.yaml (or its folder), or a dataset name such as super_glue/copa."),
    task: str = typer.Option(..., "--task", help="The stdata task the prompts become variants of."),
    lang: str = typer.Option("en", "--lang", help="Language of the prompts (the variant file written)."),
    label_names: str | None = typer.Option(
        None, "--label-names", help="classification: the dataset's label names in index order, when the source has no numeric label_map."
    ),
    dataset: str | None = typer.Option(
        None, "--source", help="Which of the task's sources maps the prompt's columns (default: the matching one)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be imported; write nothing."),
    json_out: bool = JSON,
) -> None:
    """Turn promptsource prompts into draft statement variants (input ||| target joined, answer -> candidate slot).

    Prompts that cannot be statements (free generation, targets that are not a choice, choices spelled out in the input) are skipped with one reason each; what is written passes validate.

    Example:

        stdata templates import promptsource ../shared/peers/promptsource/promptsource/templates/super_glue/copa --task copa

        stdata templates import promptsource xnli/en --task nli --label-names entailment,neutral,contradiction
    """
    from stdata.importers.promptsource import import_promptsource as run

    found, reg = _writable_registry()
    out = run(reg, source, task, lang, label_names, dataset, dry_run)
    if json_out:
        return print_json({**out, "registry": found.to_dict()})
    c = out["counts"]
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{out['dataset']}: {verb} {c['imported']} of {c['prompts']} prompt(s) into {out['file']}; skipped {c['skipped']}", highlight=False
    )
    table(None, ["prompt", "uuid", "result"], [
        *[(i["name"], i["uuid"][:8], f"imported as {i['id']}") for i in out["imported"]],
        *[(s["name"], s["uuid"][:8], f"skipped: {s['reason']}") for s in out["skipped"]],
    ])  # fmt: skip
