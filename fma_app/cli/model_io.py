"""Reading models for the commands: a model file or a shared model's URL
(`postgresql://host/db?model=KEY`), one line on stderr and exit 2 for anything that is not a
model this version can read. psycopg is imported only when the argument is a URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fma_app.cli.common import CliError

if TYPE_CHECKING:  # the domain loads when a command runs, not for --help
    from fma_app.domain.model import Model
    from fma_app.storage.shared.location import SharedLocation

MODEL_HELP = "model file (.fma) or shared model URL (postgresql://host/db?model=KEY)"


def is_url(source: str) -> bool:
    from fma_app.storage.shared.location import is_shared_location

    return is_shared_location(source)


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
