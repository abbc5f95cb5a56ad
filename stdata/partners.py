"""Choosing another row's partner text for a pair task: one selector for build, preview and eval.

A partner is acceptable when it comes from another row, its text differs from the row's own
partner, and the rows do not share `group_field` (two questions about one passage) -- so a
"mismatched" pair is never a true pair by accident. Draws are seeded: the build draws from the
group's generator, preview and evaluation from one seeded per (task, language).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

#: Random draws before falling back to the first acceptable row in pool order.
PARTNER_TRIES = 20
_WORDS = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Casefolded words joined by single spaces, punctuation dropped: two partners equal under this are the same text."""
    return " ".join(_WORDS.findall(text.casefold()))


class PartnerSelector:
    def __init__(self, rows: Sequence[dict[str, Any]], partner_field: str, group_field: str | None = None):
        self.rows, self.pf, self.gf = rows, partner_field, group_field

    def acceptable(self, i: int, j: int) -> bool:
        a, b = self.rows[i], self.rows[j]
        return j != i and a[self.pf] != b[self.pf] and (self.gf is None or a[self.gf] != b[self.gf])

    def pick(self, i: int, pool: Sequence[int], rng: random.Random) -> int | None:
        """A row of `pool` whose partner can stand in for row `i`'s, or None when there is none."""
        if len(pool) > 1:
            for _ in range(PARTNER_TRIES):
                j = pool[rng.randrange(len(pool))]
                if self.acceptable(i, j):
                    return j
        return next((j for j in pool if self.acceptable(i, j)), None)


def seeded_rng(seed: int, task: str, lang: str, purpose: str) -> random.Random:
    """A generator for one (task, language) and purpose; str seeds hash with sha512, stable everywhere."""
    return random.Random(f"{seed}/{task}/{lang}/{purpose}")
