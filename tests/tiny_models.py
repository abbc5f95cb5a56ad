"""Tiny random-init encoders with tokenizers trained on the fly, saved like hub checkpoints.

Tests (train, eval, scoring) need real AutoModelForSequenceClassification checkpoints of the
architectures the paper uses, but the hub is unreachable and real weights are large. These
factories train a small WordPiece (BERT) or Unigram (XLM-R, DeBERTa-v2) tokenizer on the given
texts with `tokenizers`, build a hidden-32, 2-layer model from a fixed seed, and
`save_pretrained` both into a folder that `from_pretrained` loads offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

ARCHS = ("bert", "xlm-roberta", "deberta-v2")

#: Sentences the tokenizers learn from when a test passes none: the vocabulary of tests/test_train.py facts.
DEFAULT_TEXTS = [
    "Paris is the capital of France.", "Berlin is the capital of Germany.", "Rome is the capital of Italy.",
    "Madrid is the capital of Spain.", "Two plus two is four.", "Three plus three is six.",
    "The sun is hot.", "Ice is cold.", "Fire is hot.", "Snow is cold.", "A dog is an animal.",
    "A cat is an animal.", "A rose is a flower.", "The review is positive.", "The review is negative.",
    "This statement is true.", "This statement is false.", "is not", "yes no", "0 1 2 3 4 5 6 7 8 9",
]  # fmt: skip


def _bert_tokenizer(texts: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    )


def _unigram_tokenizer(texts: list[str], vocab_size: int, roberta_style: bool):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if roberta_style:  # XLM-R: <s> </s> with the pad token at id 1 as in the real vocabulary
        bos, eos, pad, unk, mask = "<s>", "</s>", "<pad>", "<unk>", "<mask>"
        specials = [bos, pad, eos, unk, mask]
    else:  # mDeBERTa-v3: BERT-style specials over a SentencePiece-like Unigram
        bos, eos, pad, unk, mask = "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"
        specials = [pad, bos, eos, unk, mask]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.train_from_iterator(texts, trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=specials, unk_token=unk))
    b, e = tok.token_to_id(bos), tok.token_to_id(eos)
    pair = f"{bos} $A {eos} {eos} $B:1 {eos}:1" if roberta_style else f"{bos} $A {eos} $B:1 {eos}:1"
    tok.post_processor = processors.TemplateProcessing(single=f"{bos} $A {eos}", pair=pair, special_tokens=[(bos, b), (eos, e)])
    tok.decoder = decoders.Metaspace()
    kw = dict(bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos) if roberta_style else dict(cls_token=bos, sep_token=eos)
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=unk, pad_token=pad, mask_token=mask, **kw)


def _config(arch: str, tokenizer, hidden: int, layers: int, heads: int, intermediate: int | None, model_vocab: int | None):
    from transformers import BertConfig, DebertaV2Config, XLMRobertaConfig

    common = dict(
        vocab_size=max(model_vocab or 0, len(tokenizer)), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=intermediate or 2 * hidden, max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
        num_labels=2, id2label={0: "false", 1: "true"}, label2id={"false": 0, "true": 1},
    )  # fmt: skip
    if arch == "bert":
        return BertConfig(**common)
    if arch == "xlm-roberta":
        common["max_position_embeddings"] = 130  # positions start after the padding index, as in the real model
        return XLMRobertaConfig(**common, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    if arch == "deberta-v2":  # the mDeBERTa-v3 layout: relative attention, no absolute positions
        return DebertaV2Config(
            **common, relative_attention=True, position_biased_input=False, pos_att_type=["p2c", "c2p"],
            max_relative_positions=-1, position_buckets=32, norm_rel_ebd="layer_norm", share_att_key=True, type_vocab_size=0,
        )  # fmt: skip
    raise ValueError(f"unknown tiny architecture {arch!r}; known: {ARCHS}")


def make_tiny_model(
    out: Path,
    arch: str = "bert",
    texts: Iterable[str] | None = None,
    hidden: int = 32,
    layers: int = 2,
    vocab_size: int = 300,
    seed: int = 0,
    heads: int = 2,
    intermediate: int | None = None,
    model_vocab: int | None = None,
) -> Path:
    """Save a random-init `arch` sequence classifier (two labels) and its trained tokenizer to `out`.

    The defaults are tiny; `hidden`, `layers`, `heads`, `intermediate` and `model_vocab` (embedding
    rows, at least the tokenizer's) give full-size shapes, e.g. XLM-R base for memory benchmarks.
    """
    import torch
    from transformers import AutoModelForSequenceClassification

    texts = list(texts or DEFAULT_TEXTS)
    if arch == "bert":
        tok = _bert_tokenizer(texts, vocab_size)
    else:
        tok = _unigram_tokenizer(texts, vocab_size, roberta_style=arch == "xlm-roberta")
    tok.model_max_length = 128
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_config(_config(arch, tok, hidden, layers, heads, intermediate, model_vocab))
    out = Path(out)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out
