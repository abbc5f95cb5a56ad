"""The translation cache and runner: each unique segment sent once, committed per batch, kill -9 safe."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stdata.translate.cache import Cache
from stdata.translate.engines import Engine, FatalEngineError, Limits, make_engine
from stdata.translate.runner import Runner

sys.path.insert(0, str(Path(__file__).parent))
from test_translate_templates import TASKS


class Recorder(Engine):
    """Upper-cases text and remembers every call."""

    name = "recorder"

    def __init__(self, limits=Limits(batch=3, attempts=2, backoff=0.0), fail: type | None = None):
        self.limits = limits
        self.calls: list[tuple[str, str, list[str]]] = []
        self.fail = fail

    def translate_batch(self, texts, source, target):
        self.calls.append((source, target, list(texts)))
        if self.fail:
            raise self.fail("boom")
        return [t.upper() for t in texts]


def test_unique_segments_are_sent_once_grouped_by_language_pair(tmp_path):
    eng, cache = Recorder(), Cache(tmp_path / "c.sqlite")
    items = [("en", "de", "a"), ("en", "sw", "a"), ("en", "de", "b"), ("en", "de", "a"), ("en", "de", "c"), ("en", "de", "d")]
    runner = Runner(eng, cache)
    answers = runner.translate(items)
    assert eng.calls == [("en", "de", ["a", "b", "c"]), ("en", "de", ["d"]), ("en", "sw", ["a"])]
    assert answers[("en", "de", "a")].text == "A" and answers[("en", "sw", "a")].text == "A"
    s = runner.stats.as_dict()
    assert (s["segments"], s["unique"], s["sent"], s["engine_calls"], s["cache_hits"]) == (6, 5, 5, 3, 0)
    again = Runner(eng, cache)
    assert again.translate(items)[("en", "de", "d")].cached
    assert again.stats.engine_calls == 0 and again.stats.cache_hits == 5 and len(eng.calls) == 3


def test_cache_keys_separate_engines_models_and_languages(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    cache.put_many("google", "", "en", "de", [("Hello", "Hallo")])
    assert cache.get_many("google", "", [("en", "de", "Hello")]) == {("en", "de", "Hello"): "Hallo"}
    for engine, model, tgt in (("deepl", "", "de"), ("google", "x", "de"), ("google", "", "fr")):
        assert cache.get_many(engine, model, [("en", tgt, "Hello")]) == {}
    assert cache.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rate_limit_and_character_limit():
    waits: list[float] = []
    eng = Recorder(Limits(batch=1, rate=2.0, chars=10, attempts=1))
    runner = Runner(eng, Cache.memory(), sleep=waits.append)
    answers = runner.translate([("en", "de", t) for t in ("one", "two", "three", "x" * 11)])
    assert len(eng.calls) == 3 and len(waits) == 2 and all(0.3 < w <= 0.5 for w in waits)
    assert "takes at most 10" in answers[("en", "de", "x" * 11)].error


def test_a_fatal_error_stops_sending_and_repeated_failures_give_up():
    class Auth(FatalEngineError):
        pass

    eng = Recorder(Limits(batch=1, attempts=3, backoff=0.0), fail=Auth)
    runner = Runner(eng, Cache.memory())
    answers = runner.translate([("en", "de", t) for t in "abcd"])
    assert len(eng.calls) == 1 and runner.fatal  # not retried, nothing more sent
    assert "not sent after a fatal engine error" in answers[("en", "de", "d")].error
    eng = Recorder(Limits(batch=1, attempts=2, backoff=0.0, give_up=2), fail=RuntimeError)
    runner = Runner(eng, Cache.memory())
    runner.translate([("en", "de", t) for t in "abcd"])
    assert len(eng.calls) == 4 and runner.stats.retries == 2 and "2 batches in a row failed" in runner.fatal


def test_libre_takes_a_custom_url_and_keys_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("LIBRE_API_KEY", raising=False)
    eng = make_engine("libre?url=http://localhost:5000/&timeout=3")
    eng.check("en", ["de"])  # a self-hosted server needs no key
    assert eng.kwargs["custom_url"] == "http://localhost:5000/" and eng.limits.timeout == 3
    assert "api_key" not in eng.model  # keys never reach the cache key
    monkeypatch.setenv("DEEPL_API_KEY", "secret")
    deepl = make_engine("deepl?free=0")
    deepl.check("en", ["de", "zh"])
    assert deepl.kwargs == {"use_free_api": False, "api_key": "secret"}


KILL_SCRIPT = r"""
import sys
from stdata.translate.cache import Cache
from stdata.registry import Registry
from stdata.translate.templates import translate_templates
translate_templates(Registry.load(), "de,sw,fr,es", all_tasks=True, engine=sys.argv[1], cache=Cache(sys.argv[2]))
"""


def test_kill_9_mid_run_leaves_the_cache_intact_and_the_rerun_repeats_no_call(tmp_path, monkeypatch):
    root = tmp_path / "templates"
    for name, (task, en) in TASKS.items():
        (root / name).mkdir(parents=True)
        (root / name / "task.yaml").write_text(task)
        (root / name / "en.yaml").write_text(en)
    monkeypatch.setenv("STDATA_TEMPLATES", str(root))
    db, log = tmp_path / "cache.sqlite", tmp_path / "calls.log"
    spec = f"pseudo?batch=1&delay=0.04&log={log}"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, spec, str(db)], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or log.read_text().count("\n") < 8):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(db)  # recovers the WAL left by the killed writer
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cached = {(t, x) for t, x in con.execute("SELECT target, text FROM translations")}
    con.close()
    assert len(cached) >= 7  # the committed batches survived
    assert not list(root.glob("*/de.yaml")) and not list(root.glob("*/.*tmp"))  # no half-written registry file
    from stdata.registry import Registry
    from stdata.translate.templates import translate_templates

    log.unlink()
    out = translate_templates(Registry.load(), "de,sw,fr,es", all_tasks=True, engine=f"pseudo?batch=1&log={log}", cache=Cache(db))
    sent = {tuple(line.split("\t", 1)) for line in log.read_text().splitlines()}
    assert not sent & cached  # nothing committed before the kill was asked again
    assert out["cache_hits"] == len(cached) and out["engine_calls"] == out["unique"] - len(cached) > 0  # killed mid-run
    assert out["written"] > 0 and out["failed"] == 0
    log.unlink()
    final = translate_templates(Registry.load(), "de,sw,fr,es", all_tasks=True, engine=f"pseudo?batch=1&log={log}", cache=Cache(db))
    assert final["engine_calls"] == 0 and not log.exists()


@pytest.mark.parametrize("spec", ["pseudo?batch=0", "pseudo?timeout=soon", "hf", "google:x"])
def test_bad_engine_specs_are_one_line_errors(spec):
    from stdata.translate.engines import EngineError

    with pytest.raises(EngineError):
        make_engine(spec)
