"""`same_context_span` (extractive QA): a wrong answer taken from the row's own passage.

With answers from other passages (`mismatched_partner`), "is the answer in the passage?" tells
true from false 99% of the time, and a model learns that instead of reading the question. Here
the false answer is always in the passage too: the answer of another question about the same
passage (XQuAD has about five per passage), else a span of the passage of similar length and type
(a number for a number, a capitalised name for a name); the gold answer's type comes first, so a
span of its type beats another question's answer of another type. Never the gold answer, never a
text containing it or contained in it, never one sharing a content word with it, never empty; a
span never overlaps an occurrence of the gold answer in the passage.

Only rows of the same split are used (the base contract), so a validation row whose passage has no
other validation question gets a span. `negative_source_row` names the row whose answer was used,
or the row itself for a span of its own passage.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

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
_DIGIT = re.compile(r"\d")


def answer_type(text: str) -> str:
    """number (has a digit), name (every word capitalised, in a cased script) or other."""
    if _DIGIT.search(text):
        return "number"
    if not text[:1].isupper():  # most spans: no need to look at every word
        return "other"
    words = [w for w in text.split() if w[:1].isalpha()]
    if words and all(w[0].isupper() for w in words):
        return "name"
    return "other"


def _content_words(normalised: str) -> frozenset[str]:
    return frozenset(w for w in normalised.split() if len(w) >= 4 or _DIGIT.search(w))


def overlaps(gold: str, other: str) -> bool:
    """Would `other` be (part of) a true answer? Empty, equal, containing or contained, or sharing a content word."""
    a, b = normalise(gold), normalise(other)
    return not a or not b or a in b or b in a or bool(_content_words(a) & _content_words(b))


def _spaced(passage: str) -> bool:
    """Is the passage written with spaces between words? (Chinese, Japanese and Thai are not.)"""
    words = len(_WORD.findall(passage))
    return words > 0 and len(passage) / words <= 12


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


class _Span(NamedTuple):
    start: int
    stop: int
    text: str
    kind: str  # answer_type, a sentence's first capital not counted
    has_space: bool


@lru_cache(maxsize=65536)
def _compared(text: str) -> tuple[str, frozenset[str]]:
    """What `overlaps` compares of a span: its normalised text and content words (computed only for the spans a gold answer may get)."""
    norm = normalise(text)
    return norm, _content_words(norm)


class _Layout(NamedTuple):
    """Per passage, once: its units and, per unit, what the windows over it need to know."""

    units: tuple[tuple[int, int], ...]
    spaced: bool
    clauses: list[int]  # running count of units that end a clause: a window crosses one iff it grows inside it
    start_ok: list[bool]  # a span may start at the unit (never inside a number or word, see _cuts)
    stop_ok: list[bool]
    capital: list[bool]  # the unit starts with a capital
    clause_end: list[bool]
    sentence_end: list[bool]


@lru_cache(maxsize=256)
def _layout(passage: str) -> _Layout:
    units, spaced = _units(passage), _spaced(passage)
    lasts = [passage[e - 1] for _, e in units]
    clause_end = [ch in _CLAUSE_END for ch in lasts]
    clauses = [0]
    for end in clause_end:
        clauses.append(clauses[-1] + end)
    return _Layout(
        units,
        spaced,
        clauses,
        [spaced or not _cuts(passage, s) for s, _ in units],
        [spaced or not _cuts(passage, e) for _, e in units],
        [passage[s].isupper() for s, _ in units],
        clause_end,
        [ch in _SENTENCE_END for ch in lasts],
    )


@lru_cache(maxsize=1024)
def _spans(passage: str, n: int) -> tuple[_Span, ...]:
    """Every span of `n` units of `passage` that crosses no clause end and cuts no number, word or name
    ("Tomas" out of "Tomas Berg"): what does not depend on the gold answer, computed once per passage
    (about five questions share one)."""
    lay = _layout(passage)
    units, cap, clause_end = lay.units, lay.capital, lay.clause_end
    out = []
    for k in range(len(units) - n + 1):
        last = k + n - 1
        if lay.clauses[last] != lay.clauses[k] or not lay.start_ok[k] or not lay.stop_ok[last]:
            continue
        sentence_start = k == 0 or lay.sentence_end[k - 1]
        if lay.spaced and (
            (last + 1 < len(units) and cap[last + 1] and not clause_end[last])  # the next word goes on a name
            or (k > 0 and not sentence_start and cap[k - 1] and not clause_end[k - 1])  # the word before does
        ):
            continue
        start, stop = units[k][0], units[last][1]
        text = passage[start:stop].strip(_EDGE)
        if text:
            kind = answer_type(text[:1].lower() + text[1:] if sentence_start else text)
            out.append(_Span(start, stop, text, kind, " " in passage[start:stop]))
    return tuple(out)


def candidate_spans(gold: str, passage: str, kind: str | None = None) -> dict[str, str]:
    """Spans of `passage` (of type `kind`, or any) of about as many words as `gold` (as many characters,
    in scripts without spaces) that cross no clause end, overlap no occurrence of `gold` and are no part
    of a true answer (`overlaps`), each with its type, in passage order."""
    a = normalise(gold)
    if not a:
        return {}
    spaced, a_content = _spaced(passage), _content_words(a)
    taken = [m.span() for m in re.finditer(re.escape(gold.strip()), passage)]
    size = max(1, len(_WORD.findall(gold)) if spaced else sum(not ch.isspace() for ch in gold))
    spans: dict[str, str] = {}
    # a word more or less in spaced scripts; as many characters where a passage is read character by character
    for n in sorted({max(1, size - 1), size, size + 1}) if spaced else (size,):
        for sp in _spans(passage, n):
            if (kind and sp.kind != kind) or sp.text in spans or (sp.has_space and not spaced and " " not in gold):
                continue
            if taken and any(sp.start < e and s < sp.stop for s, e in taken):
                continue
            norm, content = _compared(sp.text)
            if not norm or a in norm or norm in a or a_content & content:
                continue
            spans[sp.text] = sp.kind
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
        found = self._pick(i, row[pf], row[gf], self.by_passage[split].get(row[gf], []))
        if found is None:
            return None
        answer, j = found
        return Negative(self.group.render(variant, {**row, pf: answer}, i)[0], PARTNER, j)

    def _pick(self, i: int, gold: str, passage: str, same_passage: list[int]) -> tuple[str, int] | None:
        """(false answer, row it came from), best first: another question's answer of the gold answer's
        type, a span of its type (similar length first), another answer of any type, a span of similar length."""
        pf = self.group.task.spec.partner_field or ""
        others: dict[str, int] = {}
        for j in same_passage if self.params.other_answers else ():
            answer = self.group.rows[j][pf]
            if j != i and answer not in others and not overlaps(gold, answer):
                others[answer] = j
        kind, length = answer_type(gold), len(gold.strip())

        def close(span: str) -> bool:
            return abs(len(span) - length) <= self.params.length_tolerance * max(length, 1)

        @cache
        def spans(kind: str | None) -> dict[str, str]:  # only computed when the tiers before need them
            return candidate_spans(gold, passage, kind)

        choices = (  # tried in order, each only when the ones before it are empty
            lambda: [(a, j) for a, j in others.items() if answer_type(a) == kind],
            lambda: [(s, i) for s in spans(kind) if close(s)],
            lambda: [(s, i) for s in spans(kind)],
            lambda: list(others.items()),
            lambda: [(s, i) for s in spans(None) if close(s)],
        )
        return next((self.group.rng.choice(c) for c in (make() for make in choices) if c), None)
