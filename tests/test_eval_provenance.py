"""Numbers a paper can cite: `stdata eval --source` on a dataset the registry does not list (English
COPA from a hub-layout folder written here), per-task `--split`, seeded untuned heads, the
`--baseline untuned` run, and the provenance every report carries.

Uses the shipped registry (its xcopa task and English variants) and rows written here in COPA's
real schema (premise, choice1, choice2, question, label), so it needs neither the hub nor
../shared/hub.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from clirun import run_cli

from stdata.errors import StdataError, UsageError
from stdata.evaluate import EvalOptions, evaluate, run
from stdata.registry import Registry
from stdata.results import load_results

REPO = Path(__file__).resolve().parent.parent

#: Written for this test (not taken from COPA): premise, the two alternatives, cause/effect, and the right one.
COPA_ROWS = [
    ("The kettle started to whistle.", "The water was boiling.", "The cups were clean.", "cause", 0),
    ("The street lights went out.", "The moon was full.", "The power failed in the town.", "cause", 1),
    ("She left her umbrella at home.", "She got wet on the way to work.", "She bought a new phone.", "effect", 0),
    ("The boy ate three slices of cake.", "He felt sleepy at noon.", "His stomach began to ache.", "effect", 1),
    ("The ice on the pond cracked.", "A heavy skater stepped onto it.", "The ducks flew south.", "cause", 0),
    ("The printer ran out of paper.", "The report came out blank.", "The office ordered more paper.", "effect", 1),
    ("The dog barked at the door.", "A stranger knocked.", "The cat slept on the sofa.", "cause", 0),
    ("The bread was left out for a week.", "It grew mould.", "It was sliced thinly.", "effect", 0),
    ("The runner won the race.", "She trained every morning.", "She wore a red shirt.", "cause", 0),
    ("The plant wilted.", "It was placed by the window.", "Nobody watered it.", "cause", 1),
]  # fmt: skip
DATASET = "aps/super_glue"  # where English COPA lives on the hub: SuperGLUE's config `copa`


def _write_copa(root: Path) -> Path:
    """`root/aps/super_glue/copa/{validation,test}-00000-of-00001.parquet` (test: the first 6 rows) and the
    README whose front matter lets `datasets` find the config offline, as `stdata sources download` writes it."""
    import datasets

    from stdata.mirror import write_readme

    feats = datasets.Features(
        {"premise": datasets.Value("string"), "choice1": datasets.Value("string"), "choice2": datasets.Value("string"),
         "question": datasets.Value("string"), "idx": datasets.Value("int32"), "label": datasets.ClassLabel(names=["choice1", "choice2"])}
    )  # fmt: skip
    rows = [dict(premise=p, choice1=a, choice2=b, question=q, idx=i, label=y) for i, (p, a, b, q, y) in enumerate(COPA_ROWS)]
    folder = root / DATASET
    (folder / "copa").mkdir(parents=True, exist_ok=True)
    for split, n in (("validation", len(rows)), ("test", 6)):
        ds = datasets.Dataset.from_list(rows[:n], features=feats)
        ds.to_parquet(str(folder / "copa" / f"{split}-00000-of-00001.parquet"))
        entry = {"split": split, "rows": n, "bytes": ds.data.nbytes, "features": ds.info._to_yaml_dict()["features"]}
        write_readme(folder, DATASET, "other", {"copa": entry})
    return folder


class Knows:
    """P(True) = 1 for a statement that contains the right alternative, 0 otherwise (exact accuracy 1)."""

    def __init__(self, wrong: bool = False):
        self.right = [r[1 + (r[4] if not wrong else 1 - r[4])] for r in COPA_ROWS]

    def score(self, statements, batch_size=32):
        return np.array([1.0 if any(c in s for c in self.right) else 0.0 for s in statements])


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hub")
    _write_copa(root)
    return root


@pytest.fixture(scope="module")
def reg() -> Registry:
    return Registry.load(REPO / "templates").require_clean()


def _opts(**kw) -> EvalOptions:
    return EvalOptions(model=None, command=["test"], tasks="xcopa", langs="en", **kw)


# -- --source ---------------------------------------------------------------------------------------


def test_source_evaluates_english_copa_from_a_hub_layout_folder(hub, reg, tmp_path):
    assert "en" not in {lang for s in reg.task("xcopa").spec.sources for lang in s.configs}  # the registry has no English COPA
    by_path = f"xcopa:en={hub / DATASET}:copa:validation"
    res = run(_opts(source=[by_path], out=tmp_path / "r"), reg, Knows())
    (g,) = res.groups
    assert (g.task, g.lang, g.template_lang) == ("xcopa", "en", "en") and g.examples == len(COPA_ROWS)
    assert all(v.accuracy == 1.0 for v in g.variants) and len(g.variants) >= 6  # every English variant, labels read right
    src = g.source
    assert (src.dataset, src.config, src.split, src.rows, src.available) == (str(hub / DATASET), "copa", "validation", 10, 10)
    assert src.data_path == str((hub / DATASET).resolve()) and src.override == by_path and src.revision is None
    assert g.registry == str((REPO / "templates" / "xcopa").resolve()) and res.registry == str((REPO / "templates").resolve())
    assert res.options["source"] == [by_path] and not res.missing
    wrong = evaluate(_opts(source=[by_path]), reg, Knows(wrong=True)).groups[0]
    assert all(v.accuracy == 0.0 for v in wrong.variants)
    # a hub id, read through --data-dir like the registry's sources; the split from --split
    res = evaluate(_opts(source=[f"xcopa:en={DATASET}:copa"], split="validation", data_dir=hub), reg, Knows())
    assert res.groups[0].source.dataset == DATASET and res.groups[0].source.data_path == str((hub / DATASET).resolve())
    md = (tmp_path / "r" / "results.md").read_text()
    assert f"| xcopa | en | {hub / DATASET} | copa | validation | 10 | 0 |" in md and f"`--source {by_path}`" in md


def test_split_per_task(hub, reg):
    source = [f"xcopa:en={hub / DATASET}:copa"]
    for split in ("xcopa=test", "test", "xcopa=test,validation"):
        g = evaluate(_opts(source=source, split=split), reg, Knows()).groups[0]
        assert (g.source.split, g.examples) == ("test", 6), split
    g = evaluate(_opts(source=[f"xcopa:en={hub / DATASET}:copa:validation"], split="xcopa=test"), reg, Knows()).groups[0]
    assert g.source.split == "validation"  # the --source's own split wins
    assert EvalOptions(split="test,xnli=validation,xcopa=test").splits() == ("test", {"xnli": "validation", "xcopa": "test"})


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"split": "xnli=test"}, "--split: task 'xnli' is not evaluated"),
        ({"split": "xcopaa=test"}, "unknown task 'xcopaa'; did you mean xcopa"),
        ({"split": "xcopa=test,xcopa=validation"}, "two splits for task 'xcopa'"),
        ({"split": "=test"}, "expected SPLIT or TASK=SPLIT"),
        ({"source": ["xcopa:en"]}, "expected TASK\\[:LANG\\]=DATASET"),
        ({"source": ["xcopa:en=a:b:c:d"]}, "expected TASK"),
        ({"source": ["xcopa:xx-nope=a/b"]}, "unknown language code"),
        ({"source": ["xcopa:de=a/b"]}, "language de is not among --langs"),
        ({"source": ["xnli=a/b"]}, "task 'xnli' is not evaluated"),
        ({"source": ["xcopa=a/b", "xcopa=c/d"]}, "already has --source"),
        ({"baseline": "tuned"}, "--baseline must be untuned"),
    ],
)
def test_bad_split_source_and_baseline_values_are_one_line_usage_errors(reg, kw, match):
    with pytest.raises(UsageError, match=match):
        evaluate(_opts(**kw), reg, Knows())


def test_a_source_without_the_task_columns_names_the_override(hub, reg, tmp_path):
    import datasets

    folder = tmp_path / "other"
    datasets.Dataset.from_list([{"text": "a", "label": 0}]).to_parquet(str(folder / "validation-00000-of-00001.parquet"))
    spec = f"xcopa:en={folder}"
    with pytest.raises(StdataError, match=f"has no column\\(s\\) \\['premise', 'question', 'choice1', 'choice2'\\].*--source '{spec}'"):
        evaluate(_opts(source=[spec]), reg, Knows())
    spec = f"xcopa:en={tmp_path / 'nowhere'}"
    with pytest.raises(StdataError, match=f"missing-data: --source '{spec}': {tmp_path / 'nowhere'} is not a folder"):
        evaluate(_opts(source=[spec], strict=True), reg, Knows())


# -- tiny real models: seeded untuned heads, the untuned baseline, the command line -----------------


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """`tuned`: a tiny BERT classifier standing in for a `stdata train --method full` output (its
    stdata_model.json names `encoder` as the base); `encoder`: the same encoder with no classifier."""
    sys.path.insert(0, str(Path(__file__).parent))
    import torch
    from tiny_models import make_tiny_model
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    root = tmp_path_factory.mktemp("models")
    texts = [" ".join(r[:3]) for r in COPA_ROWS] + ["This happened because As a result What was the cause"]
    tuned = make_tiny_model(root / "tuned", "bert", texts=texts, vocab_size=200)
    model = AutoModelForSequenceClassification.from_pretrained(tuned)
    with torch.no_grad():  # a sharp head: argmaxes far from float noise
        model.classifier.weight.mul_(300)
    model.save_pretrained(tuned)
    encoder = root / "encoder"
    AutoModel.from_pretrained(tuned).save_pretrained(encoder)  # the encoder and pooler, no classifier
    AutoTokenizer.from_pretrained(tuned).save_pretrained(encoder)
    meta = {"kind": "full", "method": "full", "base_model": str(encoder), "base_model_resolved": str(encoder), "true_index": 1}
    (tuned / "stdata_model.json").write_text(json.dumps(meta))
    return {"tuned": tuned, "encoder": encoder}


def _cli(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setenv("STDATA_TEMPLATES", str(REPO / "templates"))
    monkeypatch.setenv("COLUMNS", "200")
    return run_cli(args, monkeypatch, capsys)


def _strip_speed(d: dict) -> dict:
    d = {k: v for k, v in d.items() if k not in ("speed", "efficiency")}  # timings
    d["groups"] = [{k: v for k, v in g.items() if k != "speed"} for g in d["groups"]]
    return d


def test_untuned_heads_are_seeded_recorded_and_announced(hub, models, tmp_path, monkeypatch, capsys):
    from stdata.model import load_scorer

    enc = models["encoder"]
    statements = [f"{p} As a result: {a}" for p, a, *_ in COPA_ROWS]
    a, b = load_scorer(enc, true_index=1, seed=3), load_scorer(enc, true_index=1, seed=3)
    assert a.untuned_head and a.head_seed == 3
    np.testing.assert_array_equal(a.logits(statements), b.logits(statements))
    assert not np.array_equal(a.logits(statements), load_scorer(enc, true_index=1, seed=4).logits(statements))
    assert not load_scorer(models["tuned"]).untuned_head  # its head is in the checkpoint

    args = ["eval", "--model", str(enc), "--true-index", "1", "--tasks", "xcopa", "--langs", "en",
            "--source", f"xcopa:en={hub / DATASET}:copa:validation", "--seed", "3"]  # fmt: skip
    runs = []
    for name in ("a", "b"):
        code, _, err = _cli([*args, "--out", str(tmp_path / name)], monkeypatch, capsys)
        assert code == 0, err
        assert "untuned (not in the checkpoint): drawn at random with seed 3" in err
        runs.append(load_results(tmp_path / name).to_dict())
    assert _strip_speed(runs[0]) | {"command": ""} == _strip_speed(runs[1]) | {"command": ""}  # same seed: identical results
    assert runs[0]["model"]["untuned_head"] and runs[0]["model"]["head_seed"] == 3 and runs[0]["options"]["seed"] == 3
    assert "**untuned head**: drawn at random with seed 3" in (tmp_path / "a" / "results.md").read_text()


def test_baseline_untuned_scores_the_base_beside_the_tuned_model(hub, models, tmp_path, monkeypatch, capsys):
    src = ["--tasks", "xcopa", "--langs", "en", "--source", f"xcopa:en={hub / DATASET}:copa:validation", "--seed", "5"]
    code, out, err = _cli(["eval", "--model", str(models["tuned"]), *src, "--baseline", "untuned", "--out", str(tmp_path / "t")],
                          monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    res = load_results(tmp_path / "t")
    assert not res.model.untuned_head and res.baseline is not None and res.baseline.kind == "untuned"
    assert res.baseline.model.untuned_head and res.baseline.model.head_seed == 5
    assert [(g.task, g.lang) for g in res.baseline.groups] == [(g.task, g.lang) for g in res.groups]
    # the baseline is the base model with the seeded head: what evaluating the encoder itself with that seed gives
    code, _, err = _cli(["eval", "--model", str(models["encoder"]), "--true-index", "1", *src, "--out", str(tmp_path / "e")],
                        monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    alone = load_results(tmp_path / "e")
    assert [v.correct for v in res.baseline.groups[0].variants] == [v.correct for v in alone.groups[0].variants]
    assert any(cell.strip() == "untuned" for line in out.splitlines() for cell in line.split("│")[1:2])  # a row of the table
    md = (tmp_path / "t" / "results.md").read_text()
    assert "## Baseline: untuned (%)" in md and f"| untuned | {100 * res.baseline.summary.tasks['xcopa'].mean:.2f} |" in md
    # a model that records no base: one line, before anything loads
    code, _, err = _cli(["eval", "--model", str(models["encoder"]), "--true-index", "1", *src, "--baseline", "untuned",
                         "--out", str(tmp_path / "x")], monkeypatch, capsys)  # fmt: skip
    assert code == 1 and "--baseline untuned needs a `stdata train` model" in err and len(err.strip().splitlines()) == 1


def test_truncation_over_one_percent_of_a_cell_is_a_summary_warning(hub, models, tmp_path, monkeypatch, capsys):
    args = ["eval", "--model", str(models["tuned"]), "--tasks", "xcopa", "--langs", "en", "--out", str(tmp_path / "r"),
            "--source", f"xcopa:en={hub / DATASET}:copa:validation"]  # fmt: skip
    code, _, err = _cli(args, monkeypatch, capsys)
    assert code == 0 and "warning: more than 1%" not in err
    code, _, err = _cli([*args, "--max-length", "12"], monkeypatch, capsys)
    g = load_results(tmp_path / "r").groups[0]
    assert code == 0 and g.truncated_statements > 0.01 * g.speed.scored
    (line,) = [x for x in err.splitlines() if "warning: more than 1%" in x]
    assert f"xcopa/en {100 * g.truncated_share:.1f}% ({g.truncated_statements} of {g.speed.scored})" in line
    assert f"| {g.truncated_statements} ({100 * g.truncated_share:.1f}%) |" in (tmp_path / "r" / "results.md").read_text()


def test_cli_split_is_repeatable_and_per_task(hub, models, tmp_path, monkeypatch, capsys):
    args = ["eval", "--model", str(models["tuned"]), "--tasks", "xcopa", "--langs", "en", "--out", str(tmp_path / "r"),
            "--source", f"xcopa:en={hub / DATASET}:copa", "--split", "validation", "--split", "xcopa=test"]  # fmt: skip
    code, _, err = _cli(args, monkeypatch, capsys)
    assert code == 0, err
    res = load_results(tmp_path / "r")
    assert (res.groups[0].source.split, res.groups[0].examples) == ("test", 6) and res.options["split"] == "validation,xcopa=test"
    assert f"note: --source xcopa:en={hub / DATASET}:copa read {hub / DATASET} for xcopa/en (copa/test)" in err
    code, _, err = _cli([*args, "--split", "xnli=test"], monkeypatch, capsys)
    assert code == 2 and "--split: task 'xnli' is not evaluated" in err
