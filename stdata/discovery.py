"""Which template registry a command reads, and why.

A contributor works in a clone: `stdata templates render my_task` there must read the clone's
`templates/`, not the copy installed in site-packages (issue 11: "unknown task" until
`STDATA_TEMPLATES` was found by reading the code). The order is

1. an explicit choice: the global `--templates PATH` option, else `$STDATA_TEMPLATES`;
2. a `templates/` folder holding task folders (`*/task.yaml`) in the working directory or any
   parent (the checkout you are in);
3. the registry installed with stdata (`stdata/_templates` in a wheel, the source tree's
   `templates/` in an editable install).

Every command says which one it read: the CLI registers a listener that collects each registry
resolved (or announced, for one given by a command's own option) and prints `registry: PATH (why)` on
stderr when the command ends, or appends it to the one-line error when it fails; the `--json`
outputs of the contribution commands carry it as a `registry` field. The library never prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import StdataError, UsageError

ENV = "STDATA_TEMPLATES"
FOLDER = "templates"
TASK_FILE = "task.yaml"
INSTALLED = "installed with stdata"

_override: Path | None = None
_listeners: list[Callable[[Found], None]] = []


@dataclass(frozen=True)
class Found:
    """A registry root and the reason it was chosen."""

    root: Path
    why: str

    def line(self) -> str:
        return f"registry: {_shown(self.root)} ({self.why})"

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.root), "why": self.why}


def _shown(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
        return str(rel) if str(rel) != "." else "."
    except ValueError:
        return str(path)


def set_override(path: Path | None) -> None:
    """The global `--templates PATH` (None clears it)."""
    global _override
    _override = Path(path) if path is not None else None


def on_resolve(listener: Callable[[Found], None] | None) -> None:
    """Call `listener` whenever a registry is chosen (the CLI prints the line); None clears listeners."""
    _listeners.clear()
    if listener is not None:
        _listeners.append(listener)


def announce(found: Found) -> Found:
    """Tell the listeners which registry is read (also for one a command was given by its own option)."""
    for listener in _listeners:
        listener(found)
    return found


def is_registry(path: Path) -> bool:
    """A folder holding at least one task folder."""
    return path.is_dir() and any(path.glob(f"*/{TASK_FILE}"))


def installed_root() -> Path | None:
    pkg = Path(__file__).resolve().parent
    for candidate in (pkg / "_templates", pkg.parent / FOLDER):
        if candidate.is_dir():
            return candidate
    return None


def checkout_root(start: Path | None = None) -> Path | None:
    """The nearest `templates/` registry at or above `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if is_registry(d / FOLDER):
            return d / FOLDER
    return None


def find(cwd: Path | None = None) -> Found:
    """Resolve the registry without telling anyone (see `resolve`)."""
    if _override is not None:
        return _explicit(_override, "--templates")
    env = os.environ.get(ENV)
    if env:
        return _explicit(Path(env), f"${ENV}")
    found = checkout_root(cwd)
    if found is not None:
        return Found(found, "nearest templates/ at or above the working directory")
    inst = installed_root()
    if inst is not None:
        return Found(inst, INSTALLED)
    raise StdataError(f"no template registry found: pass --templates PATH, set {ENV}, or run inside a checkout with a {FOLDER}/ folder")


def _explicit(path: Path, why: str) -> Found:
    if not path.is_dir():
        raise UsageError(f"template registry {path} (from {why}) is not a folder")
    return Found(path, why)


def for_writing(cwd: Path | None = None) -> Found:
    """The registry a contributor command writes into: never the copy inside site-packages."""
    found = resolve(cwd)
    if found.why == INSTALLED or "site-packages" in found.root.resolve().parts:
        raise UsageError(
            f"the registry found is the installed copy ({found.root}); run inside your checkout of stdata or pass --templates PATH"
        )
    return found


def resolve(cwd: Path | None = None) -> Found:
    """Resolve the registry to read and announce it."""
    return announce(find(cwd))
