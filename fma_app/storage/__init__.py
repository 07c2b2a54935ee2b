"""The model file: SQLite through SQL compiled from the SQLModel schema, atomic save, schema
versions and migrations. Importing this package does not import SQLAlchemy or SQLModel, nor
the domain model: each name loads its module when first used, so `rank` (which reads through
`file_read` alone) never loads the model classes that open and save build."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from fma_app.storage.compiled_sql import APPLICATION_ID, SCHEMA_VERSION
from fma_app.storage.errors import ModelFileError

if TYPE_CHECKING:
    from fma_app.storage.file_read import read_ranking
    from fma_app.storage.model_file import (
        ModelInfo,
        is_writable,
        open_model,
        read_info,
        save_model,
    )

# Name -> the module that defines it, imported on first use (PEP 562).
_LAZY = {
    "read_ranking": "file_read",
    "ModelInfo": "model_file",
    "is_writable": "model_file",
    "open_model": "model_file",
    "read_info": "model_file",
    "save_model": "model_file",
}

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "ModelFileError",
    "ModelInfo",
    "is_writable",
    "open_model",
    "read_info",
    "read_ranking",
    "save_model",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
