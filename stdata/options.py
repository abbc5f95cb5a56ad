"""Options declared once: a library dataclass field carries its flag, default and help text, and
the CLI builds its Typer options from it (cli/options.py), so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, field
from typing import Any


def option(
    default: Any = MISSING,
    *,
    help: str,
    flag: str | None = None,
    default_factory: Callable[[], Any] | None = None,
    cli: bool = True,
    cli_type: type | None = None,
    parse: Callable[[Any], Any] | None = None,
    metavar: str | None = None,
) -> Any:
    """A dataclass field that is also a command-line option.

    `flag` defaults to `--name-with-dashes`; `cli=False` keeps a field off the command line;
    `cli_type` and `parse` serve values Typer cannot type (e.g. `auto` or a number).
    """
    meta = {"help": help, "flag": flag, "cli": cli, "cli_type": cli_type, "parse": parse, "metavar": metavar}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)
