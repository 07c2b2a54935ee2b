"""The model file: SQLite through SQL compiled from the SQLModel schema, atomic save, schema
versions and migrations. Importing this package does not import SQLAlchemy or SQLModel."""

from fma_app.storage.compiled_sql import APPLICATION_ID, SCHEMA_VERSION
from fma_app.storage.errors import ModelFileError
from fma_app.storage.model_file import (
    ModelInfo,
    is_writable,
    open_model,
    read_info,
    read_ranking,
    save_model,
)

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
