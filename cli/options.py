"""Typer commands made from the library's option dataclasses (stdata/options.py): one declaration of
every flag, default and help text, read here; only CLI-only switches (`--json`) are added."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import Any, get_type_hints

import typer


def command_from(
    cls: type,
    run: Callable[..., Any],
    *,
    doc: str,
    extra: Sequence[inspect.Parameter] = (),
    required: Sequence[str] = (),
    rich_panel: str | None = None,
) -> Callable[..., Any]:
    """A Typer command whose options are `cls`'s fields; it calls `run(options, **extra_values)`."""
    hints = get_type_hints(cls)
    params, parsers = [], {}
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if not meta.get("cli", True) or "help" not in meta:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = ...
        if f.name in required:
            default = ...
        flag = meta.get("flag") or "--" + f.name.replace("_", "-")
        annotation = meta.get("cli_type") or hints[f.name]
        opt = typer.Option(default, flag, help=meta["help"], metavar=meta.get("metavar"), rich_help_panel=rich_panel)
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=annotation))
        if meta.get("parse"):
            parsers[f.name] = meta["parse"]
    names = {p.name for p in params}
    extra_names = [p.name for p in extra]

    def command(**values: Any) -> Any:
        kw = {k: (parsers[k](v) if k in parsers and v is not None else v) for k, v in values.items() if k in names}
        return run(cls(**kw), **{k: values[k] for k in extra_names})

    command.__signature__ = inspect.Signature([*params, *extra])  # type: ignore[attr-defined]
    command.__doc__ = doc
    command.__name__ = cls.__name__
    return command


def flag(name: str, cli_flag: str, help: str, default: Any = False, annotation: Any = bool) -> inspect.Parameter:
    """A CLI-only option (e.g. `--json`) for `command_from(..., extra=[...])`."""
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=typer.Option(default, cli_flag, help=help), annotation=annotation
    )
