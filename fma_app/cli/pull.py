"""`fma-app pull URL -o FILE [--force]`: copy a shared model back into a model file, exactly."""

from __future__ import annotations

import argparse
from pathlib import Path

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import read_shared_model, shared_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "pull",
        help=COMMAND_HELP["pull"],
        description="Copy the model a PostgreSQL URL names (?model=KEY) into a model file, "
        "exactly as it is on the server (ids included). An existing file is replaced only with "
        "--force. The command never prompts for a password (PGPASSWORD or ~/.pgpass).",
    )
    parser.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/db?model=KEY")
    parser.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="the model file (.fma) to write"
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fma_app.storage import ModelFileError, save_model

    location = shared_location(args.url)
    output = Path(args.output)
    if output.exists() and not args.force:
        raise CliError(f"{output} exists; pull --force replaces it")
    model = read_shared_model(args.url)
    try:
        save_model(model, output)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    print(f"pulled {location.display} into {output}: {len(model.failure_modes)} failure modes")
    return EXIT_OK
