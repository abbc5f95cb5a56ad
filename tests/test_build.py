"""`stdata build` on real rows from ../shared/hub: balance, determinism, atomicity, resume, bad rows."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO

from stdata.build import BuildOptions, build_corpus
from stdata.corpus import load_corpus, read_manifest
from stdata.errors import StdataError
from stdata.registry import Registry

FIXTURE_REG = REPO / "tests" / "fixtures" / "registry"


@pytest.fixture
def reg() -> Registry:
    return Registry.load(FIXTURE_REG).require_clean()


def _build(reg, out, hub, **kw) -> dict:
    opts = BuildOptions(out=out, langs=kw.pop("langs", "en,de,sw,am,id"), data_dir=hub, command=["test"], **kw)
    return build_corpus(opts, reg).to_dict()


def _shard_hashes(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "data").glob("*.parquet"))}


def test_every_group_is_exactly_balanced_or_reports_its_shortfall(reg, shared_hub, tmp_path):
    m = _build(reg, tmp_path / "c", shared_hub, per_task_lang=400)
    dd = load_corpus(tmp_path / "c")
    counts = Counter()
    for split in dd:
        for task, lang, label in zip(dd[split]["task"], dd[split]["lang"], dd[split]["label"]):
            counts[(task, lang, label)] += 1
    short = {(s["task"], s["lang"]) for s in m["shortfalls"]}
    for key, g in m["groups"].items():
        task, lang = key.split("/")
        assert counts[(task, lang, 1)] == counts[(task, lang, 0)]  # half true, half false, always
        if (task, lang) in short:
            assert counts[(task, lang, 1)] * 2 < 400 and g["shortfall"] == 400 - g["total"]
        else:
            assert counts[(task, lang, 1)] == 200
    assert ("trans", "am") in short  # Tatoeba amh-eng has only 168 rows
    assert m["counts"]["train"] + m["counts"]["validation"] == sum(g["total"] for g in m["groups"].values())
    # languages without a source are listed, not silently dropped
    assert {"task": "mc", "lang": "de", "reason": "no-source"}.items() <= next(
        x for x in m["missing"] if x["task"] == "mc" and x["lang"] == "de"
    ).items()


def test_gold_labels_and_variants_are_stratified(reg, shared_hub, tmp_path):
    _build(reg, tmp_path / "c", shared_hub, per_task_lang=400, langs="en", tasks="senti")
    ds = load_corpus(tmp_path / "c")["train"]
    true_rows = [r for r in ds if r["label"] == 1]
    by_gold = Counter(r["candidate"] for r in true_rows)
    assert abs(by_gold["positive"] - by_gold["negative"]) <= 1
    by_variant = Counter(r["template_id"] for r in ds)
    assert abs(by_variant["a"] - by_variant["b"]) <= 2


def test_train_and_validation_share_no_source_example(reg, shared_hub, tmp_path):
    _build(reg, tmp_path / "c", shared_hub, per_task_lang=400)
    dd = load_corpus(tmp_path / "c")
    train = {(t, la, r) for t, la, r in zip(dd["train"]["task"], dd["train"]["lang"], dd["train"]["source_row"])}
    val = {(t, la, r) for t, la, r in zip(dd["validation"]["task"], dd["validation"]["lang"], dd["validation"]["source_row"])}
    assert val and not train & val
    # pair negatives come from the same split, so no partner text crosses either
    val_partners = {
        (t, la, r)
        for t, la, r in zip(dd["validation"]["task"], dd["validation"]["lang"], dd["validation"]["negative_source_row"])
        if r >= 0
    }
    assert val_partners and not val_partners & train


def test_pair_negatives_are_never_true_pairs_and_are_traceable(reg, shared_hub, tmp_path):
    _build(reg, tmp_path / "c", shared_hub, per_task_lang=600, langs="de", tasks="trans")
    ds = load_corpus(tmp_path / "c")["train"]
    src = pq.read_table(shared_hub / "mteb/tatoeba-bitext-mining/deu-eng/test-00000-of-00001.parquet").to_pylist()
    for r in ds:
        row = src[r["source_row"]]
        assert row["sentence1"] in r["statement"]
        if r["label"] == 1:
            assert row["sentence2"] in r["statement"] and r["negative_source_row"] == -1
        else:
            partner = src[r["negative_source_row"]]
            assert r["negative_source_row"] != r["source_row"]
            assert partner["sentence2"] != row["sentence2"] and partner["sentence2"] in r["statement"]


def test_same_inputs_give_identical_bytes_whatever_num_proc(reg, shared_hub, tmp_path):
    a = _build(reg, tmp_path / "a", shared_hub, per_task_lang=200, num_proc=1)
    b = _build(reg, tmp_path / "b", shared_hub, per_task_lang=200, num_proc=2)
    assert _shard_hashes(tmp_path / "a") == _shard_hashes(tmp_path / "b")
    assert a["fingerprint"] == b["fingerprint"]
    strip = lambda m: {k: v for k, v in m.items() if k != "run"}  # noqa: E731
    assert strip(read_manifest(tmp_path / "a").to_dict()) == strip(read_manifest(tmp_path / "b").to_dict())
    c = _build(reg, tmp_path / "c", shared_hub, per_task_lang=200, seed=7)
    assert c["fingerprint"] != a["fingerprint"]


def test_failed_build_keeps_previous_corpus_and_resume_reuses_finished_shards(reg, shared_hub, tmp_path, monkeypatch):
    out = tmp_path / "c"
    first = _build(reg, out, shared_hub, per_task_lang=200, langs="en,de")
    import stdata.build as build_mod

    real = build_mod._build_group
    calls = []

    def flaky(*args):
        calls.append(args[:2])
        if len(calls) == 3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C half-way
        return real(*args)

    monkeypatch.setattr(build_mod, "_build_group", flaky)
    with pytest.raises(KeyboardInterrupt):
        _build(reg, out, shared_hub, per_task_lang=300, langs="en,de")
    assert read_manifest(out).fingerprint == first["fingerprint"]  # old corpus intact
    assert _shard_hashes(out) and not list(tmp_path.glob(".c.writing-*"))
    monkeypatch.setattr(build_mod, "_build_group", real)
    resumed = _build(reg, out, shared_hub, per_task_lang=300, langs="en,de", resume=True)
    assert resumed["run"]["resumed_groups"] == 2
    fresh = _build(reg, tmp_path / "fresh", shared_hub, per_task_lang=300, langs="en,de")
    assert resumed["fingerprint"] == fresh["fingerprint"]


def test_kill_9_during_the_swap_leaves_the_old_corpus(reg, shared_hub, tmp_path):
    out = tmp_path / "c"
    first = _build(reg, out, shared_hub, per_task_lang=100, langs="en")
    script = f"""
import os, signal, sys
import stdata.corpus as c
from stdata.build import BuildOptions, build_corpus
from stdata.registry import Registry
c._swap_into_place = lambda stage, out: os.kill(os.getpid(), signal.SIGKILL)
build_corpus(BuildOptions(out={str(out)!r}, langs="en", data_dir={str(shared_hub)!r}, per_task_lang=120), Registry.load({str(FIXTURE_REG)!r}))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy())
    assert proc.returncode == -signal.SIGKILL
    assert read_manifest(out).fingerprint == first["fingerprint"]
    assert load_corpus(out)["train"].num_rows == first["counts"]["train"]


def test_bad_rows_are_skipped_counted_and_fatal_with_strict(reg, tmp_path):
    mirror = tmp_path / "mirror"
    d = mirror / "stanfordnlp" / "sst2" / "default"
    d.mkdir(parents=True)
    good = [{"idx": i, "sentence": f"review number {i} is here", "label": i % 2} for i in range(40)]
    bad = [
        {"idx": 100, "sentence": None, "label": 1},
        {"idx": 101, "sentence": "   ", "label": 0},
        {"idx": 102, "sentence": "label out of range", "label": 7},
        {"idx": 103, "sentence": "no label", "label": None},
        {"idx": 104, "sentence": "review number 3 is here", "label": 1},  # duplicate text
    ]
    import datasets

    feats = datasets.Features({"idx": datasets.Value("int32"), "sentence": datasets.Value("string"),
                               "label": datasets.ClassLabel(names=["negative", "positive"])})  # fmt: skip
    table = pa.Table.from_pylist(good + bad)  # label 7 cannot pass ClassLabel's own encoder; write it raw
    meta = {b"huggingface": json.dumps({"info": {"features": feats.to_dict()}}).encode()}
    pq.write_table(table.replace_schema_metadata(meta), d / "train-00000-of-00001.parquet")
    (mirror / "stanfordnlp" / "sst2" / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: default/train-*.parquet\n---\n"
    )
    m = _build(reg, tmp_path / "c", mirror, per_task_lang=60, langs="en", tasks="senti")
    assert m["skipped"] == {"duplicate row": 1, "empty text": 1, "label out of range": 1, "missing label": 1, "missing text": 1}
    assert m["groups"]["senti/en"]["total"] == 60
    with pytest.raises(StdataError, match="--strict: 5 skipped row"):
        _build(reg, tmp_path / "c2", mirror, per_task_lang=60, langs="en", tasks="senti", strict=True)
    assert not (tmp_path / "c2").exists()


def test_upsampling_is_opt_in_and_marked(reg, shared_hub, tmp_path):
    m = _build(reg, tmp_path / "c", shared_hub, per_task_lang=400, langs="am", tasks="trans", allow_upsample=True)
    ds = load_corpus(tmp_path / "c")["train"]
    assert m["groups"]["trans/am"]["total"] == 400 and not m["shortfalls"]
    ups = [r for r in ds if r["upsampled"]]
    assert ups and all("#" in r["group_id"] for r in ups)
    assert len(ups) == m["groups"]["trans/am"]["upsampled"] - sum(1 for r in load_corpus(tmp_path / "c")["validation"] if r["upsampled"])


def test_template_lang_and_no_mt_ablations(reg, shared_hub, tmp_path):
    m = _build(reg, tmp_path / "c", shared_hub, per_task_lang=100, langs="en,de", no_mt=True)
    assert "trans" not in m["options"]["tasks"] and all(not k.startswith("trans/") for k in m["groups"])
    m = _build(reg, tmp_path / "d", shared_hub, per_task_lang=100, langs="de", tasks="trans", template_lang="en")
    ds = load_corpus(tmp_path / "d")["train"]
    assert set(ds["template_lang"]) == {"en"} and set(ds["lang"]) == {"de"}


def test_missing_mirror_entries_are_reported_and_hub_failure_is_clear(reg, shared_hub, tmp_path):
    m = _build(reg, tmp_path / "c", shared_hub, per_task_lang=100, langs="en,yo", tasks="trans,senti")
    yo = next(x for x in m["missing"] if x["task"] == "trans" and x["lang"] == "yo")
    assert yo["reason"] == "missing-data" and "yor-eng" in yo["message"]
    with pytest.raises(StdataError, match="--strict: .*missing data for 1 group"):
        _build(reg, tmp_path / "d", shared_hub, per_task_lang=100, langs="en,yo", tasks="trans,senti", strict=True)
    with pytest.raises(StdataError, match=r"cannot load stanfordnlp/sst2 .* from the hub.*--data-dir"):
        build_corpus(BuildOptions(out=tmp_path / "e", langs="en", tasks="senti", per_task_lang=10), reg)


def test_unknown_task_language_and_odd_size_are_usage_errors(reg, shared_hub, tmp_path):
    with pytest.raises(StdataError, match="unknown task 'sent'; did you mean senti"):
        _build(reg, tmp_path / "c", shared_hub, tasks="sent")
    with pytest.raises(StdataError, match="unknown language code 'jp'"):
        _build(reg, tmp_path / "c", shared_hub, langs="en,jp")
    with pytest.raises(StdataError, match="even number"):
        _build(reg, tmp_path / "c", shared_hub, per_task_lang=101)


def test_sources_download_mirrors_a_mirror_and_builds_the_same_corpus(reg, shared_hub, tmp_path, monkeypatch):
    from stdata.mirror import download

    monkeypatch.setenv("STDATA_TEMPLATES", str(FIXTURE_REG))
    res = download(Registry.load(), "en,de", tmp_path / "mirror", source_dir=shared_hub)
    assert {w["dataset"] for w in res["written"]} == {"stanfordnlp/sst2", "allenai/social_i_qa", "mteb/tatoeba-bitext-mining"}
    _build(reg, tmp_path / "a", shared_hub, per_task_lang=100, langs="en,de")
    _build(reg, tmp_path / "b", tmp_path / "mirror", per_task_lang=100, langs="en,de")
    assert _shard_hashes(tmp_path / "a") == _shard_hashes(tmp_path / "b")
    readme = (tmp_path / "mirror" / "stanfordnlp" / "sst2" / "README.md").read_text()
    assert "config_name: default" in readme and "negative" in readme  # ClassLabel names kept


def test_stats_coverage_and_push_payload(reg, shared_hub, tmp_path, monkeypatch):
    from stdata.coverage import coverage
    from stdata.push import push_payload
    from stdata.stats import corpus_stats

    monkeypatch.setenv("STDATA_TEMPLATES", str(FIXTURE_REG))
    m = _build(reg, tmp_path / "c", shared_hub, per_task_lang=100, langs="en,de")
    s = corpus_stats(tmp_path / "c")
    assert s["counts"]["senti"]["en"] == {"false": 50, "true": 50}
    assert s["fingerprint"] == m["fingerprint"] and s["lengths"]["mc"]["max_words"] > 5
    cov = coverage(Registry.load(), "en,de,yo", data_dir_path=shared_hub)
    cells = {(c["task"], c["lang"]): c for c in cov["cells"]}
    assert cells[("trans", "de")]["rows"] == 1000 and cells[("trans", "yo")]["rows"] == 0
    assert cells[("mc", "de")]["source"] is None
    payload = dict(push_payload(tmp_path / "c"))
    assert set(payload) == {
        "README.md", "manifest.json", "coverage.png", "data/train-00000-of-00001.parquet", "data/validation-00000-of-00001.parquet"
    }  # fmt: skip
    card = payload["README.md"].read_text()
    assert card.startswith("---\nlanguage:") and "size_categories" in card and "CC BY 4.0" in card


def test_cli_build_summary_and_one_line_errors(shared_hub, tmp_path):
    env = {**os.environ, "STDATA_TEMPLATES": str(FIXTURE_REG), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "stdata.cli.app"]
    ok = subprocess.run([*cmd, "build", "--langs", "en", "--data-dir", str(shared_hub), "--out", str(tmp_path / "c"), "--per-task-lang", "40"],
                        capture_output=True, text=True, env=env)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "statements" in ok.stdout and "fingerprint" in ok.stdout
    bad = subprocess.run([*cmd, "build", "--langs", "xx", "--out", str(tmp_path / "d")], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "unknown language code 'xx'" in bad.stderr
    st = subprocess.run([*cmd, "stats", str(tmp_path / "c"), "--json"], capture_output=True, text=True, env=env)
    assert json.loads(st.stdout)["counts"]["senti"]["en"] == {"false": 20, "true": 20}


# -- worker processes die with their parent ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`, from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_build_workers_die_when_the_parent_is_killed(tmp_path):
    import time

    mirror = REPO / "tests" / "data" / "mirror"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "STDATA_TEMPLATES": str(REPO / "templates")}
    cmd = [sys.executable, "-m", "stdata.cli.app", "build", "--num-proc", "2", "--data-dir", str(mirror), "--langs", "en,de,sw",
           "--out", str(tmp_path / "corpus")]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 120
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(proc.pid)
        assert len(workers) >= 2, (
            f"never saw two workers (exit {proc.poll()}): {proc.stderr.read().decode()[-500:] if proc.poll() is not None else ''}"
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        for w in survivors:  # leave nothing behind even when the test fails
            os.kill(w, signal.SIGKILL)
        assert not survivors, f"workers {survivors} outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_watchdog_alone_ends_an_orphaned_worker(tmp_path):
    """Without prctl (macOS, BSD), the watchdog thread ends the worker once its parent pid changes."""
    import time

    script = f"""
import os, sys, time
sys.path.insert(0, {str(REPO)!r})
import stdata.workers as w
w._pdeathsig = lambda sig: False  # what a system without prctl has
parent = os.getpid()
if os.fork() == 0:
    w.die_with_parent(parent, poll_s=0.05)
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        kids: list[int] = []
        while not kids and time.monotonic() < deadline:
            time.sleep(0.05)
            kids = _children(proc.pid)
        assert kids, "the worker never started"
        time.sleep(0.3)  # let it set up its watchdog
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while _alive(kids[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = _alive(kids[0])
        if alive:
            os.kill(kids[0], signal.SIGKILL)
        assert not alive, "the orphaned worker kept running"
    finally:
        if proc.poll() is None:
            proc.kill()
