"""The template registry: tasks (`<task>/task.yaml`) and their per-language variants (`<task>/<lang>.yaml`).

Loading never raises on a bad file: every problem is recorded as a `Problem` with file and line,
and the file is left out, so `stdata templates validate` can report all of them at once while
commands that need a sound registry call `Registry.require_clean()`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import languages
from .errors import StdataError, UsageError
from .kinds import TaskKind, kind_of
from .problems import Problem, errors
from .schema import VARIANT_ID_RE, TaskSpec, Variant, VariantFile
from .yamlio import LoadedYaml, YamlError, load_yaml

TASK_FILE = "task.yaml"
SOURCE_LANG = "en"  # English variants are the originals others are translated from

_SCHEMA_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "string_pattern_mismatch": "bad-value",
    "enum": "bad-value",
    "literal_error": "bad-value",
    "greater_than_equal": "bad-value",
    "too_short": "empty",
    "value_error": "invalid",
}


def default_root() -> Path:
    """The registry to read when none is given: see stdata/discovery.py for the order (and the report)."""
    from .discovery import resolve

    return resolve().root


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def schema_problems(err: ValidationError, doc: LoadedYaml, file: str, model: type, task: str | None, lang: str | None) -> list[Problem]:
    """Turn pydantic's errors into one Problem each, at the YAML line of the offending key."""
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        variant = _variant_id(doc, loc)
        where = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and "[" in p)) or "file"
        etype = e["type"]
        code = _SCHEMA_CODES.get(etype, "wrong-type" if etype.endswith("_type") else "invalid")
        msg = e["msg"]
        if etype == "extra_forbidden":
            key = e["loc"][-1]
            allowed = _allowed_keys(model, e["loc"][:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            msg = f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})")
        elif etype == "missing":
            msg = f"missing required key {e['loc'][-1]!r}"
        elif etype == "value_error":
            msg = msg.removeprefix("Value error, ")
        elif etype == "string_pattern_mismatch" and e["ctx"].get("pattern") == VARIANT_ID_RE:
            msg = f"{e.get('input')!r} is not a kebab-case variant id (lower-case words and digits joined by '-', e.g. 'topic-about')"
        elif code == "wrong-type":
            msg = f"wrong type: {msg.lower()}, got {type(e.get('input')).__name__}"
        out.append(Problem(file, doc.line_of(loc), "error", code, f"{where}: {msg}", task, lang, variant))
    return out


def _variant_id(doc: LoadedYaml, loc: tuple) -> str | None:
    if len(loc) >= 2 and loc[0] == "variants" and isinstance(loc[1], int):
        try:
            vid = doc.data["variants"][loc[1]].get("id")
            return vid if isinstance(vid, str) else None
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def _allowed_keys(model: type, loc: tuple) -> list[str]:
    """The keys the model allows at `loc` (for 'did you mean')."""
    from .schema import AlignColumn, Source, SourceFilters, TranslatedFrom

    nested = {"variants": Variant, "sources": Source, "translated_from": TranslatedFrom, "filters": SourceFilters, "align": AlignColumn}
    current: Any = model
    for part in loc:
        if isinstance(part, str) and part in nested:
            current = nested[part]
    return sorted(current.model_fields)


@dataclass
class TemplateSet:
    """The variants of one task in one language, with where each came from."""

    task: str
    lang: str
    path: Path
    doc: LoadedYaml
    file: VariantFile

    @property
    def variants(self) -> list[Variant]:
        return self.file.variants

    def line(self, index: int, *keys: Any) -> int:
        return self.doc.line_of(("variants", index) + keys)

    def variant(self, variant_id: str) -> Variant | None:
        return next((v for v in self.variants if v.id == variant_id), None)


@dataclass
class TaskEntry:
    name: str
    dir: Path
    doc: LoadedYaml
    spec: TaskSpec
    templates: dict[str, TemplateSet] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.dir / TASK_FILE

    def label_words(self, lang: str) -> dict[str, str]:
        """Words for each label in `lang` (the `{{ label }}` slot); English falls back to names."""
        words = {lab: lab.replace("_", " ") for lab in self.spec.labels or []}
        words.update(self.spec.label_words or {})
        ts = self.templates.get(lang)
        if ts is not None and ts.file.label_words:
            words.update(ts.file.label_words)
        return words

    def variant_set(self, lang: str, template_lang: str = "native") -> TemplateSet:
        """The variants to use for `lang`: its own (native) or English; native falls back to English."""
        if template_lang == "native" and lang in self.templates:
            return self.templates[lang]
        if SOURCE_LANG in self.templates:
            return self.templates[SOURCE_LANG]
        raise StdataError(f"task {self.name!r} has no English variants ({self.dir / 'en.yaml'})")

    @property
    def kind(self) -> TaskKind:
        """What this task's kind means (stdata.kinds): candidates, gold, checks."""
        return kind_of(self.spec.kind)

    def candidates(self, variant: Variant, row: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
        """Render one statement per candidate of `row`, in candidate order.

        classification: one per label (task order); multiple choice: one per choice; pair: one.
        """
        return self.kind.render(self, variant, row, words)


class Registry:
    """Every task found under `root`, with the problems met while loading."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tasks: dict[str, TaskEntry] = {}
        self.problems: list[Problem] = []

    @classmethod
    def load(cls, root: Path | None = None) -> Registry:
        reg = cls(root or default_root())
        if not reg.root.is_dir():
            raise StdataError(f"template registry {reg.root} is not a folder")
        for task_dir in sorted(p for p in reg.root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            reg.load_task_dir(task_dir)
        return reg

    @staticmethod
    def task_dirs_for(paths: Iterable[Path]) -> tuple[list[Path], set[str]]:
        """The task folders holding `paths` (files, task folders or registry roots), and the files to report on."""
        task_dirs: list[Path] = []
        report: set[str] = set()
        for p in map(Path, paths):
            if not p.exists():
                raise UsageError(f"{p}: no such file or folder")
            if p.is_file():
                task_dirs.append(p.parent)
                report.add(display_path(p))
                continue
            if (p / TASK_FILE).exists() or not any(p.glob(f"*/{TASK_FILE}")):
                dirs = [p]
            else:
                dirs = sorted(d for d in p.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))
            task_dirs += dirs
            report |= {display_path(f) for d in dirs for f in d.glob("*.y*ml")}
        return list(dict.fromkeys(task_dirs)), report

    def _problem(self, path: Path, line: int, code: str, message: str, task=None, lang=None, variant=None, severity="error"):
        self.problems.append(Problem(display_path(path), line, severity, code, message, task, lang, variant))

    def load_task_dir(self, task_dir: Path) -> TaskEntry | None:
        name = task_dir.name
        task_path = task_dir / TASK_FILE
        if not task_path.exists():
            for f in sorted(task_dir.glob("*.yaml")):
                self._problem(f, 1, "unknown-task", f"no {TASK_FILE} in {display_path(task_dir)}: {name!r} is not a task", name)
            return None
        doc = self._read(task_path, name, None)
        if doc is None:
            return None
        try:
            spec = TaskSpec.model_validate(doc.data)
        except ValidationError as e:
            self.problems += schema_problems(e, doc, display_path(task_path), TaskSpec, name, None)
            return None
        if spec.name != name:
            self._problem(task_path, doc.line_of(("name",)), "name-mismatch", f"name {spec.name!r} differs from its folder {name!r}", name)
            return None
        entry = TaskEntry(name, task_dir, doc, spec)
        self.tasks[name] = entry
        for f in sorted(task_dir.glob("*.yaml")):
            if f.name != TASK_FILE:
                self._load_templates(entry, f)
        for f in sorted(task_dir.glob("*.yml")):
            self._problem(f, 1, "bad-filename", "template files end in .yaml", name)
        return entry

    def _read(self, path: Path, task: str | None, lang: str | None) -> LoadedYaml | None:
        try:
            doc = load_yaml(path)
        except YamlError as e:
            self._problem(path, e.line or 1, e.code, e.message, task, lang)
            return None
        if not isinstance(doc.data, dict):
            got = "an empty file" if doc.data is None else f"a {type(doc.data).__name__}"
            self._problem(path, 1, "not-a-mapping", f"expected a mapping of keys, got {got}", task, lang)
            return None
        return doc

    def _load_templates(self, entry: TaskEntry, path: Path) -> None:
        tag = languages.normalize(path.stem)
        if tag is None:
            close = languages.suggestions(path.stem)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            self._problem(path, 1, "unknown-language", f"file name {path.stem!r} is not a BCP-47 language tag{hint}", entry.name, path.stem)
            return
        if tag != path.stem:
            self._problem(path, 1, "bad-filename", f"name the file {tag}.yaml (the standard form of {path.stem!r})", entry.name, path.stem)
            return
        doc = self._read(path, entry.name, tag)
        if doc is None:
            return
        try:
            vf = VariantFile.model_validate(doc.data)
        except ValidationError as e:
            self.problems += schema_problems(e, doc, display_path(path), VariantFile, entry.name, tag)
            return
        entry.templates[tag] = TemplateSet(entry.name, tag, path, doc, vf)

    # -- queries ---------------------------------------------------------------------------
    def task(self, name: str) -> TaskEntry:
        if name not in self.tasks:
            close = difflib.get_close_matches(name, list(self.tasks), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f" (known: {', '.join(sorted(self.tasks))})"
            raise UsageError(f"unknown task {name!r}{hint}")
        return self.tasks[name]

    def select_tasks(self, spec: str | None, role: str | None = None) -> list[TaskEntry]:
        """A `--tasks` value (comma list) or, when empty, every task of `role`."""
        if spec:
            return [self.task(n.strip()) for n in spec.split(",") if n.strip()]
        return [t for t in self.tasks.values() if role is None or t.spec.role.value == role]

    def languages(self) -> tuple[str, ...]:
        """Every language any task has a variant file or a source config for."""
        out: set[str] = set()
        for t in self.tasks.values():
            out |= set(t.templates)
            for s in t.spec.sources:
                out |= {tag for tag in (languages.normalize(c) for c in s.configs) if tag}
        return tuple(sorted(out))

    def require_clean(self) -> Registry:
        """Raise if any file failed to load or validate (commands that build need a sound registry)."""
        bad = errors(self.problems)
        if bad:
            more = f" (and {len(bad) - 1} more; run `stdata templates validate`)" if len(bad) > 1 else ""
            raise StdataError(f"registry has errors: {bad[0]}{more}")
        return self
