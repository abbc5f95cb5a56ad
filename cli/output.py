"""Printing for people (rich) and machines (JSON); no logic beyond layout.

User text (task names, registry keys, messages that quote them) is never read as rich markup:
both consoles have markup off, so `--tasks "[/bold]"` prints as typed instead of crashing the
printer. Styled output is built from `rich.text.Text` pieces.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def _cell(value: Any) -> Text:
    return value if isinstance(value, Text) else Text("" if value is None else str(value))


def fit_widths(min_widths: list[int], max_widths: list[int], room: int) -> list[int] | None:
    """Column widths that fit `room` cells without breaking a word, or None when the natural widths fit.

    Every column gets at least its longest word; what room is left goes to the columns whose
    text is longest. Only when even the longest words do not fit are the widest columns cut
    (rich then folds the words that are longer than their column).
    """
    if sum(max_widths) <= room:
        return None
    widths = list(min_widths)
    while sum(widths) > room and max(widths) > 1:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    spare = room - sum(widths)
    want = [mx - w for mx, w in zip(max_widths, widths)]
    total = sum(want)
    if spare > 0 and total > 0:
        extra = [min(want[i], spare * want[i] // total) for i in range(len(widths))]
        widths = [w + e for w, e in zip(widths, extra)]
        left = room - sum(widths)
        for i in sorted(range(len(widths)), key=lambda i: -want[i]):  # hand out what rounding left
            if left <= 0:
                break
            if widths[i] < max_widths[i]:
                widths[i] += 1
                left -= 1
    return widths


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table that fits the terminal by wrapping cells between words, never inside one (`COLUMNS=80` included)."""
    cells = [[_cell(v) for v in r] for r in rows]
    header = [Text(c) for c in columns]
    lines = [header, *cells]
    longest_word = [max((cell_len(w) for r in lines for w in r[i].plain.split()), default=1) for i in range(len(columns))]
    longest_line = [max((cell_len(ln) for r in lines for ln in r[i].plain.splitlines() or [""]), default=1) for i in range(len(columns))]
    room = console.width - (3 * len(columns) + 1)  # one space either side of each cell, and the borders
    widths = fit_widths(longest_word, longest_line, room)
    t = Table(title=title, show_lines=False)
    for i, head in enumerate(header):
        t.add_column(head, overflow="fold", width=widths[i] if widths else None)
    for r in cells:
        t.add_row(*r)
    console.print(t)


def load_registry():
    """The template registry every command reads (the library never picks one itself)."""
    from stdata.registry import Registry

    return Registry.load()
