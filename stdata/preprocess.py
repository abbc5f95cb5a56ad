"""Named text-cleaning steps a source can ask for in task.yaml (`preprocess: [html_unescape, ...]`).

task.yaml is untrusted input, so it names steps from this fixed list and never carries code. Each
step is a pure `str -> str` function applied, in the listed order, to every text field (and every
choice) of a row before the source's filters run, so filters and de-duplication see clean text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from .named import NamedRegistry

Step = Callable[[str], str]

PREPROCESS: NamedRegistry[Step] = NamedRegistry("preprocess step")


def _step(name: str) -> Callable[[Step], Step]:
    return PREPROCESS.register(name)


@_step("whitespace")
def whitespace(text: str) -> str:
    """Every run of whitespace (newlines, tabs, no-break spaces) becomes one space; ends are trimmed."""
    return " ".join(text.split())


#: AG News replaced the `&` of its entities by a space (`Microsoft #39;s`, `a  #36;10 million`,
#: `said  quot;yes`): such a space plus a bare entity is the entity itself.
_AG_NEWS_ENTITY = re.compile(r"(^| )(#\d{2,6};|#x[0-9a-fA-F]{2,5};|(?:quot|amp|lt|gt|apos);)")


@_step("html_unescape")
def html_unescape(text: str) -> str:
    """HTML entities to characters (`&amp;` -> `&`, `&#39;` -> `'`), also AG News's bare `Microsoft #39;s`."""
    return html.unescape(_AG_NEWS_ENTITY.sub(r"&\2", text))


# The Penn Treebank tokeniser's output ("it 's", "does n't", "`` quoted ''", "-LRB-"), undone with the
# inverse of its rules as nltk's TreebankWordDetokenizer does; written out here because importing
# nltk costs about 4 s per build worker (it loads scipy), more than a whole 25-language build step.
_PTB_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in [
        (r"-LRB-", "("),
        (r"-RRB-", ")"),
        (r"-LSB-", "["),
        (r"-RSB-", "]"),
        (r"-LCB-", "{"),
        (r"-RCB-", "}"),
        (r"(\w)\s+(n't)\b", r"\1\2"),
        (r"(\S)\s+('(?:s|re|ve|ll|d|m))\b", r"\1\2"),
        (r"\b(gon|wan)\s+(na)\b", r"\1\2"),
        (r"\b(got)\s+(ta)\b", r"\1\2"),
        (r"``\s*", '"'),
        (r"\s*''", '"'),
        (r"`\s*", "'"),
        (r"\s+([.,;:!?%)\]}])", r"\1"),
        (r"([(\[{$#])\s+", r"\1"),
    ]
]


@_step("ptb_detokenize")
def ptb_detokenize(text: str) -> str:
    """Penn Treebank tokens back to plain text: `does n't` -> `doesn't`, `it 's` -> `it's`, `-LRB-` -> `(`."""
    for pattern, repl in _PTB_RULES:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def pipeline(names: Sequence[str]) -> Step | None:
    """The steps `names` chained in order (None when there are none); an unknown name fails with a suggestion."""
    steps = [PREPROCESS.get(n) for n in names]
    if not steps:
        return None

    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run
