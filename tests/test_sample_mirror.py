"""The sample mirror in tests/data/mirror: every training task builds from it offline, exactly
balanced, in en/de/sw; intent, mcqa, wsd and headline build from each of their sample sources; and
the committed files are what tests/data/make_sample_mirror.py writes."""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import REPO

from stdata.build import BuildOptions, build_corpus
from stdata.corpus import load_corpus
from stdata.registry import Registry
from stdata.sources import source_for

DATA = REPO / "tests" / "data"
MIRROR = DATA / "mirror"
LANGS = ("en", "de", "sw")
PER_TASK_LANG = 20  # every sample config/split has 12+ rows (pair tasks 16+), so 10 pairs per group fit


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_sample_mirror", DATA / "make_sample_mirror.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_generator_output_is_up_to_date(tmp_path):
    gen = _load_generator()
    gen.write_mirror(tmp_path / "mirror")
    fresh, committed = _hashes(tmp_path / "mirror"), _hashes(MIRROR)
    assert sorted(fresh) == sorted(committed), "re-run tests/data/make_sample_mirror.py: the file list differs"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    if {"datasets": datasets.__version__, "pyarrow": pa.__version__} != gen.WRITTEN_WITH:
        # another writer version stamps other bytes into parquet files: compare those by content
        stale = [
            name
            for name in stale
            if not name.endswith(".parquet")
            or not pq.read_table(tmp_path / "mirror" / name).equals(pq.read_table(MIRROR / name), check_metadata=True)
        ]
    assert not stale, f"re-run tests/data/make_sample_mirror.py: out of date: {stale}"


def test_every_training_task_builds_balanced_from_the_sample_mirror(tmp_path):
    reg = Registry.load().require_clean()
    opts = BuildOptions(out=tmp_path / "corpus", langs=",".join(LANGS), data_dir=MIRROR, per_task_lang=PER_TASK_LANG, command=["test"])
    m = build_corpus(opts, reg).to_dict()

    train_tasks = reg.select_tasks(None, role="train")
    expected = {(t.name, lang) for t in train_tasks for lang in LANGS if source_for(t, lang) is not None}
    assert {t for t, _ in expected} == {t.name for t in train_tasks}  # every training task has a sample
    assert {tuple(k.split("/")) for k in m["groups"]} == expected
    assert [x for x in m["missing"] if x["reason"] != "no-source"] == []
    assert m["shortfalls"] == []
    # only what task.yaml asks for is skipped (SST-2's fragments); and in an aligned source's tiny
    # sample the hashed validation side may hold a single passage or pair, which has no partner
    aligned = {(t, lang) for t, lang in expected if source_for(reg.task(t), lang)[0].align is not None}
    for key, g in m["groups"].items():
        allowed = {"no valid negative"} if tuple(key.split("/")) in aligned else set()
        assert {r for r in g["skipped"] if not r.startswith("filter: ")} <= allowed, (key, g["skipped"])

    dd = load_corpus(tmp_path / "corpus")
    counts = Counter((r["task"], r["lang"], r["label"]) for split in dd for r in dd[split].select_columns(["task", "lang", "label"]))
    for task, lang in expected:
        assert counts[(task, lang, 1)] == counts[(task, lang, 0)] == PER_TASK_LANG // 2, (task, lang)
        g = m["groups"][f"{task}/{lang}"]
        assert g["total"] == PER_TASK_LANG
        assert g["counts"]["validation"] == {"false": 1, "true": 1} or ((task, lang) in aligned and g["counts"]["validation"] == {})
        assert g["source"]["dataset"] == source_for(reg.task(task), lang)[0].dataset


# (task, lang) -> the (dataset, config) its cell must be built from: every source of these tasks that
# the sample mirror has, including the sources that are not first for en/de/sw (XL-Sum via es).
FROM_SOURCE = {
    ("headline", "en"): ("masakhane/masakhanews", "eng"),
    ("headline", "sw"): ("masakhane/masakhanews", "swa"),
    ("headline", "de"): ("reciTAL/mlsum", "de"),
    ("headline", "es"): ("csebuetnlp/xlsum", "spanish"),
    ("intent", "en"): ("AmazonScience/massive", "en-US"),
    ("intent", "de"): ("AmazonScience/massive", "de-DE"),
    ("intent", "sw"): ("AmazonScience/massive", "sw-KE"),
    ("mcqa", "en"): ("facebook/belebele", "eng_Latn"),
    ("mcqa", "de"): ("facebook/belebele", "deu_Latn"),
    ("mcqa", "sw"): ("facebook/belebele", "swh_Latn"),
    ("wsd", "en"): ("pasinit/xlwic", "xlwic_en_it"),
    ("wsd", "de"): ("pasinit/xlwic", "xlwic_de_de"),
}


def test_intent_mcqa_wsd_headline_build_from_their_sample_sources(tmp_path):
    reg = Registry.load().require_clean()
    opts = BuildOptions(
        out=tmp_path / "corpus", langs="en,de,sw,es", tasks="intent,mcqa,wsd,headline", data_dir=MIRROR,
        per_task_lang=PER_TASK_LANG, command=["test"],
    )  # fmt: skip
    m = build_corpus(opts, reg).to_dict()

    built = {tuple(k.split("/")): g for k, g in m["groups"].items()}
    assert set(built) == set(FROM_SOURCE)
    for cell, (dataset, config) in FROM_SOURCE.items():
        src = built[cell]["source"]
        assert (src["dataset"], src["config"]) == (dataset, config), cell
        assert source_for(reg.task(cell[0]), cell[1])[0].dataset == dataset  # the registry's first source
    # the rest of the 4 x 4 matrix: es has no intent/mcqa sample rows; wsd has no source for sw and es
    assert {(x["task"], x["lang"], x["reason"]) for x in m["missing"]} == {
        ("intent", "es", "missing-data"), ("mcqa", "es", "missing-data"),
        ("wsd", "sw", "no-source"), ("wsd", "es", "no-source"),
    }  # fmt: skip
    assert m["shortfalls"] == [] and m["skipped"] == {}

    dd = load_corpus(tmp_path / "corpus")
    for split in dd:
        counts = Counter((r["task"], r["lang"], r["label"]) for r in dd[split].select_columns(["task", "lang", "label"]))
        for task, lang in FROM_SOURCE:
            want = built[(task, lang)]["counts"][split]
            assert counts[(task, lang, 1)] == counts[(task, lang, 0)] == want["true"] == want["false"], (split, task, lang)
    for cell in FROM_SOURCE:
        assert sum(c["true"] + c["false"] for c in built[cell]["counts"].values()) == PER_TASK_LANG, cell
