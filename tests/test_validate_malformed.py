"""Every malformed registry file gets its own clear one-line problem (and never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TOY_EN, TOY_TASK

from stdata.validate import DataCheck, validate_paths

GOOD_DE = """\
variants:
  - id: opinion
    provenance: team-draft
    reviewed: false
    translated_from: {variant: opinion, hash: "sha256:ec994a6352eb6210"}
    statements:
      negative: 'Die Rezension "{{ text }}" drückt eine ablehnende, negative Meinung über den Film aus.'
      positive: 'Die Rezension "{{ text }}" drückt eine begeisterte, positive Meinung über den Film aus.'
"""


def variant(body: str, vid: str = "v1", extra: str = "") -> str:
    """A one-variant en.yaml whose statements block is `body` (indented under statements:)."""
    return f"variants:\n  - id: {vid}\n    provenance: human\n{extra}    statements:\n{body}"


def stmts(neg: str, pos: str) -> str:
    return f"      negative: '{neg}'\n      positive: '{pos}'\n"


OK_NEG = 'The review "{{ text }}" is unfavourable.'
OK_POS = 'The review "{{ text }}" is favourable.'

# (case id, {file: content}, expected code, a fragment of the message)
CASES = [
    ("yaml-syntax", {"en.yaml": "variants:\n  - id: a\n    statements: {negative: 'x'\n"}, "yaml-syntax", "invalid YAML"),
    ("python-tag", {"en.yaml": "variants: !!python/object/apply:os.system ['echo pwned']\n"}, "yaml-tag", "python/object"),
    ("custom-tag", {"en.yaml": "variants: !Template {a: 1}\n"}, "yaml-tag", "!Template"),
    (
        "duplicate-key",
        {"en.yaml": variant(stmts(OK_NEG, OK_POS)).replace("    provenance", "    id: again\n    provenance")},
        "duplicate-key",
        "duplicate key 'id'",
    ),
    ("not-a-mapping", {"en.yaml": "- id: a\n- id: b\n"}, "not-a-mapping", "got a list"),
    ("empty-file", {"en.yaml": ""}, "not-a-mapping", "empty file"),
    ("unknown-key", {"en.yaml": variant(stmts(OK_NEG, OK_POS), extra="    reviewd: true\n")}, "unknown-key", "did you mean 'reviewed'"),
    ("unknown-top-key", {"en.yaml": "variant:\n  - id: a\n"}, "unknown-key", "did you mean 'variants'"),
    ("wrong-type-bool", {"en.yaml": variant(stmts(OK_NEG, OK_POS), extra="    reviewed: 'yes'\n")}, "wrong-type", "valid boolean"),
    (
        "wrong-type-statement",
        {"en.yaml": "variants:\n  - id: v1\n    provenance: human\n    statements:\n      negative: [a, b]\n      positive: x\n"},
        "wrong-type",
        "valid string",
    ),
    ("missing-provenance", {"en.yaml": "variants:\n  - id: v1\n    statements:\n" + stmts(OK_NEG, OK_POS)}, "missing-key", "'provenance'"),
    (
        "bad-provenance",
        {"en.yaml": variant(stmts(OK_NEG, OK_POS)).replace("provenance: human", "provenance: robot")},
        "bad-value",
        "provenance",
    ),
    ("bad-variant-id", {"en.yaml": variant(stmts(OK_NEG, OK_POS), vid="'Bad Id!'")}, "bad-value", "variants.0.id"),
    ("empty-variants", {"en.yaml": "variants: []\n"}, "empty", "at least 1 item"),
    ("both-forms", {"en.yaml": variant(stmts(OK_NEG, OK_POS), extra="    statement: 'x {{ text }}'\n")}, "invalid", "exactly one of"),
    (
        "mt-without-source",
        {"en.yaml": variant(stmts(OK_NEG, OK_POS)).replace("provenance: human", "provenance: mt:google")},
        "invalid",
        "needs translated_from",
    ),
    ("unknown-language", {"xx.yaml": variant(stmts(OK_NEG, OK_POS))}, "unknown-language", "'xx' is not a BCP-47"),
    ("non-standard-tag", {"eng.yaml": variant(stmts(OK_NEG, OK_POS))}, "bad-filename", "en.yaml"),
    ("yml-extension", {"fr.yml": variant(stmts(OK_NEG, OK_POS))}, "bad-filename", ".yaml"),
    ("not-utf8", {"en.yaml": b"variants:\n  - id: \xff\xfe\n"}, "encoding", "not UTF-8"),
    ("jinja-syntax", {"en.yaml": variant(stmts('The review "{{ text " is bad.', OK_POS))}, "jinja-syntax", "Jinja syntax error"),
    ("ssti-mro", {"en.yaml": variant(stmts("{{ ''''.__class__.__mro__ }}", OK_POS))}, "unsafe-attribute", "'__mro__'"),
    ("ssti-globals", {"en.yaml": variant(stmts("{{ cycler.__init__.__globals__.os }}", OK_POS))}, "unsafe-attribute", "'os'"),
    ("ssti-call", {"en.yaml": variant(stmts("{{ text.upper() }} is negative.", OK_POS))}, "unsafe-call", "calling a method"),
    ("ssti-lipsum", {"en.yaml": variant(stmts("{{ lipsum(1) }}", OK_POS))}, "unsafe-call", "calling lipsum"),
    ("ssti-item", {"en.yaml": variant(stmts("{{ text[0] }} is negative.", OK_POS))}, "unsafe-attribute", "'[...]'"),
    ("random-filter", {"en.yaml": variant(stmts("{{ text | random }} is negative.", OK_POS))}, "unsafe-filter", "'random'"),
    ("attr-filter", {"en.yaml": variant(stmts('{{ text | attr("x") }}', OK_POS))}, "unsafe-filter", "'attr'"),
    ("for-loop", {"en.yaml": variant(stmts("{% for c in text %}{{ c }}{% endfor %}", OK_POS))}, "unsafe-node", "for blocks"),
    ("set-block", {"en.yaml": variant(stmts("{% set x = text %}{{ x }} is bad", OK_POS))}, "unsafe-node", "assign blocks"),
    ("include", {"en.yaml": variant(stmts('{% include "other" %}', OK_POS))}, "unsafe-node", "include blocks"),
    ("arithmetic", {"en.yaml": variant(stmts("{{ 7 * 7 }} {{ text }}", OK_POS))}, "unsafe-node", "mul expressions"),
    ("unknown-field", {"en.yaml": variant(stmts('The review "{{ txt }}" is bad.', OK_POS))}, "unknown-field", "did you mean 'text'"),
    ("missing-label", {"en.yaml": variant(f"      negative: '{OK_NEG}'\n")}, "missing-label", "positive"),
    (
        "unknown-label",
        {"en.yaml": variant(stmts(OK_NEG, OK_POS).replace("positive:", "postive:"))},
        "unknown-label",
        "did you mean 'positive'",
    ),
    (
        "duplicate-id",
        {
            "en.yaml": variant(stmts(OK_NEG, OK_POS))
            + "  - id: v1\n    provenance: human\n    statements:\n"
            + stmts("No: {{ text }}", "Yes: {{ text }}")
        },
        "duplicate-id",
        "already used",
    ),
    ("render-error", {"en.yaml": variant(stmts("{{ text | replace(1) }} is bad.", OK_POS))}, "render-error", "template failed"),
    ("empty-render", {"en.yaml": variant(stmts('{% if text == "zzz" %}{{ text }}{% endif %}', OK_POS))}, "empty-render", "empty"),
    (
        "leftover-delimiter",
        {"en.yaml": variant(stmts('The review {{ "{{" }} {{ text }} is bad.', OK_POS))},
        "leftover-delimiter",
        "delimiter",
    ),
    ("html-entity", {"en.yaml": variant(stmts("The review &quot;{{ text }}&quot; is bad.", OK_POS))}, "html-entity", "HTML entity"),
    ("same-candidates", {"en.yaml": variant(stmts(OK_POS, OK_POS))}, "ambiguous-candidates", "same statement"),
    (
        "duplicate-statement",
        {
            "en.yaml": TOY_EN
            + "  - id: copy\n    provenance: human\n    statements:\n      negative: 'The review \"{{ text }}\" expresses a negative opinion.'\n      positive: 'Whatever: {{ text }}'\n"
        },
        "duplicate-statement",
        "same statement as variant 'opinion'",
    ),
    (
        "label-slot-missing",
        {"en.yaml": "variants:\n  - id: v1\n    provenance: human\n    statement: 'The review {{ text }} has a sentiment.'\n"},
        "label-slot",
        "must use {{ label }}",
    ),
    (
        "label-words-missing",
        {
            "en.yaml": TOY_EN,
            "de.yaml": "variants:\n  - id: opinion\n    provenance: team-draft\n    statement: 'Die Rezension {{ text }} ist {{ label }}.'\n",
        },
        "label-words",
        "needs this file's label_words",
    ),
    (
        "placeholder-mismatch",
        {"en.yaml": TOY_EN, "de.yaml": GOOD_DE.replace('"{{ text }}" drückt eine begeisterte', "drückt eine begeisterte")},
        "placeholder-mismatch",
        "English source uses ['text']",
    ),
    (
        "no-english-source",
        {"en.yaml": TOY_EN, "de.yaml": GOOD_DE.replace("- id: opinion", "- id: meinung")},
        "no-english-source",
        "no English variant 'meinung'",
    ),
    (
        "translated-from-other",
        {"en.yaml": TOY_EN, "de.yaml": GOOD_DE.replace("{variant: opinion", "{variant: writer-feels")},
        "translated-from",
        "names 'writer-feels'",
    ),
    (
        "wrong-language",
        {
            "en.yaml": TOY_EN,
            "de.yaml": GOOD_DE.replace("Die Rezension", "The long review text")
            .replace(
                "drückt eine ablehnende, negative Meinung über den Film aus", "clearly expresses a rather negative opinion about the movie"
            )
            .replace(
                "drückt eine begeisterte, positive Meinung über den Film aus", "clearly expresses a rather positive opinion about the movie"
            ),
        },
        "wrong-language",
        "looks like 'en'",
    ),
    ("name-mismatch", {"task.yaml": TOY_TASK.replace("name: toy", "name: other")}, "name-mismatch", "differs from its folder"),
    (
        "wrong-negatives",
        {"task.yaml": TOY_TASK.replace("negatives: wrong_label", "negatives: other_choices")},
        "invalid",
        "does not fit kind classification",
    ),
    (
        "unknown-negatives",
        {"task.yaml": TOY_TASK.replace("negatives: wrong_label", "negatives: wrong_lable")},
        "invalid",
        "did you mean 'wrong_label'",
    ),
    (
        "negatives-params",
        {"task.yaml": TOY_TASK.replace("negatives: wrong_label", "negatives: {strategy: wrong_label, k: 3}")},
        "invalid",
        "negatives 'wrong_label': k: Extra inputs are not permitted",
    ),
    ("unknown-kind", {"task.yaml": TOY_TASK.replace("kind: classification", "kind: regression")}, "bad-value", "kind"),
    ("bad-example", {"task.yaml": TOY_TASK.replace("label: negative}", "label: neutral}")}, "bad-example", "'neutral' is not one of"),
    ("example-missing-column", {"task.yaml": TOY_TASK.replace('{text: "The film', '{txt: "The film')}, "bad-example", "missing ['text']"),
    (
        "source-columns",
        {"task.yaml": TOY_TASK.replace("columns: {text: sentence, label: label}", "columns: {text: sentence}")},
        "source-columns",
        "needs exactly ['label', 'text']",
    ),
    (
        "bad-label-map",
        {"task.yaml": TOY_TASK.replace("    license: unknown", "    label_map: {'0': bad}\n    license: unknown")},
        "bad-label-map",
        "'0' -> 'bad'",
    ),
    (
        "source-language",
        {"task.yaml": TOY_TASK.replace("configs: {en: default}", "configs: {eng: default}")},
        "unknown-language",
        "write 'en'",
    ),
    ("no-task-yaml", {"task.yaml": None}, "unknown-task", "not a task"),
    (
        "gap-with-source",
        {"task.yaml": TOY_TASK.replace("examples:", "gaps: {en: none found}\nexamples:")},
        "invalid",
        "gaps ['en'] are listed by a source too",
    ),
    (
        "gap-language",
        {"task.yaml": TOY_TASK.replace("examples:", "gaps: {deu: none found}\nexamples:")},
        "unknown-language",
        "gaps: 'deu' is not a standard BCP-47 tag; write 'de'",
    ),
    ("gap-reason", {"task.yaml": TOY_TASK.replace("examples:", "gaps: {de: ' '}\nexamples:")}, "invalid", "give no reason"),
    # issue 9: holes that let a damaged corpus through
    (
        "label-words-english",  # no task label_words: "{{ label }}" would render the raw name ("about scitech")
        {"en.yaml": "variants:\n  - id: v1\n    provenance: human\n    statement: 'The review {{ text }} is {{ label }}.'\n"},
        "label-words",
        "would render the raw label names (e.g. 'negative'): give task.yaml label_words",
    ),
    (
        "label-words-in-statements",  # the per-label form may use {{ label }} too
        {
            "en.yaml": TOY_EN,
            "de.yaml": GOOD_DE.replace("eine ablehnende, negative Meinung", "eine {{ label }} Meinung"),
        },
        "label-words",
        "a `{{ label }}` statement in de needs",
    ),
    (
        "form-drops-field",  # another form than the English source, and no {{ text }}
        {
            "en.yaml": TOY_EN,
            "de.yaml": "label_words: {negative: negativ, positive: positiv}\nvariants:\n  - id: opinion\n    provenance: team-draft\n"
            "    statement: 'Die Rezension über den Film ist insgesamt {{ label }} und deutlich.'\n",
        },
        "placeholder-mismatch",
        "uses fields [] but the English source uses ['text'] (in another form)",
    ),
    (
        "english-sentence-in-it",  # one statement left in English among Italian ones
        {
            "en.yaml": TOY_EN,
            "it.yaml": "variants:\n  - id: opinion\n    provenance: team-draft\n    statements:\n"
            "      negative: 'La recensione \"{{ text }}\" esprime un giudizio negativo sul film che racconta.'\n"
            "      positive: 'The review \"{{ text }}\" expresses a clearly positive opinion about the film.'\n",
        },
        "wrong-language",
        "statement 'positive': text looks like 'en', not 'it'",
    ),
    ("underscore-id", {"en.yaml": variant(stmts(OK_NEG, OK_POS), vid="my_variant")}, "bad-value", "not a kebab-case variant id"),
    (
        "source-labels-unknown",
        {"task.yaml": TOY_TASK.replace("    license: unknown", "    labels: [negative, neutral]\n    license: unknown")},
        "bad-source-labels",
        "labels: 'neutral' is not a label of the task",
    ),
    (
        "filters-unknown-field",
        {"task.yaml": TOY_TASK.replace("    license: unknown", "    filters: {min_words: 3, fields: [txt]}\n    license: unknown")},
        "invalid",
        "filters name ['txt'], which are not fields",
    ),
    (
        "unknown-preprocess",
        {"task.yaml": TOY_TASK.replace("    license: unknown", "    preprocess: [ptb_detokenise]\n    license: unknown")},
        "invalid",
        "did you mean 'ptb_detokenize'",
    ),
]


def _write(task_dir: Path, files: dict) -> list[Path]:
    task_dir.mkdir(parents=True, exist_ok=True)
    base = {"task.yaml": TOY_TASK, "en.yaml": TOY_EN}
    base.update(files)
    written = []
    for name, content in base.items():
        path = task_dir / name
        if content is None:
            continue
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        if name in files:
            written.append(path)
    return written


def test_baseline_fixture_is_clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "toy", {"de.yaml": GOOD_DE})
    assert validate_paths([tmp_path / "toy"]) == []


@pytest.mark.parametrize("case,files,code,fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_file_gets_its_message(tmp_path, monkeypatch, case, files, code, fragment):
    monkeypatch.chdir(tmp_path)
    task_dir = tmp_path / "toy"
    targets = _write(task_dir, files) or [task_dir]
    problems = validate_paths([task_dir])
    hits = [p for p in problems if p.code == code]
    assert hits, f"{case}: expected {code}, got {[str(p) for p in problems]}"
    assert any(fragment in p.message for p in hits), [str(p) for p in hits]
    for p in hits:
        line = str(p)
        assert "\n" not in line and line.startswith(p.file + ":")
        assert p.file in {t.name for t in targets} | {"toy/task.yaml", "toy/en.yaml"} or p.file.startswith("toy/")


def test_cases_are_many_and_distinct():
    assert len(CASES) >= 30
    assert len({(c[2], c[3]) for c in CASES}) == len(CASES)


def test_problem_lines_point_at_the_offending_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = variant(stmts(OK_NEG, OK_POS), extra="    reviewd: true\n")
    _write(tmp_path / "toy", {"en.yaml": bad})
    (p,) = [p for p in validate_paths([tmp_path / "toy" / "en.yaml"]) if p.code == "unknown-key"]
    assert p.line == 4 and p.variant == "v1" and p.task == "toy" and p.lang == "en"


def test_cli_reports_each_problem_on_one_line_and_exits_1(tmp_path):
    files = {name: content for _, f, _, _ in CASES[:6] for name, content in f.items() if name != "task.yaml"}
    written = []
    for i, (_case, f, _code, _) in enumerate(CASES):
        if set(f) == {"en.yaml"} and isinstance(f["en.yaml"], str):
            written += _write(tmp_path / f"case{i:02d}" / "toy", f)
    assert files and written
    proc = subprocess.run(
        [sys.executable, "-m", "stdata.cli.app", "templates", "validate", *map(str, written)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if "error[" in ln]
    assert len({ln.split(":")[0] for ln in lines}) == len(written)  # every bad file reported
    assert proc.stderr.strip().splitlines()[-1].startswith("FAILED:")


# -- label_map and labels against the data (`templates validate --data-dir`, and `build`) ----------

TYPO_MAP = TOY_TASK.replace("    license: unknown", "    label_map: {negative: negative, postive: positive}\n    license: unknown")
THREE_LABELS = TOY_TASK.replace("labels: [negative, positive]", "labels: [negative, neutral, positive]")
THREE_EN = TOY_EN.replace(
    "      positive: 'The review", "      neutral: 'The review \"{{ text }}\" expresses no opinion.'\n      positive: 'The review"
).replace("      positive: 'Whoever", "      neutral: 'Whoever wrote \"{{ text }}\" felt nothing either way.'\n      positive: 'Whoever")


def test_label_map_key_that_matches_no_label_of_the_data(tmp_path, monkeypatch, shared_hub):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "toy", {"task.yaml": TYPO_MAP})
    assert not [p for p in validate_paths([tmp_path / "toy"]) if p.severity == "error"]  # offline it looks fine
    data = DataCheck()
    (p,) = [p for p in validate_paths([tmp_path / "toy"], shared_hub, data) if p.severity == "error"]
    assert p.code == "label-map-key" and p.file == "toy/task.yaml" and p.line == 13  # the label_map line
    assert "label_map key 'postive' matches no label of the data ('negative', 'positive'); did you mean 'positive'?" in p.message
    assert data.checked == 1 and data.not_in_mirror == []


def test_a_label_no_value_of_the_source_gives(tmp_path, monkeypatch, shared_hub):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "toy", {"task.yaml": THREE_LABELS, "en.yaml": THREE_EN})
    assert validate_paths([tmp_path / "toy"]) == []
    (p,) = validate_paths([tmp_path / "toy"], shared_hub)
    assert p.code == "source-label-empty" and "gives 'neutral'" in p.message and "`labels:`" in p.message
    fixed = THREE_LABELS.replace("    license: unknown", "    labels: [negative, positive]\n    license: unknown")
    _write(tmp_path / "toy", {"task.yaml": fixed, "en.yaml": THREE_EN})
    assert validate_paths([tmp_path / "toy"], shared_hub) == []


def test_cli_validate_data_dir_fails_on_the_typo(tmp_path, monkeypatch, capsys, shared_hub):
    from clirun import run_cli

    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "reg" / "toy", {"task.yaml": TYPO_MAP})
    code, out, err = run_cli(["--templates", "reg", "templates", "validate", "--data-dir", str(shared_hub)], monkeypatch, capsys)
    assert code == 1
    (line,) = [ln for ln in err.splitlines() if "error[" in ln]
    assert line.startswith("reg/toy/task.yaml:13: error[label-map-key] task=toy:")
    assert "labels checked against" in out and "1 source(s)" in out


def test_build_fails_when_a_whole_label_yields_no_rows(tmp_path, monkeypatch, shared_hub):
    from stdata.build import BuildOptions, build_corpus
    from stdata.errors import StdataError
    from stdata.registry import Registry

    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "reg" / "toy", {"task.yaml": TYPO_MAP})
    reg = Registry.load(tmp_path / "reg").require_clean()
    opts = BuildOptions(out=tmp_path / "c", langs="en", data_dir=shared_hub, per_task_lang=40, command=["test"])
    with pytest.raises(StdataError) as e:  # not only with --strict
        build_corpus(opts, reg)
    msg = str(e.value)
    assert "\n" not in msg and not (tmp_path / "c").exists()
    assert msg.startswith("task toy lang en source stanfordnlp/sst2 default/train: label 'positive' yields no rows;")
    # a binary source of a three-label task: `labels:` says what it can assert, and then it builds
    _write(tmp_path / "reg" / "toy", {"task.yaml": THREE_LABELS, "en.yaml": THREE_EN})
    with pytest.raises(StdataError, match="label 'neutral' yields no rows"):
        build_corpus(opts, Registry.load(tmp_path / "reg"))
    fixed = THREE_LABELS.replace("    license: unknown", "    labels: [negative, positive]\n    license: unknown")
    _write(tmp_path / "reg" / "toy", {"task.yaml": fixed, "en.yaml": THREE_EN})
    m = build_corpus(opts, Registry.load(tmp_path / "reg"))
    assert m.groups["toy/en"].total == 40
