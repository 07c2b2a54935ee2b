"""`fma-app chaos MODEL -o DIR --format chaostoolkit|litmus|fis [--failure-mode ID ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import MODEL_HELP

EXIT_SOME_SKIPPED = 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chaos",
        help=COMMAND_HELP["chaos"],
        description="Write one chaos experiment draft per failure mode that has a fault (or per "
        "--failure-mode ID), named after its component and failure mode. A draft the format "
        "cannot express, or that lacks a target or a steady-state probe, is skipped with one "
        "line on stderr. Exit 0 when every draft was written, 1 when some were skipped, 2 for "
        "bad input.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write to")
    parser.add_argument(
        "--format", required=True, choices=("chaostoolkit", "litmus", "fis"), help="draft format"
    )
    parser.add_argument(
        "--failure-mode",
        dest="failure_modes",
        action="append",
        metavar="ID",
        help="only this failure mode (repeat for more; default: all that have a fault)",
    )
    parser.set_defaults(handler=run)


def _ids(values: list[str] | None) -> list[int] | None:
    if values is None:
        return None
    ids = []
    for value in values:
        if not value.strip().isdigit():
            raise CliError(f"--failure-mode {value!r} is not a failure mode id (a whole number)")
        ids.append(int(value))
    return ids


def run(args: argparse.Namespace) -> int:
    from fma_app.cli.model_io import read_model
    from fma_app.reports.chaos import plan_drafts, selected_failure_modes, skip_line, write_drafts

    ids = _ids(args.failure_modes)
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise CliError(f"the output {output} exists and is not a folder")
    model = read_model(args.model)
    try:
        chosen = selected_failure_modes(model, ids)
    except KeyError as missing:
        raise CliError(f"the model has no failure mode with id {missing.args[0]}") from None
    drafts, skipped = plan_drafts(model, args.format, chosen)
    try:
        written = write_drafts(drafts, output)
    except OSError as error:
        raise CliError(f"cannot write to {output}: {error.strerror or error}") from None
    for one in skipped:
        print(f"fma-app: {skip_line(model, one, args.format)}", file=sys.stderr)
    noun = "draft" if len(written) == 1 else "drafts"
    print(f"wrote {len(written)} {args.format} {noun} to {output}, skipped {len(skipped)}")
    return EXIT_SOME_SKIPPED if skipped else EXIT_OK
