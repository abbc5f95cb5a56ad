"""`stdata stats`: what a corpus holds: task x language x label counts, template usage, lengths."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .corpus import LABEL_NAMES, load_corpus, read_manifest


def _percentile(sorted_values: list[int], q: float) -> int:
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(q * (len(sorted_values) - 1) + 0.5))]


def corpus_stats(path: str | Path) -> dict[str, Any]:
    dd = load_corpus(path)
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    templates: dict[str, Counter] = defaultdict(Counter)
    lengths: dict[str, list[int]] = defaultdict(list)
    splits = {}
    for split, ds in dd.items():
        cols = ds.select_columns([c for c in ("task", "lang", "label", "template_id", "statement") if c in ds.column_names]).to_dict()
        splits[split] = ds.num_rows
        tids = cols.get("template_id", [""] * ds.num_rows)
        for task, lang, label, tid, text in zip(cols["task"], cols["lang"], cols["label"], tids, cols["statement"]):
            counts[task][lang][LABEL_NAMES[label]] += 1
            templates[task][tid] += 1
            lengths[task].append(len(text.split()))
    length_stats = {}
    for task, values in lengths.items():
        values.sort()
        length_stats[task] = {
            "mean_words": round(sum(values) / len(values), 1),
            "p50_words": _percentile(values, 0.5),
            "p95_words": _percentile(values, 0.95),
            "max_words": values[-1],
        }
    manifest = read_manifest(Path(path)) if (Path(path) / "manifest.json").exists() else None
    return {
        "corpus": str(path),
        "fingerprint": manifest.fingerprint if manifest else None,
        "splits": splits,
        "counts": {t: {lang: dict(sorted(c.items())) for lang, c in sorted(by.items())} for t, by in sorted(counts.items())},
        "templates": {t: dict(sorted(c.items())) for t, c in sorted(templates.items())},
        "lengths": dict(sorted(length_stats.items())),
    }
