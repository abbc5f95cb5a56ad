"""`stdata translate templates` on a real registry copy with the offline `pseudo` engine and its faults."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from clirun import run_cli

from stdata.problems import errors
from stdata.registry import Registry
from stdata.render import compile_template
from stdata.translate.cache import Cache
from stdata.translate.engines import EngineError
from stdata.translate.templates import translate_templates
from stdata.validate import validate_paths

REPO = Path(__file__).resolve().parent.parent

TASKS = {
    "nli": (
        """\
name: nli
description: Natural language inference (test).
kind: classification
role: train
fields: [premise, hypothesis]
labels: [entailment, contradiction]
negatives: wrong_label
examples:
  - {premise: "A man is playing a guitar on stage.", hypothesis: "A man is making music.", label: entailment}
  - {premise: "The kitchen is empty and dark.", hypothesis: "A chef is cooking dinner in the kitchen.", label: contradiction}
""",
        """\
variants:
  - id: follows
    provenance: human
    reviewed: true
    statements:
      entailment: 'If "{{ premise }}" is true, then "{{ hypothesis }}" is also true.'
      contradiction: 'If "{{ premise }}" is true, then "{{ hypothesis }}" cannot be true.'
  - id: premise-says
    provenance: human
    statements:
      entailment: 'The sentence "{{ premise }}" means that {{ hypothesis | lower }}'
      contradiction: 'The sentence "{{ premise }}" means that it is false that {{ hypothesis | lower }}'
""",
    ),
    "cope": (
        """\
name: cope
description: Choose the cause or effect of a premise (test).
kind: multiple_choice
role: eval
fields: [premise, question]
num_choices: 2
negatives: other_choices
examples:
  - {premise: "The glass fell off the table.", question: effect, choices: ["It shattered.", "It was washed."], label: 0}
  - {premise: "The man turned on the light.", question: cause, choices: ["The room was dark.", "The room was bright."], label: 0}
""",
        """\
variants:
  - id: cause-effect
    provenance: human
    statement: >-
      {% if question == 'cause' %}{{ premise }} This happened because {{ choice | lower }}{% else %}{{ premise }} As a result of this, {{ choice | lower }}{% endif %}
  - id: plausible
    provenance: human
    statement: 'Given that {{ premise | lower }} the most plausible {{ question }} is that {{ choice | lower }}'
""",
    ),
    "topic": (
        """\
name: topic
description: News topic classification (test).
kind: classification
role: train
fields: [text]
labels: [sports, business, world]
label_words: {sports: sports, business: business and money, world: world news}
negatives: wrong_label
examples:
  - {text: "The team won the final match of the season.", label: sports}
  - {text: "Shares of the bank fell after the report.", label: business}
""",
        """\
variants:
  - id: about
    provenance: human
    statement: 'This news article is about {{ label }}: {{ text }}'
  - id: topic-is
    provenance: human
    statement: 'The topic of the news article "{{ text }}" is {{ label }}.'
""",
    ),
    "pairs": (
        """\
name: pairs
description: Translation pairs (test).
kind: pair
role: train
tags: [translation-pairs]
fields: [text, english]
partner_field: english
negatives: mismatched_partner
examples:
  - {text: "Guten Morgen, wie geht es dir?", english: "Good morning, how are you?"}
  - {text: "Das Haus ist sehr alt.", english: "The house is very old."}
""",
        """\
variants:
  - id: is-translation
    provenance: human
    statement: 'The English sentence "{{ english }}" is a translation of "{{ text }}".'
  - id: same-meaning
    provenance: human
    statement: '"{{ text }}" and "{{ english }}" have the same meaning in two different languages.'
""",
    ),
}
NO_LABEL_WORDS = "nli,cope,pairs"


@pytest.fixture
def reg(tmp_path, monkeypatch) -> Path:
    """A registry of four tasks (one per template shape) and a private translation cache."""
    root = tmp_path / "templates"
    for name, (task, en) in TASKS.items():
        (root / name).mkdir(parents=True)
        (root / name / "task.yaml").write_text(task)
        (root / name / "en.yaml").write_text(en)
    monkeypatch.setenv("STDATA_TEMPLATES", str(root))
    monkeypatch.setenv("STDATA_CACHE_DIR", str(tmp_path / "cache"))
    assert not errors(validate_paths([root])), validate_paths([root])
    return root


def _files(root: Path, lang: str) -> dict[str, str]:
    return {p.parent.name: p.read_text() for p in sorted(root.glob(f"*/{lang}.yaml"))}


def test_pseudo_writes_valid_variants_and_a_rerun_makes_no_engine_calls(reg):
    out = translate_templates(Registry.load(), "de,sw", all_tasks=True, engine="pseudo")
    assert (out["rejected"], out["failed"]) == (0, 0), out["rejections"] + out["failures"]
    assert out["written"] == 16 and len(out["files"]) == 8
    assert out["engine_calls"] >= 1 and out["cache_hits"] == 0 and out["sent"] == out["unique"]
    problems = validate_paths([reg])
    assert not errors(problems), problems
    assert not [p for p in problems if p.code == "stale-translation"]
    registry = Registry.load(reg)
    for task in registry.tasks.values():
        en = task.templates["en"]
        for lang in ("de", "sw"):
            ts = task.templates[lang]
            assert [v.id for v in ts.variants] == [v.id for v in en.variants]
            for v in ts.variants:
                src = en.variant(v.id)
                assert (v.provenance, v.reviewed) == ("mt:pseudo", False)
                assert (v.translated_from.variant, v.translated_from.hash) == (v.id, src.content_hash)
                for slot, text in v.templates.items():
                    assert compile_template(text).variables == compile_template(src.templates[slot]).variables
                    assert text != src.templates[slot]
    first = _files(reg, "de") | {k + "/sw": v for k, v in _files(reg, "sw").items()}
    again = translate_templates(Registry.load(), "de,sw", all_tasks=True, engine="pseudo")
    assert again["engine_calls"] == 0 and again["sent"] == 0
    assert (again["written"], again["unchanged"], again["files"]) == (0, 16, [])  # same text: files not touched
    assert again["cache_hits"] == again["unique"] > 0
    assert _files(reg, "de") | {k + "/sw": v for k, v in _files(reg, "sw").items()} == first  # byte-identical
    assert not list(reg.glob("*/.*tmp"))  # atomic writes leave nothing behind


def test_yaml_is_block_style_in_documented_key_order(reg):
    translate_templates(Registry.load(), "de", tasks="nli,topic", engine="pseudo")
    text = (reg / "nli" / "de.yaml").read_text()
    assert text.startswith(
        "variants:\n  - id: follows\n    provenance: mt:pseudo\n    reviewed: false\n    translated_from:\n      variant: follows\n"
    )
    assert "    statements:\n      entailment: " in text and text.index("entailment:") < text.index("contradiction:")
    topic = yaml.safe_load((reg / "topic" / "de.yaml").read_text())
    assert list(topic) == ["label_words", "variants"] and list(topic["label_words"]) == ["sports", "business", "world"]


def test_label_words_are_translated_inside_their_statement(reg, tmp_path):
    log = tmp_path / "sent.log"
    out = translate_templates(Registry.load(), "de", tasks="topic", engine=f"pseudo?log={log}")
    assert out["rejected"] == 0
    sent = log.read_text()
    # the word goes out between marker tokens inside the first {{ label }} statement, never alone
    assert "de\tThis news article is about {2}business and money{3}: {1}\n" in sent
    assert "de\tbusiness and money\n" not in sent
    words = yaml.safe_load((reg / "topic" / "de.yaml").read_text())["label_words"]
    assert set(words) == {"sports", "business", "world"} and words["world"].endswith("Nachrichten")


def test_human_reviewed_and_team_draft_variants_are_kept_without_force(reg):
    (reg / "nli" / "de.yaml").write_text(
        """\
# written by a native speaker
variants:
  - id: follows
    provenance: human
    reviewed: true
    statements:
      entailment: 'Wenn „{{ premise }}“ stimmt, dann stimmt auch „{{ hypothesis }}“.'
      contradiction: 'Wenn „{{ premise }}“ stimmt, dann kann „{{ hypothesis }}“ nicht stimmen.'
  - id: only-german
    provenance: team-draft
    statements:
      entailment: 'Aus „{{ premise }}“ folgt „{{ hypothesis }}“, das ist sicher.'
      contradiction: 'Aus „{{ premise }}“ folgt das Gegenteil von „{{ hypothesis }}“, das ist sicher.'
"""
    )
    (reg / "cope" / "de.yaml").write_text(
        """\
variants:
  - id: plausible
    provenance: mt:google
    reviewed: true
    translated_from: {variant: plausible, hash: 'sha256:0000000000000000'}
    statement: 'Da {{ premise | lower }} ist die plausibelste {{ question }}, dass {{ choice | lower }}'
"""
    )
    before = Registry.load(reg)
    out = translate_templates(Registry.load(), "de", tasks="nli,cope", engine="pseudo")
    assert out["kept"] == 2 and out["written"] == 2
    after = Registry.load(reg)
    nli = after.task("nli").templates["de"]
    assert [v.id for v in nli.variants] == ["follows", "only-german", "premise-says"]  # in place, new appended
    assert nli.variant("follows") == before.task("nli").templates["de"].variant("follows")
    assert nli.variant("only-german") == before.task("nli").templates["de"].variant("only-german")
    assert nli.variant("premise-says").provenance == "mt:pseudo"
    assert after.task("cope").templates["de"].variant("plausible").reviewed is True
    forced = translate_templates(Registry.load(), "de", tasks="nli,cope", engine="pseudo", force=True)
    assert forced["kept"] == 0
    again = Registry.load(reg).task("nli").templates["de"]
    assert again.variant("follows").provenance == "mt:pseudo"
    assert again.variant("only-german") == before.task("nli").templates["de"].variant("only-german")  # other ids untouched


def test_update_retranslates_only_variants_whose_english_changed(reg):
    translate_templates(Registry.load(), "de", tasks="nli", engine="pseudo")
    en = reg / "nli" / "en.yaml"
    en.write_text(en.read_text().replace("cannot be true.", "is certainly false."))
    stale = [p for p in validate_paths([reg / "nli" / "de.yaml"]) if p.code == "stale-translation"]
    assert [p.variant for p in stale] == ["follows"] and stale[0].severity == "warning"
    before = Registry.load(reg).task("nli").templates["de"].variant("premise-says")
    out = translate_templates(Registry.load(), "de", tasks="nli", engine="pseudo", update=True)
    assert out["up_to_date"] == 1 and out["written"] == 1
    assert out["engine_calls"] == 1 and out["sent"] == 1  # the one changed statement; the other comes from the cache
    assert not [p for p in validate_paths([reg / "nli" / "de.yaml"]) if p.code == "stale-translation"]
    assert Registry.load(reg).task("nli").templates["de"].variant("premise-says") == before


# -- injected faults -----------------------------------------------------------------------------


def _run(engine: str, tasks: str = NO_LABEL_WORDS, **kw):
    return translate_templates(Registry.load(), "de", tasks=tasks, engine=engine, cache=Cache.memory(), **kw)


def test_reordered_tokens_are_restored_not_rejected(reg):
    out = _run("pseudo?faults=reorder")
    assert (out["rejected"], out["written"]) == (0, 6)
    stmt = Registry.load(reg).task("pairs").templates["de"].variant("is-translation").statement
    assert stmt.index("{{ text }}") < stmt.index("{{ english }}")  # the engine swapped them; both kept
    assert not errors(validate_paths([reg]))


@pytest.mark.parametrize(
    "fault, reason", [("drop", "dropped {0}"), ("dup", "repeated {0}"), ("mangle", "dropped {0}"), ("inject", "delimiter '{{'")]
)
def test_corrupting_faults_are_rejected_and_nothing_is_written(reg, fault, reason):
    out = _run(f"pseudo?faults={fault}")
    assert out["rejected"] == 6 and out["written"] == 0 and out["failed"] == 0
    assert all(reason in r["reason"] for r in out["rejections"]), out["rejections"]
    assert {(r["task"], r["variant"]) for r in out["rejections"]} == {(t, v) for t in ("nli", "cope", "pairs") for v in _ids(t)}
    assert not list(reg.glob("*/de.yaml"))


def _ids(task: str) -> list[str]:
    return re.findall(r"- id: (\S+)", TASKS[task][1])


def test_html_entities_from_the_engine_are_normalised(reg):
    out = _run("pseudo?faults=entity")
    assert out["written"] == 6 and out["rejected"] == 0
    text = "".join(_files(reg, "de").values())
    assert "&quot;" not in text and "&#39;" not in text and '"{{ premise }}"' in text


def test_transient_exceptions_are_retried(reg):
    out = _run("pseudo?faults=flaky&batch=4")
    assert out["retries"] >= 1 and out["failed"] == 0 and out["written"] == 6


def test_persistent_exceptions_are_retried_then_reported_per_segment(reg):
    out = _run("pseudo?faults=error&attempts=3&batch=100")
    assert out["engine_calls"] == 3 and out["retries"] == 2
    assert out["failed"] == 6 and out["written"] == 0
    assert all("injected error" in f["reason"] for f in out["failures"])
    assert len(out["failures"]) == 6 and {f["variant"] for f in out["failures"]} == {v for t in ("nli", "cope", "pairs") for v in _ids(t)}


def test_hangs_are_cut_by_the_timeout(reg):
    t0 = time.monotonic()
    out = _run("pseudo?faults=hang&hang_s=30&batch=100", timeout=0.2, attempts=2)
    assert time.monotonic() - t0 < 5
    assert out["timeouts"] == 2 and out["failed"] == 6
    assert "no answer within 0.2s" in out["failures"][0]["reason"]


def test_mixed_faults_keep_the_finished_work_and_a_rerun_repeats_no_call(reg, tmp_path):
    cache = tmp_path / "c.sqlite"
    spec = "pseudo?faults=drop,reorder&fraction=0.5&seed=3&batch=2"
    out = translate_templates(Registry.load(), "de,sw", all_tasks=True, engine=spec, cache=Cache(cache))
    assert out["rejected"] > 0 and out["written"] > 0  # good variants written, bad ones reported
    written = {p: p.read_text() for p in reg.glob("*/*.yaml") if p.stem != "en"}
    assert not errors(validate_paths([reg]))
    again = translate_templates(Registry.load(), "de,sw", all_tasks=True, engine=spec, cache=Cache(cache))
    assert again["engine_calls"] == 0 and again["rejected"] == out["rejected"]
    assert {p: p.read_text() for p in reg.glob("*/*.yaml") if p.stem != "en"} == written


def test_a_missing_key_fails_before_any_work(reg, tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    with pytest.raises(EngineError, match="DEEPL_API_KEY"):
        translate_templates(Registry.load(), "de", all_tasks=True, engine="deepl")
    assert not (tmp_path / "cache").exists() and not list(reg.glob("*/de.yaml"))
    with pytest.raises(EngineError, match="did you mean 'faults'"):
        translate_templates(Registry.load(), "de", all_tasks=True, engine="pseudo?fault=drop")
    with pytest.raises(EngineError, match="unknown engine"):
        translate_templates(Registry.load(), "de", all_tasks=True, engine="gogle")
    with pytest.raises(EngineError, match="no word list for qu"):
        translate_templates(Registry.load(), "qu", all_tasks=True, engine="pseudo")


def test_the_repository_registry_translates_cleanly(tmp_path, monkeypatch):
    """The issue's done-when on a copy of templates/: every variant written passes validation."""
    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root)
    if not list(root.glob("*/en.yaml")):
        pytest.skip("templates/ holds no English variants yet")
    monkeypatch.setenv("STDATA_CACHE_DIR", str(tmp_path / "cache"))
    existing = [p for p in root.glob("*/*.yaml") if p.stem in ("de", "sw")]
    before = {(p.task, p.variant, p.code) for p in errors(validate_paths(existing))} if existing else set()
    out = translate_templates(Registry.load(root), "de,sw", all_tasks=True, engine="pseudo")
    assert out["failed"] == 0 and out["written"] > 0 and out["files"]
    after = errors(validate_paths([Path(f) for f in out["files"]]))
    assert not [p for p in after if (p.task, p.variant, p.code) not in before], after
    assert translate_templates(Registry.load(root), "de,sw", all_tasks=True, engine="pseudo")["engine_calls"] == 0


# -- the command line ------------------------------------------------------------------------------


_cli = run_cli


def test_cli_json_summary_exit_codes_and_one_line_errors(reg, monkeypatch, capsys):
    code, out, err = _cli(["translate", "templates", "--all", "--to", "de,sw", "--engine", "pseudo", "--json"], monkeypatch, capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert {"segments", "unique", "cache_hits", "engine_calls", "rejected", "failed"} <= set(summary)
    code, out, err = _cli(
        ["translate", "templates", "--all", "--to", "de", "--engine", "pseudo?faults=dup", "--no-cache", "--force"], monkeypatch, capsys
    )
    assert code == 1
    assert "rejected task=nli lang=de variant=follows slot=entailment: placeholder tokens changed: repeated {0}" in err
    code, out, err = _cli(["templates", "validate"], monkeypatch, capsys)
    assert code == 0, out + err  # the rejected run left the earlier files valid
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    code, out, err = _cli(["translate", "templates", "--task", "nli", "--to", "de", "--engine", "deepl"], monkeypatch, capsys)
    assert code == 2 and err.strip().count("\n") == 0 and "DEEPL_API_KEY" in err and "Traceback" not in err
    code, out, err = _cli(["translate", "templates", "--to", "de", "--engine", "pseudo"], monkeypatch, capsys)
    assert code == 2 and "--task" in err and "--all" in err


def test_a_variant_that_would_break_validation_elsewhere_is_not_written(reg):
    """A new translation rendering the same as a human variant later in the file: the error lands on
    the human one, the new one is still the cause, and the file stays as it was."""
    from stdata.translate.pseudo import pseudo_translate
    from stdata.translate.segments import translate_template

    en = Registry.load(reg).task("nli").templates["en"].variant("premise-says")
    same = {slot: translate_template(src, lambda t: pseudo_translate(t, "de")) for slot, src in en.templates.items()}
    de = {"variants": [
        {"id": "premise-says", "provenance": "mt:google", "translated_from": {"variant": "premise-says", "hash": en.content_hash},
         "statements": {"entailment": "Der Satz „{{ premise }}“ heißt, dass {{ hypothesis | lower }}", "contradiction": "Der Satz „{{ premise }}“ heißt nicht, dass {{ hypothesis | lower }}"}},
        {"id": "follows", "provenance": "human", "reviewed": True, "statements": same},
    ]}  # fmt: skip
    path = reg / "nli" / "de.yaml"
    path.write_text(yaml.safe_dump(de, allow_unicode=True, sort_keys=False))
    before = path.read_text()
    out = translate_templates(Registry.load(), "de", tasks="nli", engine="pseudo", cache=Cache.memory())
    assert out["written"] == 0 and out["rejected"] == 1
    assert out["rejections"][0]["variant"] == "premise-says" and "duplicate-statement" in out["rejections"][0]["reason"]
    assert path.read_text() == before
