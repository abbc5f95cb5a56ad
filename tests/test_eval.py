"""`stdata eval` on the real evaluation rows in ../shared/hub: exact accuracies from scorers whose
answers are known, per-variant statistics, baselines, gaps, reports, compare, and tiny real models.

The tasks are declared here (not read from templates/) so the expected numbers do not move when
the registry's wording changes; their sources are the real XCOPA, XNLI and XWinograd mirrors.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from clirun import run_cli
from conftest import SHARED_HUB

from stdata.batching import Batching
from stdata.errors import StdataError, UsageError
from stdata.evaluate import EvalOptions
from stdata.evaluate import evaluate as _evaluate
from stdata.evaluate import run as _run
from stdata.registry import Registry
from stdata.report import compare
from stdata.results import load_results as _load_results

pytestmark = pytest.mark.skipif(not SHARED_HUB.is_dir(), reason="../shared/hub is not present")

TASKS = {
    "xcopa": (
        """\
name: xcopa
description: Choose the cause or effect of a premise (XCOPA).
kind: multiple_choice
role: eval
fields: [premise, question]
num_choices: 2
negatives: other_choices
sources:
  - dataset: cambridgeltl/xcopa
    configs: {et: et, qu: qu, zh: zh}
    split: validation
    columns: {premise: premise, question: question, choices: [choice1, choice2], label: label}
    license: CC BY 4.0
    verified: mirror
examples:
  - {premise: "The glass fell off the table.", question: effect, choices: ["It shattered.", "It was washed."], label: 0}
""",
        {
            "en": """\
variants:
  - id: what-was
    provenance: human
    statement: '{{ premise }} What was the {{ question }}? {{ choice }}'
  - id: because
    provenance: human
    statement: "{% if question == 'cause' %}{{ premise }} This happened because {{ choice }}{% else %}{{ premise }} As a result, {{ choice }}{% endif %}"
""",
            "et": """\
variants:
  - id: what-was
    provenance: team-draft
    statement: '{{ premise }} Mis oli {{ question }}? {{ choice }}'
""",
        },
    ),
    "xnli": (
        """\
name: xnli
description: Natural language inference (XNLI).
kind: classification
role: eval
fields: [premise, hypothesis]
labels: [entailment, neutral, contradiction]
negatives: wrong_label
sources:
  - dataset: facebook/xnli
    configs: {en: en, de: de}
    split: validation
    columns: {premise: premise, hypothesis: hypothesis, label: label}
    license: CC BY-NC 4.0
    verified: mirror
examples:
  - {premise: "A man sleeps.", hypothesis: "A person rests.", label: entailment}
""",
        {
            "en": """\
variants:
  - id: implies
    provenance: human
    statements:
      entailment: '"{{ premise }}" implies "{{ hypothesis }}".'
      neutral: '"{{ premise }}" neither implies nor contradicts "{{ hypothesis }}".'
      contradiction: '"{{ premise }}" contradicts "{{ hypothesis }}".'
  - id: relation
    provenance: human
    statement: 'The relation between "{{ premise }}" and "{{ hypothesis }}" is {{ label }}.'
""",
        },
    ),
    "xwinograd": (
        """\
name: xwinograd
description: Resolve the pronoun (XWinograd).
kind: multiple_choice
role: eval
fields: [sentence]
num_choices: 2
negatives: other_choices
sources:
  - dataset: Muennighoff/xwinograd
    configs: {en: en, ja: jp, zh: zh}
    split: test
    columns: {sentence: sentence, choices: [option1, option2], label: answer}
    label_map: {"1": 0, "2": 1}
    license: CC BY 4.0
    verified: mirror
examples:
  - {sentence: "The trophy did not fit in the case because _ was too big.", choices: [the trophy, the case], label: 0}
""",
        {
            "en": """\
variants:
  - id: fill
    provenance: human
    statement: "{{ sentence | replace('_', choice) }}"
""",
        },
    ),
    "xstorycloze": (  # not mirrored: every language is missing data
        """\
name: xstorycloze
description: Choose the ending of a story (XStoryCloze).
kind: multiple_choice
role: eval
fields: [story]
num_choices: 2
negatives: other_choices
sources:
  - dataset: juletxara/xstory_cloze
    configs: {en: en, sw: sw}
    split: eval
    columns: {story: [input_sentence_1, input_sentence_2], choices: [sentence_quiz1, sentence_quiz2], label: answer_right_ending}
    label_map: {"1": 0, "2": 1}
    license: CC BY-SA 4.0
    verified: card
examples:
  - {story: "Tom was hungry. He opened the fridge.", choices: [He ate., He flew.], label: 0}
""",
        {"en": "variants:\n  - id: then\n    provenance: human\n    statement: '{{ story }} {{ choice }}'\n"},
    ),
    "bitext": (  # a pair task: one statement per example, a binary decision
        """\
name: bitext
description: Is one sentence a translation of the other (a binary single-statement task).
kind: pair
role: eval
fields: [text, english]
partner_field: english
negatives: mismatched_partner
sources:
  - dataset: mteb/tatoeba-bitext-mining
    configs: {de: deu-eng}
    split: test
    columns: {text: sentence1, english: sentence2}
    license: CC BY 2.0 FR
    verified: mirror
examples:
  - {text: "Hallo", english: "Hello"}
  - {text: "Danke", english: "Thanks"}
""",
        {"en": 'variants:\n  - id: translation\n    provenance: human\n    statement: \'"{{ english }}" translates "{{ text }}".\'\n'},
    ),
}


def evaluate(*args, **kw) -> dict:
    """The results as results.json holds them (what users and reports read)."""
    return _evaluate(*args, **kw).to_dict()


def run(*args, **kw) -> dict:
    return _run(*args, **kw).to_dict()


def load_results(path) -> dict:
    return _load_results(path).to_dict()


@pytest.fixture(scope="module")
def reg_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("evalreg")
    for name, (task, files) in TASKS.items():
        (root / name).mkdir()
        (root / name / "task.yaml").write_text(task)
        for lang, text in files.items():
            (root / name / f"{lang}.yaml").write_text(text)
    return root


@pytest.fixture(scope="module")
def reg(reg_root) -> Registry:
    return Registry.load(reg_root).require_clean()


def _raw(dataset: str, config: str, split: str) -> list[dict]:
    """Rows read straight from the mirror's parquet, independently of stdata.sources."""
    return pq.read_table(SHARED_HUB / dataset / config / f"{split}-00000-of-00001.parquet").to_pylist()


class Constant:
    """Every statement equally true: the argmax is always the first candidate."""

    def __init__(self, p: float = 0.5):
        self.p, self.calls = p, 0

    def score(self, statements, batch_size=32):
        self.calls += 1
        return np.full(len(statements), self.p)


class Lookup:
    """P(True) = 1 for the given statements, 0 for every other."""

    def __init__(self, true_statements):
        self.true = set(true_statements)

    def score(self, statements, batch_size=32):
        return np.array([1.0 if s in self.true else 0.0 for s in statements])


class Refuse:
    def score(self, statements, batch_size=32):
        raise AssertionError("the model must not be called")


def _opts(tmp_path=None, **kw) -> EvalOptions:
    return EvalOptions(model=None, out=tmp_path, data_dir=SHARED_HUB, command=["test"], **kw)


def _group(results: dict, task: str, lang: str) -> dict:
    return next(g for g in results["groups"] if g["task"] == task and g["lang"] == lang)


# -- exact accuracy --------------------------------------------------------------------------------


def test_always_first_candidate_scores_the_share_of_gold_zero(reg):
    res = evaluate(_opts(tasks="xcopa,xnli,xwinograd", langs="et,de,en", template_lang="en"), reg, Constant())
    xcopa, xnli, xwino = _group(res, "xcopa", "et"), _group(res, "xnli", "de"), _group(res, "xwinograd", "en")
    # hand-checked on the parquet files: XCOPA et has 55 of 100 label 0; XNLI de 830 of 2490 entailment;
    # XWinograd en 177 of 348 answer "1"
    assert [v["correct"] for v in xcopa["variants"]] == [55, 55] and xcopa["mean"] == 0.55 and xcopa["std"] == 0
    assert [v["correct"] for v in xnli["variants"]] == [830, 830] and xnli["examples"] == 2490
    assert xwino["variants"][0]["correct"] == 177 and xwino["mean"] == pytest.approx(177 / 348)
    rows = _raw("cambridgeltl/xcopa", "et", "validation")
    assert xcopa["examples"] == len(rows) and xcopa["mean"] == Counter(r["label"] for r in rows)[0] / len(rows)
    # baselines beside the model
    assert xcopa["baselines"] == {"random": 0.5, "majority": 0.55}
    assert xnli["baselines"] == {"random": pytest.approx(1 / 3), "majority": pytest.approx(1 / 3)}
    assert xwino["baselines"]["majority"] == pytest.approx(177 / 348)
    assert xcopa["gold_counts"] == {"0": 55, "1": 45}


def test_oracle_for_one_variant_gives_exact_per_variant_statistics(reg):
    rows = _raw("cambridgeltl/xcopa", "et", "validation")
    # the gold statements of variant `what-was` (English templates), written out by hand
    gold = [f"{r['premise'].strip()} What was the {r['question'].strip()}? {r['choice' + str(r['label'] + 1)].strip()}" for r in rows]
    res = evaluate(_opts(tasks="xcopa", langs="et", template_lang="en"), reg, Lookup(gold))
    g = _group(res, "xcopa", "et")
    acc = {v["id"]: v["accuracy"] for v in g["variants"]}
    assert acc == {"what-was": 1.0, "because": 0.55}  # `because` statements all score 0: first choice wins
    assert g["mean"] == pytest.approx(0.775) and g["std"] == pytest.approx(0.225)  # population std over variants
    # the wrong choice everywhere: 0 for that variant
    wrong = [f"{r['premise'].strip()} What was the {r['question'].strip()}? {r['choice' + str(2 - r['label'])].strip()}" for r in rows]
    res = evaluate(_opts(tasks="xcopa", langs="et", template_lang="en", variants="what-was"), reg, Lookup(wrong))
    assert [v["accuracy"] for v in _group(res, "xcopa", "et")["variants"]] == [0.0]


def test_classification_oracle_and_the_label_slot_variant(reg):
    rows = _raw("facebook/xnli", "de", "validation")[:50]
    names = ["entailment", "neutral", "contradiction"]
    gold = [f'The relation between "{r["premise"].strip()}" and "{r["hypothesis"].strip()}" is {names[r["label"]]}.' for r in rows]
    res = evaluate(_opts(tasks="xnli", langs="de", limit=50), reg, Lookup(gold))
    g = _group(res, "xnli", "de")
    assert g["template_lang"] == "en"  # no German variants: English fallback, recorded
    assert {v["id"]: v["accuracy"] for v in g["variants"]} == {"implies": Counter(r["label"] for r in rows)[0] / 50, "relation": 1.0}


def test_binary_single_statement_task(reg):
    res = evaluate(_opts(tasks="bitext", langs="de", limit=40), reg, Constant(0.5))
    g = _group(res, "bitext", "de")
    assert g["binary"] and g["candidates"] == 1 and g["examples"] == 80  # each row: its own pair and a mismatched one
    assert g["mean"] == 0.5 and g["baselines"] == {"random": 0.5, "majority": 0.5}  # P = 0.5 is not > 0.5: all False
    rows = _raw("mteb/tatoeba-bitext-mining", "deu-eng", "test")[:40]
    own = [f'"{r["sentence2"].strip()}" translates "{r["sentence1"].strip()}".' for r in rows]
    assert _group(evaluate(_opts(tasks="bitext", langs="de", limit=40), reg, Lookup(own)), "bitext", "de")["mean"] == 1.0


def test_seed_draws_the_pair_partners(reg):
    seen = []

    class Spy(Constant):
        def score(self, statements, batch_size=32):
            seen.append(sorted(statements))
            return super().score(statements, batch_size)

    for seed in (1, 1, 2):
        res = evaluate(_opts(tasks="bitext", langs="de", limit=40, seed=seed), reg, Spy())
        assert res["options"]["seed"] == seed
    assert seen[0] == seen[1] and seen[0] != seen[2]  # the mismatched partners come from --seed


def test_statements_are_scored_once_in_one_call_per_group(reg):
    calls = []

    class Spy(Constant):
        def score(self, statements, batch_size=32):
            calls.append((list(statements), batch_size))
            return super().score(statements, batch_size)

    res = evaluate(_opts(tasks="xnli", langs="en", limit=100, batch_size=7), reg, Spy())
    ((stmts, bs),) = calls
    assert bs == 7 and len(stmts) == len(set(stmts))
    g = _group(res, "xnli", "en")
    assert g["speed"]["statements"] == 100 * 3 * 2 and g["speed"]["scored"] == len(stmts) <= 600


# -- gaps, strictness, bad input -------------------------------------------------------------------


def test_missing_languages_and_tasks_are_reported_and_the_rest_continues(reg):
    res = evaluate(_opts(tasks="xcopa,xstorycloze", langs="et,en", limit=10), reg, Constant())
    assert [(g["task"], g["lang"]) for g in res["groups"]] == [("xcopa", "et")]
    missing = {(m["task"], m["lang"]): m["reason"] for m in res["missing"]}
    assert missing == {("xcopa", "en"): "no-source", ("xstorycloze", "en"): "missing-data", ("xstorycloze", "et"): "no-source"}
    # default languages: every language the task has a source for (here: the mirror lacks xstorycloze entirely)
    res = evaluate(_opts(tasks="xwinograd,xstorycloze", limit=3), reg, Constant())
    assert sorted(g["lang"] for g in res["groups"]) == ["en", "ja", "zh"]
    assert {m["lang"] for m in res["missing"] if m["task"] == "xstorycloze"} == {"en", "sw"}


def test_strict_fails_before_the_model_is_used(reg):
    with pytest.raises(StdataError, match="--strict: 1 missing piece"):
        evaluate(_opts(tasks="xcopa", langs="et,en", strict=True), reg, Refuse())
    with pytest.raises(StdataError, match="nothing to evaluate"):
        evaluate(_opts(tasks="xstorycloze"), reg, Refuse())


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"tasks": "xcopaa"}, "unknown task 'xcopaa'; did you mean xcopa"),
        ({"tasks": "xcopa", "langs": "xx-nope"}, "unknown language code"),
        ({"tasks": "xcopa", "variants": "nope"}, "no selected task has variant"),
        ({"tasks": "xcopa", "template_lang": "fr"}, "--template-lang must be native or en"),
        ({"tasks": "xcopa", "batch_size": 0}, "--batch-size"),
    ],
)
def test_bad_options_are_one_line_usage_errors(reg, kw, match):
    with pytest.raises(UsageError, match=match):
        evaluate(_opts(**kw), reg, Refuse())


def test_native_variants_missing_an_id_are_reported(reg):
    res = evaluate(_opts(tasks="xcopa", langs="et", variants="because,what-was", limit=5), reg, Constant())
    g = _group(res, "xcopa", "et")
    assert g["template_lang"] == "et" and [v["id"] for v in g["variants"]] == ["what-was"]
    assert res["missing"] == [{"task": "xcopa", "lang": "et", "reason": "no-variant", "message": "et templates lack variant(s) because"}]


# -- batching --------------------------------------------------------------------------------------


class FakeGpu:
    device = "cuda:0"

    def __init__(self, fits: int):
        self.fits, self.sizes = fits, []

    def score(self, statements, batch_size=32):
        self.sizes.append(batch_size)
        if batch_size > self.fits:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return np.full(len(statements), 0.5)


def test_batch_size_auto_probes_the_gpu_and_halves_on_oom(monkeypatch):
    import stdata.batching as batching

    monkeypatch.setattr(batching, "empty_cache", lambda: None)
    monkeypatch.setattr(batching, "reset_peak", lambda: None)
    stmts = [f"statement number {i} " * (i % 7 + 1) for i in range(5000)]
    fake = FakeGpu(fits=200)
    b = Batching("auto", fake)
    b.score(stmts)
    assert b.size == 128 and fake.sizes[:4] == [32, 64, 128, 256]
    fake.fits = 100  # longer inputs later: halve and retry, never fail
    b.score(stmts)
    assert b.size == 64
    assert Batching("auto", Constant()).score(["a"]).shape == (1,) and Batching("auto", Constant()).size is None  # CPU
    fixed = Batching(16, FakeGpu(fits=8))
    with pytest.raises(RuntimeError, match="out of memory"):  # a fixed size is the user's choice: no silent change
        fixed.score(stmts)


# -- reports and compare ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_runs(reg, tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    rows = _raw("cambridgeltl/xcopa", "et", "validation")[:30]
    gold = [f"{r['premise'].strip()} What was the {r['question'].strip()}? {r['choice' + str(r['label'] + 1)].strip()}" for r in rows]
    kw = dict(tasks="xcopa,xwinograd,xstorycloze", langs="et,ja,en", limit=30)
    en = run(_opts(base / "en", template_lang="en", **kw), reg, Lookup(gold))
    native = run(_opts(base / "native", template_lang="native", **kw), reg, Constant())
    return base, en, native


def test_report_files_exist_and_agree_with_results_json(two_runs):
    base, en, _ = two_runs
    out = base / "en"
    for f in ["results.json", "results.md", "accuracy.csv", "variants.csv", "heatmap.png", "bar_xcopa.png", "bar_xwinograd.png"]:
        assert (out / f).is_file() and (out / f).stat().st_size > 100, f
        if f.endswith(".png"):
            assert (out / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = load_results(out)
    assert saved == json.loads(json.dumps(en))
    table = {r["lang"]: r for r in csv.DictReader((out / "accuracy.csv").open())}
    assert list(table) == ["en", "et", "ja", "avg", "random", "majority"]  # English first, then alphabetical
    for g in saved["groups"]:
        assert table[g["lang"]][g["task"]] == f"{100 * g['mean']:.2f}"
    assert table["et"]["xwinograd"] == "" and table["en"]["xcopa"] == ""  # no data: blank, not zero
    for t, s in saved["summary"]["tasks"].items():
        assert table["avg"][t] == f"{100 * s['mean']:.2f}"
        assert table["majority"][t] == f"{100 * s['majority']:.2f}"
    xcopa_et = _group(saved, "xcopa", "et")
    assert xcopa_et["mean"] == pytest.approx((1.0 + xcopa_et["variants"][1]["accuracy"]) / 2)
    variants = list(csv.DictReader((out / "variants.csv").open()))
    assert len(variants) == sum(len(g["variants"]) for g in saved["groups"])
    md = (out / "results.md").read_text()
    assert f"{100 * xcopa_et['mean']:.2f} ± {100 * xcopa_et['std']:.2f}" in md
    assert "xstorycloze" in md and "missing-data" in md  # what was not evaluated is in the report
    for g in saved["groups"]:  # every cell names its data: dataset, config, split, rows, where it was read
        src = g["source"]
        assert src["data_path"] == str(SHARED_HUB / src["dataset"]) and src["available"] >= src["rows"] == g["examples"]
        assert f"| {g['task']} | {g['lang']} | {src['dataset']} | {src['config']} | {src['split']} | {src['rows']} of " in md
    assert saved["options"]["data"] == str(SHARED_HUB) and saved["options"]["seed"] == 42
    assert saved["model"]["hash"] is None and saved["templates_hash"].startswith("sha256:")
    sp = saved["speed"]
    assert sp["examples"] == sum(g["examples"] * len(g["variants"]) for g in saved["groups"]) and sp["statements_per_s"] > 0
    assert sp["memory"]["peak_mib"] > 0


def test_compare_puts_runs_side_by_side(two_runs, tmp_path):
    base, en, native = two_runs
    cmp = compare([base / "en", base / "native"])
    assert [r["name"] for r in cmp["runs"]] == ["en", "native"]
    row = next(r for r in cmp["rows"] if (r["task"], r["lang"]) == ("xcopa", "et"))
    a, b = _group(en, "xcopa", "et")["mean"], _group(native, "xcopa", "et")["mean"]
    assert row["values"] == [a, b] and row["delta"] == [pytest.approx(b - a)]
    assert any("template_lang differs" in n for n in cmp["notes"])
    with pytest.raises(UsageError, match="at least two"):
        compare([base / "en"])
    with pytest.raises(UsageError, match="no results.json"):
        compare([base / "en", tmp_path])


def test_results_are_deterministic_apart_from_timings(reg):
    def strip(r):
        return {k: v for k, v in r.items() if k not in ("speed", "efficiency")} | {
            "groups": [{k: v for k, v in g.items() if k != "speed"} for g in r["groups"]]
        }

    a = evaluate(_opts(tasks="xnli", langs="en", limit=40), reg, Constant())
    b = evaluate(_opts(tasks="xnli", langs="en", limit=40), reg, Constant())
    assert strip(a) == strip(b)


# -- the command line and tiny real models ---------------------------------------------------------


def _cli(args: list[str], monkeypatch, capsys, reg_root: Path) -> tuple[int, str, str]:
    monkeypatch.setenv("STDATA_TEMPLATES", str(reg_root))
    return run_cli(args, monkeypatch, capsys)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from tiny_models import make_tiny_model

    texts = [r["premise"] for r in _raw("cambridgeltl/xcopa", "et", "validation")] + [
        r["sentence"] for r in _raw("Muennighoff/xwinograd", "en", "test")[:50]]  # fmt: skip
    path = make_tiny_model(tmp_path_factory.mktemp("tiny") / "bert", "bert", texts=texts, vocab_size=400)
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(path)
    with torch.no_grad():  # a random head is nearly flat (P(True) ~ 0.5 +- 1e-6): sharpen it, so
        model.classifier.weight.mul_(300)  # float noise between paddings (< 1e-7) cannot flip an argmax
    model.save_pretrained(path)
    return path


def test_tiny_model_end_to_end_matches_per_example_scoring(reg, tiny, tmp_path, monkeypatch, capsys):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    code, out, err = _cli(["eval", "--model", str(tiny), "--tasks", "xcopa,xwinograd,xstorycloze", "--data-dir", str(SHARED_HUB),
                           "--out", str(tmp_path / "E"), "--limit", "20", "--batch-size", "5"], monkeypatch, capsys, reg.root)  # fmt: skip
    assert code == 0, err
    assert "not evaluated: xstorycloze (missing-data) for en sw:" in err and "examples/s" in out
    res = load_results(tmp_path / "E")
    assert res["model"]["hash"].startswith("sha256:") and res["model"]["true_index"] == 1 and res["model"]["dtype"] == "float32"
    assert {(g["task"], g["lang"]) for g in res["groups"]} == {("xcopa", lang) for lang in ("et", "qu", "zh")} | {
        ("xwinograd", lang) for lang in ("en", "ja", "zh")
    }
    # the reference: one forward per example over its candidates, padded to the longest of them
    model = AutoModelForSequenceClassification.from_pretrained(tiny).eval()
    tok = AutoTokenizer.from_pretrained(tiny)
    rows = _raw("cambridgeltl/xcopa", "et", "validation")[:20]
    sure, ties = 0, 0
    for r in rows:
        cands = [f"{r['premise'].strip()} Mis oli {r['question'].strip()}? {r[c].strip()}" for c in ("choice1", "choice2")]
        with torch.inference_mode():
            p = model(**tok(cands, padding=True, return_tensors="pt")).logits.softmax(-1)[:, 1]
        if abs(float(p[0] - p[1])) < 1e-6:  # within float noise of a tie: either answer is right
            ties += 1
        else:
            sure += int(p.argmax()) == r["label"]
    assert ties <= 3
    assert sure <= _group(res, "xcopa", "et")["variants"][0]["correct"] <= sure + ties


def test_models_without_two_labels_or_a_true_index_are_clear_errors(reg, tiny, tmp_path, monkeypatch, capsys):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    three = tmp_path / "three"
    AutoModelForSequenceClassification.from_pretrained(tiny, num_labels=3, ignore_mismatched_sizes=True).save_pretrained(three)
    AutoTokenizer.from_pretrained(tiny).save_pretrained(three)
    args = ["eval", "--tasks", "xcopa", "--langs", "et", "--data-dir", str(SHARED_HUB), "--out", str(tmp_path / "E")]
    code, _, err = _cli([*args, "--model", str(three), "--true-index", "1"], monkeypatch, capsys, reg.root)
    assert code == 1 and "3 labels" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, _, err = _cli([*args, "--model", str(three)], monkeypatch, capsys, reg.root)
    assert code == 1 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    anon = tmp_path / "anon"
    model = AutoModelForSequenceClassification.from_pretrained(tiny)
    model.config.id2label, model.config.label2id = {0: "LABEL_0", 1: "LABEL_1"}, {"LABEL_0": 0, "LABEL_1": 1}
    model.save_pretrained(anon)
    AutoTokenizer.from_pretrained(tiny).save_pretrained(anon)
    code, _, err = _cli([*args, "--model", str(anon)], monkeypatch, capsys, reg.root)
    assert code == 1 and "cannot tell which label means True" in err and len(err.strip().splitlines()) == 1
    code, _, err = _cli([*args, "--model", str(anon), "--true-index", "0"], monkeypatch, capsys, reg.root)
    assert code == 0, err
    assert load_results(tmp_path / "E")["model"]["true_index"] == 0
    code, _, err = _cli([*args, "--model", str(tmp_path / "nope")], monkeypatch, capsys, reg.root)
    assert code == 1 and "does not exist" in err


def test_cli_usage_errors_and_compare(two_runs, tmp_path, monkeypatch, capsys, reg_root):
    code, _, err = _cli(["eval", "--model", "m"], monkeypatch, capsys, reg_root)
    assert code == 2 and "needs --model and --out" in err
    code, _, err = _cli(["eval", "--model", "m", "--out", str(tmp_path), "--batch-size", "lots"], monkeypatch, capsys, reg_root)
    assert code == 2 and "--batch-size" in err
    code, _, err = _cli(["eval", "--model", "m", "--out", str(tmp_path), "--tasks", "xcopa", "--langs", "en", "--strict",
                         "--data-dir", str(SHARED_HUB)], monkeypatch, capsys, reg_root)  # fmt: skip
    assert code == 1 and "--strict" in err and len(err.strip().splitlines()) == 1
    base, _, _ = two_runs
    code, out, err = _cli(
        ["eval", "compare", str(base / "en"), str(base / "native"), "--out", str(tmp_path / "C")], monkeypatch, capsys, reg_root
    )
    assert code == 0, err
    assert "xcopa" in out and (tmp_path / "C" / "compare.png").is_file()
    saved = list(csv.DictReader((tmp_path / "C" / "compare.csv").open()))
    assert saved[0].keys() >= {"task", "lang", "en", "native", "Δ native"}


def test_the_registry_evaluation_tasks_run_in_every_mirrored_language():
    """The shipped xcopa/xnli/xwinograd entries, every language the mirror has (2 rows each)."""
    reg = Registry.load().require_clean()
    res = evaluate(_opts(tasks="xcopa,xnli,xwinograd", limit=2), reg, Constant())
    langs = {t: sorted(g["lang"] for g in res["groups"] if g["task"] == t) for t in ("xcopa", "xnli", "xwinograd")}
    assert len(langs["xcopa"]) == 11 and len(langs["xnli"]) == 15 and langs["xwinograd"] == ["en", "fr", "ja", "pt", "ru", "zh"]
    assert not [m for m in res["missing"] if m["reason"] != "skipped-rows"]
    for g in res["groups"]:
        assert g["candidates"] == (3 if g["task"] == "xnli" else 2) and g["variants"]
