"""`stdata templates diff`: changed files against a git ref, validated, rendered before and after."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from clirun import run_cli
from conftest import REPO

from stdata.review import md_escape

FIXTURE_REG = REPO / "tests" / "fixtures" / "registry"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path, registry: Path) -> Path:
    shutil.copytree(registry, path / "templates")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "base")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    r = make_repo(tmp_path / "clone", FIXTURE_REG)
    monkeypatch.chdir(r)
    return r


def test_done_when_add_lang_diff_md_and_validate_without_any_environment_variable(tmp_path, monkeypatch, capsys):
    """Issue 11: in a fresh clone, add a language with add-lang, see it with diff --format md, validate passes."""
    assert "STDATA_TEMPLATES" not in os.environ
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "templates", clone / "templates")
    translated = yaml.safe_load((clone / "templates" / "paraphrase" / "de.yaml").read_text())
    (clone / "templates" / "paraphrase" / "de.yaml").unlink()  # the clone has no German paraphrase variants yet
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "registry")
    monkeypatch.chdir(clone)

    code, out, err = run_cli(["templates", "add-lang", "paraphrase", "de"], monkeypatch, capsys)
    assert code == 0, err
    assert "registry: templates (nearest templates/ at or above the working directory)" in err
    draft_path = clone / "templates" / "paraphrase" / "de.yaml"
    draft = yaml.safe_load(draft_path.read_text())
    # the contributor translates every statement (here: the German text the repository has), nothing else
    german = {v["id"]: v for v in translated["variants"]}
    for v in draft["variants"]:
        v["statements"] = german[v["id"]]["statements"]
    draft_path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False))

    code, md, err = run_cli(["templates", "diff", "--format", "md", "--rows", "2"], monkeypatch, capsys)
    assert code == 0, md + err
    assert "| `paraphrase/de.yaml` | added |" in md and "✅ 0 error(s)" in md
    first = german[draft["variants"][0]["id"]]["statements"]["paraphrase"].split("{{")[0].strip()
    assert md.count("| — |") >= 4 and md_escape(first) in md  # before: nothing; after: the German statements
    assert "| 1 | ✔ true | — |" in md and "| ✘ false | — |" in md

    code, out, err = run_cli(["templates", "validate", "templates/paraphrase/de.yaml"], monkeypatch, capsys)
    assert code == 0 and "OK: 0 error(s)" in out, out + err
    assert "STDATA_TEMPLATES" not in os.environ


def test_changed_english_variant_is_shown_before_and_after_with_stale_translations(repo, monkeypatch, capsys):
    assert run_cli(["templates", "add-lang", "senti", "fr"], monkeypatch, capsys)[0] == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "fr")
    en = repo / "templates" / "senti" / "en.yaml"
    en.write_text(en.read_text().replace("is positive.", "is a positive one."))
    code, out, err = run_cli(["templates", "diff", "--format", "json"], monkeypatch, capsys)
    assert code == 0, err  # the French draft (English text, an error) did not change: it is not validated
    report = json.loads(out)
    assert [f["path"] for f in report["files"]] == ["senti/en.yaml"] and report["registry"]["why"].startswith("nearest")
    (pv,) = report["previews"]
    (v,) = pv["variants"]
    assert v["id"] == "a" and v["status"] == "changed"
    row = next(i for i, r in enumerate(v["after"]["rows"]) if "positive one" in r["true"] + r["false"])
    before, after = v["before"]["rows"][row], v["after"]["rows"][row]
    assert before["true"] != after["true"] or before["false"] != after["false"]
    assert report["stale"] == [{"task": "senti", "variant": "a", "langs": ["fr"]}]
    assert report["base"]["ref"] == "HEAD" and len(report["base"]["base"]) == 40


def test_validation_covers_only_changed_files_and_errors_exit_1(repo, monkeypatch, capsys):
    mc = repo / "templates" / "mc" / "en.yaml"
    mc.write_text(mc.read_text() + "  - id: broken\n    provenance: human\n    statement: '{{ nope }} {{ choice }}'\n")
    code, out, _err = run_cli(["templates", "diff"], monkeypatch, capsys)
    assert code == 1 and "unknown-field" in out and "mc/en.yaml" in out
    assert "senti" not in out  # untouched tasks are neither validated nor rendered


def test_untracked_and_removed_files_and_branches_compare_with_their_merge_base(repo, monkeypatch, capsys):
    git(repo, "checkout", "-qb", "feature")
    shutil.rmtree(repo / "templates" / "trans")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "drop trans")
    git(repo, "checkout", "-q", "main")
    senti = repo / "templates" / "senti" / "en.yaml"
    senti.write_text(senti.read_text().replace("is negative.", "is a negative one."))
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "checkout", "-q", "feature")
    assert run_cli(["templates", "add-lang", "mc", "de"], monkeypatch, capsys)[0] == 0  # untracked
    code, out, err = run_cli(["templates", "diff", "--base", "main", "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    files = {f["path"]: f["status"] for f in json.loads(out)["files"]}
    assert files == {"mc/de.yaml": "added", "trans/en.yaml": "removed", "trans/task.yaml": "removed"}  # not main's senti change


def test_markdown_escapes_what_templates_and_rows_contain():
    assert md_escape("a | b") == "a \\| b"
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_escape("[x](javascript:y) @team **b**") == "\\[x\\](javascript:y) &#64;team \\*\\*b\\*\\*"
    assert md_escape("two\nlines") == "two lines"


def test_usage_errors(repo, tmp_path, monkeypatch, capsys):
    code, _, err = run_cli(["templates", "diff", "--base", "no-such-ref"], monkeypatch, capsys)
    assert code == 2 and "unknown git ref 'no-such-ref'" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(["templates", "diff", "--format", "html"], monkeypatch, capsys)
    assert code == 2
    shutil.copytree(FIXTURE_REG, tmp_path / "plain" / "templates")
    monkeypatch.chdir(tmp_path / "plain")
    code, _, err = run_cli(["templates", "diff"], monkeypatch, capsys)
    assert code == 2 and "not inside a git repository" in err
