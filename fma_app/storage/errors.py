"""The one error the model file raises: one line that names the file and the problem."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path


def shown_path(path: str | os.PathLike[str]) -> str:
    """The path as the user gave it, on one line (control characters escaped)."""
    text = os.fsdecode(path)
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


class ModelFileError(Exception):
    """A model file could not be opened, read or saved.

    `str(error)` is one line such as
    "cannot open 'x.fma': not an FMA Workbench model (another program's SQLite database)".
    `reason` is a short stable code for callers that react differently (for example the desktop
    offers read-only when it is "read-only"): missing, not-a-file, permission, empty, not-sqlite,
    truncated, corrupt, foreign, newer, migration, unsafe, schema, invalid, too-large, journal,
    read-only, no-space, io.
    """

    def __init__(self, message: str, *, path: Path | None = None, reason: str = "io"):
        super().__init__(one_line(message))
        self.path = path
        self.reason = reason


def describe_os_error(error: OSError) -> tuple[str, str]:
    """(problem text, reason code) for an OSError, e.g. ("no space left on device", "no-space")."""
    code = error.errno
    text = os.strerror(code).lower() if code else one_line(str(error)) or "input/output error"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return text, "no-space"
    if code in (errno.EACCES, errno.EPERM):
        return text, "permission"
    if code == errno.EROFS:
        return text, "read-only"
    if code == errno.ENOENT:
        return "no such file or folder", "missing"
    if code in (errno.EISDIR, errno.ENOTDIR):
        return text, "not-a-file"
    return text, "io"


def describe_sqlite_error(error: sqlite3.Error) -> tuple[str, str]:
    """(problem text, reason code) for a sqlite3 error, using its primary result code."""
    code = getattr(error, "sqlite_errorcode", None) or 0
    primary = code & 0xFF
    if code == getattr(sqlite3, "SQLITE_READONLY_ROLLBACK", 776):
        # A hot journal: only a read-write connection could roll it back, and open never writes.
        return (
            "another program was interrupted while writing it (its -journal file is beside it); "
            "let that program or the sqlite3 shell roll the write back first",
            "journal",
        )
    message = one_line(str(error)) or type(error).__name__
    if "decode to UTF-8" in message:  # raised by Python's sqlite3 module, not SQLite
        return "the file holds text that is not valid UTF-8", "corrupt"
    if primary == sqlite3.SQLITE_FULL or "disk is full" in message:
        return "no space left on device", "no-space"
    if primary == sqlite3.SQLITE_TOOBIG or "too big" in message:
        return "a value is longer than the 16 MB limit", "too-large"
    if primary == sqlite3.SQLITE_CONSTRAINT:
        return f"a value breaks the model file's rules ({message})", "invalid"
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "file format" in message:
        return f"the file is damaged ({message})", "corrupt"
    if primary == sqlite3.SQLITE_PERM or primary == sqlite3.SQLITE_READONLY:
        return f"permission denied ({message})", "permission"
    if primary == sqlite3.SQLITE_CANTOPEN:
        return f"the file cannot be opened ({message})", "io"
    return message, "io"
