"""`swapped_entity` (pair tasks whose partner restates the fixed text, e.g. headlines): the gold
partner with one of its names or numbers swapped for another name or number of the fixed text.

A headline repeats the names and numbers of its article, so a whole headline taken from another
row is easy to reject by word overlap alone: on MasakhaNEWS English the true headline shares more
of its words with the article than the *best-matching* other headline of the whole set does in
about 80% of pairs, and the nearest article's headline loses 94% of the time. Swapping one name the
article mentions for another name it mentions (a number for another number) keeps the headline's
overlap with the article and its form, and makes it false: the model has to check who or what the
headline is about. Like any entity swap it is sometimes still true (a town swapped for the county
it lies in); `overlaps` (same_context_span.py) keeps out replacements sharing a word with the swapped
name.

A name is a run of capitalised words (a lone capitalised word starting a sentence does not count),
a number a run of digits; the partner's must occur in the fixed text (a name: at least its last words), the
replacement too, of the same type and size (a number of as many digits; a name of as many words
where the text has one, else any name). Rows whose partner has none, or whose fixed text has
no other of that type, get the `fallback` strategy's negative (nearest_partner by default).
`negative_source_row` is the row itself for a swap.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from ..kinds import PARTNER, Kind
from ..partners import normalise
from .base import Negative, NegativeStrategy
from .registry import NEGATIVES, register
from .same_context_span import overlaps

if TYPE_CHECKING:
    from ..schema import Variant


class SwapParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: the strategy (with its default parameters) for rows where nothing can be swapped
    fallback: Literal["nearest_partner", "mismatched_partner"] = "nearest_partner"


_NUMBER = re.compile(r"\d(?:[\d.,:/]*\d)?")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CLOSERS = "\"'”’»)"


def _starts_sentence(text: str, pos: int) -> bool:
    """Is the word at `pos` the first of its text, line or sentence (so capitalised whatever it is)?"""
    k = pos - 1
    while k >= 0 and (text[k].isspace() or text[k] in _CLOSERS):
        if text[k] == "\n":
            return True
        k -= 1
    return k < 0 or text[k] in ".!?。！？…:"


def entities(text: str, headline: bool = False) -> list[tuple[str, str]]:
    """(type, text) of the names (runs of capitalised words) and numbers of `text`, each once, in order.

    A sentence's capitalised first word is dropped from its run ("In January" -> "January"), unless
    `headline` and the run has more words: a headline often opens with a name ("Lionel Messi ...")."""
    found: dict[tuple[str, str], None] = {}
    run: list[re.Match[str]] = []

    def close_run() -> None:
        starts = bool(run) and _starts_sentence(text, run[0].start())
        words = run[1:] if starts and (len(run) == 1 or not headline) else run
        if words and (len(words) > 1 or len(words[0].group()) > 1):  # "I" is no name
            found[("name", text[words[0].start() : words[-1].end()])] = None
        run.clear()

    for m in _WORD.finditer(text):
        if not m.group()[0].isupper():
            close_run()
            continue
        if run and text[run[-1].end() : m.start()] not in (" ", "\t"):
            close_run()
        run.append(m)
    close_run()
    for m in _NUMBER.finditer(text):
        found[("number", m.group())] = None
    return list(found)


def _shape(entity: str) -> int:
    """What a replacement should share with the swapped entity: its number of words, or of digits."""
    digits = sum(ch.isdigit() for ch in entity)
    return digits if digits else -len(entity.split())


def _in_text(entity: str, text: str) -> str | None:
    """The longest tail of a name that `text` mentions ("Quarterback Patrick Mahomes" -> "Patrick Mahomes"), or None."""
    words = entity.split(" ")
    for k in range(len(words)):
        tail = " ".join(words[k:])
        if tail in text:
            return tail
    return None


@register
class SwappedEntity(NegativeStrategy):
    name = "swapped_entity"
    kinds = frozenset({Kind.pair})
    Params = SwapParams
    params: SwapParams
    summary = "the gold partner with one name or number swapped for another of the fixed text, else the fallback"

    def prepare(self, pools: dict[str, list[int]]) -> None:
        super().prepare(pools)
        cls = NEGATIVES.get(self.params.fallback)
        self.fallback = cls(self.group, cls.Params())
        self.fallback.prepare(pools)

    def negative(self, i: int, variant: Variant, split: str, texts: list[str]) -> Negative | None:
        spec, row = self.group.task.spec, self.group.rows[i]
        pf = spec.partner_field or ""
        fixed = "\n".join(row[f] for f in spec.fields if f != pf)
        swapped = self._swap(row[pf], fixed)
        if swapped is None:
            return self.fallback.negative(i, variant, split, texts)
        return Negative(self.group.render(variant, {**row, pf: swapped}, i)[0], PARTNER, i)

    def _swap(self, gold: str, fixed: str) -> str | None:
        """`gold` with one name or number that `fixed` mentions replaced by another one `fixed` mentions."""
        in_fixed = entities(fixed)
        options: list[tuple[str, list[str]]] = []
        for kind, ent in entities(gold, headline=True):
            if _in_text(ent, fixed) is None:  # a name counts when the text mentions it, or its last words
                continue
            others = [e for k, e in in_fixed if k == kind and not overlaps(gold, e)]
            alike = [e for e in others if _shape(e) == _shape(ent)]
            if alike or (others and kind == "name"):  # a number only for one of as many digits
                options.append((ent, alike or others))
        if not options:
            return None
        ent, others = self.group.rng.choice(options)
        # as often mentioned as the swapped one: the headline's main name is the article's most frequent
        # one, and a rarer replacement would give that away
        mentions = fixed.count(_in_text(ent, fixed) or ent)
        gap = min(abs(fixed.count(e) - mentions) for e in others)
        swapped = gold.replace(ent, self.group.rng.choice([e for e in others if abs(fixed.count(e) - mentions) == gap]), 1)
        return swapped if normalise(swapped) != normalise(gold) else None
