"""Open and save model files.

Open never writes the user's file: it reads through a `mode=ro` connection, after checking, in
this order, that the file exists, is not empty, starts with the SQLite header, carries our
application id, is not from a newer schema, passes `PRAGMA quick_check`, and has exactly our
tables and columns with no triggers, views or indexes of someone else's. Then every row is checked
against the model's rules (`checks.py`) before it becomes a domain object. Older files migrate in
an in-memory copy. The checks before the rows live in `file_read.py`, with `read_ranking`, so
`rank` reads a file without importing this module or the domain model.

Save writes a complete new file beside the target and renames it over the old one (see
`save_model`), so a crash or a full disk leaves the previous file intact.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fma_app.domain.errors import ValidationError
from fma_app.domain.model import (
    MAX_SLO_WINDOW_DAYS,
    Action,
    ActionStatus,
    Component,
    ComponentKind,
    Dependency,
    Entity,
    FailureMode,
    Model,
    ObservedCalls,
    Scores,
    Strength,
)
from fma_app.gc_pause import paused_gc
from fma_app.storage import compiled_sql
from fma_app.storage.checks import RowProblemError, check_across_rows, check_model, check_rows
from fma_app.storage.errors import ModelFileError
from fma_app.storage.file_read import (  # the read path, shared with read_info and read_ranking
    _NO_REVISION,
    _SCORES,
    _SCORES_OR_NONE,
    _breaks_checks,
    _breaks_row_versions,
    _checked_connection,
    _configure,
    _describe,
    _guarded,
    _load_every_value,
    _q,
)
from fma_app.storage.file_read import SQLITE_MAGIC as SQLITE_MAGIC  # where it always was
from fma_app.storage.file_read import read_ranking as read_ranking
from fma_app.storage.resilience_rows import (
    apply_identity,
    apply_resilience,
    apply_targets,
    check_resilience_rows,
    identity_rows,
    resilience_rows,
    target_rows,
)

T = TypeVar("T")

# Temp files of a save: ".NAME.save-PID-RANDOM.tmp" beside NAME. Hidden, and never ending in the
# model's extension, so nobody mistakes one for a model. One older than this was left by a
# killed save (a live save keeps writing it) and is removed by the next save of that file.
TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 600.0


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    name: str
    schema_version: int  # of the file on disk
    components: int
    dependencies: int
    failure_modes: int
    actions: int


# ---- open ----------------------------------------------------------------------------------


def open_model(path: str | os.PathLike[str], *, read_only: bool = True) -> Model:
    """Read a model file into memory, or raise ModelFileError naming the file and the problem.

    The file is only ever read. With `read_only=False` the caller means to save back to it, so a
    file (or folder) that cannot be written is refused with reason "read-only" after every other
    check passed; the desktop then offers to open it read-only.
    """
    file_path = Path(path)
    with _checked_connection(file_path) as (conn, _version, verified):
        model = _guarded(file_path, "open", lambda: _load(conn, verified))
    if not read_only and not is_writable(file_path):
        raise ModelFileError(
            f"cannot open {_q(file_path)} for editing: the file or its folder is read-only",
            path=file_path,
            reason="read-only",
        )
    return model


def read_info(path: str | os.PathLike[str]) -> ModelInfo:
    """Name, schema version and counts, with the same checks as open but without loading rows."""
    file_path = Path(path)
    with _checked_connection(file_path) as (conn, version, verified):

        def count(table: str) -> int:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        def info() -> ModelInfo:
            if not verified or _breaks_checks(conn):
                check_rows(conn)
            check_across_rows(conn)
            check_resilience_rows(conn)
            _load_every_value(conn)
            name = conn.execute("SELECT name FROM model").fetchone()[0]
            return ModelInfo(
                file_path,
                name,
                version,
                count("components"),
                count("dependencies"),
                count("failure_modes"),
                count("actions"),
            )

        return _guarded(file_path, "open", info)


def is_writable(path: str | os.PathLike[str]) -> bool:
    """Whether a save to `path` can replace it: the file (if any) and its folder are writable."""
    file_path = Path(path)
    folder = file_path.parent
    if file_path.exists() and not os.access(file_path, os.W_OK):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


# ---- rows -> domain --------------------------------------------------------------------------

_KINDS = {member.value: member for member in ComponentKind}
_STRENGTHS = {member.value: member for member in Strength}
_STATUSES = {member.value: member for member in ActionStatus}


# A table's rows as tuples of its domain columns in order (compiled_sql.DOMAIN_COLUMNS), by id:
# from a model file, or from a shared model on PostgreSQL (storage/shared/store.py).
Rows = Callable[[str], list[Any]]


def model_from_rows(rows: Rows) -> Model:
    """A Model from any engine's rows, checked as open checks a file's (RowProblemError)."""
    try:
        with paused_gc():
            model = _build(rows)
    except _BadValueError:
        raise RowProblemError("a row breaks the model's rules") from None
    check_model(model)
    return model


def rows_of_model(model: Model) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the model, as tuples of each table's domain columns in order."""
    return _table_rows(model)


def _rows(conn: sqlite3.Connection, table: str) -> list[Any]:
    # Any, as sqlite3 gives rows: _require checks each value before it reaches the model.
    return conn.execute(compiled_sql.SELECT_SQL[table]).fetchall()


def _load(conn: sqlite3.Connection, verified: bool) -> Model:
    """Rows to a Model. `verified`: quick_check found our STRICT tables clean, so every value
    has its column's type and NOT NULL holds; only the CHECK rules (which quick_check skips on
    a read-only connection) are left, and `_build` checks those on the tuples it reads."""
    conn.execute("BEGIN")  # every table read from one snapshot
    try:
        if not verified or _breaks_row_versions(conn):
            check_rows(conn)
        with paused_gc():
            model = _build(lambda table: _rows(conn, table))
    except _BadValueError:
        check_rows(conn)  # names the table, the row and the rule
        raise RowProblemError("a row breaks the file's rules") from None  # pragma: no cover
    finally:
        conn.execute("COMMIT")
    check_model(model)
    return model


class _BadValueError(Exception):
    """A value breaks a CHECK rule; `check_rows` then says which and where."""


_FINITE = 1e300


def _require(ok: bool) -> None:
    if not ok:
        raise _BadValueError


def _build(rows: Rows) -> Model:
    """Domain objects from the rows, checking the CHECK rules as it goes (set and dict look-ups
    on values whose types the STRICT tables guarantee: far cheaper than another SQL scan)."""
    metadata = rows("model")
    if len(metadata) != 1:
        raise RowProblemError(f"the model table holds {len(metadata)} rows instead of one")
    ((_id, name, description, next_id, *header),) = metadata
    _require(_id == 1 and next_id >= 1)
    scope, fmea_number, team, revision, key_date, prepared_by, approved_by = header
    model = Model(
        name=name,
        description=description,
        scope=scope,
        fmea_number=fmea_number,
        team=team,
        revision=revision,
        key_date=None if key_date is None else _date("model", 1, "key_date", key_date),
        prepared_by=prepared_by,
        approved_by=approved_by,
    )
    components = rows("components")
    _require(all(
        r[1].strip(" ") and r[2] in _KINDS and -_FINITE <= r[5] <= _FINITE
        and -_FINITE <= r[6] <= _FINITE and r[7] in (0, 1)
        and (r[8] is None or 0 <= r[8] <= 1) and (r[9] is None or 0 < r[9] < 1)
        and 1 <= r[10] <= MAX_SLO_WINDOW_DAYS
        for r in components
    ))  # fmt: skip
    model.components = {
        r[0]: Component(
            r[0], r[1], _KINDS[r[2]], r[3], r[4], float(r[5]), float(r[6]), bool(r[7]),
            None if r[8] is None else float(r[8]), None if r[9] is None else float(r[9]), r[10],
        )
        for r in components
    }  # fmt: skip
    dependencies = rows("dependencies")
    _require(all(r[3] in _STRENGTHS and r[1] != r[2] for r in dependencies))
    model.dependencies = {
        r[0]: Dependency(r[0], r[1], r[2], _STRENGTHS[r[3]], r[4], r[5]) for r in dependencies
    }
    groups = rows("redundancy_groups")
    _require(all(r[2].strip(" ") and r[3] >= 1 for r in groups))
    model.group_needs = _group_needs(groups, model.dependencies)
    failure_modes = rows("failure_modes")
    _require(all(
        r[5] in _SCORES_OR_NONE and r[7] in _SCORES_OR_NONE and r[10] in _SCORES_OR_NONE
        and (r[12:15] == _NO_REVISION
             or (r[12] in _SCORES and r[13] in _SCORES and r[14] in _SCORES))
        for r in failure_modes
    ))  # fmt: skip
    # The 12 columns before the revised scores, positionally: mypy cannot count a slice's
    # values (naming them, or one more tuple per row, costs a few ms per 20,000 rows).
    model.failure_modes = {
        r[0]: FailureMode(*r[:12], None if r[12] is None else Scores(r[12], r[13], r[14]), r[15])  # type: ignore[call-arg]
        for r in failure_modes
    }
    _aliases(rows, model)
    _observed(rows, model)
    actions = rows("actions")
    dates: dict[str | None, dt.date | None] = {None: None}
    for row in actions:
        _require(row[5] in _STATUSES)
        if row[4] not in dates:
            dates[row[4]] = _date("actions", row[0], "due_date", row[4])
    model.actions = {
        r[0]: Action(r[0], r[1], r[2], r[3], dates[r[4]], _STATUSES[r[5]], r[6]) for r in actions
    }
    # Ids below 1 break a rule that no CHECK of these tables holds (the hostile-file fuzz found
    # a dependency with id 0 opening fine): check_rows names the row.
    _require(all(min(kind, default=1) >= 1 for kind in _id_maps(model)))
    largest = max((max(kind, default=0) for kind in _id_maps(model)), default=0)
    model._next_id = max(next_id, largest + 1)
    apply_identity(model, rows("model_identity"))
    apply_targets(model, rows("chaos_targets"))
    apply_resilience(model, rows("resilience"))
    return model


def _group_needs(
    rows: list[Any], dependencies: Mapping[int, Dependency]
) -> dict[tuple[int, str], int]:
    """Needs per (source, group) from the rows, each naming a group of the dependencies once
    and needing no more members than the group has. 1, the default, is not kept."""
    sizes: dict[tuple[int, str], int] = {}
    for dep in dependencies.values():
        if dep.group:
            sizes[(dep.source_id, dep.group)] = sizes.get((dep.source_id, dep.group), 0) + 1
    needs: dict[tuple[int, str], int] = {}
    seen: set[tuple[int, str]] = set()
    for row_id, source_id, group, count in rows:
        key = (source_id, group)
        where = f"redundancy_groups row {row_id}: group {group!r} of component {source_id}"
        if key in seen:
            raise RowProblemError(f"{where} is listed twice")
        if count > sizes.get(key, 0):
            raise RowProblemError(f"{where} needs {count} of its {sizes.get(key, 0)} dependencies")
        seen.add(key)
        if count > 1:
            needs[key] = count
    return needs


def _aliases(rows: Rows, model: Model) -> None:
    """Each component's aliases, in their order in the file (schema 4)."""
    found: dict[int, list[str]] = {}
    for _place, component_id, alias in rows("component_aliases"):
        _require(bool(alias.strip()) and "," not in alias)
        found.setdefault(component_id, []).append(alias)
    for component_id, aliases in found.items():
        component = model.components.get(component_id)
        if component is None:
            raise RowProblemError(
                f"component_aliases: component_id {component_id} names no component"
            )
        component.aliases = tuple(aliases)


def _observed(rows: Rows, model: Model) -> None:
    """What the last trace import saw of each dependency (schema 4)."""
    for row_id, *values in rows("observed_calls"):
        dependency = model.dependencies.get(row_id)
        if dependency is None:
            raise RowProblemError(f"observed_calls row {row_id}: id names no dependency")
        try:
            dependency.observed = ObservedCalls.checked(*values)
        except ValidationError as error:
            raise RowProblemError(f"observed_calls row {row_id}: {error}") from None


def _date(table: str, row_id: int, column: str, text: str) -> dt.date:
    _require(len(text) == 10 and text[4] == text[7] == "-")  # the CHECK: date(x) IS x
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowProblemError(f"{table} row {row_id}: {column} {text!r} is not a date") from None


def _id_maps(model: Model) -> tuple[Mapping[int, Entity], ...]:
    return (model.components, model.dependencies, model.failure_modes, model.actions)


# ---- save ----------------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _table_rows(model: Model) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the file, as tuples in table column order."""
    return {
        "model": [
            (
                1,
                model.name,
                model.description,
                model._next_id,
                model.scope,
                model.fmea_number,
                model.team,
                model.revision,
                _iso(model.key_date),
                model.prepared_by,
                model.approved_by,
            )
        ],
        "components": [
            (
                c.id,
                c.name,
                c.kind,
                c.description,
                c.owner,
                c.x,
                c.y,
                c.user_facing,
                c.availability,
                c.slo,
                c.slo_window_days,
            )
            for c in model.components.values()
        ],
        "dependencies": [
            (d.id, d.source_id, d.target_id, d.strength, d.description, d.group)
            for d in model.dependencies.values()
        ],
        "redundancy_groups": [
            (row, source_id, group, needs)
            for row, ((source_id, group), needs) in enumerate(
                model.live_group_needs().items(), start=1
            )
        ],
        "failure_modes": [
            (
                f.id,
                f.component_id,
                f.function,
                f.failure_mode,
                f.effect,
                f.severity,
                f.cause,
                f.likelihood,
                f.prevention_controls,
                f.detection_controls,
                f.detection,
                f.notes,
                *((r.severity, r.likelihood, r.detection) if (r := f.revised) else (None,) * 3),
                f.justification,
            )
            for f in model.failure_modes.values()
        ],
        "actions": [
            (
                a.id,
                a.failure_mode_id,
                a.description,
                a.owner,
                _iso(a.due_date),
                a.status,
                a.action_taken,
            )
            for a in model.actions.values()
        ],
        "component_aliases": [
            (place, component_id, alias)
            for place, (component_id, alias) in enumerate(
                ((c.id, alias) for c in model.components.values() for alias in c.aliases), 1
            )
        ],
        "observed_calls": [
            (d.id, o.calls, o.errors, o.p50_ms, o.p99_ms, _time(o.first_seen), _time(o.last_seen))
            for d in model.dependencies.values()
            if (o := d.observed) is not None
        ],
        "model_identity": identity_rows(model),
        "chaos_targets": target_rows(list(model.components.values())),
        "resilience": resilience_rows(list(model.failure_modes.values())),
    }


def _time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC: text SQLite's julianday reads, and back to the microsecond."""
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def write_tables(conn: sqlite3.Connection, model: Model) -> None:
    """Create the tables and write every row, in one transaction, then check the rows."""
    conn.execute(f"PRAGMA application_id = {compiled_sql.APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {compiled_sql.SCHEMA_VERSION}")
    conn.execute("BEGIN")
    for table, rows in _table_rows(model).items():
        conn.execute(compiled_sql.CREATE_SQL[table])
        conn.executemany(compiled_sql.INSERT_SQL[table], rows)  # CHECK constraints vet every row
    conn.execute("COMMIT")


def save_model(model: Model, path: str | os.PathLike[str]) -> None:
    """Write the model to `path` atomically, or raise ModelFileError and leave `path` as it was.

    A complete new file is written beside the target under a temp name, committed and fsynced,
    then renamed over the target (os.replace), and the folder is fsynced so the rename itself
    survives a power cut. On any failure the temp file is removed.
    """
    shown = Path(path)
    target = Path(os.path.realpath(path))  # through a symlink, replace the file it names
    try:
        check_model(model)  # rules across rows; a file that would not open again is never saved
        if target.is_file() and not os.access(target, os.W_OK):
            # The rename would replace it anyway (the folder is writable); respect its mode.
            raise ModelFileError(
                f"cannot save {_q(shown)}: the file is read-only", path=shown, reason="read-only"
            )
        _remove_stale_temps(target)
        temp = _write_temp(model, target)
        try:
            os.replace(temp, target)
        except BaseException:
            _discard(None, None, temp)
            raise
        _fsync_folder(target.parent)
    except Exception as error:
        raise _save_error(shown, error) from error


def _write_temp(model: Model, target: Path) -> Path:
    """A complete, fsynced model file beside the target; removed again if anything fails."""
    descriptor, temp = _create_temp(target)
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        _configure(conn)
        # The temp file needs no journal and no syncs of SQLite's own: it is either complete
        # and fsynced below, or deleted.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        write_tables(conn, model)
        conn.close()
        conn = None
        os.fsync(descriptor)
        os.close(descriptor)
    except BaseException:
        _discard(conn, descriptor, temp)
        raise
    return temp


def _save_error(path: Path, error: Exception) -> ModelFileError:
    if isinstance(error, ModelFileError):
        return error
    problem, reason = _describe(error)
    return ModelFileError(f"cannot save {_q(path)}: {problem}", path=path, reason=reason)


def _create_temp(target: Path) -> tuple[int, Path]:
    """A new, empty temp file beside the target, with the target's permission bits if any."""
    for _attempt in range(100):
        name = f".{target.name}.save-{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}"
        temp = target.with_name(name)
        try:
            descriptor = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            if target.exists():
                os.fchmod(descriptor, stat.S_IMODE(os.stat(target).st_mode))
        except BaseException:
            os.close(descriptor)
            temp.unlink(missing_ok=True)
            raise
        return descriptor, temp
    raise FileExistsError(f"cannot create a temp file beside {target}")  # pragma: no cover


def _discard(conn: sqlite3.Connection | None, descriptor: int | None, temp: Path | None) -> None:
    """Undo a failed save: close what is open and remove the temp file. Never raises."""
    if conn is not None:
        with suppress(sqlite3.Error):
            conn.close()
    if descriptor is not None:
        with suppress(OSError):
            os.close(descriptor)
    if temp is not None:
        with suppress(OSError):
            temp.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # a platform or file system without directory handles
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(descriptor)


def is_save_temp(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is the temp file of a save (".NAME.save-PID-RANDOM.tmp")."""
    name = Path(path).name
    return name.startswith(".") and ".save-" in name and name.endswith(TEMP_SUFFIX)


def _remove_stale_temps(target: Path) -> None:
    """Remove temp files of this target left by saves that were killed (old and unchanged)."""
    prefix = f".{target.name}.save-"
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass
