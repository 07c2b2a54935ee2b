"""Reading a model file without building the model: the checks every open makes before it reads
a row (see model_file), `read_info` and `read_ranking`. Imports no domain model module, no
migrations and no per-row checks until a file needs them (an older schema, or a row that breaks
a rule): `rank` and `info` pay only for SQLite and these checks at start-up."""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from fma_app.analysis.ranking import RankBy, RankedFailureMode, RankRow, rank
from fma_app.domain.scoring import SCORE_MAX, SCORE_MIN, Scores
from fma_app.gc_pause import paused_gc
from fma_app.storage import compiled_sql
from fma_app.storage.across_rows import RowProblemError, check_across_rows
from fma_app.storage.errors import (
    ModelFileError,
    describe_os_error,
    describe_sqlite_error,
    shown_path,
)

T = TypeVar("T")

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
_SCORES = frozenset(range(SCORE_MIN, SCORE_MAX + 1))
_SCORES_OR_NONE = _SCORES | {None}  # a failure mode's own scores may be not rated yet
_NO_REVISION = (None, None, None)


def check_rows(conn: sqlite3.Connection) -> None:
    """checks.check_rows, imported only when a file needs its rows checked one by one."""
    from fma_app.storage.checks import check_rows as check_each_row

    check_each_row(conn)


def read_ranking(
    path: str | os.PathLike[str], by: RankBy | str = RankBy.RPN
) -> list[RankedFailureMode[RankRow]]:
    """`rank_failure_modes(open_model(path), by)` with only the columns a ranking reads: no
    Model is built. The file passes the checks open makes (in SQL, as read_info checks it), so a
    file that open refuses is refused here with the same message."""
    file_path = Path(path)
    with _checked_connection(file_path) as (conn, _version, verified):

        def ranking() -> list[RankedFailureMode[RankRow]]:
            conn.execute("BEGIN")  # every table read from one snapshot
            try:
                # The failure modes' CHECK rules are checked on the rows read, as _build does,
                # and their other values loaded in that same scan; the other tables' in SQL,
                # as read_info does.
                if not verified or _breaks_checks(conn, skip="failure_modes"):
                    check_rows(conn)
                check_across_rows(conn)
                _load_every_value(conn, read=("failure_modes", _FAILURE_MODE_COLUMNS))
                with paused_gc():
                    names = dict(conn.execute(RANK_COMPONENTS_SQL).fetchall())
                    found = conn.execute(RANK_FAILURE_MODES_SQL).fetchall()
                    if not all(
                        r[5] in _SCORES_OR_NONE and r[6] in _SCORES_OR_NONE
                        and r[7] in _SCORES_OR_NONE
                        and r[11]  # row_version >= 1
                        and (r[8:11] == _NO_REVISION
                             or (r[8] in _SCORES and r[9] in _SCORES and r[10] in _SCORES))
                        for r in found
                    ):  # fmt: skip
                        check_rows(conn)  # names the table, the row and the rule
                        raise RowProblemError("a row breaks the file's rules")  # pragma: no cover
                    # tuple.__new__: RankRow's own __new__ is a Python call per row (3x)
                    make = tuple.__new__
                    rows = [
                        make(RankRow, (
                            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                            None if r[8] is None else Scores(r[8], r[9], r[10]),
                        ))
                        for r in found
                    ]  # fmt: skip
                    return rank(rows, names, by)
            finally:
                conn.execute("COMMIT")

        return _guarded(file_path, "open", ranking)


# The columns of RankRow, the revised scores last; ORDER BY id as open reads them, so the
# ranking breaks no tie differently.
RANK_COMPONENTS_SQL = "SELECT id, name FROM components ORDER BY id"
RANK_FAILURE_MODE_COLUMNS = (
    "id", "component_id", "function", "failure_mode", "effect", "severity", "likelihood",
    "detection", "revised_severity", "revised_likelihood", "revised_detection",
)  # fmt: skip
_FAILURE_MODE_COLUMNS = compiled_sql.COLUMNS["failure_modes"]
# Then the one CHECK rule the scores do not cover (1 when kept), and the length of every other
# value: length() loads each, so one over the length limit is refused in this one scan of the
# table, as open refuses it (a separate scan cost a tenth of the read).
RANK_FAILURE_MODES_SQL = (
    f"SELECT {', '.join(RANK_FAILURE_MODE_COLUMNS)}, ifnull(row_version >= 1, 1), "
    + " + ".join(
        f'ifnull(length("{c}"), 0)'
        for c in _FAILURE_MODE_COLUMNS
        if c not in RANK_FAILURE_MODE_COLUMNS
    )
    + " FROM failure_modes ORDER BY id"
)


def _load_every_value(
    conn: sqlite3.Connection, read: tuple[str, tuple[str, ...]] = ("", ())
) -> None:
    """length() loads each value, so one over the length limit is refused here as open refuses
    it: info must not call a file fine that open then rejects. `read`: a table and the columns
    of it that the caller reads itself (which refuses such a value on its own)."""
    for table in compiled_sql.TABLE_NAMES:
        columns = [c for c in compiled_sql.COLUMNS[table] if table != read[0] or c not in read[1]]
        if not columns:
            continue
        total = " + ".join(f'ifnull(length("{c}"), 0)' for c in columns)
        conn.execute(f"SELECT sum({total}) FROM {table}").fetchone()


def _q(path: Path) -> str:
    return f"'{shown_path(path)}'"


def _refuse(path: Path, problem: str, reason: str) -> ModelFileError:
    return ModelFileError(f"cannot open {_q(path)}: {problem}", path=path, reason=reason)


def _guarded(path: Path, verb: str, work: Callable[[], T]) -> T:
    """Run `work`, turning any SQLite, OS or rule error into one ModelFileError line."""
    try:
        return work()
    except ModelFileError:
        raise
    except (RowProblemError, UnicodeDecodeError, sqlite3.Error, OSError) as error:
        problem, reason = _describe(error)
        message = f"cannot {verb} {_q(path)}: {problem}"
        raise ModelFileError(message, path=path, reason=reason) from error


def _describe(error: Exception) -> tuple[str, str]:
    """(problem, reason code) for an error met while reading or writing a model file."""
    if isinstance(error, RowProblemError):
        return str(error), "invalid"
    if isinstance(error, UnicodeDecodeError):  # Python's sqlite3 decoding a TEXT value
        return "the file holds text that is not valid UTF-8", "corrupt"
    if isinstance(error, sqlite3.Error):
        return describe_sqlite_error(error)
    if isinstance(error, OSError):
        return describe_os_error(error)
    return f"{type(error).__name__}: {error}", "invalid"


# ---- the checks before any user table is read ----------------------------------------------


def _read_header(path: Path) -> bytes:
    """The first 100 bytes, after the checks that need no SQLite (exists, a file, not empty)."""
    try:
        status = os.stat(path)
        if stat.S_ISDIR(status.st_mode):
            raise _refuse(path, "it is a folder, not a model file", "not-a-file")
        if not stat.S_ISREG(status.st_mode):
            raise _refuse(path, "it is not a regular file", "not-a-file")
        if status.st_size == 0:
            raise _refuse(path, "the file is empty", "empty")
        with open(path, "rb") as stream:
            header = stream.read(HEADER_SIZE)
    except OSError as error:
        problem, reason = describe_os_error(error)
        raise _refuse(path, problem, reason) from error
    if not header.startswith(SQLITE_MAGIC):
        if SQLITE_MAGIC.startswith(header):
            raise _refuse(path, "the file is truncated", "truncated")
        raise _refuse(path, "not an FMA Workbench model (not a SQLite database)", "not-sqlite")
    if len(header) < HEADER_SIZE:
        raise _refuse(path, "the file is truncated", "truncated")
    _check_header(path, header, status.st_size)
    return header


def _int_at(header: bytes, offset: int, size: int = 4, signed: bool = True) -> int:
    return int.from_bytes(header[offset : offset + size], "big", signed=signed)


def _check_header(path: Path, header: bytes, file_size: int) -> None:
    """Application id, schema version and size, read straight from the SQLite header."""
    _check_ids(path, _int_at(header, 68), _int_at(header, 60))
    page_size = _int_at(header, 16, 2, signed=False)
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _refuse(path, f"the file is damaged (page size {page_size})", "corrupt")
    if header[18:20] != b"\x01\x01":
        # Write-ahead logging would make SQLite create -wal/-shm files beside the model.
        raise _refuse(path, "the file uses a journal mode FMA Workbench never writes", "unsafe")
    page_count = _int_at(header, 28, signed=False)
    counted = header[24:28] == header[92:96]  # the header's page count is valid
    if file_size % page_size or (counted and page_count * page_size > file_size):
        expected = f" ({file_size} of {page_count * page_size} bytes)" if counted else ""
        raise _refuse(path, f"the file is truncated{expected}", "truncated")


def _check_ids(path: Path, application_id: int, version: int) -> None:
    if application_id != compiled_sql.APPLICATION_ID:
        raise _refuse(
            path, "not an FMA Workbench model (another program's SQLite database)", "foreign"
        )
    if version > compiled_sql.SCHEMA_VERSION:
        raise _refuse(
            path,
            f"made by a newer FMA Workbench (schema {version}; "
            f"this version reads up to {compiled_sql.SCHEMA_VERSION})",
            "newer",
        )


def _configure(conn: sqlite3.Connection) -> None:
    """Settings for every connection to a model file, ours or hostile."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, compiled_sql.MAX_VALUE_BYTES)
    conn.execute("PRAGMA trusted_schema = OFF")  # no functions from the schema run
    conn.execute("PRAGMA cell_size_check = ON")  # detect damaged pages early


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro (not immutable): SQLite still takes its shared lock, so a file being written by
    # another program is never read half-done, and nothing is ever written.
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        _configure(conn)
        conn.execute("PRAGMA query_only = ON")
        # Open reads every page three times (quick_check, constraints, rows): keep them all in
        # SQLite's cache instead of re-reading them (about 13% of open time); bounded at 64 MB.
        conn.execute("PRAGMA cache_size = -65536")
    except BaseException:
        conn.close()
        raise
    return conn


def _check_database(conn: sqlite3.Connection, path: Path) -> tuple[int, list[str]]:
    """Ids again (through SQLite), integrity, and no objects FMA Workbench never writes.

    Returns the schema version and the problems `PRAGMA quick_check` found in rows (CHECK,
    NOT NULL or STRICT type failures), which the row checks then name precisely.
    """
    # Names and messages of a damaged file can hold any bytes: read them leniently here.
    conn.text_factory = _lenient_text
    try:
        return _check_objects(conn, path)
    finally:
        conn.text_factory = str


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _check_objects(conn: sqlite3.Connection, path: Path) -> tuple[int, list[str]]:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    _check_ids(path, int(conn.execute("PRAGMA application_id").fetchone()[0]), version)
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
    if problems == ["ok"]:
        problems = []
    if any(not problem.startswith(_ROW_PROBLEMS) for problem in problems):
        raise _refuse(path, f"the file is damaged ({'; '.join(problems[:3])})", "corrupt")
    for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
    ):
        if kind in ("trigger", "view") or sql.lstrip().upper().startswith("CREATE VIRTUAL"):
            raise _refuse(
                path, f"the file holds a {kind} {name!r}, which models never have", "unsafe"
            )
        if kind == "index" and table in compiled_sql.TABLE_NAMES:
            raise _refuse(path, f"the file holds an index {name!r} models never have", "schema")
    return version, problems


# quick_check messages about a row's values rather than the file's structure.
_ROW_PROBLEMS = ("CHECK constraint failed", "NULL value in", "non-")


def _check_tables(conn: sqlite3.Connection, path: Path) -> bool:
    """Refuse missing tables or columns. True when every table is exactly as this version
    creates it (STRICT, with its CHECK constraints), so a clean quick_check verified the rows."""
    present = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    for table in compiled_sql.TABLE_NAMES:
        if table not in present:
            raise _refuse(path, f"the file has no {table} table", "schema")
        found = tuple(
            (name, declared.upper(), bool(pk))
            for _cid, name, declared, _notnull, _default, pk, _hidden in conn.execute(
                f"PRAGMA table_xinfo({table})"
            )
        )
        if found != compiled_sql.EXPECTED_COLUMNS[table]:
            raise _refuse(path, f"the {table} table does not have the expected columns", "schema")
    return all(
        present[table] == compiled_sql.CREATE_SQL[table] for table in compiled_sql.TABLE_NAMES
    )


def _breaks_checks(conn: sqlite3.Connection, skip: str = "") -> bool:
    """Whether a row breaks a CHECK constraint (quick_check skips them on read-only files);
    one SQL scan per table, for readers that do not look at every value themselves (`skip`:
    a table the caller checks itself)."""
    return any(
        conn.execute(compiled_sql.VIOLATED_CHECKS_SQL[table]).fetchone() is not None
        for table in compiled_sql.TABLE_NAMES
        if table != skip
    )


# The one CHECK rule of every table that `_build` never sees (it reads no row_version): a
# scan per table, in C.
_BAD_ROW_VERSIONS_SQL = "SELECT " + " OR ".join(
    f"EXISTS (SELECT 1 FROM {table} WHERE row_version < 1)" for table in compiled_sql.TABLE_NAMES
)


def _breaks_row_versions(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute(_BAD_ROW_VERSIONS_SQL).fetchone()[0])


def _migrated_copy(conn: sqlite3.Connection, version: int, path: Path) -> sqlite3.Connection:
    """An in-memory copy of the file brought to SCHEMA_VERSION; the file itself is untouched."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        _configure(memory)
        conn.backup(memory)
        for step_from in range(version, compiled_sql.SCHEMA_VERSION):
            _migrate_step(memory, step_from, path)
    except BaseException:
        memory.close()
        raise
    return memory


def _migrate_step(memory: sqlite3.Connection, step_from: int, path: Path) -> None:
    from fma_app.storage import migrations  # only an older file needs them (and hashlib)

    step = migrations.MIGRATIONS.get(step_from)
    if step is None:
        raise _refuse(
            path, f"no migration from schema {step_from} (this version reads up to "
            f"{compiled_sql.SCHEMA_VERSION})", "migration",
        )  # fmt: skip
    memory.execute("BEGIN")
    try:
        step(memory)
        memory.execute(f"PRAGMA user_version = {step_from + 1}")
        memory.execute("COMMIT")
    except Exception as error:
        if memory.in_transaction:
            memory.execute("ROLLBACK")
        raise _refuse(
            path, f"migration from schema {step_from} failed ({error})", "migration"
        ) from error


@contextmanager
def _checked_connection(path: Path) -> Iterator[tuple[sqlite3.Connection, int, bool]]:
    """A connection to the file (or a migrated copy) that passed every check before the rows.

    Yields (connection, schema version of the file, rows verified by quick_check).
    """
    _read_header(path)
    conn = _guarded(path, "open", lambda: _connect_read_only(path))
    try:
        version, problems = _guarded(path, "open", lambda: _check_database(conn, path))
        if version < compiled_sql.SCHEMA_VERSION:
            original = conn
            conn = _guarded(path, "open", lambda: _migrated_copy(original, version, path))
            original.close()
        exact = _guarded(path, "open", lambda: _check_tables(conn, path))
        if problems:  # name the bad row; a problem that no row check finds is damage
            _guarded(path, "open", lambda: check_rows(conn))
            raise _refuse(path, f"the file is damaged ({'; '.join(problems[:3])})", "corrupt")
        # A migrated copy is checked row by row: quick_check saw the file before the migration.
        yield conn, version, exact and version == compiled_sql.SCHEMA_VERSION
    finally:
        conn.close()
