"""`stdata balance`: the summary of a mixed corpus; options and work are stdata.balance's."""

from __future__ import annotations

import inspect
import sys

import typer

from stdata.balance import BalanceOptions, balance

from .options import command_from, flag
from .output import console, err_console, load_registry, print_json, table


def _balance(opts: BalanceOptions, corpora: list[str], json_out: bool) -> None:
    opts.corpora = list(corpora)
    opts.command = ["stdata", *sys.argv[1:]]
    m = balance(opts, load_registry(), progress=None if json_out else lambda s: err_console.print(s, highlight=False))
    if json_out:
        return print_json(m.to_dict())
    table(f"inputs of {opts.out}", ["corpus", "fingerprint", "statements", "used"],
          [(x.corpus, x.fingerprint or "-", sum(x.counts.values()), x.used) for x in m.lineage or []])  # fmt: skip
    console.print(
        f"{len(m.groups)} task/language groups, train {m.counts['train']}  validation {m.counts['validation']}  "
        f"fingerprint {m.fingerprint}",
        highlight=False,
    )
    if m.skipped:
        console.print(f"passed over: {m.skipped}", highlight=False)
    if m.shortfalls:
        console.print(
            f"{len(m.shortfalls)} group(s) short, e.g. " + ", ".join(f"{s.task}/{s.lang} {s.got}/{s.wanted}" for s in m.shortfalls[:5]),
            highlight=False,
        )
    rows = [(t, ", ".join(o.langs_checked) or "-", o.eval_texts, o.exact, o.normalized, "; ".join(o.not_checked)[:120])
            for t, o in (m.eval_overlap or {}).items()]  # fmt: skip
    table(
        "overlap with the evaluation tasks (statements containing their text)",
        ["task", "languages read", "texts", "exact", "normalised", "not checked"],
        rows,
    )


balance_command = command_from(
    BalanceOptions,
    _balance,
    doc="Mix corpora (folders or hub ids) into one, balanced again per task x language, deduplicated, with lineage and an eval-overlap check.",
    required=["out"],
    extra=[
        inspect.Parameter(
            "corpora",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Argument(..., help="Input corpora: folders or hub ids."),
            annotation=list[str],
        ),
        flag("json_out", "--json", "Print the manifest as JSON instead of the summary."),
    ],
)
