"""`hf:<path or hub id>`: a local transformers seq2seq model (Marian, NLLB, M2M100) as an engine.

Why: offline clusters and languages the web services lack. Segments are translated in batches
(sorted by length, padded) on CPU or GPU with greedy or beam search, deterministic for a given
model. Nothing is silently cut: an input longer than the model accepts, or an output that hit
`max_new_tokens` without ending, fails that segment with the reason.

Target language, by what the tokenizer knows: multilingual Marian `>>deu<<` prefixes, M2M100
`__de__` and NLLB `deu_Latn` tokens (forced as the first generated token); a one-pair Marian
model (opus-mt-en-de) needs nothing. `src=` / `tgt=` override the codes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from .engines import Engine, EngineError, Limits, SkipSegment, provenance_name, register_engine, split_limits

#: NLLB (FLORES-200) spells some macrolanguages by one member.
_FLORES_LANG = {"sw": "swh", "fa": "pes", "ar": "arb", "ms": "zsm", "lv": "lvs", "uz": "uzn", "et": "est", "om": "gaz", "qu": "quy", "mn": "khk", "ne": "npi", "or": "ory", "ps": "pbt", "zh": "zho"}  # fmt: skip
_OPTIONS = ("device", "beams", "max_new_tokens", "max_length", "src", "tgt", "truncated")


def flores_code(tag: str) -> str | None:
    import langcodes

    lang = langcodes.Language.get(tag)
    base = tag.split("-")[0]
    try:
        alpha3 = _FLORES_LANG.get(base) or lang.to_alpha3()
    except LookupError:
        return None
    script = lang.maximize().script
    return f"{alpha3}_{script}" if script else None


def _fingerprint(path: Path) -> str:
    """Changes when the local model's files change (the cache must not serve another model's answers)."""
    h = hashlib.sha256()
    for f in sorted(path.iterdir()):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
            if f.suffix == ".json" and st.st_size < 1_000_000:
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


@register_engine("hf")
class HFEngine(Engine):
    sort_by_length = True

    def __init__(self, arg: str, opts: dict[str, str]):
        if not arg:
            raise EngineError("the hf engine needs a model: hf:<local folder or hub id>, e.g. hf:Helsinki-NLP/opus-mt-en-de")
        self.path = arg
        self.limits, opts = split_limits("hf", opts, _OPTIONS, Limits(timeout=600.0, attempts=1, backoff=0.0, batch=32))
        try:
            self.beams = int(opts.get("beams", "1"))
            self.max_new_tokens = int(opts.get("max_new_tokens", "256"))
            self.max_length = int(opts["max_length"]) if "max_length" in opts else None
        except ValueError as e:
            raise EngineError(f"hf option is not a number: {e}") from None
        self.device_opt = opts.get("device", "auto")
        self.src_code, self.tgt_code = opts.get("src"), opts.get("tgt")
        self.keep_truncated = opts.get("truncated", "fail") == "keep"
        local = Path(arg).is_dir()
        self.name = provenance_name("hf:" + (Path(arg).resolve().name if local else arg))
        gen = f"beams={self.beams}&max_new_tokens={self.max_new_tokens}&src={self.src_code}&tgt={self.tgt_code}&truncated={self.keep_truncated}"
        self.model = (f"{Path(arg).resolve()}#{_fingerprint(Path(arg))}" if local else arg) + "?" + gen
        self._tok: Any = None
        self._model: Any = None
        self._codes: dict[tuple[str, str], tuple[str, int | None, str | None]] = {}
        self._lock = threading.Lock()

    # -- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        if self._model is not None:
            return
        try:
            import torch
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise EngineError("the hf engine needs torch and transformers: pip install 'stdata[train]'") from None
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        offline = Path(self.path).is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1"
        try:
            self._tok = AutoTokenizer.from_pretrained(self.path, local_files_only=offline)
            model = AutoModelForSeq2SeqLM.from_pretrained(self.path, local_files_only=offline)
        except Exception as e:
            raise EngineError(f"cannot load seq2seq model {self.path!r}: {' '.join(str(e).split())[:200]}") from None
        device = self.device_opt
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self._model = model.to(self.device).eval()
        if self.max_length is None:
            self.max_length = int(getattr(model.config, "max_position_embeddings", 0) or 512)

    def _lang_codes(self, source: str, target: str) -> tuple[str, int | None, str | None]:
        """(prefix for the input, forced first token id, tokenizer src_lang) for this pair."""
        vocab = self._tok.get_vocab()
        tgt_base = target.split("-")[0]
        prefix, bos, src_lang = "", None, None
        cands = [self.tgt_code] if self.tgt_code else [target, tgt_base, flores_code(target) or "", (flores_code(target) or "")[:3]]
        for c in cands:
            if c and f">>{c}<<" in vocab:
                prefix = f">>{c}<< "
                break
        if not prefix:
            for c in [self.tgt_code] if self.tgt_code else [f"__{tgt_base}__", flores_code(target) or ""]:
                if c and c in vocab:
                    bos = vocab[c]
                    break
                if c and f"__{c}__" in vocab:
                    bos = vocab[f"__{c}__"]
                    break
            if self.tgt_code and bos is None:
                raise EngineError(f"model {self.path!r} has no language token for tgt={self.tgt_code!r}")
        if hasattr(self._tok, "src_lang"):
            src_base = source.split("-")[0]
            for c in [self.src_code] if self.src_code else [src_base, flores_code(source) or ""]:
                if c and (f"__{c}__" in vocab or c in vocab):
                    src_lang = c
                    break
        return prefix, bos, src_lang

    def check(self, source: str, targets: list[str]) -> None:
        self._load()
        for t in targets:
            self._codes[(source, t)] = self._lang_codes(source, t)

    # -- translating -----------------------------------------------------------------------
    def refuse(self, text: str) -> str | None:
        self._load()
        n = len(self._tok(text, add_special_tokens=True)["input_ids"])
        if self.max_length is not None and n > self.max_length:
            return f"{n} tokens; model {self.path!r} takes at most {self.max_length} (max_length=)"
        return None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Any]:
        import torch

        self._load()
        if (source, target) not in self._codes:
            self._codes[(source, target)] = self._lang_codes(source, target)
        prefix, bos, src_lang = self._codes[(source, target)]
        with self._lock, torch.inference_mode():
            if src_lang is not None:
                self._tok.src_lang = src_lang
            enc = self._tok([prefix + t for t in texts], return_tensors="pt", padding=True).to(self.device)
            kwargs: dict[str, Any] = dict(num_beams=self.beams, do_sample=False, max_new_tokens=self.max_new_tokens)
            if bos is not None:
                kwargs["forced_bos_token_id"] = bos
            out = self._model.generate(**enc, **kwargs)
        decoded = self._tok.batch_decode(out, skip_special_tokens=True)
        eos = self._model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        results: list[Any] = []
        for row, text in zip(out.tolist(), decoded):
            gen = row[1:]  # after the decoder start token
            end = next((k for k, t in enumerate(gen) if t in eos_ids), len(gen))
            if not self.keep_truncated and end >= self.max_new_tokens - 1:  # no room left: cut, maybe by a forced EOS
                results.append(SkipSegment(f"the output hit max_new_tokens={self.max_new_tokens} without ending; raise it"))
            else:
                results.append(text)
        return results
