"""`same_context_span` (extractive QA): a wrong answer taken from the row's own passage.

With answers from other passages (`mismatched_partner`), "is the answer in the passage?" tells
true from false 99% of the time, and a model learns that instead of reading the question. Here
the false answer is always in the passage too: the answer of another question about the same
passage (XQuAD has about five per passage), else a span of the passage of similar length and type
(a number for a number, a capitalised name for a name). Never the gold answer, never a text
containing it or contained in it, never one sharing a content word with it, never empty; a span
never overlaps an occurrence of the gold answer in the passage.

Only rows of the same split are used (the base contract), so a validation row whose passage has no
other validation question gets a span. `negative_source_row` names the row whose answer was used,
or the row itself for a span of its own passage.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ..kinds import PARTNER, Kind
from ..partners import normalise
from .base import Negative, NegativeStrategy
from .registry import register

if TYPE_CHECKING:
    from ..schema import TaskSpec, Variant


class SpanParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: first try the answers of other questions about the same passage (false: spans only)
    other_answers: bool = True
    #: a span's length in characters may differ from the gold answer's by this share of it
    length_tolerance: float = Field(default=0.5, gt=0)


_EDGE = " \t\n\"'`“”‘’«»„‚「」『』《》()[]{}.,;:!?。、，：；！？"
#: punctuation that ends a clause: a span never runs across it
_CLAUSE_END = frozenset(".,;:!?。、，：；！？…")
#: punctuation that ends a sentence: the next word's capital says nothing about a name
_SENTENCE_END = frozenset(".!?。！？…")
_WORD = re.compile(r"\S+")


def answer_type(text: str) -> str:
    """number (has a digit), name (every word capitalised, in a cased script) or other."""
    if any(ch.isdigit() for ch in text):
        return "number"
    words = [w for w in text.split() if w[:1].isalpha()]
    if words and all(w[0].isupper() for w in words):
        return "name"
    return "other"


def _content_words(text: str) -> set[str]:
    return {w for w in text.split() if len(w) >= 4 or any(ch.isdigit() for ch in w)}


def overlaps(gold: str, other: str) -> bool:
    """Would `other` be (part of) a true answer? Empty, equal, containing or contained, or sharing a content word."""
    a, b = normalise(gold), normalise(other)
    if not a or not b or a in b or b in a:
        return True
    return bool(_content_words(a) & _content_words(b))


def _spaced(passage: str) -> bool:
    """Is the passage written with spaces between words? (Chinese, Japanese and Thai are not.)"""
    words = len(_WORD.findall(passage))
    return words > 0 and len(passage) / words <= 12


@lru_cache(maxsize=512)
def _units(passage: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each word of the passage; of each character in scripts without spaces."""
    if _spaced(passage):
        return tuple(m.span() for m in _WORD.finditer(passage))
    return tuple((k, k + 1) for k, ch in enumerate(passage) if not ch.isspace())


def _atomic(ch: str) -> bool:
    return ch.isdigit() or ch.lower() != ch.upper()


def _cuts(passage: str, pos: int) -> bool:
    """In a passage read character by character: would a span edge at `pos` cut a number or a word of a
    cased script, or split a letter from its combining marks?"""
    if not 0 < pos < len(passage):
        return False
    return (_atomic(passage[pos - 1]) and _atomic(passage[pos])) or unicodedata.category(passage[pos]).startswith("M")


def candidate_spans(gold: str, passage: str) -> dict[str, str]:
    """Spans of `passage` of about as many words as `gold` (characters, in scripts without spaces) that
    cross no clause end, overlap no occurrence of `gold` and are no part of a true answer (`overlaps`).
    Each maps to the text its type is read from (a sentence's first capital lowered), in passage order."""
    units, spaced = _units(passage), _spaced(passage)
    taken = [m.span() for m in re.finditer(re.escape(gold.strip()), passage)] if gold.strip() else []
    size = max(1, len(_WORD.findall(gold)) if spaced else sum(not ch.isspace() for ch in gold))
    spans: dict[str, str] = {}
    for n in sorted({max(1, size - 1), size, size + 1}):
        for k in range(len(units) - n + 1):
            start, stop = units[k][0], units[k + n - 1][1]
            if any(passage[e - 1] in _CLAUSE_END for _, e in units[k : k + n - 1]):
                continue
            if not spaced and (_cuts(passage, start) or _cuts(passage, stop) or (" " in passage[start:stop] and " " not in gold)):
                continue
            if any(start < e and s < stop for s, e in taken):
                continue
            text = passage[start:stop].strip(_EDGE)
            if text and text not in spans and not overlaps(gold, text):
                sentence_start = k == 0 or passage[units[k - 1][1] - 1] in _SENTENCE_END
                spans[text] = text[:1].lower() + text[1:] if sentence_start else text
    return spans


@register
class SameContextSpan(NegativeStrategy):
    name = "same_context_span"
    kinds = frozenset({Kind.pair})
    Params = SpanParams
    params: SpanParams
    summary = "another answer from the same passage, else a span of it of the same type and length"

    @classmethod
    def spec_errors(cls, spec: TaskSpec) -> list[str]:
        if spec.group_field is None:
            return ["needs group_field naming the passage field (rows sharing it are questions about one passage)"]
        return []

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        gf = self.group.task.spec.group_field or ""
        self.by_passage: dict[str, dict[str, list[int]]] = {}
        for split, pool in pools.items():
            index: dict[str, list[int]] = {}
            for j in pool:
                index.setdefault(self.group.rows[j][gf], []).append(j)
            self.by_passage[split] = index

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        spec, row = self.group.task.spec, self.group.rows[i]
        pf, gf = spec.partner_field or "", spec.group_field or ""
        gold, passage = row[pf], row[gf]
        found = self._other_answer(i, gold, self.by_passage[split].get(passage, [])) if self.params.other_answers else None
        if found is None:
            span = self._span(gold, passage)
            if span is None:
                return None
            found = (span, i)
        answer, j = found
        return Negative(self.group.render(variant, {**row, pf: answer}, i)[0], PARTNER, j)

    def _other_answer(self, i: int, gold: str, same_passage: list[int]) -> tuple[str, int] | None:
        pf = self.group.task.spec.partner_field or ""
        seen: dict[str, int] = {}
        for j in same_passage:
            answer = self.group.rows[j][pf]
            if j != i and answer.strip() and answer not in seen and not overlaps(gold, answer):
                seen[answer] = j
        if not seen:
            return None
        kind = answer_type(gold)
        same_type = [a for a in seen if answer_type(a) == kind]
        answer = self.group.rng.choice(same_type or list(seen))
        return answer, seen[answer]

    def _span(self, gold: str, passage: str) -> str | None:
        """A span of `passage` of the gold answer's type and length, else of its type, else of its length."""
        spans = candidate_spans(gold, passage)
        kind, length = answer_type(gold), len(gold.strip())

        def close(span: str) -> bool:
            return abs(len(span) - length) <= self.params.length_tolerance * max(length, 1)

        for fits in (
            [s for s in spans if answer_type(spans[s]) == kind and close(s)],
            [s for s in spans if answer_type(spans[s]) == kind],
            [s for s in spans if close(s)],
        ):
            if fits:
                return self.group.rng.choice(fits)
        return None
