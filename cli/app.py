"""Root of the `stdata` command: sub-commands and the one place errors become one line + exit code."""

from __future__ import annotations

import os
import sys

import typer

from stdata.errors import StdataError

from . import build_cmd, data_cmd, eval_cmd, templates_cmd, train_cmd, translate_cmd
from .output import err_console, load_registry, print_json, table

app = typer.Typer(help="Build, validate, translate and balance Statement-Tuning corpora.", no_args_is_help=True, add_completion=False)
app.add_typer(templates_cmd.app, name="templates")
# -- further command modules register here (one line each) --
app.add_typer(translate_cmd.app, name="translate")
app.add_typer(eval_cmd.app, name="eval")
app.command("build")(build_cmd.build)
app.command("train")(train_cmd.train)
app.command("stats")(data_cmd.stats)
app.command("coverage")(data_cmd.coverage)
app.command("push")(data_cmd.push)
app.add_typer(data_cmd.sources_app, name="sources")

JSON = typer.Option(False, "--json", help="Print JSON for machines instead of tables.")


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


def main() -> None:
    """Entry point: library errors print as one line on stderr with a non-zero exit."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int):
            sys.exit(code)
    except StdataError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as e:  # click usage errors and anything unexpected: one line, never a traceback
        import click

        if isinstance(e, click.ClickException):
            e.show()
            sys.exit(e.exit_code)
        if os.environ.get("STDATA_DEBUG"):
            raise
        err_console.print(
            f"[bold red]internal error:[/] {type(e).__name__}: {e} (set STDATA_DEBUG=1 for a traceback)", highlight=False, soft_wrap=True
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
