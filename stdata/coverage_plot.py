"""The task x language coverage picture: which cells hold real rows, machine-translated rows, or nothing.

Drawn twice: by `stdata coverage` before a build (from the rows available; `MT` marks cells that
`--mt-fill` can fill from the task's English rows) and by every build into its corpus folder
(`coverage.png`, from the manifest: statements per cell, real and MT), which the dataset card
embeds. matplotlib's Agg backend, no timestamps in the file, so the picture is reproducible.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .corpus import COVERAGE_PNG, Manifest

FILE_NAME = COVERAGE_PNG
#: Cell categories, in legend order, with their colours.
CATEGORIES = {
    "real": "#2e7d32",
    "real + MT": "#9ccc65",
    "MT": "#ffb74d",
    "missing": "#e0e0e0",
}


@dataclass
class Grid:
    """Rows (tasks) x columns (languages); each cell a category and a short label."""

    tasks: list[str]
    langs: list[str]
    cells: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    note: str = ""

    def category(self, task: str, lang: str) -> str:
        return self.cells.get((task, lang), ("missing", ""))[0]


def manifest_cells(m: Manifest) -> Grid:
    """A built corpus: statements per cell, split into real and machine-translated (`*`: short of the size asked)."""
    tasks = list(m.options.get("tasks") or sorted({k.split("/")[0] for k in m.groups}))
    langs = list(m.options.get("langs") or sorted({k.split("/")[1] for k in m.groups}))
    grid = Grid(tasks, langs, note="* = fewer statements than asked; labels: real+MT statements")
    for key, g in m.groups.items():
        task, lang = key.split("/")
        mt = g.mt.statements if g.mt else 0
        real = g.total - mt
        short = "*" if g.shortfall > 0 else ""
        if g.total == 0:
            grid.cells[(task, lang)] = ("missing", "0")
        elif mt == 0:
            grid.cells[(task, lang)] = ("real", f"{real}{short}")
        elif real == 0:
            grid.cells[(task, lang)] = ("MT", f"{mt}{short}")
        else:
            grid.cells[(task, lang)] = ("real + MT", f"{real}+{mt}{short}")
    for x in m.missing:
        grid.cells.setdefault((x.task, x.lang), ("missing", "-"))
    return grid


def coverage_cells(cov: dict[str, Any]) -> Grid:
    """`stdata coverage`'s result: real rows available per cell; `MT` where only `--mt-fill` can give rows."""
    grid = Grid(list(cov["tasks"]), list(cov["langs"]), note="labels: real rows available (? = not counted); MT = --mt-fill can translate")
    for c in cov["cells"]:
        if c["status"] == "source" and c["rows"] != 0:
            cat, label = "real", "?" if c["rows"] is None else str(c["rows"])
        elif c.get("mt_fillable"):
            cat, label = "MT", "MT"
        else:
            cat, label = "missing", {"gap": "-", "unlisted": "?"}.get(c["status"], "0")
        grid.cells[(c["task"], c["lang"])] = (cat, label)
    return grid


def png_bytes(grid: Grid, title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    names = list(CATEGORIES)
    matrix = [[names.index(grid.category(t, lang)) for lang in grid.langs] for t in grid.tasks]
    fig, ax = plt.subplots(figsize=(1.6 + 0.62 * len(grid.langs), 1.6 + 0.42 * len(grid.tasks)))
    ax.imshow(matrix, cmap=ListedColormap(list(CATEGORIES.values())), vmin=0, vmax=len(names) - 1, aspect="auto")
    ax.set_xticks(range(len(grid.langs)), grid.langs, fontsize=8)
    ax.set_yticks(range(len(grid.tasks)), grid.tasks, fontsize=8)
    ax.set_xticks([x - 0.5 for x in range(1, len(grid.langs))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(grid.tasks))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    for i, t in enumerate(grid.tasks):
        for j, lang in enumerate(grid.langs):
            cat, label = grid.cells.get((t, lang), ("missing", ""))
            ax.text(j, i, label, ha="center", va="center", fontsize=5.5, color="white" if cat == "real" else "black")
    counts = {c: sum(grid.category(t, lang) == c for t in grid.tasks for lang in grid.langs) for c in names}
    ax.legend(
        handles=[Patch(color=CATEGORIES[c], label=f"{c} ({counts[c]})") for c in names],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=len(names),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title + (f"\n{grid.note}" if grid.note else ""), fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def write_png(grid: Grid, title: str, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, png_bytes(grid, title))
    return path
