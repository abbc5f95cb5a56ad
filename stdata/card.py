"""The corpus's dataset card (README.md) with hub metadata, made from its manifest alone."""

from __future__ import annotations

from collections import defaultdict

import yaml

from .audit import AuditReport
from .corpus import Manifest


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def dataset_card(manifest: Manifest) -> str:
    groups = manifest.groups
    langs = sorted({key.split("/")[1] for key in groups})
    total = sum(manifest.counts.values())
    licences: dict[str, set[str]] = defaultdict(set)
    for g in groups.values():
        licences[g.source.license].add(g.source.dataset)
    meta = {
        "language": langs,
        "multilinguality": "multilingual" if len(langs) > 1 else "monolingual",
        "task_categories": ["text-classification"],
        "task_ids": ["natural-language-inference", "multi-class-classification"],
        "size_categories": [_size_category(total)],
        "license": "other",
        "license_details": "; ".join(f"{lic}: {', '.join(sorted(ds))}" for lic, ds in sorted(licences.items())),
        "tags": ["statement-tuning", "stdata"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in manifest.counts],
            }
        ],
    }
    lines = [
        "---",
        yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        "# Statement-Tuning corpus",
        "",
        "True/False natural-language statements made by [stdata](https://github.com/) from the tasks and",
        "languages below: every source example gives one true statement and one false one (the task's",
        "negative strategy), balanced per task and language. Columns: `statement`, `label` (false/true),",
        "`task`, `lang`, `template_id`, `template_lang`, `candidate`, the source dataset/config/split/row,",
        "`negative_source_row`, `group_id` and `upsampled`. See `manifest.json` for every count and hash.",
        "",
        f"- statements: {total} ({', '.join(f'{s} {n}' for s, n in manifest.counts.items())})",
        f"- seed: {manifest.seed}, per task and language: {manifest.options['per_task_lang']}, "
        f"templates: {manifest.options['template_lang']}",
        "- fingerprint of the content: see `manifest.json` (`fingerprint`)",
        "",
        "## Groups",
        "",
        "| task | lang | source | true | false | shortfall |",
        "|---|---|---|---|---|---|",
    ]
    for key, g in groups.items():
        task, lang = key.split("/")
        t = sum(c.get("true", 0) for c in g.counts.values())
        f = sum(c.get("false", 0) for c in g.counts.values())
        lines.append(f"| {task} | {lang} | {g.source.dataset} {g.source.config} | {t} | {f} | {g.shortfall} |")
    lines += ["", "## Source licences", ""]
    lines += [f"- {lic}: {', '.join(sorted(ds))}" for lic, ds in sorted(licences.items())]
    if manifest.missing:
        lines += ["", f"## Not built ({len(manifest.missing)} task/language pairs without data)", ""]
        lines += [f"- {m.task}/{m.lang}: {m.reason}" for m in manifest.missing]
    if manifest.audit is not None:
        lines += ["", *_audit_section(manifest.audit)]
    return "\n".join(lines) + "\n"


def _audit_section(audit: AuditReport) -> list[str]:
    """What trivial rules can tell about the statements: a table per (task, language) and one line per flag."""
    lines = [
        "## Shortcut audit",
        "",
        "Pair accuracy (share of source examples whose true statement the rule scores above the false one, ties",
        "half) of rules that see no model: is the partner (the part where the two statements differ) contained in",
        "the rest, its word overlap with the rest, its length relative to the rest, and a bag-of-words classifier",
        f"trained on train and scored on validation. Values >= {audit.threshold:.2f} over at least {audit.min_pairs} pairs",
        "are flagged: a model could learn that rule instead of the task.",
        "",
        f"| task | lang | pairs | {' | '.join(audit.rules)} |",
        "|---|---|---|" + "---|" * len(audit.rules),
    ]
    for c in audit.cells:
        values = ["-" if c.scores.get(r) is None else f"{c.scores[r]:.3f}" for r in audit.rules]
        lines.append(f"| {c.task} | {c.lang} | {c.pairs} | {' | '.join(values)} |")
    lines += ["", f"Flagged: {len(audit.flags)}" + ("" if audit.flags else " (no rule reaches the threshold)")]
    if audit.flags:
        lines += ["", *[f"- {f.line()}" for f in audit.flags]]
    return lines
