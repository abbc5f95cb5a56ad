"""`stdata train`: the closing summary; options and work are stdata.train's."""

from __future__ import annotations

import logging

from stdata.train import TrainOptions

from .options import command_from, flag
from .output import console, err_console, print_json, table


def _train(opts: TrainOptions, public: bool, json_out: bool) -> None:
    from stdata.train import train as run

    if not err_console.is_terminal:  # no progress bar: one log line per logging step instead
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("stdata.train").addHandler(handler)
        logging.getLogger("stdata.train").setLevel(logging.INFO)
    opts.private = not public
    opts.progress = err_console.is_terminal and not json_out
    result = run(opts)
    if not result.main_process:  # DDP: rank 0 reports
        return
    meta = result.meta
    if json_out:
        return print_json(meta.to_dict())
    m, r, c = meta.final_metrics, meta.run, meta.corpus
    for key, what in (("per_task", "task"), ("per_lang", "language")):
        rows = [(k, v["n"], f"{v['accuracy']:.4f}", f"{v['f1']:.4f}") for k, v in m.get(key, {}).items()]
        table(f"per {what} (validation)", [what, "n", "accuracy", "F1"], rows)
    console.print(
        f"{meta.method} {meta.base_model}: accuracy {m['accuracy']:.4f}, F1 {m['f1']:.4f} after {r['global_step']} steps "
        f"({r['steps_per_second']} steps/s, {r['precision']}{', early stop' if r['early_stopped'] else ''}); "
        f"{c['rows']['train']} train / {c['rows']['validation']} validation statements",
        highlight=False,
    )
    if c["truncated_statements"]:
        err_console.print(
            f"note: {c['truncated_statements']} statement(s) longer than --max-length {meta.max_length} were cut", highlight=False
        )
    if c.get("contradictory_dropped"):
        err_console.print(
            f"note: {c['contradictory_dropped']} training statement(s) read the same as one with the other label once cut, "
            "and were left out",
            highlight=False,
        )
    merged = f" (merged model in {opts.out / 'merged'})" if opts.merge and opts.method != "full" else ""
    console.print(f"saved to {opts.out}{merged}", highlight=False)


train = command_from(
    TrainOptions,
    _train,
    doc="Statement-tune an encoder (QLoRA, LoRA or full) on a corpus with transformers' Trainer.",
    extra=[
        flag("public", "--public", "With --push-to-hub: a public repo (default private)."),
        flag("json_out", "--json", "Print stdata_model.json instead of the summary."),
    ],
)
