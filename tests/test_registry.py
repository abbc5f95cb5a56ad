"""Languages, the shipped registry, rendering previews and packaging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO, TOY_TASK

from stdata import languages
from stdata.catalog import list_templates, render_preview, show_task
from stdata.errors import UsageError
from stdata.registry import Registry
from stdata.render import RenderError, TemplateProblem, compile_template, render
from stdata.validate import check

TRAIN_TASKS = {"topic", "sentiment", "paraphrase", "translation", "extractive_qa", "mcqa", "headline", "intent", "wsd"}
EVAL_TASKS = {"xnli", "xcopa", "xstorycloze", "xwinograd"}


@pytest.fixture(scope="module")
def shipped() -> Registry:
    return Registry.load()


def test_presets_and_lists():
    assert languages.resolve("1") == ["en"]
    assert len(languages.resolve("11")) == 11 and len(languages.resolve("25")) == 25
    assert languages.resolve("de, eng ,de") == ["de", "en"]  # normalised, de-duplicated
    assert languages.resolve("all", ("de", "sw")) == ["de", "sw"]
    assert languages.info("sw").name == "Swahili" and languages.info("ja").script == "Jpan"


@pytest.mark.parametrize("code,hint", [("jp", "ja"), ("xx", None), ("German", "de")])
def test_unknown_language_gives_close_matches(code, hint):
    with pytest.raises(UsageError, match=f"unknown language code '{code}'") as e:
        languages.resolve(f"en,{code}")
    if hint:
        assert f"{hint} (" in str(e.value)


def test_shipped_registry_validates_and_has_every_task(shipped):
    problems = check(Registry.load())
    assert not [p for p in problems if p.severity == "error"], "\n".join(map(str, problems))
    assert TRAIN_TASKS <= set(shipped.tasks) and EVAL_TASKS <= set(shipped.tasks)
    for name in TRAIN_TASKS | EVAL_TASKS:
        t = shipped.tasks[name]
        assert t.spec.role.value == ("train" if name in TRAIN_TASKS else "eval")
        assert len(t.templates["en"].variants) >= 5, name
        assert t.spec.sources, name


def test_sources_verified_against_the_mirror_load_there(shipped, shared_hub):
    from stdata.sources import load_rows

    for t in shipped.tasks.values():
        for src in t.spec.sources:
            if src.verified != "mirror":
                continue
            lang = next(tag for tag, cfg in src.configs.items() if (shared_hub / src.dataset / cfg).is_dir())
            rows = load_rows(t, lang, shared_hub)
            assert rows.rows and rows.dataset == src.dataset, (t.name, lang)
            texts = t.candidates(t.templates["en"].variants[0], rows.rows[0], t.label_words("en"))
            assert all(texts)


def test_render_xcopa_estonian_rows_from_the_mirror(shipped, shared_hub):
    out = render_preview(shipped, "xcopa", "et", n=4, data_dir_path=shared_hub)
    assert out["origin"] == "cambridgeltl/xcopa et/validation" and len(out["rows"]) == 4
    first = out["rows"][0]["statements"]
    assert len(first) == 2 and sum(s["true"] for s in first) == 1
    assert "Mees keeras kraani lahti" in first[0]["text"]  # the real first Estonian premise


def test_render_inline_examples_and_pair_negative(shipped):
    out = render_preview(shipped, "translation", "en", n=2)
    assert out["origin"] == "inline examples"
    truths = [s["true"] for s in out["rows"][0]["statements"]]
    assert truths == [True, False]
    with pytest.raises(UsageError, match="no variant 'nope'"):
        render_preview(shipped, "xnli", "en", variant="nope")
    with pytest.raises(UsageError, match="unknown task 'xnil'; did you mean xnli"):
        render_preview(shipped, "xnil", "en")


def test_list_and_show(shipped):
    rows = list_templates(shipped, task="xnli")
    assert {r["lang"] for r in rows} >= {"en"} and all(r["task"] == "xnli" for r in rows)
    info = show_task(shipped, "xcopa")
    assert info["kind"] == "multiple_choice" and info["variants"]


def test_sandbox_refuses_ssti_at_render_time_too():
    for payload in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ self.__init__.__globals__ }}", "{{ cycler.__init__ }}"):
        with pytest.raises(TemplateProblem):
            render(payload, {})
    with pytest.raises(RenderError, match="lacks"):
        render("{{ premise }}", {})  # StrictUndefined: never empty text
    long = "x" * 100_000
    assert render("{{ t }}!", {"t": long}) == long + "!"  # never truncated
    assert compile_template("{{ t }}") is compile_template("{{ t }}")  # compiled once


def test_cli_json_outputs(tmp_path):
    cmd = [sys.executable, "-m", "stdata.cli.app"]
    langs = json.loads(subprocess.run([*cmd, "langs", "--json"], capture_output=True, text=True, check=True).stdout)
    assert [p["preset"] for p in langs] == ["1", "11", "25", "all"]
    listed = json.loads(subprocess.run([*cmd, "templates", "list", "--json"], capture_output=True, text=True, check=True).stdout)
    assert {r["task"] for r in listed} >= TRAIN_TASKS | EVAL_TASKS
    ok = subprocess.run([*cmd, "templates", "validate"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([*cmd, "templates", "render", "xnli", "--lang", "jp"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown language code 'jp'" in bad.stderr and "Traceback" not in bad.stderr


def test_wheel_ships_registry_under_stdata_namespace(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True
    )
    (wheel,) = tmp_path.glob("stdata-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "stdata/_templates/xnli/task.yaml" in names and "stdata/_templates/xnli/en.yaml" in names
    assert "stdata/cli/app.py" in names and not any(n.startswith("cli/") for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True, capture_output=True
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import stdata.registry as r; print(r.default_root()); print(len(r.Registry.load().tasks))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout.split()
    assert out[0].startswith(str(target)) and int(out[1]) >= 13


def test_coverage_says_why_each_empty_cell_is_empty(toy_registry, monkeypatch):
    from stdata.coverage import UNLISTED, coverage

    cov = coverage(Registry.load(), "25", count_rows=False)  # the shipped registry: every empty 25-preset cell is a declared gap
    empty = [c for c in cov["cells"] if c["source"] is None]
    assert empty and all(c["status"] == "gap" and c["gap"] and c["note"].endswith(c["gap"]) for c in empty)
    # every training task has English rows, so `build --mt-fill` can fill every gap
    assert cov["counts"] == {"source": 9 * 25 - len(empty), "gap": len(empty), "unlisted": 0, "mt_only": len(empty)}
    cells = {(c["task"], c["lang"]): c for c in cov["cells"]}
    assert "MASSIVE has no Ukrainian locale" in cells[("intent", "uk")]["gap"]
    assert cells[("translation", "en")]["source"] == "mteb/tatoeba-bitext-mining:epo-eng"

    (toy_registry / "toy" / "task.yaml").write_text(TOY_TASK.replace("examples:", "gaps: {fr: none on the hub}\nexamples:"))
    monkeypatch.setenv("STDATA_TEMPLATES", str(toy_registry))
    toy = {c["lang"]: c for c in coverage(Registry.load(), "en,de,fr", count_rows=False)["cells"]}
    assert [toy[x]["status"] for x in ("en", "de", "fr")] == ["source", "unlisted", "gap"]
    assert toy["de"]["note"] == UNLISTED and toy["fr"]["note"] == "no usable hub dataset: none on the hub"
