"""A few rows of a task in a language, and each variant's true and false statement on them.

Shared by the review views (`stdata templates diff`, `stdata templates site`): a reviewer judges
a template by what it produces, so both show real rows where a mirror (or the hub) is at hand and
the task's inline examples otherwise, always saying which. A row that cannot be loaded or rendered
becomes a note or an error entry, never an exception: a preview must show every other variant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StdataError
from .registry import TaskEntry
from .render import RenderError
from .schema import Variant
from .sources import load_rows
from .statements import Previewer


@dataclass
class Rows:
    """Rows to render, where they came from, and why they are not real rows when they are not."""

    rows: list[dict[str, Any]]
    origin: str
    note: str | None = None


@dataclass
class RowSource:
    """Where preview rows come from: a hub-layout mirror, the hub itself, or only inline examples."""

    data_dir: Path | None = None
    hub: bool = False
    n: int = 3
    _cache: dict[tuple[str, str], Rows] = field(default_factory=dict)

    @property
    def real(self) -> bool:
        return self.data_dir is not None or self.hub

    def rows(self, task: TaskEntry, lang: str) -> Rows:
        """`n` rows of `task` in `lang`; cached per (task sources, language)."""
        key = (json.dumps([s.model_dump() for s in task.spec.sources], sort_keys=True) + json.dumps(task.spec.examples), lang)
        if key not in self._cache:
            self._cache[key] = self._load(task, lang)
        return self._cache[key]

    def _load(self, task: TaskEntry, lang: str) -> Rows:
        inline = Rows(list(task.spec.examples)[: self.n], "inline examples of task.yaml")
        if not self.real:
            return inline
        try:
            loaded = load_rows(task, lang, self.data_dir)
        except (StdataError, OSError) as e:
            inline.note = f"real rows unavailable ({' '.join(str(e).split())[:160]})"
            return inline
        if loaded is None:
            inline.note = f"no source of {task.name} has language {lang}"
            return inline
        if not loaded.rows:
            inline.note = f"{loaded.dataset} {loaded.config}/{loaded.split} gave no usable rows"
            return inline
        return Rows(loaded.rows[: self.n], f"{loaded.dataset} {loaded.config}/{loaded.split}")


def render_variant(task: TaskEntry, lang: str, variant: Variant, rows: Rows) -> list[dict[str, str]]:
    """The true statement of every row and the false one the build would make from these rows, with `lang`'s label words."""
    try:
        previewer = Previewer(task, rows.rows, task.label_words(lang), lang)
    except (StdataError, ValueError) as e:
        return [{"error": str(e)}] * len(rows.rows)
    out = []
    for i in range(len(rows.rows)):
        try:
            texts, gold, false = previewer.statements(i, variant)
            out.append({"true": texts[gold], "false": false or ""})
        except (RenderError, KeyError, ValueError, IndexError, TypeError) as e:
            out.append({"error": str(e) or type(e).__name__})
    return out
