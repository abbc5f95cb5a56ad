"""Parallel sources: rows that are translations of each other across languages, split together.

SIB-200, XQuAD, PAWS-X and NusaX give the same examples in every language. Splitting each language
on its own would put the translation of a validation row into another language's training rows,
so early stopping would pick checkpoints on memorised content. A source that declares `align:`
in task.yaml gets one key per row (its id column, or its row number), and whether a key is in
validation is a seeded hash of (seed, task, key) against the validation fraction: the same in every
language and every process, with no state shared between the (task, language) groups of a build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .hashing import seeded_fraction
from .schema import AlignColumn, Source

_SCALE = float(1 << 32)  # seeded_fraction gives 32 bits


def align_columns(src: Source) -> list[str]:
    """The source columns that name an aligned example (none for `align: row` or no alignment)."""
    if isinstance(src.align, AlignColumn):
        col = src.align.column
        return [col] if isinstance(col, str) else list(col)
    return []


def align_keys(src: Source, records: Sequence[Mapping[str, Any]], indices: Iterable[int]) -> list[str] | None:
    """The align key of each record in `indices`, or None when the source declares no alignment."""
    if src.align is None:
        return None
    if src.align == "row":
        return [str(i) for i in indices]
    from .sources import get_path

    cols = align_columns(src)
    return ["\x1f".join(str(get_path(records[i], c)) for c in cols) for i in indices]


def in_validation(seed: int, task: str, key: str, fraction: float) -> bool:
    """Whether the aligned example `key` of `task` is held out, in every language alike."""
    return seeded_fraction(seed, f"{task}/{key}") / _SCALE < fraction


def cross_language_leaks(rows: Iterable[Mapping[str, Any]], key_of: Callable[[str, str, int], str | None]) -> dict[str, dict[str, int]]:
    """Per task: validation rows whose aligned example is a training row in another language.

    `rows` are corpus rows (task, lang, source_row, and their split under `split`); `key_of(task,
    lang, source_row)` gives the align key (None for rows of unaligned sources, which are left out).
    """
    train: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # task -> key -> langs
    val: dict[str, set[tuple[str, str]]] = defaultdict(set)  # task -> {(lang, key)}
    for r in rows:
        key = key_of(r["task"], r["lang"], r["source_row"])
        if key is None:
            continue
        if r["split"] == "train":
            train[r["task"]][key].add(r["lang"])
        else:
            val[r["task"]].add((r["lang"], key))
    out = {}
    for task, pairs in sorted(val.items()):
        leaked = sum(1 for lang, key in pairs if train[task].get(key, set()) - {lang})
        out[task] = {"validation_rows": len(pairs), "leaked": leaked}
    return out


def source_key_lookup(tasks: Mapping[str, Any], mirror: Any) -> Callable[[str, str, int], str | None]:
    """`key_of(task, lang, source_row)` for `cross_language_leaks`, reading each aligned source split once.

    `tasks` maps task names to registry entries; `mirror` is the data folder (None: the hub).
    """
    from .sources import load_split, source_for

    cache: dict[tuple[str, str], list[str] | None] = {}

    def key_of(task: str, lang: str, source_row: int) -> str | None:
        if (task, lang) not in cache:
            found = source_for(tasks[task], lang)
            keys = None
            if found is not None and found[0].align is not None:
                src, config = found
                ds = load_split(src, config, src.split, mirror)
                cols = [c.split(".")[0] for c in align_columns(src)]
                records = ds.select_columns(cols).to_list() if cols else [{}] * ds.num_rows
                keys = align_keys(src, records, range(len(records)))
            cache[task, lang] = keys
        keys = cache[task, lang]
        return None if keys is None else keys[source_row]

    return key_of
