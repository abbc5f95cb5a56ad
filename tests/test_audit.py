"""The shortcut audit: a planted shortcut is flagged, a clean corpus is not; `stdata audit`; build runs it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from clirun import run_cli

from stdata.audit import MIN_PAIRS, audit_corpus, split_pair, tokens
from stdata.build import BuildOptions, build_corpus
from stdata.corpus import Manifest, load_corpus, read_manifest, table_from_rows, write_corpus
from stdata.errors import StdataError
from stdata.registry import Registry

WORDS = [f"w{n:03d}" for n in range(400)]  # all of one length: only what a test plants differs


def _statement(question: str, answer: str, passage: list[str]) -> str:
    return f'The answer to "{question}" is "{answer}" in this passage: {" ".join(passage)}.'


def _write(path: Path, make_false, n_pairs: int = 300, seed: int = 0) -> Path:
    """A one-cell corpus (task qa, lang en): per source example a passage of random words, its true
    statement (the answer is a word of the passage) and the false one `make_false` makes."""
    rng = random.Random(seed)
    splits: dict[str, list[dict]] = {"train": [], "validation": []}
    for k in range(n_pairs):
        passage = rng.sample(WORDS, 12)
        question, gold = f"q{k}", passage[rng.randrange(12)]
        false = make_false(rng, passage, gold)
        split = "validation" if k % 5 == 0 else "train"
        for label, answer in ((1, gold), (0, false)):
            splits[split].append({
                "statement": _statement(question, answer, passage), "label": label, "task": "qa", "lang": "en",
                "template_id": "t", "template_lang": "en", "candidate": "partner", "source_dataset": "test/qa",
                "source_config": "en", "source_split": "test", "source_row": k, "negative_source_row": -1,
                "group_id": f"qa/en/{k}", "upsampled": False,
            })  # fmt: skip
    write_corpus(path, {s: table_from_rows(r) for s, r in splits.items()}, Manifest(), "# test corpus\n")
    return path


def _another_passage_word(rng, passage, gold):
    return rng.choice([w for w in passage if w != gold])


def _a_word_elsewhere(rng, passage, gold):  # the planted shortcut: false answers are never in the passage
    return rng.choice([w for w in WORDS if w not in passage])


def _two_adjacent_passage_words(rng, passage, gold):  # in the passage too, but twice as long
    k = rng.randrange(11)
    return f"{passage[k]} {passage[k + 1]}"


def test_split_pair_cuts_out_the_differing_words():
    a = 'The answer to "When?" is "Tomas Berg" in this passage: built in 1874.'
    b = 'The answer to "When?" is "Thomas Lind" in this passage: built in 1874.'
    assert split_pair(a, b) == ("Tomas Berg", "Thomas Lind", 'The answer to "When?" is "\n" in this passage: built in 1874.')
    assert split_pair("x 1962 y", "x 1874 y")[:2] == ("1962", "1874")  # widened to the whole number
    assert tokens("Die Katze schläft. 猫が寝る") == {"die", "katze", "schläft", "猫が", "が寝", "寝る"}


def test_a_clean_corpus_is_not_flagged(tmp_path):
    report = audit_corpus(_write(tmp_path / "clean", _another_passage_word))
    (cell,) = report.cells
    assert (cell.task, cell.lang, cell.pairs, cell.bow_pairs) == ("qa", "en", 300, 60)
    assert all(0.4 <= v < 0.7 for v in cell.scores.values()), cell.scores
    assert report.flags == []


@pytest.mark.parametrize(
    "make_false,rules",
    [
        (_a_word_elsewhere, {"containment", "token_overlap", "bow"}),  # bow: the l2-scaled counts give it away too
        (_two_adjacent_passage_words, {"length_ratio", "bow"}),
    ],
)
def test_a_planted_shortcut_is_flagged(tmp_path, make_false, rules):
    report = audit_corpus(_write(tmp_path / "planted", make_false))
    assert {f.rule for f in report.flags} == rules
    assert all(f.value >= 0.7 and f.task == "qa" and f.lang == "en" for f in report.flags)
    assert "qa/en: rule" in report.flags[0].line()


def test_a_rule_that_picks_the_false_statement_is_a_shortcut_too(tmp_path):
    corpus = load_corpus(_write(tmp_path / "planted", _a_word_elsewhere))
    # true and false swapped: now the *true* answer is never in the passage
    flipped = {s: table_from_rows([{**r, "label": 1 - r["label"]} for r in corpus[s].to_list()]) for s in corpus}
    write_corpus(tmp_path / "flipped", flipped, Manifest(), "# flipped\n")
    report = audit_corpus(tmp_path / "flipped")
    assert {"containment", "token_overlap"} <= {f.rule for f in report.flags}  # reported as max(a, 1 - a)
    assert report.cells[0].scores["containment"] == 1.0


def test_few_pairs_are_reported_but_not_flagged(tmp_path):
    report = audit_corpus(_write(tmp_path / "small", _a_word_elsewhere, n_pairs=MIN_PAIRS - 1))
    assert report.cells[0].scores["containment"] == 1.0 and report.flags == []


def test_cli_audit_json_and_strict(tmp_path, monkeypatch, capsys):
    clean, planted = _write(tmp_path / "clean", _another_passage_word), _write(tmp_path / "planted", _a_word_elsewhere)
    code, out, _ = run_cli(["audit", str(planted)], monkeypatch, capsys)
    assert code == 0 and "flagged: qa/en: rule containment picks the true statement of 100.0% of 300 pairs" in " ".join(out.split())
    code, out, _ = run_cli(["audit", str(planted), "--strict", "--json"], monkeypatch, capsys)
    assert code == 1 and {f["rule"] for f in json.loads(out)["flags"]} >= {"containment"}
    code, out, _ = run_cli(["audit", str(clean), "--strict"], monkeypatch, capsys)
    assert code == 0 and "no rule reaches 0.70" in out
    code, _, err = run_cli(["audit", str(tmp_path / "nothing")], monkeypatch, capsys)
    assert code == 1 and err.strip().count("\n") == 0


QA_TASK = """\
name: qa
description: Extractive QA over XQuAD English (audit test).
kind: pair
role: train
fields: [context, question, answer]
partner_field: answer
group_field: context
negatives: {negatives}
sources:
  - dataset: google/xquad
    configs: {{en: xquad.en}}
    split: validation
    columns: {{context: context, question: question, answer: answers.text.0}}
    license: CC BY-SA 4.0
    verified: mirror
examples:
  - {{context: "The lighthouse was built in 1874.", question: "When was it built?", answer: "1874"}}
"""
QA_EN = """\
variants:
  - id: qa-answer-is
    provenance: human
    reviewed: true
    statement: 'The answer to "{{ question }}" is "{{ answer }}", according to this passage: {{ context }}'
"""


def _qa_registry(root: Path, negatives: str) -> Registry:
    (root / "qa").mkdir(parents=True)
    (root / "qa" / "task.yaml").write_text(QA_TASK.format(negatives=negatives))
    (root / "qa" / "en.yaml").write_text(QA_EN)
    return Registry.load(root).require_clean()


def test_build_audits_the_corpus_and_strict_refuses_a_shortcut(shared_hub, tmp_path):
    easy = _qa_registry(tmp_path / "easy", "mismatched_partner")
    opts = dict(langs="en", data_dir=shared_hub, per_task_lang=400, command=["test"])
    with pytest.raises(
        StdataError, match=r"--strict: .*skipped row.*; the shortcut audit flagged \d+ rule\(s\), e\.g\. qa/en: rule containment"
    ):
        build_corpus(BuildOptions(out=tmp_path / "strict", strict=True, **opts), easy)  # type: ignore[arg-type]
    assert not (tmp_path / "strict").exists()
    m = build_corpus(BuildOptions(out=tmp_path / "easy-corpus", **opts), easy)  # type: ignore[arg-type]
    assert m.audit is not None and {(f.rule) for f in m.audit.flags} >= {"containment", "token_overlap"}
    card = (tmp_path / "easy-corpus" / "README.md").read_text()
    assert "## Shortcut audit" in card and "- qa/en: rule containment picks the true statement" in card
    on_disk = read_manifest(tmp_path / "easy-corpus")
    assert on_disk.audit == m.audit and "audit" not in on_disk.content()  # written, but not part of the fingerprint
    assert audit_corpus(tmp_path / "easy-corpus") == m.audit  # `stdata audit` finds what the build found

    hard = _qa_registry(tmp_path / "hard", "same_context_span")
    m = build_corpus(BuildOptions(out=tmp_path / "hard-corpus", **opts), hard)  # type: ignore[arg-type]
    assert m.audit is not None and m.audit.flags == []
    assert m.audit.cells[0].scores["containment"] < 0.6


def test_a_shard_resumed_without_an_audit_is_audited_from_its_rows(shared_hub, tmp_path, monkeypatch):
    import stdata.build as build_mod

    reg = _qa_registry(tmp_path / "reg", "same_context_span")
    opts = dict(langs="en", data_dir=shared_hub, per_task_lang=200, command=["test"])
    fresh = build_corpus(BuildOptions(out=tmp_path / "fresh", **opts), reg)  # type: ignore[arg-type]

    def interrupted(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod, "write_corpus", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_corpus(BuildOptions(out=tmp_path / "c", **opts), reg)  # type: ignore[arg-type]
    monkeypatch.undo()
    (done,) = (tmp_path / ".c.partial").glob("qa__*.json")
    done.write_text(json.dumps({k: v for k, v in json.loads(done.read_text()).items() if k != "audit"}))  # as an older build left it
    resumed = build_corpus(BuildOptions(out=tmp_path / "c", resume=True, **opts), reg)  # type: ignore[arg-type]
    assert resumed.run is not None and resumed.run.resumed_groups == 1
    assert resumed.audit == fresh.audit and resumed.fingerprint == fresh.fingerprint
