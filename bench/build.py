"""Benchmark `stdata build --langs 25` from a hub-layout mirror, against the floor of reading the rows.

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/build.py --data-dir ../shared/hub

Measures, each in a fresh subprocess with its own empty HF_HOME unless --warm:
  * the full build (wall time, statements/s, peak RSS of the process),
  * the build at 1x, 2x and 4x --per-task-lang (cost should grow linearly with statements made),
  * the floor: loading the same source configs with `datasets` alone and reading the used columns,
  * the build with `--mt-fill pseudo` (cells without enough real rows get translated English rows),
    with an empty translation cache and again with the cache it filled.
Prints a markdown table; numbers are machine-specific (report them with the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = r"""
import sys, time
from stdata.build import BuildOptions, plan
from stdata.registry import Registry
from stdata.sources import source_for, load_split, _top_columns
from pathlib import Path
reg = Registry.load()
bp = plan(reg, BuildOptions(out=Path("x"), langs=sys.argv[1])); tasks, langs = bp.tasks, bp.langs
mirror = Path(sys.argv[2])
t0 = time.perf_counter(); n = 0
for t in tasks:
    for lang in langs:
        found = source_for(t, lang)
        if not found:
            continue
        src, config = found
        try:
            ds = load_split(src, config, src.split, mirror)
        except Exception:
            continue
        n += len(ds.select_columns(_top_columns(src)).to_list())
print(n, time.perf_counter() - t0)
"""


def _child_env(warm_home: str | None) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    env["HF_HOME"] = warm_home or tempfile.mkdtemp(prefix="bench-hf-")
    return env


#: Runs a command's Python entry in-process and reports its own peak RSS (and its workers') on stderr.
RSS_WRAPPER = r"""
import resource, runpy, sys
code = 0
try:
    args = sys.argv[1:]
    if args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<bench>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = args
        runpy.run_module(args[0], run_name="__main__", alter_sys=True)
except SystemExit as e:
    code = e.code or 0
finally:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"@@RSS {me} {kids}", file=sys.stderr)
sys.exit(code)
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB (the process or its largest worker), stdout."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    me, kids = (int(x) for x in proc.stderr.rsplit("@@RSS ", 1)[1].split()[:2])
    return wall, max(me, kids) / 1024, proc.stdout


def build(data_dir: str, langs: str, per: int, num_proc: int, env: dict[str, str], extra: tuple[str, ...] = ()) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-corpus-")) / "c"
    cmd = ["stdata.cli.app", "build", "--langs", langs, "--data-dir", data_dir,
           "--out", str(out), "--per-task-lang", str(per), "--num-proc", str(num_proc), "--json", *extra]  # fmt: skip
    wall, rss, stdout = _run(cmd, env)
    m = json.loads(stdout)
    n = sum(m["counts"].values())
    mt = sum((g.get("mt") or {}).get("statements", 0) for g in m["groups"].values())
    return {"per_task_lang": per, "num_proc": num_proc, "wall_s": wall, "statements": n, "stmts_per_s": n / wall,
            "peak_rss_mib": rss, "groups": len(m["groups"]), "fingerprint": m["fingerprint"], "mt_statements": mt,
            "translation": m["run"].get("translation", {})}  # fmt: skip


def floor(args, env: dict[str, str]) -> dict:
    """The same configs read with `datasets` alone, in a process of its own (like the build)."""
    wall, rss, out = _run(["-c", FLOOR, args.langs, args.data_dir], env)
    rows, read_s = out.split()
    return {"rows": int(rows), "read_s": float(read_s), "wall_s": wall, "peak_rss_mib": rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/hub")
    ap.add_argument("--langs", default="25")
    ap.add_argument("--num-proc", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    warm = tempfile.mkdtemp(prefix="bench-hf-warm-")
    results = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "cpus": os.cpu_count()}
    results["cold"] = build(args.data_dir, args.langs, 1500, args.num_proc, _child_env(None))
    results["floor_cold"] = floor(args, _child_env(None))
    build(args.data_dir, args.langs, 1500, args.num_proc, _child_env(warm))  # fill the warm cache
    results["floor_warm"] = floor(args, _child_env(warm))
    results["scaling"] = [build(args.data_dir, args.langs, per, args.num_proc, _child_env(warm)) for per in (1500, 3000, 6000)]
    results["num_proc_1"] = build(args.data_dir, args.langs, 1500, 1, _child_env(warm))
    mt_env = {**_child_env(warm), "STDATA_CACHE_DIR": tempfile.mkdtemp(prefix="bench-mt-cache-")}
    results["mt_cold"] = build(args.data_dir, args.langs, 1500, args.num_proc, mt_env, ("--mt-fill", "pseudo"))
    results["mt_warm"] = build(args.data_dir, args.langs, 1500, args.num_proc, mt_env, ("--mt-fill", "pseudo"))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    c = results["cold"]
    print(f"command: {results['command']}  ({results['cpus']} CPUs)\n")
    print("| run | --per-task-lang | num_proc | groups | statements (MT) | wall s | statements/s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")

    def row(name: str, r: dict) -> None:
        print(
            f"| {name} | {r['per_task_lang']} | {r['num_proc']} | {r['groups']} | {r['statements']} ({r['mt_statements']}) | "
            f"{r['wall_s']:.1f} | {r['stmts_per_s']:.0f} | {r['peak_rss_mib']:.0f} |"
        )

    row("full build, cold cache", c)
    for r in results["scaling"] + [results["num_proc_1"]]:
        row("warm cache", r)
    row("--mt-fill pseudo, warm data cache, empty translation cache", results["mt_cold"])
    row("--mt-fill pseudo, warm data and translation caches", results["mt_warm"])
    print(f"\n--mt-fill translation counters, cold: {results['mt_cold']['translation']}; warm: {results['mt_warm']['translation']}")
    fc, fw = results["floor_cold"], results["floor_warm"]
    print(
        f"\nfloor (datasets alone, same configs, own process): {fc['rows']} rows; cold {fc['wall_s']:.1f} s wall "
        f"({fc['read_s']:.1f} s reading), warm {fw['wall_s']:.1f} s wall ({fw['read_s']:.1f} s reading)"
    )
    print(f"build / floor, wall, cold: {c['wall_s'] / fc['wall_s']:.2f}x; warm: {results['scaling'][0]['wall_s'] / fw['wall_s']:.2f}x")
    same = len({r["fingerprint"] for r in (results["scaling"][0], results["num_proc_1"], c)}) == 1
    print(f"identical fingerprint across cold/warm and num_proc 1/{args.num_proc}: {same}")
    print(
        f"--mt-fill: identical fingerprint with an empty and a warm translation cache: {results['mt_cold']['fingerprint'] == results['mt_warm']['fingerprint']}"
    )


if __name__ == "__main__":
    main()
