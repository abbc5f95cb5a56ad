"""Label words for `{{ label }}` slots, translated inside their statement, never as bare words.

Why: a bare "bank" or "positive" has no context, and engines pick the wrong sense (the xP3mt
label-word failure). Each word is sent inside the first English statement that prints the
label, between two extra marker tokens, and only the text between the markers comes back as the
label word; anything unclear is Rejected.
"""

from __future__ import annotations

from collections import Counter

from ..registry import TemplateSet
from ..render import TemplateProblem, compile_template
from .segments import TOKEN_RE, Rejected, Segment, normalize, tokenize


def _label_expr(expr: str) -> bool:
    try:
        return "label" in compile_template(expr).variables
    except TemplateProblem:
        return False


def label_context(en: TemplateSet, words: dict[str, str], labels: list[str]) -> dict[str, str]:
    """Per label, the first `{{ label }}` statement's segment with the word between marker tokens.

    `{0} is about {1}.` with `{1}` = `{{ label }}` becomes `{0} is about {2}sports{3}.`, so the
    engine sees the word in its sentence; the text between `{2}` and `{3}` is the label word.
    Falls back to the bare word when no statement prints the label.
    """
    for v in en.variants:
        if v.statement is None:
            continue
        try:
            items = tokenize(v.statement)
        except (Rejected, TemplateProblem):
            continue
        for seg in items:
            if isinstance(seg, Segment):
                for k, expr in enumerate(seg.exprs):
                    if _label_expr(expr):
                        n = len(seg.exprs)
                        return {lab: seg.text.replace(f"{{{k}}}", f"{{{n}}}{words[lab]}{{{n + 1}}}", 1) for lab in labels}
    return {lab: words[lab] for lab in labels}


def extract_label_word(marked: str, translated: str) -> str:
    """The translated label word between the two highest marker tokens of `marked`; Rejected if unsure."""
    ids = [int(m.group(1)) for m in TOKEN_RE.finditer(marked)]
    if not ids:  # translated as a bare word
        word = normalize(translated, marked)
    else:
        text = normalize(translated, marked)
        got = Counter(int(m.group(1)) for m in TOKEN_RE.finditer(text))
        if got != Counter(ids):
            raise Rejected(f"label-word markers changed: sent {sorted(ids)}, got {sorted(got.elements())}")
        start, end = max(ids) - 1, max(ids)
        a = next(m for m in TOKEN_RE.finditer(text) if int(m.group(1)) == start)
        b = next(m for m in TOKEN_RE.finditer(text) if int(m.group(1)) == end)
        if a.end() > b.start():
            raise Rejected("label-word markers came back in the wrong order")
        word = text[a.end() : b.start()]
    word = word.strip().strip("\"'“”„«»")
    if not word or TOKEN_RE.search(word) or "{" in word or "}" in word or "%" in word:
        raise Rejected(f"no usable label word in {translated!r}")
    return word
