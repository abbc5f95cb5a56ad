"""stdata.model: loading classifiers for scoring and P(True) in input order, on tiny real checkpoints."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch

# Tiny models gain nothing from threads, and on a shared 2-core runner OpenMP threads that wait on a
# busy core make each step up to 100x slower.
torch.set_num_threads(1)

from tiny_models import ARCHS, make_tiny_model

from stdata.errors import StdataError
from stdata.model import StatementScorer, load_scorer, resolve_model

STATEMENTS = [
    "Fire is hot.",
    "The sky is blue and the grass is green and the sun is bright and snow is white.",
    "Ice is not cold.",
    "Two plus two is four.",
    "A rose is a flower and a dog is an animal.",
]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    return {arch: make_tiny_model(root / arch, arch) for arch in ARCHS}


def _relabel(path: Path, id2label: dict) -> Path:
    cfg = json.loads((path / "config.json").read_text())
    cfg["id2label"] = {str(k): v for k, v in id2label.items()}
    cfg["label2id"] = {v: int(k) for k, v in id2label.items()}
    (path / "config.json").write_text(json.dumps(cfg))
    return path


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("arch", ARCHS)
def test_scores_are_probabilities_in_input_order_whatever_the_batching(models, arch):
    scorer = load_scorer(models[arch], device="cpu")
    assert scorer.true_index == 1  # id2label {0: false, 1: true}
    p = scorer.score(STATEMENTS, batch_size=2)
    assert p.shape == (5,) and p.dtype == np.float32 and ((p > 0) & (p < 1)).all()
    one_by_one = np.array([scorer.score([s])[0] for s in STATEMENTS])
    np.testing.assert_allclose(p, one_by_one, atol=1e-5)  # padding to the batch's longest changes nothing
    np.testing.assert_allclose(scorer.score(STATEMENTS[::-1], batch_size=32), p[::-1], atol=1e-5)
    logits = scorer.logits(STATEMENTS)
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(e[:, 1] / e.sum(1), p, atol=1e-6)


def test_batches_are_length_sorted_and_padded_to_their_longest(models):
    scorer = load_scorer(models["bert"], device="cpu")
    shapes = []
    forward = scorer.model.forward

    def spy(*a, **kw):
        shapes.append(tuple(kw["input_ids"].shape))
        return forward(*a, **kw)

    scorer.model.forward = spy
    short, long_ = "Fire is hot.", "The sky is blue and the grass is green and the sun is bright and snow is white."
    scorer.score([long_, short, long_, short], batch_size=2)
    lengths = [len(scorer.tokenizer(s)["input_ids"]) for s in (short, long_)]
    assert shapes == [(2, lengths[0]), (2, lengths[1])]  # short ones together, long ones together


def test_scoring_runs_without_gradients(models):
    scorer = load_scorer(models["bert"], device="cpu")
    seen = []
    forward = scorer.model.forward
    scorer.model.forward = lambda *a, **kw: (seen.append(torch.is_inference_mode_enabled()), forward(*a, **kw))[1]
    scorer.score(STATEMENTS)
    assert seen and all(seen) and not scorer.model.training


def test_true_index_from_labels_argument_or_metadata(models, tmp_path):
    path = _relabel(_copy(models["bert"], tmp_path / "nli"), {0: "entailment", 1: "not_entailment"})
    assert load_scorer(path).true_index == 0
    anon = _relabel(_copy(models["bert"], tmp_path / "anon"), {0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(StdataError, match="cannot tell which label means True"):
        load_scorer(anon)
    p1, p0 = load_scorer(anon, true_index=1).score(STATEMENTS), load_scorer(anon, true_index=0).score(STATEMENTS)
    np.testing.assert_allclose(p0 + p1, 1.0, atol=1e-6)
    (anon / "stdata_model.json").write_text(json.dumps({"true_index": 0, "kind": "full"}))
    assert load_scorer(anon).true_index == 0
    with pytest.raises(StdataError, match="true_index must be 0 or 1"):
        load_scorer(anon, true_index=2)


def test_three_label_classifier_is_refused(tmp_path):
    from transformers import AutoModelForSequenceClassification, BertConfig

    src = make_tiny_model(tmp_path / "b", "bert")
    cfg = BertConfig.from_pretrained(src)
    cfg.num_labels, cfg.id2label, cfg.label2id = 3, {0: "a", 1: "b", 2: "c"}, {"a": 0, "b": 1, "c": 2}
    AutoModelForSequenceClassification.from_config(cfg).save_pretrained(src)
    with pytest.raises(StdataError, match="has 3 labels"):
        load_scorer(src, true_index=0)


def test_long_statements_are_truncated_and_counted(models):
    scorer = load_scorer(models["bert"], device="cpu")
    long_ = " ".join(["fire is hot"] * 20)
    with pytest.warns(UserWarning, match="1 statement"):
        p = scorer.score([long_, "Ice is cold."], max_length=16)
    assert scorer.truncated == 1 and p.shape == (2,)
    scorer.score(["Ice is cold."])
    assert scorer.truncated == 0


def test_edge_inputs(models):
    scorer = load_scorer(models["bert"], device="cpu")
    assert scorer.score([]).shape == (0,)
    with pytest.raises(StdataError, match="must be strings"):
        scorer.score(["ok", 3])
    with pytest.raises(StdataError, match="batch_size"):
        scorer.score(["ok"], batch_size=0)


def test_missing_or_broken_paths_fail_fast(tmp_path):
    for name, message in ((tmp_path / "nothing", "does not exist"), ("../no/such/model", "does not exist"),
                          ("someone/uncached-model", "not in the Hugging Face cache")):  # fmt: skip
        start = time.time()
        with pytest.raises(StdataError, match=message):
            load_scorer(name)
        assert time.time() - start < 5
    (tmp_path / "file.bin").write_text("x")
    with pytest.raises(StdataError, match="is a file"):
        resolve_model(tmp_path / "file.bin")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StdataError, match="holds no config.json"):
        load_scorer(tmp_path / "empty")


def test_in_memory_scorer_equals_loaded_scorer(models):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = models["xlm-roberta"]
    direct = StatementScorer(AutoModelForSequenceClassification.from_pretrained(path), AutoTokenizer.from_pretrained(path), 1)
    np.testing.assert_array_equal(direct.score(STATEMENTS), load_scorer(path, device="cpu").score(STATEMENTS))


@pytest.mark.parametrize("arch", ARCHS)
def test_batches_are_padded_exactly_as_the_tokenizer_pads(models, arch):
    from stdata.model import encode

    scorer = load_scorer(models[arch], device="cpu")
    enc, _ = encode(scorer.tokenizer, STATEMENTS, 64)
    idx = [2, 0, 1]
    ours = scorer._pad(enc, idx)
    keys = [k for k in enc if k in ("input_ids", "attention_mask", "token_type_ids")]
    theirs = scorer.tokenizer.pad([{k: enc[k][i] for k in keys} for i in idx], return_tensors="pt")
    assert set(ours) == set(theirs)
    for k in ours:
        assert torch.equal(ours[k], theirs[k]), k
