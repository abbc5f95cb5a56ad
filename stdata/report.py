"""Evaluation reports: results.json, markdown and CSV tables in the paper's layout, PNG plots,
and `stdata eval compare` over several runs.

Every table and plot is made from the results dictionary alone (never from the model), so a
report can be rebuilt from results.json and always agrees with it. Plots use matplotlib's Agg
backend: no display is needed.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .errors import UsageError
from .model import looks_like_path
from .results import RESULTS, Efficiency, EvalResult, GroupResult, efficiency, load_results

__all__ = ["compare", "load_results", "markdown", "write_reports"]
FIRST_LANG = "en"  # the paper lists English first, then the other languages alphabetically


def pct(x: float | None, digits: int = 2) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f}"


def _langs(langs) -> list[str]:
    return sorted(set(langs), key=lambda lang: (lang != FIRST_LANG, lang))


def grid(results: EvalResult) -> tuple[list[str], list[str], dict[tuple[str, str], GroupResult]]:
    """Tasks, languages (English first) and the group record of each (task, language)."""
    cells = results.cells()
    tasks = sorted({t for t, _ in cells})
    return tasks, _langs(lang for _, lang in cells), cells


def ordered_groups(results: EvalResult) -> list[GroupResult]:
    """Every (task, language) group in table order: tasks sorted, English first within each."""
    tasks, langs, cells = grid(results)
    return [cells[(t, lang)] for t in tasks for lang in langs if (t, lang) in cells]


# -- tables ----------------------------------------------------------------------------------------


def accuracy_rows(results: EvalResult) -> tuple[list[str], list[list[str]]]:
    """The paper's layout: one row per language, one column per task, then avg/random/majority rows."""
    tasks, langs, cells = grid(results)
    summary = results.summary
    header = ["lang", *tasks, "avg"]
    rows = []
    for lang in langs:
        vals = [cells[(t, lang)].mean if (t, lang) in cells else None for t in tasks]
        rows.append([lang, *map(pct, vals), pct(summary.languages[lang].mean)])
    task_sum = [summary.tasks[t] for t in tasks]
    rows.append(["avg", *(pct(s.mean) for s in task_sum), pct(summary.overall)])
    rows.append(["random", *(pct(s.random) for s in task_sum), ""])
    rows.append(["majority", *(pct(s.majority) for s in task_sum), ""])
    if results.baseline is not None:
        b = results.baseline.summary
        rows.append([results.baseline.kind, *(pct(b.tasks[t].mean) if t in b.tasks else "" for t in tasks), pct(b.overall)])
    return header, rows


# -- provenance and warnings -----------------------------------------------------------------------

#: A cell with more than this share of its statements truncated is pointed out in the summary.
TRUNCATION_WARN = 0.01


def read_from(g: GroupResult) -> str:
    """Where a cell's rows were read: the folder (resolved), or the hub and the revision asked for."""
    return g.source.data_path or f"hub@{g.source.revision or 'main'}"


def _short_hash(h: str) -> str:
    algo, _, digest = h.partition(":")
    return f"{algo}:{digest[:12]}" if digest else h[:19]


def _registry_of(results: EvalResult, g: GroupResult) -> str:
    root, folder = results.registry, g.registry
    if root and folder and Path(folder).parent == Path(root):
        return f"{Path(folder).name}/"
    return folder or ""


SOURCE_COLUMNS = [
    "task",
    "lang",
    "dataset",
    "config",
    "split",
    "rows",
    "skipped",
    "read from",
    "registry",
    "templates",
    "truncated",
    "override",
]


def source_rows(results: EvalResult) -> list[list[str]]:
    """Per cell: which dataset, config and split, how many rows were used and skipped, read from where, with which templates."""
    out = []
    for g in ordered_groups(results):
        src = g.source
        rows = f"{src.rows}" + (f" of {src.available}" if src.available is not None and src.available != src.rows else "")
        skipped = ", ".join(f"{n} {why}" for why, n in src.skipped.items()) or "0"
        truncated = f"{g.truncated_statements} ({100 * g.truncated_share:.1f}%)" if g.truncated_statements else "0"
        out.append([g.task, g.lang, src.dataset, src.config, src.split, rows, skipped, read_from(g), _registry_of(results, g),
                    _short_hash(g.template_hash), truncated, f"`--source {src.override}`" if src.override else ""])  # fmt: skip
    return out


def summary_notes(results: EvalResult) -> list[str]:
    """One-line notes for the run's summary: untuned heads, datasets replaced by --source, heavy truncation."""
    notes = []
    for what, m in (("the model", results.model), ("the baseline", results.baseline.model if results.baseline else None)):
        if m is not None and m.untuned_head:
            notes.append(f"note: {what}'s classification head is untuned (not in the checkpoint): drawn at random with seed {m.head_seed}")
    by_override: dict[str, list[GroupResult]] = {}
    for g in results.groups:
        if g.source.override:
            by_override.setdefault(g.source.override, []).append(g)
    for spec, gs in by_override.items():
        cells = ", ".join(f"{g.task}/{g.lang} ({g.source.config}/{g.source.split})" for g in gs)
        notes.append(f"note: --source {spec} read {gs[0].source.dataset} for {cells}")
    heavy = [g for g in results.groups if g.truncated_share > TRUNCATION_WARN]
    if heavy:
        cells = ", ".join(f"{g.task}/{g.lang} {100 * g.truncated_share:.1f}% ({g.truncated_statements} of {g.speed.scored})" for g in heavy)
        notes.append(f"warning: more than {TRUNCATION_WARN:.0%} of the statements were cut to the model's max length in {cells}")
    return notes


VARIANT_COLUMNS = ["task", "lang", "template_lang", "variant", "examples", "correct", "accuracy", "mean", "std", "random", "majority"]


def variant_rows(results: EvalResult) -> list[list[Any]]:
    """One row per task x language x variant, with the group's mean, std and baselines."""
    return [
        [g.task, g.lang, g.template_lang, v.id, g.examples, v.correct, pct(v.accuracy), pct(g.mean), pct(g.std),
         pct(g.baselines["random"]), pct(g.baselines["majority"])]
        for g in ordered_groups(results)
        for v in g.variants
    ]  # fmt: skip


EFFICIENCY_COLUMNS = [
    "run",
    "examples/s",
    "statements/s",
    "peak MiB",
    "device",
    "dtype",
    "quantization",
    "threads",
    "batch",
    "FLOP fraction",
]


def efficiency_rows(rows: Sequence[Efficiency], ref: int | None = None) -> tuple[list[str], list[list[str]]]:
    """The paper's efficiency table; with `ref`, a last column: statements/s as a multiple of row `ref`'s."""
    header = list(EFFICIENCY_COLUMNS)
    base = rows[ref].statements_per_s if ref is not None else None
    if ref is not None:
        header.append(f"× {rows[ref].run.split(':')[0]}")
    out = []
    for e in rows:
        row = [e.run, _num(e.examples_per_s), _num(e.statements_per_s), f"{e.peak_mib:.0f} ({e.memory})", e.device, e.dtype or "",
               e.quantization or "none", _num(e.threads), _num(e.batch_size), pct(e.flop_fraction) + ("%" if e.flop_fraction else "")]  # fmt: skip
        if ref is not None:
            row.append(f"{e.statements_per_s / base:.2f}x" if e.statements_per_s and base else "")
        out.append(row)
    return header, out


def _num(x: float | int | None) -> str:
    return "" if x is None else f"{x:g}"


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def markdown(results: EvalResult) -> str:
    """results.md: run facts, the accuracy table (mean ± std), baselines, per-variant numbers, gaps."""
    tasks, langs, cells = grid(results)
    m, o, sp, summary = results.model, results.options, results.speed, results.summary
    mem = sp.memory
    head = f"; **untuned head**: drawn at random with seed {m.head_seed}" if m.untuned_head else ""
    lines = [
        f"# Evaluation of `{m.path}`",
        "",
        f"- model: `{m.path}` ({m.hash}), true index {m.true_index}, device {m.device}, dtype {m.dtype}{head}",
        f"- data: {o['data']}, split {o['split'] or 'each source default'}, templates {o['template_lang']}, variants {o['variants'] or 'all'}"
        + (f", first {o['limit']} examples per language" if o["limit"] else "")
        + f"; seed {o.get('seed')}; templates {results.templates_hash}",
        f"- registry: `{results.registry}`",
        f"- speed: {sp.examples} example predictions (examples x variants) in {sp.score_s:.2f} s of scoring: "
        f"{sp.examples_per_s} examples/s, {sp.statements_per_s} statements/s ({sp.scored} distinct of "
        f"{sp.statements} rendered), batch {sp.batch_size}, peak memory {mem.peak_mib} MiB ({mem.kind})",
        f"- command: `{results.command}`",
        "",
        "## Accuracy (%): mean ± std over template variants",
        "",
    ]
    header = ["lang", *tasks, "avg"]
    rows = []
    for lang in langs:
        row = [lang]
        for t in tasks:
            g = cells.get((t, lang))
            row.append(f"{pct(g.mean)} ± {pct(g.std)}" if g else "–")
        row.append(pct(summary.languages[lang].mean))
        rows.append(row)
    avg = ["**avg**"]
    for t in tasks:
        s = summary.tasks[t]
        avg.append(f"**{pct(s.mean)}**" + (f" ± {pct(s.std)}" if s.std is not None else ""))
    rows.append([*avg, f"**{pct(summary.overall)}**"])
    rows.append(["random", *(pct(summary.tasks[t].random) for t in tasks), ""])
    rows.append(["majority", *(pct(summary.tasks[t].majority) for t in tasks), ""])
    base = results.baseline
    if base is not None:
        rows.append(
            [base.kind, *(pct(base.summary.tasks[t].mean) if t in base.summary.tasks else "" for t in tasks), pct(base.summary.overall)]
        )
    lines += [_md_table(header, rows), ""]
    lines += ["Averages are over the languages a task has; random is the expected accuracy of a uniform guess, "
              "majority that of always answering the most frequent gold label or choice"
              + (f"; {base.kind} is the model's base with a random head (seed {base.model.head_seed}), "
                 "scored on the same statements (section below)." if base is not None else "."), ""]  # fmt: skip
    lines += ["## Sources", "", "Every cell: the dataset, config and split read, rows used (of the usable ones) and skipped, "
              "where the rows were read, the registry folder of the task and the hash of its templates, statements cut to the "
              "model's max length, and the `--source` that replaced the registry's dataset.", ""]  # fmt: skip
    lines += [_md_table(SOURCE_COLUMNS, source_rows(results)), ""]
    notes = summary_notes(results)
    if notes:
        lines += [*(f"- {n}" for n in notes), ""]
    lines += ["## Majority baseline per language (%)", ""]
    lines += [
        _md_table(
            ["lang", *tasks],
            [[lang, *(pct(cells[(t, lang)].baselines["majority"]) if (t, lang) in cells else "–" for t in tasks)] for lang in langs],
        ),
        "",
    ]
    lines += ["## Efficiency", ""]
    eff = results.efficiency or [efficiency(results, "this run")]
    lines += [_md_table(*efficiency_rows(eff, len(eff) - 1 if len(eff) > 1 else None)), ""]
    lines += ["Statements/s counts distinct statements scored; examples/s counts example predictions (examples x variants). "
              "Peak memory is the GPU's peak allocation, or the process's peak resident memory on the CPU. The FLOP fraction "
              "(GPU only) is 2 x Linear parameters x tokens per second over the card's dense bf16 peak.", ""]  # fmt: skip
    lines += ["## Per variant (%)", ""]
    lines += [_md_table(VARIANT_COLUMNS, variant_rows(results)), ""]
    if base is not None:
        b_cells = base.cells()
        lines += [f"## Baseline: {base.kind} (%)", "",
                  f"`{base.model.path}`: the base model with a two-label head drawn at random from seed {base.model.head_seed}"
                  " (untuned: " + ("yes" if base.model.untuned_head else "no, the base checkpoint has a two-label head") + "), "
                  "scored on the same statements; Δ is the model minus the baseline.", ""]  # fmt: skip
        b_rows = []
        for lang in langs:
            row = [lang]
            for t in tasks:
                g, bg = cells.get((t, lang)), b_cells.get((t, lang))
                row.append(f"{pct(bg.mean)} ± {pct(bg.std)} (Δ {100 * (g.mean - bg.mean):+.2f})" if g and bg else "–")
            b_rows.append(row)
        lines += [_md_table(["lang", *tasks], b_rows), ""]
    if results.missing:
        lines += ["## Not evaluated", ""]
        lines += [
            _md_table(["task", "lang", "reason", "message"], [[x.task, x.lang, x.reason, x.message] for x in results.missing]),
            "",
        ]
    return "\n".join(lines)


# -- plots -----------------------------------------------------------------------------------------


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _dataset_label(dataset: str) -> str:
    """A dataset as a plot shows it: the hub id, or a folder's last two parts."""
    return "/".join(Path(dataset).parts[-2:]) if looks_like_path(dataset) else dataset


def heatmap(results: EvalResult, path: Path) -> None:
    """Accuracy per (task, dataset) x language, each cell annotated with its config and split; grey where there is no data.

    A task read from two datasets (a `--source` for some languages) gets one row per dataset, so
    every number on the plot names the data it was measured on.
    """
    import numpy as np

    plt = _pyplot()
    _, langs, cells = grid(results)
    rows = sorted({(g.task, g.source.dataset) for g in cells.values()})
    cols = [*langs, "avg"]
    data = np.full((len(rows), len(cols)), np.nan)
    where: dict[tuple[int, int], str] = {}
    for i, (t, ds) in enumerate(rows):
        mine = [cells[(t, lang)] for lang in langs if (t, lang) in cells and cells[(t, lang)].source.dataset == ds]
        for g in mine:
            j = langs.index(g.lang)
            data[i, j] = 100 * g.mean
            where[(i, j)] = f"{g.source.config}\n{g.source.split}"
        data[i, -1] = 100 * float(np.mean([g.mean for g in mine]))
    width = max(5.0, 0.7 * len(cols) + 3.0)
    fig, ax = plt.subplots(figsize=(width, max(2.4, 0.75 * len(rows) + 1.6)))
    cmap = plt.get_cmap("viridis").with_extremes(bad="#dddddd")
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), [f"{t}\n{_dataset_label(ds)}" for t, ds in rows], fontsize=8)
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not np.isnan(data[i, j]):
                color = "white" if data[i, j] < 60 else "black"
                below = (i, j) in where
                ax.text(j, i, f"{data[i, j]:.1f}", ha="center", va="bottom" if below else "center", fontsize=7, color=color)
                if below:
                    ax.text(j, i, where[(i, j)], ha="center", va="top", fontsize=5.5, color=color, linespacing=0.95)
    ax.set_title(_wrap("accuracy (%), mean over template variants; each cell: dataset config and split", width), fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)


def _wrap(title: str, width_in: float, fontsize: float = 9) -> str:
    """Title lines that fit the figure's width (about 0.6 x fontsize points per character)."""
    import textwrap

    chars = max(20, int(width_in * 72 / (0.6 * fontsize)))
    return "\n".join(textwrap.wrap(title, chars))


def bar_chart(results: EvalResult, task: str, path: Path) -> None:
    """One task: accuracy per language (± std over variants) beside the random and majority baselines."""
    import numpy as np

    plt = _pyplot()
    _, langs, cells = grid(results)
    langs = [lang for lang in langs if (task, lang) in cells]
    gs = [cells[(task, lang)] for lang in langs]
    base = results.baseline.cells() if results.baseline is not None else {}
    x = np.arange(len(langs))
    n_bars = 3 if base else 2
    w = 0.8 / n_bars
    width = max(5.0, 0.7 * len(langs) + 2.5)
    fig, ax = plt.subplots(figsize=(width, 3.4))
    ax.bar(x - 0.4 + w / 2, [100 * g.mean for g in gs], w, yerr=[100 * g.std for g in gs], capsize=2, label="model", color="#3b75af")
    if base:
        kind = results.baseline.kind if results.baseline is not None else ""
        vals = [100 * base[(task, lang)].mean if (task, lang) in base else 0 for lang in langs]
        ax.bar(x - 0.4 + 1.5 * w, vals, w, label=kind, color="#e3a13b")
    ax.bar(x + 0.4 - w / 2, [100 * g.baselines["majority"] for g in gs], w, label="majority", color="#bbbbbb")
    ax.plot(x, [100 * g.baselines["random"] for g in gs], "k_", markersize=14, label="random")
    s = results.summary.tasks[task]
    data = sorted({f"{_dataset_label(g.source.dataset)} {g.source.split}" for g in gs})
    title = f"{task}: avg {100 * s.mean:.2f}% over {len(langs)} language(s); data: {'; '.join(data)}"
    ax.set_title(_wrap(title, width), fontsize=9)
    ax.set_xticks(x, langs)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)


# -- writing ---------------------------------------------------------------------------------------


def write_reports(results: EvalResult, out: Path) -> list[str]:
    """Write results.json, results.md, accuracy.csv, variants.csv, heatmap.png and bar_<task>.png."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tasks, _, _ = grid(results)
    files = [RESULTS, "results.md", "accuracy.csv", "variants.csv", "heatmap.png", *(f"bar_{t}.png" for t in tasks)]
    results.files = files
    write_atomic(out / "results.md", markdown(results))
    write_atomic(out / "accuracy.csv", _csv(*accuracy_rows(results)))
    write_atomic(out / "variants.csv", _csv(VARIANT_COLUMNS, variant_rows(results)))
    heatmap(results, out / "heatmap.png")
    for t in tasks:
        bar_chart(results, t, out / f"bar_{t}.png")
    write_atomic(out / RESULTS, json.dumps(results.to_dict(), indent=2, ensure_ascii=False) + "\n")  # last: marks the run complete
    return files


# -- compare ---------------------------------------------------------------------------------------

#: Options whose difference between runs is worth pointing out (what an ablation varies).
COMPARED_OPTIONS = ("template_lang", "split", "variants", "limit", "max_length", "seed", "source")


def compare(paths: Sequence[str | Path]) -> dict[str, Any]:
    """Several runs side by side: per task x language accuracy, task averages, differences to the first.

    Task averages are given over each run's own languages and over the languages every run has
    (the fair comparison when runs cover different languages).
    """
    if len(paths) < 2:
        raise UsageError("compare needs at least two runs")
    runs = [load_results(p) for p in paths]
    names: list[str] = []
    for p in paths:
        p = Path(p)
        base = (p if p.is_dir() else p.parent).resolve().name or str(p)
        name, k = base, 2
        while name in names:
            name, k = f"{base}#{k}", k + 1
        names.append(name)
    cells = [r.cells() for r in runs]
    tasks = sorted({t for c in cells for t, _ in c})
    rows = []
    averages = []
    for t in tasks:
        langs = _langs(lang for c in cells for (tt, lang) in c if tt == t)
        common = [lang for lang in langs if all((t, lang) in c for c in cells)]
        for lang in langs:
            vals = [c[(t, lang)].mean if (t, lang) in c else None for c in cells]
            rows.append({"task": t, "lang": lang, "values": vals, "delta": _deltas(vals)})
        own = [_mean([c[(t, lang)].mean for lang in langs if (t, lang) in c]) for c in cells]
        shared = [_mean([c[(t, lang)].mean for lang in common]) for c in cells]
        averages.append({"task": t, "languages": common, "values": shared, "delta": _deltas(shared), "own": own})
    notes = []
    for key in COMPARED_OPTIONS:
        vals = [r.options.get(key) for r in runs]
        if len({json.dumps(v) for v in vals}) > 1:
            notes.append(f"{key} differs: " + ", ".join(f"{n}={v}" for n, v in zip(names, vals)))
    hashes = [r.model.hash for r in runs]
    if len(set(hashes)) > 1:
        notes.append("models differ: " + ", ".join(f"{n}={h}" for n, h in zip(names, hashes)))
    return {"runs": [{"name": n, "path": str(p), "model": r.model.path, "options": r.options} for n, p, r in zip(names, paths, runs)],
            "rows": rows, "averages": averages, "notes": notes,
            "efficiency": [efficiency(r, n).to_dict() for n, r in zip(names, runs)]}  # fmt: skip


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _deltas(vals: list[float | None]) -> list[float | None]:
    first = vals[0]
    return [None if first is None or v is None else v - first for v in vals[1:]]


def _signed(x: float | None) -> str:
    return "" if x is None else f"{100 * x:+.2f}"


def compare_table(cmp: dict) -> tuple[list[str], list[list[str]]]:
    """Rows task x language then the task averages over common languages; columns runs and deltas."""
    names = [r["name"] for r in cmp["runs"]]
    header = ["task", "lang", *names, *(f"Δ {n}" for n in names[1:])]
    rows = [[r["task"], r["lang"], *map(pct, r["values"]), *map(_signed, r["delta"])] for r in cmp["rows"]]
    rows += [[a["task"], f"avg ({len(a['languages'])} common)", *map(pct, a["values"]), *map(_signed, a["delta"])] for a in cmp["averages"]]
    return header, rows


def compare_efficiency(cmp: dict) -> tuple[list[str], list[list[str]]]:
    """The runs' efficiency rows (the first run is the reference)."""
    return efficiency_rows([Efficiency.from_dict(e) for e in cmp["efficiency"]], 0)


def write_compare(cmp: dict, out: Path) -> list[str]:
    """compare.json, compare.md, compare.csv and compare.png (task averages per run)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    header, rows = compare_table(cmp)
    write_atomic(out / "compare.json", json.dumps(cmp, indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "compare.csv", _csv(header, rows))
    md = ["# Comparison of evaluation runs", ""]
    md += [f"- `{r['name']}`: {r['path']} (model `{r['model']}`, templates {r['options'].get('template_lang')})" for r in cmp["runs"]]
    md += ["", "Accuracy (%); Δ is the difference to the first run; averages are over the languages every run has.", ""]
    md += [_md_table(header, rows), ""]
    md += ["Efficiency; the last column is statements/s as a multiple of the first run's.", ""]
    md += [_md_table(*compare_efficiency(cmp)), ""]
    if cmp["notes"]:
        md += ["Notes:", "", *(f"- {n}" for n in cmp["notes"]), ""]
    write_atomic(out / "compare.md", "\n".join(md))
    _compare_plot(cmp, out / "compare.png")
    return ["compare.json", "compare.md", "compare.csv", "compare.png"]


def _compare_plot(cmp: dict, path: Path) -> None:
    import numpy as np

    plt = _pyplot()
    names = [r["name"] for r in cmp["runs"]]
    tasks = [a["task"] for a in cmp["averages"]]
    x = np.arange(len(tasks))
    w = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(tasks) + 2), 3.2))
    for k, n in enumerate(names):
        vals = [100 * a["values"][k] if a["values"][k] is not None else 0 for a in cmp["averages"]]
        ax.bar(x - 0.4 + w * (k + 0.5), vals, w, label=n)
    ax.set_xticks(x, tasks)
    ax.set_ylabel("accuracy (%), common languages")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
