"""The contract every task kind fulfils; `classification.py`, `multiple_choice.py` and `pair.py`
each implement it in one file, so what a kind means is read (and changed) in one place.

A kind owns: the canonical columns of its rows besides the task's text fields, the template slot
it fills per candidate, how a source's raw label becomes the canonical one, the candidates of a
row and which one is true, the checks its task.yaml, inline examples, sources and variants must
pass, and the negative strategy it uses unless task.yaml names another.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..registry import TaskEntry, TemplateSet
    from ..schema import Source, TaskSpec, Variant

#: The slot a multiple-choice statement fills with each candidate answer.
CHOICE_SLOT = "choice"
#: The slot a single classification `statement` fills with each label's words.
LABEL_SLOT = "label"


class Kind(str, Enum):
    """How a task's examples become statements (and how false statements are made)."""

    classification = "classification"  # one statement per label; false = a wrong label
    multiple_choice = "multiple_choice"  # one statement per choice; false = another choice
    pair = "pair"  # one statement per (text, partner); false = a partner from another row


#: (path inside task.yaml or the variant, problem code, message) -- validate.py adds file and line.
Finding = tuple[tuple[Any, ...], str, str]


class TaskKind:
    """Base class: the behaviour shared by all kinds, overridden where a kind differs."""

    kind: Kind
    #: canonical columns every row has besides the task's declared `fields`
    extra_columns: tuple[str, ...] = ()
    #: the variable a single-`statement` template fills per candidate (None: no slot)
    slot: str | None = None
    #: the registered negative strategy used when task.yaml does not name one
    default_negatives: str = ""
    #: evaluation: one statement per example, decided by P(True) > 0.5 instead of an argmax
    binary: bool = False
    #: canonical columns besides the fields that hold text to translate (multiple choice: the choices)
    text_columns: tuple[str, ...] = ()
    #: a single `statement` fills its slot with label words, which a translation must bring along
    uses_label_words: bool = False

    # -- task.yaml ------------------------------------------------------------------------------
    def spec_errors(self, spec: TaskSpec) -> list[str]:
        """Rules on the task's own keys (the first one fails the schema)."""
        return []

    def row_columns(self, spec: TaskSpec) -> tuple[str, ...]:
        return tuple(spec.fields) + self.extra_columns

    def example_errors(self, spec: TaskSpec, example: Mapping[str, Any]) -> list[str]:
        """What is wrong with one inline example whose columns are already complete."""
        bad = [f for f in spec.fields if not isinstance(example[f], str) or not example[f].strip()]
        return [f"fields {bad} must be non-empty text"] if bad else []

    def source_findings(self, spec: TaskSpec, src: Source) -> list[Finding]:
        """Checks of one `sources:` entry beyond the column set."""
        return []

    def source_labels(self, spec: TaskSpec, src: Source) -> list[Any] | None:
        """The canonical labels every group of `src` must yield rows for (None: not checked).

        A label that yields no row at all means a `label_map` typo or a source that cannot assert
        it: the build refuses such a group instead of silently dropping a class."""
        return None

    def canonical_label(self, spec: TaskSpec, src: Source, raw: Any) -> Any:
        """The canonical label a raw source label stands for (what `read_row` stores as `label`)."""
        return raw

    # -- source rows ----------------------------------------------------------------------------
    def read_row(self, spec: TaskSpec, src: Source, record: Mapping[str, Any], row: dict[str, Any], label_names: dict) -> str | None:
        """Fill the kind's extra columns of `row` from `record`; the reason to skip it, or None."""
        return None

    # -- statements -----------------------------------------------------------------------------
    def render(self, task: TaskEntry, variant: Variant, row: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
        """One statement per candidate of `row`, in candidate order."""
        raise NotImplementedError

    def candidate_names(self, task: TaskEntry, row: Mapping[str, Any]) -> list[str]:
        """What each candidate states (the corpus's `candidate` column), in candidate order."""
        raise NotImplementedError

    def gold(self, task: TaskEntry, row: Mapping[str, Any]) -> int:
        """The index of the true candidate of `row`."""
        raise NotImplementedError

    def stratum(self, row: Mapping[str, Any]) -> Any:
        """The value rows are balanced over when sampled (None: no stratification)."""
        return None

    def eval_examples(self, task: TaskEntry, rows: list[dict], partner_of) -> tuple[list[dict], list[int], Counter]:
        """The rows to score at evaluation and each one's gold candidate; `partner_of(i)` serves pair tasks."""
        return rows, [self.gold(task, r) for r in rows], Counter()

    # -- variants -------------------------------------------------------------------------------
    def variant_findings(self, spec: TaskSpec, ts: TemplateSet, variant: Variant, source_lang: str) -> tuple[list[Finding], bool]:
        """Shape checks of a variant (form, labels, label words); (findings, whether to go on checking it)."""
        if variant.statements is not None:
            return [(("statements",), "wrong-form", f"a {self.kind.value} variant has one `statement`, not `statements` per label")], False
        return [], True

    def slot_findings(self, spec: TaskSpec, variant: Variant, variables: frozenset[str]) -> list[tuple[str, str]]:
        """(code, message) for a compiled template that misses the slot this kind fills."""
        return []
