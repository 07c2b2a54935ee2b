"""The `fma-app` command. Subcommands live in sibling modules, each with `register(subparsers)`.

Qt is imported only by the window command, so every other command works with no display. A
subcommand's run imports only its own module (`fma-app rank` never loads the import or report
code); `--help` and a mistyped command list the commands from `COMMAND_HELP` and load none.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from fma_app import __version__
from fma_app.cli.common import EXIT_BAD_INPUT, CliError, print_error

# Command name -> module that registers it, in the order `--help` lists them.
SUBCOMMANDS = {
    "demo": "demo",
    "import": "import_cmd",
    "import-traces": "import_traces",
    "rank": "rank",
    "info": "info",
    "report": "report",
    "impact": "impact",
    "spof": "spof",
    "chaos": "chaos",
    "chaos-result": "chaos_result",
    "availability": "availability",
    "diff": "diff",
    "dump": "dump",
    "merge": "merge",
    "library": "library",
    "check": "check",
    "push": "push",
    "pull": "pull",
    "models": "models",
    "db": "db",
    "history": "history",
}
SUBCOMMAND_MODULES = tuple(SUBCOMMANDS.values())
# Each command's line in `fma-app --help`; its module registers it with the same line.
COMMAND_HELP = {
    "demo": "write the bundled example model",
    "import": "build a model from an FMEA spreadsheet (.xlsx, .xlsm, .xls, .csv)",
    "import-traces": "build or refresh the dependency graph from trace files",
    "rank": "list failure modes, most urgent first",
    "info": "show a model's name, schema version and counts",
    "report": "write the ranked Excel report of a model",
    "impact": "show what a component's failure takes down",
    "spof": "list single points of failure",
    "chaos": "write chaos experiment drafts for the failure modes that have a fault",
    "chaos-result": "record the result of a chaos experiment run (a Chaos Toolkit journal)",
    "availability": "availability, SLO and error budget of each entry point",
    "diff": "show what changed between two models",
    "dump": "print a model as stable, sorted text lines (for git diff)",
    "merge": "three-way merge of models, field by field",
    "library": "list the failure mode libraries, or export failure modes as a library file",
    "check": "check a model against the review rules (exit 1 on a violation)",
    "push": "copy a model file into a shared PostgreSQL database",
    "pull": "copy a shared model from PostgreSQL into a model file",
    "models": "list the shared models in a PostgreSQL database",
    "db": "manage a shared PostgreSQL database (db upgrade URL)",
    "history": "print the history of a shared model (who changed what, when)",
}


def _available_subcommands(only: str | None = None) -> list[ModuleType]:
    modules = []
    for name in SUBCOMMAND_MODULES if only is None else (SUBCOMMANDS[only],):
        try:
            modules.append(importlib.import_module(f"fma_app.cli.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"fma_app.cli.{name}":
                raise
    return modules


def _listed_subcommands() -> list[str]:
    """The commands whose modules are there (a trimmed bundle may leave some out), by name."""
    import importlib.util  # only the listing needs it

    return [
        name
        for name, module in SUBCOMMANDS.items()
        if importlib.util.find_spec(f"fma_app.cli.{module}") is not None
    ]


def build_parser(
    only: str | None = None, commands: bool = True, listing: bool = False
) -> argparse.ArgumentParser:
    """The whole parser, or with `only` (a command name) the parser of that one command, or
    with `commands=False` none of them (`--version` needs no command module), or with
    `listing=True` the commands by name and help line only, their modules not loaded (what
    `--help` and a mistyped command show)."""
    parser = argparse.ArgumentParser(
        prog="fma-app",
        description="FMA Workbench: failure mode analysis of systems. "
        "Run with a MODEL file (or nothing) to open the desktop app.",
        epilog="fma-app [MODEL] opens the desktop app on MODEL (or an empty model).",
    )
    parser.add_argument("--version", action="version", version=f"fma-app {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if not commands:
        return parser
    if listing:
        for name in _listed_subcommands():
            subparsers.add_parser(name, help=COMMAND_HELP[name])
        return parser
    for module in _available_subcommands(only):
        module.register(subparsers)
    return parser


def _is_window_call(argv: Sequence[str]) -> bool:
    """`fma-app` or `fma-app MODEL`: anything that is not an option or a subcommand."""
    if not argv:
        return True
    return len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if _is_window_call(args_list):
            from fma_app.cli.window import open_window

            return open_window(args_list[0] if args_list else None)
        command = args_list[0] if args_list[0] in SUBCOMMANDS else None
        names_one = any(arg in SUBCOMMANDS for arg in args_list)
        parser = build_parser(
            only=command,
            commands=args_list != ["--version"],
            listing=command is None and not names_one,
        )
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
