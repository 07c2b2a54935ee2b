"""Reading model files for the commands that compare them (diff, dump, merge): one line on
stderr and exit 2 for anything that is not a model this version can read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fma_app.cli.common import CliError

if TYPE_CHECKING:  # the domain loads when a command runs, not for --help
    from fma_app.domain.model import Model


def read_model(path: str) -> Model:
    from fma_app.storage import ModelFileError, open_model

    try:
        return open_model(path, read_only=True)
    except ModelFileError as error:
        raise CliError(str(error)) from None
