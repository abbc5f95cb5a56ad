"""The contract of a negative strategy: how one source row's false statement is made.

A strategy is a class registered by name in `NEGATIVES` (negatives/__init__.py); task.yaml picks
it with `negatives: NAME` or `negatives: {strategy: NAME, <params>}`, its parameters validated by
the class's `Params` model. One instance serves one (task, language) group of one build, so it
may keep state (e.g. how often each wrong label was used, or an index over the group's rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..kinds import Kind

if TYPE_CHECKING:
    from ..registry import TaskEntry
    from ..schema import TaskSpec, Variant


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class GroupRows:
    """What a strategy sees of its group: canonical rows, their source indices, and the generator."""

    task: TaskEntry
    lang: str
    rows: Sequence[dict[str, Any]]
    row_ids: Sequence[int]
    rng: random.Random
    #: render(variant, row, i): one text per candidate of row `i` (or of a modified copy of it)
    render: Callable[[Variant, dict[str, Any], int], list[str]]
    #: the labels the group's source can assert (`TaskKind.source_labels`: for classification its
    #: `labels:`, else its label_map's targets); None: every label of the task
    labels: Sequence[Any] | None = None


@dataclass(frozen=True)
class Negative:
    text: str
    candidate: str  # what the false statement states: a label name, a choice index, "partner"
    source_index: int | None = None  # the row (index into GroupRows.rows) the false content came from


class NegativeStrategy:
    """Base class. Set `name`, `kinds` and (if it takes any) `Params`; implement `negative`."""

    name: ClassVar[str]
    kinds: ClassVar[frozenset[Kind]]
    Params: ClassVar[type[BaseModel]] = NoParams
    summary: ClassVar[str] = ""

    @classmethod
    def spec_errors(cls, spec: TaskSpec) -> list[str]:
        """What a task.yaml naming this strategy lacks (e.g. a `group_field`); checked by validation."""
        return []

    def __init__(self, group: GroupRows, params: BaseModel):
        self.group = group
        self.params = params

    def prepare(self, pools: dict[str, list[int]]) -> None:
        """Called once with the group's row indices per split, before any `negative` call.

        False content for a row of one split comes only from rows of that split, so nothing
        crosses the train/validation boundary. Override to build an index; call super().
        """
        self.pools = pools

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        """The false statement for row `i` of `split` (whose candidates rendered as `texts`); None if none can be made."""
        raise NotImplementedError
