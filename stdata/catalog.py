"""What `stdata templates list|show|render` and `stdata langs` report, as plain data.

The CLI only formats these (rich tables or JSON); Python callers get the same dictionaries.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from . import languages
from .errors import UsageError
from .registry import Registry
from .sources import data_dir, load_rows
from .statements import Previewer


def language_presets(reg: Registry) -> list[dict[str, Any]]:
    known = reg.languages()
    out = []
    for name, tags in [*languages.PRESETS.items(), (languages.ALL, known)]:
        out.append(
            {
                "preset": name,
                "count": len(tags),
                "languages": [{"tag": t, "name": languages.info(t).name, "script": languages.info(t).script} for t in tags],
            }
        )
    return out


def list_templates(reg: Registry, task: str | None = None, lang: str | None = None) -> list[dict[str, Any]]:
    """One row per (task, language) variant file."""
    tasks = [reg.task(task)] if task else list(reg.tasks.values())
    want = languages.require(lang, reg.languages()) if lang else None
    rows = []
    for t in tasks:
        for tag, ts in sorted(t.templates.items()):
            if want and tag != want:
                continue
            prov = Counter(v.provenance for v in ts.variants)
            rows.append(
                {
                    "task": t.name,
                    "kind": t.spec.kind.value,
                    "role": t.spec.role.value,
                    "lang": tag,
                    "variants": len(ts.variants),
                    "reviewed": sum(v.reviewed for v in ts.variants),
                    "provenance": dict(sorted(prov.items())),
                    "file": str(ts.path),
                }
            )
    return rows


def show_task(reg: Registry, name: str) -> dict[str, Any]:
    t = reg.task(name)
    spec = t.spec
    return {
        "task": t.name,
        "description": spec.description,
        "kind": spec.kind.value,
        "role": spec.role.value,
        "fields": spec.fields,
        "labels": spec.labels,
        "num_choices": spec.num_choices,
        "negatives": spec.negatives,
        "partner_field": spec.partner_field,
        "group_field": spec.group_field,
        "template_languages": sorted(t.templates),
        "sources": [
            {
                "dataset": s.dataset,
                "split": s.split,
                "languages": sorted(s.configs),
                "license": s.license,
                "verified": s.verified,
            }
            for s in spec.sources
        ],
        "variants": [
            {"id": v.id, "provenance": v.provenance, "reviewed": v.reviewed, "templates": v.templates}
            for v in t.variant_set("en", "en").variants
        ],
    }


def render_preview(
    reg: Registry,
    task: str,
    lang: str,
    variant: str | None = None,
    n: int = 3,
    data_dir_path: str | Path | None = None,
    template_lang: str = "native",
    seed: int = 42,
) -> dict[str, Any]:
    """Statements for `n` rows: inline examples, or real rows of the language from a mirror/hub."""
    t = reg.task(task)
    tag = languages.require(lang, reg.languages())
    if template_lang not in ("native", "en"):
        raise UsageError("--template-lang must be native or en")
    ts = t.variant_set(tag, template_lang)
    variants = ts.variants
    if variant is not None:
        picked = ts.variant(variant)
        if picked is None:
            raise UsageError(f"task {task!r} has no variant {variant!r} in {ts.lang} (have: {', '.join(v.id for v in variants)})")
        variants = [picked]
    mirror = data_dir(data_dir_path)
    if data_dir_path is not None or mirror is not None:
        loaded = load_rows(t, tag, mirror)
        if loaded is None:
            raise UsageError(
                f"task {task!r} has no source for language {tag!r} (sources cover: {', '.join(sorted({c for s in t.spec.sources for c in s.configs}))})"
            )
        rows, origin = loaded.rows, f"{loaded.dataset} {loaded.config}/{loaded.split}"
        skipped, labels = dict(loaded.skipped), loaded.labels
    else:
        rows, origin, skipped, labels = list(t.spec.examples), "inline examples", {}, None
    rows = rows[: max(n, 0)]
    previewer = Previewer(t, rows, t.label_words(ts.lang), tag, seed, labels)
    out = []
    for i in range(len(rows)):
        v = variants[i % len(variants)]
        texts, gold, false = previewer.statements(i, v)
        truths = [True] * len(texts) if t.kind.binary else [k == gold for k in range(len(texts))]
        if t.kind.binary and false is not None:  # one statement per row: show the false one the build would pair it with
            texts, truths = [*texts, false], [*truths, False]
        out.append({"row": i, "variant": v.id, "statements": [{"text": s, "true": b} for s, b in zip(texts, truths)]})
    return {"task": t.name, "lang": tag, "template_lang": ts.lang, "origin": origin, "skipped": skipped, "rows": out}
