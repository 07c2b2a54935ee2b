"""The model file: SQLite through sqlmodel, atomic save, schema versions and migrations."""

from fma_app.storage.errors import ModelFileError
from fma_app.storage.model_file import ModelInfo, is_writable, open_model, read_info, save_model
from fma_app.storage.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "ModelFileError",
    "ModelInfo",
    "is_writable",
    "open_model",
    "read_info",
    "save_model",
]
