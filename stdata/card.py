"""The corpus's dataset card (README.md) with hub metadata, made from its manifest alone."""

from __future__ import annotations

import re
from collections import defaultdict

import yaml

from .audit import AuditReport
from .corpus import Manifest, features


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _test_splits_trained_on(manifest: Manifest) -> dict[tuple[str, str, str], list[str]]:
    """(dataset, split, task) -> languages, for groups whose source split reads a test split."""
    out: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for key, g in manifest.groups.items():
        if "test" in re.split(r"[+\[]", g.source.split):
            task, lang = key.split("/")
            out[g.source.dataset, g.source.split, task].append(lang)
    return dict(sorted(out.items()))


def dataset_card(manifest: Manifest, picture: str | None = None) -> str:
    """The card; `picture` names the coverage heatmap written beside it (coverage_plot.py), embedded when given."""
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
        # the column types as `datasets` reads them from a card: `label` stays ClassLabel(false, true) on the hub
        "dataset_info": {"features": features()._to_yaml_list()},
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
        "`negative_source_row`, `group_id`, `upsampled` and `mt_engine` (the engine that machine-translated the",
        "source row; empty for real rows). See `manifest.json` for every count and hash.",
        "",
        f"- statements: {total} ({', '.join(f'{s} {n}' for s, n in manifest.counts.items())})",
        f"- seed: {manifest.seed}, per task and language: {manifest.options['per_task_lang']}, "
        f"templates: {manifest.options['template_lang']}",
        "- fingerprint of the content: see `manifest.json` (`fingerprint`)",
        "",
    ]
    if picture:
        lines += ["## Coverage", "", f"![statements per task and language: real, machine-translated, missing]({picture})", ""]
    lines += [
        "## Groups",
        "",
        "| task | lang | source | true | false | machine-translated | shortfall |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, g in groups.items():
        task, lang = key.split("/")
        t = sum(c.get("true", 0) for c in g.counts.values())
        f = sum(c.get("false", 0) for c in g.counts.values())
        mt = g.mt.statements if g.mt else 0
        lines.append(f"| {task} | {lang} | {g.source.dataset} {g.source.config} | {t} | {f} | {mt} | {g.shortfall} |")
    lines += _mt_section(manifest) + _mismatch_section(manifest) + _lineage_section(manifest)
    tests = _test_splits_trained_on(manifest)
    if tests:
        lines += ["", "## Test splits used as training data", ""]
        lines += ["Do not report zero-shot results on these sources' test sets with a model trained on this corpus.", ""]
        lines += [f"- {dataset} `{split}` ({task}): {', '.join(langs)}" for (dataset, split, task), langs in tests.items()]
    lines += ["", "## Source licences", ""]
    lines += [f"- {lic}: {', '.join(sorted(ds))}" for lic, ds in sorted(licences.items())]
    if manifest.missing:
        lines += ["", f"## Not built ({len(manifest.missing)} task/language pairs without data)", ""]
        lines += [f"- {m.task}/{m.lang}: {m.reason}" for m in manifest.missing]
    if manifest.audit is not None:
        lines += ["", *_audit_section(manifest.audit)]
    return "\n".join(lines) + "\n"


def _mt_section(m: Manifest) -> list[str]:
    cells = [(key, g.mt) for key, g in m.groups.items() if g.mt is not None]
    if not cells:
        return []
    total = sum(mt.statements for _, mt in cells)
    engines = sorted({mt.engine for _, mt in cells})
    lines = [
        "",
        "## Machine-translated rows",
        "",
        f"{total} statements ({total / max(1, sum(m.counts.values())):.1%}) come from the tasks' English rows machine-translated",
        f"by {', '.join(engines)} (`--mt-fill`), in {sum(mt.statements > 0 for _, mt in cells)} task/language groups that had no",
        "real rows or too few. Each such row names its engine in `mt_engine` (empty for real rows), so",
        "`ds.filter(lambda r: not r['mt_engine'])` gives the corpus without them.",
        "",
        "| task | lang | MT statements | translated from | why | engine error |",
        "|---|---|---|---|---|---|",
    ]
    for key, mt in cells:
        task, lang = key.split("/")
        src = f"{mt.source.dataset} {mt.source.config}" if mt.source else "-"
        lines.append(f"| {task} | {lang} | {mt.statements} | {src} | {mt.reason} | {mt.error or ''} |")
    return lines


def _mismatch_section(m: Manifest) -> list[str]:
    if not m.template_mismatch:
        return []
    overall = m.template_mismatch.get("all")
    lines = [
        "",
        "## Template language",
        "",
        "Statements whose template is in another language than their text (a language without its own variants",
        f"falls back to English): {overall.share:.1%} overall." if overall else "",
        "",
        "| lang | statements | other-language template | share |",
        "|---|---|---|---|",
    ]
    lines += [f"| {lang} | {x.statements} | {x.mismatched} | {x.share:.1%} |" for lang, x in m.template_mismatch.items() if lang != "all"]
    return lines


def _lineage_section(m: Manifest) -> list[str]:
    if not m.lineage:
        return []
    lines = ["", "## Inputs (`stdata balance`)", "", "| corpus | fingerprint | statements used |", "|---|---|---|"]
    lines += [f"| {x.corpus} | {x.fingerprint or '-'} | {x.used} |" for x in m.lineage]
    if m.eval_overlap is not None:
        lines += ["", "Statements containing an evaluation task's text (exact / normalised):", ""]
        lines += [
            f"- {task}: {o.exact} / {o.normalized}" + (f" (not checked: {'; '.join(o.not_checked)[:200]})" if o.not_checked else "")
            for task, o in m.eval_overlap.items()
        ]
    return lines


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
