"""`stdata templates import promptsource`: real promptsource files become validating draft variants."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from clirun import run_cli
from conftest import REPO

from stdata.importers.promptsource import Prompt, Skip, _mapping, convert
from stdata.registry import Registry
from stdata.validate import validate_paths

EXAMPLE = REPO / "docs" / "examples" / "promptsource"
PEERS = (REPO.parent / "shared" / "peers" / "promptsource" / "promptsource" / "templates").resolve()


@pytest.fixture
def peers() -> Path:
    if not PEERS.is_dir():
        pytest.skip("../shared/peers/promptsource is not present")
    return PEERS


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The example registry's task.yaml files, without the imported en.yaml."""
    root = tmp_path / "templates"
    for task in (d for d in EXAMPLE.iterdir() if d.is_dir()):
        (root / task.name).mkdir(parents=True)
        shutil.copy2(task / "task.yaml", root / task.name / "task.yaml")
    return root


def run_import(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, dict, str]:
    code, out, err = run_cli(["--templates", str(root), "templates", "import", "promptsource", *args, "--json"], monkeypatch, capsys)
    return code, (json.loads(out) if code == 0 else {}), err


def test_xnli_prompts_become_one_statement_per_label_and_validate(peers, example, monkeypatch, capsys):
    code, report, err = run_import(
        example, monkeypatch, capsys, str(peers / "xnli" / "en"), "--task", "nli", "--label-names", "entailment,neutral,contradiction"
    )
    assert code == 0, err
    assert report["counts"] == {"prompts": 15, "imported": 15, "skipped": 0, "reasons": {}} and report["written"]
    path = example / "nli" / "en.yaml"
    assert validate_paths([path]) == []
    variants = {v.id: v for v in Registry.load(example).task("nli").templates["en"].variants}
    v = variants["take-the-following-as-truth"]
    assert v.origin == "promptsource:161036e2-c397-4def-a813-4a2be119c5d6" and v.reviewed is False and v.provenance == "human"
    assert v.statements["entailment"].endswith("inconclusive? True") and v.statements["neutral"].endswith("inconclusive? Inconclusive")
    assert v.statements["contradiction"].endswith("inconclusive? False") and "{{ premise }}" in v.statements["entailment"]
    # a re-import finds every uuid already there and changes nothing
    before = path.read_text()
    code, again, _ = run_import(
        example, monkeypatch, capsys, str(peers / "xnli" / "en"), "--task", "nli", "--label-names", "entailment,neutral,contradiction"
    )
    assert code == 0 and again["counts"]["imported"] == 0 and again["counts"]["reasons"] == {"already-imported": 15}
    assert path.read_text() == before


def test_every_skipped_prompt_has_one_reason(peers, example, monkeypatch, capsys):
    code, report, _ = run_import(example, monkeypatch, capsys, str(peers / "paws-x" / "en" / "templates.yaml"), "--task", "paraphrase")
    assert code == 0 and report["counts"]["imported"] == 11
    (skip,) = report["skipped"]
    assert skip["name"] == "paraphrase-task" and "original_task: false" in skip["reason"]
    code, report, _ = run_import(example, monkeypatch, capsys, str(peers / "super_glue" / "copa"), "--task", "copa", "--dry-run")
    assert code == 0 and report["counts"]["imported"] == 0 and len(report["skipped"]) == 12 and not report["written"]
    # every COPA prompt spells the options out in its input: by column, or as answer_choices[0] / [1]
    assert report["counts"]["reasons"] == {"choices-in-input": 5, "unmapped-column": 7}
    assert not (example / "copa" / "en.yaml").exists()


def test_dataset_names_are_found_in_the_installed_package_without_importing_it(peers, example, tmp_path, monkeypatch, capsys):
    pkg = tmp_path / "site" / "promptsource"
    (pkg / "templates" / "ag_news").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('promptsource must never be imported')\n")
    shutil.copy2(peers / "ag_news" / "templates.yaml", pkg / "templates" / "ag_news" / "templates.yaml")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    code, report, err = run_import(
        example, monkeypatch, capsys, "ag_news", "--task", "news_topic", "--label-names", "World,Sports,Business,Sci/Tech"
    )
    assert code == 0, err
    assert report["counts"]["imported"] == 7 and validate_paths([example / "news_topic" / "en.yaml"]) == []
    words = Registry.load(example).task("news_topic").templates["en"].variant("classify").statements
    assert words["science_technology"].endswith("Science and technology") and words["world"].endswith("World politics")
    code, _, err = run_import(example, monkeypatch, capsys, "no_such/dataset", "--task", "news_topic")
    assert code == 2 and "promptsource has no templates for 'no_such/dataset'" in err


def test_unknown_label_order_is_a_usage_error(peers, example, monkeypatch, capsys):
    code, _, err = run_import(example, monkeypatch, capsys, str(peers / "glue" / "sst2"), "--task", "sentiment")
    assert code == 2 and "--label-names" in err and len(err.strip().splitlines()) == 1


def test_object_tags_are_refused(tmp_path, example, monkeypatch, capsys):
    for tag in ("!!python/object/apply:os.system ['echo pwned']", "!Other {a: 1}"):
        bad = tmp_path / "templates.yaml"
        bad.write_text(f"dataset: x\ntemplates:\n  a: {tag}\n")
        code, _, err = run_import(example, monkeypatch, capsys, str(bad), "--task", "sentiment")
        assert code == 2 and "not a promptsource templates.yaml" in err, err


def _prompt(jinja: str, choices: str | None = "{{choice1}} ||| {{choice2}}", original: bool | None = True) -> Prompt:
    return Prompt("0000", "p", jinja, choices, original)


def test_conversion_keeps_conditions_and_refuses_what_is_not_a_statement(example):
    reg = Registry.load(example)
    copa = reg.task("copa")
    m = _mapping(copa, copa.spec.sources[0], None)
    ok = convert(
        _prompt(
            '{{ premise }} {% if question == "cause" %}This happened because{% else %}As a result,{% endif %} ||| {% if label != -1 %}{{ answer_choices[label] }}{% endif %}'
        ),
        m,
    )
    assert ok == {
        "statement": '{{ premise }} {% if question == "cause" %}This happened because{% else %}As a result,{% endif %} {{ choice }}'
    }
    for jinja, choices, original, code in [
        ("{{ premise }} ||| {{ answer_choices[label] }}", "{{choice1}} ||| {{choice2}}", False, "not-original-task"),
        ("Write a premise: ||| {{ premise }}", None, True, "free-generation"),
        ("{{ premise }} ||| {{ premise }}", "{{choice1}} ||| {{choice2}}", True, "target-not-a-choice"),
        ("{{ premise }} {{ idx }} ||| {{ answer_choices[label] }}", "{{choice1}} ||| {{choice2}}", True, "unmapped-column"),
        ("{{ premise.upper() }} ||| {{ answer_choices[label] }}", "{{choice1}} ||| {{choice2}}", True, "unsupported-jinja"),
        ("{{ premise }} ||| {{ answer_choices[label] }}", "{{choice2}} ||| {{choice1}}", True, "target-not-a-choice"),
        ("{{ premise }} {{ label }} ||| {{ answer_choices[label] }}", "{{choice1}} ||| {{choice2}}", True, "gives-answer-away"),
        ("{% for x in y %}{% endfor %} ||| {{ answer_choices[label] }}", "{{choice1}} ||| {{choice2}}", True, "unsupported-jinja"),
    ]:
        with pytest.raises(Skip) as skipped:
            convert(_prompt(jinja, choices, original), m)
        assert skipped.value.code == code, (jinja, str(skipped.value))
    news = reg.task("news_topic")
    m = _mapping(news, news.spec.sources[0], ["World", "Sports", "Business", "Sci/Tech"])
    out = convert(_prompt("{{text}} One of: {{ answer_choices | join(', ') }}? ||| {{ answer_choices[label] }}", "W ||| S ||| B ||| T"), m)
    assert out["sports"] == "{{ text }} One of: W, S, B, T? S"


def test_the_example_registry_validates_and_records_its_origins():
    assert validate_paths([EXAMPLE]) == []
    reg = Registry.load(EXAMPLE).require_clean()
    counts = {t.name: len(t.templates["en"].variants) for t in reg.tasks.values() if "en" in t.templates}
    assert counts == {"nli": 15, "paraphrase": 11, "news_topic": 7, "sentiment": 5}
    origins = [v.origin for t in reg.tasks.values() for ts in t.templates.values() for v in ts.variants]
    assert all(o and o.startswith("promptsource:") for o in origins)
    assert yaml.safe_load((EXAMPLE / "news_topic" / "task.yaml").read_text())["labels"] == [
        "world",
        "sports",
        "business",
        "science_technology",
    ]
