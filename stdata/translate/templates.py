"""`stdata translate templates`: machine-translated `<lang>.yaml` variants that keep every placeholder.

Why this shape: a wrong template poisons every statement built from it, so nothing is written
unless it is provably the source's structure with translated words -- same control tags, the
same expressions restored by identity, renders cleanly on the task's examples, and passes
`stdata templates validate` (run on the prospective file before it replaces the real one).
Human, team-draft and reviewed variants are never overwritten without `force`; `update` only
re-translates variants whose English source hash changed. Label words for `{{ label }}` slots
are translated inside their statement (between two marker tokens), never as bare words.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import languages
from ..atomic import write_atomic
from ..errors import UsageError
from ..problems import Problem
from ..registry import SOURCE_LANG, Registry, TaskEntry, TemplateSet, display_path
from ..render import TemplateProblem
from ..schema import TranslatedFrom, Variant
from .cache import Cache
from .engines import Engine, make_engine
from .labelwords import extract_label_word, label_context
from .runner import Answer, Runner, Stats
from .segments import Rejected, Segment, check_structure, detokenize, restore, tokenize
from .yamlout import dump_variant_file

PROTECTED = ("human", "team-draft")
#: Passes of "validate the prospective file, drop the variants it faults" before giving up.
_MAX_PASSES = 3


def is_protected(v: Variant) -> bool:
    """Variants a person wrote or checked: never overwritten without --force."""
    return v.reviewed or v.provenance in PROTECTED


@dataclass
class Job:
    """One English variant to translate into one language."""

    task: TaskEntry
    lang: str
    source: Variant
    slots: dict[str, list]  # slot -> tokenized items


@dataclass
class FilePlan:
    task: TaskEntry
    lang: str
    existing: TemplateSet | None
    jobs: list[Job] = field(default_factory=list)
    label_job: dict[str, str] | None = None  # label -> marked context text, when label words are needed


@dataclass
class Report:
    rejections: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _plan(
    reg: Registry, tasks: list[TaskEntry], targets: list[str], update: bool, force: bool, report: Report, counts: Counter
) -> list[FilePlan]:
    plans = []
    for t in tasks:
        en = t.templates.get(SOURCE_LANG)
        if en is None:
            report.notes.append(f"{t.name}: no English variants load ({display_path(t.dir / 'en.yaml')}); skipped")
            continue
        tokenized: dict[str, dict[str, list]] = {}
        for v in en.variants:
            try:
                tokenized[v.id] = {slot: tokenize(src) for slot, src in v.templates.items()}
            except (Rejected, TemplateProblem) as e:
                report.notes.append(f"{t.name}/en/{v.id}: the English template cannot be translated: {e}")
                counts["source_errors"] += 1
        for lang in targets:
            path = t.dir / f"{lang}.yaml"
            existing = t.templates.get(lang)
            if path.exists() and existing is None:
                report.notes.append(f"{display_path(path)} does not load; fix it first (stdata templates validate); skipped")
                counts["skipped_files"] += 1
                continue
            plan = FilePlan(t, lang, existing)
            for v in en.variants:
                if v.id not in tokenized:
                    continue
                old = existing.variant(v.id) if existing else None
                if old is not None and is_protected(old) and not force:
                    counts["kept"] += 1
                    continue
                if old is not None and update and old.translated_from is not None and old.translated_from.hash == v.content_hash:
                    counts["up_to_date"] += 1
                    continue
                plan.jobs.append(Job(t, lang, v, tokenized[v.id]))
            needs_words = t.kind.uses_label_words and any(j.source.statement is not None for j in plan.jobs)
            if needs_words and (existing is None or existing.file.label_words is None or force):
                plan.label_job = label_context(en, t.label_words(SOURCE_LANG), list(t.spec.labels or []))
            if plan.jobs:
                plans.append(plan)
    return plans


def _requests(plans: list[FilePlan]) -> list[tuple[str, str, str]]:
    out = []
    for p in plans:
        for j in p.jobs:
            for items in j.slots.values():
                out += [(SOURCE_LANG, p.lang, it.text) for it in items if isinstance(it, Segment) and it.translatable]
        if p.label_job:
            out += [(SOURCE_LANG, p.lang, text) for text in p.label_job.values()]
    return out


def _translate_job(job: Job, answers: dict, provenance: str, report: Report) -> tuple[Variant | None, str | None]:
    """The translated variant, or None and `rejected`/`failed`."""
    templates: dict[str, str] = {}
    for slot, items in job.slots.items():
        done: dict[int, str] = {}
        for i, it in enumerate(items):
            if not (isinstance(it, Segment) and it.translatable):
                continue
            ans: Answer = answers[(SOURCE_LANG, job.lang, it.text)]
            where = dict(task=job.task.name, lang=job.lang, variant=job.source.id, slot=slot, text=it.text)
            if ans.text is None:
                report.failures.append({**where, "reason": ans.error})
                return None, "failed"
            try:
                done[i] = restore(it, ans.text)
            except Rejected as e:
                report.rejections.append({**where, "translation": ans.text, "reason": str(e)})
                return None, "rejected"
        source = job.source.templates[slot]
        out = detokenize(items, done)
        try:
            check_structure(source, out)
        except Rejected as e:
            report.rejections.append(
                dict(task=job.task.name, lang=job.lang, variant=job.source.id, slot=slot, text=source, translation=out, reason=str(e))
            )
            return None, "rejected"
        templates[slot] = out
    form = {"statements": templates} if job.source.statements is not None else {"statement": templates["statement"]}
    variant = Variant(
        id=job.source.id, provenance=provenance, reviewed=False,
        translated_from=TranslatedFrom(variant=job.source.id, hash=job.source.content_hash), **form,
    )  # fmt: skip
    return variant, None


def _label_words(plan: FilePlan, answers: dict, report: Report) -> tuple[dict[str, str] | None, str | None]:
    words = {}
    for lab, marked in (plan.label_job or {}).items():
        ans = answers[(SOURCE_LANG, plan.lang, marked)]
        where = dict(task=plan.task.name, lang=plan.lang, variant="(label_words)", slot=lab, text=marked)
        if ans.text is None:
            report.failures.append({**where, "reason": ans.error})
            return None, "failed"
        try:
            words[lab] = extract_label_word(marked, ans.text)
        except Rejected as e:
            report.rejections.append({**where, "translation": ans.text, "reason": str(e)})
            return None, "rejected"
    if len(set(words.values())) < len(words):
        report.rejections.append(
            dict(
                task=plan.task.name,
                lang=plan.lang,
                variant="(label_words)",
                slot="*",
                text="",
                translation=str(words),
                reason="two labels got the same word",
            )
        )
        return None, "rejected"
    return words, None


def _prevalidate(task: TaskEntry, lang: str, text: str) -> list[Problem]:
    """Validate the prospective `<lang>.yaml` in a scratch copy of the task folder (errors only)."""
    from ..validate import validate_paths

    with tempfile.TemporaryDirectory(prefix="stdata-translate-") as tmp:
        scratch = Path(tmp) / task.name
        scratch.mkdir()
        shutil.copy2(task.path, scratch / "task.yaml")
        en = task.dir / f"{SOURCE_LANG}.yaml"
        if en.exists():
            shutil.copy2(en, scratch / en.name)
        (scratch / f"{lang}.yaml").write_text(text, encoding="utf-8")
        return [p for p in validate_paths([scratch / f"{lang}.yaml"]) if p.severity == "error"]


def _assemble(plan: FilePlan, answers: dict, provenance: str, report: Report, counts: Counter, stats: Stats, dry_run: bool) -> Path | None:
    t, lang = plan.task, plan.lang
    label_words = plan.existing.file.label_words if plan.existing else None
    words_outcome = None
    if plan.label_job:
        new_words, words_outcome = _label_words(plan, answers, report)
        label_words = new_words or label_words
    new: dict[str, Variant] = {}
    for job in plan.jobs:
        if words_outcome and job.source.statement is not None and t.kind.uses_label_words and label_words is None:
            stats.count(words_outcome)
            continue
        variant, outcome = _translate_job(job, answers, provenance, report)
        if variant is None:
            stats.count(outcome or "failed")
        else:
            new[variant.id] = variant
    path = t.dir / f"{lang}.yaml"
    old = list(plan.existing.variants) if plan.existing else []
    old_ids = {v.id for v in old}
    baseline: set | None = None  # errors the file has already: not ours to fix; any other error blocks the write
    for _ in range(_MAX_PASSES):
        if not new:
            return None
        # replaced in place, new ones appended in English order, every other variant untouched
        merged = [new.get(v.id, v) for v in old] + [v for vid, v in new.items() if vid not in old_ids]
        text = dump_variant_file(merged, label_words, list(t.spec.labels or []))
        if path.exists() and path.read_text(encoding="utf-8") == text:
            counts["unchanged"] += len(new)  # translated again to the same text: the file is not touched
            return None
        faults = _prevalidate(t, lang, text)
        if faults and baseline is None:
            before = _prevalidate(t, lang, path.read_text(encoding="utf-8")) if path.exists() else []
            baseline = {(p.code, p.variant) for p in before if p.variant not in new}
        faults = [p for p in faults if (p.code, p.variant) not in (baseline or set())]
        if not faults:
            if not dry_run:
                write_atomic(path, text)
            counts["written"] += len(new)
            return path
        blamed = {p.variant: p for p in faults if p.variant in new} or {vid: faults[0] for vid in new}  # else: all of them
        for vid, p in blamed.items():
            bad = new.pop(vid)
            report.rejections.append(
                dict(
                    task=t.name,
                    lang=lang,
                    variant=vid,
                    slot="*",
                    text="",
                    translation=_variant_text(bad),
                    reason=f"validation {p.code}: {p.message}",
                )
            )
            stats.rejected += 1
    for vid, bad in new.items():  # still failing after the passes: nothing is written
        report.rejections.append(
            dict(
                task=t.name,
                lang=lang,
                variant=vid,
                slot="*",
                text="",
                translation=_variant_text(bad),
                reason="the file still fails validation after dropping the faulty variants",
            )
        )
        stats.rejected += 1
    return None


def _variant_text(v: Variant) -> str:
    return " | ".join(v.templates.values())


def translate_templates(
    registry: Registry,
    to: str,
    tasks: str | None = None,
    all_tasks: bool = False,
    engine: str | Engine = "pseudo",
    update: bool = False,
    force: bool = False,
    cache: Cache | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **limits: Any,
) -> dict[str, Any]:
    """Translate English variants into `to` (a --langs value) and write `<task>/<lang>.yaml` files.

    Returns the summary: the counters of `Stats`, what was written, kept and skipped, and one
    entry per rejected or failed segment with the reason.
    """
    if bool(tasks) == bool(all_tasks):
        raise UsageError("give --task NAME[,NAME...] or --all (not both)")
    reg = registry
    task_list = list(reg.tasks.values()) if all_tasks else reg.select_tasks(tasks)
    targets = [t for t in languages.resolve(to, reg.languages()) if t != SOURCE_LANG]
    if not targets:
        raise UsageError("--to names only English, the language templates are translated from")
    eng = make_engine(engine, **limits) if isinstance(engine, str) else engine
    eng.check(SOURCE_LANG, targets)  # a missing key or unsupported language fails before any work
    provenance = f"mt:{eng.name}"
    report, counts, stats = Report(), Counter[str](), Stats()
    plans = _plan(reg, task_list, targets, update, force, report, counts)
    own_cache = cache is None
    cache = cache or Cache()
    try:
        runner = Runner(eng, cache, stats, progress)
        answers = runner.translate(_requests(plans))
    finally:
        if own_cache:
            cache.close()
    files = []
    for plan in plans:
        path = _assemble(plan, answers, provenance, report, counts, stats, dry_run)
        if path is not None:
            files.append(display_path(path))
    return {
        **stats.as_dict(),
        "engine": eng.name,
        "provenance": provenance,
        "tasks": [t.name for t in task_list],
        "languages": targets,
        "written": counts["written"],
        "files": files,
        "unchanged": counts["unchanged"],
        "kept": counts["kept"],
        "up_to_date": counts["up_to_date"],
        "dry_run": dry_run,
        "fatal": runner.fatal,
        "rejections": report.rejections,
        "failures": report.failures,
        "notes": report.notes,
    }
