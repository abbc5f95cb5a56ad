"""Split a template into literal text and Jinja nodes, and put a translation back by placeholder identity.

Why: restoring placeholders by *position* after machine translation (xP3mt) silently swaps slots
when a sentence is reordered. Here every `{{ expression }}` becomes an opaque numbered token
(`{0}`, `{1}`...) inside the text the engine sees, control tags (`{% if %}`) split the template
into segments and are never sent, and the engine's output is accepted only if it holds exactly
the tokens of the source, each put back by its number. Anything else is a `Rejected` with a
reason -- a corrupted template is never produced.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..render import _ENV, TemplateProblem, compile_template

#: An opaque placeholder token as engines tend to return it: `{0}`, `{ 0 }`, fullwidth `｛０｝`.
TOKEN_RE = re.compile(r"[{\uff5b]\s*([0-9\uff10-\uff19]+)\s*[}\uff5d]")
#: Jinja delimiters that must never appear in translated literal text (they would become code).
DELIMITER_RE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_QUOTES = "\"'"


class Rejected(Exception):
    """A translation that cannot be restored safely; the message says why."""


@dataclass(frozen=True)
class Piece:
    kind: str  # "text" (sent), "expr" (a token in the text), "block" (control tag, never sent)
    source: str


@dataclass(frozen=True)
class Segment:
    """A run of text and expressions between control tags, as the engine sees it."""

    lead: str  # whitespace kept outside the engine
    text: str  # e.g. "{0} This happened because {1}"
    exprs: tuple[str, ...]  # the source of token i
    trail: str

    @property
    def translatable(self) -> bool:
        """False when there are no words to translate (only tokens, punctuation, space)."""
        return any(ch.isalpha() for ch in TOKEN_RE.sub("", self.text))


Item = Segment | str  # a segment, or a control tag kept verbatim


def split_template(source: str) -> list[Piece]:
    """The template as text, expression and block pieces whose sources join to `source`.

    Spans come from Jinja's own lexer (so `{{ x ~ "}}" }}` is one piece); text between tags is
    taken verbatim from the source, whitespace-control dashes included.
    """
    compile_template(source)  # refuses broken or unsafe templates before anything is split
    spans: list[tuple[int, int, str]] = []
    pos, start, kind = 0, None, ""
    for _line, typ, value in _ENV.lex(source):
        at = source.find(value, pos) if value else pos
        if at < 0:  # pragma: no cover - the lexer's values are substrings of the source
            raise TemplateProblem("cannot locate a template token", "jinja-syntax")
        pos = at + len(value)
        if start is None and typ in ("variable_begin", "block_begin", "comment_begin", "raw_begin"):
            start, kind = at, {"block_begin": "block"}.get(typ, "expr")
        elif start is not None and typ in ("variable_end", "block_end", "comment_end", "raw_end"):
            spans.append((start, pos, kind))
            start = None
    pieces: list[Piece] = []
    prev = 0
    for a, b, kind in spans:
        if a > prev:
            pieces.append(Piece("text", source[prev:a]))
        pieces.append(Piece(kind, source[a:b]))
        prev = b
    if prev < len(source):
        pieces.append(Piece("text", source[prev:]))
    return pieces


def tokenize(source: str) -> list[Item]:
    """Segments (text with numbered tokens) and control tags, in template order."""
    items: list[Item] = []
    run: list[Piece] = []

    def flush() -> None:
        if not run:
            return
        text, exprs = "", list[str]()
        for p in run:
            if p.kind == "text":
                found = TOKEN_RE.search(p.source)
                if found:
                    raise Rejected(f"the template text already holds token-like {found.group(0)!r}; cannot mark placeholders")
                text += p.source
            else:
                text += f"{{{len(exprs)}}}"
                exprs.append(p.source)
        body = text.strip()
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        items.append(Segment(lead, body, tuple(exprs), trail))
        run.clear()

    for piece in split_template(source):
        if piece.kind == "block":
            flush()
            items.append(piece.source)
        else:
            run.append(piece)
    flush()
    return items


def normalize(text: str, source: str) -> str:
    """Undo engine artefacts the source did not have: HTML entities, escaped or doubled quotes,
    zero-width characters, spaces pried into `"{0}"`. `normalize(source, source) == source`.
    """
    if html.unescape(source) == source:
        for _ in range(3):  # double-escaped `&amp;quot;` needs two rounds
            unescaped = html.unescape(text)
            if unescaped == text:
                break
            text = unescaped
    for artefact, fix in (('\\"', '"'), ("\\'", "'"), ("\u200b", ""), ("\ufeff", ""), ('""', '"')):
        if artefact in text and artefact not in source:
            text = text.replace(artefact, fix)
    for q in _QUOTES:  # `" {0} "` where the source had `"{0}"`
        for m in re.finditer(re.escape(q) + r"(\{\d+\})", source):
            text = re.sub(re.escape(q) + r"\s+(" + re.escape(m.group(1)) + ")", q + r"\1", text)
        for m in re.finditer(r"(\{\d+\})" + re.escape(q), source):
            text = re.sub("(" + re.escape(m.group(1)) + r")\s+" + re.escape(q), r"\1" + q, text)
    return text.strip()


def _token_id(raw: str) -> int:
    return int(unicodedata.normalize("NFKC", raw))


def restore(segment: Segment, translated: str) -> str:
    """Put the expressions back into `translated` by token number; raise Rejected if unsafe."""
    if not isinstance(translated, str):
        raise Rejected(f"the engine returned {type(translated).__name__}, not text")
    text = normalize(translated, segment.text)
    got = Counter(_token_id(m.group(1)) for m in TOKEN_RE.finditer(text))
    want = Counter(range(len(segment.exprs)))
    if got != want:
        raise Rejected(describe_token_mismatch(segment, got, want))
    literal = TOKEN_RE.sub(" ", text)
    bad = DELIMITER_RE.search(literal)
    if bad:
        raise Rejected(f"the translation holds the template delimiter {bad.group(0)!r} in its text")
    if segment.translatable and not any(ch.isalpha() for ch in literal):
        raise Rejected("the translation lost every word")
    body = TOKEN_RE.sub(lambda m: segment.exprs[_token_id(m.group(1))], text)
    return segment.lead + body + segment.trail


def describe_token_mismatch(segment: Segment, got: Counter, want: Counter) -> str:
    parts = []
    for i in sorted(set(want) | set(got)):
        name = segment.exprs[i] if i < len(segment.exprs) else None
        if got[i] == 0:
            parts.append(f"dropped {{{i}}} ({name})")
        elif i not in want:
            parts.append(f"invented {{{i}}}")
        elif got[i] > want[i]:
            parts.append(f"repeated {{{i}}} ({name}) {got[i]} times")
    return "placeholder tokens changed: " + "; ".join(parts)


def detokenize(items: list[Item], translations: dict[int, str]) -> str:
    """Join control tags and restored segments (`translations` by item index; else the source)."""
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        elif i in translations:
            out.append(translations[i])
        else:
            out.append(item.lead + _fill_tokens(item.text, item.exprs) + item.trail)
    return "".join(out)


def _fill_tokens(text: str, exprs: Sequence[str]) -> str:
    """Put each `{k}` token back as its expression."""
    return re.sub(r"\{(\d+)\}", lambda m: exprs[int(m.group(1))], text)


def check_structure(source: str, restored: str) -> None:
    """The last wall: same control tags in order, same expressions per segment, compiles, same variables."""
    try:
        new_items = tokenize(restored)
    except (TemplateProblem, Rejected) as e:
        raise Rejected(f"the restored template does not parse: {e}") from None
    old_items = tokenize(source)
    old_blocks = [i for i in old_items if isinstance(i, str)]
    new_blocks = [i for i in new_items if isinstance(i, str)]
    if old_blocks != new_blocks:
        raise Rejected("the restored template's control tags differ from the source's")
    old_segs = [Counter(i.exprs) for i in old_items if isinstance(i, Segment)]
    new_segs = [Counter(i.exprs) for i in new_items if isinstance(i, Segment)]
    old_segs = [c for c in old_segs if c]
    new_segs = [c for c in new_segs if c]
    if old_segs != new_segs:
        raise Rejected("the restored template's placeholders differ from the source's")
    if compile_template(restored).variables != compile_template(source).variables:
        raise Rejected("the restored template uses other variables than the source")


def translate_template(source: str, translate) -> str:
    """Tokenize `source`, translate each translatable segment with `translate(text) -> str`, restore, check.

    A convenience for one template (tests, previews); batch runs use `tokenize`/`restore` directly.
    """
    items = tokenize(source)
    done = {i: restore(it, translate(it.text)) for i, it in enumerate(items) if isinstance(it, Segment) and it.translatable}
    out = detokenize(items, done)
    check_structure(source, out)
    return out
