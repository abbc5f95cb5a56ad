"""`nearest_partner` on real Tatoeba, MasakhaNEWS and XQuAD rows: the most similar acceptable row's
partner, deterministically, never the same text, a paraphrase or a row of the same group."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from strategies import real_rows, run, shipped_task, split_pools

from stdata.partners import normalise

CASES = [("translation", "de"), ("headline", "en"), ("translation", "am")]


def _tfidf(texts: list[str]):
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True).fit_transform(texts)


@pytest.mark.parametrize("task_name,lang", CASES)
def test_the_partner_of_the_most_similar_acceptable_row(shared_hub, task_name, lang):
    task = shipped_task(task_name)
    pf = task.spec.partner_field or ""
    fixed = [f for f in task.spec.fields if f != pf]
    rows = real_rows(task, lang, shared_hub)
    pools = split_pools(len(rows))
    negs = run(task, rows, pools, "nearest_partner")
    assert all(n is not None for n in negs.values())
    for split, pool in pools.items():
        # recomputed here, independently: similarity of the fixed texts and of the partners within the split
        # (on the fixed text's first max_chars=1000 characters)
        text_sims = (lambda x: (x @ x.T).toarray())(_tfidf(["\n".join(rows[j][f] for f in fixed)[:1000] for j in pool]))
        partner_sims = (lambda x: (x @ x.T).toarray())(_tfidf([rows[j][pf] for j in pool]))
        pos = {j: k for k, j in enumerate(pool)}
        norm = np.array([normalise(rows[j][pf]) for j in pool], dtype=object)
        for a, i in enumerate(pool):
            j = negs[(split, i)].source_index
            assert j in pos and j != i  # same split, another row
            assert norm[pos[j]] != norm[a]  # never the same text
            assert partner_sims[a, pos[j]] < 0.7 + 1e-6  # never a near-duplicate of the gold partner
            acceptable = (np.arange(len(pool)) != a) & (norm != norm[a]) & (partner_sims[a] < 0.7 - 1e-6) & (text_sims[a] < 0.95 - 1e-6)
            assert text_sims[a, pos[j]] >= text_sims[a][acceptable].max() - 1e-5  # none more similar was passed over
    # deterministic, and independent of the order rows are asked in and of the generator's seed
    shuffled = run(task, rows, pools, "nearest_partner", seed=7, order=lambda asks: random.Random(3).sample(asks, len(asks)))
    assert {k: n.source_index for k, n in shuffled.items()} == {k: n.source_index for k, n in negs.items()}


def test_never_a_row_of_the_same_group(shared_hub):
    task = shipped_task("extractive_qa")  # group_field: context (about five questions per passage)
    rows = real_rows(task, "en", shared_hub)
    pools = split_pools(len(rows))
    negs = run(task, rows, pools, "nearest_partner")
    for (_, i), n in negs.items():
        assert rows[n.source_index]["context"] != rows[i]["context"]


def test_ties_go_to_the_lower_row_index_and_duplicates_are_skipped():
    task = shipped_task("translation")
    rows = [
        {"text": "der Hund schläft", "english": "the dog sleeps"},
        {"text": "die Katze schläft", "english": "the cat sleeps"},  # rows 1 and 2: the same fixed text, a tie
        {"text": "die Katze schläft", "english": "a cat is asleep"},
        {"text": "der Hund schläft", "english": "the dog is sleeping"},  # row 0's text again: the same example
        {"text": "ein Auto fährt", "english": "The dog sleeps!"},  # row 0's partner, normalised
    ]
    negs = run(task, rows, {"train": [4, 3, 2, 1, 0]}, "nearest_partner")
    assert negs[("train", 0)].source_index == 1
    assert negs[("train", 2)].source_index == 0  # row 1 is the same text (a second translation): skipped
    assert negs[("train", 0)] == run(task, rows, {"train": [0, 1, 2, 3, 4]}, "nearest_partner")[("train", 0)]


def test_params_are_validated_and_bound_the_search():
    task = shipped_task("translation")
    rows = [{"text": f"Satz {k}", "english": f"sentence number {k} of {w}"} for k, w in enumerate(["a", "bb", "ccc", "dddd"])]
    negs = run(task, rows, {"train": [0, 1, 2, 3]}, "nearest_partner", candidates=2, max_partner_similarity=1.0)
    assert {n.source_index for n in negs.values()} <= {0, 1}  # only the first two rows of the split are searched
    with pytest.raises(ValueError, match="max_partner_similarity"):
        run(task, rows, {"train": [0, 1]}, "nearest_partner", max_partner_similarity=1.5)
