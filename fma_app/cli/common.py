"""Shared pieces of the command line: errors that end in exit 2 with one line on stderr."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem to report as one line on stderr, exit code 2."""


def print_error(message: str) -> None:
    first_line = " ".join(str(message).split("\n")[0].split()) or "unknown error"
    print(f"fma-app: error: {first_line}", file=sys.stderr)
