"""The `stdata` command line: a thin Typer layer over the `stdata` library (installed as `stdata.cli`)."""
