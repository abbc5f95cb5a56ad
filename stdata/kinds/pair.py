"""Pair tasks: one statement per (text, partner); the row's own pair is true.

False statements and evaluation's negative examples replace `partner_field` with another row's
value, chosen by `stdata.partners` (rows sharing `group_field` never partner each other).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..render import compile_template
from .base import Kind, TaskKind

if TYPE_CHECKING:
    from ..registry import TaskEntry
    from ..schema import TaskSpec, Variant

PARTNER = "partner"  # the `candidate` of every pair statement


class Pair(TaskKind):
    kind = Kind.pair
    default_negatives = "mismatched_partner"
    binary = True

    def spec_errors(self, spec: TaskSpec) -> list[str]:
        if spec.partner_field not in spec.fields:
            return ["a pair task needs partner_field naming one of its fields"]
        if spec.group_field is not None and spec.group_field not in spec.fields:
            return [f"group_field {spec.group_field!r} is not one of the fields"]
        return []

    def render(self, task: TaskEntry, variant: Variant, row: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
        return [compile_template(variant.statement or "").render(row)]

    def candidate_names(self, task: TaskEntry, row: Mapping[str, Any]) -> list[str]:
        return [PARTNER]

    def gold(self, task: TaskEntry, row: Mapping[str, Any]) -> int:
        return 0

    def eval_examples(self, task: TaskEntry, rows: list[dict], partner_of) -> tuple[list[dict], list[int], Counter]:
        """Each row's own pair (gold 1 = true) and, as a separate example, the pair with another row's partner (gold 0)."""
        pf = task.spec.partner_field or ""
        out, gold, skipped = [], [], Counter[str]()
        for i, row in enumerate(rows):
            out.append(row)
            gold.append(1)
            j = partner_of(i)
            if j is None:
                skipped["no other partner"] += 1
                continue
            out.append({**row, pf: rows[j][pf]})
            gold.append(0)
        return out, gold, skipped

    def slot_findings(self, spec: TaskSpec, variant: Variant, variables: frozenset[str]) -> list[tuple[str, str]]:
        if spec.partner_field not in variables:
            return [("partner-slot", f"a pair statement must use the partner field {{{{ {spec.partner_field} }}}}")]
        return []
