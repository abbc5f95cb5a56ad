"""`stdata train`: statement-tune an encoder on a built corpus with transformers' Trainer.

One binary head (0 = false, 1 = true) trained with plain cross-entropy over the two logits, by
QLoRA (4-bit NF4 base, LoRA adapters, full-precision head), LoRA, or full fine-tuning. Everything
generic (loop, evaluation, early stopping, checkpoints, resume, mixed precision, DDP under
`accelerate launch`/`torchrun`) is the Trainer's; this module only chooses the settings, checks
the inputs before anything heavy loads, and writes the result with `stdata_model.json`, which
ties the model to the exact corpus (manifest fingerprint, template set hash) it learned from.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_atomic
from .corpus import LABEL_NAMES, TRUE_INDEX, load_corpus, read_manifest
from .errors import StdataError, UsageError
from .model import (
    HEAD_MODULES,
    META,
    encode,
    hub_offline,
    hub_reachable,
    load_classifier,
    looks_like_path,
    peak_rss_mib,
    require_bitsandbytes,
    resolve_model,
    skip_modules,
    token_limit,
)  # fmt: skip

log = logging.getLogger("stdata.train")
METHODS = ("qlora", "lora", "full")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
CHECKPOINTS = "checkpoints"
MERGED = "merged"
#: Default learning rates: adapters tolerate (and need) far larger steps than full fine-tuning.
DEFAULT_LR = {"qlora": 2e-4, "lora": 2e-4, "full": 2e-5}

#: LoRA targets per model_type: every linear layer of the encoder blocks, never the head.
#: Names are suffixes as peft matches them ("output.dense" covers attention.output.dense too).
LORA_TARGETS = {
    "bert": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "roberta": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "xlm-roberta": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "camembert": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "electra": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "deberta-v2": ["query_proj", "key_proj", "value_proj", "output.dense", "intermediate.dense"],
    "deberta": ["in_proj", "output.dense", "intermediate.dense"],
    "distilbert": ["q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2"],
    "mpnet": ["q", "k", "v", "o", "intermediate.dense", "output.dense"],
}


@dataclass
class TrainOptions:
    corpus: str
    model: str
    out: Path
    method: str = "qlora"
    tasks: str | None = None  # comma list
    langs: str | None = None  # comma list
    epochs: float = 3.0
    lr: float | None = None  # None: DEFAULT_LR[method]
    batch_size: int = 16
    grad_accum: int = 1
    max_length: int = 256
    max_steps: int = -1  # > 0 overrides epochs
    warmup: float = 0.06  # < 1: share of the steps; >= 1: a number of steps
    weight_decay: float = 0.01
    lora_r: int | None = None
    lora_alpha: int | None = None
    lora_dropout: float | None = None
    lora_targets: str | None = None  # comma list of module-name suffixes
    seed: int = 42
    eval_steps: int | None = None  # None: evaluate (and checkpoint) once per epoch
    patience: int = 3  # evaluations without F1 gain before stopping; 0 disables early stopping
    gradient_checkpointing: bool = False
    precision: str = "auto"
    resume: str | None = None  # "last" or a checkpoint folder
    merge: bool = False
    keep_checkpoints: bool = False
    max_train_samples: int | None = None
    max_eval_samples: int | None = None
    push_to_hub: str | None = None  # repo id
    private: bool = True
    progress: bool = False
    logging_steps: int | None = None

    def check(self) -> None:
        if self.method not in METHODS:
            raise UsageError(f"--method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.precision not in PRECISIONS:
            raise UsageError(f"--precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        for name in ("batch_size", "grad_accum"):
            if getattr(self, name) < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
        if self.max_length < 8:
            raise UsageError("--max-length must be at least 8 tokens")
        if self.max_steps <= 0 and self.epochs <= 0:
            raise UsageError("--epochs must be positive (or give --max-steps)")
        if self.lr is not None and not 0 < self.lr < 1:
            raise UsageError(f"--lr must be in (0, 1), got {self.lr}")
        if self.lora_r is not None and self.lora_r < 1:
            raise UsageError("--lora-r must be at least 1")
        if self.lora_dropout is not None and not 0 <= self.lora_dropout < 1:
            raise UsageError("--lora-dropout must be in [0, 1)")
        if self.eval_steps is not None and self.eval_steps < 1:
            raise UsageError("--eval-steps must be at least 1")
        if self.patience < 0:
            raise UsageError("--patience must be >= 0")
        if self.method == "full" and any(v is not None for v in (self.lora_r, self.lora_alpha, self.lora_dropout, self.lora_targets)):
            raise UsageError("LoRA options do not apply to --method full")


@dataclass
class TrainResult:
    out: Path
    meta: dict[str, Any]
    model: Any = field(repr=False, default=None)
    tokenizer: Any = field(repr=False, default=None)
    main_process: bool = True  # False on the other ranks of a DDP run, which write nothing


# ---------------------------------------------------------------- checks that need no torch


def _split_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def check_machine(opts: TrainOptions) -> str:
    """The precision this machine runs `opts` at; a method or precision it cannot run is an error."""
    import torch

    cuda = torch.cuda.is_available()
    if opts.method == "qlora":
        require_bitsandbytes()
    if opts.precision == "fp16" and not cuda:
        raise StdataError("--precision fp16 needs a CUDA GPU; use bf16 or fp32 on CPU")
    if opts.precision == "bf16" and cuda and not torch.cuda.is_bf16_supported():
        raise StdataError("--precision bf16 is not supported by this GPU; use fp16")
    if opts.precision != "auto":
        return opts.precision
    if not cuda or opts.method == "qlora":
        # QLoRA: the 4-bit matmuls already run in bf16/fp16 (bnb compute dtype); autocast on top
        # mixes fp32 layer outputs with bf16 attention scores, which breaks DeBERTa-v2's masking.
        return "fp32"
    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def prepare_out(opts: TrainOptions) -> str | None:
    """Check the output folder and return the checkpoint to resume from (None for a fresh run)."""
    out = Path(opts.out)
    ckpts = out / CHECKPOINTS
    if opts.resume is None:
        if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not ((out / META).exists() or ckpts.is_dir()))):
            raise StdataError(f"--out {out} exists and is not a stdata model folder; refusing to write into it")
        return None
    from transformers.trainer_utils import get_last_checkpoint

    if opts.resume == "last":
        last = get_last_checkpoint(str(ckpts)) if ckpts.is_dir() else None
        if last is None:
            raise StdataError(f"--resume last: no checkpoint under {ckpts}")
        return last
    p = Path(opts.resume)
    if not (p / "trainer_state.json").exists():
        raise StdataError(f"--resume {p}: not a Trainer checkpoint folder (no trainer_state.json)")
    return str(p)


# ---------------------------------------------------------------- corpus


def load_statements(opts: TrainOptions) -> tuple[Any, Any, dict[str, Any]]:
    """Train and validation `Dataset`s of (statement, label, task, lang) after filters, and what they are."""
    import datasets

    src = str(opts.corpus)
    local = Path(src).expanduser().exists()
    if not local and not hub_offline("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        if looks_like_path(src):
            raise StdataError(f"corpus path {src} does not exist")
        if not hub_reachable():
            raise StdataError(f"corpus {src!r} is not a local folder and the Hugging Face hub is unreachable")
    dd = load_corpus(Path(src).expanduser() if local else src)
    if "train" not in dd:
        raise StdataError(f"corpus {src} has no train split (splits: {', '.join(dd)})")
    for split, ds in dd.items():
        _check_columns(src, split, ds)
    info: dict[str, Any] = {"path": src, "manifest_hash": None, "template_set_hash": None}
    if local and (Path(src).expanduser() / "manifest.json").exists():
        m = read_manifest(Path(src).expanduser())
        info.update(manifest_hash=m.fingerprint, template_set_hash=m.template_set_hash)
    keep = ["statement", "label", "task", "lang"]
    train = dd["train"].select_columns(keep + (["group_id"] if "group_id" in dd["train"].column_names else []))
    val = dd["validation"].select_columns(keep) if "validation" in dd else None
    train = train.cast_column("label", datasets.Value("int64"))
    val = val.cast_column("label", datasets.Value("int64")) if val is not None else None

    tasks, langs = _split_list(opts.tasks), _split_list(opts.langs)
    for col, wanted in (("task", tasks), ("lang", langs)):
        if wanted:
            have = set(train.unique(col)) | (set(val.unique(col)) if val is not None else set())
            unknown = [w for w in wanted if w not in have]
            if unknown:
                raise UsageError(f"--{col}s {','.join(unknown)}: not in the corpus (it has {', '.join(sorted(have))})")
    if tasks or langs:
        tset, lset = set(tasks or []), set(langs or [])

        def keep_row(b):
            return [(not tset or t in tset) and (not lset or g in lset) for t, g in zip(b["task"], b["lang"])]

        train = train.filter(keep_row, batched=True)
        val = val.filter(keep_row, batched=True) if val is not None else None
    if len(train) == 0:
        raise StdataError(f"no training statements left in {src} after --tasks {opts.tasks} --langs {opts.langs}")
    labels = set(train.unique("label"))
    if labels != {0, 1}:
        raise StdataError(f"the training statements need both labels (false=0 and true=1); found only {sorted(labels)}")
    info["validation_from"] = "corpus"
    if val is None or len(val) == 0:
        train, val = _hold_out(train, opts.seed)
        info["validation_from"] = "10% of train (the corpus has no validation rows after filters)"
    train = train.remove_columns([c for c in train.column_names if c not in keep])
    if opts.max_train_samples and len(train) > opts.max_train_samples:
        train = train.shuffle(seed=opts.seed).select(range(opts.max_train_samples))
    if opts.max_eval_samples and len(val) > opts.max_eval_samples:
        val = val.shuffle(seed=opts.seed).select(range(opts.max_eval_samples))
    info["tasks"] = sorted(train.unique("task"))
    info["langs"] = sorted(train.unique("lang"))
    info["filters"] = {"tasks": tasks, "langs": langs}
    info["rows"] = {"train": len(train), "validation": len(val)}
    return train, val, info


def _hold_out(train, seed: int, share: int = 10):
    """A seeded 1-in-`share` validation split, by source example where the corpus has `group_id`.

    Whole groups go one way, so a true statement and its false partner never straddle the split.
    """
    import hashlib

    col = "group_id" if "group_id" in train.column_names else "statement"

    def is_val(batch):
        return [int(hashlib.sha256(f"{seed}:{k}".encode()).hexdigest()[:8], 16) % share == 0 for k in batch[col]]

    flags = train.map(lambda b: {"_val": is_val(b)}, batched=True, desc="hold out validation")["_val"]
    flags = list(flags)
    val_idx = [i for i, f in enumerate(flags) if f]
    if not val_idx or len(val_idx) == len(flags):  # too few examples to split by group: split rows
        parts = train.train_test_split(test_size=0.1, seed=seed)
        return parts["train"], parts["test"]
    return train.select([i for i, f in enumerate(flags) if not f]), train.select(val_idx)


def _check_columns(src: str, split: str, ds) -> None:
    import datasets

    feats = ds.features
    missing = [c for c in ("statement", "label", "task", "lang") if c not in feats]
    if missing:
        raise StdataError(f"corpus {src} split {split!r} lacks column(s) {missing}")
    st = feats["statement"]
    if not (isinstance(st, datasets.Value) and st.dtype in ("string", "large_string")):
        raise StdataError(f"corpus {src} split {split!r}: column 'statement' must hold strings, not {_type_name(st)}")
    lab = feats["label"]
    if isinstance(lab, datasets.ClassLabel):
        if [n.lower() for n in lab.names] != list(LABEL_NAMES):
            raise StdataError(f"corpus {src} split {split!r}: label names are {lab.names}, expected {list(LABEL_NAMES)}")
    elif not (isinstance(lab, datasets.Value) and (lab.dtype.startswith("int") or lab.dtype == "bool")):
        raise StdataError(f"corpus {src} split {split!r}: column 'label' must be 0/1 integers (1 = true), not {_type_name(lab)}")
    elif len(ds):
        bad = set(ds.unique("label")) - {0, 1}
        if bad:
            raise StdataError(f"corpus {src} split {split!r}: label values must be 0 (false) or 1 (true), found {sorted(bad)[:5]}")
    if len(ds) and ds.filter(lambda b: [s is None or not s.strip() for s in b["statement"]], batched=True).num_rows:
        raise StdataError(f"corpus {src} split {split!r}: empty or null statements")


def _type_name(feature) -> str:
    return getattr(feature, "dtype", None) or type(feature).__name__


# ---------------------------------------------------------------- model


def lora_settings(opts: TrainOptions, model) -> dict[str, Any]:
    """Rank, alpha, dropout and targets for this architecture; command-line values win."""
    cfg = model.config
    hidden = getattr(cfg, "hidden_size", 768)
    r = opts.lora_r or (8 if hidden <= 384 else 16 if hidden <= 768 else 32)
    targets = _split_list(opts.lora_targets) or LORA_TARGETS.get(cfg.model_type) or _all_linear(model)
    heads = [h for h in HEAD_MODULES if any(n.split(".")[-1] == h for n, _ in model.named_modules())]
    return {
        "r": r,
        "alpha": opts.lora_alpha or 2 * r,
        "dropout": 0.1 if opts.lora_dropout is None else opts.lora_dropout,
        "target_modules": targets,
        "modules_to_save": heads,
    }


def _all_linear(model) -> list[str]:
    """Fallback targets for an unlisted architecture: the names of all linear layers outside the head."""
    import torch

    names = set()
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear) and not any(h in name.split(".") for h in HEAD_MODULES):
            names.add(name.split(".")[-1])
    if not names:
        raise StdataError(f"no linear layers to adapt in {model.config.model_type}; give --lora-targets")
    return sorted(names)


def build_model(opts: TrainOptions, model_path: str, precision: str):
    """The model to train and its LoRA/quantization settings (None where they do not apply)."""
    import torch

    quant = None
    if opts.method == "qlora":
        cuda = torch.cuda.is_available()
        compute = "float32" if not cuda else "float16" if precision == "fp16" or not torch.cuda.is_bf16_supported() else "bfloat16"
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu"
        model = load_classifier(model_path, quantize=True, compute_dtype=compute, device=device)
        quant = {"bits": 4, "quant_type": "nf4", "double_quant": True, "compute_dtype": compute, "skip_modules": skip_modules()}
    else:
        model = load_classifier(model_path)
    model.config.problem_type = "single_label_classification"  # cross-entropy over (false, true)
    if opts.method == "full":
        return model, None, quant
    from peft import LoraConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

    lora = lora_settings(opts, model)
    cfg = LoraConfig(
        task_type=TaskType.SEQ_CLS, r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
        target_modules=list(lora["target_modules"]), modules_to_save=list(lora["modules_to_save"]),  # peft appends to these
    )  # fmt: skip
    with warnings.catch_warnings():  # peft still reads transformers' deprecated is_gradient_checkpointing
        warnings.simplefilter("ignore", FutureWarning)
        if opts.method == "qlora":
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=opts.gradient_checkpointing)
        try:
            model = get_peft_model(model, cfg)
        except ValueError as e:
            why = " ".join(str(e).split())[:200]
            raise StdataError(f"LoRA targets {lora['target_modules']} do not fit {model.config.model_type}: {why}") from None
    if opts.gradient_checkpointing:
        model.enable_input_require_grads()
    return model, lora, quant


# ---------------------------------------------------------------- training


def _tokenize(train, val, tokenizer, max_length: int):
    """Token ids without padding (the collator pads per batch); counts statements cut to max_length."""

    def enc(batch):
        out, cut = encode(tokenizer, batch["statement"], max_length)
        cut = set(cut)
        out["truncated"] = [i in cut for i in range(len(batch["statement"]))]
        out["labels"] = batch["label"]
        return out

    train_t = train.map(enc, batched=True, desc="tokenize train")
    val_t = val.map(enc, batched=True, desc="tokenize validation")
    truncated = sum(train_t["truncated"]) + sum(val_t["truncated"])
    drop = ["statement", "label", "lang", "truncated"]
    return train_t.remove_columns(drop), val_t.remove_columns(drop), truncated


def compute_metrics(eval_pred) -> dict[str, float]:
    """Accuracy and F1 of the True class: the paper's early-stopping criterion."""
    import numpy as np

    logits, labels = eval_pred.predictions, eval_pred.label_ids
    logits = logits[0] if isinstance(logits, tuple) else logits
    pred = np.asarray(logits).argmax(-1)
    labels = np.asarray(labels)
    tp = int(((pred == TRUE_INDEX) & (labels == TRUE_INDEX)).sum())
    fp = int(((pred == TRUE_INDEX) & (labels != TRUE_INDEX)).sum())
    fn = int(((pred != TRUE_INDEX) & (labels == TRUE_INDEX)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {"accuracy": float((pred == labels).mean()), "f1": float(f1)}


def training_arguments(opts: TrainOptions, precision: str, n_train: int):
    import torch
    from transformers import TrainingArguments

    strategy = "steps" if opts.eval_steps else "epoch"
    log_steps = opts.logging_steps or opts.eval_steps or max(1, min(50, n_train // (opts.batch_size * opts.grad_accum) or 1))
    return TrainingArguments(
        output_dir=str(Path(opts.out) / CHECKPOINTS),
        num_train_epochs=opts.epochs,
        max_steps=opts.max_steps if opts.max_steps > 0 else -1,
        learning_rate=opts.lr or DEFAULT_LR[opts.method],
        per_device_train_batch_size=opts.batch_size,
        per_device_eval_batch_size=opts.batch_size * 2,
        gradient_accumulation_steps=opts.grad_accum,
        warmup_steps=opts.warmup if opts.warmup < 1 else int(opts.warmup),
        weight_decay=opts.weight_decay,
        eval_strategy=strategy,
        save_strategy=strategy,
        eval_steps=opts.eval_steps,
        save_steps=opts.eval_steps,
        logging_steps=log_steps,
        load_best_model_at_end=True,
        metric_for_best_model="f1",
        greater_is_better=True,
        save_total_limit=2,
        seed=opts.seed,
        data_seed=opts.seed,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=not torch.cuda.is_available(),  # also what makes torchrun on CPUs run gloo DDP
        activation_checkpointing=opts.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False} if opts.gradient_checkpointing else None,
        train_sampling_strategy="group_by_length",
        report_to="none",
        disable_tqdm=not opts.progress,
        dataloader_num_workers=0,
        dataloader_pin_memory=torch.cuda.is_available(),
        save_only_model=False,
        ddp_find_unused_parameters=False,  # encoder and head take part in every forward pass
        average_tokens_across_devices=False,  # the classification loss is a per-statement mean; no token rescaling under DDP
    )


def log_callback():
    """Trainer logs (loss, eval metrics) as one line each on the `stdata.train` logger."""
    from transformers import TrainerCallback

    class _Log(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            if state.is_world_process_zero and logs:
                shown = {
                    k: round(v, 4) if isinstance(v, float) else v for k, v in logs.items() if "per_second" not in k and "runtime" not in k
                }
                log.info("step %d/%d %s", state.global_step, state.max_steps, json.dumps(shown))

    return _Log()


def train(opts: TrainOptions, callbacks: list | None = None) -> TrainResult:
    """Train, evaluate, save (adapter or full model, tokenizer, stdata_model.json), optionally merge and push."""
    opts.check()
    resume_from = prepare_out(opts)
    model_path = resolve_model(opts.model)
    precision = check_machine(opts)
    train_ds, val_ds, corpus = load_statements(opts)

    import transformers
    from transformers import AutoTokenizer, DataCollatorWithPadding, EarlyStoppingCallback, PrinterCallback, Trainer, set_seed

    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # the fresh-head "newly initialized" notice is expected here
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_path)
        set_seed(opts.seed)  # the new head and the LoRA matrices are drawn from this seed
        model, lora, quant = build_model(opts, model_path, precision)
        max_length = min(opts.max_length, token_limit(model.config, tokenizer))
        if max_length < opts.max_length:
            log.info("max_length %d exceeds what %s can embed; using %d", opts.max_length, opts.model, max_length)
            opts = replace(opts, max_length=max_length)  # the metadata records the length actually used
        train_t, val_t, truncated = _tokenize(train_ds, val_ds, tokenizer, max_length)
        out = Path(opts.out)
        if resume_from is None:
            shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
        args = training_arguments(opts, precision, len(train_t))
        cbs = [EarlyStoppingCallback(early_stopping_patience=opts.patience)] if opts.patience else []
        trainer = Trainer(
            model=model, args=args, train_dataset=train_t.remove_columns("task"), eval_dataset=val_t.remove_columns("task"),
            processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=compute_metrics,
            callbacks=cbs + list(callbacks or []),
        )  # fmt: skip
        if not opts.progress:  # the Trainer would print log dicts to stdout; stdout belongs to the caller (--json)
            trainer.remove_callback(PrinterCallback)
            trainer.add_callback(log_callback())
        started = time.time()
        fit = trainer.train(resume_from_checkpoint=resume_from)
        train_seconds = time.time() - started
        metrics = final_metrics(trainer, val_t)
        state = trainer.state
        first = _step_of(resume_from) or 0  # this session's steps and evaluations only
        eval_seconds = sum(h.get("eval_runtime", 0.0) for h in state.log_history if h.get("step", 0) > first)
        run = {
            "global_step": state.global_step,
            "epochs_done": round(float(state.epoch or 0), 4),
            "best_step": _step_of(state.best_model_checkpoint),
            "early_stopped": bool(opts.patience and state.global_step < state.max_steps),
            "train_loss": round(float(fit.training_loss), 6),
            "train_seconds": round(train_seconds, 3),
            "eval_seconds": round(eval_seconds, 3),  # inside train_seconds
            "steps_per_second": round((state.global_step - first) / max(train_seconds - eval_seconds, 1e-9), 4),
            "resumed_from": Path(resume_from).name if resume_from else None,
            "world_size": args.world_size,
            "precision": precision,
            **_peak_memory(),
        }
        meta = _metadata(opts, model_path, model, lora, quant, corpus, truncated, metrics, run)
        if trainer.is_world_process_zero():
            save(trainer.model, tokenizer, out, meta)
            if opts.merge and opts.method != "full":
                merge(out)
            if not opts.keep_checkpoints:
                shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
        if opts.push_to_hub and trainer.is_world_process_zero():
            push(out, opts.push_to_hub, opts.private)
        # without the mixed-precision autocast wrapper the Trainer put on forward: scores as after reload
        model = trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False)
        return TrainResult(out, meta, model, tokenizer, trainer.is_world_process_zero())
    finally:
        transformers.logging.set_verbosity(verbosity)


def _peak_memory() -> dict[str, float]:
    """Peak resident memory of this process and, on a GPU, peak memory allocated by torch (MiB)."""
    import torch

    out = {"peak_rss_mb": peak_rss_mib()}
    if torch.cuda.is_available():
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / (1 << 20), 1)
    return out


def _step_of(checkpoint: str | None) -> int | None:
    if not checkpoint:
        return None
    try:
        return int(Path(checkpoint).name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def final_metrics(trainer, val_t) -> dict[str, Any]:
    """Loss, accuracy and F1 of the final (best) model on validation, and accuracy per task: which tasks it learned."""
    import numpy as np

    pred = trainer.predict(val_t.remove_columns("task"), metric_key_prefix="eval")
    skip = ("runtime", "per_second")
    metrics: dict[str, Any] = {
        k.removeprefix("eval_"): round(float(v), 6) for k, v in pred.metrics.items() if not any(x in k for x in skip)
    }
    hits = np.asarray(pred.predictions).argmax(-1) == np.asarray(pred.label_ids)
    tasks = np.asarray(list(val_t["task"]))
    metrics["per_task"] = {
        str(t): {"accuracy": round(float(hits[tasks == t].mean()), 6), "n": int((tasks == t).sum())} for t in sorted(set(tasks))
    }
    return metrics


def _metadata(opts, model_path, model, lora, quant, corpus, truncated, metrics, run) -> dict[str, Any]:
    base_cfg = model.get_base_model().config if hasattr(model, "get_base_model") else model.config
    resolved = str(Path(model_path).resolve()) if Path(model_path).is_dir() else model_path
    args = {k: v for k, v in asdict(opts).items() if k not in ("corpus", "model", "out", "push_to_hub", "private", "progress", "resume")}
    args["lr"] = opts.lr or DEFAULT_LR[opts.method]
    return {
        "format_version": 1,
        "stdata_version": __version__,
        "kind": "full" if opts.method == "full" else "adapter",
        "method": opts.method,
        "base_model": str(opts.model),
        "base_model_resolved": resolved,
        "model_type": base_cfg.model_type,
        "true_index": TRUE_INDEX,
        "id2label": {str(i): n for i, n in enumerate(LABEL_NAMES)},
        "max_length": opts.max_length,
        "corpus_manifest_hash": corpus["manifest_hash"],
        "template_set_hash": corpus["template_set_hash"],
        "corpus": {**corpus, "truncated_statements": truncated},
        "quantization": quant,
        "lora": lora,
        "training_args": args,
        "final_metrics": metrics,
        "run": run,  # timings and world size: the only fields that differ between identical runs
    }


# ---------------------------------------------------------------- output


def save(model, tokenizer, out: Path, meta: dict[str, Any]) -> None:
    """Adapter (or full model), tokenizer and stdata_model.json in `out`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("adapter_model.safetensors", "adapter_config.json", "model.safetensors", "config.json"):
        (out / stale).unlink(missing_ok=True)
    shutil.rmtree(out / MERGED, ignore_errors=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_atomic(out / META, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "README.md", model_card(meta))  # replaces peft's empty template card


def model_card(meta: dict[str, Any]) -> str:
    """A short hub card: what was trained on what, how well, and how to score with it."""
    m, c = meta["final_metrics"], meta["corpus"]
    tags = ["stdata", "statement-tuning", "text-classification"] + (["peft", "lora"] if meta["kind"] == "adapter" else [])
    base = meta["base_model"] if not Path(meta["base_model"]).exists() else Path(meta["base_model"]).name
    lines = [
        "---", f"base_model: {base}", "library_name: " + ("peft" if meta["kind"] == "adapter" else "transformers"),
        "pipeline_tag: text-classification", "tags:", *[f"- {t}" for t in tags], "---", "",
        f"# Statement-tuned {base} ({meta['method']})", "",
        "Scores how likely a natural-language statement is true: P(True) = softmax(logits)[true_index]"
        f" with true_index = {meta['true_index']}.", "",
        f"- corpus: `{c['path']}`, manifest `{meta['corpus_manifest_hash']}`, templates `{meta['template_set_hash']}`",
        f"- tasks: {', '.join(c['tasks'])}; languages: {', '.join(c['langs'])}",
        f"- statements: {c['rows']['train']} train, {c['rows']['validation']} validation",
        f"- validation accuracy {m.get('accuracy', float('nan')):.4f}, F1 {m.get('f1', float('nan')):.4f}",
        "", "```python", "from stdata.model import load_scorer", "scorer = load_scorer(\"<this folder or repo>\")",
        'scorer.score(["Paris is the capital of France.", "Paris is the capital of Peru."])', "```", "",
        "Full training settings: `stdata_model.json`.", "",
    ]  # fmt: skip
    return "\n".join(lines)


def merge(out: Path) -> Path:
    """A standalone full-precision model with the adapter folded in, at out/merged.

    QLoRA adapters are merged into the full-precision base (folding them into 4-bit weights would
    re-quantize and lose them), so merged scores differ from the adapter's by quantization noise.
    """
    from peft import PeftModel

    out = Path(out)
    meta = json.loads((out / META).read_text())
    base = load_classifier(meta["base_model_resolved"])
    with warnings.catch_warnings():  # peft reads transformers' deprecated is_gradient_checkpointing
        warnings.simplefilter("ignore", FutureWarning)
        merged = PeftModel.from_pretrained(base, str(out)).merge_and_unload()
    dest = out / MERGED
    merged.save_pretrained(dest)
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(out)).save_pretrained(dest)
    meta = {**meta, "kind": "merged", "merged_from": "adapter in the parent folder", "quantization": None}
    write_atomic(dest / META, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    write_atomic(dest / "README.md", model_card(meta))
    return dest


def push(out: Path, repo_id: str, private: bool = True) -> str:
    """Upload the trained model folder (not its checkpoints) to the hub; returns the repo URL."""
    from huggingface_hub import HfApi

    try:
        api = HfApi()
        url = api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(folder_path=str(out), repo_id=repo_id, ignore_patterns=[f"{CHECKPOINTS}/*"], commit_message="stdata train")
    except Exception as e:
        why = f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"
        raise StdataError(f"model saved to {out}, but --push-to-hub {repo_id} failed: {why}") from None
    return str(url)
