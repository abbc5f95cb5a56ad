"""`stdata translate data`: translated rows as a hub-layout mirror that `stdata build` reads through a task's sources."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml
from clirun import run_cli

from stdata.registry import Registry
from stdata.sources import load_rows
from stdata.translate.cache import Cache
from stdata.translate.data import translate_data

TASK = """\
name: toy
description: A toy sentiment task for tests.
kind: classification
role: train
fields: [text]
labels: [negative, positive]
negatives: wrong_label
sources:
  - dataset: toyorg/toy-reviews
    configs: {en: default}
    split: train
    columns: {text: sentence, label: label}
    license: CC0-1.0
    verified: mirror
examples:
  - {text: "The film was a joy from start to finish.", label: positive}
  - {text: "A dull, lifeless plot with nothing to say.", label: negative}
"""
EN = """\
variants:
  - id: opinion
    provenance: human
    statements:
      negative: 'The review "{{ text }}" expresses a negative opinion.'
      positive: 'The review "{{ text }}" expresses a positive opinion.'
"""
SENTENCES = [
    "A fine film with a great cast.",
    "Terrible acting and a dull story.",
    "A fine film with a great cast.",
    "",
    "The music is lovely.",
]


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A registry with one task and a mirror holding its English source (ClassLabel labels)."""
    from stdata.hf import quiet_datasets
    from stdata.mirror import write_readme

    datasets = quiet_datasets()
    reg = tmp_path / "templates" / "toy"
    reg.mkdir(parents=True)
    (reg / "task.yaml").write_text(TASK)
    (reg / "en.yaml").write_text(EN)
    features = datasets.Features(
        {"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["negative", "positive"]), "idx": datasets.Value("int32")}
    )
    ds = datasets.Dataset.from_dict({"sentence": SENTENCES, "label": [1, 0, 1, 0, 1], "idx": list(range(5))}, features=features)
    root = tmp_path / "mirror" / "toyorg" / "toy-reviews"
    (root / "default").mkdir(parents=True)
    ds.to_parquet(str(root / "default" / "train-00000-of-00001.parquet"))
    write_readme(
        root,
        "toyorg/toy-reviews",
        "CC0-1.0",
        {"default": {"split": "train", "rows": 5, "bytes": ds.data.nbytes, "features": ds.info._to_yaml_dict()["features"]}},
    )
    monkeypatch.setenv("STDATA_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.setenv("STDATA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_translated_rows_become_a_source_the_build_reads(world):
    mirror = world / "mirror"
    out = translate_data(Registry.load(), "toy", "de,sw", mirror, engine="pseudo", data=mirror)
    assert (out["segments"], out["unique"], out["failed"], out["rejected"]) == (8, 6, 0, 0)  # 4 non-empty texts (3 distinct) x 2 languages
    assert [w["lang"] for w in out["written"]] == ["de", "sw"]
    shard = mirror / "stdata-mt" / "toy-reviews" / "de" / "train-00000-of-00001.parquet"
    assert shard.exists()
    front = yaml.safe_load((mirror / "stdata-mt" / "toy-reviews" / "README.md").read_text().split("---")[1])
    assert [c["config_name"] for c in front["configs"]] == ["de", "sw"]
    entry = out["source_entry"]
    assert entry["dataset"] == "stdata-mt/toy-reviews" and entry["configs"] == {"de": "de", "sw": "sw"}
    # the task points at the mirror with one more `sources` item, after its real sources
    task = yaml.safe_load(TASK)
    task["sources"].append(entry)
    (world / "templates" / "toy" / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False))
    t = Registry.load().require_clean().task("toy")
    rows = load_rows(t, "de", mirror)
    assert rows.dataset == "stdata-mt/toy-reviews" and rows.config == "de"
    assert [r["label"] for r in rows.rows] == ["positive", "negative", "positive", "positive"]  # ClassLabel names kept
    assert rows.rows[0]["text"] != SENTENCES[0] and rows.rows[0]["text"] == rows.rows[2]["text"]
    assert rows.skipped == {"empty text": 1}
    from stdata.hf import quiet_datasets

    ds = quiet_datasets().load_dataset(str(mirror / "stdata-mt" / "toy-reviews"), "sw", split="train")
    assert set(ds["mt_provenance"]) == {"mt:pseudo"} and ds["mt_source_row"] == [0, 1, 2, 3, 4]
    again = translate_data(Registry.load(), "toy", "de,sw", mirror, engine="pseudo", data=mirror)
    assert again["engine_calls"] == 0 and again["cache_hits"] == 6


@pytest.mark.parametrize("align", ["{column: idx}", "row"])
def test_translations_split_like_their_originals(world, align):
    """An aligned source's translation is aligned with it: same keys, so the same train/validation side."""
    mirror = world / "mirror"
    task_yaml = TASK.replace("    license: CC0-1.0", f"    align: {align}\n    license: CC0-1.0")
    (world / "templates" / "toy" / "task.yaml").write_text(task_yaml)
    entry = translate_data(Registry.load(), "toy", "de", mirror, engine="pseudo", data=mirror)["source_entry"]
    assert entry["align"] == ({"column": "idx"} if align != "row" else {"column": "mt_source_row"})
    task = yaml.safe_load(task_yaml)
    task["sources"].append(entry)
    (world / "templates" / "toy" / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False))
    t = Registry.load().require_clean().task("toy")
    en, de = load_rows(t, "en", mirror), load_rows(t, "de", mirror)
    assert de.dataset == "stdata-mt/toy-reviews" and de.align_keys == [en.align_keys[en.row_ids.index(i)] for i in de.row_ids]
    assert len(de.align_keys) == 4


def test_rows_whose_text_fails_are_left_out_and_counted(world):
    mirror = world / "mirror"
    out = translate_data(
        Registry.load(),
        "toy",
        "de",
        mirror,
        engine="pseudo?faults=error&fraction=0.5&seed=1&batch=1&attempts=1",
        data=mirror,
        cache=Cache.memory(),
    )
    assert out["failed"] >= 1 and out["written"][0]["rows"] == 5 - out["failed"]
    assert {f["row"] for f in out["failures"]} and all("injected error" in f["reason"] for f in out["failures"])


def test_bad_requests_are_one_line_errors(world, monkeypatch, capsys):
    def cli(*args):
        code, out, err = run_cli(["translate", "data", *args], monkeypatch, capsys)
        return code, SimpleNamespace(out=out, err=err)

    mirror = world / "mirror"
    code, out = cli(
        "--task", "toy", "--to", "de", "--out", str(mirror), "--data-dir", str(mirror), "--engine", "pseudo", "--json", "--limit", "2"
    )
    assert code == 0 and json.loads(out.out)["source"]["rows"] == 2
    code, out = cli("--task", "toy", "--to", "de", "--from", "fr", "--out", str(mirror), "--engine", "pseudo")
    assert code == 2 and "no source with language 'fr'" in out.err and "Traceback" not in out.err
    code, out = cli(
        "--task", "toy", "--to", "de", "--out", str(mirror), "--data-dir", str(mirror), "--engine", "pseudo", "--name", "toyorg/toy-reviews"
    )
    assert code == 2 and "overwrite the source" in out.err
