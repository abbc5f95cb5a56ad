"""Registry discovery and the contributor commands `templates new`, `add-lang` and `hash`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from clirun import run_cli
from conftest import REPO

from stdata import discovery
from stdata.problems import errors
from stdata.registry import Registry
from stdata.validate import validate_paths

FIXTURE_REG = REPO / "tests" / "fixtures" / "registry"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch) -> Path:
    """A contributor's clone: a `templates/` registry, the working directory a folder below it."""
    shutil.copytree(FIXTURE_REG, tmp_path / "clone" / "templates")
    (tmp_path / "clone" / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "clone" / "docs")
    return tmp_path / "clone"


def test_discovery_prefers_flag_then_env_then_checkout_then_installed(checkout, tmp_path, monkeypatch):
    found = discovery.find()
    assert found.root.resolve() == (checkout / "templates").resolve() and "nearest templates/" in found.why
    other = tmp_path / "other"
    shutil.copytree(FIXTURE_REG, other)
    monkeypatch.setenv("STDATA_TEMPLATES", str(other))
    assert discovery.find() == discovery.Found(other, "$STDATA_TEMPLATES")
    discovery.set_override(checkout / "templates")
    try:
        assert discovery.find().why == "--templates"
    finally:
        discovery.set_override(None)
    monkeypatch.delenv("STDATA_TEMPLATES")
    monkeypatch.chdir(tmp_path)  # no templates/ above: the installed registry
    assert discovery.find().why == "installed with stdata" and (discovery.find().root / "xnli" / "task.yaml").exists()


def test_every_command_names_its_registry_and_unknown_task_says_where_it_looked(checkout, monkeypatch, capsys):
    code, out, err = run_cli(["templates", "list", "--json"], monkeypatch, capsys)
    assert code == 0 and {r["task"] for r in json.loads(out)} == {"mc", "senti", "trans"}
    assert err.strip() == f"registry: {checkout / 'templates'} (nearest templates/ at or above the working directory)"
    code, out, err = run_cli(["templates", "render", "news_topic"], monkeypatch, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "unknown task 'news_topic'" in err and f"registry: {checkout / 'templates'}" in err
    code, out, err = run_cli(["--templates", "/no/such/registry", "templates", "list"], monkeypatch, capsys)
    assert code == 2 and "/no/such/registry (from --templates) is not a folder" in err
    code, out, err = run_cli(["templates", "validate"], monkeypatch, capsys)
    assert code == 0 and err.strip().endswith("(nearest templates/ at or above the working directory)"), err


@pytest.mark.parametrize(
    "args",
    [
        ["--kind", "classification", "--labels", "world,sports,business,science_technology"],
        ["--kind", "multiple_choice", "--num-choices", "3"],
        ["--kind", "pair", "--fields", "headline,article", "--partner-field", "headline"],
    ],
)
def test_new_task_scaffolds_files_that_validate(checkout, monkeypatch, capsys, args):
    code, out, err = run_cli(["templates", "new", "news_topic", *args, "--json"], monkeypatch, capsys)
    assert code == 0, err
    info = json.loads(out)
    assert info["registry"]["why"].startswith("nearest templates/")
    folder = checkout / "templates" / "news_topic"
    assert sorted(p.name for p in folder.iterdir()) == ["en.yaml", "task.yaml"]
    assert "# " in (folder / "task.yaml").read_text()  # comments say what to fill in
    assert validate_paths([folder]) == []
    t = Registry.load(checkout / "templates").require_clean().task("news_topic")
    assert t.spec.kind.value == args[1] and len(t.templates["en"].variants) == 1
    code, _, err = run_cli(["templates", "new", "news_topic", *args], monkeypatch, capsys)
    assert code == 2 and "exists already" in err


def test_new_task_usage_errors(checkout, monkeypatch, capsys):
    for args, msg in [
        (["News", "--kind", "pair"], "not a lower-case identifier"),
        (["x", "--kind", "regression"], "--kind must be one of"),
        (["x", "--kind", "classification"], "needs --labels"),
        (["x", "--kind", "pair", "--fields", "a"], "two or more --fields"),
    ]:
        code, _, err = run_cli(["templates", "new", *args], monkeypatch, capsys)
        assert code == 2 and msg in err and len(err.strip().splitlines()) == 1, err
    assert not (checkout / "templates" / "x").exists()


def test_add_lang_writes_every_english_id_with_its_hash_and_validation_lists_what_to_translate(checkout, monkeypatch, capsys):
    code, out, err = run_cli(["templates", "add-lang", "senti", "de", "--json"], monkeypatch, capsys)
    assert code == 0, err
    path = checkout / "templates" / "senti" / "de.yaml"
    draft = yaml.safe_load(path.read_text())
    english = Registry.load(checkout / "templates").task("senti").templates["en"]
    assert [v["id"] for v in draft["variants"]] == [v.id for v in english.variants] == json.loads(out)["variants"]
    for v, src in zip(draft["variants"], english.variants):
        assert v["translated_from"] == {"variant": src.id, "hash": src.content_hash}
        assert v["reviewed"] is False and v["statements"] == src.statements
    problems = validate_paths([path])
    assert {p.code for p in errors(problems)} == {"wrong-language"}  # only the English text is left to do
    code, _, err = run_cli(["templates", "hash", "senti", "--lang", "de", "--json"], monkeypatch, capsys)
    assert code == 0 and {r["status"] for r in json.loads(_)["variants"]} == {"current"}
    code, _, err = run_cli(["templates", "add-lang", "senti", "de"], monkeypatch, capsys)
    assert code == 2 and "exists already" in err
    code, _, err = run_cli(["templates", "add-lang", "senti", "en"], monkeypatch, capsys)
    assert code == 2 and "English is the source language" in err
    code, _, err = run_cli(["templates", "add-lang", "senti", "xx-nonsense"], monkeypatch, capsys)
    assert code == 2 and "unknown language code" in err


def test_add_lang_gives_label_words_for_label_slot_statements(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["templates", "new", "tone", "--kind", "classification", "--labels", "calm,angry"], monkeypatch, capsys)
    assert code == 2 and "installed copy" in err  # outside a checkout nothing is written into the installed registry
    (tmp_path / "templates").mkdir()
    monkeypatch.setenv("STDATA_TEMPLATES", str(tmp_path / "templates"))
    assert run_cli(["templates", "new", "tone", "--kind", "classification", "--labels", "calm,angry"], monkeypatch, capsys)[0] == 0
    assert run_cli(["templates", "add-lang", "tone", "fr"], monkeypatch, capsys)[0] == 0
    draft = yaml.safe_load((tmp_path / "templates" / "tone" / "fr.yaml").read_text())
    assert draft["label_words"] == {"calm": "calm", "angry": "angry"}


def test_hash_reports_stale_missing_and_untracked(checkout, monkeypatch, capsys):
    reg = checkout / "templates" / "senti"
    assert run_cli(["templates", "add-lang", "senti", "fr"], monkeypatch, capsys)[0] == 0
    en = reg / "en.yaml"
    en.write_text(en.read_text().replace("is negative.", "is a negative one."))
    fr = yaml.safe_load((reg / "fr.yaml").read_text())
    del fr["variants"][1]["translated_from"]
    (reg / "fr.yaml").write_text(yaml.safe_dump(fr))
    code, out, _ = run_cli(["templates", "hash", "senti", "--lang", "fr", "--json"], monkeypatch, capsys)
    assert code == 0
    assert [r["status"] for r in json.loads(out)["variants"]] == ["stale", "untracked"]
    code, out, _ = run_cli(["templates", "hash", "senti", "--lang", "it", "--json"], monkeypatch, capsys)
    assert code == 0
    assert [r["status"] for r in json.loads(out)["variants"]] == ["missing", "missing"]
    english = Registry.load(checkout / "templates").task("senti").templates["en"]
    code, out, _ = run_cli(["templates", "hash", "senti"], monkeypatch, capsys)
    assert code == 0 and all(v.content_hash in out for v in english.variants)


def test_writing_commands_refuse_the_installed_copy(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "lib" / "site-packages" / "stdata" / "_templates"
    shutil.copytree(FIXTURE_REG, fake)
    code, _, err = run_cli(["--templates", str(fake), "templates", "add-lang", "senti", "de"], monkeypatch, capsys)
    assert code == 2 and "installed copy" in err and not (fake / "senti" / "de.yaml").exists()
