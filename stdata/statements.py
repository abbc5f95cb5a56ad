"""Turn one (task, language)'s canonical rows into an exactly balanced set of statements.

Pure and seeded: the same rows, variants and seed give the same statements, in any process.
Each chosen source row yields one true statement and one false one (made with the task's negative
strategy), so every false statement is traceable to its row and the corpus is 50/50 by
construction. Rows are split into train/validation *before* statements are made, so no source
example (and, for pair tasks, no partner text) crosses the split.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .registry import TaskEntry
from .render import RenderError
from .schema import Kind, Variant
from .sources import SourceRows

#: How many random draws to try for a mismatched pair partner before scanning in order.
PARTNER_TRIES = 20


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


def _stratified(indices: list[int], rows: list[dict], kind: Kind, need: int) -> list[int]:
    """Take `need` row indices, round-robin over gold labels (classification) so labels stay balanced."""
    if kind is not Kind.classification:
        return indices[:need]
    by_label: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        by_label[rows[i]["label"]].append(i)
    queues = [by_label[k] for k in sorted(by_label)]
    out: list[int] = []
    pos = 0
    while len(out) < need and any(pos < len(q) for q in queues):
        for q in queues:
            if pos < len(q) and len(out) < need:
                out.append(q[pos])
        pos += 1
    return out


class _Maker:
    def __init__(
        self, task: TaskEntry, src: SourceRows, variants: list[Variant], words: dict[str, str], template_lang: str, rng: random.Random
    ):
        self.task, self.src, self.variants, self.words = task, src, variants, words
        self.template_lang, self.rng = template_lang, rng
        self.false_labels: Counter = Counter()

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
            "group_id": f"{self.task.name}/{self.src.lang}/{src_row}" + (f"#{rep}" if rep else ""),
            "upsampled": rep > 0,
        }

    def _render(self, variant: Variant, row: dict, i: int) -> list[str]:
        try:
            return self.task.candidates(variant, row, self.words)
        except RenderError as e:
            raise RenderError(
                f"task {self.task.name} lang {self.src.lang} variant {variant.id}: {e} "
                f"(source {self.src.dataset} {self.src.config}/{self.src.split} row {self.src.row_ids[i]})"
            ) from None

    def pair_of(self, i: int, variant: Variant, pool: list[int], rep: int) -> list[dict] | None:
        """The true and the false statement of row `i`, or None when no negative can be made."""
        spec, rows = self.task.spec, self.src.rows
        row = rows[i]
        if spec.kind is Kind.classification:
            texts = self._render(variant, row, i)
            gold = spec.labels.index(row["label"])
            wrong = [k for k in range(len(spec.labels)) if k != gold]
            least = min(self.false_labels[spec.labels[k]] for k in wrong)
            k = self.rng.choice([k for k in wrong if self.false_labels[spec.labels[k]] == least])
            self.false_labels[spec.labels[k]] += 1
            return [
                self._statement(texts[gold], True, variant, spec.labels[gold], i, -1, rep),
                self._statement(texts[k], False, variant, spec.labels[k], i, -1, rep),
            ]
        if spec.kind is Kind.multiple_choice:
            texts = self._render(variant, row, i)
            gold = row["label"]
            wrong = [k for k in range(len(texts)) if k != gold and texts[k] != texts[gold]]
            if not wrong:
                return None
            k = self.rng.choice(wrong)
            return [
                self._statement(texts[gold], True, variant, str(gold), i, -1, rep),
                self._statement(texts[k], False, variant, str(k), i, -1, rep),
            ]
        j = self._partner(i, pool)
        if j is None:
            return None
        pf = spec.partner_field
        true_text = self._render(variant, row, i)[0]
        false_text = self._render(variant, {**row, pf: rows[j][pf]}, i)[0]
        return [
            self._statement(true_text, True, variant, "partner", i, -1, rep),
            self._statement(false_text, False, variant, "partner", i, self.src.row_ids[j], rep),
        ]

    def _partner(self, i: int, pool: list[int]) -> int | None:
        """Another row of the same split whose partner text and group differ: never a true pair by accident."""
        spec, rows = self.task.spec, self.src.rows
        pf, gf = spec.partner_field, spec.group_field

        def ok(j: int) -> bool:
            return j != i and rows[j][pf] != rows[i][pf] and (gf is None or rows[j][gf] != rows[i][gf])

        if len(pool) > 1:
            for _ in range(PARTNER_TRIES):
                j = pool[self.rng.randrange(len(pool))]
                if ok(j):
                    return j
        return next((j for j in pool if ok(j)), None)


def make_group(
    task: TaskEntry,
    src: SourceRows,
    variants: list[Variant],
    template_lang: str,
    per_task_lang: int,
    seed: int,
    val_fraction: float,
    allow_upsample: bool,
) -> GroupResult:
    """Exactly `per_task_lang` statements (half true) for one (task, language), or a reported shortfall."""
    rng = random.Random(f"{seed}/{task.name}/{src.lang}")  # str seeds hash with sha512: stable everywhere
    result = GroupResult(wanted=per_task_lang, skipped=Counter(src.skipped))
    seen: set[tuple] = set()
    unique: list[int] = []
    for i, row in enumerate(src.rows):
        key = _row_key(task, row)
        if key in seen:
            result.skipped["duplicate row"] += 1
            continue
        seen.add(key)
        unique.append(i)
    rng.shuffle(unique)
    n_val_rows = round(len(unique) * val_fraction)
    split_rows = {"validation": unique[:n_val_rows], "train": unique[n_val_rows:]}
    pairs_wanted = per_task_lang // 2
    val_pairs = round(pairs_wanted * val_fraction)
    targets = {"validation": val_pairs, "train": pairs_wanted - val_pairs}
    if not allow_upsample:  # a split short of rows hands its remainder to the other one
        for a, b in (("validation", "train"), ("train", "validation")):
            spare = len(split_rows[b]) - targets[b]
            lack = targets[a] - len(split_rows[a])
            if lack > 0 and spare > 0:
                move = min(lack, spare)
                targets[a] -= move
                targets[b] += move
    maker = _Maker(task, src, variants, task.label_words(template_lang), template_lang, rng)
    for split in ("validation", "train"):  # validation first: what it cannot make, train makes instead
        pool = split_rows[split]
        ordered = _stratified(pool, src.rows, task.spec.kind, len(pool))
        passes = 1 + (max(1, -(-targets[split] // max(1, len(ordered)))) if allow_upsample else 0)
        offset = rng.randrange(len(variants))
        made = k = 0
        for rep in range(passes):
            for i in ordered:
                if made == targets[split]:
                    break
                pair = maker.pair_of(i, variants[(k + offset) % len(variants)], pool, rep)
                k += 1
                if pair is None:
                    if rep == 0:
                        result.skipped["no valid negative"] += 1
                    continue
                result.rows[split] += pair
                result.upsampled += 2 if rep else 0
                made += 1
        if split == "validation" and not allow_upsample:
            targets["train"] += targets["validation"] - made
    return result
