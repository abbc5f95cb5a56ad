"""Contributor commands: scaffold a task, start a language variant file, print translation hashes.

Why: adding a task took about nine hand-made steps, and the `translated_from` hash could only be
learnt from a validation error (issue 11). Every file written here is validated in a scratch copy
first and only then written (atomically), so a scaffold or a draft always loads; a draft's English
text is left in place on purpose, so `stdata templates validate` lists what is still to translate
(`wrong-language`) until the contributor has done it.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from . import languages
from .atomic import write_atomic
from .errors import StdataError, UsageError
from .kinds import kind_of
from .problems import errors
from .registry import SOURCE_LANG, TASK_FILE, Registry, TaskEntry, display_path
from .schema import NAME_RE, Kind, TranslatedFrom, Variant
from .translate.yamlout import dump_variant_file

#: Default text fields of a new task, per kind.
DEFAULT_FIELDS = {Kind.classification: ["text"], Kind.multiple_choice: ["question"], Kind.pair: ["source", "target"]}


def _q(text: str) -> str:
    """A YAML scalar for `text` (JSON strings are valid YAML double-quoted scalars)."""
    return json.dumps(text, ensure_ascii=False)


def _c(text: str, comment: str) -> str:
    """`text` with a comment lined up at column 34."""
    return f"{text:<33} # {comment}"


def _names(spec: str | None, what: str) -> list[str] | None:
    if spec is None:
        return None
    out = [s.strip() for s in spec.split(",") if s.strip()]
    for name in out:
        if not re.match(NAME_RE, name):
            raise UsageError(f"{what} {name!r} is not a lower-case identifier (letters, digits, _; starting with a letter)")
    if len(set(out)) != len(out):
        raise UsageError(f"{what}s repeat: {spec}")
    return out


def _example_rows(kind: Kind, fields: list[str], labels: list[str], num_choices: int) -> list[dict[str, Any]]:
    rows = []
    for i, nth in enumerate(("first", "second")):
        row: dict[str, Any] = {f: f"The {nth} example {f.replace('_', ' ')}, written to check the templates." for f in fields}
        if kind is Kind.classification:
            row["label"] = labels[i % len(labels)]
        elif kind is Kind.multiple_choice:
            row["choices"] = [f"the {nth} row's answer number {k + 1}" for k in range(num_choices)]
            row["label"] = i % num_choices
        rows.append(row)
    return rows


def _statement(kind: Kind, fields: list[str], partner: str | None) -> str:
    quoted = " and ".join(f'"{{{{ {f} }}}}"' for f in fields)
    if kind is Kind.classification:
        return f"The label of {quoted} is {{{{ label }}}}."
    if kind is Kind.multiple_choice:
        return f"The right answer to {quoted} is {{{{ choice }}}}."
    others = " and ".join(f'"{{{{ {f} }}}}"' for f in fields if f != partner)
    return f'The text "{{{{ {partner} }}}}" belongs with {others}.'


def task_files(
    name: str,
    kind: str,
    fields: str | None = None,
    labels: str | None = None,
    num_choices: int = 2,
    partner_field: str | None = None,
    role: str = "train",
    description: str | None = None,
) -> dict[str, str]:
    """The text of `task.yaml` and `en.yaml` for a new task, with comments that say what to change."""
    if not re.match(NAME_RE, name):
        raise UsageError(f"task name {name!r} is not a lower-case identifier (letters, digits, _; starting with a letter)")
    try:
        k = Kind(kind)
    except ValueError:
        raise UsageError(f"--kind must be one of {', '.join(x.value for x in Kind)}, not {kind!r}") from None
    if role not in ("train", "eval"):
        raise UsageError(f"--role must be train or eval, not {role!r}")
    field_list = _names(fields, "field") or DEFAULT_FIELDS[k]
    label_list = _names(labels, "label") or []
    if k is Kind.classification and len(label_list) < 2:
        raise UsageError("a classification task needs --labels with at least two names, e.g. --labels negative,positive")
    if k is not Kind.classification and label_list:
        raise UsageError(f"--labels is only for classification tasks, not {k.value}")
    if k is Kind.pair:
        partner_field = partner_field or field_list[-1]
        if partner_field not in field_list or len(field_list) < 2:
            raise UsageError(f"a pair task needs two or more --fields and --partner-field naming one of them (fields: {field_list})")
    if k is Kind.multiple_choice and num_choices < 2:
        raise UsageError("--num-choices must be 2 or more")
    negatives = kind_of(k).default_negatives
    desc = description or f"TODO: one sentence saying what {name} decides, and on what data."
    lines = [
        f'# The task {name}: docs/templates.md ("task.yaml") explains every key.',
        _c(f"name: {name}", "= the folder name"),
        f"description: {_q(desc)}",
        _c(f"kind: {k.value}", "classification | multiple_choice | pair"),
        _c(f"role: {role}", "train (built into corpora) | eval (zero-shot evaluation only)"),
        _c(f"fields: [{', '.join(field_list)}]", "the text fields a statement may use"),
    ]
    if k is Kind.classification:
        lines.append(_c(f"labels: [{', '.join(label_list)}]", "gold label names; one statement per label"))
        words = ", ".join(f"{lab}: {_q(lab.replace('_', ' '))}" for lab in label_list)
        lines.append(_c(f"label_words: {{{words}}}", "English words the {{ label }} slot shows; make them read well"))
    if k is Kind.multiple_choice:
        lines.append(_c(f"num_choices: {num_choices}", "candidates per row; statements use {{ choice }}"))
    if k is Kind.pair:
        lines.append(_c(f"partner_field: {partner_field}", "replaced by another row's value in a false statement"))
    lines += [
        _c(f"negatives: {negatives}", "a registered strategy for this kind (docs/templates.md, Negative strategies)"),
        "tags: []",
        _c("sources: []", "where real rows come from, per language; for example:"),
        _c("#  - dataset: ORG/NAME", "the hub id"),
        _c("#    configs: {en: default}", "BCP-47 tag -> the dataset's own config name"),
        "#    split: validation",
        "#    columns: {" + ", ".join(f"{c}: {_column_hint(c, num_choices)}" for c in field_list + _row_extra(k)) + "}",
        "#    license: CC BY 4.0",
        _c("#    verified: no", "mirror | card | no"),
        _c("examples:", "rows written by you (replace these), so templates validate offline"),
    ]
    for row in _example_rows(k, field_list, label_list, num_choices):
        lines.append("  - {" + ", ".join(f"{key}: {_q(v) if isinstance(v, str) else json.dumps(v)}" for key, v in row.items()) + "}")
    statement = _statement(k, field_list, partner_field)
    en = [
        f"# English statement variants of {name}: the originals every language translates.",
        "# Ids are lower-kebab and stable across languages; add more variants, each worded differently.",
        "variants:",
        "  - id: plain",
        _c("    provenance: human", "human | team-draft | mt:<engine>"),
        _c("    reviewed: false", "true once someone else has read it"),
        f"    statement: {_q(statement)}",
    ]
    return {TASK_FILE: "\n".join(lines) + "\n", f"{SOURCE_LANG}.yaml": "\n".join(en) + "\n"}


def _column_hint(column: str, num_choices: int) -> str:
    if column == "choices":
        return "[" + ", ".join(f"CHOICE_COLUMN_{i + 1}" for i in range(num_choices)) + "]"
    return "SOURCE_COLUMN"


def _row_extra(kind: Kind) -> list[str]:
    return list(kind_of(kind).extra_columns)


def _scratch_errors(name: str, files: dict[str, str], base: TaskEntry | None = None, ignore: tuple[str, ...] = ()) -> None:
    """Validate `files` (name -> text) in a scratch task folder (with `base`'s task.yaml and en.yaml); raise on an error."""
    from .validate import validate_paths

    with tempfile.TemporaryDirectory(prefix="stdata-author-") as tmp:
        scratch = Path(tmp) / name
        scratch.mkdir()
        if base is not None:
            for fname in (TASK_FILE, f"{SOURCE_LANG}.yaml"):
                shutil.copy2(base.dir / fname, scratch / fname)
        for fname, text in files.items():
            (scratch / fname).write_text(text, encoding="utf-8")
        bad = [p for p in errors(validate_paths([scratch / f for f in files])) if p.code not in ignore]
    if bad:
        raise StdataError(f"internal error: the generated {Path(bad[0].file).name} does not validate: [{bad[0].code}] {bad[0].message}")


def new_task(root: Path, name: str, kind: str, **options: Any) -> dict[str, Any]:
    """Write `ROOT/NAME/task.yaml` and `en.yaml` (refusing to touch an existing folder)."""
    files = task_files(name, kind, **options)
    folder = Path(root) / name
    if folder.exists():
        raise UsageError(f"{display_path(folder)} exists already; pick another name or edit its files")
    _scratch_errors(name, files)
    folder.mkdir(parents=True)
    for fname, text in files.items():
        write_atomic(folder / fname, text)
    return {"task": name, "files": [display_path(folder / f) for f in files]}


def _draft_variant(v: Variant) -> Variant:
    return Variant(
        id=v.id,
        provenance="human",
        reviewed=False,
        translated_from=TranslatedFrom(variant=v.id, hash=v.content_hash),
        statements=v.statements,
        statement=v.statement,
    )


def add_lang(reg: Registry, task: str, lang: str) -> dict[str, Any]:
    """Write a draft `<task>/<lang>.yaml`: every English variant, its hash, `reviewed: false`."""
    t = reg.task(task)
    tag = languages.require(lang, reg.languages())
    if tag == SOURCE_LANG:
        raise UsageError(f"English is the source language; edit {display_path(t.dir / 'en.yaml')} directly")
    english = t.templates.get(SOURCE_LANG)
    if english is None:
        raise StdataError(f"task {task!r} has no English variants ({display_path(t.dir / 'en.yaml')}) to start from")
    path = t.dir / f"{tag}.yaml"
    if path.exists():
        raise UsageError(
            f"{display_path(path)} exists already; `stdata templates hash {task} --lang {tag}` lists the variants it lacks or has stale"
        )
    labels = list(t.spec.labels or [])
    words = None
    if t.kind.uses_label_words and any(v.statement is not None for v in english.variants):
        words = {lab: t.label_words(SOURCE_LANG)[lab] for lab in labels}
    body = dump_variant_file([_draft_variant(v) for v in english.variants], words, labels)
    name = languages.info(tag).name
    header = (
        f"# Draft {name} ({tag}) variants of {task}, copied from en.yaml: translate every statement"
        + (" and the label_words" if words else "")
        + ",\n# keeping each {{ placeholder }} and {% if %} as it is. Leave translated_from alone (it records\n"
        "# which English text you translated); set reviewed: true only after a native speaker has checked it.\n"
        f"# Check with: stdata templates validate {display_path(path)}\n"
    )
    text = header + body
    _scratch_errors(t.name, {f"{tag}.yaml": text}, t, ignore=("wrong-language",))  # English text until translated
    write_atomic(path, text)
    return {"task": task, "lang": tag, "file": display_path(path), "variants": [v.id for v in english.variants]}


def hashes(reg: Registry, task: str, lang: str | None = None) -> dict[str, Any]:
    """The content hash of every English variant; with `lang`, whether that file's translations are current."""
    t = reg.task(task)
    english = t.templates.get(SOURCE_LANG)
    if english is None:
        raise StdataError(f"task {task!r} has no English variants ({display_path(t.dir / 'en.yaml')})")
    tag = languages.require(lang, reg.languages()) if lang else None
    theirs = t.templates.get(tag) if tag else None
    rows = []
    for v in english.variants:
        row: dict[str, Any] = {"variant": v.id, "hash": v.content_hash}
        if tag:
            mine = theirs.variant(v.id) if theirs else None
            if mine is None:
                row["status"] = "missing"
            elif mine.translated_from is None:
                row["status"] = "untracked"  # no translated_from: nobody recorded which English text it follows
            elif mine.translated_from.hash == v.content_hash:
                row["status"] = "current"
            else:
                row["status"] = "stale"
            row["recorded"] = mine.translated_from.hash if mine is not None and mine.translated_from else None
        rows.append(row)
    return {"task": task, "lang": tag, "variants": rows}
