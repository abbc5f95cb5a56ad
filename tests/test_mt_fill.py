"""`stdata build --mt-fill ENGINE`: every cell of the 9 x 25 matrix from the sample mirror, MT rows
marked and counted, splits following the English rows, deterministic for a warm cache, a failed
engine leaving cells short (never half filled); the template-language mismatch share; the
coverage heatmap (corpus folder and `stdata coverage --png`)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from clirun import run_cli
from conftest import REPO

from stdata.build import BuildOptions, build_corpus
from stdata.corpus import load_corpus, read_manifest
from stdata.registry import Registry

MIRROR = REPO / "tests" / "data" / "mirror"
# The sample mirror's English configs hold 12-38 rows (mcqa 12), so 10 pairs per cell is what every
# English source can give; the CLI default stays 1500.
PER = 20


@pytest.fixture(scope="module")
def reg() -> Registry:
    return Registry.load().require_clean()


def _build(reg, out: Path, cache: Path, **kw):
    opts = BuildOptions(out=out, data_dir=kw.pop("data_dir", MIRROR), mt_cache=cache, command=["test"], **kw)
    return build_corpus(opts, reg)


def _cells(dd) -> Counter:
    counts: Counter = Counter()
    for split in dd:
        for task, lang, label, mt in zip(dd[split]["task"], dd[split]["lang"], dd[split]["label"], dd[split]["mt_engine"]):
            counts[(task, lang, label, bool(mt))] += 1
    return counts


@pytest.fixture(scope="module")
def matrix(reg, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("matrix")
    m = _build(reg, tmp / "c", tmp / "cache.sqlite", langs="25", mt_fill="pseudo", per_task_lang=PER)
    return m, tmp / "c"


def test_sample_mirror_with_mt_fill_builds_all_225_cells_exactly_balanced(reg, matrix):
    m, out = matrix
    assert len(m.groups) == 225 and not m.missing and not m.shortfalls
    counts = _cells(load_corpus(out))
    for key, g in m.groups.items():
        task, lang = key.split("/")
        true = counts[(task, lang, 1, False)] + counts[(task, lang, 1, True)]
        false = counts[(task, lang, 0, False)] + counts[(task, lang, 0, True)]
        assert true == false == PER // 2, key
        mt = counts[(task, lang, 1, True)] + counts[(task, lang, 0, True)]
        assert mt == (g.mt.statements if g.mt else 0), key  # the manifest counts exactly the rows marked
        if lang == "en":
            assert g.mt is None  # English is never translated into itself
    # real rows first: cells the sample mirror has (en, de, sw; es for headline) hold no MT rows
    assert m.groups["topic/de"].mt is None and m.groups["headline/es"].mt is None
    fr = m.groups["mcqa/fr"].mt
    assert fr is not None and fr.engine == "pseudo" and fr.statements == PER and fr.source.dataset == "facebook/belebele"
    assert "not readable" in fr.reason and m.groups["wsd/ar"].mt.reason == "no source of wsd has ar"
    assert sum(g.mt.statements for g in m.groups.values() if g.mt) == sum(n for k, n in counts.items() if k[3])
    assert m.options["mt_fill"] == "pseudo" and m.run.translation["unique"] > 0


def test_mt_rows_are_translations_that_keep_labels_and_follow_the_english_split(matrix):
    _, out = matrix
    dd = load_corpus(out)
    rows = {s: dd[s].to_list() for s in dd}
    # the English cell splits its rows; a translated row sits in the split of the English row it came from
    english = {(r["task"], r["source_row"]): s for s, rs in rows.items() for r in rs if r["lang"] == "en"}
    mt = [(s, r) for s, rs in rows.items() for r in rs if r["mt_engine"]]
    shared = [(s, r) for s, r in mt if (r["task"], r["source_row"]) in english]
    assert len(shared) > 100
    assert all(english[(r["task"], r["source_row"])] == s for s, r in shared)
    ja = next(r for _, r in mt if r["task"] == "mcqa" and r["lang"] == "ja")
    assert ja["group_id"].startswith("mcqa/ja/mt:") and ja["source_config"] == "eng_Latn" and ja["template_lang"] == "ja"
    assert not any(c.isascii() and c.isalpha() for c in ja["statement"])  # Japanese template, pseudo-Japanese text
    # translation pairs keep their English side and translate it into the other
    import datasets

    epo = datasets.load_dataset(str(MIRROR / "mteb" / "tatoeba-bitext-mining"), "epo-eng", split="test")
    tr = [r for _, r in mt if r["task"] == "translation" and r["lang"] == "fr" and r["label"] == 1]
    assert tr and all(epo[r["source_row"]]["sentence2"] in r["statement"] for r in tr)
    assert not any(epo[r["source_row"]]["sentence1"] in r["statement"] for r in tr)  # the Esperanto side is not used
    card = (out / "README.md").read_text()
    assert "## Machine-translated rows" in card and "![statements per task and language" in card
    assert (out / "coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_template_language_mismatch_is_zero_with_native_variants_everywhere(reg, matrix, tmp_path):
    m, _ = matrix
    assert set(m.template_mismatch) == {*m.options["langs"], "all"}
    assert all(x.mismatched == 0 and x.share == 0.0 for x in m.template_mismatch.values())
    assert m.template_mismatch["all"].statements == 225 * PER
    # English templates around other languages count, per language
    en = _build(reg, tmp_path / "en", tmp_path / "cache.sqlite", langs="en,de,sw", template_lang="en", per_task_lang=PER)
    assert en.template_mismatch["en"].share == 0.0
    assert en.template_mismatch["de"].share == en.template_mismatch["sw"].share == 1.0
    assert en.template_mismatch["all"].mismatched == en.template_mismatch["de"].statements + en.template_mismatch["sw"].statements
    assert "| de | " in (tmp_path / "en" / "README.md").read_text().split("## Template language")[1]


def test_warm_cache_gives_identical_bytes_and_any_num_proc(reg, tmp_path):
    cache = tmp_path / "cache.sqlite"
    kw = {"langs": "en,fr,ja", "tasks": "extractive_qa,mcqa,sentiment,translation", "mt_fill": "pseudo", "per_task_lang": PER}
    cold = _build(reg, tmp_path / "a", cache, **kw)
    warm = _build(reg, tmp_path / "b", cache, num_proc=2, **kw)
    assert cold.fingerprint == warm.fingerprint
    assert cold.run.translation["sent"] > 0 and "sent" not in warm.run.translation and warm.run.translation["cache_hits"] > 0
    pq = sorted(p.name for p in (tmp_path / "a" / "data").glob("*.parquet"))
    assert all((tmp_path / "a" / "data" / n).read_bytes() == (tmp_path / "b" / "data" / n).read_bytes() for n in pq)


def test_a_failing_engine_leaves_cells_short_never_half_filled(reg, tmp_path):
    m = _build(reg, tmp_path / "c", tmp_path / "cache.sqlite", langs="en,de,fr", tasks="sentiment,mcqa",
               mt_fill="pseudo?faults=error&fraction=0.3", per_task_lang=PER)  # fmt: skip
    failed = {k: g for k, g in m.groups.items() if g.mt and g.mt.error}
    assert "sentiment/fr" not in m.groups and "mcqa/fr" not in m.groups  # no real rows and no MT: not built
    missing = {(x.task, x.lang): x.message for x in m.missing}
    assert "--mt-fill: engine 'pseudo' failed" in missing[("sentiment", "fr")]
    assert not failed or all(g.mt.statements == 0 for g in failed.values())
    dd = load_corpus(tmp_path / "c")
    assert not any(dd[s]["mt_engine"][i] for s in dd for i in range(dd[s].num_rows))  # nothing translated was kept
    assert {"sentiment/en", "sentiment/de", "mcqa/en", "mcqa/de"} <= set(m.groups)


def test_shared_hub_builds_every_cell_whose_task_has_english_rows(reg, shared_hub, tmp_path):
    m = _build(reg, tmp_path / "c", tmp_path / "cache.sqlite", data_dir=shared_hub, langs="25", mt_fill="pseudo", per_task_lang=100)
    with_english = {k.split("/")[0] for k in m.groups if k.endswith("/en")}
    assert with_english == {"extractive_qa", "headline", "paraphrase", "sentiment", "topic"}
    for task in with_english:
        assert all(f"{task}/{lang}" in m.groups for lang in m.options["langs"]), task
    assert len(m.groups) >= 149
    counts = _cells(load_corpus(tmp_path / "c"))
    mt_rows = sum(n for k, n in counts.items() if k[3])
    assert mt_rows == sum(g.mt.statements for g in m.groups.values() if g.mt) > 5_000
    assert sum(bool(g.mt and g.mt.statements) for g in m.groups.values()) >= 76  # `stdata coverage`: 76 cells only MT can fill
    # MASSIVE is not in this mirror, in no language: the cells say why MT could not help either
    missing = {(x.task, x.lang): x.message for x in m.missing}
    assert "(--mt-fill: English source unavailable: " in missing[("intent", "de")]
    assert m.template_mismatch["all"].share == 0.0


def test_cli_mt_fill_summary_coverage_png_and_bad_engine(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STDATA_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(["build", "--langs", "en,ar", "--tasks", "mcqa,wsd", "--data-dir", str(MIRROR), "--out", str(tmp_path / "c"),
                              "--per-task-lang", "20", "--mt-fill", "pseudo"], monkeypatch, capsys)  # fmt: skip
    assert code == 0, err
    assert "machine" in out and "template language differs from the data language: 0.0%" in out
    assert read_manifest(tmp_path / "c").groups["wsd/ar"].mt.statements == 20
    code, out, err = run_cli(["build", "--langs", "en,ar", "--out", str(tmp_path / "d"), "--mt-fill", "nosuch"], monkeypatch, capsys)
    assert code == 2 and "nosuch" in err and err.strip().count("\n") == 0
    png = tmp_path / "pic" / "cov.png"
    code, out, err = run_cli(
        ["coverage", "--langs", "en,de,ar", "--data-dir", str(MIRROR), "--png", str(png), "--json"], monkeypatch, capsys
    )
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    cells = {(c["task"], c["lang"]): c for c in json.loads(out)["cells"]}
    assert cells[("wsd", "ar")]["mt_fillable"] and cells[("wsd", "ar")]["status"] == "gap"
    assert not cells[("wsd", "en")]["mt_fillable"] and cells[("topic", "de")]["rows"] > 0
