"""Running one negative strategy over real source rows, split as `stdata build` splits them, for the strategy tests."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from conftest import REPO

from stdata.negatives import NEGATIVES, GroupRows, Negative
from stdata.registry import Registry, TaskEntry
from stdata.sources import load_rows


def shipped_task(name: str) -> TaskEntry:
    """One task of the shipped registry (loading only its folder: fast)."""
    entry = Registry(REPO / "templates").load_task_dir(REPO / "templates" / name)
    assert entry is not None
    return entry


def real_rows(task: TaskEntry, lang: str, hub: Path) -> list[dict[str, Any]]:
    src = load_rows(task, lang, hub)
    assert src is not None and src.rows
    return src.rows


def split_pools(n: int, seed: int = 0, val_fraction: float = 0.1) -> dict[str, list[int]]:
    """Shuffled row indices cut into validation and train, as statements.make_group does."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    k = round(n * val_fraction)
    return {"validation": order[:k], "train": order[k:]}


def run(task: TaskEntry, rows: list[dict], pools: dict[str, list[int]], strategy: str, seed: int = 0, order=None, **params):
    """{(split, row): Negative or None} for every pooled row; the "statement" is the false partner text itself."""
    cls = NEGATIVES.get(strategy)
    pf = task.spec.partner_field or ""
    group = GroupRows(task, "xx", rows, list(range(len(rows))), random.Random(seed), lambda v, row, i: [row[pf]])
    inst = cls(group, cls.Params(**params))
    inst.prepare(pools)
    asks = [(s, i) for s, pool in pools.items() for i in pool]
    out: dict[tuple[str, int], Negative | None] = {}
    for s, i in order(asks) if order else asks:
        out[(s, i)] = inst.negative(i, None, s, [rows[i][pf]])  # type: ignore[arg-type]
    return out
