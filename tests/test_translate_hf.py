"""The `hf:` engine on a tiny random Marian model built offline (tokenizer trained here, save_pretrained to tmp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stdata.registry import Registry
from stdata.translate.cache import Cache
from stdata.translate.engines import EngineError, make_engine
from stdata.translate.hfmodel import flores_code
from stdata.translate.runner import Runner

TEXTS = [
    "The review {0} is positive.", "Die Rezension {0} ist positiv.", "{0} Question: {1} Answer: {2}",
    "This happened because", "Hii ilitokea kwa sababu", "The topic of the article is sports.", "0 1 2 3 4 5 6 7 8 9 { }",
]  # fmt: skip


def make_tiny_marian(
    out: Path, texts: list[str] = TEXTS, d_model: int = 16, vocab_size: int = 120, positions: int = 64, seed: int = 0
) -> Path:
    """A random-init MarianMTModel (1+1 layers) with a Unigram tokenizer trained on `texts`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import MarianConfig, MarianMTModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.train_from_iterator(
        texts, trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>")
    )
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A $B </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))]
    )
    tok.decoder = decoders.Metaspace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=positions)
    config = MarianConfig(
        vocab_size=len(fast), d_model=d_model, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=2 * d_model, decoder_ffn_dim=2 * d_model, max_position_embeddings=positions,
        pad_token_id=fast.pad_token_id, eos_token_id=fast.eos_token_id, decoder_start_token_id=fast.pad_token_id,
    )  # fmt: skip
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(out)
    fast.save_pretrained(out)
    return Path(out)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    pytest.importorskip("transformers")
    return make_tiny_marian(tmp_path_factory.mktemp("marian") / "tiny-marian")


def test_hf_engine_batches_deterministically_and_caches(tiny):
    eng = make_engine(f"hf:{tiny}?batch=4&max_new_tokens=6&truncated=keep&device=cpu")
    eng.check("en", ["de"])
    assert eng.name == "hf:tiny-marian" and eng.limits.batch == 4
    texts = [f"The review {{0}} is positive {i}." for i in range(10)]
    runner = Runner(eng, Cache.memory())
    first = runner.translate([("en", "de", t) for t in texts])
    assert runner.stats.engine_calls == 3 and runner.stats.sent == 10  # ceil(10 / 4) batched calls
    assert all(isinstance(a.text, str) for a in first.values())
    alone = eng.translate_batch([texts[3]], "en", "de")[0]
    assert alone == first[("en", "de", texts[3])].text  # padding in a batch does not change the output
    again = Runner(eng, Cache.memory()).translate([("en", "de", t) for t in texts])
    assert {k: a.text for k, a in again.items()} == {k: a.text for k, a in first.items()}


def test_hf_engine_never_cuts_silently(tiny):
    eng = make_engine(f"hf:{tiny}?max_new_tokens=4")
    eng.check("en", ["de"])
    runner = Runner(eng, Cache.memory())
    long = "sports " * 80
    answers = runner.translate([("en", "de", "The review {0} is positive."), ("en", "de", long)])
    assert "takes at most 64" in answers[("en", "de", long)].error  # too long to read: refused, not truncated
    assert "max_new_tokens=4" in answers[("en", "de", "The review {0} is positive.")].error  # output cut: failed


def test_hf_engine_in_the_template_pipeline(tiny, tmp_path, monkeypatch):
    """A random model produces garbage: every variant must be rejected or failed, none written."""
    from test_translate_templates import TASKS

    from stdata.translate.templates import translate_templates

    root = tmp_path / "templates"
    for name in ("nli", "pairs"):
        (root / name).mkdir(parents=True)
        (root / name / "task.yaml").write_text(TASKS[name][0])
        (root / name / "en.yaml").write_text(TASKS[name][1])
    out = translate_templates(
        Registry.load(root), "de", all_tasks=True, engine=f"hf:{tiny}?max_new_tokens=8&truncated=keep", cache=Cache.memory()
    )
    assert out["provenance"] == "mt:hf:tiny-marian"
    assert out["written"] == 0 and out["rejected"] + out["failed"] == 4
    assert all("placeholder tokens changed" in r["reason"] or "lost every word" in r["reason"] for r in out["rejections"])


def test_hf_engine_reports_a_missing_model_and_language_codes(tmp_path):
    with pytest.raises(EngineError, match="cannot load seq2seq model"):
        make_engine(f"hf:{tmp_path / 'nothing-here'}").check("en", ["de"])
    assert (flores_code("de"), flores_code("sw"), flores_code("zh"), flores_code("ar")) == ("deu_Latn", "swh_Latn", "zho_Hans", "arb_Arab")
