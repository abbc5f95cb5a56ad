"""Errors the CLI turns into one clear line and a non-zero exit (never a traceback)."""


class StdataError(Exception):
    """Any user-facing failure: bad input, missing data, unknown task or language."""

    exit_code = 1


class UsageError(StdataError):
    """The command line asked for something that does not exist (unknown language, task...)."""

    exit_code = 2
