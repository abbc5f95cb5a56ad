"""`stdata train` on CPU with tiny random-init encoders: every method, resume, reload, filters, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

# Tiny models gain nothing from threads, and on a shared 2-core runner OpenMP threads that wait on a
# busy core make each step up to 100x slower.
torch.set_num_threads(1)

from tiny_models import make_tiny_model

from stdata.corpus import Manifest, manifest_hash, table_from_rows, write_corpus
from stdata.errors import StdataError, UsageError
from stdata.model import StatementScorer, load_scorer
from stdata.model_files import push_model as push
from stdata.train import TrainOptions, train
from stdata.train_data import load_statements

REPO = Path(__file__).resolve().parent.parent
STDATA = [sys.executable, "-m", "stdata.cli.app"]  # the `stdata` console script's entry point

# (subject, property) facts in English and German; the false statement negates the true one, so the
# truth is learnable by a tiny model (it has to find the negation), and validation uses subjects
# that training never saw.
EN = [("Fire", "hot"), ("Ice", "cold"), ("The sun", "bright"), ("Snow", "white"), ("Coal", "black"), ("Sugar", "sweet"),
      ("Lemons", "sour"), ("Grass", "green"), ("The sky", "blue"), ("Blood", "red"), ("Lead", "heavy"), ("Feathers", "light"),
      ("Glass", "clear"), ("Stone", "hard"), ("Wool", "soft"), ("Night", "dark")]  # fmt: skip
DE = [("Feuer", "heiß"), ("Eis", "kalt"), ("Die Sonne", "hell"), ("Schnee", "weiß"), ("Kohle", "schwarz"), ("Zucker", "süß"),
      ("Gras", "grün"), ("Blut", "rot"), ("Blei", "schwer"), ("Stein", "hart")]  # fmt: skip
SUMS = [(a, b) for a in range(1, 7) for b in range(1, 4)]
VALID_EN = {"Night", "Wool", "Stone", "Glass"}
VALID_DE = {"Stein", "Blei"}


def _row(statement: str, label: int, task: str, lang: str, i: int) -> dict:
    return {"statement": statement, "label": label, "task": task, "lang": lang, "template_id": "t", "template_lang": lang,
            "candidate": "true" if label else "false", "source_dataset": "tests", "source_config": "default",
            "source_split": "train", "source_row": i, "negative_source_row": -1, "group_id": f"{task}/{lang}/{i}",
            "upsampled": False}  # fmt: skip


def fact_rows() -> dict[str, list[dict]]:
    """Balanced true/false statements: facts (en, de) and sums (en), split by subject."""
    splits: dict[str, list[dict]] = {"train": [], "validation": []}
    for lang, facts, is_, not_, held in (("en", EN, "is", "is not", VALID_EN), ("de", DE, "ist", "ist nicht", VALID_DE)):
        for i, (s, p) in enumerate(facts):
            split = "validation" if s in held else "train"
            splits[split].append(_row(f"{s} {is_} {p}.", 1, "facts", lang, i))
            splits[split].append(_row(f"{s} {not_} {p}.", 0, "facts", lang, i))
    for i, (a, b) in enumerate(SUMS):
        split = "validation" if i % 6 == 0 else "train"
        splits[split].append(_row(f"{a} plus {b} is {a + b}.", 1, "sums", "en", i))
        splits[split].append(_row(f"{a} plus {b} is not {a + b}.", 0, "sums", "en", i))
    return splits


def all_statements() -> list[str]:
    return [r["statement"] for rows in fact_rows().values() for r in rows]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "facts"
    splits = {k: table_from_rows(v) for k, v in fact_rows().items()}
    write_corpus(out, splits, Manifest(template_set_hash="sha256:0123456789abcdef"), "# facts\n")
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """arch -> folder of a tiny random-init model whose tokenizer learned the corpus vocabulary."""
    root = tmp_path_factory.mktemp("models")
    cache: dict[str, Path] = {}

    def get(arch: str) -> Path:
        if arch not in cache:
            cache[arch] = make_tiny_model(root / arch, arch, texts=all_statements())
        return cache[arch]

    return get


def opts(corpus: Path, model: Path, out: Path, **kw) -> TrainOptions:
    base = dict(max_steps=6, batch_size=8, eval_steps=3, lr=5e-3, patience=0)
    base.update(kw)
    return TrainOptions(corpus=str(corpus), model=str(model), out=out, **base)


PROBE = ["Fire is hot.", "Fire is not hot.", "Night is dark.", "Night is not dark.", "2 plus 3 is 5.", "Eis ist nicht kalt."]


# ---------------------------------------------------------------- the three methods, three architectures


@pytest.mark.parametrize(
    "arch,method",
    [("bert", "qlora"), ("bert", "lora"), ("bert", "full"), ("xlm-roberta", "qlora"), ("xlm-roberta", "full"),
     ("deberta-v2", "lora"), ("deberta-v2", "qlora")],
)  # fmt: skip
def test_method_trains_saves_and_reloads_identically(corpus, tiny, tmp_path, arch, method):
    res = train(opts(corpus, tiny(arch), tmp_path / "m", method=method))
    out = res.out
    meta = json.loads((out / "stdata_model.json").read_text())
    assert meta["method"] == method and meta["model_type"] == arch and meta["true_index"] == 1
    assert meta["id2label"] == {"0": "false", "1": "true"}
    assert meta["corpus_manifest_hash"] == manifest_hash(corpus) and meta["corpus_manifest_hash"].startswith("sha256:")
    assert meta["template_set_hash"] == "sha256:0123456789abcdef"
    assert meta["training_args"]["max_steps"] == 6 and meta["training_args"]["lr"] == 5e-3
    assert {"accuracy", "f1", "loss", "per_task"} <= set(meta["final_metrics"])
    assert meta["run"]["global_step"] == 6
    assert not (out / "checkpoints").exists()  # removed after a finished run
    if method == "full":
        assert (out / "model.safetensors").exists() and not (out / "adapter_config.json").exists()
    else:
        assert (out / "adapter_model.safetensors").exists() and meta["lora"]["r"] == 8
        assert "classifier" in meta["lora"]["modules_to_save"]
    assert (out / "tokenizer.json").exists()

    before = StatementScorer(res.model, res.tokenizer, 1).score(PROBE)
    scorer = load_scorer(out)
    after = scorer.score(PROBE)
    np.testing.assert_array_equal(before, after)  # bit-identical after save and reload
    assert after.dtype == np.float32 and ((after > 0) & (after < 1)).all()
    np.testing.assert_allclose(scorer.score(PROBE[::-1]), after[::-1], rtol=0, atol=1e-6)  # input order kept
    if method == "qlora":
        import bitsandbytes as bnb

        # the encoder is 4-bit on reload too; the head (classifier, pooler) stays full precision
        assert any(isinstance(m, bnb.nn.Linear4bit) for m in scorer.model.modules())
        assert not any(isinstance(m, bnb.nn.Linear4bit) for n, m in scorer.model.named_modules() if "classifier" in n or "pooler" in n)


def test_full_finetuning_learns_held_out_statements(corpus, tiny, tmp_path):
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="full", max_steps=60, eval_steps=20, lr=3e-3, warmup=0.0))
    assert res.meta.final_metrics["accuracy"] >= 0.9  # validation subjects never appear in training
    p = load_scorer(res.out).score(["Night is dark.", "Night is not dark.", "Wool is soft.", "Wool is not soft."])
    assert p[0] > p[1] and p[2] > p[3]


def test_statements_longer_than_the_model_can_embed_are_cut_to_its_limit(tiny, tmp_path):
    # the tiny XLM-R embeds 128 tokens (130 position rows, two before the first position); the default
    # --max-length 256 used to reach past the table and die with an index error inside the embedding
    rows = {split: [_row(" ".join([f"{s} {'is' if y else 'is not'} {p}."] * 40), y, "facts", "en", i)
                    for i, (s, p) in enumerate(EN) for y in (0, 1)] for split in ("train", "validation")}  # fmt: skip
    long_corpus = tmp_path / "long"
    write_corpus(long_corpus, {k: table_from_rows(v) for k, v in rows.items()}, Manifest(template_set_hash="sha256:0"), "# long\n")
    res = train(opts(long_corpus, tiny("xlm-roberta"), tmp_path / "m", method="lora", max_steps=2, eval_steps=2))
    assert res.meta.max_length == 128 and res.meta.corpus["truncated_statements"] == 64
    assert load_scorer(res.out).max_length == 128


def test_training_pairs_that_read_the_same_once_cut_are_left_out(tiny, tmp_path):
    # the partner after a long passage (XQuAD's context-first variant): at --max-length 16 the true and
    # the false statement of a long row have the same ids, so they would teach one input both labels
    passage = " ".join(["Night is dark."] * 10)
    rows: dict[str, list[dict]] = {"train": [], "validation": []}
    for i, (s, p) in enumerate(EN):
        split = "validation" if s in VALID_EN else "train"
        for y in (0, 1):
            claim = f"{s} {'is' if y else 'is not'} {p}."
            rows[split].append(_row(f"{passage} {claim}" if i % 2 else claim, y, "facts", "en", i))
    long_train = sum(1 for i, (s, _) in enumerate(EN) if i % 2 and s not in VALID_EN) * 2
    assert long_train >= 4
    corpus = tmp_path / "cut"
    write_corpus(corpus, {k: table_from_rows(v) for k, v in rows.items()}, Manifest(template_set_hash="sha256:0"), "# cut\n")
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="full", max_steps=2, eval_steps=2, max_length=16))
    assert res.meta.corpus["contradictory_dropped"] == long_train
    assert res.meta.final_metrics["per_task"]["facts"]["n"] == len(rows["validation"])  # validation keeps its cut statements
    res = train(opts(corpus, tiny("bert"), tmp_path / "m2", method="full", max_steps=2, eval_steps=2, max_length=128))
    assert res.meta.corpus["contradictory_dropped"] == 0


def test_merge_writes_a_standalone_model_that_scores_like_the_adapter(corpus, tiny, tmp_path):
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="lora", merge=True))
    merged = res.out / "merged"
    assert (merged / "model.safetensors").exists() and not (merged / "adapter_config.json").exists()
    assert json.loads((merged / "stdata_model.json").read_text())["kind"] == "merged"
    np.testing.assert_allclose(load_scorer(merged).score(PROBE), load_scorer(res.out).score(PROBE), atol=1e-5)


def test_lora_options_and_gradient_checkpointing(corpus, tiny, tmp_path):
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="lora", lora_r=4, lora_alpha=4, lora_dropout=0.0,
                     lora_targets="query,value", gradient_checkpointing=True, max_steps=2, eval_steps=2))  # fmt: skip
    lora = res.meta.lora
    assert (lora["r"], lora["alpha"], lora["dropout"], lora["target_modules"]) == (4, 4, 0.0, ["query", "value"])
    cfg = json.loads((res.out / "adapter_config.json").read_text())
    assert cfg["r"] == 4 and sorted(cfg["target_modules"]) == ["query", "value"]
    with pytest.raises(StdataError, match="LoRA targets \\['nonexistent'\\] do not fit bert"):
        train(opts(corpus, tiny("bert"), tmp_path / "m2", method="lora", lora_targets="nonexistent"))


def test_early_stopping_when_f1_stops_improving(corpus, tiny, tmp_path):
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="lora", lr=1e-12, max_steps=20, eval_steps=1, patience=1))
    assert res.meta.run["early_stopped"] and res.meta.run["global_step"] == 2


# ---------------------------------------------------------------- per-task and per-language validation metrics

COIN = ["The coin shows heads.", "The coin shows tails.", "The coin landed on its edge.", "The coin rolled away."]


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory) -> Path:
    """The facts plus a task whose truth is not in the text, with mostly false validation labels:
    per-task accuracies differ, so predictions matched to the wrong tasks give other numbers."""
    rows = fact_rows()
    rows["train"] += [_row(s, i % 2, "coin", "en", 100 + i) for i, s in enumerate(COIN)]
    rows["validation"] += [
        _row(s if i < 4 else s.replace("coin", "old coin"), int(i % 4 == 0), "coin", "en", i) for i, s in enumerate(COIN * 2)
    ]
    out = tmp_path_factory.mktemp("mixed") / "corpus"
    write_corpus(out, {k: table_from_rows(v) for k, v in rows.items()}, Manifest(template_set_hash="sha256:0"), "# mixed\n")
    return out


@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
def test_recorded_per_task_and_per_language_metrics_equal_a_recomputation_from_the_reloaded_model(mixed_corpus, tiny, tmp_path, method):
    # the Trainer evaluates in a length-grouped, shuffled order; the metrics must follow each example, not its position
    from stdata.corpus import load_corpus
    from stdata.train_metrics import binary_metrics

    lr = 5e-3 if method == "full" else 3e-2
    res = train(opts(mixed_corpus, tiny("bert"), tmp_path / "m", method=method, max_steps=20, eval_steps=10, lr=lr))
    recorded = json.loads((res.out / "stdata_model.json").read_text())["final_metrics"]
    val = load_corpus(mixed_corpus)["validation"]
    logits = load_scorer(res.out).logits(list(val["statement"]), batch_size=1)  # no padding, input order
    assert np.abs(logits[:, 1] - logits[:, 0]).min() > 1e-3  # no prediction within float noise of a tie
    pred, labels = logits.argmax(-1), np.asarray(val["label"])
    for col, key in (("task", "per_task"), ("lang", "per_lang")):
        of = np.asarray(val[col])
        expected = {}
        for k in sorted(set(of)):
            m = binary_metrics(pred[of == k], labels[of == k])
            expected[k] = {"accuracy": round(m["accuracy"], 6), "f1": round(m["f1"], 6), "n": int((of == k).sum())}
        assert recorded[key] == expected, (key, recorded[key], expected)
    assert len({v["accuracy"] for v in recorded["per_task"].values()}) > 1  # the check could tell tasks apart
    assert recorded["accuracy"] == pytest.approx(float((pred == labels).mean()), abs=1e-6)


def test_grouped_metrics_follow_the_example_index_not_the_position():
    from stdata.train_metrics import grouped_metrics

    tasks = ["a", "a", "b", "b"]
    labels = np.array([1, 0, 1, 0])
    pred = np.array([1, 0, 0, 1])  # a: both right, b: both wrong
    order = np.array([3, 0, 2, 1])  # the sampler's order
    got = grouped_metrics(pred[order], labels[order], order, tasks)
    assert got == {"a": {"accuracy": 1.0, "f1": 1.0, "n": 2}, "b": {"accuracy": 0.0, "f1": 0.0, "n": 2}}
    with pytest.raises(AssertionError, match="3 predictions for 4"):
        grouped_metrics(pred[:3], labels[:3], order[:3], tasks)


# ---------------------------------------------------------------- progress lines without a progress bar


def test_a_log_line_at_least_every_interval_of_wall_clock():
    from types import SimpleNamespace

    from transformers import TrainerControl

    from stdata.train import log_callback

    now = [0.0]
    cb = log_callback(every_s=30, clock=lambda: now[0])
    args = SimpleNamespace(world_size=1)
    state = SimpleNamespace(global_step=0, max_steps=100, is_world_process_zero=True)
    cb.on_train_begin(args, state, TrainerControl())
    forced = []
    for step in range(1, 11):  # 10 s per step: due after the 3rd, 6th and 9th step
        now[0] += 10
        state.global_step = step
        control = cb.on_step_end(args, state, TrainerControl())
        if control.should_log:
            forced.append(step)
            cb.on_log(args, state, control, logs={"loss": 0.5})
    assert forced == [3, 6, 9]


def test_training_without_a_progress_bar_logs_step_loss_and_speed(corpus, tiny, tmp_path, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="stdata.train")
    train(opts(corpus, tiny("bert"), tmp_path / "m", method="full", max_steps=4, eval_steps=4, logging_steps=1000, log_seconds=0))
    lines = [r.getMessage() for r in caplog.records if '"loss"' in r.getMessage()]
    # logging_steps would log nothing before step 1000: every line here comes from the wall-clock interval
    assert [line.split()[1] for line in lines] == ["1/4", "2/4", "3/4", "4/4"]
    assert all("steps_per_s" in line for line in lines)


# ---------------------------------------------------------------- resume and determinism


class Crash(Exception):
    pass


def _crash_after_first_save():
    from transformers import TrainerCallback

    class CrashOnSave(TrainerCallback):
        def on_save(self, args, state, control, **kw):
            raise Crash(f"simulated crash at step {state.global_step}")

    return CrashOnSave()


def test_resume_after_a_crash_matches_an_uninterrupted_run(corpus, tiny, tmp_path):
    model = tiny("bert")
    whole = train(opts(corpus, model, tmp_path / "whole", method="lora"))
    out = tmp_path / "crashed"
    with pytest.raises(Crash):
        train(opts(corpus, model, out, method="lora"), callbacks=[_crash_after_first_save()])
    assert (out / "checkpoints" / "checkpoint-3").is_dir() and not (out / "stdata_model.json").exists()
    resumed = train(opts(corpus, model, out, method="lora", resume="last"))
    assert resumed.meta.run["resumed_from"] == "checkpoint-3" and resumed.meta.run["global_step"] == 6
    np.testing.assert_allclose(load_scorer(out).score(PROBE), load_scorer(whole.out).score(PROBE), atol=1e-6)
    # the same seed twice gives the same model: compare with a second uninterrupted run
    again = train(opts(corpus, model, tmp_path / "again", method="lora"))
    np.testing.assert_array_equal(StatementScorer(again.model, again.tokenizer).score(PROBE), load_scorer(whole.out).score(PROBE))


# ---------------------------------------------------------------- filters


def test_filters_select_tasks_and_languages(corpus):
    rows = fact_rows()
    o = TrainOptions(corpus=str(corpus), model="unused", out=Path("unused"), tasks="facts", langs="de")
    tr, val, info = load_statements(o)
    assert info["tasks"] == ["facts"] and info["langs"] == ["de"]
    assert len(tr) == sum(r["task"] == "facts" and r["lang"] == "de" for r in rows["train"])
    assert len(val) == sum(r["task"] == "facts" and r["lang"] == "de" for r in rows["validation"])
    assert set(tr["lang"]) == {"de"} and info["filters"] == {"tasks": ["facts"], "langs": ["de"]}
    _, _, info = load_statements(TrainOptions(corpus=str(corpus), model="x", out=Path("x"), tasks="sums"))
    assert info["tasks"] == ["sums"] and info["langs"] == ["en"]


def test_filtered_training_records_the_filters(corpus, tiny, tmp_path):
    res = train(opts(corpus, tiny("bert"), tmp_path / "m", method="lora", tasks="facts", langs="en", max_steps=2, eval_steps=2))
    c = res.meta.corpus
    assert c["tasks"] == ["facts"] and c["langs"] == ["en"] and c["filters"] == {"tasks": ["facts"], "langs": ["en"]}
    assert list(res.meta.final_metrics["per_task"]) == ["facts"]


def test_corpus_without_validation_rows_holds_out_part_of_train(corpus, tmp_path):
    rows = fact_rows()
    path = tmp_path / "novalid"
    write_corpus(path, {"train": table_from_rows(rows["train"])}, Manifest(), "# x\n")
    tr, val, info = load_statements(TrainOptions(corpus=str(path), model="x", out=Path("x")))
    assert len(tr) + len(val) == len(rows["train"]) and len(val) > 0
    assert "10% of train" in info["validation_from"]
    train_set, val_set = set(tr["statement"]), set(val["statement"])
    assert not train_set & val_set
    # held out by source example: a statement's true/false partner is on the same side
    partner = {r["statement"]: p["statement"] for r, p in zip(rows["train"][::2], rows["train"][1::2])}
    partner.update({v: k for k, v in partner.items()})
    assert all(partner[s] in val_set for s in val_set)


# ---------------------------------------------------------------- bad input: one clear error each


def _save_dataset(path: Path, rows: list[dict], features=None) -> Path:
    import datasets

    ds = datasets.Dataset.from_list(rows, features=features)
    datasets.DatasetDict({"train": ds, "validation": ds}).save_to_disk(str(path))
    return path


def test_corpus_missing_columns(tmp_path, tiny):
    path = _save_dataset(tmp_path / "c", [{"statement": "Fire is hot.", "label": 1, "task": "facts"}])
    with pytest.raises(StdataError, match=r"lacks column\(s\) \['lang'\]"):
        train(TrainOptions(corpus=str(path), model=str(tiny("bert")), out=tmp_path / "o", method="lora"))


@pytest.mark.parametrize(
    "labels,message",
    [(["true", "false"], "must be 0/1 integers"), ([2, 0], "must be 0 \\(false\\) or 1 \\(true\\)"), ([1.0, 0.0], "must be 0/1 integers")],
)  # fmt: skip
def test_corpus_wrong_label_type(tmp_path, tiny, labels, message):
    rows = [{"statement": s, "label": lab, "task": "facts", "lang": "en"} for s, lab in zip(["Fire is hot.", "Fire is not hot."], labels)]
    path = _save_dataset(tmp_path / "c", rows)
    with pytest.raises(StdataError, match=message):
        train(TrainOptions(corpus=str(path), model=str(tiny("bert")), out=tmp_path / "o", method="lora"))


def test_empty_after_filters_and_unknown_filter_values(corpus, tiny, tmp_path):
    model = str(tiny("bert"))
    with pytest.raises(StdataError, match="no training statements left"):
        train(TrainOptions(corpus=str(corpus), model=model, out=tmp_path / "o", method="lora", tasks="sums", langs="de"))
    with pytest.raises(UsageError, match="--tasks nli: not in the corpus"):
        train(TrainOptions(corpus=str(corpus), model=model, out=tmp_path / "o", method="lora", tasks="nli"))
    with pytest.raises(UsageError, match="--langs fr: not in the corpus"):
        train(TrainOptions(corpus=str(corpus), model=model, out=tmp_path / "o", method="lora", langs="fr,en"))


def test_missing_model_fails_fast_offline(corpus, tmp_path):
    for name, message in ((str(tmp_path / "no" / "model"), "does not exist"), ("./nope", "does not exist"),
                          ("nobody/no-such-encoder", "not in the Hugging Face cache")):  # fmt: skip
        start = time.time()
        with pytest.raises(StdataError, match=message):
            train(TrainOptions(corpus=str(corpus), model=name, out=tmp_path / "o", method="lora"))
        assert time.time() - start < 5  # no retry storm
    (tmp_path / "empty").mkdir()
    with pytest.raises(StdataError, match="holds no config.json"):
        train(TrainOptions(corpus=str(corpus), model=str(tmp_path / "empty"), out=tmp_path / "o", method="lora"))


def test_missing_corpus(tmp_path, tiny):
    with pytest.raises(StdataError):
        train(TrainOptions(corpus=str(tmp_path / "nothing"), model=str(tiny("bert")), out=tmp_path / "o"))


def test_qlora_without_bitsandbytes(corpus, tiny, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "bitsandbytes", None)  # import now fails as if not installed
    with pytest.raises(StdataError, match="--method qlora needs bitsandbytes.*use --method lora"):
        train(TrainOptions(corpus=str(corpus), model=str(tiny("bert")), out=tmp_path / "o", method="qlora"))


@pytest.mark.parametrize(
    "kw,message",
    [({"method": "adapter"}, "--method must be one of"), ({"precision": "int8"}, "--precision must be one of"),
     ({"batch_size": 0}, "--batch-size must be at least 1"), ({"method": "full", "lora_r": 4}, "do not apply to --method full"),
     ({"resume": "last"}, "no checkpoint under"), ({"lr": 3.0}, "--lr must be in")],
)  # fmt: skip
def test_bad_options(corpus, tiny, tmp_path, kw, message):
    with pytest.raises(StdataError, match=message):
        train(TrainOptions(corpus=str(corpus), model=str(tiny("bert")), out=tmp_path / "o", **kw))


def test_fp16_needs_a_gpu(corpus, tiny, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: fp16 is allowed")
    with pytest.raises(StdataError, match="fp16 needs a CUDA GPU"):
        train(TrainOptions(corpus=str(corpus), model=str(tiny("bert")), out=tmp_path / "o", method="lora", precision="fp16"))


def test_out_folder_that_is_not_a_model_is_left_alone(corpus, tiny, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(StdataError, match="not a stdata model folder"):
        train(TrainOptions(corpus=str(corpus), model=str(tiny("bert")), out=out, method="lora"))
    assert (out / "notes.txt").read_text() == "keep me"


def test_push_to_hub_offline_is_one_clear_error(tmp_path):
    (tmp_path / "m").mkdir()
    with pytest.raises(StdataError, match="but --push-to-hub someone/model failed"):
        push(tmp_path / "m", "someone/model")


# ---------------------------------------------------------------- the command line


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([*STDATA, "train", *args], capture_output=True, text=True, env=env, timeout=300, cwd=REPO)


def test_cli_trains_qlora_and_the_result_scores(corpus, tiny, tmp_path):
    out = tmp_path / "r"
    p = _cli("--corpus", str(corpus), "--model", str(tiny("bert")), "--method", "qlora", "--out", str(out),
             "--max-steps", "4", "--eval-steps", "2", "--batch-size", "8", "--json")  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    meta = json.loads(p.stdout)  # stdout holds the JSON alone; training logs go to stderr
    assert meta["method"] == "qlora" and meta["run"]["global_step"] == 4
    assert load_scorer(out).score(PROBE).shape == (len(PROBE),)


def _one_line(p: subprocess.CompletedProcess) -> str:
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr[-2000:]
    return lines[0]


def test_cli_bad_input_is_one_line_and_nonzero(corpus, tiny, tmp_path):
    p = _cli("--corpus", str(corpus), "--model", str(tmp_path / "missing"), "--out", str(tmp_path / "r"))
    assert p.returncode == 1 and "does not exist" in _one_line(p)
    # past the imports of torch, transformers and bitsandbytes: still nothing else on stderr
    p = _cli("--corpus", str(corpus), "--model", str(tiny("bert")), "--out", str(tmp_path / "r"), "--resume", "last")
    assert p.returncode == 1 and "no checkpoint under" in _one_line(p)
    p = _cli("--corpus", str(corpus), "--model", str(tmp_path), "--out", str(tmp_path / "r"), "--method", "bogus")
    assert p.returncode == 2 and "--method must be one of" in p.stderr and "Traceback" not in p.stderr
