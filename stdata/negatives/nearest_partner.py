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

Only the first `candidates` rows of a split (in the build's seeded order) are searched, on the
first `max_chars` characters of their fixed text, and rows are compared in chunks of CHUNK, so
time and memory stay bounded on large sources.
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

#: Rows compared with the candidates at once (dense chunk x candidates blocks).
CHUNK = 256


class NearestParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: character n-gram sizes of the TF-IDF (within word boundaries)
    ngram_range: tuple[int, int] = (3, 3)
    #: a partner at least this similar to the gold one (cosine, character n-grams) is a paraphrase: skipped
    max_partner_similarity: float = Field(default=0.7, gt=0, le=1)
    #: a row whose fixed text is at least this similar to this row's is the same example: skipped
    max_text_similarity: float = Field(default=0.95, gt=0, le=1)
    #: the most rows of a split searched for each row (the first ones in the split's seeded order)
    candidates: int = Field(default=20_000, ge=2)
    #: the fixed text is compared on its first this many characters (an article's lead carries its topic)
    max_chars: int = Field(default=1000, ge=1)


def _codes(values: list[Any]) -> tuple[dict[Any, int], np.ndarray]:
    """Each distinct value as an integer, so "same text" and "same group" are integer comparisons."""
    index: dict[Any, int] = {}
    return index, np.array([index.setdefault(v, len(index)) for v in values])


class _SplitIndex:
    """One split's candidate rows: TF-IDF of their fixed text and of their partner, and their keys."""

    def __init__(self, rows: list[dict[str, Any]], pool: list[int], fixed: list[str], pf: str, gf: str | None, p: NearestParams):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.rows, self.pool, self.fixed_fields, self.pf, self.gf, self.max_chars = rows, pool, fixed, pf, gf, p.max_chars
        self.cand = np.array(pool[: p.candidates])
        self.pos = {j: k for k, j in enumerate(pool)}
        self.text_vec, self.partner_vec = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=p.ngram_range, sublinear_tf=True, dtype=np.float32) for _ in range(2)
        )
        self.x = self.text_vec.fit_transform(self.fixed(self.cand))
        self.p = self.partner_vec.fit_transform(self.partners(self.cand))
        self.norm_index, self.norm = _codes([normalise(t) for t in self.partners(self.cand)])
        self.group_index: dict[Any, int] = {}
        self.groups: np.ndarray | None = None
        if gf:
            self.group_index, self.groups = _codes([rows[j][gf] for j in self.cand])

    def fixed(self, js) -> list[str]:
        return ["\n".join(self.rows[j][f] for f in self.fixed_fields)[: self.max_chars] for j in js]

    def partners(self, js) -> list[str]:
        return [self.rows[j][self.pf] for j in js]

    def vectors(self, js: list[int]):
        """TF-IDF rows of the fixed texts and partners of rows `js`: taken from the index for candidates."""
        if all(self.pos[j] < len(self.cand) for j in js):
            k = [self.pos[j] for j in js]
            return self.x[k], self.p[k]
        return self.text_vec.transform(self.fixed(js)), self.partner_vec.transform(self.partners(js))

    def best(self, js: list[int], p: NearestParams) -> list[int | None]:
        """For each row of `js`: the candidate with the most similar fixed text that may stand in, ties by
        row index (whole block at once: chunk x candidates similarity matrices)."""
        x, partners = self.vectors(js)
        sims = (x @ self.x.T).toarray()
        ok = (self.cand[None, :] != np.array(js)[:, None]) & (sims < p.max_text_similarity)
        ok &= (partners @ self.p.T).toarray() < p.max_partner_similarity
        gold = np.array([self.norm_index.get(normalise(self.rows[j][self.pf]), -1) for j in js])
        ok &= self.norm[None, :] != gold[:, None]
        if self.groups is not None and self.gf:
            own = np.array([self.group_index.get(self.rows[j][self.gf], -1) for j in js])
            ok &= self.groups[None, :] != own[:, None]
        masked = np.where(ok, sims, -np.inf)
        top = masked.max(axis=1)
        winners = np.where(masked == top[:, None], self.cand[None, :], np.iinfo(np.int64).max).min(axis=1)
        return [None if t == -np.inf else int(w) for t, w in zip(top, winners)]


@register
class NearestPartner(NegativeStrategy):
    name = "nearest_partner"
    kinds = frozenset({Kind.pair})
    Params = NearestParams
    params: NearestParams
    summary = "the partner of the most similar other row of the same split (TF-IDF over the fixed text)"

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        self.index: dict[str, _SplitIndex] = {}  # built on first use: a fallback may never need one
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
        pool = self.pools[split]
        if len(pool) < 2:
            self.chosen[(split, i)] = None
            return
        if split not in self.index:
            spec = self.group.task.spec
            pf = spec.partner_field or ""
            fixed = [f for f in spec.fields if f != pf]
            self.index[split] = _SplitIndex(list(self.group.rows), pool, fixed, pf, spec.group_field, self.params)
        idx = self.index[split]
        chunk = [j for j in pool[idx.pos[i] :] if (split, j) not in self.chosen][:CHUNK]
        for j, best in zip(chunk, idx.best(chunk, self.params)):
            self.chosen[(split, j)] = best
