"""`fma-app dump MODEL`: the whole model as stable, sorted lines, for `git diff` (textconv)."""

from __future__ import annotations

import argparse
import sys

from fma_app.cli import COMMAND_HELP
from fma_app.cli.model_io import MODEL_HELP, read_model


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dump",
        help=COMMAND_HELP["dump"],
        description="Print the whole model as text, one line per field, records sorted by id, "
        "so that `git diff` can show a model's changes through a textconv driver (see the "
        "README). The file is only read.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fma_app.domain.dump import dump_lines

    model = read_model(args.model)
    sys.stdout.writelines(line + "\n" for line in dump_lines(model))
    return 0
