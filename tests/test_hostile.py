"""Issue 12: hostile input and everyday misuse -- nothing lost, nothing leaked, no crash, one clear line.

One section per class of the issue; each test failed on main before the fix (2e3b7d9 and 933b952)
and names its class. Probes that need the whole command line run in-process (tests/clirun.py).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from clirun import run_cli

from stdata.corpus import Manifest, load_corpus, read_manifest, table_from_rows, write_corpus
from stdata.errors import StdataError, UsageError


def _rows(n: int, lang: str = "en") -> list[dict]:
    return [
        {"statement": f"statement {i} {lang}", "label": i % 2, "task": "t", "lang": lang, "template_id": "v", "template_lang": lang,
         "candidate": "x", "source_dataset": "o/d", "source_config": "c", "source_split": "train", "source_row": i,
         "negative_source_row": -1, "group_id": f"t/{lang}/{i}", "upsampled": False}
        for i in range(n)
    ]  # fmt: skip


def _corpus(out: Path, n: int = 6) -> Manifest:
    splits = {"train": table_from_rows(_rows(n)), "validation": table_from_rows(_rows(2))}
    return write_corpus(
        out, splits, Manifest(counts={"train": n, "validation": 2}, options={"per_task_lang": n, "template_lang": "native"}), "# c\n"
    )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- class 1: data loss -------------------------------------------------------------------------------


def test_class1_out_with_an_unrelated_manifest_is_refused_and_left_intact(tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "thesis.tex").write_text("three years of work")
    (out / "manifest.json").write_text("{}")
    with pytest.raises(StdataError, match="is not a corpus stdata wrote"):
        _corpus(out)
    assert (out / "thesis.tex").read_text() == "three years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]  # no stage or old folder left behind


def test_class1_a_real_corpus_with_a_file_of_the_users_is_refused(tmp_path):
    out = tmp_path / "c"
    _corpus(out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(StdataError, match="'notes.txt'"):
        _corpus(out, n=8)
    (out / "notes.txt").unlink()
    (out / "data" / "extra.parquet").write_bytes(b"x")
    with pytest.raises(StdataError, match="data/ holds files the build did not write"):
        _corpus(out, n=8)


def test_class1_an_edited_manifest_is_not_proof(tmp_path):
    out = tmp_path / "c"
    _corpus(out)
    m = json.loads((out / "manifest.json").read_text())
    m["seed"] = 7
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(StdataError, match="does not match its own fingerprint"):
        _corpus(out)


def test_class1_our_corpus_and_an_empty_folder_are_replaced(tmp_path):
    from stdata.corpus import CORPUS_FORMAT

    out = tmp_path / "c"
    first = _corpus(out)
    assert read_manifest(out).format == CORPUS_FORMAT
    second = _corpus(out, n=8)
    assert second.fingerprint != first.fingerprint and load_corpus(out)["train"].num_rows == 8
    empty = tmp_path / "empty"
    empty.mkdir()
    _corpus(empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "empty"]


def test_class1_a_corpus_of_format_1_without_the_marker_is_still_ours(tmp_path):
    """Corpora written before the marker prove themselves by their fingerprint."""
    from stdata.corpus import CORPUS_FORMAT, fingerprint_of

    out = tmp_path / "c"
    _corpus(out)
    m = read_manifest(out).model_copy(update={"format": None})
    m.fingerprint = fingerprint_of(m, m.shards)
    (out / "manifest.json").write_text(json.dumps(m.to_dict(), indent=2))
    assert "format" not in json.loads((out / "manifest.json").read_text())
    _corpus(out, n=8)
    assert read_manifest(out).format == CORPUS_FORMAT


@pytest.mark.parametrize("bad", ["/", "file", "link"])
def test_class1_root_file_or_link_out_fails_before_any_work(tmp_path, bad, monkeypatch):
    from stdata import build as build_mod
    from stdata.build import BuildOptions

    target = {"/": Path("/"), "file": tmp_path / "f", "link": tmp_path / "l"}[bad]
    (tmp_path / "f").write_text("x")
    (tmp_path / "l").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setattr(build_mod, "_run_groups", lambda *a: pytest.fail("work started"))
    with pytest.raises(UsageError, match="filesystem root|is a file|symbolic link"):
        BuildOptions(out=target).check()
    assert not Path("/..partial").exists() and (tmp_path / "f").read_text() == "x"


def test_class1_the_coverage_picture_and_a_balances_lineage_are_ours_anything_else_in_them_is_not(tmp_path):
    """A build writes coverage.png and a balance lineage/<i>-manifest.json beside the card: the next run replaces them."""
    from stdata.corpus import Lineage, check_out, not_ours

    out = tmp_path / "c"
    manifest = Manifest(counts={"train": 4}, lineage=[Lineage(corpus="a", manifest_file="lineage/0-manifest.json")])
    files = {"coverage.png": b"\x89PNG picture", "lineage/0-manifest.json": b"{}\n"}
    write_corpus(out, {"train": table_from_rows(_rows(4))}, manifest, "# c\n", files)
    assert not_ours(out) is None and check_out(out) == out
    write_corpus(out, {"train": table_from_rows(_rows(4))}, manifest, "# c\n", files)  # replaced, as a rebuild does
    (out / "lineage" / "notes.txt").write_text("mine")
    assert "lineage/ holds files the balance did not write: notes.txt" in (not_ours(out) or "")
    (out / "lineage" / "notes.txt").unlink()
    (out / "coverage.png").unlink()
    (out / "coverage.png").symlink_to(tmp_path / "elsewhere.png")
    assert "'coverage.png'" in (not_ours(out) or "")
    plain = tmp_path / "plain"  # a lineage/ folder in a corpus whose manifest names none is not the balance's
    write_corpus(plain, {"train": table_from_rows(_rows(4))}, Manifest(counts={"train": 4}), "# c\n", {"lineage/0-manifest.json": b"{}"})
    assert "'lineage'" in (not_ours(plain) or "")


# -- class 9: leftovers of killed runs, umask, tampered manifest, --num-proc ----------------------------


def test_class9_leftovers_of_killed_runs_are_removed_only_when_provably_ours(tmp_path):
    from stdata.corpus import CORPUS_FORMAT, OWNER_FILE, check_out

    out = tmp_path / "c"
    _corpus(out)
    dead = _dead_pid()
    host = socket.gethostname()
    ours_writing = tmp_path / f".c.writing-{dead}"
    ours_writing.mkdir()
    (ours_writing / OWNER_FILE).write_text(json.dumps({"format": CORPUS_FORMAT, "pid": dead, "host": host}))
    (ours_writing / "half.parquet").write_bytes(b"x")
    ours_old = tmp_path / f".c.old-{dead}"
    _corpus(ours_old)  # a whole previous corpus, left by a kill between the two renames
    foreign = tmp_path / f".c.writing-{dead + 1}"  # no marker: whoever made it, it is not provably ours
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    other_host = tmp_path / f".c.writing-{dead + 2}"
    other_host.mkdir()
    (other_host / OWNER_FILE).write_text(json.dumps({"format": CORPUS_FORMAT, "pid": dead + 2, "host": host + "-elsewhere"}))
    alive = tmp_path / f".c.writing-{os.getppid()}"  # a live process: never touched
    alive.mkdir()
    (alive / OWNER_FILE).write_text(json.dumps({"format": CORPUS_FORMAT, "pid": os.getppid(), "host": host}))
    check_out(out)
    assert not ours_writing.exists() and not ours_old.exists()
    assert (foreign / "keep.txt").exists() and other_host.exists() and alive.exists()


def test_class9_the_work_folder_is_reused_only_when_ours(tmp_path):
    from stdata.corpus import OWNER_FILE, claim_work_dir

    out = tmp_path / "c"
    work = claim_work_dir(out, resume=False)
    (work / "g.json").write_text("{}")
    assert claim_work_dir(out, resume=True) == work and (work / "g.json").exists()  # --resume keeps it
    owner = json.loads((work / OWNER_FILE).read_text())
    (work / OWNER_FILE).write_text(json.dumps({**owner, "pid": os.getppid()}))  # a live build holds it
    with pytest.raises(StdataError, match="in use by another build"):
        claim_work_dir(out, resume=False)
    (work / OWNER_FILE).unlink()
    with pytest.raises(StdataError, match="not made by this version of stdata"):
        claim_work_dir(out, resume=False)
    assert (work / "g.json").exists()


def test_class9_written_files_follow_the_umask(tmp_path):
    from stdata.atomic import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.md", "x")
        assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o644
        (tmp_path / "report.md").chmod(0o640)
        write_atomic(tmp_path / "report.md", "y")  # a replaced file keeps its mode
        assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o640
        os.umask(0o077)
        write_atomic(tmp_path / "private.md", "x")
        assert stat.S_IMODE((tmp_path / "private.md").stat().st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.parametrize("name", ["/etc/passwd", "../../etc/passwd", "data/../../x.parquet", "data/sub/train-00000-of-00001.parquet"])
def test_class9_a_tampered_manifest_cannot_push_files_outside_the_corpus(tmp_path, name):
    from stdata.push import push_payload

    out = tmp_path / "c"
    _corpus(out)
    m = json.loads((out / "manifest.json").read_text())
    m["shards"][name] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(StdataError, match="is not a data/<split>"):
        push_payload(out)


def test_class9_a_shard_edited_after_the_build_is_not_pushed(tmp_path):
    from stdata.push import push_payload

    out = tmp_path / "c"
    _corpus(out)
    shard = next((out / "data").glob("train-*.parquet"))
    shard.write_bytes(shard.read_bytes() + b"\0")
    with pytest.raises(StdataError, match="differs from the hash in the manifest"):
        push_payload(out)


def test_class9_num_proc_is_capped_by_the_groups(monkeypatch):
    """Fixed on main since 2e3b7d9; kept as a regression test."""
    from stdata import build as build_mod

    seen = {}

    class Pool:
        def __init__(self, max_workers, mp_context, **kw):
            seen["workers"] = max_workers

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, fn, items):
            return [None for _ in items]

    monkeypatch.setattr(build_mod, "ProcessPoolExecutor", Pool)
    build_mod._run_groups([("a",), ("b",), ("c",), ("d",)], 40, None)
    assert seen["workers"] == 4


# -- class 10: hub round trip ---------------------------------------------------------------------------


def test_class10_label_is_a_classlabel_when_the_folder_or_a_shard_is_loaded_with_datasets(tmp_path):
    import datasets

    out = tmp_path / "c"
    _corpus(out)
    want = datasets.ClassLabel(names=["false", "true"])
    assert datasets.load_dataset(str(out), split="train").features["label"] == want  # the card's dataset_info
    shard = str(next((out / "data").glob("train-*.parquet")))
    assert datasets.load_dataset("parquet", data_files=shard, split="train").features["label"] == want  # the shard's schema
    assert pq.read_table(shard).column("label").type == "int64"  # plain parquet readers still see integers


def test_class10_push_deletes_the_shards_of_an_earlier_push_in_the_same_commit(tmp_path):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    from stdata.push import push_operations

    out = tmp_path / "c"
    _corpus(out)
    earlier = ["README.md", "manifest.json", ".gitattributes", "data/train-00000-of-00002.parquet",
               "data/train-00001-of-00002.parquet", "data/validation-00000-of-00001.parquet", "notes/keep.parquet"]  # fmt: skip
    ops = push_operations(out, earlier)
    added = sorted(op.path_in_repo for op in ops if isinstance(op, CommitOperationAdd))
    deleted = sorted(op.path_in_repo for op in ops if isinstance(op, CommitOperationDelete))
    assert added == ["README.md", "data/train-00000-of-00001.parquet", "data/validation-00000-of-00001.parquet", "manifest.json"]
    assert deleted == ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]


def test_class10_push_sends_the_coverage_picture_only_as_a_plain_file_of_the_corpus(tmp_path):
    from stdata.push import push_payload

    out = tmp_path / "c"
    write_corpus(out, {"train": table_from_rows(_rows(4))}, Manifest(counts={"train": 4}), "# c\n", {"coverage.png": b"png"})
    assert ("coverage.png", out / "coverage.png") in push_payload(out)
    (tmp_path / "secret").write_text("key")
    (out / "coverage.png").unlink()
    (out / "coverage.png").symlink_to(tmp_path / "secret")
    with pytest.raises(StdataError, match="coverage.png is not a plain file"):
        push_payload(out)


def test_class10_tables_at_80_columns_break_no_word(monkeypatch, capsys):
    from rich.console import Console
    from stdata.cli import output

    monkeypatch.setattr(output, "console", Console(width=80, markup=False, file=sys.stdout))
    columns = ["task", "langs built", "no source", "not in mirror", "statements", "short groups", "skipped rows"]
    output.table("corpus out", columns, [("extractive_qa", 25, 3, 4, 37500, 2, 12345), ("sentiment", 1, 0, 0, 20, 0, 0)])
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 80
    cells = {c.strip() for line in text.splitlines() for c in line.replace("┃", "│").split("│")}
    assert {"extractive_qa", "statements", "37500", "12345", "sentiment"} <= cells


def test_class10_a_country_code_suggests_its_language_first():
    from stdata.languages import require

    with pytest.raises(UsageError, match=r"did you mean ja \(Japanese\)"):
        require("jp")


# -- class 2: credentials never leave through an error --------------------------------------------------

#: A fake credential per environment variable, each distinct so a leak names its source.
FAKE_KEYS = {
    "DEEPL_API_KEY": "deepl-secret-0a1b2c3d",
    "MICROSOFT_API_KEY": "msft-secret-4e5f6a7b",
    "LIBRE_API_KEY": "libre-secret-8c9d0e1f",
    "MYMEMORY_EMAIL": "someone.private@example.org",
    "YANDEX_API_KEY": "yandex-secret-2a3b4c5d",
    "QCRI_API_KEY": "qcri-secret-6e7f8a9b",
    "PAPAGO_CLIENT_ID": "papago-id-0c1d2e3f",
    "PAPAGO_SECRET_KEY": "papago-secret-4a5b6c7d",
    "BAIDU_APPID": "20240101000123456",
    "BAIDU_APPKEY": "baidu-secret-8e9f0a1b",
}


def _leaks(text: str) -> list[str]:
    from urllib.parse import quote, quote_plus

    return [env for env, v in FAKE_KEYS.items() if any(form in text for form in (v, quote(v, safe=""), quote_plus(v)))]


@pytest.fixture
def offline_web(monkeypatch):
    """Every deep-translator request fails the way `requests` does without a network: the message quotes
    the full request -- URL with its query (auth_key=..., key=..., appid=..., de=<e-mail>), headers and body."""
    import requests

    for env, value in FAKE_KEYS.items():
        monkeypatch.setenv(env, value)

    def fail(method):
        def call(url, params=None, headers=None, data=None, json=None, **kw):
            prep = requests.Request(method, url, params=params, headers=headers, data=data, json=json).prepare()
            raise requests.exceptions.ConnectionError(
                f"HTTPSConnectionPool: Max retries exceeded with url: {prep.url} "
                f"(headers {dict(prep.headers)!r}, body {prep.body!r}; Caused by NewConnectionError)"
            )

        return call

    monkeypatch.setattr(requests, "get", fail("GET"))
    monkeypatch.setattr(requests, "post", fail("POST"))


@pytest.mark.parametrize("backend", ["google", "deepl", "microsoft", "libre", "mymemory", "yandex", "qcri", "papago", "baidu"])
def test_class2_engine_errors_are_redacted_for_every_backend(backend, offline_web, caplog):
    import logging

    from stdata.translate.cache import Cache
    from stdata.translate.engines import make_engine
    from stdata.translate.runner import Runner

    engine = make_engine(f"{backend}?attempts=1&give_up=5")
    target = next(t for t in ("de", "es", "ar", "zh", "ko") if _supports(engine, t))
    engine.check("en", [target])
    cache = Cache.memory()
    runner = Runner(engine, cache, sleep=lambda s: None)
    with caplog.at_level(logging.DEBUG):
        answers = runner.translate([("en", target, "A small test sentence."), ("en", target, "Another one.")])
    errors = [a.error or "" for a in answers.values()]
    assert all(errors), answers  # every call failed (no network)
    seen = " ".join([*errors, runner.fatal or "", caplog.text, json.dumps(runner.stats.as_dict())])
    assert not _leaks(seen), seen
    assert cache.count() == 0  # failures are never cached
    rows = cache.db.execute("SELECT engine, model FROM translations").fetchall()
    assert not _leaks(repr(rows)) and not _leaks(engine.model)


def _supports(engine, tag: str) -> bool:
    from stdata.translate.engines import EngineError

    try:
        engine.check("en", [tag])
    except EngineError:
        return False
    return True


def test_class2_keys_stay_out_of_the_cli_output_and_json(toy_registry, offline_web, tmp_path, monkeypatch, capsys):
    args = ["--templates", str(toy_registry), "translate", "templates", "--task", "toy", "--to", "de", "--engine", "deepl",
            "--retries", "0", "--cache", str(tmp_path / "cache.sqlite")]  # fmt: skip
    for extra in ([], ["--json"]):
        code, out, err = run_cli(args + extra, monkeypatch, capsys)
        assert code == 1 and "ConnectionError" in out + err
        assert not _leaks(out + err), out + err
    assert not _leaks((tmp_path / "cache.sqlite").read_bytes().decode("latin-1"))


def test_class2_redact_covers_values_encodings_params_and_headers():
    from stdata.translate.engines import redact

    text = (
        "url: /v2/translate?auth_key=abc123secret&text=hi&de=a.b%40c.org "
        "{'X-Naver-Client-Secret': 'zzzsecret', 'Authorization': 'DeepL-Auth-Key qq'} key=k1 monkey=banana"
    )
    got = redact(text, ["a.b@c.org"])
    assert "abc123secret" not in got and "a.b%40c.org" not in got and "zzzsecret" not in got and "DeepL-Auth-Key" not in got
    assert "monkey=banana" in got and "text=hi" in got


# -- classes 3 and 5: sources stay inside the mirror; an edited mirror is never served from a stale cache --

MIRROR_TASK = """\
name: toy
description: A toy sentiment task for tests.
kind: classification
role: train
fields: [text]
labels: [negative, positive]
sources:
  - dataset: {dataset}
    configs: {{en: default}}
    split: train
    columns: {{text: sentence, label: label}}
    license: unknown
    verified: mirror
  - dataset: org/absent
    configs: {{de: de}}
    split: train
    columns: {{text: sentence, label: label}}
    license: unknown
    verified: mirror
examples:
  - {{text: "The film was a joy from start to finish.", label: positive}}
  - {{text: "A dull, lifeless plot with nothing to say.", label: negative}}
"""


def _registry(root: Path, dataset: str = "stanfordnlp/sst2"):
    from conftest import TOY_EN

    from stdata.registry import Registry

    task = root / "toy"
    task.mkdir(parents=True, exist_ok=True)
    (task / "task.yaml").write_text(MIRROR_TASK.format(dataset=dataset))
    (task / "en.yaml").write_text(TOY_EN)
    return Registry.load(root)


def _mirror(root: Path, word: str, n: int = 30, name: str = "stanfordnlp/sst2", mtime: float = 1_700_000_000) -> Path:
    """A one-config hub-layout dataset whose sentences all contain `word`; file times fixed (as `cp -p` keeps them)."""
    import datasets
    import pyarrow as pa

    folder = root / name
    (folder / "default").mkdir(parents=True, exist_ok=True)
    feats = datasets.Features({"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["negative", "positive"])})
    table = pa.Table.from_pylist([{"sentence": f"{word} review number {i}", "label": i % 2} for i in range(n)])
    meta = {b"huggingface": json.dumps({"info": {"features": feats.to_dict()}}).encode()}
    shard = folder / "default" / "train-00000-of-00001.parquet"
    pq.write_table(table.replace_schema_metadata(meta), shard)
    (folder / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: default/train-*.parquet\n---\n"
    )
    for f in (shard, folder / "README.md"):
        os.utime(f, (mtime, mtime))
    return root


def _toy_build(reg, out: Path, mirror, per_task_lang: int = 20) -> Manifest:
    from stdata.build import BuildOptions, build_corpus

    opts = BuildOptions(out=out, langs="en,de", tasks="toy", data_dir=mirror, per_task_lang=per_task_lang, command=["t"])
    return build_corpus(opts, reg)


def test_class3_a_dataset_path_out_of_the_mirror_is_refused_by_validate(tmp_path):
    from stdata.validate import validate_paths

    for bad in ("../leak", "org/..", "./x", "a/b/c", "/etc/x"):
        reg = _registry(tmp_path / bad.replace("/", "_").replace(".", "d"), dataset=bad)
        problems = [p for p in reg.problems if p.code == "invalid" and "not a hub id" in p.message]
        assert problems and problems[0].line == 8, (bad, reg.problems)
        assert any("not a hub id" in p.message for p in validate_paths([reg.root / "toy" / "task.yaml"]))


def _mirror_linking_outside(tmp_path: Path) -> Path:
    """A mirror whose stanfordnlp/sst2 is a symbolic link to a dataset of "secret" rows outside it."""
    _mirror(tmp_path / "outside", "secret")
    mirror = tmp_path / "mirror"
    (mirror / "stanfordnlp").mkdir(parents=True)
    (mirror / "stanfordnlp" / "sst2").symlink_to(tmp_path / "outside" / "stanfordnlp" / "sst2")
    return mirror


def test_class3_nothing_is_read_outside_the_mirror_symlinks_included(tmp_path):
    reg = _registry(tmp_path / "reg")
    mirror = _mirror_linking_outside(tmp_path)
    with pytest.raises(StdataError, match="resolves outside the mirror"):
        _toy_build(reg, tmp_path / "c", mirror)
    (mirror / "stanfordnlp" / "sst2").unlink()
    _mirror(mirror, "public")  # a card whose data_files climb out of the mirror
    (mirror / "stanfordnlp" / "sst2" / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n"
        f"    path: {os.path.relpath(tmp_path / 'outside' / 'stanfordnlp' / 'sst2' / 'default', mirror / 'stanfordnlp' / 'sst2')}/*.parquet\n---\n"
    )
    with pytest.raises(StdataError, match="outside the mirror"):
        _toy_build(reg, tmp_path / "c", mirror)
    assert not (tmp_path / "c").exists()


def test_class5_an_edited_mirror_is_never_served_from_the_cache(tmp_path):
    reg = _registry(tmp_path / "reg")
    mirror = _mirror(tmp_path / "mirror", "old")
    first = _toy_build(reg, tmp_path / "c", mirror)
    assert all("old" in s for s in load_corpus(tmp_path / "c")["train"]["statement"])
    _mirror(mirror, "new")  # edited in place, same size class, the same mtime
    second = _toy_build(reg, tmp_path / "c", mirror)
    assert all("new" in s for s in load_corpus(tmp_path / "c")["train"]["statement"])
    assert second.fingerprint != first.fingerprint


def test_class5_a_second_mirror_with_a_dataset_of_the_same_name_is_read_itself(tmp_path):
    reg = _registry(tmp_path / "reg")
    _toy_build(reg, tmp_path / "a", _mirror(tmp_path / "m1", "first"))
    _toy_build(reg, tmp_path / "b", _mirror(tmp_path / "m2", "second"))
    assert all("second" in s for s in load_corpus(tmp_path / "b")["train"]["statement"])


def test_class5_the_fingerprint_does_not_depend_on_how_the_data_dir_is_spelled(tmp_path, monkeypatch):
    reg = _registry(tmp_path / "reg")
    _mirror(tmp_path / "m", "same")
    (tmp_path / "link").symlink_to(tmp_path / "m")
    monkeypatch.chdir(tmp_path / "reg")
    prints = set()
    for i, spelling in enumerate(["../m", str(tmp_path / "m"), str(tmp_path / "m") + "/", "../link", "./../reg/../m"]):
        m = _toy_build(reg, tmp_path / f"c{i}", spelling)
        assert [x.reason for x in m.missing] == ["missing-data"]  # org/absent for de: its message names no path
        prints.add(m.fingerprint)
    assert len(prints) == 1


def test_class3_validate_data_dir_reads_labels_only_inside_the_mirror(tmp_path):
    """`templates validate --data-dir` (check_data) goes through the same containment as the build."""
    from stdata.validate import check_data

    reg = _registry(tmp_path / "reg")
    mirror = _mirror_linking_outside(tmp_path)
    found = check_data(reg, mirror)
    assert found.checked == 0 and [p.code for p in found.problems] == ["source-data"]
    assert "resolves outside the mirror" in found.problems[0].message and str(tmp_path) not in found.problems[0].message
    (mirror / "stanfordnlp" / "sst2").unlink()
    _mirror(mirror, "inside")
    assert check_data(reg, mirror).checked == 1


def test_class5_a_source_folder_is_read_where_it_is_and_never_from_a_stale_cache(tmp_path):
    """`eval --source TASK=FOLDER` is the user's own choice (no containment), and keyed by content like a mirror."""
    from stdata.sources import load_rows, parse_override

    reg = _registry(tmp_path / "reg")
    folder = _mirror(tmp_path / "mine", "old") / "stanfordnlp" / "sst2"
    override = parse_override(f"toy={folder}")
    first = load_rows(reg.tasks["toy"], "en", _mirror(tmp_path / "mirror", "mirrored"), override=override)
    assert first is not None and all("old" in r["text"] for r in first.rows) and first.data_path == str(folder.resolve())
    _mirror(tmp_path / "mine", "new")  # edited in place, the same mtime
    second = load_rows(reg.tasks["toy"], "en", None, override=override)
    assert second is not None and all("new" in r["text"] for r in second.rows)
    assert second.fingerprint != first.fingerprint


# -- class 4: memory bombs and other limits -------------------------------------------------------------

BOMB_TASK = """\
name: {name}
description: A task holding one hostile template (test).
kind: classification
role: train
fields: [text]
labels: [negative, positive]
examples:
  - {{text: "The film was a joy from start to finish.", label: positive}}
  - {{text: "A dull, lifeless plot with nothing to say.", label: negative}}
"""


def _variant(statement: str) -> str:
    return (
        "variants:\n  - id: v\n    provenance: human\n    statements:\n"
        f"      negative: {json.dumps(statement)}\n      positive: 'The review \"{{{{ text }}}}\" is positive.'\n"
    )


#: The hostile files of the issue: name -> (en.yaml text, or None for a file made below; the problem code expected).
BOMBS = {
    "replace_chain": (_variant("{{ text" + '|replace("e","eeeeeeeeee")' * 40 + " }}"), "render-error"),  # 10**40 characters
    "replace_chain_2kb": (_variant("{{ text" + '|replace("e","eeeeeeeeee")' * 75 + " }}"), "too-deep"),  # the 2 KB
    "deep_jinja": (_variant("{% if text %}" * 120 + "x" + "{% endif %}" * 120), "too-deep"),
    "deep_parens": (_variant("{{ " + "(" * 500 + "text" + ")" * 500 + " }}"), "too-deep"),
    "many_nots": (_variant("{{ " + "not " * 900 + "text }}"), "too-deep"),
    "long_template": (_variant("x" * 5000), "too-long"),
    "self_ref": (_variant("{{ self }}"), "unsafe-attribute"),
    "alias_bomb": (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
        + "variants: *i\n",
        "too-large",
    ),
    "deep_yaml": ("variants: " + "[" * 5000 + "]" * 5000 + "\n", "too-deep"),
    "huge_file": (None, "too-large"),
}


def _bomb_registry(root: Path) -> Path:
    for name, (text, _) in BOMBS.items():
        task = root / name
        task.mkdir(parents=True)
        (task / "task.yaml").write_text(BOMB_TASK.format(name=name))
        if text is None:  # a 50 MB template file: refused by its size, never read
            with open(task / "en.yaml", "wb") as f:
                f.truncate(50 * 1024 * 1024)
        else:
            (task / "en.yaml").write_text(text)
    return root


def test_class4_every_bomb_is_one_line_and_validate_goes_on(tmp_path):
    from stdata.validate import validate_paths

    reg = _bomb_registry(tmp_path / "reg")
    assert len(BOMBS["alias_bomb"][0]) < 420
    problems = validate_paths([reg])
    for name, (_, code) in BOMBS.items():
        mine = [p for p in problems if p.task == name and p.severity == "error"]
        assert [p.code for p in mine] == [code], (name, mine)
        assert "\n" not in str(mine[0]) and mine[0].file.endswith(f"{name}/en.yaml")


def test_class4_validate_of_the_bombs_stays_in_bounded_memory(tmp_path):
    """In a child process (its peak RSS is measured, not timed): main reached 21.5 GB on the replace chain."""
    import resource

    reg = _bomb_registry(tmp_path / "reg")
    proc = subprocess.run([sys.executable, "-m", "stdata.cli.app", "templates", "validate", str(reg)],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "FAILED" in proc.stderr and len([ln for ln in proc.stderr.splitlines() if "error[" in ln]) == len(BOMBS)
    assert peak_mb < 1500, peak_mb


def test_class4_limits_hold_at_render_time_too():
    from stdata import render

    with pytest.raises(render.StatementTooLong):
        render.render("{{ text ~ text }}", {"text": "a" * 150_000})
    with pytest.raises(render.StatementTooLong):  # refused before the oversized text is made
        render.render('{{ text|replace("", text) }}', {"text": "b" * 20_000})
    assert render.render('{{ text|replace("a", "o") }}', {"text": "banana"}) == "bonono"


def test_class4_render_time_is_limited(monkeypatch):
    from stdata import render

    monkeypatch.setattr(render, "MAX_RENDER_SECONDS", -1.0)  # every statement is already late
    with pytest.raises(render.RenderError, match="longer than -1 s"):
        render.render("{{ text|upper }}", {"text": "x"})


# -- class 6: build refuses what validate refuses, and never writes a broken statement ------------------

BROKEN = {
    "missing-label": ("variants:\n  - id: v\n    provenance: human\n    statements:\n"
                      "      positive: 'The review \"{{ text }}\" is positive.'\n", None),
    "empty-render": ("variants:\n  - id: v\n    provenance: human\n    statements:\n"
                     "      negative: '{% if text == \"x\" %}no{% endif %}'\n      positive: 'The review \"{{ text }}\" is positive.'\n", None),
    "unsafe-attribute": ("variants:\n  - id: v\n    provenance: human\n    statements:\n"
                         "      negative: 'The review \"{{ text }}\" is negative. {{ self }}'\n"
                         "      positive: 'The review \"{{ text }}\" is positive.'\n", None),
    "label-words": ("variants:\n  - id: v\n    provenance: human\n    statement: 'The review \"{{ text }}\" is {{ label }}.'\n",
                    "variants:\n  - id: v\n    provenance: human\n    translated_from: {variant: v, hash: 'sha256:0000000000000000'}\n"
                    "    statement: 'Die Rezension \"{{ text }}\" ist {{ label }}, sagt der Kritiker heute.'\n"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_class6_build_refuses_a_registry_that_fails_validation(tmp_path, code):
    reg = _registry(tmp_path / "reg")
    en, de = BROKEN[code]
    (reg.root / "toy" / "en.yaml").write_text(en)
    if de:
        (reg.root / "toy" / "de.yaml").write_text(de)
    reg = type(reg).load(reg.root)
    with pytest.raises(StdataError, match=rf"fails validation .*\n.*error\[{code}\]"):
        _toy_build(reg, tmp_path / "c", _mirror(tmp_path / "m", "fine"))
    assert not (tmp_path / "c").exists() and not (tmp_path / ".c.partial").exists()


def test_class6_rows_that_render_empty_or_ambiguous_statements_are_skipped_and_counted(tmp_path):
    reg = _registry(tmp_path / "reg")
    (reg.root / "toy" / "en.yaml").write_text(
        "variants:\n  - id: v\n    provenance: human\n    statements:\n"
        "      negative: '{% if \"mute\" in text %} {% else %}The review \"{{ text }}\" is negative.{% endif %}'\n"
        "      positive: '{% if \"same\" in text %}The review \"{{ text }}\" is negative.{% else %}The review \"{{ text }}\" is positive.{% endif %}'\n"
    )  # fmt: skip
    reg = type(reg).load(reg.root)
    mirror = _mirror(tmp_path / "m", "fine")
    import pyarrow as pa

    shard = mirror / "stanfordnlp" / "sst2" / "default" / "train-00000-of-00001.parquet"
    t = pq.read_table(shard)
    words = ["fine"] * 24 + ["mute"] * 3 + ["same"] * 3
    t = t.set_column(0, "sentence", pa.array([f"{w} review number {i}" for i, w in enumerate(words)]))
    pq.write_table(t, shard)
    m = _toy_build(reg, tmp_path / "c", mirror, per_task_lang=60)  # more than the rows: every row is tried
    assert m.skipped == {"empty statement": 3, "true and false statements are the same": 3}
    ds = load_corpus(tmp_path / "c")["train"]
    assert all(s.strip() for s in ds["statement"]) and not any("mute" in s or "same" in s for s in ds["statement"])


# -- class 7: the command line's contract ------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bogus"], "No such option: --bogus"),
        (["nosuchcmd"], "No such command 'nosuchcmd'"),
        (["build"], "Missing option '--out'"),
        (["build", "--out", "x", "--per-task-lang", "abc"], "Invalid value for '--per-task-lang'"),
        (["templates", "validate", "--nope"], "No such option: --nope"),
    ],
)
def test_class7_usage_errors_exit_2_with_clicks_message_and_a_hint(args, message, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 2, err
    assert message in err and "Try 'stdata" in err and "--help' for help." in err
    assert "internal error" not in err and "Traceback" not in err


def test_class7_version(monkeypatch, capsys):
    from stdata import __version__

    code, out, _ = run_cli(["--version"], monkeypatch, capsys)
    assert code == 0 and out.strip() == f"stdata {__version__}"


@pytest.mark.parametrize("text", ["[/bold]", "[/x]", "[bold red]x", "^[a-z]*$"])
def test_class7_user_text_is_never_read_as_markup(text, toy_registry, monkeypatch, capsys):
    code, _, err = run_cli(["--templates", str(toy_registry), "templates", "show", text], monkeypatch, capsys)
    assert code == 2 and f"unknown task {text!r}" in err and "Traceback" not in err
    monkeypatch.chdir(toy_registry)
    code, _, err = run_cli(["--templates", str(toy_registry), "build", "--out", "c", "--tasks", text], monkeypatch, capsys)
    assert code == 2 and text in err and "MarkupError" not in err


def test_class7_a_registry_key_that_looks_like_markup_prints_as_is(toy_registry, monkeypatch, capsys):
    (toy_registry / "toy" / "en.yaml").write_text(
        (toy_registry / "toy" / "en.yaml").read_text().replace("negative: 'The review", "'[/x]': 'The review", 1)
    )
    code, out, err = run_cli(["--templates", str(toy_registry), "templates", "validate"], monkeypatch, capsys)
    assert code == 1 and "'[/x]'" in out + err and "Traceback" not in err
    monkeypatch.chdir(toy_registry)
    code, out, err = run_cli(["--templates", str(toy_registry), "build", "--out", "c"], monkeypatch, capsys)  # the error printer
    assert code == 1 and "fails validation" in err and "'[/x]'" in err and "Traceback" not in err


#: Values the fuzz gives options and arguments: paths that are roots, parents, files or the test mirror,
#: numbers out of range, markup, unknown names, empty text.
FUZZ_VALUES = ["toy", "en", "de", "sw", "all", "25", "1", "0", "-1", "7", "abc", "../m", "out", "c", "/", "..", "",
               " ", "[/bold]", "[x]", "^[a-z]*$", "pseudo", "pseudo?faults=drop", "deepl", "hf:x", "tpu9", "x,y", "é",
               "a/b", "../leak", "--help"]  # fmt: skip


def _fuzz_commands() -> list[tuple[list[str], list[tuple[str, bool, bool]], int]]:
    """Every leaf command of the CLI: (its path, its options (name, is a flag, is required), how many arguments)."""
    import typer.main
    from stdata.cli.app import app

    out = []

    def walk(cmd, path):
        if getattr(cmd, "commands", None):
            for name, sub in sorted(cmd.commands.items()):
                walk(sub, [*path, name])
            return
        opts = [(p.opts[0], bool(p.is_flag), bool(p.required)) for p in cmd.params if p.param_type_name == "option"]
        out.append((path, [o for o in opts if o[0] != "--help"], sum(p.param_type_name == "argument" for p in cmd.params)))

    walk(typer.main.get_command(app), [])
    return out


def _fuzz_args():
    """Argument lists: a real command with some of its own options and hostile values, or a soup of words."""
    from hypothesis import strategies as st

    commands = _fuzz_commands()
    known = st.sampled_from(FUZZ_VALUES)
    value = st.one_of(known, known, known, st.text(max_size=6))  # mostly values that reach the library

    @st.composite
    def command(draw):
        path, opts, nargs = draw(st.sampled_from(commands))
        args = [*path, *(draw(value) for _ in range(draw(st.integers(nargs, nargs + 1))))]
        chosen = [o for o in opts if o[2]] + (draw(st.lists(st.sampled_from(opts), max_size=4, unique=True)) if opts else [])
        for name, flag, _ in dict.fromkeys(chosen):
            args += [name] if flag else [name, draw(value)]
        return args

    words = [w for c, _, _ in commands for w in c] + [o[0] for _, opts, _ in commands for o in opts] + FUZZ_VALUES
    soup = st.lists(st.sampled_from(sorted(set(words))) | st.text(max_size=6), max_size=6)
    return st.one_of(command(), command(), command(), soup)


def test_class7_fuzz_never_an_internal_error_or_a_traceback(toy_registry, tmp_path, monkeypatch, capsys):
    """Random argument lists (bounded, in-process): whatever they ask, never exit 3 and never a traceback."""
    from hypothesis import HealthCheck, given, settings

    work = tmp_path / "work"
    work.mkdir()
    _mirror(tmp_path / "m", "fuzz")
    monkeypatch.chdir(work)
    monkeypatch.setenv("STDATA_TEMPLATES", str(toy_registry))
    monkeypatch.setenv("STDATA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    codes = []

    @settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(_fuzz_args())
    def run(args):
        if args[:1] in (["train"], ["eval"]) and "--help" not in args:  # would load models: their errors are covered by class 8
            args = ["--version"]
        code, out, err = run_cli(args, monkeypatch, capsys)
        codes.append(code)
        assert code != 3, (args, err)
        assert "Traceback" not in out + err and "internal error" not in err, (args, err)

    run()
    assert {0, 1, 2} <= set(codes)  # the fuzz reached successes and failed checks, not only usage errors


# -- class 8: other errors that escaped as exit 3 or a traceback ------------------------------------------


def test_class8_a_broken_english_template_does_not_stop_validate_of_other_files(toy_registry):
    from stdata.validate import validate_paths

    task = toy_registry / "toy"
    (task / "en.yaml").write_text((task / "en.yaml").read_text().replace("{{ text }}", "{{ text ", 1))
    (task / "de.yaml").write_text(
        "variants:\n  - id: opinion\n    provenance: human\n    statements:\n"
        "      negative: 'Die Rezension \"{{ text }}\" drückt eine negative Meinung über den Film aus.'\n"
        "      positive: 'Die Rezension \"{{ text }}\" drückt eine positive Meinung über den Film aus.'\n"
        "  - id: opinon\n    provenance: human\n    statements:\n      positive: 'x {{ text }}'\n"
    )  # fmt: skip
    problems = validate_paths([toy_registry])
    assert any(p.code == "jinja-syntax" and p.file.endswith("toy/en.yaml") and p.line == 6 for p in problems), problems
    assert any(p.code == "missing-label" and p.file.endswith("toy/de.yaml") for p in problems)  # the German file was checked too


def test_class8_a_dangling_symlink_is_one_problem(toy_registry):
    from stdata.validate import validate_paths

    (toy_registry / "toy" / "de.yaml").symlink_to(toy_registry / "nowhere.yaml")
    problems = validate_paths([toy_registry])
    assert [(p.code, Path(p.file).name) for p in problems if p.severity == "error"] == [("unreadable", "de.yaml")]


@pytest.mark.parametrize("errno_, text", [(28, "No space left on device"), (30, "Read-only file system")])
def test_class8_a_full_or_read_only_disk_is_one_line_and_keeps_the_old_corpus(tmp_path, monkeypatch, capsys, errno_, text):
    import stdata.corpus as corpus

    reg = _registry(tmp_path / "reg")
    mirror = _mirror(tmp_path / "m", "disk")
    out = tmp_path / "c"
    first = _toy_build(reg, out, mirror)
    real = corpus.write_parquet

    def full(table, path):
        if ".writing-" in str(path):
            raise OSError(errno_, os.strerror(errno_), str(path))
        return real(table, path)

    monkeypatch.setattr(corpus, "write_parquet", full)
    args = ["--templates", str(reg.root), "build", "--out", str(out), "--tasks", "toy", "--langs", "en", "--data-dir", str(mirror),
            "--per-task-lang", "24"]  # fmt: skip
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 1 and text in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2, err
    assert read_manifest(out).fingerprint == first.fingerprint
    assert not list(tmp_path.glob(".c.writing-*"))


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    from tiny_models import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("models") / "bert")


def test_class8_corrupt_weights_image_models_and_unknown_devices_are_one_line(tiny_bert, tmp_path):
    import shutil

    from transformers import ViTConfig, ViTForImageClassification

    from stdata.model import load_scorer

    corrupt = tmp_path / "corrupt"
    shutil.copytree(tiny_bert, corrupt)
    (corrupt / "model.safetensors").write_bytes(b"not a safetensors file" * 4)
    with pytest.raises(StdataError, match="cannot load .* as a sequence classifier: SafetensorError"):
        load_scorer(corrupt, device="cpu")
    vit = tmp_path / "vit"
    cfg = ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, image_size=32, patch_size=8)
    ViTForImageClassification(cfg).save_pretrained(vit)
    with pytest.raises(StdataError, match=r"model type \(vit\) is not a text sequence classifier"):
        load_scorer(vit, device="cpu")
    with pytest.raises(UsageError, match="'tpu9' is not a device name"):
        load_scorer(tiny_bert, device="tpu9")


def test_class8_eval_with_an_unknown_device_fails_before_loading(tiny_bert, tmp_path, monkeypatch, capsys):
    code, _, err = run_cli(["eval", "--model", str(tiny_bert), "--out", str(tmp_path / "r"), "--device", "tpu9"], monkeypatch, capsys)
    assert code == 2 and "'tpu9' is not a device name" in err and "Traceback" not in err


# -- class 10 (continued): loading a tuned model is quiet ------------------------------------------------


def test_class10_loading_an_adapter_over_a_headless_base_prints_no_load_report(tiny_bert, tmp_path, capfd):
    from transformers import AutoModel, AutoTokenizer

    from stdata.model import load_scorer
    from stdata.train import TrainOptions, train

    base = tmp_path / "base"  # an encoder without a classification head, as hub base models are
    AutoModel.from_pretrained(tiny_bert).save_pretrained(base)
    AutoTokenizer.from_pretrained(tiny_bert).save_pretrained(base)
    corpus = tmp_path / "corpus"
    _corpus(corpus, n=16)
    res = train(
        TrainOptions(corpus=str(corpus), model=str(base), out=tmp_path / "m", method="lora", max_steps=2, eval_steps=2, batch_size=8)
    )
    capfd.readouterr()
    scorer = load_scorer(res.out, device="cpu")
    err = capfd.readouterr().err
    assert scorer.score(["statement 1 en"]).shape == (1,)
    assert "LOAD REPORT" not in err and "newly initialized" not in err and "Loading weights" not in err, err
    headless = load_scorer(base, device="cpu", true_index=1)  # scored with a seeded random head, and says so, quietly
    err = capfd.readouterr().err
    assert headless.untuned_head and "LOAD REPORT" not in err and "Loading weights" not in err, err


def test_class10_importing_bitsandbytes_after_stdata_is_silent():
    pytest.importorskip("bitsandbytes")
    proc = subprocess.run([sys.executable, "-c", "import stdata.evaluate, bitsandbytes"], capture_output=True, text=True)
    assert proc.returncode == 0 and "gemm_4bit_forward" not in proc.stderr, proc.stderr


def test_class8_a_corpus_with_an_empty_split_or_a_damaged_file_reads_or_fails_in_one_line(tmp_path):
    """A tiny --per-task-lang gives an empty validation split, which `load_from_disk` could not read (exit 3 in `stats`)."""
    out = tmp_path / "c"
    write_corpus(out, {"train": table_from_rows(_rows(4)), "validation": table_from_rows([])}, Manifest(), "# c\n")
    dd = load_corpus(out)
    assert dd["validation"].num_rows == 0 and dd["validation"].features == dd["train"].features
    next((out / "train").glob("*.arrow")).write_bytes(b"garbage")
    with pytest.raises(StdataError, match="cannot read corpus .*ArrowInvalid"):
        load_corpus(out)
