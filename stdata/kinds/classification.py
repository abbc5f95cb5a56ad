"""Classification: one statement per label; the gold label's statement is true.

A variant gives either `statements` (one template per label) or one `statement` with a
`{{ label }}` slot filled with each label's words (handy for MASSIVE's 60 intents). Source labels
are read by name (a ClassLabel index is turned into its name) and mapped by `label_map`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..render import TemplateProblem, compile_template
from .base import LABEL_SLOT, Finding, Kind, TaskKind

if TYPE_CHECKING:
    from ..registry import TaskEntry, TemplateSet
    from ..schema import Source, TaskSpec, Variant


class Classification(TaskKind):
    kind = Kind.classification
    extra_columns = ("label",)  # the gold label name
    slot = LABEL_SLOT
    default_negatives = "wrong_label"
    uses_label_words = True

    def spec_errors(self, spec: TaskSpec) -> list[str]:
        if not spec.labels or len(spec.labels) < 2:
            return ["a classification task needs at least two labels"]
        if len(set(spec.labels)) != len(spec.labels):
            return ["labels repeat"]
        if spec.label_words is not None and set(spec.label_words) != set(spec.labels):
            return ["label_words must give words for exactly the task's labels"]
        return []

    def example_errors(self, spec: TaskSpec, example: Mapping[str, Any]) -> list[str]:
        out = super().example_errors(spec, example)
        if example["label"] not in (spec.labels or []):
            out.append(f"label {example['label']!r} is not one of {spec.labels}")
        return out

    def source_findings(self, spec: TaskSpec, src: Source) -> list[Finding]:
        out: list[Finding] = [
            (("label_map", raw), "bad-label-map", f"source {src.dataset}: label_map {raw!r} -> {target!r} is not a valid label")
            for raw, target in (src.label_map or {}).items()
            if target not in (spec.labels or [])
        ]
        for lab in src.labels or []:
            if lab not in (spec.labels or []):
                out.append((("labels",), "bad-source-labels", f"source {src.dataset}: labels: {lab!r} is not a label of the task"))
        if src.labels and len(set(src.labels)) != len(src.labels):
            out.append((("labels",), "bad-source-labels", f"source {src.dataset}: labels repeat"))
        for raw, target in (src.label_map or {}).items():
            if src.labels and target in (spec.labels or []) and target not in src.labels:
                msg = f"source {src.dataset}: label_map {raw!r} -> {target!r}, a label missing from the source's labels {src.labels}"
                out.append((("label_map", raw), "bad-source-labels", msg))
        return out

    def source_labels(self, spec: TaskSpec, src: Source) -> list[Any] | None:
        """Its `labels:`, else the label_map's targets, else every label of the task."""
        if src.labels:
            return list(src.labels)
        if src.label_map:
            targets = {str(v) for v in src.label_map.values()}
            return [lab for lab in spec.labels or [] if lab in targets]
        return list(spec.labels or [])

    def canonical_label(self, spec: TaskSpec, src: Source, raw: Any) -> Any:
        """The label name a raw value stands for: through `label_map`, else the value as text."""
        key = "" if raw is None else str(raw)
        return {str(k): v for k, v in src.label_map.items()}.get(key) if src.label_map else key

    def read_row(self, spec: TaskSpec, src: Source, record: Mapping[str, Any], row: dict[str, Any], label_names: dict) -> str | None:
        from ..sources import raw_label

        raw, reason = raw_label(src, record, label_names)
        if reason:
            return reason
        value = self.canonical_label(spec, src, raw)
        if value not in (spec.labels or []):
            return "label out of range"
        if src.labels and value not in src.labels:
            return "label outside the source's labels"
        row["label"] = value
        return None

    def render(self, task: TaskEntry, variant: Variant, row: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
        labels = task.spec.labels or []
        if variant.statements is not None:
            return [compile_template(variant.statements[lab]).render({**row, LABEL_SLOT: words[lab]}) for lab in labels]
        tpl = compile_template(variant.statement or "")
        return [tpl.render({**row, LABEL_SLOT: words[lab]}) for lab in labels]

    def candidate_names(self, task: TaskEntry, row: Mapping[str, Any]) -> list[str]:
        return list(task.spec.labels or [])

    def gold(self, task: TaskEntry, row: Mapping[str, Any]) -> int:
        return (task.spec.labels or []).index(row["label"])

    def stratum(self, row: Mapping[str, Any]) -> Any:
        return row["label"]

    def variant_findings(self, spec: TaskSpec, ts: TemplateSet, variant: Variant, source_lang: str) -> tuple[list[Finding], bool]:
        labels = spec.labels or []
        if variant.statements is not None:
            out: list[Finding] = []
            missing = [lab for lab in labels if lab not in variant.statements]
            for lab in (lab for lab in variant.statements if lab not in labels):
                close = difflib.get_close_matches(lab, labels, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                out.append((("statements", lab), "unknown-label", f"label {lab!r} is not a label of the task{hint}"))
            if missing:
                out.append((("statements",), "missing-label", f"no statement for label(s) {', '.join(missing)}"))
            if not out:
                out = self._label_words_findings(spec, ts, variant, source_lang)
            return out, not out
        found = self._label_words_findings(spec, ts, variant, source_lang)
        return found, not found

    def _label_words_findings(self, spec: TaskSpec, ts: TemplateSet, variant: Variant, source_lang: str) -> list[Finding]:
        """`{{ label }}` needs words in the variant's language: else English renders the raw label
        names ("about scitech") and any other language English words."""
        if (spec.label_words if ts.lang == source_lang else ts.file.label_words) is not None:
            return []
        for slot, source in variant.templates.items():
            try:
                uses = LABEL_SLOT in compile_template(source).variables
            except TemplateProblem:
                continue  # reported when the variant is compiled
            if not uses:
                continue
            key = ("statements", slot) if variant.statements is not None else ("statement",)
            if ts.lang == source_lang:
                msg = f"`{{{{ {LABEL_SLOT} }}}}` would render the raw label names (e.g. {(spec.labels or [''])[0]!r}): give task.yaml label_words"
            else:
                msg = f"a `{{{{ {LABEL_SLOT} }}}}` statement in {ts.lang} needs this file's label_words"
            return [(key, "label-words", msg)]
        return []

    def slot_findings(self, spec: TaskSpec, variant: Variant, variables: frozenset[str]) -> list[tuple[str, str]]:
        if variant.statement is not None and LABEL_SLOT not in variables:
            return [("label-slot", f"a single classification statement must use {{{{ {LABEL_SLOT} }}}}")]
        return []
