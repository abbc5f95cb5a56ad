"""Shortcut audit: can a rule that sees no model tell a corpus's true statements from its false ones?

A Statement-Tuning model learns whatever separates true from false statements. If a trivial rule
does it -- "the answer is a substring of the passage", "the headline shares words with the
article" -- the model can learn that rule instead of the task. For every (task, language) the audit
takes each true/false pair of one source example (the two statements sharing a `group_id`) and
asks whether a rule scores the true statement higher (a tie counts half):

- `containment`: the partner (the part where the two statements differ: an answer, a headline, a
  label phrase, a choice) occurs verbatim in the rest of the statement;
- `token_overlap`: the share of the partner's words that also occur in the rest;
- `length_ratio`: how close the partner's length, relative to the rest, is to the cell's typical
  ratio for true statements;
- `bow`: a statement-only bag-of-words classifier (hashed word counts, logistic regression)
  trained on the cell's train split and scored on its validation pairs.

The three fixed rules are reported in their better direction (max(a, 1 - a)): a rule that picks
the *false* statement 90% of the time is as much a shortcut as one that picks the true one. Any
value >= THRESHOLD over at least MIN_PAIRS pairs is flagged.

The partner needs no extra column: both statements of a pair come from one template and one row,
so they differ exactly where the partner is.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import Field

from .records import Record

THRESHOLD = 0.70
#: Fewer pairs than this: the value is reported but too noisy to flag (at 30 pairs, chance reaches 0.70 about 1% of the time).
MIN_PAIRS = 30
#: The pairs audited per cell and split, the first ones in corpus order (a build writes them label-
#: stratified): at 375 pairs a pair accuracy is within about +-0.05 of its value on every pair, and
#: the audit costs half as much as on the 750 of a default cell.
MAX_PAIRS = {"train": 300, "validation": 100}
FIXED_RULES = ("containment", "token_overlap", "length_ratio")
RULES = (*FIXED_RULES, "bow")
COLUMNS = ("statement", "label", "task", "lang", "group_id")
#: At most this many characters are moved to a word boundary when cutting out the partner.
MAX_BACKOFF = 40
_QUOTES = " \t\n\"'`“”‘’«»„‚「」『』《》()[]{}.,;:!?。、，：；！？"
#: Scripts written without spaces are compared by character bigrams, others by words.
_NO_SPACE = "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[^\W_{_NO_SPACE}]+")
_NO_SPACE_RUNS = re.compile(rf"[{_NO_SPACE}]+")


class AuditCell(Record):
    """One (task, language): how well each rule separates its true statements from the false ones."""

    task: str
    lang: str
    pairs: int  # pairs the fixed rules saw (every split, at most MAX_PAIRS each)
    bow_pairs: int  # validation pairs the classifier was scored on
    scores: dict[str, float | None]  # rule -> pair accuracy (None: not computable, e.g. no validation pairs)


class AuditFlag(Record):
    task: str
    lang: str
    rule: str
    value: float
    pairs: int

    def line(self) -> str:
        return f"{self.task}/{self.lang}: rule {self.rule} picks the true statement of {self.value:.1%} of {self.pairs} pairs (>= {THRESHOLD:.0%})"


class AuditReport(Record):
    """What `stdata audit` prints and `manifest.json` keeps under `audit`."""

    threshold: float = THRESHOLD
    min_pairs: int = MIN_PAIRS
    rules: list[str] = Field(default_factory=lambda: list(RULES))
    cells: list[AuditCell]
    flags: list[AuditFlag]


# -- cutting a pair into its partners and the shared rest ------------------------------------------


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slices: string comparison runs in C
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _cuts_word(left: str, right: str) -> bool:
    return bool(left) and bool(right) and left.isalnum() and right.isalnum()


def split_pair(a: str, b: str) -> tuple[str, str, str]:
    """(partner in a, partner in b, the rest both share): the differing middle, widened to whole words."""
    p = _common_prefix(a, b)
    s = _common_suffix(a, b, min(len(a), len(b)) - p)
    q = p
    while q > 0 and (_cuts_word(a[q - 1], a[q : q + 1]) or _cuts_word(b[q - 1], b[q : q + 1])):
        q -= 1
    p = q if p - q <= MAX_BACKOFF else p
    t = s
    while t > 0 and (
        _cuts_word(a[len(a) - t - 1 : len(a) - t], a[len(a) - t]) or _cuts_word(b[len(b) - t - 1 : len(b) - t], b[len(b) - t])
    ):
        t -= 1
    s = t if s - t <= MAX_BACKOFF else s
    return a[p : len(a) - s], b[p : len(b) - s], a[:p] + "\n" + a[len(a) - s :]


def token_list(text: str) -> list[str]:
    """Casefolded words, runs of scripts without spaces (Thai, Chinese, Japanese kana...) as character
    bigrams, with repeats: the audit's one tokeniser, for word overlap and for the classifier."""
    text = text.casefold()
    out = _WORDS.findall(text)
    for run in _NO_SPACE_RUNS.findall(text):
        out += [run] if len(run) == 1 else [run[k : k + 2] for k in range(len(run) - 1)]
    return out


def tokens(text: str) -> set[str]:
    return set(token_list(text))


# -- the rules -------------------------------------------------------------------------------------


def pair_accuracy(true_scores: np.ndarray, false_scores: np.ndarray) -> float:
    """Share of pairs whose true statement scores higher; ties count half."""
    if not len(true_scores):
        return float("nan")
    return float(np.mean((true_scores > false_scores) + 0.5 * (true_scores == false_scores)))


@dataclass
class _Pairs:
    """The pairs of one cell: per pair, both partners, the shared rest, the split; and their word counts."""

    partners: list[tuple[str, str]] = field(default_factory=list)
    rests: list[str] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)

    def counts(self):
        """Hashed word counts (sparse, one row per pair) of the rests, true partners and false partners.

        A statement is its rest plus its partner, cut at word boundaries, so its counts are the sum:
        each rest (the long part: a passage, an article) is tokenised once for both statements."""
        from sklearn.feature_extraction.text import HashingVectorizer

        vec = HashingVectorizer(analyzer=token_list, n_features=2**20, alternate_sign=False, norm=None)
        return vec.transform(self.rests), vec.transform([t for t, _ in self.partners]), vec.transform([f for _, f in self.partners])


def _oriented(true_scores: np.ndarray, false_scores: np.ndarray) -> float:
    acc = pair_accuracy(true_scores, false_scores)
    return max(acc, 1.0 - acc)


def _fixed_rule_scores(pairs: _Pairs, rest_counts, true_counts, false_counts) -> dict[str, float]:
    n = len(pairs.rests)
    contained, log_ratio = np.zeros((n, 2)), np.zeros((n, 2))
    for k, (partners, rest) in enumerate(zip(pairs.partners, pairs.rests)):
        rest_cf = rest.casefold()
        for side, partner in enumerate(partners):
            core = partner.strip(_QUOTES).casefold()
            contained[k, side] = bool(core) and core in rest_cf
            log_ratio[k, side] = math.log((len(partner) + 1) / (len(rest) + 1))
    in_rest = rest_counts > 0
    overlap = []
    for counts in (true_counts, false_counts):  # share of the partner's distinct words found in the rest
        words = counts > 0
        shared = np.asarray(words.multiply(in_rest).sum(axis=1)).ravel()
        overlap.append(shared / np.maximum(np.asarray(words.sum(axis=1)).ravel(), 1))
    closeness = -np.abs(log_ratio - float(np.median(log_ratio[:, 0])))
    return {
        "containment": _oriented(contained[:, 0], contained[:, 1]),
        "token_overlap": _oriented(overlap[0], overlap[1]),
        "length_ratio": _oriented(closeness[:, 0], closeness[:, 1]),
    }


def _bow_score(pairs: _Pairs, rest_counts, true_counts, false_counts) -> tuple[float | None, int]:
    """Pair accuracy on validation of a classifier trained on train; (None, n) when a split has no pairs.

    Whole statements (rest + partner), word counts scaled to unit length (sklearn's default): the
    scaling is what lets a linear model see that a partner repeats words of the rest.
    """
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    train = [k for k, s in enumerate(pairs.splits) if s == "train"]
    val = [k for k, s in enumerate(pairs.splits) if s == "validation"]
    if len(train) < 2 or not val:
        return None, len(val)
    true_x, false_x = normalize(rest_counts + true_counts), normalize(rest_counts + false_counts)

    def statements(ks: list[int]):  # the true statements of pairs `ks`, then their false ones
        return sp.vstack([true_x[ks], false_x[ks]]).tocsr()

    x_train = statements(train)
    used = np.unique(x_train.indices)  # liblinear (dual: fewer statements than words) grows with the width: keep the features train has
    labels = np.r_[np.ones(len(train)), np.zeros(len(train))]
    model = LogisticRegression(solver="liblinear", dual=True, C=1.0, random_state=0).fit(x_train[:, used], labels)
    scores = model.decision_function(statements(val)[:, used])
    return pair_accuracy(scores[: len(val)], scores[len(val) :]), len(val)


# -- the audit -------------------------------------------------------------------------------------


def _pairs(rows_by_split: Mapping[str, Sequence[Mapping[str, Any]]]) -> _Pairs:
    """The (true, false) pairs of one cell's statements, matched by group_id within each split (at most MAX_PAIRS)."""
    pairs = _Pairs()
    for split, rows in rows_by_split.items():
        room = MAX_PAIRS.get(split, MAX_PAIRS["train"])
        by_group: dict[str, list[Any]] = {}
        for r in rows:
            slot = by_group.setdefault(r["group_id"], [None, None, 0])
            slot[0 if r["label"] else 1] = r["statement"]
            slot[2] += 1
        for true, false, count in by_group.values():
            if true is None or false is None or count != 2:
                continue  # not a pair of one true and one false statement: nothing to compare
            if room == 0:
                break
            room -= 1
            pt, pf, rest = split_pair(true, false)
            pairs.partners.append((pt, pf))
            pairs.rests.append(rest)
            pairs.splits.append(split)
    return pairs


def audit_group(task: str, lang: str, rows_by_split: Mapping[str, Sequence[Mapping[str, Any]]]) -> AuditCell:
    """The audit of one (task, language) from its statements per split (what a build worker holds)."""
    pairs = _pairs(rows_by_split)
    scores: dict[str, float | None] = dict.fromkeys(RULES)
    if not pairs.rests:
        return AuditCell(task=task, lang=lang, pairs=0, bow_pairs=0, scores=scores)
    counts = pairs.counts()
    scores.update({r: round(v, 4) for r, v in _fixed_rule_scores(pairs, *counts).items()})
    bow, bow_pairs = _bow_score(pairs, *counts)
    scores["bow"] = None if bow is None else round(bow, 4)
    return AuditCell(task=task, lang=lang, pairs=len(pairs.rests), bow_pairs=bow_pairs, scores=scores)


def report(cells: Sequence[AuditCell]) -> AuditReport:
    """The cells in (task, language) order and every value that reaches THRESHOLD over enough pairs."""
    cells = sorted(cells, key=lambda c: (c.task, c.lang))
    flags = []
    for cell in cells:
        for rule in RULES:
            value = cell.scores.get(rule)
            n = cell.bow_pairs if rule == "bow" else cell.pairs
            if value is not None and value >= THRESHOLD and n >= MIN_PAIRS:
                flags.append(AuditFlag(task=cell.task, lang=cell.lang, rule=rule, value=value, pairs=n))
    return AuditReport(cells=cells, flags=flags)


def audit_columns(splits: Mapping[str, Mapping[str, Sequence[Any]]]) -> AuditReport:
    """The audit of a corpus given as split -> column -> values (at least COLUMNS)."""
    groups: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for split, cols in splits.items():
        for statement, label, task, lang, gid in zip(*(cols[c] for c in COLUMNS)):
            groups[(task, lang)][split].append({"statement": statement, "label": label, "group_id": gid})
    return report([audit_group(task, lang, by_split) for (task, lang), by_split in groups.items()])


def audit_tables(tables: Mapping[str, Any]) -> AuditReport:
    """The audit of split -> pyarrow Table."""
    return audit_columns({split: t.select(list(COLUMNS)).to_pydict() for split, t in tables.items()})


def preload() -> None:
    """Import scikit-learn's parts the audit and the TF-IDF strategies use (about a second), e.g. once
    before a build forks its workers, so that each does not import them again."""
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401


def audit_corpus(path: Any) -> AuditReport:
    """The audit of a corpus directory or hub id (`stdata audit CORPUS`)."""
    from .corpus import load_corpus
    from .errors import StdataError

    dd = load_corpus(path)
    cols = {}
    for split, ds in dd.items():
        missing = [c for c in COLUMNS if c not in ds.column_names]
        if missing:
            raise StdataError(f"corpus {path} split {split!r} lacks column(s) {missing}: the audit pairs statements by group_id")
        cols[split] = ds.select_columns(list(COLUMNS)).to_dict()
    return audit_columns(cols)
