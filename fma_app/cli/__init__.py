"""The `fma-app` command. Subcommands live in sibling modules, each with `register(subparsers)`.

Qt is imported only by the window command, so every other command works with no display.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from fma_app import __version__
from fma_app.cli.common import EXIT_BAD_INPUT, CliError, print_error

# Subcommand modules, in the order `--help` lists them.
SUBCOMMAND_MODULES = ("demo", "import_cmd", "rank", "info", "report", "impact", "spof")


def _available_subcommands() -> list:
    modules = []
    for name in SUBCOMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"fma_app.cli.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"fma_app.cli.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fma-app",
        description="FMA Workbench: failure mode analysis of systems. "
        "Run with a MODEL file (or nothing) to open the desktop app.",
        epilog="fma-app [MODEL] opens the desktop app on MODEL (or an empty model).",
    )
    parser.add_argument("--version", action="version", version=f"fma-app {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _available_subcommands():
        module.register(subparsers)
    return parser


def _is_window_call(argv: Sequence[str], parser: argparse.ArgumentParser) -> bool:
    """`fma-app` or `fma-app MODEL`: anything that is not an option or a subcommand."""
    if not argv:
        return True
    subcommands = set()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        subcommands |= set(getattr(action, "choices", {}) or {})
    return len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in subcommands


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        if _is_window_call(args_list, parser):
            from fma_app.cli.window import open_window

            return open_window(args_list[0] if args_list else None)
        args = parser.parse_args(args_list)
        if args.command is None:
            parser.print_help()
            return EXIT_BAD_INPUT
        return int(args.handler(args) or 0)
    except CliError as error:
        print_error(str(error))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except BrokenPipeError:
        return 0
