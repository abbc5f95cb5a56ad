"""`stdata audit CORPUS`: the shortcut audit of a corpus (stdata/audit.py), as a table, flag lines or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from .output import console, print_json, table

if TYPE_CHECKING:
    from stdata.audit import AuditCell, AuditReport


def audit(
    corpus: Path = typer.Argument(..., help="Corpus directory (or hub id)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON for machines instead of tables."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any rule is flagged."),
) -> None:
    """Can trivial rules (containment, word overlap, length, bag of words) tell the true statements from the false?"""
    from stdata.audit import audit_corpus

    result = audit_corpus(corpus)
    if json_out:
        print_json(result.to_dict())
    else:
        print_report(result, f"shortcut audit of {corpus}: pair accuracy per rule")
    if strict and result.flags:
        raise typer.Exit(1)


def print_report(result: AuditReport, title: str) -> None:
    """The audit's table (flagged values in red) and one line per flag; build's summary prints the lines only."""
    flagged = {(f.task, f.lang, f.rule) for f in result.flags}

    def cell(c: AuditCell, rule: str) -> Text:
        value = c.scores.get(rule)
        text = "-" if value is None else f"{value:.3f}"
        return Text(text, style="bold red" if (c.task, c.lang, rule) in flagged else "")

    table(
        title,
        ["task", "lang", "pairs", *result.rules],
        [(c.task, c.lang, c.pairs, *(cell(c, r) for r in result.rules)) for c in result.cells],
    )
    print_flags(result)


def print_flags(result: AuditReport) -> None:
    for f in result.flags:
        console.print(Text.assemble(("flagged:", "bold red"), f" {f.line()}"), highlight=False)
    if not result.flags:
        console.print(
            f"shortcut audit: no rule reaches {result.threshold:.2f} pair accuracy in any of {len(result.cells)} task/language cells",
            highlight=False,
        )
