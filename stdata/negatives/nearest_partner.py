"""`nearest_partner` (pair tasks): the partner of the most similar other row of the same split.

A random other row's partner (`mismatched_partner`) is easy to reject without understanding: an
unrelated headline shares no words with the article, a random sentence differs in length and
topic from the translation it replaces. Here the false partner comes from the row whose fixed
text (every field but the partner, e.g. the article or the source sentence) is most similar:
TF-IDF over character n-grams within words (scikit-learn's TfidfVectorizer; works across
scripts, no tokeniser needed), cosine similarity, ties broken by row index. It draws nothing from
the generator, so it is deterministic by construction.

A candidate row is skipped when it could make the false statement true after all: the same row,
the same `group_field` value, a partner equal to the gold one once casefolded and stripped of
punctuation, a partner whose character n-gram similarity to the gold one reaches
`max_partner_similarity` (a paraphrase), or a fixed text whose similarity to the row's reaches
`max_text_similarity` (the same example again, e.g. a sentence listed twice with two translations).

Only the first `candidates` rows of a split (in the build's seeded order) are searched, and rows
are compared in chunks, so memory stays bounded on large sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..kinds import PARTNER, Kind
from ..partners import normalise
from .base import Negative, NegativeStrategy
from .registry import register

if TYPE_CHECKING:
    from ..schema import Variant

#: Rows compared with the candidates at once (a dense chunk x candidates block of float32).
CHUNK = 256
#: Best-ranked candidates checked before the whole ranking is.
TOP = 64


class NearestParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: character n-gram sizes of the TF-IDF (within word boundaries)
    ngram_range: tuple[int, int] = (2, 4)
    #: a partner at least this similar to the gold one (cosine, character n-grams) is a paraphrase: skipped
    max_partner_similarity: float = Field(default=0.7, gt=0, le=1)
    #: a row whose fixed text is at least this similar to this row's is the same example: skipped
    max_text_similarity: float = Field(default=0.95, gt=0, le=1)
    #: the most rows of a split searched for each row (the first ones in the split's seeded order)
    candidates: int = Field(default=20_000, ge=2)


class _SplitIndex:
    """One split's candidate rows: TF-IDF of their fixed text and of their partner, and their keys."""

    def __init__(self, rows: list[dict[str, Any]], pool: list[int], fixed: list[str], pf: str, gf: str | None, p: NearestParams):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.rows, self.pool, self.fixed_fields, self.pf, self.gf = rows, pool, fixed, pf, gf
        self.cand = np.array(pool[: p.candidates])
        self.pos = {j: k for k, j in enumerate(pool)}
        self.text_vec, self.partner_vec = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=p.ngram_range, sublinear_tf=True, dtype=np.float32) for _ in range(2)
        )
        partner_texts = self.partners(self.cand)
        self.x = self.text_vec.fit_transform(self.fixed(self.cand))
        self.p = self.partner_vec.fit_transform(partner_texts)
        self.norm = np.array([normalise(t) for t in partner_texts], dtype=object)
        self.groups = np.array([rows[j][gf] for j in self.cand], dtype=object) if gf else None

    def fixed(self, js) -> list[str]:
        return ["\n".join(self.rows[j][f] for f in self.fixed_fields) for j in js]

    def partners(self, js) -> list[str]:
        return [self.rows[j][self.pf] for j in js]


@register
class NearestPartner(NegativeStrategy):
    name = "nearest_partner"
    kinds = frozenset({Kind.pair})
    Params = NearestParams
    params: NearestParams
    summary = "the partner of the most similar other row of the same split (TF-IDF over the fixed text)"

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        spec = self.group.task.spec
        pf = spec.partner_field or ""
        fixed = [f for f in spec.fields if f != pf]
        rows = list(self.group.rows)
        self.index = {
            split: _SplitIndex(rows, pool, fixed, pf, spec.group_field, self.params) for split, pool in pools.items() if len(pool) > 1
        }
        self.chosen: dict[tuple[str, int], int | None] = {}

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        if (split, i) not in self.chosen:
            self._rank(split, i)
        j = self.chosen[(split, i)]
        if j is None:
            return None
        pf = self.group.task.spec.partner_field or ""
        text = self.group.render(variant, {**self.group.rows[i], pf: self.group.rows[j][pf]}, i)[0]
        return Negative(text, PARTNER, j)

    def _rank(self, split: str, i: int) -> None:
        """Choose the partners of the next CHUNK rows of the split, starting at row `i` (the order the build asks in)."""
        idx = self.index.get(split)
        if idx is None:
            self.chosen[(split, i)] = None
            return
        start = idx.pos[i]
        chunk = [j for j in idx.pool[start:] if (split, j) not in self.chosen][:CHUNK]
        sims = (idx.text_vec.transform(idx.fixed(chunk)) @ idx.x.T).toarray()
        partners = idx.partner_vec.transform(idx.partners(chunk))
        for q, row in enumerate(chunk):
            self.chosen[(split, row)] = self._best(idx, row, sims[q], partners[q])

    def _best(self, idx: _SplitIndex, i: int, sims: np.ndarray, partner) -> int | None:
        """The first acceptable candidate by `sims` (most similar first, ties by row index), or None."""
        p = self.params
        gold = normalise(idx.rows[i][idx.pf])
        group = idx.rows[i][idx.gf] if idx.gf else None
        # the TOP most similar, and every row tied with the last of them (so a tie is always broken by row index)
        top = np.flatnonzero(sims >= -np.partition(-sims, TOP - 1)[TOP - 1]) if len(sims) > TOP else np.arange(len(sims))
        for ranked in (top, np.arange(len(sims))):  # the best TOP first; the whole ranking only if none of them fits
            order = ranked[np.lexsort((idx.cand[ranked], -sims[ranked]))]  # most similar first, ties by row index
            ok = (idx.cand[order] != i) & (idx.norm[order] != gold) & (sims[order] < p.max_text_similarity)
            if idx.groups is not None:
                ok &= idx.groups[order] != group
            if ok.any():
                close = (idx.p[order[ok]] @ partner.T).toarray().ravel() >= p.max_partner_similarity
                fits = order[ok][~close]
                if len(fits):
                    return int(idx.cand[fits[0]])
        return None
