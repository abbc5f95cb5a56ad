"""The one place a statement-tuned model is loaded and asked how true statements are.

`load_scorer(path)` accepts what `stdata train` writes (a LoRA/QLoRA adapter over its base model,
a `--merge`d model, a fully fine-tuned model) and any two-label sequence classifier whose True
index is given or readable from its `id2label`. `StatementScorer.score(statements)` returns
P(True) = softmax(logits)[true_index] per statement, in input order.

Scoring sorts statements by token length and pads each batch only to its longest member, so a
mixed-length evaluation set costs little more than its real tokens. On a GPU the host work
(tokenising, padding, pinning) runs a chunk ahead on a worker thread while the GPU scores the
previous one (`StatementScorer.prefetch`), and attention uses SDPA where the architecture has it.
Model names are resolved before anything heavy is imported: a missing local path or an uncached
hub id with no hub in reach fails in milliseconds with one line, instead of the hub client's ~25 s
of retries.
"""

from __future__ import annotations

import json
import os
import re
import socket
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from pydantic import Field

from .errors import StdataError, UsageError
from .records import Record

META = "stdata_model.json"
ADAPTER_CONFIG = "adapter_config.json"
#: Heads kept unquantized (and trainable) under QLoRA; DistilBERT calls its extra layer pre_classifier.
HEAD_MODULES = ("classifier", "pooler", "pre_classifier")
#: Batches per chunk the GPU path prepares ahead (tokenise, sort, pad, pin) while the previous chunk runs.
PREFETCH_BATCHES = 4
#: id2label names read as "true" when no True index is given.
TRUE_NAMES = ("true", "entailment", "yes", "correct")


def looks_like_path(name: str) -> bool:
    """Hub ids are `name` or `org/name`; anything else (./x, /x, ~/x, a/b/c, x\\y) is meant as a path."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name or name.endswith("/")


def hub_offline(*variables: str) -> bool:
    """Whether any of these variables (default HF_HUB_OFFLINE) is set to a true value, as huggingface_hub reads them."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on") for v in variables or ("HF_HUB_OFFLINE",))


def hub_reachable(timeout: float = 3.0) -> bool:
    """One TCP connect to the hub endpoint: seconds at most, where the hub client would retry for ~25 s."""
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout=timeout).close()
        return True
    except OSError:
        return False


def resolve_model(name: str | os.PathLike, what: str = "model") -> str:
    """A loadable model name: an existing folder, a cached hub id, or a hub id with the hub in reach."""
    name = str(name)
    p = Path(name).expanduser()
    if p.is_dir():
        if not any((p / f).exists() for f in ("config.json", ADAPTER_CONFIG, META)):
            raise StdataError(f"{what} folder {p} holds no config.json (not a saved transformers model)")
        return str(p)
    if p.exists():
        raise StdataError(f"{what} {p} is a file; give a model folder or a hub id")
    if looks_like_path(name):
        raise StdataError(f"{what} path {p} does not exist")
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(name, "config.json"), str):
        return name
    if hub_offline():
        raise StdataError(f"{what} {name!r} is not a local folder and not in the Hugging Face cache (HF_HUB_OFFLINE is set)")
    if not hub_reachable():
        raise StdataError(f"{what} {name!r} is not a local folder, not cached, and the Hugging Face hub is unreachable")
    return name


class ModelInfo(Record):
    """stdata_model.json: what a tuned model is, what it learned from, and how well (docs/training.md).

    `stdata train` writes every field; for a foreign classifier a hand-written file with only
    `true_index` (and `kind: full`) is enough, so everything has a default.
    """

    format_version: int = 1
    stdata_version: str | None = None
    kind: str = "full"  # adapter | full | merged
    method: str | None = None  # qlora | lora | full
    base_model: str | None = None  # as given
    base_model_resolved: str | None = None  # an absolute folder, or the hub id
    model_type: str | None = None
    true_index: int | None = None
    id2label: dict[str, str] | None = None
    max_length: int | None = None  # tokens, as actually used (capped at what the model can embed)
    corpus_manifest_hash: str | None = None  # the corpus fingerprint: ties the model to its exact data
    template_set_hash: str | None = None  # the corpus's template set hash (build's meaning)
    corpus: dict[str, Any] = Field(default_factory=dict)
    quantization: dict[str, Any] | None = None
    lora: dict[str, Any] | None = None
    training_args: dict[str, Any] = Field(default_factory=dict)
    final_metrics: dict[str, Any] = Field(default_factory=dict)
    run: dict[str, Any] = Field(default_factory=dict)  # timings and world size: the only fields that differ between identical runs
    merged_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if d["merged_from"] is None:
            del d["merged_from"]
        return d


def read_meta(path: str | os.PathLike) -> ModelInfo | None:
    f = Path(path) / META
    if not f.exists():
        return None
    try:
        data = json.loads(f.read_text())
    except json.JSONDecodeError as e:
        raise StdataError(f"{f}: broken JSON at line {e.lineno}: {e.msg}") from None
    return ModelInfo.from_dict(data, str(f))


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def quantization_config(compute_dtype: str = "float32"):
    """4-bit NF4 with double quantization; heads stay full precision so they can be trained and saved."""
    require_bitsandbytes()
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=getattr(torch, compute_dtype),
        llm_int8_skip_modules=skip_modules(),
    )


def skip_modules() -> list[str]:
    """The head names as transformers 5 matches them: from the start ("classifier.dense") or nested ("bert.pooler")."""
    return list(HEAD_MODULES) + [rf".*\.{h}" for h in HEAD_MODULES]


def require_bitsandbytes() -> None:
    """QLoRA's one extra need, checked before any model loads."""
    try:
        import bitsandbytes  # noqa: F401
    except Exception as e:
        raise StdataError(
            f"--method qlora needs bitsandbytes, which cannot be imported here ({type(e).__name__}); "
            "install it (pip install 'stdata[train]') or use --method lora"
        ) from None


def disable_bnb_cpu_packing(model) -> None:
    """Keep 4-bit weights in the training layout on CPU.

    bitsandbytes 0.50 repacks 4-bit weights for AVX512-BF16 kernels on the first CPU forward pass
    in eval mode; the repacked layout breaks the next training step (Trainer evaluates between
    steps), fails for layers narrower than the 64-wide block, and rounds scales to bf16 so the same
    model scores differently before and after an evaluation. One layout keeps scores reproducible.
    """
    try:
        import bitsandbytes as bnb
    except Exception:
        return
    for m in model.modules():
        if isinstance(m, bnb.nn.Linear4bit):
            m.support_avx512bf16_for_cpu = False


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Transformers' per-load chatter off: its "Loading weights" bar and its LOAD REPORT, which calls a
    head that an adapter restores next (or that training creates) "MISSING ... newly initialized" and
    reads like a failure. What matters in it -- a head drawn at random -- stdata reports itself
    (`stdata_fresh_head`, the scorer's `untuned_head`)."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def check_device(device: str | None) -> str | None:
    """`device` if this machine has it; else one line (`--device tpu9`, cuda without a GPU)."""
    if device is None:
        return None
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError, TypeError):
        raise UsageError(f"--device {device!r} is not a device name (cpu, cuda, cuda:1, mps)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {device}: no CUDA GPU is visible here; use --device cpu")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise UsageError(f"--device {device}: only {torch.cuda.device_count()} CUDA GPU(s) are visible")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise UsageError(f"--device {device}: MPS is not available here; use --device cpu")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise UsageError(f"--device {device}: stdata runs models on cpu, cuda or mps")
    return device


def _unloadable(what: str, name: str, e: Exception) -> StdataError:
    """One line for a model whose files cannot be read (corrupt weights, a model that is not a text classifier)."""
    text = " ".join(str(e).split())
    if "Unrecognized configuration class" in text:
        kind = re.search(r"configuration_(\w+)\.", text)
        text = f"its model type ({kind.group(1) if kind else 'unknown'}) is not a text sequence classifier"
    return StdataError(f"cannot load {name!r} as {what}: {type(e).__name__}: {text[:240]}")


def load_classifier(
    name: str,
    quantize: bool = False,
    compute_dtype: str = "float32",
    device: str | None = None,
    relabel: bool = True,
    seed: int | None = None,
    **config,
):
    """AutoModelForSequenceClassification, 4-bit if asked; `relabel` makes it two labels {0: false, 1: true}.

    Training relabels (a fresh head); scoring a foreign classifier keeps its own labels, which
    are the only clue to its True index. Weights the checkpoint lacks (a plain encoder has no
    classifier) are drawn at random -- from `seed` when given, without touching the global RNG --
    and the head's are listed in `model.stdata_fresh_head` (empty when the head was loaded).
    """
    import torch

    # fp32 weights whatever the checkpoint's dtype (transformers 5 would keep a half-precision
    # checkpoint in half precision): the trainer's master weights, and reproducible scores.
    kw: dict[str, Any] = {"dtype": torch.float32, **config}
    if relabel:
        kw.update(num_labels=2, id2label={0: "false", 1: "true"}, label2id={"false": 0, "true": 1})
    if quantize:
        kw["quantization_config"] = quantization_config(compute_dtype)
        kw["device_map"] = {"": device or default_device()}
    model, info = _from_pretrained(name, kw, seed)
    fresh = [k for k in info.get("missing_keys", ()) if any(h in k.split(".") for h in HEAD_MODULES)]
    fresh += [k for k, *_ in info.get("mismatched_keys", ()) if any(h in k.split(".") for h in HEAD_MODULES)]
    model.stdata_fresh_head = sorted(fresh)
    if quantize:
        disable_bnb_cpu_packing(model)
    return model


def _from_pretrained(name: str, kw: dict[str, Any], seed: int | None = None):
    """The model and its loading info, quietly (stdata says what matters in one line); weights the
    checkpoint lacks are drawn from `seed` when given, without touching the global RNG."""
    import torch
    from transformers import AutoModelForSequenceClassification

    try:
        with quiet_loading(), torch.random.fork_rng(devices=[]) if seed is not None else nullcontext():
            if seed is not None:
                torch.manual_seed(seed)
            return AutoModelForSequenceClassification.from_pretrained(name, output_loading_info=True, **kw)
    except Exception as e:  # the files, not stdata: a corrupt safetensors file, an image model, a broken config
        raise _unloadable("a sequence classifier", name, e) from None


# RoBERTa-family position ids start after the padding index, so pad_token_id + 1 positions are unusable
_OFFSET_POSITIONS = {"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "longformer"}


def token_limit(config, tokenizer, default: int = 512) -> int:
    """The longest input the model can embed: the tokenizer's limit and the position table, whichever is smaller.

    XLM-R's table holds 514 rows but only 512 usable positions; a max_length past the usable ones
    fails deep inside the embedding with an index error instead of truncating.
    """
    limits = [x for x in (getattr(tokenizer, "model_max_length", None),) if isinstance(x, int) and 0 < x < 1_000_000]
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        if getattr(config, "model_type", "") in _OFFSET_POSITIONS:
            positions -= (getattr(config, "pad_token_id", None) or 0) + 1
        limits.append(positions)
    return min(limits) if limits else default


def encode(tokenizer, texts: list[str], max_length: int) -> tuple[dict[str, list], list[int]]:
    """Token ids cut to `max_length`, and the indices of the texts that were longer (cut).

    Encoding to max_length + 1 tells which texts are too long without the tokenizer's
    "longer than the maximum" warning; only those are encoded again, properly truncated.
    """
    enc = dict(tokenizer(texts, truncation=True, max_length=max_length + 1))
    long_ = [i for i, ids in enumerate(enc["input_ids"]) if len(ids) > max_length]
    if long_:
        redo = tokenizer([texts[i] for i in long_], truncation=True, max_length=max_length)
        for key in enc:
            for j, i in enumerate(long_):
                enc[key][i] = redo[key][j]
    return enc, long_


def _true_index_from_labels(id2label: dict) -> int | None:
    for i, name in id2label.items():
        if str(name).strip().lower() in TRUE_NAMES:
            return int(i)
    return None


@dataclass
class StatementScorer:
    """A loaded two-label classifier: `score(statements)` -> P(True) per statement, in input order."""

    model: Any
    tokenizer: Any
    true_index: int = 1
    max_length: int | None = None
    device: str | None = None
    meta: ModelInfo | None = None  # a `stdata train` model's stdata_model.json
    truncated: int = 0  # statements cut to max_length in the last call
    untuned_head: bool = False  # the classification head was drawn at random (not in the checkpoint)
    head_seed: int | None = None  # the seed it was drawn from
    prefetch: bool | None = None  # make batches ahead on a worker thread (default: on a GPU)
    tokens: int = 0  # real tokens scored in the last call (the FLOP count's input)
    padded_tokens: int = 0  # tokens the model ran, padding included

    def __post_init__(self) -> None:
        if self.true_index not in (0, 1):
            raise StdataError(f"true_index must be 0 or 1 for a two-label classifier, got {self.true_index}")
        n = getattr(self.model.config, "num_labels", 2)
        if n != 2:
            raise StdataError(f"the model has {n} labels; statement scoring needs a two-label (false/true) classifier")
        if self.device is None:
            self.device = str(next(self.model.parameters()).device)
        if self.max_length is None:
            self.max_length = token_limit(self.model.config, self.tokenizer)
        self.model.eval()

    def logits(self, statements: Sequence[str], batch_size: int = 32, max_length: int | None = None) -> np.ndarray:
        """Raw (n, 2) logits in input order; `score` is their softmax at the True index."""
        import torch

        statements = list(statements)
        if not all(isinstance(s, str) for s in statements):
            raise StdataError("statements must be strings")
        if batch_size < 1:
            raise StdataError("batch_size must be at least 1")
        out = np.zeros((len(statements), 2), dtype=np.float32)
        if not statements:
            return out
        limit = max_length or self.max_length or token_limit(self.model.config, self.tokenizer)
        ahead = self.prefetch if self.prefetch is not None else str(self.device).startswith("cuda")
        self.tokens = self.padded_tokens = 0
        if ahead:
            order, logits, self.truncated = self._logits_ahead(statements, batch_size, limit)
        else:
            enc, cut = encode(self.tokenizer, statements, limit)
            self.truncated = len(cut)
            order = sorted(range(len(statements)), key=lambda i: len(enc["input_ids"][i]))
            batches = []
            with torch.inference_mode():
                for start in range(0, len(order), batch_size):
                    batch = self._pad(enc, order[start : start + batch_size])
                    batches.append(self.model(**{k: v.to(self.device, non_blocking=True) for k, v in batch.items()}).logits)
                logits = torch.cat(batches).float().cpu().numpy()  # one device-to-host copy, after the last batch
        if self.truncated:
            warnings.warn(f"{self.truncated} statement(s) longer than {limit} tokens were truncated", stacklevel=2)
        out[order] = logits
        return out

    def _logits_ahead(self, statements: list[str], batch_size: int, limit: int) -> tuple[list[int], np.ndarray, int]:
        """Score with the host work one chunk ahead: (input positions in scoring order, their logits, truncated).

        Statements are ordered by character length and cut into chunks of PREFETCH_BATCHES
        batches; a worker thread tokenises chunk k+1 (the Rust tokenizer releases the GIL), sorts
        it by token length, pads it into batches and pins them, while this thread copies chunk k's
        batches to the GPU without blocking and runs them. Character length follows token length
        closely, so sorting by tokens within character-sorted chunks pads close to one global sort.
        """
        import torch

        chunk = batch_size * PREFETCH_BATCHES
        by_chars = sorted(range(len(statements)), key=lambda i: len(statements[i]))
        chunks = [by_chars[s : s + chunk] for s in range(0, len(by_chars), chunk)]
        pin = str(self.device).startswith("cuda")

        def prepare(idx: list[int]) -> tuple[list[tuple[list[int], dict[str, Any]]], int]:
            enc, cut = encode(self.tokenizer, [statements[i] for i in idx], limit)
            order = sorted(range(len(idx)), key=lambda j: len(enc["input_ids"][j]))
            batches = []
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                batch = self._pad(enc, rows)
                batches.append(([idx[j] for j in rows], {k: v.pin_memory() for k, v in batch.items()} if pin else batch))
            return batches, len(cut)

        positions: list[int] = []
        outs, truncated = [], 0
        with ThreadPoolExecutor(1, thread_name_prefix="stdata-prefetch") as pool, torch.inference_mode():
            pending = pool.submit(prepare, chunks[0])
            for k in range(len(chunks)):
                batches, cut = pending.result()
                truncated += cut
                if k + 1 < len(chunks):
                    pending = pool.submit(prepare, chunks[k + 1])
                for rows, batch in batches:
                    outs.append(self.model(**{n: v.to(self.device, non_blocking=True) for n, v in batch.items()}).logits)
                    positions += rows
            logits = torch.cat(outs).float().cpu().numpy()
        return positions, logits, truncated

    def _pad(self, enc: dict[str, list], idx: list[int]) -> dict[str, Any]:
        """One batch as tensors padded to its longest member (what tokenizer.pad does, without per-row dicts)."""
        import torch

        width = max(len(enc["input_ids"][i]) for i in idx)
        left = getattr(self.tokenizer, "padding_side", "right") == "left"
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = np.full((len(idx), width), pad, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        types = np.zeros((len(idx), width), dtype=np.int64) if "token_type_ids" in enc else None
        for row, i in enumerate(idx):
            n = len(enc["input_ids"][i])
            cols = slice(width - n, width) if left else slice(0, n)
            ids[row, cols] = enc["input_ids"][i]
            mask[row, cols] = 1
            if types is not None:
                types[row, cols] = enc["token_type_ids"][i]
        self.tokens += int(mask.sum())
        self.padded_tokens += mask.size
        batch = {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)}
        if types is not None:
            batch["token_type_ids"] = torch.from_numpy(types)
        return batch

    def score(self, statements: Sequence[str], batch_size: int = 32, max_length: int | None = None) -> np.ndarray:
        """P(True) for each statement (float32 array, input order)."""
        logits = self.logits(statements, batch_size, max_length)
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return p[:, self.true_index].astype(np.float32)


def attention(name: str, device: str) -> dict[str, Any]:
    """`attn_implementation="sdpa"` on a GPU where the architecture has it (BERT, XLM-R; DeBERTa-v2 has not).

    transformers 5 already picks SDPA by itself where it can; asking for it makes the GPU path
    independent of that default. The CPU path keeps transformers' choice, so its scores never move.
    """
    if not device.startswith("cuda"):
        return {}
    from transformers import AutoConfig, AutoModelForSequenceClassification

    try:
        cls = AutoModelForSequenceClassification._model_mapping[type(AutoConfig.from_pretrained(name))]
    except (KeyError, OSError, ValueError):
        return {}
    return {"attn_implementation": "sdpa"} if getattr(cls, "_supports_sdpa", False) else {}


def load_scorer(path: str | os.PathLike, true_index: int | None = None, device: str | None = None, seed: int = 42) -> StatementScorer:
    """Load a tuned model for scoring: adapter+base, merged, full, or any two-label classifier.

    `true_index` overrides the one recorded in stdata_model.json (or read from the model's
    id2label); a foreign classifier whose labels say nothing about truth needs it. `device`
    defaults to the GPU when there is one. A head the checkpoint lacks (a plain encoder) is drawn
    from `seed`, and the scorer says so (`untuned_head`).
    """
    name = resolve_model(path)
    meta = read_meta(name) if Path(name).is_dir() else None
    device = check_device(device) or default_device()
    adapter = Path(name).is_dir() and (Path(name) / ADAPTER_CONFIG).exists()
    quantize = False
    if adapter:
        from peft import PeftModel

        base = meta.base_model_resolved or meta.base_model if meta else None
        adapter_cfg = _adapter_config(Path(name))
        model, quantize = _load_base(base or adapter_cfg.get("base_model_name_or_path"), meta, device, seed, attention_kw=True)
        fresh = model.stdata_fresh_head if not adapter_cfg.get("modules_to_save") else []  # the adapter brings its head
        try:
            with warnings.catch_warnings(), quiet_loading():  # peft reads transformers' deprecated is_gradient_checkpointing
                warnings.simplefilter("ignore", FutureWarning)
                model = PeftModel.from_pretrained(model, name)
        except Exception as e:  # the files: a corrupt adapter_model.safetensors, an adapter of another base
            raise _unloadable("a LoRA adapter", name, e) from None
        if quantize:
            disable_bnb_cpu_packing(model)
    else:
        model = load_classifier(name, relabel=False, seed=seed, **attention(name, device))
        fresh = model.stdata_fresh_head
    if not (adapter and quantize):
        model.to(device)
    if true_index is None and meta is not None:
        true_index = meta.true_index
    if true_index is None:
        true_index = _true_index_from_labels(model.config.id2label)
    if true_index is None:
        raise StdataError(f"{path}: cannot tell which label means True (id2label {model.config.id2label}); pass true_index")
    max_length = meta.max_length if meta else None
    return StatementScorer(
        model, _tokenizer(name, meta), int(true_index), max_length, device, meta, 0, bool(fresh), seed if fresh else None
    )


def load_untuned(path: str | os.PathLike, seed: int = 42, device: str | None = None) -> StatementScorer:
    """The untuned start point of a `stdata train` model: its base model with a fresh two-label head drawn from `seed`.

    What the tuned model is measured against: the same encoder, tokenizer and max length, before
    statement tuning (a QLoRA model's base is loaded in 4 bits, as it was trained).
    """
    name = resolve_model(path)
    base, meta = base_of(name), read_meta(name)
    assert meta is not None  # base_of found it
    device = check_device(device) or default_device()
    model, quantize = _load_base(base, meta, device, seed)
    if not quantize:
        model.to(device)
    true_index = meta.true_index if meta.true_index is not None else 1
    fresh = bool(model.stdata_fresh_head)
    return StatementScorer(model, _tokenizer(name, meta), int(true_index), meta.max_length, device, None, 0, fresh, seed if fresh else None)


def base_of(path: str | os.PathLike | None) -> str:
    """The base model a `stdata train` output started from (its stdata_model.json says), or a one-line error."""
    name = resolve_model(str(path))
    meta = read_meta(name) if Path(name).is_dir() else None
    base = (meta.base_model_resolved or meta.base_model) if meta else None
    if not base:
        raise StdataError(f"--baseline untuned needs a `stdata train` model: {path} has no {META} naming its base model")
    return base


def _load_base(base: str | None, meta: ModelInfo | None, device: str, seed: int, attention_kw: bool = False):
    """The base classifier an adapter (or the untuned baseline) sits on: 4-bit for QLoRA where bitsandbytes works."""
    if not base:
        raise StdataError("the adapter names no base model (stdata_model.json or adapter_config.json)")
    base = resolve_model(base, what="base model")
    quantize = meta is not None and meta.method == "qlora"
    if quantize:
        try:
            require_bitsandbytes()
        except StdataError:
            msg = "adapter trained with QLoRA, scored over the full-precision base (bitsandbytes missing): scores differ slightly"
            warnings.warn(msg, stacklevel=3)
            quantize = False
    compute = ((meta.quantization if meta else None) or {}).get("compute_dtype", "float32") if device.startswith("cuda") else "float32"
    extra = attention(base, device) if attention_kw else {}
    return load_classifier(base, quantize=quantize, compute_dtype=compute, device=device, seed=seed, **extra), quantize


def _adapter_config(folder: Path) -> dict[str, Any]:
    """The adapter's adapter_config.json; a damaged one is one line, not a traceback."""
    try:
        cfg = json.loads((folder / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StdataError(f"cannot read {folder / ADAPTER_CONFIG}: {type(e).__name__}: {' '.join(str(e).split())[:200]}") from None
    if not isinstance(cfg, dict):
        raise StdataError(f"{folder / ADAPTER_CONFIG} is not a JSON object")
    return cfg


def _tokenizer(name: str, meta: ModelInfo | None):
    from transformers import AutoTokenizer

    own_tokenizer = (Path(name) / "tokenizer_config.json").exists() or not Path(name).is_dir()
    source = name if own_tokenizer or meta is None else meta.base_model_resolved
    try:
        with quiet_loading():
            return AutoTokenizer.from_pretrained(source)
    except Exception as e:  # the files: a broken tokenizer.json, a missing vocabulary
        raise _unloadable("a tokenizer", str(source), e) from None


def set_dtype(scorer: Any, dtype: str) -> str | None:
    """Cast the scorer's model for inference: `auto` is bf16 (fp16 where the GPU lacks it) on CUDA, fp32 on CPU.

    A 4-bit (QLoRA) model keeps its own layout. Returns the dtype of the model's weights.
    """
    model = getattr(scorer, "model", None)
    if model is None:
        return None
    import torch

    if dtype == "auto":
        if not str(getattr(scorer, "device", "cpu")).startswith("cuda"):
            dtype = "float32"
        else:
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if not (getattr(model, "is_quantized", False) or getattr(getattr(model, "base_model", None), "is_quantized", False)):
        model.to(getattr(torch, dtype))
    return model_dtype(scorer)


def model_dtype(scorer: Any) -> str | None:
    """The floating dtype(s) of the scorer's weights, e.g. `float32` or `bfloat16/float32`."""
    model = getattr(scorer, "model", None)
    if model is None:
        return None
    dtypes = {str(p.dtype).replace("torch.", "") for p in model.parameters() if p.is_floating_point()}
    return "/".join(sorted(dtypes)) or None
