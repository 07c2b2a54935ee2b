"""A model on PostgreSQL: connect, push a model in, pull it out, list the models, upgrade.

One database holds many models, each under its key (the URL's `?model=KEY`). Every operation
runs in one transaction: a push that fails leaves the database as it was; a pull reads every
table from one snapshot. Rows travel as the same tuples a model file's rows do
(`model_file.rows_of_model` / `model_from_rows`), so a pulled Model equals the pushed one, ids
included, and passes the same checks a file's rows pass.

psycopg is imported only here, when a URL is used; SQLAlchemy only by push and upgrade (which
may create or change tables, `pg_schema.py`). Nothing here prompts: a missing password raises
`PasswordRequired`, which the desktop app turns into a prompt and the command line into a line.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fma_app.domain.model import Model
from fma_app.storage import compiled_sql
from fma_app.storage.checks import RowProblemError, check_model
from fma_app.storage.model_file import model_from_rows, rows_of_model
from fma_app.storage.shared.errors import (
    ModelExists,
    ModelNotFound,
    PasswordRejected,
    PasswordRequired,
    SchemaTooNew,
    SchemaTooOld,
    ServerUnavailable,
    SharedStoreError,
    without_secret,
)
from fma_app.storage.shared.location import SharedLocation, parse_location

if TYPE_CHECKING:
    import psycopg

SCHEMA_NAME = "fma"  # the PostgreSQL schema holding the tables (pg_schema.SCHEMA_NAME)
SCHEMA_VERSION = compiled_sql.SCHEMA_VERSION  # one version for both engines
CONNECT_TIMEOUT_S = 10
# libpq's TCP settings unless the URL sets them: a network that drops (a cable, a VPN, a host
# gone) turns into a lost connection within seconds instead of the kernel's 2 hours of idle
# keepalive or 15 minutes of retransmission. They cannot tell a server process that stopped on
# a live host (its kernel still acknowledges): sessions guard their statements for that.
TCP_SETTINGS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 5,  # seconds idle before the first probe
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,  # ms that sent data may stay unacknowledged
}
# Upgrades of the shared schema: from_version -> step run inside `upgrade`'s one transaction.
# Schema 7 is the first on PostgreSQL; the next change to schema.py adds its step here too.
PG_MIGRATIONS: dict[int, Callable[[psycopg.Connection[Any]], None]] = {}

# table -> {id: row_version}: what pgedit's sessions compare a commit against.
RowVersions = dict[str, dict[int, int]]


@dataclass(frozen=True)
class SharedModelInfo:
    key: str
    name: str
    changed_at: dt.datetime
    changed_by: str


def _location(location: SharedLocation | str) -> SharedLocation:
    return location if isinstance(location, SharedLocation) else parse_location(location)


def role_name(location: SharedLocation) -> str:
    """The database role the connection logs in as, as libpq picks it: the URL's user (or
    `?user=`), else $PGUSER, else the login name. For messages about logging in."""
    written = location.user or dict(location.query).get("user") or os.environ.get("PGUSER")
    if written:
        return written
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "unknown"


def user_name(location: SharedLocation) -> str:
    """Who is working: $FMA_USER, else the database role. One name everywhere: the history,
    who else has the model open, the models' "changed by" and the connection's
    application_name (`fma-app:<user>`). $FMA_USER tells people apart who share one role."""
    return os.environ.get("FMA_USER", "").strip() or role_name(location)


# ---- connecting and errors -----------------------------------------------------------------


def connect(
    location: SharedLocation | str, *, password: str | None = None, user: str | None = None
) -> psycopg.Connection[Any]:
    """A connection (not in autocommit) to the location's database, or one SharedStoreError
    line: PasswordRequired, PasswordRejected, ServerUnavailable, or naming the problem.
    `application_name` is `fma-app:<user>` (`user`, else `user_name`), so pg_stat_activity
    shows who is connected."""
    import psycopg

    where = _location(location)
    options: dict[str, Any] = {"application_name": f"fma-app:{user or user_name(where)}"[:63]}
    written = dict(where.query)
    if "connect_timeout" not in written:
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    options.update({k: v for k, v in TCP_SETTINGS.items() if k not in written})
    try:
        return psycopg.connect(where.conninfo(password), **options)
    except psycopg.Error as error:
        raise connect_error(where, error, password) from None


def connect_error(
    location: SharedLocation, error: Exception, password: str | None = None
) -> SharedStoreError:
    """The one line for a failed connection; never holds a password."""
    secret = password or location.password
    detail = without_secret(str(error), secret)
    lowered = detail.lower()
    server = location.server
    user = role_name(location)
    if "no password supplied" in lowered or "password is required" in lowered:
        return PasswordRequired(
            f"{server} asks for a password for user '{user}': set PGPASSWORD or add a line to "
            "~/.pgpass (the command line never prompts)",
            server=location.display,
        )
    if "password authentication failed" in lowered:
        return PasswordRejected(
            f"{server} refused the password for user '{user}' (check PGPASSWORD or ~/.pgpass)",
            server=location.display,
        )
    if f'database "{location.database}" does not exist' in detail:
        return SharedStoreError(
            f"the server {location.server.rsplit('/', 1)[0]} has no database "
            f"'{location.database}' (create it first, e.g. createdb {location.database})",
            reason="no-database",
        )
    if "role" in lowered and "does not exist" in lowered:
        return SharedStoreError(f"{server}: the server has no user '{user}'", reason="permission")
    if any(
        sign in lowered
        for sign in (
            "connection refused",
            "could not connect",
            "timeout expired",
            "could not translate host name",
            "no such file or directory",
            "server closed the connection",
            "network is unreachable",
            "no route to host",
            "the database system is starting up",
            "the database system is shutting down",
        )
    ):
        return ServerUnavailable(
            f"cannot reach the PostgreSQL server of {server} ({_gist(detail)})"
        )
    return SharedStoreError(f"cannot connect to {server}: {_gist(detail)}")


def _gist(detail: str) -> str:
    """libpq's message without its 'connection failed: connection to server at ... failed:'
    preamble, which repeats what the message already names."""
    text = detail.removeprefix("connection failed: ")
    if " failed: " in text and text.startswith("connection to server"):
        text = text.split(" failed: ", 1)[1]
    return text.strip() or "unknown error"


# SQLSTATEs of a connection that is gone: class 08 (connection exception) and the server's
# shutdown or termination of this backend (admin_shutdown is what pg_terminate_backend sends).
_LOST_STATES = ("57P01", "57P02", "57P03")


def is_connection_lost(error: Exception) -> bool:
    """Whether a psycopg error means the connection is gone (the server stopped, the network
    dropped, the backend was killed), rather than a refusal of one statement."""
    import psycopg

    if not isinstance(error, psycopg.OperationalError):
        return False
    state = getattr(error, "sqlstate", None)
    return state is None or state.startswith("08") or state in _LOST_STATES


def query_error(location: SharedLocation, verb: str, error: Exception) -> SharedStoreError:
    """The one line for an error after connecting (a lost connection is ServerUnavailable)."""
    import psycopg

    detail = without_secret(str(error), location.password)
    if is_connection_lost(error):
        return ServerUnavailable(f"cannot {verb} {location.display}: the connection was lost "
                                 f"({_gist(detail)})")  # fmt: skip
    # The server's first line says what it refused; the rest quotes the query ("LINE 1: ...").
    first = without_secret(str(error).strip().split("\n", 1)[0], location.password)
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        hint = (
            " (the database's owner grants it: GRANT USAGE ON SCHEMA fma and SELECT, INSERT,"
            " UPDATE, DELETE ON ALL TABLES IN SCHEMA fma, see the README)"
        )
        return SharedStoreError(
            f"cannot {verb} {location.display}: {detail}{hint}",
            reason="permission",
            headline=f"cannot {verb} {location.display}: {first}{hint}",
        )
    if isinstance(error, psycopg.errors.IntegrityError):
        broken = f"cannot {verb} {location.display}: a value breaks the model's rules"
        return SharedStoreError(
            f"{broken} ({detail})", reason="invalid", headline=f"{broken} ({first})"
        )
    return SharedStoreError(
        f"cannot {verb} {location.display}: {detail}",
        headline=f"cannot {verb} {location.display}: {first}",
    )


@contextmanager
def _transaction(
    location: SharedLocation, verb: str, password: str | None, *, read_only: bool = False
) -> Iterator[psycopg.Connection[Any]]:
    """One connection and one transaction (REPEATABLE READ when reading: one snapshot),
    committed at the end, rolled back on any error; errors become one SharedStoreError."""
    import psycopg

    conn = connect(location, password=password)
    try:
        if read_only:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
        with conn.transaction():
            yield conn
    except SharedStoreError:
        raise
    except RowProblemError as error:
        raise SharedStoreError(
            f"cannot {verb} {location.display}: {error}", reason="invalid"
        ) from None
    except psycopg.Error as error:
        raise query_error(location, verb, error) from None
    finally:
        conn.close()


# ---- the schema ----------------------------------------------------------------------------


def schema_version(conn: psycopg.Connection[Any]) -> int | None:
    """The shared schema's version, or None when the database has none yet."""
    found = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA_NAME}.fma_schema",)
    ).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(f"SELECT version FROM {SCHEMA_NAME}.fma_schema").fetchone()
    return None if row is None else int(row[0])


def check_schema(conn: psycopg.Connection[Any], location: SharedLocation) -> int | None:
    """The version, after refusing a newer one (SchemaTooNew) or an older one (SchemaTooOld:
    only `fma-app db upgrade` upgrades, never an app that merely connects)."""
    version = schema_version(conn)
    if version is None:
        return None
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{location.database_display} was made by a newer FMA Workbench (schema {version};"
            f" this version reads up to {SCHEMA_VERSION}): upgrade FMA Workbench"
        )
    if version < SCHEMA_VERSION:
        raise SchemaTooOld(
            f"{location.database_display} has schema {version}, older than this version's "
            f"{SCHEMA_VERSION}: when nobody with an older FMA Workbench is connected, run "
            f"`fma-app db upgrade {location.database_display}`"
        )
    return version


def _create_schema(conn: psycopg.Connection[Any]) -> None:
    for statement in compiled_sql.SHARED_CREATE_SQL:
        conn.execute(statement.encode("utf-8"))
    _create_edit_schema(conn)
    conn.execute(
        f"INSERT INTO {SCHEMA_NAME}.fma_schema (id, version) VALUES (1, %s)", (SCHEMA_VERSION,)
    )


EDIT_TABLES = ("edit_heads", "edit_history", "edit_presence")


def _create_edit_schema(conn: psycopg.Connection[Any]) -> list[str]:
    """Editing together's tables (history, commit numbers, presence), created with the rest so
    the grants given after the first push cover them and no member's session has to create
    them. `CREATE ... IF NOT EXISTS`: `db upgrade` runs it too, for a database pushed before the
    first push made them; the members who may change the models (their grants on
    fma.shared_models) get the same rights on the tables it creates, so a member with only the
    README's GRANT lines (no default privileges) edits together after the upgrade. The tables
    it created, by name."""
    from fma_app.storage.shared.edit_schema import EDIT_SCHEMA_DDL

    missing = [table for table in EDIT_TABLES if not _table_exists(conn, table)]
    for statement in EDIT_SCHEMA_DDL:
        conn.execute(statement.encode("utf-8"))
    if missing:
        _grant_like_shared_models(conn, missing)
    return missing


def _table_exists(conn: psycopg.Connection[Any], table: str) -> bool:
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA_NAME}.{table}",))
    row = found.fetchone()
    return bool(row and row[0])


def _grant_like_shared_models(conn: psycopg.Connection[Any], tables: list[str]) -> None:
    from psycopg import sql

    grants = conn.execute(
        "SELECT grantee, string_agg(privilege_type, ',') FROM information_schema.role_table_grants"
        " WHERE table_schema = %s AND table_name = 'shared_models' AND grantee <> current_user"
        " AND privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE') GROUP BY grantee",
        (SCHEMA_NAME,),
    ).fetchall()
    for grantee, privileges in grants:
        rights = sql.SQL(", ").join(sql.SQL(p) for p in sorted(privileges.split(",")))
        for table in tables:
            conn.execute(
                sql.SQL("GRANT {} ON {} TO {}").format(
                    rights,
                    sql.Identifier(SCHEMA_NAME, table),
                    sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee),
                )
            )


def _lock_schema(conn: psycopg.Connection[Any]) -> None:
    """One schema change at a time in this database (two first pushes at once)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('fma-app schema'))")


# ---- rows ----------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return f'"{name}"'


def _select_sql(table: str) -> str:
    columns = ", ".join(_quoted(c) for c in (*compiled_sql.DOMAIN_COLUMNS[table], "row_version"))
    return f"SELECT {columns} FROM {SCHEMA_NAME}.{table} WHERE model_key = %s ORDER BY id"


def load_rows(conn: psycopg.Connection[Any], model_key: str) -> tuple[Model, RowVersions]:
    """The model under `model_key` and each row's version, read in the caller's transaction
    (REPEATABLE READ for one snapshot). The model is checked as open checks a file's rows
    (RowProblemError); raises ModelNotFound when there is no such model."""
    found = conn.execute(
        f"SELECT 1 FROM {SCHEMA_NAME}.shared_models WHERE key = %s", (model_key,)
    ).fetchone()
    if found is None:
        raise ModelNotFound(f"no model '{model_key}'")
    versions: RowVersions = {}

    def rows(table: str) -> list[Any]:
        read = conn.execute(_select_sql(table).encode(), (model_key,), binary=True).fetchall()
        versions[table] = {row[0]: row[-1] for row in read}
        return [row[:-1] for row in read]

    model = model_from_rows(rows)
    return model, versions


def write_rows(conn: psycopg.Connection[Any], model_key: str, model: Model) -> None:
    """Insert every row of `model` under `model_key` (COPY, in the caller's transaction), all
    at version 1. The shared_models row must exist."""
    import psycopg

    for table, rows in rows_of_model(model).items():
        if not rows:
            continue
        columns = ", ".join(_quoted(c) for c in ("model_key", *compiled_sql.DOMAIN_COLUMNS[table]))
        statement = f"COPY {SCHEMA_NAME}.{table} ({columns}) FROM STDIN"
        try:
            with conn.cursor().copy(statement.encode()) as copy:
                for row in rows:
                    copy.write_row(
                        (model_key, *(int(v) if v is True or v is False else v for v in row))
                    )
        except psycopg.DataError:
            _refuse_nul(table, rows)  # names the value when that was the problem
            raise


def _refuse_nul(table: str, rows: list[tuple[object, ...]]) -> None:
    """PostgreSQL's text cannot hold NUL characters, which a model file's can: refuse such a
    model by naming the value, rather than store something else than the user wrote."""
    names = compiled_sql.DOMAIN_COLUMNS[table]
    for row in rows:
        for name, value in zip(names, row, strict=True):
            if isinstance(value, str) and "\x00" in value:
                raise RowProblemError(
                    f"{table} row {row[0]}: {name} holds a NUL character (\\x00), which "
                    "PostgreSQL cannot store; remove it from the model first"
                )


# ---- operations ----------------------------------------------------------------------------


def _require_key(location: SharedLocation, verb: str) -> str:
    if location.model_key is None:
        raise ModelNotFound(
            f"cannot {verb} {location.display}: the URL names no model (add ?model=KEY; "
            f"`fma-app models {location.database_display}` lists them)"
        )
    return location.model_key


def push(
    model: Model,
    location: SharedLocation | str,
    *,
    force: bool = False,
    password: str | None = None,
) -> None:
    """Copy `model` into the database under the URL's key, in one transaction: the schema is
    created when the database has none; an existing model of that key is refused (ModelExists)
    unless `force`, which replaces it."""
    where = _location(location)
    key = _require_key(where, "push to")
    try:
        check_model(model)  # a model that would not open again is never pushed
    except RowProblemError as error:
        raise SharedStoreError(
            f"cannot push to {where.display}: {error}", reason="invalid"
        ) from None
    with _transaction(where, "push to", password) as conn:
        _lock_schema(conn)
        if check_schema(conn, where) is None:
            _create_schema(conn)
        exists = conn.execute(
            f"SELECT changed_by, changed_at FROM {SCHEMA_NAME}.shared_models WHERE key = %s"
            " FOR UPDATE",
            (key,),
        ).fetchone()
        if exists is not None:
            if not force:
                raise ModelExists(
                    f"{where.display} already holds model '{key}' (last changed by {exists[0]} "
                    f"at {_when(exists[1])}): push --force replaces it"
                )
            conn.execute(f"DELETE FROM {SCHEMA_NAME}.shared_models WHERE key = %s", (key,))
        conn.execute(
            f"INSERT INTO {SCHEMA_NAME}.shared_models (key, changed_by) VALUES (%s, %s)",
            (key, user_name(where)),
        )
        write_rows(conn, key, model)
        if exists is not None:  # replaced: history says so, open windows hear it and reload
            from fma_app.storage.shared.edit_schema import record_replacement

            record_replacement(conn, key, user_name(where))


def pull(location: SharedLocation | str, *, password: str | None = None) -> Model:
    """The model under the URL's key: equal to the one pushed, ids included."""
    return pull_with_versions(location, password=password)[0]


def pull_with_versions(
    location: SharedLocation | str, *, password: str | None = None
) -> tuple[Model, RowVersions]:
    where = _location(location)
    key = _require_key(where, "open")
    with _transaction(where, "open", password, read_only=True) as conn:
        if check_schema(conn, where) is None:
            raise ModelNotFound(
                f"cannot open {where.display}: the database holds no FMA Workbench models yet "
                "(fma-app push FILE URL puts one there)"
            )
        try:
            return load_rows(conn, key)
        except ModelNotFound:
            raise ModelNotFound(
                f"cannot open {where.display}: the database holds no model '{key}' "
                f"(`fma-app models {where.database_display}` lists them)"
            ) from None


def list_models(
    location: SharedLocation | str, *, password: str | None = None
) -> list[SharedModelInfo]:
    """Every model in the database, by key, with its name and last change."""
    where = _location(location)
    with _transaction(where, "list the models of", password, read_only=True) as conn:
        if check_schema(conn, where) is None:
            return []
        found = conn.execute(
            f"SELECT s.key, m.name, s.changed_at, s.changed_by FROM {SCHEMA_NAME}.shared_models s"
            f" JOIN {SCHEMA_NAME}.model m ON m.model_key = s.key ORDER BY s.key"
        ).fetchall()
    return [SharedModelInfo(*row) for row in found]


@dataclass(frozen=True)
class SchemaUpgrade:
    """What `upgrade_schema` did: the schema versions before and after, and the tables of
    editing together it created (absent from a database pushed before pushes made them)."""

    old: int
    new: int
    created_tables: tuple[str, ...]


def upgrade(location: SharedLocation | str, *, password: str | None = None) -> tuple[int, int]:
    """Bring the database's schema to this version in one transaction; (old, new)."""
    done = upgrade_schema(location, password=password)
    return done.old, done.new


def upgrade_schema(location: SharedLocation | str, *, password: str | None = None) -> SchemaUpgrade:
    """Bring the database's schema to this version in one transaction; what it did."""
    where = _location(location).with_model(None)
    with _transaction(where, "upgrade", password) as conn:
        _lock_schema(conn)
        version = schema_version(conn)
        if version is None:
            raise SharedStoreError(
                f"{where.display} holds no FMA Workbench schema to upgrade "
                "(fma-app push FILE URL creates it)",
                reason="missing",
            )
        if version > SCHEMA_VERSION:
            check_schema(conn, where)  # raises SchemaTooNew
        for step_from in range(version, SCHEMA_VERSION):
            step = PG_MIGRATIONS.get(step_from)
            if step is None:
                raise SharedStoreError(
                    f"cannot upgrade {where.display}: no upgrade from schema {step_from}",
                    reason="migration",
                )
            step(conn)
        created = _create_edit_schema(conn)
        conn.execute(f"UPDATE {SCHEMA_NAME}.fma_schema SET version = %s", (SCHEMA_VERSION,))
    return SchemaUpgrade(version, SCHEMA_VERSION, tuple(created))


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
