"""int8 against float32 on a statement-tuned model's own validation statements (issue 14).

    HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 .venv/bin/python bench/int8_tuned.py MODEL CORPUS [CORPUS...]

bench/eval.py measures int8 on MiniLM with a random head, whose candidates score within int8's
noise of each other; this asks the same of a model that has learned something: per statement
group (a true statement and its false partners), is the float32 argmax also int8's, and is each
P(True) > 0.5 decision the same? One torch thread, batch 32, the call `stdata eval` makes.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from datasets import load_from_disk

from stdata.cpu import quantize_int8, set_threads
from stdata.model import load_scorer


def timed_scores(scorer, statements: list[str]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    scores = np.array(scorer.score(statements, batch_size=32))
    return scores, time.perf_counter() - start


def main() -> None:
    model, corpora = sys.argv[1], sys.argv[2:]
    set_threads(1)
    groups: dict[tuple[str, str], list[int]] = {}
    statements: list[str] = []
    for corpus in corpora:
        for row in load_from_disk(corpus)["validation"]:
            groups.setdefault((corpus, row["group_id"]), []).append(len(statements))
            statements.append(row["statement"])
    p32, s32 = timed_scores(load_scorer(model, device="cpu"), statements)
    int8 = load_scorer(model, device="cpu")
    int8.model = quantize_int8(int8.model)
    p8, s8 = timed_scores(int8, statements)
    multi = [idx for idx in groups.values() if len(idx) > 1]
    same = sum(int(np.argmax(p32[idx]) == np.argmax(p8[idx])) for idx in multi)
    margins = [float(np.diff(np.sort(p32[idx])[-2:])[0]) for idx in multi]
    result = {
        "model": model,
        "statements": len(statements),
        "groups": len(multi),
        "identical_argmax": round(same / max(1, len(multi)), 4),
        "identical_decisions": round(float(np.mean((p32 > 0.5) == (p8 > 0.5))), 4),
        "median_top2_margin": round(float(np.median(margins)), 4),
        "float32_s": round(s32, 1),
        "int8_s": round(s8, 1),
        "speedup": round(s32 / s8, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
