"""Team mode (issue 18): a model shared on PostgreSQL, from the same SQLModel classes as the
file. Importing this package does not import psycopg or SQLAlchemy: a command that reads a file
pays nothing for it; `store` imports them only when a URL is used."""

from fma_app.storage.shared.errors import (
    ModelExists,
    ModelNotFound,
    PasswordRejected,
    PasswordRequired,
    SchemaTooNew,
    SchemaTooOld,
    ServerUnavailable,
    SharedStoreError,
)
from fma_app.storage.shared.location import SharedLocation, is_shared_location, parse_location

__all__ = [
    "ModelExists",
    "ModelNotFound",
    "PasswordRejected",
    "PasswordRequired",
    "SchemaTooNew",
    "SchemaTooOld",
    "ServerUnavailable",
    "SharedLocation",
    "SharedStoreError",
    "is_shared_location",
    "parse_location",
]
