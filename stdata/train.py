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
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .corpus import LABEL_NAMES, TRUE_INDEX
from .errors import StdataError, UsageError
from .lora import build_model
from .memory import training_peaks
from .model import META, ModelInfo, require_bitsandbytes, resolve_model, token_limit
from .model_files import CHECKPOINTS, merge, push_model, save
from .options import option
from .train_data import _tokenize, load_statements
from .train_metrics import compute_metrics, final_metrics, indexed_trainer_class

log = logging.getLogger("stdata.train")
METHODS = ("qlora", "lora", "full")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
#: Default learning rates: adapters tolerate (and need) far larger steps than full fine-tuning.
DEFAULT_LR = {"qlora": 2e-4, "lora": 2e-4, "full": 2e-5}


@dataclass
class TrainOptions:
    corpus: str = option(help="Corpus directory (save_to_disk or parquet) or hub dataset id.")
    model: str = option(help="Encoder folder or hub id that AutoModelForSequenceClassification loads.")
    out: Path = option(help="Folder for the adapter/model, tokenizer and stdata_model.json.")
    method: str = option("qlora", help="qlora (4-bit NF4 base + LoRA), lora, or full.")
    tasks: str | None = option(None, help="Comma list: train on these tasks only.")
    langs: str | None = option(None, help="Comma list: train on these languages only.")
    epochs: float = option(3.0, help="Passes over the training statements.")
    lr: float | None = option(None, help="Learning rate (default 2e-4 for LoRA/QLoRA, 2e-5 for full).")
    batch_size: int = option(16, help="Per device.")
    grad_accum: int = option(1, help="Gradient accumulation steps.")
    max_length: int = option(256, help="Tokens per statement; longer ones are cut and counted.")
    max_steps: int = option(-1, help="Stop after this many optimizer steps (overrides --epochs).")
    warmup: float = option(0.06, help="Warm-up: a share of the steps (< 1) or a number of steps.")
    weight_decay: float = option(0.01, help="AdamW weight decay.")
    lora_r: int | None = option(None, help="LoRA rank (default by model width: 8, 16 or 32).")
    lora_alpha: int | None = option(None, help="LoRA alpha (default 2 x rank).")
    lora_dropout: float | None = option(None, help="LoRA dropout (default 0.1).")
    lora_targets: str | None = option(None, help="Comma list of module-name suffixes (default per architecture).")
    seed: int = option(42, help="Seed of the head, the adapters, data order and subsamples.")
    eval_steps: int | None = option(None, help="Evaluate and checkpoint every N steps (default: each epoch).")
    patience: int = option(3, help="Early stopping: evaluations without F1 gain (0: off).")
    gradient_checkpointing: bool = option(False, help="Trade compute for activation memory.")
    precision: str = option("auto", help="auto (bf16/fp16 on a GPU that has it, else fp32), bf16, fp16, fp32.")
    resume: str | None = option(None, help="'last' (newest checkpoint under --out) or a checkpoint folder.")
    merge: bool = option(False, help="Also write a merged full model to OUT/merged.")
    keep_checkpoints: bool = option(False, help="Keep OUT/checkpoints after a finished run.")
    max_train_samples: int | None = option(None, help="Seeded subsample of the training statements.")
    max_eval_samples: int | None = option(None, help="Seeded subsample of the validation statements.")
    push_to_hub: str | None = option(None, help="Upload the result to this hub repo id.")
    private: bool = option(True, help="A pushed repo is private (the CLI's --public turns it off).", cli=False)
    progress: bool = option(False, help="Show the Trainer's progress bar (else one log line per logging step).", cli=False)
    logging_steps: int | None = option(None, help="Log every N steps (default: by run length).", cli=False)
    log_seconds: float = option(30.0, help="Without the progress bar: a log line at least this often (wall clock).", cli=False)

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
    meta: ModelInfo
    model: Any = field(repr=False, default=None)
    tokenizer: Any = field(repr=False, default=None)
    main_process: bool = True  # False on the other ranks of a DDP run, which write nothing


# ---------------------------------------------------------------- checks that need no torch


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


# ---------------------------------------------------------------- model


# ---------------------------------------------------------------- training


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
        save_steps=opts.eval_steps or 500,  # read only with --eval-steps (save_strategy "steps")
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


def log_callback(every_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
    """Trainer logs as one line each on the `stdata.train` logger, and a line at least every `every_s` seconds.

    Every `logging_steps` steps the Trainer logs the mean loss since its last log; when `every_s`
    seconds of wall clock pass first, the callback asks it to log at the end of the current step
    (under DDP rank 0's clock decides for every rank: the loss is gathered from all of them). Each
    loss line adds steps/s since the previous one. A long evaluation logs its progress at the same
    interval. Nothing here runs when the progress bar is shown.
    """
    from transformers import TrainerCallback

    class _Log(TrainerCallback):
        def __init__(self) -> None:
            self.last_t = self.eval_t = clock()
            self.last_step = self.eval_batches = 0
            self.eval_started: float | None = None
            self.eval_s = 0.0  # evaluation time since the last loss line: not training speed

        def on_train_begin(self, args, state, control, **kw):
            self.last_t, self.last_step = clock(), state.global_step

        def on_step_end(self, args, state, control, **kw):
            due = clock() - self.last_t >= every_s
            if args.world_size > 1:  # every rank must agree, or the loss gather would hang
                due = _broadcast_flag(due, args.device)
            if due:
                control.should_log = True
            return control

        def on_prediction_step(self, args, state, control, eval_dataloader=None, **kw):
            now = clock()
            if self.eval_started is None:
                self.eval_started, self.eval_t, self.eval_batches = now, now, 0
            self.eval_batches += 1
            if state.is_world_process_zero and now - self.eval_t >= every_s:
                self.eval_t = now
                total = len(eval_dataloader) if eval_dataloader is not None else "?"
                log.info("step %d/%d evaluating: batch %d of %s", state.global_step, state.max_steps, self.eval_batches, total)

        def on_evaluate(self, args, state, control, **kw):
            if self.eval_started is not None:
                self.eval_s += clock() - self.eval_started
            self.eval_started = None

        def on_log(self, args, state, control, logs=None, **kw):
            if not logs:
                return
            shown = {k: round(v, 4) if isinstance(v, float) else v for k, v in logs.items() if "per_second" not in k and "runtime" not in k}
            if "loss" in logs:
                now = clock()
                spent = now - self.last_t - self.eval_s
                if state.global_step > self.last_step and spent > 0:
                    shown["steps_per_s"] = round((state.global_step - self.last_step) / spent, 3)
                self.last_t, self.last_step, self.eval_s = now, state.global_step, 0.0
            if state.is_world_process_zero:
                log.info("step %d/%d %s", state.global_step, state.max_steps, json.dumps(shown))

    return _Log()


def _broadcast_flag(flag: bool, device) -> bool:
    """Rank 0's `flag` on every rank of a DDP run."""
    import torch
    import torch.distributed as dist

    t = torch.tensor([int(flag)], device=device)
    dist.broadcast(t, src=0)
    return bool(t.item())


def train(opts: TrainOptions, callbacks: list | None = None) -> TrainResult:
    """Train, evaluate, save (adapter or full model, tokenizer, stdata_model.json), optionally merge and push."""
    opts.check()
    resume_from = prepare_out(opts)
    model_path = resolve_model(opts.model)
    precision = check_machine(opts)
    train_ds, val_ds, corpus = load_statements(opts)

    import transformers
    from transformers import AutoTokenizer, DataCollatorWithPadding, EarlyStoppingCallback, PrinterCallback, set_seed

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
        train_t, val_t, truncated, contradictory = _tokenize(train_ds, val_ds, tokenizer, max_length)
        out = Path(opts.out)
        if resume_from is None:
            shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
        args = training_arguments(opts, precision, len(train_t))
        cbs = [EarlyStoppingCallback(early_stopping_patience=opts.patience)] if opts.patience else []
        trainer = indexed_trainer_class()(
            model=model, args=args, train_dataset=train_t, eval_dataset=val_t,
            processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=compute_metrics,
            callbacks=cbs + list(callbacks or []),
        )  # fmt: skip
        if not opts.progress:  # the Trainer would print log dicts to stdout; stdout belongs to the caller (--json)
            trainer.remove_callback(PrinterCallback)
            trainer.add_callback(log_callback(opts.log_seconds))
        started = time.time()
        fit = trainer.train(resume_from_checkpoint=resume_from)
        train_seconds = time.time() - started
        metrics = final_metrics(trainer, val_t, list(val_ds["task"]), list(val_ds["lang"]))
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
            **training_peaks(),
        }
        meta = _metadata(opts, model_path, model, lora, quant, {**corpus, "contradictory_dropped": contradictory}, truncated, metrics, run)
        if trainer.is_world_process_zero():
            save(trainer.model, tokenizer, out, meta)
            if opts.merge and opts.method != "full":
                merge(out)
            if not opts.keep_checkpoints:
                shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
        if opts.push_to_hub and trainer.is_world_process_zero():
            push_model(out, opts.push_to_hub, opts.private)
        # without the mixed-precision autocast wrapper the Trainer put on forward: scores as after reload
        model = trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False)
        return TrainResult(out, meta, model, tokenizer, trainer.is_world_process_zero())
    finally:
        transformers.logging.set_verbosity(verbosity)


def _step_of(checkpoint: str | None) -> int | None:
    if not checkpoint:
        return None
    try:
        return int(Path(checkpoint).name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def _metadata(opts, model_path, model, lora, quant, corpus, truncated, metrics, run) -> ModelInfo:
    base_cfg = model.get_base_model().config if hasattr(model, "get_base_model") else model.config
    resolved = str(Path(model_path).resolve()) if Path(model_path).is_dir() else model_path
    args = {
        k: v
        for k, v in asdict(opts).items()
        if k not in ("corpus", "model", "out", "push_to_hub", "private", "progress", "resume", "log_seconds")
    }
    args["lr"] = opts.lr or DEFAULT_LR[opts.method]
    return ModelInfo(
        stdata_version=__version__,
        kind="full" if opts.method == "full" else "adapter",
        method=opts.method,
        base_model=str(opts.model),
        base_model_resolved=resolved,
        model_type=base_cfg.model_type,
        true_index=TRUE_INDEX,
        id2label={str(i): n for i, n in enumerate(LABEL_NAMES)},
        max_length=opts.max_length,
        corpus_manifest_hash=corpus["manifest_hash"],
        template_set_hash=corpus["template_set_hash"],
        corpus={**corpus, "truncated_statements": truncated},
        quantization=quant,
        lora=lora,
        training_args=args,
        final_metrics=metrics,
        run=run,
    )


# ---------------------------------------------------------------- output
