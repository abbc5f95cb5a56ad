"""Do a corpus's statements contain the evaluation tasks' texts? (`stdata balance`'s contamination check)

A training statement wraps a source text in a template, so the question is not whether a statement
equals an evaluation row but whether it contains one of the row's texts (a premise, a hypothesis,
a sentence, a choice). Every registry task with `role: eval` (XNLI, XCOPA, XStoryCloze, XWinograd)
is read from the same mirror, in all its languages, and each statement is searched for every
evaluation text at once with an Aho-Corasick automaton (pyahocorasick): `exact` counts statements
that contain a text verbatim, `normalized` those that contain it after `normalize_text` (Unicode
NFKC, case folded, punctuation and runs of spaces collapsed). Texts shorter than MIN_CHARS
normalised characters ("Yes.", a one-word choice) are left out: they would match by chance.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .corpus import EvalOverlap
from .errors import StdataError
from .registry import Registry
from .sources import data_dir, load_rows

MIN_CHARS = 20
EXAMPLES = 3
_SEPARATORS = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """NFKC, case folded, every run of non-word characters one space: what counts as the same text."""
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _texts(row: dict) -> list[str]:
    out = [v for v in row.values() if isinstance(v, str)]
    out += [c for c in row.get("choices") or [] if isinstance(c, str)]
    return out


def _automaton(patterns: dict[str, tuple[str, set[str]]]):
    """Pattern -> (the evaluation text as written, its tasks), searchable all at once."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for pattern, (text, tasks) in patterns.items():
        auto.add_word(pattern, (text, tuple(sorted(tasks))))
    if len(auto):
        auto.make_automaton()
    return auto


def check_overlap(registry: Registry, statements: list[str], langs: list[str], data: Path | str | None) -> dict[str, EvalOverlap]:
    """Per evaluation task: how many `statements` contain one of its texts (exact / normalised), with examples."""
    mirror = data_dir(data)
    raw: dict[str, tuple[str, set[str]]] = {}
    norm: dict[str, tuple[str, set[str]]] = {}
    report: dict[str, EvalOverlap] = {}
    for task in registry.select_tasks(None, role="eval"):
        rep = report[task.name] = EvalOverlap()
        task_langs = sorted({lang for src in task.spec.sources for lang in src.configs})
        texts: set[str] = set()
        for lang in task_langs:
            try:
                loaded = load_rows(task, lang, mirror)
            except StdataError as e:
                if lang in langs:  # a language the corpus has: the check is incomplete without it
                    rep.not_checked.append(f"{lang}: {' '.join(str(e).split())[:200]}")
                continue
            if loaded is None:
                continue
            rep.langs_checked.append(lang)
            for row in loaded.rows:
                texts.update(t.strip() for t in _texts(row))
        for t in sorted(texts):
            n = normalize_text(t)
            if len(n) < MIN_CHARS:
                continue
            raw.setdefault(t, (t, set()))[1].add(task.name)
            norm.setdefault(n, (t, set()))[1].add(task.name)
            rep.eval_texts += 1
    exact_auto, norm_auto = _automaton(raw), _automaton(norm)
    for statement in statements:
        hit_exact = {name: text for _, (text, names) in (exact_auto.iter(statement) if len(exact_auto) else ()) for name in names}
        hit_norm = {
            name: text for _, (text, names) in (norm_auto.iter(normalize_text(statement)) if len(norm_auto) else ()) for name in names
        }
        for name in hit_exact:
            report[name].exact += 1
        for name, text in hit_norm.items():
            rep = report[name]
            rep.normalized += 1
            if len(rep.examples) < EXAMPLES:
                rep.examples.append({"statement": statement[:300], "eval_text": hit_exact.get(name, text)[:200]})
    return report
