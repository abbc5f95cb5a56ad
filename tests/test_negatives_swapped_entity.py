"""`swapped_entity` on real MasakhaNEWS headlines: one name or number of the headline swapped for
another one the article mentions; the rest of the headline kept; rows with nothing to swap fall back."""

from __future__ import annotations

import pytest
from strategies import real_rows, run, shipped_task, split_pools

from stdata.audit import split_pair
from stdata.negatives.swapped_entity import entities
from stdata.partners import normalise


def test_entities_are_capitalised_runs_and_numbers():
    text = "Lionel Messi signs for 2 years. The club said on Monday that Messi, 35, will stay in Paris."
    assert entities(text, headline=True) == [
        ("name", "Lionel Messi"), ("name", "Monday"), ("name", "Messi"), ("name", "Paris"), ("number", "2"), ("number", "35")
    ]  # fmt: skip
    assert ("name", "The") not in entities(text) and ("name", "I") not in entities("Then I left.")
    assert entities("In January Ofgem said") == [("name", "January Ofgem")]  # a sentence's first word is dropped


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_one_entity_swapped_for_another_the_article_mentions(shared_hub, lang):
    task = shipped_task("headline")
    rows = real_rows(task, lang, shared_hub)
    pools = split_pools(len(rows))
    negs = run(task, rows, pools, "swapped_entity")
    swaps = 0
    for (split, i), neg in negs.items():
        assert neg is not None
        gold, article, false = rows[i]["headline"], rows[i]["article"], neg.text
        assert normalise(false) != normalise(gold)
        if neg.source_index != i:  # the fallback: the nearest row's headline, from the same split
            assert neg.source_index in pools[split] and false == rows[neg.source_index]["headline"]
            continue
        swaps += 1
        # exactly one stretch of the headline differs, and what came in is a name or number of the article
        _, new, _ = split_pair(gold, false)
        assert new.strip() and any(e in new or new in e for _, e in entities(article)), (gold, false)
    assert swaps >= 0.6 * len(negs)  # most headlines name something their article names too
    assert negs == run(task, rows, pools, "swapped_entity")  # seeded: the same draws again


def test_fallback_is_a_parameter(shared_hub):
    task = shipped_task("headline")
    rows = real_rows(task, "en", shared_hub)
    pools = split_pools(len(rows))
    a = run(task, rows, pools, "swapped_entity", fallback="mismatched_partner")
    b = run(task, rows, pools, "swapped_entity")
    falls = [k for k, n in b.items() if n.source_index != k[1]]
    assert falls and any(a[k].source_index != b[k].source_index for k in falls)
    with pytest.raises(ValueError, match="fallback"):
        run(task, rows, pools, "swapped_entity", fallback="wrong_label")
