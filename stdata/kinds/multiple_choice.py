"""Multiple choice: one statement per choice (`{{ choice }}`); the gold choice's statement is true.

Rows carry `choices` (one source column per candidate) and `label`, the gold choice's index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..render import compile_template
from .base import CHOICE_SLOT, Finding, Kind, TaskKind

if TYPE_CHECKING:
    from ..registry import TaskEntry
    from ..schema import Source, TaskSpec, Variant


class MultipleChoice(TaskKind):
    kind = Kind.multiple_choice
    extra_columns = ("choices", "label")  # the candidate list and the gold index
    slot = CHOICE_SLOT
    default_negatives = "other_choices"
    text_columns = ("choices",)

    def spec_errors(self, spec: TaskSpec) -> list[str]:
        return ["a multiple-choice task needs num_choices"] if spec.num_choices is None else []

    def example_errors(self, spec: TaskSpec, example: Mapping[str, Any]) -> list[str]:
        out = super().example_errors(spec, example)
        ch = example["choices"]
        if not isinstance(ch, list) or len(ch) != spec.num_choices or not all(isinstance(c, str) and c for c in ch):
            return [*out, f"choices must be {spec.num_choices} non-empty texts"]
        if not isinstance(example["label"], int) or not 0 <= example["label"] < len(ch):
            out.append(f"label must be a choice index 0..{len(ch) - 1}")
        return out

    def source_findings(self, spec: TaskSpec, src: Source) -> list[Finding]:
        out: list[Finding] = []
        ch = src.columns.get("choices")
        if ch is not None and (not isinstance(ch, list) or len(ch) != spec.num_choices):
            out.append((("columns", "choices"), "source-columns", f"source {src.dataset}: choices must list {spec.num_choices} columns"))
        for raw, target in (src.label_map or {}).items():
            if not (isinstance(target, int) and 0 <= target < (spec.num_choices or 0)):
                out.append(
                    (
                        ("label_map", raw),
                        "bad-label-map",
                        f"source {src.dataset}: label_map {raw!r} -> {target!r} is not a valid choice index",
                    )
                )
        return out

    def source_labels(self, spec: TaskSpec, src: Source) -> list[Any] | None:
        """The gold indices the label_map can give (without one, raw indices are not enumerable)."""
        if not src.label_map:
            return None
        return sorted({v for v in src.label_map.values() if isinstance(v, int) and 0 <= v < (spec.num_choices or 0)})

    def canonical_label(self, spec: TaskSpec, src: Source, raw: Any) -> Any:
        """The gold index a raw value stands for (through `label_map`), or -1."""
        key = "" if raw is None else str(raw)
        value: Any = {str(k): v for k, v in src.label_map.items()}.get(key) if src.label_map else raw
        if isinstance(raw, bool):
            return -1
        try:
            return int(value)
        except (TypeError, ValueError):
            return -1

    def read_row(self, spec: TaskSpec, src: Source, record: Mapping[str, Any], row: dict[str, Any], label_names: dict) -> str | None:
        from ..sources import get_path, raw_label

        choices = [get_path(record, c) for c in src.columns["choices"]]
        if any(c is None or not str(c).strip() for c in choices):
            return "empty choice"
        row["choices"] = [str(c).strip() for c in choices]
        raw, reason = raw_label(src, record, label_names)
        if reason:
            return reason
        index = self.canonical_label(spec, src, raw)
        if not 0 <= index < len(row["choices"]):
            return "label out of range"
        row["label"] = index
        return None

    def render(self, task: TaskEntry, variant: Variant, row: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
        tpl = compile_template(variant.statement or "")
        return [tpl.render({**row, CHOICE_SLOT: c}) for c in row["choices"]]

    def candidate_names(self, task: TaskEntry, row: Mapping[str, Any]) -> list[str]:
        return [str(k) for k in range(len(row["choices"]))]

    def gold(self, task: TaskEntry, row: Mapping[str, Any]) -> int:
        return int(row["label"])

    def slot_findings(self, spec: TaskSpec, variant: Variant, variables: frozenset[str]) -> list[tuple[str, str]]:
        if CHOICE_SLOT not in variables:
            return [("choice-slot", f"a multiple-choice statement must use {{{{ {CHOICE_SLOT} }}}}")]
        return []
