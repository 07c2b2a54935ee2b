"""`fma-app demo -o MODEL`: write the bundled example model (a card payments platform)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError

if TYPE_CHECKING:  # the domain loads when the command runs, not for --help
    from fma_app.domain.model import Model


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help=COMMAND_HELP["demo"],
        description="Write the bundled example model, a card payments platform with "
        "components, dependencies, failure modes and actions, to a new model file.",
    )
    parser.add_argument("-o", "--output", required=True, metavar="MODEL", help="file to write")
    parser.add_argument("--force", action="store_true", help="replace MODEL if it exists")
    parser.set_defaults(handler=run)


def load_example() -> Model:
    """The example model; a broken one means a broken installation, said in one line."""
    from fma_app.domain.errors import ModelError, ValidationError
    from fma_app.domain.serialization import model_from_json
    from fma_app.resources import ResourceError, example_model_path

    try:
        return model_from_json(example_model_path().read_text(encoding="utf-8"))
    except (ResourceError, OSError, ValidationError, ModelError) as error:
        raise CliError(f"the bundled example model cannot be read: {error}") from None


def run(args: argparse.Namespace) -> int:
    target = Path(args.output)
    if target.is_dir():
        raise CliError(f"{args.output!r} is a folder; give a file name such as payments.fma")
    if target.exists() and not args.force:
        raise CliError(f"{args.output!r} already exists; use --force to replace it")
    model = load_example()
    from fma_app.storage import ModelFileError, save_model  # sqlmodel: slow to import

    try:
        save_model(model, target)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    print(
        f"wrote {model.name!r} to {args.output}: {len(model.components)} components, "
        f"{len(model.dependencies)} dependencies, {len(model.failure_modes)} failure modes, "
        f"{len(model.actions)} actions"
    )
    return 0
