"""The errors of a shared model on PostgreSQL: one line each, naming the server (by its
`display`, never with a password) and what to do.

The desktop app reacts to the classes (it prompts on `PasswordRequired`, goes offline on
`ServerUnavailable`); the command line prints `str(error)`. `reason` is a short stable code, as
`ModelFileError.reason` is for files: bad-url, password, unavailable, no-database, missing,
exists, newer, older, not-shared, invalid, permission, io.
"""

from __future__ import annotations

from fma_app.storage.errors import one_line


class SharedStoreError(Exception):
    """A shared model could not be reached, read or written; `str(error)` is one line.

    `headline` is the same without what follows the first line of the server's text (psycopg
    goes on with "LINE 1: <the query>" and a caret): what a window's status bar shows."""

    reason = "io"

    def __init__(
        self, message: str, *, reason: str | None = None, headline: str | None = None
    ) -> None:
        super().__init__(one_line(message))
        if reason is not None:
            self.reason = reason
        self.headline = one_line(headline) if headline is not None else str(self)


class PasswordRequired(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """The server asked for a password and none was given (or, for `PasswordRejected`, the
    one given was wrong): the desktop app asks for it, the command line says how to give it."""

    reason = "password"

    def __init__(self, message: str, *, server: str = "") -> None:
        super().__init__(message)
        self.server = server  # the location's display, for the desktop's prompt


class PasswordRejected(PasswordRequired):
    """The server refused the password given (a prompt may ask again)."""


class ServerUnavailable(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """The server cannot be reached, or the connection was lost."""

    reason = "unavailable"


class SchemaTooNew(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """The database was made by a newer FMA Workbench."""

    reason = "newer"


class SchemaTooOld(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """The database has an older schema: `fma-app db upgrade URL` upgrades it, on purpose, so
    that colleagues whose older app is connected are not upgraded behind their backs."""

    reason = "older"


class ModelNotFound(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """The database holds no model under the URL's key (or the URL names none)."""

    reason = "missing"


class ModelExists(SharedStoreError):  # noqa: N818 (the names agreed in TEAM_API)
    """push would replace a model already in the database (`--force` replaces it)."""

    reason = "exists"


def without_secret(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` masked: the last guard before a server's or a
    driver's message reaches a user, in case it echoed a conninfo."""
    if secret:
        text = text.replace(secret, "****")
    return one_line(text)
