"""`stdata balance`: two built corpora mixed into one exactly balanced, deduplicated corpus whose
manifest names both inputs; temperature quotas; a foreign corpus without group ids; the overlap
check against the evaluation tasks' rows, fatal with --strict."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clirun import run_cli
from conftest import REPO

from stdata.balance import BalanceOptions, balance, quotas
from stdata.build import BuildOptions, build_corpus
from stdata.corpus import load_corpus, read_manifest
from stdata.eval_overlap import normalize_text
from stdata.registry import Registry

MIRROR = REPO / "tests" / "data" / "mirror"
LANGS = "en,de,fr,sw"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return Registry.load().require_clean()


@pytest.fixture(scope="module")
def built(reg, tmp_path_factory):
    """A: real rows only; B: another seed, with --mt-fill pseudo (fr has no real rows in the sample mirror)."""
    tmp = tmp_path_factory.mktemp("inputs")
    a = build_corpus(BuildOptions(out=tmp / "A", langs=LANGS, data_dir=MIRROR, per_task_lang=20, command=["t"]), reg)
    b = build_corpus(BuildOptions(out=tmp / "B", langs=LANGS, data_dir=MIRROR, per_task_lang=20, seed=7, mt_fill="pseudo",
                                  mt_cache=tmp / "cache.sqlite", command=["t"]), reg)  # fmt: skip
    return tmp / "A", tmp / "B", a, b


def _rows(out: Path) -> dict[str, list[dict]]:
    dd = load_corpus(out)
    return {s: dd[s].to_list() for s in dd}


def test_balance_two_built_corpora_is_exact_deduplicated_and_names_both_inputs(built, tmp_path, monkeypatch, capsys):
    a, b, ma, mb = built
    code, out, err = run_cli(["balance", str(a), str(b), "--out", str(tmp_path / "C"), "--per-task-lang", "24",
                              "--data-dir", str(MIRROR)], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    assert "overlap with the evaluation tasks" in out
    m = read_manifest(tmp_path / "C")
    assert [x.corpus for x in m.lineage] == [str(a), str(b)]
    assert [x.fingerprint for x in m.lineage] == [ma.fingerprint, mb.fingerprint]
    assert all((tmp_path / "C" / x.manifest_file).exists() for x in m.lineage)
    assert json.loads((tmp_path / "C" / m.lineage[1].manifest_file).read_text())["fingerprint"] == mb.fingerprint
    assert all(x.used > 0 for x in m.lineage) and sum(x.used for x in m.lineage) == sum(m.counts.values())
    rows = _rows(tmp_path / "C")
    cells: Counter = Counter()
    for split_rows in rows.values():
        for r in split_rows:
            cells[(r["task"], r["lang"], r["label"])] += 1
    short = {(s.task, s.lang) for s in m.shortfalls}
    for key, g in m.groups.items():
        task, lang = key.split("/")
        assert cells[(task, lang, 1)] == cells[(task, lang, 0)] == g.total // 2, key  # exactly half true
        assert g.total == 24 or (task, lang) in short
    # de and en have 2 x 20 statements to choose from, so they are full; fr only has B's 20 (MT) ones
    assert m.groups["topic/de"].total == 24 and m.groups["topic/fr"].total == 20 and m.groups["topic/fr"].mt.statements == 20
    texts = [normalize_text(r["statement"]) for s in rows.values() for r in s]
    assert len(texts) == len(set(texts))  # no statement twice, even after normalisation
    example = lambda r: (r["task"], r["lang"], r["source_dataset"], r["source_config"], r["source_row"], r["mt_engine"])  # noqa: E731
    assert not {example(r) for r in rows["train"]} & {example(r) for r in rows["validation"]}
    # the same seed gives the same bytes
    again = balance(BalanceOptions(out=tmp_path / "D", corpora=[str(a), str(b)], per_task_lang=24, data_dir=MIRROR, command=["t"]),
                    Registry.load())  # fmt: skip
    assert again.fingerprint == m.fingerprint
    card = (tmp_path / "C" / "README.md").read_text()
    assert "coverage.png" in card and (tmp_path / "C" / "coverage.png").exists()


def test_balance_dedups_identical_inputs_and_filters_tasks_and_langs(built, reg, tmp_path):
    a, _, _ma, _ = built
    m = balance(BalanceOptions(out=tmp_path / "C", corpora=[str(a), str(a)], per_task_lang=20, tasks="topic,mcqa", langs="en,de",
                               data_dir=MIRROR, command=["t"]), reg)  # fmt: skip
    assert set(m.groups) == {"topic/en", "topic/de", "mcqa/en", "mcqa/de"}
    assert all(g.total == 20 for g in m.groups.values())
    assert sum(x.used for x in m.lineage) == 80 and m.skipped["duplicate statement"] > 0  # each statement once, from either copy
    texts = [r["statement"] for s in _rows(tmp_path / "C").values() for r in s]
    assert len(texts) == len(set(texts)) == 80
    with pytest.raises(Exception, match="no input corpus has task"):
        balance(BalanceOptions(out=tmp_path / "E", corpora=[str(a)], tasks="nosuch", command=["t"]), reg)


def test_temperature_quotas():
    avail = {"en": 10_000, "de": 1000, "sw": 40}
    assert quotas(avail, 100, None) == {"en": 100, "de": 100, "sw": 100}  # exact per cell (short cells report it)
    t1 = quotas(avail, 1000, 1.0)
    assert sum(t1.values()) == 3000 and all(v % 2 == 0 for v in t1.values())
    assert t1["sw"] <= 40 and t1["en"] > t1["de"] > t1["sw"]  # proportional to what there is, capped
    t5 = quotas(avail, 1000, 5.0)
    assert t5["en"] < t1["en"] and t5["de"] > t1["de"]  # a higher temperature flattens the mix
    assert sum(quotas({"en": 50, "de": 30}, 100, 1.0).values()) == 80  # never more than available


def _foreign_corpus(path: Path, statements: list[tuple[str, int]]) -> Path:
    """A corpus from another tool: parquet shards with only statement, label, task and lang."""
    (path / "data").mkdir(parents=True)
    t = pa.table({"statement": [s for s, _ in statements], "label": [lab for _, lab in statements],
                  "task": ["nli"] * len(statements), "lang": ["en"] * len(statements)})  # fmt: skip
    pq.write_table(t, path / "data" / "train-00000-of-00001.parquet")
    return path


def test_overlap_with_eval_rows_is_reported_and_fatal_with_strict(reg, tmp_path, monkeypatch, capsys):
    xnli = datasets.load_dataset(str(MIRROR / "facebook" / "xnli"), "en", split="validation")
    premise = next(p for p in xnli["premise"] if len(p) > 30)
    shouted = premise.upper().replace(" ", "  ") + "!!"  # the same text, differently cased and spaced
    statements = [(f'"{premise}" entails that it is so.', 1), (f'"{premise}" contradicts it.', 0),
                  (f"Everyone says {shouted}", 1), ("A sentence that no evaluation set has in it at all.", 0)]  # fmt: skip
    src = _foreign_corpus(tmp_path / "F", statements)
    m = balance(BalanceOptions(out=tmp_path / "C", corpora=[str(src)], per_task_lang=4, langs="en", data_dir=MIRROR, command=["t"]), reg)
    assert m.groups["nli/en"].total == 4  # single statements without group ids are paired true with false
    o = m.eval_overlap["xnli"]
    assert "en" in o.langs_checked and o.exact == 2 and o.normalized == 3
    assert o.examples and premise[:50] in o.examples[0]["eval_text"]
    assert m.eval_overlap["xcopa"].normalized == 0
    assert m.lineage[0].fingerprint is None and m.lineage[0].manifest_file is None  # no manifest to record
    code, _, err = run_cli(["balance", str(src), "--out", str(tmp_path / "S"), "--per-task-lang", "4", "--langs", "en",
                            "--data-dir", str(MIRROR), "--strict"], monkeypatch, capsys)  # fmt: skip
    assert code == 1 and "--strict: evaluation task xnli" in err and not (tmp_path / "S").exists()
