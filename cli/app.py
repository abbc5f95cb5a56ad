"""Root of the `stdata` command: sub-commands and the one place errors become one line + exit code."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import typer
from rich.text import Text

from stdata import __version__
from stdata.errors import StdataError

from . import audit_cmd, balance_cmd, build_cmd, data_cmd, eval_cmd, templates_cmd, train_cmd, translate_cmd
from .output import console, err_console, load_registry, print_json, table

app = typer.Typer(help="Build, validate, translate and balance Statement-Tuning corpora.", no_args_is_help=True, add_completion=False)
app.add_typer(templates_cmd.app, name="templates")
# -- further command modules register here (one line each) --
app.add_typer(translate_cmd.app, name="translate")
app.add_typer(eval_cmd.app, name="eval")
app.command("build")(build_cmd.build)
app.command("audit")(audit_cmd.audit)
app.command("train")(train_cmd.train)
app.command("stats")(data_cmd.stats)
app.command("coverage")(data_cmd.coverage)
app.command("push")(data_cmd.push)
app.command("balance")(balance_cmd.balance_command)
app.add_typer(data_cmd.sources_app, name="sources")

JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")


def _version(value: bool) -> None:
    if value:
        console.print(f"stdata {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _global(
    templates: Path | None = typer.Option(
        None,
        "--templates",
        metavar="PATH",
        help="Template registry to read (default: $STDATA_TEMPLATES, else the nearest templates/ at or above the "
        "working directory, else the installed one). Every command prints which one it read on stderr.",
    ),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version, help="Print the stdata version and exit."),
) -> None:
    """Build, validate, translate and balance Statement-Tuning corpora."""
    from stdata import discovery

    discovery.set_override(templates)


@app.command()
def langs(json_out: bool = JSON) -> None:
    """List the --langs presets (1, 11, 25, all) with language names and scripts."""
    from stdata.catalog import language_presets

    presets = language_presets(load_registry())
    if json_out:
        return print_json(presets)
    table(
        "--langs presets",
        ["preset", "n", "languages"],
        [(p["preset"], p["count"], " ".join(lang["tag"] for lang in p["languages"])) for p in presets],
    )
    table("languages", ["tag", "name", "script"], [(lang["tag"], lang["name"], lang["script"]) for lang in presets[-1]["languages"]])


def _registries_read() -> list:
    """Collect the registries a command reads (stdata/discovery.py), to report them when it ends."""
    from stdata import discovery

    discovery.set_override(None)
    read: list[discovery.Found] = []

    def note(found: discovery.Found) -> None:
        if all(f.root.resolve() != found.root.resolve() for f in read):
            read.append(found)

    discovery.on_resolve(note)
    return read


def _say(read: list) -> None:
    """`registry: PATH (why)` on stderr, one line per registry read (after the output, so JSON and tables stay clean)."""
    for found in read:
        err_console.print(found.line(), highlight=False, soft_wrap=True, markup=False)


def _where(read: list) -> str:
    """The registries read, as a suffix of a one-line error ("unknown task" names where it looked)."""
    return "".join(f"; {found.line()}" for found in read)


def _error(label: str, message: str) -> None:
    """`label message` on stderr as one line: printed as is (never read as markup), credentials redacted."""
    from stdata.translate.engines import redact

    err_console.print(Text.assemble((label, "bold red"), " ", redact(message)), highlight=False, soft_wrap=True)


def _click_errors() -> tuple[type[BaseException], ...]:
    """Click's exception classes: typer >= 0.29 raises those of its bundled click, older typer those of click."""
    import click

    found: list[type[BaseException]] = [click.ClickException]
    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # pragma: no cover - typer before 0.29
        pass
    else:
        found.append(ClickException)
    return tuple(found)


def _aborts() -> tuple[type[BaseException], ...]:
    import click

    return (typer.Abort, click.exceptions.Abort)


def main() -> None:
    """Entry point: library errors print as one line on stderr with a non-zero exit."""
    from stdata import discovery

    try:
        _main()
    finally:  # the --templates choice and the listener belong to this command only (tests run many in one process)
        discovery.set_override(None)
        discovery.on_resolve(None)


def _main() -> None:
    """The exit-code contract (README): 0 ok, 1 a failed check or an error in the input or environment,
    2 a usage error (click's message and a hint), 3 only for a bug in stdata (with STDATA_DEBUG=1: its traceback)."""
    read = _registries_read()
    try:
        code = app(standalone_mode=False, prog_name="stdata")
        _say(read)
        if isinstance(code, int):
            sys.exit(code)
    except StdataError as e:
        _error("error:", f"{e}{_where(read)}")
        sys.exit(e.exit_code)
    except typer.Exit as e:
        _say(read)
        sys.exit(e.exit_code)
    except _click_errors() as e:  # unknown option or command, missing or malformed value: click's own message
        e.show()  # type: ignore[attr-defined]
        sys.exit(e.exit_code)  # type: ignore[attr-defined]
    except _aborts():
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except OSError as e:  # the environment, not stdata: a full or read-only disk, a missing permission
        if e.errno == errno.EPIPE:  # `stdata ... | head`: the reader left; nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's flush at exit would fail again
            sys.exit(1)
        where = f": {e.filename}" if e.filename else ""
        _error("error:", f"{e.strerror or e or type(e).__name__}{where}{_where(read)}")
        sys.exit(1)
    except MemoryError:
        _error("error:", f"out of memory{_where(read)}")
        sys.exit(1)
    except Exception as e:  # anything unexpected is a bug: one line, never a traceback
        if os.environ.get("STDATA_DEBUG"):
            raise
        _error("internal error:", f"{type(e).__name__}: {e} (set STDATA_DEBUG=1 for a traceback){_where(read)}")
        sys.exit(3)


if __name__ == "__main__":
    main()
