"""`mismatched_partner` (pair tasks): the partner text of a random other row of the same split.

The partner comes from `stdata.partners` (never the same text, never the same `group_field`), so
the false pair is never true by accident; the row it came from is kept as `negative_source_row`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kinds import PARTNER, Kind
from ..partners import PartnerSelector
from .base import Negative, NegativeStrategy
from .registry import register

if TYPE_CHECKING:
    from ..schema import Variant


@register
class MismatchedPartner(NegativeStrategy):
    name = "mismatched_partner"
    kinds = frozenset({Kind.pair})
    summary = "the partner of a random other row of the same split"

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        spec = self.group.task.spec
        self.selector = PartnerSelector(self.group.rows, spec.partner_field or "", spec.group_field)

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        j = self.selector.pick(i, self.pools[split], self.group.rng)
        if j is None:
            return None
        pf = self.group.task.spec.partner_field or ""
        text = self.group.render(variant, {**self.group.rows[i], pf: self.group.rows[j][pf]}, i)[0]
        return Negative(text, PARTNER, j)
