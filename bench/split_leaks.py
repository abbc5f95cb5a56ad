"""How many validation rows of a corpus have their translation among another language's training rows.

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/split_leaks.py CORPUS --data-dir ../shared/hub

Uses the registry's `align:` declarations (the current registry, so a corpus built before a
source declared its alignment is measured the same way) and reads each aligned source once to map
`source_row` to its align key. Prints one markdown row per task with an aligned source.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stdata.alignment import cross_language_leaks, source_key_lookup
from stdata.corpus import load_corpus
from stdata.registry import Registry


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--data-dir", default="../shared/hub")
    args = ap.parse_args()
    reg = Registry.load()
    dd = load_corpus(args.corpus)
    rows = []
    for split, ds in dd.items():
        for r in ds.select_columns(["task", "lang", "source_row"]).to_list():
            rows.append({**r, "split": split})
    known = {name: reg.tasks[name] for name in {r["task"] for r in rows} if name in reg.tasks}
    rows = [r for r in rows if r["task"] in known]
    leaks = cross_language_leaks(rows, source_key_lookup(known, Path(args.data_dir)))
    print(f"corpus: {args.corpus}\n")
    print("| task | validation rows (lang, example) | translation in another language's train | share |")
    print("|---|---|---|---|")
    for task, n in leaks.items():
        share = n["leaked"] / n["validation_rows"] if n["validation_rows"] else 0.0
        print(f"| {task} | {n['validation_rows']} | {n['leaked']} | {share:.1%} |")


if __name__ == "__main__":
    main()
