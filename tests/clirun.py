"""Run the `stdata` command line in-process, as the console script does, and capture what it prints."""

from __future__ import annotations

import sys


def run_cli(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `stdata ARGS...`."""
    from stdata.cli.app import main

    monkeypatch.setattr(sys, "argv", ["stdata", *args])
    code = 0
    try:
        main()
    except SystemExit as e:
        code = e.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err
