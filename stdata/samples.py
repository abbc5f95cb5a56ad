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

from .catalog import _other_partner
from .errors import StdataError
from .registry import TaskEntry
from .render import RenderError
from .schema import Kind, Variant
from .sources import load_rows


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


def true_false(task: TaskEntry, variant: Variant, words: dict[str, str], rows: list[dict[str, Any]], i: int) -> dict[str, str]:
    """The true statement of row `i` and one false one, made as the build makes them (deterministically).

    classification: the next label after the gold one; multiple choice: the first other choice;
    pair: the partner of the next row that differs in text and group.
    """
    row = rows[i]
    try:
        texts = task.candidates(variant, row, words)
        kind = task.spec.kind
        if kind is Kind.classification:
            gold = list(task.spec.labels or []).index(row["label"])
            return {"true": texts[gold], "false": texts[(gold + 1) % len(texts)]}
        if kind is Kind.multiple_choice:
            gold = row["label"]
            return {"true": texts[gold], "false": next(t for k, t in enumerate(texts) if k != gold)}
        partner = _other_partner(task, rows, i) if len(rows) > 1 else None
        if partner is None:
            return {"true": texts[0], "false": ""}
        swapped = {**row, str(task.spec.partner_field): partner}
        return {"true": texts[0], "false": task.candidates(variant, swapped, words)[0]}
    except (RenderError, KeyError, ValueError, IndexError, TypeError) as e:
        return {"error": str(e) or type(e).__name__}


def render_variant(task: TaskEntry, lang: str, variant: Variant, rows: Rows) -> list[dict[str, str]]:
    """`true_false` for every row, with `lang`'s label words."""
    words = task.label_words(lang)
    return [true_false(task, variant, words, rows.rows, i) for i in range(len(rows.rows))]
