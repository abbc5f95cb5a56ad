"""Benchmark stdata's template renderer against promptsource's `Template.apply` and a bare-Jinja floor.

promptsource is *not* a dependency of stdata: it lives only in a separate bench venv, set up once with

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install 'setuptools<82' jinja2 pyyaml datasets==5.2.0
    /tmp/benchvenv/bin/pip install --no-deps --ignore-requires-python promptsource==0.2.3
    /tmp/benchvenv/bin/pip install -e .          # stdata itself, from the repository root

(`import promptsource.templates` needs only pandas, which `datasets` brings, and `pkg_resources`,
which setuptools<82 still ships.) Then, from the repository root:

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME=$(mktemp -d) /tmp/benchvenv/bin/python bench/render.py

Options: --data-dir (hub-layout mirror, default ../shared/hub), --templates-dir (promptsource template
files, default ../shared/peers/promptsource/promptsource/templates), --rows (renders per template per
repeat), --repeats / --ps-repeats (best-of counts for the fast renderers / for promptsource), --json.

What is measured, for five real promptsource templates (xnli/en, paws-x/en, glue/sst2, ag_news,
super_glue/copa; the last one has an if/else) on real rows of the matching data set, the same row
list for every renderer:

  * stdata `render(source, row)`: the public function; compile is lru-cached by source text, so
    after the first call each render is a cache lookup plus `CompiledTemplate.render`;
  * stdata `compile_template(source).render(row)`: the compiled template, held by the caller;
  * floor: `jinja2.Environment().from_string(source)`, compiled once, `.render(**row)` in a bare loop;
  * floor, no globals: the same with `env.globals.clear()` first. stdata's environment clears its globals
    (for safety), and that alone makes a Jinja render about twice as fast: `Template.render` copies the
    globals (a ChainMap) into every new context when there are any. So this is the tight floor for a
    Jinja `Template.render` call, and the plain one is the floor as a Jinja user would write it;
  * promptsource, same text: a promptsource `Template` whose jinja is the same statement text as stdata's,
    no answer choices, `apply(row, truncate=False)` -- the least work promptsource can be asked to do;
  * promptsource, as shipped: the template loaded with promptsource's `DatasetTemplates` from the real
    templates.yaml, `apply(row)` with its defaults (prompt ||| answer, answer_choices, truncation).

promptsource's statement is the part before `|||`; the stdata text (third item of each CASES entry) is that prompt,
written out as a stdata statement template. Every renderer's output, whitespace-stripped, must equal
stdata's for every row (checked before timing; the run stops if one differs). Timing: time.perf_counter
around a plain `for row in rows` loop, GC paused (as timeit does), best of N samples, after one warm-up
pass; a stdata or floor sample goes 5 times over the rows (--passes) so that it lasts tens of ms; the repeats of all renderers are interleaved (round-robin), so a noisy moment on the machine
does not fall on one renderer only. Ratios are reported, not asserted: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (promptsource dataset, subset, template name) -> (hub id, config, split, the stdata statement text).
#: The text is promptsource's prompt (before `|||`), as one would write it as a stdata template.
CASES = [
    (("xnli", "en", "GPT-3 style"), ("facebook/xnli", "en", "validation"),
     "{{premise}}\nQuestion: {{hypothesis}} True, False, or Neither?"),
    (("paws-x", "en", "PAWS-ANLI GPT3"), ("google-research-datasets/paws-x", "en", "validation"),
     "{{sentence1}} Question: {{sentence2}} True or False?"),
    (("glue", "sst2", "review"), ("stanfordnlp/sst2", "default", "validation"),
     'I\'m reading a review that says "{{sentence}}".\n\nDo you think the review is {{"positive"}} or {{"negative"}}?'),
    (("ag_news", None, "classify_question_first"), ("fancyzhx/ag_news", "default", "test"),
     "What label best describes this news article?\n{{text}}"),
    # English COPA is not in the mirror; XCOPA's Italian validation rows have the same columns.
    (("super_glue", "copa", "i_am_hesitating"), ("cambridgeltl/xcopa", "it", "validation"),
     '{{ premise }} \n\nI am hesitating between two options. Help me choose the more likely '
     '{% if question == "cause" %} cause: {% else %} effect: {% endif %}\n- {{choice1}}\n- {{choice2}}'),
]  # fmt: skip

IMPLS = ["stdata render()", "stdata compiled", "floor", "floor, no globals", "promptsource same text", "promptsource as shipped"]
FAST = IMPLS[:4]


def load_rows(data_dir: Path, hub_id: str, config: str, split: str, n: int) -> list[dict]:
    import datasets

    ds = datasets.load_dataset(str(data_dir / hub_id), config, split=split)
    rows = ds.select(range(min(n, len(ds)))).to_list()
    return (rows * (n // len(rows) + 1))[:n]  # small splits (XCOPA: 100 rows) are cycled to n renders


def loops(source: str, ps_same, ps_real):
    """One timed loop per renderer: each binds its callable once, then `for row in rows` and nothing else."""
    import jinja2

    from stdata.render import compile_template, render

    compiled = compile_template(source)  # compile (and fill the lru cache) outside the timing
    floor_t = jinja2.Environment().from_string(source)
    bare_env = jinja2.Environment()
    bare_env.globals.clear()  # as stdata's own environment does: see docs/benchmarks.md
    bare_t = bare_env.from_string(source)

    def stdata_render(rows):
        for row in rows:
            render(source, row)

    def stdata_compiled(rows):
        r = compiled.render
        for row in rows:
            r(row)

    def floor(rows):
        r = floor_t.render
        for row in rows:
            r(**row)

    def floor_bare(rows):
        r = bare_t.render
        for row in rows:
            r(**row)

    def ps_same_text(rows):
        a = ps_same.apply
        for row in rows:
            a(row, truncate=False)

    def ps_shipped(rows):
        a = ps_real.apply
        for row in rows:
            a(row)

    timed = dict(zip(IMPLS, [stdata_render, stdata_compiled, floor, floor_bare, ps_same_text, ps_shipped]))
    outputs = {
        "stdata render()": lambda row: render(source, row),
        "stdata compiled": compiled.render,
        "floor": lambda row: floor_t.render(**row),
        "floor, no globals": lambda row: bare_t.render(**row),
        "promptsource same text": lambda row: ps_same.apply(row, truncate=False)[0],
        "promptsource as shipped": lambda row: ps_real.apply(row)[0],
    }
    return timed, outputs


def once(fn, rows) -> float:
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn(rows)
        return time.perf_counter() - t0
    finally:
        gc.enable()


def best_of(timed: dict, rows: list[dict], repeats: int, ps_repeats: int, passes: int) -> dict[str, float]:
    """Best statements/s per renderer; repeats are interleaved (round-robin) so machine noise hits all alike.

    A fast renderer's sample goes `passes` times over the rows (same row objects), so that it lasts
    long enough (tens of ms) to time well; promptsource's goes over them once."""
    for fn in timed.values():
        fn(rows[: max(1, len(rows) // 10)])  # warm-up
    best = dict.fromkeys(timed, 0.0)
    for r in range(max(repeats, ps_repeats)):
        for impl, fn in timed.items():
            sample = rows * passes if impl in FAST else rows
            if r < (repeats if impl in FAST else ps_repeats):
                best[impl] = max(best[impl], len(sample) / once(fn, sample))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "hub")
    ap.add_argument("--templates-dir", type=Path, default=ROOT.parent / "shared/peers/promptsource/promptsource/templates")
    ap.add_argument("--rows", type=int, default=1000, help="rows (renders) per template; small splits are cycled")
    ap.add_argument("--repeats", type=int, default=5, help="best of N, stdata and floors")
    ap.add_argument("--passes", type=int, default=5, help="passes over the rows per sample, stdata and floors")
    ap.add_argument("--ps-repeats", type=int, default=3, help="best of N, promptsource")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="bench-hf-"))
    try:
        import promptsource.templates as pst
    except ImportError as e:
        sys.exit(f"promptsource is not importable here ({e}); run this with the bench venv (see the docstring)")
    from importlib.metadata import version

    import jinja2

    pst.TEMPLATES_FOLDER_PATH = str(args.templates_dir)  # DatasetTemplates reads <this>/<dataset>[/<subset>]/templates.yaml

    t_start = time.perf_counter()
    load_at_start = round(os.getloadavg()[0], 2)  # other work on the machine shows up as noise
    per_case = []
    totals = dict.fromkeys(IMPLS, 0.0)
    n_total = 0
    for (ps_ds, ps_sub, ps_name), (hub_id, config, split), source in CASES:
        ps_real = pst.DatasetTemplates(ps_ds, ps_sub)[ps_name]
        ps_same = pst.Template(f"{ps_name} (statement)", source, "bench: same text as stdata", answer_choices=None)
        rows = load_rows(args.data_dir, hub_id, config, split, args.rows)
        timed, outputs = loops(source, ps_same, ps_real)

        # equal outputs, row by row, before any timing
        want = [outputs["stdata compiled"](row) for row in rows]
        for impl, fn in outputs.items():
            got = [fn(row).strip() for row in rows]
            bad = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), None)
            if bad is not None:
                sys.exit(f"{ps_ds}/{ps_name}: {impl} differs from stdata on row {bad}:\n  {got[bad]!r}\n  {want[bad]!r}")

        rate = best_of(timed, rows, args.repeats, args.ps_repeats, args.passes)
        for impl, r in rate.items():
            totals[impl] += len(rows) / r  # seconds for one pass over this template's rows
        n_total += len(rows)
        per_case.append({
            "template": f"{ps_ds}{'/' + ps_sub if ps_sub else ''}: {ps_name}",
            "rows": f"{hub_id} {config} {split}",
            "renders": len(rows),
            "stmts_per_s": rate,
        })  # fmt: skip

    overall = {impl: n_total / s for impl, s in totals.items()}
    ratios = {
        "stdata_over_promptsource_same_text": overall["stdata render()"] / overall["promptsource same text"],
        "stdata_over_promptsource_as_shipped": overall["stdata render()"] / overall["promptsource as shipped"],
        "floor_over_stdata_render": overall["floor"] / overall["stdata render()"],
        "floor_over_stdata_compiled": overall["floor"] / overall["stdata compiled"],
        "floor_no_globals_over_stdata_render": overall["floor, no globals"] / overall["stdata render()"],
        "floor_no_globals_over_stdata_compiled": overall["floor, no globals"] / overall["stdata compiled"],
    }
    results = {
        "command": " ".join([sys.executable, *sys.argv]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_1m_at_start": load_at_start, "jinja2": jinja2.__version__, "promptsource": version("promptsource"), "stdata": version("stdata")},
        "date": time.strftime("%Y-%m-%d"),
        "rows_per_template": args.rows,
        "repeats": {"stdata_and_floors": args.repeats, "promptsource": args.ps_repeats},
        "passes_per_sample": {"stdata_and_floors": args.passes, "promptsource": 1},
        "cases": per_case,
        "overall_stmts_per_s": overall,
        "ratios": ratios,
        "wall_s": time.perf_counter() - t_start,
    }  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
        return

    m = results["machine"]
    print(f"command: {results['command']}")
    print(f"machine: {m['cpus']} CPUs (1-min load average at start {m['loadavg_1m_at_start']}), {m['platform']}, "
          f"Python {m['python']}, jinja2 {m['jinja2']}, promptsource {m['promptsource']}; {results['date']}")  # fmt: skip
    print(f"{len(per_case)} templates x {args.rows} rows; a sample = {args.passes} passes over the rows (stdata, floors) "
          f"or 1 (promptsource); best of {args.repeats} / {args.ps_repeats} samples, interleaved; "
          "outputs checked equal on every row\n")  # fmt: skip
    print('statements/s ("all": total renders / total best time over the five templates):\n')
    print("| template (rows) | " + " | ".join(IMPLS) + " |")
    print("|---" * (len(IMPLS) + 1) + "|")
    for c in per_case:
        print(f"| {c['template']} ({c['rows']}) | " + " | ".join(f"{c['stmts_per_s'][i]:,.0f}" for i in IMPLS) + " |")
    print("| **all** | " + " | ".join(f"**{overall[i]:,.0f}**" for i in IMPLS) + " |")
    print()
    print(f"stdata render() / promptsource same text:  {ratios['stdata_over_promptsource_same_text']:.1f}x  (goal >= 50x)")
    print(f"stdata render() / promptsource as shipped: {ratios['stdata_over_promptsource_as_shipped']:.1f}x")
    print(f"floor / stdata render():                   {ratios['floor_over_stdata_render']:.2f}x  (goal <= 2x)")
    print(f"floor / stdata compiled:                   {ratios['floor_over_stdata_compiled']:.2f}x")
    print(f"floor, no globals / stdata render():       {ratios['floor_no_globals_over_stdata_render']:.2f}x")
    print(f"floor, no globals / stdata compiled:       {ratios['floor_no_globals_over_stdata_compiled']:.2f}x")
    print(f"\nbench wall time: {results['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
