"""Declarative source hygiene in task.yaml: named preprocess steps, filters (each skip counted), and
the labels a source can assert, on real rows from ../shared/hub."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from stdata.build import BuildOptions, build_corpus
from stdata.corpus import load_corpus
from stdata.preprocess import PREPROCESS, html_unescape, pipeline, ptb_detokenize
from stdata.registry import Registry
from stdata.sources import load_rows

FIXTURES = REPO / "tests" / "fixtures" / "registry"


def _hub_column(hub, name, config, split, column):
    import datasets

    return datasets.load_dataset(str(hub / name), config, split=split)[column]


def test_ptb_detokenize_on_sst2(shared_hub):
    rows = _hub_column(shared_hub, "stanfordnlp/sst2", "default", "train", "sentence")
    assert sum(" n't" in r for r in rows) > 200 and sum(" 's" in r for r in rows) > 900  # what SST-2 looks like
    clean = [ptb_detokenize(r) for r in rows]
    leftover = re.compile(r" n't\b| '(s|re|ve|ll|d|m)\b|``|''| [,.;:!?]|-lrb-|-rrb-", re.IGNORECASE)
    assert [c for c in clean if leftover.search(c)] == []
    assert ptb_detokenize("it 's a film that does n't , and `` funny '' ca n't -LRB- quite -RRB- . ") == (
        "it's a film that doesn't, and \"funny\" can't (quite)."
    )


def test_html_unescape_on_ag_news(shared_hub):
    rows = _hub_column(shared_hub, "fancyzhx/ag_news", "default", "test", "text")
    assert sum("#39;" in r for r in rows) > 1000  # AG News lost the & of its entities
    clean = [html_unescape(r) for r in rows]
    assert not [c for c in clean if re.search(r" #\d+;|\bquot;|&(amp|quot|lt|gt|#\d+);", c)]
    assert html_unescape("a  #36;10 million deal, Microsoft #39;s  quot;plan quot;") == 'a $10 million deal, Microsoft\'s "plan"'


def test_steps_are_a_fixed_named_list():
    assert PREPROCESS.names() == ["html_unescape", "ptb_detokenize", "whitespace"]
    assert pipeline(["whitespace", "html_unescape"])("a\u00a0\n b &amp; c") == "a b & c"
    assert pipeline([]) is None


def _task(tmp_path, base: str, replace: tuple[str, str]) -> Registry:
    src = FIXTURES / base
    (tmp_path / "reg" / base).mkdir(parents=True)
    (tmp_path / "reg" / base / "task.yaml").write_text((src / "task.yaml").read_text().replace(*replace))
    (tmp_path / "reg" / base / "en.yaml").write_text((src / "en.yaml").read_text())
    return Registry.load(tmp_path / "reg").require_clean()


def test_filters_drop_rows_and_count_each_reason(tmp_path, shared_hub):
    reg = _task(
        tmp_path, "senti", ("    columns: {text: sentence, label: label}\n",
                            "    columns: {text: sentence, label: label}\n    filters: {max_chars: 100, dedup: [text]}\n"),
    )  # fmt: skip
    before = load_rows(Registry.load(FIXTURES).tasks["senti"], "en", shared_hub)
    after = load_rows(reg.tasks["senti"], "en", shared_hub)
    assert before is not None and after is not None
    too_long = sum(len(r["text"]) > 100 for r in before.rows)
    kept = [r["text"] for r in before.rows if len(r["text"]) <= 100]
    dups = len(kept) - len(set(kept))
    assert too_long > 1000 and dups > 0
    assert after.skipped == {"filter: text over 100 characters": too_long, "filter: duplicate text": dups}
    assert len(after.rows) == len(before.rows) - too_long - dups
    assert all(len(r["text"]) <= 100 for r in after.rows) and len({r["text"] for r in after.rows}) == len(after.rows)


@pytest.fixture(scope="module")
def sentiment_build(tmp_path_factory):
    from conftest import SHARED_HUB

    if not SHARED_HUB.is_dir():
        pytest.skip("../shared/hub is not present")
    out = tmp_path_factory.mktemp("senti") / "c"
    reg = Registry.load(REPO / "templates").require_clean()
    m = build_corpus(
        BuildOptions(out=out, langs="en,id", tasks="sentiment,topic", data_dir=SHARED_HUB, per_task_lang=1000, command=["t"]), reg
    )
    return out, m


def test_sst2_is_cleaned_and_never_says_neutral(sentiment_build):
    out, m = sentiment_build
    en = m.groups["sentiment/en"]
    assert en.source.dataset == "stanfordnlp/sst2" and en.total == 1000
    assert en.skipped["filter: text under 5 words"] > 3000  # a third of SST-2 is fragments
    dd = load_corpus(out)
    rows = [r for split in dd for r in dd[split].to_list() if r["task"] == "sentiment"]
    en_rows = [r for r in rows if r["lang"] == "en"]
    assert {r["candidate"] for r in en_rows} == {"negative", "positive"}  # the binary source asserts no neutral
    assert not [r["statement"] for r in en_rows if re.search(r" n't\b|\w 's\b|``", r["statement"])]
    # NusaX has all three labels, so Indonesian false statements do use neutral
    assert {r["candidate"] for r in rows if r["lang"] == "id" and r["label"] == 0} == {"negative", "neutral", "positive"}


def test_card_lists_test_splits_used_for_training(sentiment_build):
    out, _ = sentiment_build
    card = (out / "README.md").read_text()
    section = card.split("## Test splits used as training data", 1)[1].split("\n## ", 1)[0]
    assert "- Davlan/sib200 `train+validation+test` (topic): en, id" in section
    assert "sst2" not in section and "NusaX" not in section
