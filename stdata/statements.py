"""Turn one (task, language)'s canonical rows into an exactly balanced set of statements.

Pure and seeded: the same rows, variants and seed give the same statements, in any process.
Each chosen source row yields one true statement and one false one (made with the task's negative
strategy), so every false statement is traceable to its row and the corpus is 50/50 by
construction. Rows are split into train/validation *before* statements are made, so no source
example (and, for pair tasks, no partner text) crosses the split; for a parallel source the split
is drawn per aligned example, so no translation of it crosses the split in another language.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .alignment import in_validation
from .kinds import TaskKind
from .negatives import GroupRows
from .registry import TaskEntry
from .render import RenderError, StatementTooLong
from .schema import Variant
from .sources import SourceRows


@dataclass
class GroupResult:
    """Statements of one (task, language) per split, and what it took to make them."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"train": [], "validation": []})
    skipped: Counter = field(default_factory=Counter)
    wanted: int = 0
    upsampled: int = 0

    @property
    def total(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _row_key(task: TaskEntry, row: dict[str, Any]) -> tuple:
    key = tuple(row[f] for f in task.spec.fields)
    return key + tuple(row.get("choices", ()))


def _stratified(indices: list[int], rows: list[dict], kind: TaskKind, need: int) -> list[int]:
    """Take `need` row indices, round-robin over the kind's strata (classification: gold labels) so they stay balanced."""
    by_stratum: dict[Any, list[int]] = defaultdict(list)
    for i in indices:
        by_stratum[kind.stratum(rows[i])].append(i)
    if list(by_stratum) == [None]:
        return indices[:need]
    queues = [by_stratum[k] for k in sorted(by_stratum)]
    out: list[int] = []
    pos = 0
    while len(out) < need and any(pos < len(q) for q in queues):
        for q in queues:
            if pos < len(q) and len(out) < need:
                out.append(q[pos])
        pos += 1
    return out


class _SkipRow(Exception):
    """This row gives no usable statement pair; `reason` is counted in the manifest's skipped rows."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Maker:
    """Makes the (true, false) statement pair of a row: the kind renders, the task's negative strategy picks the false one."""

    def __init__(self, task: TaskEntry, src: SourceRows, words: dict[str, str], template_lang: str, rng: random.Random):
        self.task, self.src, self.words, self.template_lang = task, src, words, template_lang
        cls, params = task.spec.negative_strategy()
        self.strategy = cls(GroupRows(task, src.lang, src.rows, src.row_ids, rng, self._render_row, src.labels), params)

    def _statement(self, text: str, truth: bool, variant: Variant, candidate: str, i: int, neg_row: int, rep: int) -> dict:
        src_row = self.src.row_ids[i]
        return {
            "statement": text,
            "label": int(truth),
            "task": self.task.name,
            "lang": self.src.lang,
            "template_id": variant.id,
            "template_lang": self.template_lang,
            "candidate": candidate,
            "source_dataset": self.src.dataset,
            "source_config": self.src.config,
            "source_split": self.src.split,
            "source_row": src_row,
            "negative_source_row": neg_row,
            "group_id": f"{self.task.name}/{self.src.lang}/{'mt:' if self.src.mt_engine else ''}{src_row}" + (f"#{rep}" if rep else ""),
            "upsampled": rep > 0,
            "mt_engine": self.src.mt_engine,
        }

    def _render_row(self, variant: Variant, row: dict, i: int) -> list[str]:
        try:
            return self.task.candidates(variant, row, self.words)
        except StatementTooLong:
            raise _SkipRow("statement too long") from None  # a huge source text, not a broken template
        except RenderError as e:
            raise RenderError(
                f"task {self.task.name} lang {self.src.lang} variant {variant.id}: {e} "
                f"(source {self.src.dataset} {self.src.config}/{self.src.split} row {self.src.row_ids[i]})"
            ) from None

    def pair_of(self, i: int, variant: Variant, split: str, rep: int) -> list[dict] | None:
        """The true and the false statement of row `i`, or None when no negative can be made."""
        row = self.src.rows[i]
        texts = self._render_row(variant, row, i)
        kind = self.task.kind
        gold = kind.gold(self.task, row)
        neg = self.strategy.negative(i, variant, split, texts)
        if neg is None:
            return None
        if not texts[gold].strip() or not neg.text.strip():
            raise _SkipRow("empty statement")
        if texts[gold] == neg.text:
            raise _SkipRow("true and false statements are the same")
        neg_row = -1 if neg.source_index is None else self.src.row_ids[neg.source_index]
        return [
            self._statement(texts[gold], True, variant, kind.candidate_names(self.task, row)[gold], i, -1, rep),
            self._statement(neg.text, False, variant, neg.candidate, i, neg_row, rep),
        ]


def make_group(
    task: TaskEntry,
    src: SourceRows,
    variants: list[Variant],
    template_lang: str,
    per_task_lang: int,
    seed: int,
    val_fraction: float,
    allow_upsample: bool,
    splits: dict[str, list[int]] | None = None,
) -> GroupResult:
    """Exactly `per_task_lang` statements (half true) for one (task, language), or a reported shortfall.

    `splits` fixes which rows go to which split (machine-translated rows follow the split of the
    English row they came from, build.py); by default the rows are split here.
    """
    rng = group_rng(seed, task.name, src.lang, mt=bool(src.mt_engine))
    result = GroupResult(wanted=per_task_lang, skipped=Counter(src.skipped))
    if splits is None:
        split_rows = assign_splits(task, src, rng, seed, val_fraction, result.skipped)
    else:
        seen: set[tuple] = set()
        split_rows = {s: _unique(task, src.rows, splits.get(s, []), seen, result.skipped) for s in ("validation", "train")}
    targets = _targets(per_task_lang, val_fraction, split_rows, allow_upsample)
    maker = _Maker(task, src, task.label_words(template_lang), template_lang, rng)
    maker.strategy.prepare(split_rows)
    for split in ("validation", "train"):  # validation first: what it cannot make, train makes instead
        made = _fill(split, split_rows[split], targets[split], variants, maker, task, src, rng, allow_upsample, result)
        if split == "validation" and not allow_upsample:
            targets["train"] += targets["validation"] - made
    return result


def _split(task: TaskEntry, src: SourceRows, shuffled: list[int], seed: int, val_fraction: float) -> dict[str, list[int]]:
    """Row indices per split. An aligned source is split per aligned example, alike in every
    language (stdata.alignment), so no translation of a validation row is trained on; any other
    source holds out the first `val_fraction` of its shuffled rows."""
    if src.align_keys is None:
        n_val_rows = round(len(shuffled) * val_fraction)
        return {"validation": shuffled[:n_val_rows], "train": shuffled[n_val_rows:]}
    keys = src.align_keys
    gf = task.spec.group_field
    if gf is not None:  # a whole group (an XQuAD passage) goes one way, keyed alike in every language by its smallest key
        smallest: dict[str, str] = {}
        for row, key in zip(src.rows, keys, strict=True):
            smallest[row[gf]] = min(key, smallest.get(row[gf], key))
        keys = [smallest[row[gf]] for row in src.rows]
    held = [in_validation(seed, task.name, keys[i], val_fraction) for i in shuffled]
    return {
        "validation": [i for i, h in zip(shuffled, held, strict=True) if h],
        "train": [i for i, h in zip(shuffled, held, strict=True) if not h],
    }


def _unique(task: TaskEntry, rows: list[dict[str, Any]], indices: list[int], seen: set[tuple], skipped: Counter) -> list[int]:
    """`indices` without rows whose content was seen before (counted as `duplicate row`)."""
    out = []
    for i in indices:
        key = _row_key(task, rows[i])
        if key in seen:
            skipped["duplicate row"] += 1
            continue
        seen.add(key)
        out.append(i)
    return out


def assign_splits(
    task: TaskEntry, src: SourceRows, rng: random.Random, seed: int, val_fraction: float, skipped: Counter
) -> dict[str, list[int]]:
    """Row indices per split, each list in its sampling order: duplicates dropped, shuffled, then split (`_split`)."""
    unique = _unique(task, src.rows, list(range(len(src.rows))), set(), skipped)
    rng.shuffle(unique)
    return _split(task, src, unique, seed, val_fraction)


def group_rng(seed: int, task: str, lang: str, mt: bool = False) -> random.Random:
    """The random stream of one group (its machine-translated rows get their own); str seeds hash with sha512: stable everywhere.

    The MT fill (mtfill.py) replays the English group's stream to learn which split each English row is in.
    """
    return random.Random(f"{seed}/{task}/{lang}" + ("/mt" if mt else ""))


def _targets(per_task_lang: int, val_fraction: float, split_rows: dict[str, list[int]], allow_upsample: bool) -> dict[str, int]:
    """Statement pairs wanted per split; without upsampling a split short of rows hands its remainder to the other."""
    pairs_wanted = per_task_lang // 2
    val_pairs = round(pairs_wanted * val_fraction)
    targets = {"validation": val_pairs, "train": pairs_wanted - val_pairs}
    if not allow_upsample:
        for a, b in (("validation", "train"), ("train", "validation")):
            spare = len(split_rows[b]) - targets[b]
            lack = targets[a] - len(split_rows[a])
            if lack > 0 and spare > 0:
                move = min(lack, spare)
                targets[a] -= move
                targets[b] += move
    return targets


def _fill(split, pool, target, variants, maker, task, src, rng, allow_upsample, result) -> int:
    """Make up to `target` pairs from `pool`, rotating variants; returns how many were made."""
    ordered = _stratified(pool, src.rows, task.kind, len(pool))
    passes = 1 + (max(1, -(-target // max(1, len(ordered)))) if allow_upsample else 0)
    offset = rng.randrange(len(variants))
    made = k = 0
    for rep in range(passes):
        for i in ordered:
            if made == target:
                break
            try:
                pair = maker.pair_of(i, variants[(k + offset) % len(variants)], split, rep)
            except _SkipRow as e:
                if rep == 0:
                    result.skipped[e.reason] += 1
                k += 1
                continue
            k += 1
            if pair is None:
                if rep == 0:
                    result.skipped["no valid negative"] += 1
                continue
            result.rows[split] += pair
            result.upsampled += 2 if rep else 0
            made += 1
    return made


class Previewer:
    """The task's negative strategy over a few rows, for previews and reviews: the false statements
    are made exactly as the build makes them (same strategy, same partner rules), seeded."""

    def __init__(self, task: TaskEntry, rows: list[dict[str, Any]], words: dict[str, str], lang: str, seed: int = 42, labels=None):
        self.task, self.rows, self.words = task, rows, words
        cls, params = task.spec.negative_strategy()
        rng = random.Random(f"{seed}/{task.name}/{lang}/preview")
        group = GroupRows(task, lang, rows, list(range(len(rows))), rng, lambda v, row, i: task.candidates(v, row, words), labels)
        self.strategy = cls(group, params)
        self.strategy.prepare({"preview": list(range(len(rows)))})

    def statements(self, i: int, variant: Variant) -> tuple[list[str], int, str | None]:
        """Row `i`'s candidate statements, the index of the true one, and the false statement the build would make."""
        texts = self.task.candidates(variant, self.rows[i], self.words)
        neg = self.strategy.negative(i, variant, "preview", texts)
        return texts, self.task.kind.gold(self.task, self.rows[i]), neg.text if neg else None
