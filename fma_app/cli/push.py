"""`fma-app push FILE URL [--force]`: copy a model file into a PostgreSQL database (team mode)."""

from __future__ import annotations

import argparse

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import EXIT_OK, CliError
from fma_app.cli.model_io import is_url, shared_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "push",
        help=COMMAND_HELP["push"],
        description="Copy a model file into a PostgreSQL database, under the key the URL names "
        "(?model=KEY: lower-case letters, digits, - and _), for a team to open together. The "
        "database's tables are created when it has none. A model already there under that key "
        "is replaced only with --force. The password comes from the URL, PGPASSWORD or "
        "~/.pgpass: the command never prompts.",
    )
    parser.add_argument("file", metavar="FILE", help="the model file (.fma) to copy")
    parser.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/db?model=KEY")
    parser.add_argument(
        "--force", action="store_true", help="replace the model already under that key"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fma_app.storage import ModelFileError, open_model
    from fma_app.storage.shared import SharedStoreError
    from fma_app.storage.shared.store import push

    if is_url(args.file):
        raise CliError(f"push copies a model file; {args.file!r} is not a file (pull copies back)")
    location = shared_location(args.url)
    try:
        model = open_model(args.file, read_only=True)
    except ModelFileError as error:
        raise CliError(str(error)) from None
    try:
        push(model, location, force=args.force)
    except SharedStoreError as error:
        raise CliError(str(error)) from None
    print(
        f"pushed {model.name!r} to {location.display}: {len(model.components)} components, "
        f"{len(model.failure_modes)} failure modes"
    )
    return EXIT_OK
