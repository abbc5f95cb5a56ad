"""`stdata coverage`: before building, what a language preset will really give, per task.

For each (task, language): does a source list the language, does the registry have native
variants, and (when a mirror or the hub can be read) how many usable rows there are. A cell no
source lists is either a declared gap (task.yaml `gaps`: researched, no usable hub dataset, with
the reason) or unlisted (nobody has looked yet), so an empty cell always says which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import languages
from .errors import StdataError
from .mtfill import can_fill
from .registry import SOURCE_LANG, Registry, TaskEntry
from .sources import MissingData, data_dir, load_rows, source_for

UNLISTED = "no source lists this language and task.yaml declares no gap for it (not researched yet)"


def coverage(
    reg: Registry, langs: str, tasks: str | None = None, data_dir_path: Path | None = None, count_rows: bool = True
) -> dict[str, Any]:
    task_list = reg.select_tasks(tasks, role="train")
    tags = languages.resolve(langs, reg.languages())
    mirror = data_dir(data_dir_path)
    cells = []
    for t in task_list:
        english = _english_rows(t, mirror) if count_rows and any(can_fill(t, x) for x in tags) else None
        for lang in tags:
            found = source_for(t, lang)
            gap = t.spec.gaps.get(lang)
            cell = {
                "task": t.name,
                "lang": lang,
                "source": f"{found[0].dataset}:{found[1]}" if found else None,
                "status": "source" if found else "gap" if gap else "unlisted",
                "gap": gap,
                "native_variants": len(t.templates[lang].variants) if lang in t.templates else 0,
                "rows": None,
                "note": "" if found else f"no usable hub dataset: {gap}" if gap else UNLISTED,
                # `build --mt-fill` can translate the task's English rows into this cell (None: English rows not counted)
                "mt_fillable": can_fill(t, lang) and (english is None or english > 0),
            }
            if found and count_rows:
                try:
                    loaded = load_rows(t, lang, mirror)
                    cell["rows"] = len(loaded.rows) if loaded else 0
                except MissingData as e:
                    cell["note"] = f"not in mirror: {e}"[:120]
                    cell["rows"] = 0
                except StdataError as e:
                    if mirror is None:
                        raise
                    cell["note"] = str(e)[:80]
            cells.append(cell)
    counts = {k: sum(c["status"] == k for c in cells) for k in ("source", "gap", "unlisted")}
    counts["mt_only"] = sum(
        bool(c["mt_fillable"] and (c["status"] != "source" or c["rows"] == 0)) for c in cells
    )  # no real rows, MT can fill
    return {"langs": tags, "tasks": [t.name for t in task_list], "data": str(mirror) if mirror else "hub", "counts": counts, "cells": cells}


def _english_rows(task: TaskEntry, mirror: Path | None) -> int:
    """Usable English rows of `task` (what `--mt-fill` translates); 0 when they cannot be read."""
    try:
        loaded = load_rows(task, SOURCE_LANG, mirror)
    except StdataError:
        return 0
    return len(loaded.rows) if loaded else 0
