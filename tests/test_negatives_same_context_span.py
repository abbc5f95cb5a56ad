"""`same_context_span` on real XQuAD rows: the false answer is in the passage, never (part of) the gold one."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from strategies import real_rows, run, shipped_task, split_pools

from stdata.negatives.same_context_span import answer_type, candidate_spans, overlaps
from stdata.partners import normalise
from stdata.schema import TaskSpec


def _occurrences(needle: str, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]


@pytest.fixture(scope="module")
def qa():
    return shipped_task("extractive_qa")


@pytest.mark.parametrize("lang", ["en", "zh", "th"])
def test_false_answers_come_from_the_passage_and_are_never_the_gold_one(qa, shared_hub, lang):
    rows = real_rows(qa, lang, shared_hub)
    pools = split_pools(len(rows))
    negs = run(qa, rows, pools, "same_context_span")
    made = {k: n for k, n in negs.items() if n is not None}
    assert len(made) >= 0.99 * len(negs)  # a row without any usable span is rare (and counted by the build)
    other_answers = 0
    for (split, i), neg in made.items():
        gold, passage, false = rows[i]["answer"], rows[i]["context"], neg.text
        assert false.strip() and false in passage
        assert normalise(false) != normalise(gold) and not overlaps(gold, false)
        j = neg.source_index
        assert j in pools[split]  # nothing crosses the split
        if j != i:  # another question's answer: about the same passage
            other_answers += 1
            assert rows[j]["context"] == passage and rows[j]["answer"] == false
        else:  # a span: one of its occurrences overlaps no occurrence of the gold answer
            golds = _occurrences(gold, passage)
            assert any(all(e <= s or f <= b for s, f in golds) for b, e in _occurrences(false, passage))
    train = [k for k in made if k[0] == "train"]
    assert other_answers >= 0.75 * len(train)  # XQuAD has ~5 questions per passage: other answers are the most common
    assert negs == run(qa, rows, pools, "same_context_span")  # seeded: the same draws again
    numbers = [(k, n) for k, n in made.items() if answer_type(rows[k[1]]["answer"]) == "number"]
    assert sum(any(ch.isdigit() for ch in n.text) for _, n in numbers) >= 0.8 * len(numbers)  # a number for a number


def test_span_fallback_keeps_the_type_and_avoids_the_gold_answer():
    passage = (
        "The lighthouse was built in 1874 on the northern cliff. It was automated in 1962, and the last keeper, "
        "Tomas Berg, gave the keys to Anna Lind that year. Tomas Berg moved to the mainland."
    )
    assert "1874" in candidate_spans("1962", passage)
    assert answer_type("1874") == "number" and answer_type("Anna Lind") == "name" and answer_type("the keys") == "other"
    spans = candidate_spans("Tomas Berg", passage)
    assert "Anna Lind" in spans and not any("Tomas" in s or "Berg" in s for s in spans)  # either occurrence is off limits
    assert spans["It was"] == "other"  # a sentence's first capital does not make a name
    # the strategy picks among spans of the gold answer's type first
    task = shipped_task("extractive_qa")
    rows = [{"context": passage, "question": "When was it automated?", "answer": "1962"},
            {"context": passage, "question": "Who took the keys?", "answer": "Anna Lind"},
            {"context": "Another passage.", "question": "Q?", "answer": "passage"}]  # fmt: skip
    negs = run(task, rows, {"train": [0, 2], "validation": [1]}, "same_context_span")
    assert negs[("train", 0)].text == "1874" and negs[("train", 0)].source_index == 0  # alone in its split: a span
    assert negs[("validation", 1)].text == "Tomas Berg"  # the only other name


def test_other_answers_can_be_turned_off_and_group_field_is_required(qa, shared_hub):
    rows = real_rows(qa, "en", shared_hub)[:200]
    negs = run(qa, rows, {"train": list(range(200))}, "same_context_span", other_answers=False)
    assert all(n is None or n.source_index == i for (_, i), n in negs.items())
    spec = qa.spec.model_dump(mode="json", exclude={"group_field"})
    with pytest.raises(ValidationError, match="needs group_field"):
        TaskSpec.model_validate({**spec, "negatives": "same_context_span"})
