"""`stdata templates validate`: every check a reviewer would otherwise do by hand.

Structure and types are checked while loading (registry.py); here come the checks that need the
whole task: templates parse and are safe, use only the task's fields, cover every label, render on
the inline examples to clean text, keep the English source's placeholders, are in the declared
language, and do not repeat each other. With a data mirror, each source's label_map and labels are
checked against its real labels too. Each problem is one line naming file, line, task, language
and variant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import languages
from .errors import StdataError
from .problems import Problem
from .registry import SOURCE_LANG, Registry, TaskEntry, TemplateSet, display_path
from .render import RenderError, TemplateProblem, compile_template, template_text
from .schema import Variant
from .sources import dataset_folder, raw_label_values

_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,7});")
#: Below this many letters of literal text a language mismatch is only a warning.
MIN_LANGID_LETTERS = 25
#: How far down the identifier's ranking the declared language may be (close languages, e.g. id/ms).
LANGID_TOP = 3
#: From this many letters a text is long: each statement is checked on its own, and the declared
#: language must be at least LANGID_MIN_RATIO as likely as the best guess. The shipped registry's
#: lowest ratio is 0.18 (nl vs af); an English sentence in a non-English file scores below 0.01.
LONG_LANGID_LETTERS = 40
LANGID_MIN_RATIO = 0.1


@lru_cache(maxsize=1)
def _identifier():
    import py3langid.langid as L

    return L.LanguageIdentifier.from_modelpath(L.MODEL_DIR / L.MODEL_FILE, norm_probs=True)


def _langid_supports(lang: str) -> bool:
    return lang.split("-")[0] in set(_identifier().nb_classes)


class _Checker:
    def __init__(self, reg: Registry, langs: Iterable[str] | None = None):
        self.reg = reg
        self.out: list[Problem] = []
        self.langs = None if langs is None else {*langs, SOURCE_LANG}  # variant files to check (None: all)

    def add(self, path: Path, line: int, code: str, msg: str, task=None, lang=None, variant=None, severity="error"):
        self.out.append(Problem(display_path(path), line, severity, code, msg, task, lang, variant))

    def language_tag(self, t: TaskEntry, code: str, loc: tuple, where: str) -> None:
        """task.yaml keys languages by standard BCP-47 tags (`en`, not `eng`): report any other spelling."""
        norm = languages.normalize(code)
        if norm != code:
            hint = f"; write {norm!r}" if norm else ""
            self.add(t.path, t.doc.line_of(loc), "unknown-language", f"{where}: {code!r} is not a standard BCP-47 tag{hint}", t.name, code)

    # -- task.yaml -----------------------------------------------------------------------------
    def task(self, t: TaskEntry) -> None:
        spec, doc = t.spec, t.doc
        for i, ex in enumerate(spec.examples):
            missing = [c for c in spec.row_columns if c not in ex]
            extra = [c for c in ex if c not in spec.row_columns]
            line = doc.line_of(("examples", i))
            if missing or extra:
                self.add(
                    t.path,
                    line,
                    "bad-example",
                    f"example {i}: missing {missing} / unknown {extra} columns (want {list(spec.row_columns)})",
                    t.name,
                )
                continue
            for msg in t.kind.example_errors(spec, ex):
                self.add(t.path, line, "bad-example", f"example {i}: {msg}", t.name)
        for code in spec.gaps:
            self.language_tag(t, code, ("gaps", code), "gaps")
        for si, src in enumerate(spec.sources):
            base = ("sources", si)
            for code in src.configs:
                self.language_tag(t, code, base + ("configs", code), f"source {src.dataset}")
            want = set(spec.row_columns)
            if set(src.columns) != want:
                self.add(
                    t.path,
                    doc.line_of(base + ("columns",)),
                    "source-columns",
                    f"source {src.dataset}: columns map {sorted(src.columns)}, the task needs exactly {sorted(want)}",
                    t.name,
                )
            for path, code, msg in t.kind.source_findings(spec, src):
                self.add(t.path, doc.line_of(base + path), code, msg, t.name)
        for ts in t.templates.values():
            if self.langs is None or ts.lang in self.langs:
                self.template_set(t, ts)

    # -- <lang>.yaml ---------------------------------------------------------------------------
    def template_set(self, t: TaskEntry, ts: TemplateSet) -> None:
        spec = t.spec
        seen: dict[str, int] = {}
        english = t.templates.get(SOURCE_LANG) if ts.lang != SOURCE_LANG else None
        rendered: dict[str, list[str]] = {}
        if ts.file.label_words is not None and spec.labels and set(ts.file.label_words) != set(spec.labels):
            self.add(
                ts.path,
                ts.doc.line_of(("label_words",)),
                "label-words",
                f"label_words must cover exactly the labels {spec.labels}",
                t.name,
                ts.lang,
            )
        for i, v in enumerate(ts.variants):
            ctx = (t.name, ts.lang, v.id)
            if v.id in seen:
                self.add(ts.path, ts.line(i, "id"), "duplicate-id", f"variant id {v.id!r} already used on line {seen[v.id]}", *ctx)
                continue
            seen[v.id] = ts.line(i, "id")
            if not self.variant_shape(t, ts, i, v):
                continue
            if not self.compile_all(t, ts, i, v):
                continue
            if english is not None:
                self.against_english(t, ts, english, i, v)
            self.language(t, ts, i, v)
            texts = self.render_examples(t, ts, i, v)
            if texts is not None:
                rendered[v.id] = texts
        # the same statement from two variants teaches nothing new and skews the variant balance
        owner: dict[str, str] = {}
        for vid, texts in rendered.items():
            for text in texts:
                if text in owner and owner[text] != vid:
                    i = next(k for k, v in enumerate(ts.variants) if v.id == vid)
                    self.add(
                        ts.path,
                        ts.line(i, "id"),
                        "duplicate-statement",
                        f"renders the same statement as variant {owner[text]!r}: {text[:60]!r}",
                        t.name,
                        ts.lang,
                        vid,
                    )
                    break
                owner.setdefault(text, vid)

    def variant_shape(self, t: TaskEntry, ts: TemplateSet, i: int, v: Variant) -> bool:
        findings, go_on = t.kind.variant_findings(t.spec, ts, v, SOURCE_LANG)
        for path, code, msg in findings:
            self.add(ts.path, ts.line(i, *path), code, msg, t.name, ts.lang, v.id)
        return go_on

    def compile_all(self, t: TaskEntry, ts: TemplateSet, i: int, v: Variant) -> bool:
        spec, ctx, ok = t.spec, (t.name, ts.lang, v.id), True
        allowed = spec.template_variables
        for slot, source in v.templates.items():
            key = ("statements", slot) if v.statements is not None else ("statement",)
            line = ts.line(i, *key)
            try:
                tpl = compile_template(source)
            except TemplateProblem as e:
                self.add(ts.path, line + e.line - 1, e.code, e.message, *ctx)
                ok = False
                continue
            for name in sorted(tpl.variables - allowed):
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                self.add(
                    ts.path,
                    line,
                    "unknown-field",
                    f"{{{{ {name} }}}} is not a field of task {t.name!r}"
                    + (f"; did you mean {close[0]!r}?" if close else f" (fields: {', '.join(sorted(allowed))})"),
                    *ctx,
                )
                ok = False
            for code, msg in t.kind.slot_findings(spec, v, tpl.variables):
                self.add(ts.path, line, code, msg, *ctx)
                ok = False
        return ok

    def against_english(self, t: TaskEntry, ts: TemplateSet, english: TemplateSet, i: int, v: Variant) -> None:
        ctx = (t.name, ts.lang, v.id)
        src = english.variant(v.id)
        if src is None:
            self.add(
                ts.path,
                ts.line(i, "id"),
                "no-english-source",
                f"no English variant {v.id!r} in {display_path(english.path)}; ids are stable across languages",
                *ctx,
            )
            return
        if v.translated_from is not None:
            if v.translated_from.variant != v.id:
                self.add(
                    ts.path,
                    ts.line(i, "translated_from"),
                    "translated-from",
                    f"translated_from names {v.translated_from.variant!r}, not this variant's id {v.id!r}",
                    *ctx,
                )
            elif v.translated_from.hash != src.content_hash:
                self.add(
                    ts.path,
                    ts.line(i, "translated_from"),
                    "stale-translation",
                    f"the English source changed since translation (now {src.content_hash}); re-translate or review",
                    *ctx,
                    severity="warning",
                )
        if set(v.templates) != set(src.templates):
            if (v.statements is None) != (src.statements is None):
                self.fields_against_english(t, ts, i, v, src)
            return  # with the same form, reported as missing/unknown label against the task already
        for slot, source in v.templates.items():
            mine = compile_template(source).variables
            try:
                theirs = compile_template(src.templates[slot]).variables
            except TemplateProblem:
                continue  # the English file's own check reports it, at its own line
            if mine != theirs:
                key = ("statements", slot) if v.statements is not None else ("statement",)
                self.add(
                    ts.path,
                    ts.line(i, *key),
                    "placeholder-mismatch",
                    f"uses {sorted(mine)} but the English source uses {sorted(theirs)}",
                    *ctx,
                )

    def fields_against_english(self, t: TaskEntry, ts: TemplateSet, i: int, v: Variant, src: Variant) -> None:
        """A variant in another form than its English source (one `statement` with `{{ label }}`
        for per-label `statements`, or back) must still use the same task fields."""
        fields = set(t.spec.fields)
        try:
            mine = set().union(*(compile_template(x).variables for x in v.templates.values())) & fields
            theirs = set().union(*(compile_template(x).variables for x in src.templates.values())) & fields
        except TemplateProblem:
            return  # a broken English source is reported on its own file
        if mine != theirs:
            key = ("statements",) if v.statements is not None else ("statement",)
            self.add(
                ts.path, ts.line(i, *key), "placeholder-mismatch",
                f"uses fields {sorted(mine)} but the English source uses {sorted(theirs)} (in another form)",
                t.name, ts.lang, v.id,
            )  # fmt: skip

    def language(self, t: TaskEntry, ts: TemplateSet, i: int, v: Variant) -> None:
        """The variant's words as a whole, and each long statement alone, must read as its language."""
        if not _langid_supports(ts.lang):
            return
        texts = [template_text(s) for s in v.templates.values()]
        whole = " ".join(texts)
        checks = [(whole, None)] + [(text, slot) for text, slot in zip(texts, v.templates, strict=True) if len(texts) > 1]
        for text, slot in checks:
            letters = sum(ch.isalpha() for ch in text)
            if letters == 0 or (slot is not None and letters < LONG_LANGID_LETTERS):
                continue
            verdict = _language_verdict(text, ts.lang, letters)
            if verdict is None:
                continue
            short = letters < MIN_LANGID_LETTERS
            where = f"statement {slot!r}: " if slot else ""
            self.add(
                ts.path, ts.line(i, "id"), "wrong-language",
                where + verdict + (" (short text, so only a warning)" if short else ""),
                t.name, ts.lang, v.id, severity="warning" if short else "error",
            )  # fmt: skip
            return

    def render_examples(self, t: TaskEntry, ts: TemplateSet, i: int, v: Variant) -> list[str] | None:
        ctx = (t.name, ts.lang, v.id)
        words = t.label_words(ts.lang)
        out: list[str] = []
        for n, ex in enumerate(t.spec.examples):
            if any(c not in ex for c in t.spec.row_columns):
                return None  # reported on task.yaml
            try:
                texts = t.candidates(v, ex, words)
            except RenderError as e:
                self.add(ts.path, ts.line(i, "id"), "render-error", f"example {n}: {e}", *ctx)
                return None
            for text in texts:
                problem = _text_problem(text)
                if problem:
                    self.add(ts.path, ts.line(i, "id"), problem[0], f"example {n}: {problem[1]}: {text[:80]!r}", *ctx)
                    return None
            if len(set(texts)) < len(texts):
                self.add(ts.path, ts.line(i, "id"), "ambiguous-candidates", f"example {n}: two candidates render the same statement", *ctx)
                return None
            out += texts
        return out


def _language_verdict(text: str, lang: str, letters: int) -> str | None:
    """Why `text` does not read as `lang`, or None. A close language may rank first (id/ms, nl/af),
    so the declared one need only be in the top few; a long text must also not be far less likely
    than the best guess, which is what a whole English sentence in it.yaml is."""
    ranked = _identifier().rank(text)
    base = lang.split("-")[0]
    codes = [code for code, _ in ranked]
    if base not in codes[:LANGID_TOP]:
        return f"text looks like {codes[0]!r}, not {lang!r}"
    if letters >= LONG_LANGID_LETTERS:
        p = dict(ranked)[base]
        if p < LANGID_MIN_RATIO * ranked[0][1]:
            return f"text looks like {codes[0]!r}, not {lang!r} ({lang} is {p / ranked[0][1]:.2f} as likely)"
    return None


def _text_problem(text: str) -> tuple[str, str] | None:
    if not text.strip():
        return "empty-render", "renders to empty text"
    if _LEFTOVER.search(text):
        return "leftover-delimiter", "rendered text still holds a template delimiter"
    if _ENTITY.search(text):
        return "html-entity", "rendered text holds an HTML entity"
    return None


@dataclass
class DataCheck:
    """What `check_data` found: problems, and which sources it could (not) read from the mirror."""

    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    not_in_mirror: list[str] = field(default_factory=list)


def check_data(reg: Registry, mirror: Path) -> DataCheck:
    """Each source's label_map and labels against its data (the first config, from `mirror`): a
    label_map key that matches no raw value, or a label the source should assert that no value maps
    to, silently drops a whole class at build time."""
    out = DataCheck()
    for t in reg.tasks.values():
        for si, src in enumerate(t.spec.sources):
            if "label" not in src.columns:
                continue
            config = next(iter(src.configs.values()))
            where = f"source {src.dataset} ({config}/{src.split})"
            line = t.doc.line_of(("sources", si))
            try:
                if not dataset_folder(mirror, src.dataset).is_dir():
                    out.not_in_mirror.append(src.dataset)
                    continue
                values = raw_label_values(src, config, mirror)
            except StdataError as e:
                out.problems.append(
                    Problem(display_path(t.path), line, "warning", "source-data", f"{where}: cannot read labels: {e}", t.name)
                )
                continue
            out.checked += 1
            shown = ", ".join(repr(v) for v in values[:12]) + (" ..." if len(values) > 12 else "")
            bad_keys = [k for k in src.label_map or {} if str(k) not in values]
            for key in bad_keys:
                close = difflib.get_close_matches(str(key), values, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                out.problems.append(
                    Problem(display_path(t.path), t.doc.line_of(("sources", si, "label_map", key)), "error", "label-map-key",
                            f"{where}: label_map key {key!r} matches no label of the data ({shown}){hint}", t.name)
                )  # fmt: skip
            expected = t.kind.source_labels(t.spec, src)
            if bad_keys or expected is None:
                continue
            mapped = {t.kind.canonical_label(t.spec, src, v) for v in values}
            for lab in expected:
                if lab not in mapped:
                    out.problems.append(
                        Problem(display_path(t.path), line, "error", "source-label-empty",
                                f"{where}: no label of the data ({shown}) gives {lab!r}; map one to it, or list the "
                                f"labels the source can assert under `labels:`", t.name)
                    )  # fmt: skip
    return out


def check(
    reg: Registry,
    mirror: Path | None = None,
    data: DataCheck | None = None,
    tasks: Iterable[str] | None = None,
    langs: Iterable[str] | None = None,
) -> list[Problem]:
    """Loading problems plus every semantic check, sorted by file and line; with `mirror`, also
    the sources' labels against their data (`check_data`; what was read is added to `data`).

    `tasks` and `langs` narrow the semantic checks to what a build reads (English always, as the fallback).
    """
    c = _Checker(reg, langs)
    for t in reg.tasks.values():
        if tasks is None or t.name in tasks:
            c.task(t)
    found = reg.problems + c.out
    if mirror is not None:
        dc = check_data(reg, mirror)
        found += dc.problems
        if data is not None:
            data.checked += dc.checked
            data.not_in_mirror += dc.not_in_mirror
    return sorted(set(found))


def require_valid(reg: Registry, tasks: Iterable[str], langs: Iterable[str]) -> None:
    """Refuse a registry that `stdata templates validate` fails, with its problems one per line (build calls this)."""
    bad = [p for p in check(reg, tasks=set(tasks), langs=langs) if p.severity == "error"]
    if bad:
        lines = "\n".join(str(p) for p in bad[:20]) + (f"\n... and {len(bad) - 20} more" if len(bad) > 20 else "")
        raise StdataError(f"the registry fails validation ({len(bad)} error(s)); nothing was built:\n{lines}")


def validate_paths(paths: Iterable[Path], mirror: Path | None = None, data: DataCheck | None = None) -> list[Problem]:
    """Validate the files and folders given (each task folder is loaded on its own)."""
    task_dirs, report = Registry.task_dirs_for(paths)
    out: list[Problem] = []
    for d in task_dirs:  # one registry per folder: fixtures may hold several tasks of one name
        reg = Registry(d.parent)
        reg.load_task_dir(d)
        out += [p for p in check(reg, mirror, data) if p.file in report]
    return out
