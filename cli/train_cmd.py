"""`stdata train`: flags and the closing summary; the work is stdata.train."""

from __future__ import annotations

from pathlib import Path

import typer

from .output import console, err_console, print_json, table


def train(
    corpus: str = typer.Option(..., "--corpus", help="Corpus directory (save_to_disk or parquet) or hub dataset id."),
    model: str = typer.Option(..., "--model", help="Encoder folder or hub id that AutoModelForSequenceClassification loads."),
    out: Path = typer.Option(..., "--out", help="Folder for the adapter/model, tokenizer and stdata_model.json."),
    method: str = typer.Option("qlora", "--method", help="qlora (4-bit NF4 base + LoRA), lora, or full."),
    tasks: str | None = typer.Option(None, "--tasks", help="Comma list: train on these tasks only."),
    langs: str | None = typer.Option(None, "--langs", help="Comma list: train on these languages only."),
    epochs: float = typer.Option(3.0, "--epochs"),
    lr: float | None = typer.Option(None, "--lr", help="Learning rate (default 2e-4 for LoRA/QLoRA, 2e-5 for full)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Per device."),
    grad_accum: int = typer.Option(1, "--grad-accum", help="Gradient accumulation steps."),
    max_length: int = typer.Option(256, "--max-length", help="Tokens per statement; longer ones are cut and counted."),
    max_steps: int = typer.Option(-1, "--max-steps", help="Stop after this many optimizer steps (overrides --epochs)."),
    warmup: float = typer.Option(0.06, "--warmup", help="Warm-up: a share of the steps (< 1) or a number of steps."),
    weight_decay: float = typer.Option(0.01, "--weight-decay"),
    lora_r: int | None = typer.Option(None, "--lora-r", help="LoRA rank (default by model width: 8, 16 or 32)."),
    lora_alpha: int | None = typer.Option(None, "--lora-alpha", help="LoRA alpha (default 2 x rank)."),
    lora_dropout: float | None = typer.Option(None, "--lora-dropout", help="LoRA dropout (default 0.1)."),
    lora_targets: str | None = typer.Option(None, "--lora-targets", help="Comma list of module-name suffixes (default per architecture)."),
    seed: int = typer.Option(42, "--seed"),
    eval_steps: int | None = typer.Option(None, "--eval-steps", help="Evaluate and checkpoint every N steps (default: each epoch)."),
    patience: int = typer.Option(3, "--patience", help="Early stopping: evaluations without F1 gain (0: off)."),
    gradient_checkpointing: bool = typer.Option(False, "--gradient-checkpointing", help="Trade compute for activation memory."),
    precision: str = typer.Option("auto", "--precision", help="auto (bf16/fp16 on a GPU that has it, else fp32), bf16, fp16, fp32."),
    resume: str | None = typer.Option(None, "--resume", help="'last' (newest checkpoint under --out) or a checkpoint folder."),
    merge: bool = typer.Option(False, "--merge", help="Also write a merged full model to OUT/merged."),
    keep_checkpoints: bool = typer.Option(False, "--keep-checkpoints", help="Keep OUT/checkpoints after a finished run."),
    max_train_samples: int | None = typer.Option(None, "--max-train-samples", help="Seeded subsample of the training statements."),
    max_eval_samples: int | None = typer.Option(None, "--max-eval-samples", help="Seeded subsample of the validation statements."),
    push_to_hub: str | None = typer.Option(None, "--push-to-hub", help="Upload the result to this hub repo id."),
    public: bool = typer.Option(False, "--public", help="With --push-to-hub: a public repo (default private)."),
    json_out: bool = typer.Option(False, "--json", help="Print stdata_model.json instead of the summary."),
) -> None:
    """Statement-tune an encoder (QLoRA, LoRA or full) on a corpus with transformers' Trainer."""
    import logging

    from stdata.train import TrainOptions
    from stdata.train import train as run

    if not err_console.is_terminal:  # no progress bar: one log line per logging step instead
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("stdata.train").addHandler(handler)
        logging.getLogger("stdata.train").setLevel(logging.INFO)

    opts = TrainOptions(
        corpus=corpus, model=model, out=out, method=method, tasks=tasks, langs=langs, epochs=epochs, lr=lr,
        batch_size=batch_size, grad_accum=grad_accum, max_length=max_length, max_steps=max_steps, warmup=warmup,
        weight_decay=weight_decay, lora_r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
        lora_targets=lora_targets, seed=seed, eval_steps=eval_steps, patience=patience,
        gradient_checkpointing=gradient_checkpointing, precision=precision, resume=resume, merge=merge,
        keep_checkpoints=keep_checkpoints, max_train_samples=max_train_samples, max_eval_samples=max_eval_samples,
        push_to_hub=push_to_hub, private=not public, progress=err_console.is_terminal and not json_out,
    )  # fmt: skip
    result = run(opts)
    if not result.main_process:  # DDP: rank 0 reports
        return
    meta = result.meta
    if json_out:
        return print_json(meta)
    m, r, c = meta["final_metrics"], meta["run"], meta["corpus"]
    table("per task (validation)", ["task", "n", "accuracy"], [(t, v["n"], f"{v['accuracy']:.4f}") for t, v in m["per_task"].items()])
    console.print(
        f"[bold]{meta['method']}[/] {meta['base_model']}: accuracy {m['accuracy']:.4f}, F1 {m['f1']:.4f} after {r['global_step']} steps "
        f"({r['steps_per_second']} steps/s, {r['precision']}{', early stop' if r['early_stopped'] else ''}); "
        f"{c['rows']['train']} train / {c['rows']['validation']} validation statements",
        highlight=False,
    )
    if c["truncated_statements"]:
        err_console.print(
            f"note: {c['truncated_statements']} statement(s) longer than --max-length {meta['max_length']} were cut", highlight=False
        )
    console.print(f"saved to {out}" + (f" (merged model in {out / 'merged'})" if merge and method != "full" else ""), highlight=False)
