"""`wrong_label` (classification): the statement of another label, the least used one so far.

Balancing the false labels keeps a label from being "usually false" in the corpus, which a model
would learn instead of the task; ties are broken by the group's generator. Only labels the source
can assert are used (`labels:` of the source): a binary source never makes a "neutral" statement.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..kinds import Kind, kind_of
from .base import Negative, NegativeStrategy
from .registry import register

if TYPE_CHECKING:
    from ..schema import Variant


@register
class WrongLabel(NegativeStrategy):
    name = "wrong_label"
    kinds = frozenset({Kind.classification})
    summary = "another label's statement, balancing how often each label is the false one"

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        self.used: Counter[str] = Counter()

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        task, row = self.group.task, self.group.rows[i]
        labels = task.spec.labels or []
        gold = kind_of(task.spec.kind).gold(task, row)
        allowed = self.group.labels or labels
        wrong = [k for k in range(len(labels)) if k != gold and labels[k] in allowed]
        if not wrong:
            return None
        least = min(self.used[labels[k]] for k in wrong)
        k = self.group.rng.choice([k for k in wrong if self.used[labels[k]] == least])
        self.used[labels[k]] += 1
        return Negative(texts[k], labels[k])
