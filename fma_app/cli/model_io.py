"""Reading models for the commands: a model file or a shared model's URL
(`postgresql://host/db?model=KEY`), one line on stderr and exit 2 for anything that is not a
model this version can read. psycopg is imported only when the argument is a URL."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from fma_app.cli.common import CliError

if TYPE_CHECKING:  # the domain loads when a command runs, not for --help
    from fma_app.domain.model import Model
    from fma_app.storage.shared.location import SharedLocation

MODEL_HELP = "model file (.fma) or shared model URL (postgresql://host/db?model=KEY)"


def is_url(source: str) -> bool:
    from fma_app.storage.shared.location import is_shared_location

    return is_shared_location(source)


def shown_model(source: str) -> str:
    """A model argument as messages show it: a URL without its password."""
    if not is_url(source):
        return source
    from fma_app.storage.shared import SharedStoreError, parse_location

    try:
        return parse_location(source).display
    except SharedStoreError:
        return "postgresql://..."


def read_model(source: str) -> Model:
    """The model in a file, or on a server when `source` is a URL."""
    if is_url(source):
        return read_shared_model(source)
    from fma_app.storage import ModelFileError, open_model

    try:
        return open_model(source, read_only=True)
    except ModelFileError as error:
        raise CliError(str(error)) from None


def shared_location(source: str) -> SharedLocation:
    from fma_app.storage.shared import SharedStoreError, parse_location

    try:
        return parse_location(source)
    except SharedStoreError as error:
        raise CliError(str(error)) from None


def read_shared_model(source: str) -> Model:
    """The shared model at a URL. Never prompts: a server that wants a password gets one line
    saying how to give it (PGPASSWORD or ~/.pgpass)."""
    from fma_app.storage.shared import SharedStoreError
    from fma_app.storage.shared.store import pull

    location = shared_location(source)
    try:
        return pull(location)
    except SharedStoreError as error:
        raise CliError(str(error)) from None


def file_not_url(text: str) -> str:
    """argparse type of an option naming a file to write (-o): a PostgreSQL URL is refused in
    one line (without its password) rather than taken for a path ('postgresql:/host/...')."""
    if not is_url(text):
        return text
    raise argparse.ArgumentTypeError(
        f"{shown_model(text)} is a shared model's URL, not a file: write a file here, then put "
        "a model on the server with `fma-app push FILE URL` (or change a shared model in place "
        "with the commands that take a URL)"
    )
