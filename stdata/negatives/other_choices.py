"""`other_choices` (multiple choice): the statement of a random other choice of the same row.

A choice whose statement reads exactly like the gold one is never used (it would be a true
statement labelled false); a row with no other distinct choice yields no pair and is counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kinds import Kind
from .base import Negative, NegativeStrategy
from .registry import register

if TYPE_CHECKING:
    from ..schema import Variant


@register
class OtherChoices(NegativeStrategy):
    name = "other_choices"
    kinds = frozenset({Kind.multiple_choice})
    summary = "a random other choice of the same row"

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        gold = int(self.group.rows[i]["label"])
        wrong = [k for k in range(len(texts)) if k != gold and texts[k] != texts[gold]]
        if not wrong:
            return None
        k = self.group.rng.choice(wrong)
        return Negative(texts[k], str(k))
