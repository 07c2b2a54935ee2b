"""Records <-> the rows of the shared tables, for the records one step touches.

The PostgreSQL tables (schema `fma`, pgcore's) are the file's, same columns in the same order
(`compiled_sql.DOMAIN_COLUMNS` plus `row_version`), with `model_key` in front. A record spans
its own table's row and the rows of its satellite tables (a component's aliases and chaos
target, a dependency's observed calls, a failure mode's resilience). Rows are made by the
file's own `rows_of_model` and read back by the file's own `_build`, so both engines hold
exactly the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from fma_app.domain.model import Model, parse_date
from fma_app.domain.records import collection
from fma_app.storage import compiled_sql
from fma_app.storage.checks import RowProblemError
from fma_app.storage.model_file import _BadValueError, _build, rows_of_model

# collection -> its own table, then (satellite table, the column naming the record's id)
MAIN_TABLE = {
    "components": "components",
    "dependencies": "dependencies",
    "failure_modes": "failure_modes",
    "actions": "actions",
}
SATELLITES: dict[str, tuple[tuple[str, str], ...]] = {
    "components": (("component_aliases", "component_id"), ("chaos_targets", "id")),
    "dependencies": (("observed_calls", "id"),),
    "failure_modes": (("resilience", "id"),),
    "actions": (),
}
# Satellite tables whose `id` is only a row number, not the record's id: new rows get new ids.
NUMBERED_ROWS = frozenset({"component_aliases", "redundancy_groups"})
MODEL_PROPERTY_COLUMNS = (
    "name", "description", "scope", "fmea_number", "team", "revision", "key_date",
    "prepared_by", "approved_by",
)  # fmt: skip


def quoted(name: str) -> str:
    return f'"{name}"'


def domain_columns(table: str) -> tuple[str, ...]:
    """The columns the file's rows hold (`rows_of_model`): all but the row version."""
    return compiled_sql.DOMAIN_COLUMNS[table]


def column_list(table: str) -> str:
    return ", ".join(quoted(c) for c in domain_columns(table))


def db_value(value: object) -> object:
    """A file row's value as the PostgreSQL column takes it (booleans are integer 0/1)."""
    return int(value) if isinstance(value, bool) else value


def record_rows(name: str, records: Iterable[Any]) -> dict[str, list[tuple[object, ...]]]:
    """The rows of these records of one collection: their own table's and the satellites'."""
    scratch = Model()
    table = collection(name).records(scratch)
    for record in records:
        table[record.id] = record
    every = rows_of_model(scratch)
    wanted = (MAIN_TABLE[name], *(t for t, _column in SATELLITES[name]))
    return {t: [tuple(db_value(v) for v in row) for row in every[t]] for t in wanted}


def read_records(conn: Any, model_key: str, name: str, ids: Iterable[int]) -> dict[int, Any]:
    """The server's current records of one collection with these ids (missing ones absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    tables: dict[str, list[Any]] = {}
    main = MAIN_TABLE[name]
    tables[main] = conn.execute(
        f"SELECT {column_list(main)} FROM {main} WHERE model_key = %s AND id = ANY(%s) ORDER BY id",
        (model_key, wanted),
    ).fetchall()
    present = [row[0] for row in tables[main]]
    for satellite, column in SATELLITES[name]:
        tables[satellite] = conn.execute(
            f"SELECT {column_list(satellite)} FROM {satellite}"
            f" WHERE model_key = %s AND {quoted(column)} = ANY(%s) ORDER BY id",
            (model_key, present),
        ).fetchall()
    built = build_from_rows(tables)
    return dict(collection(name).records(built))


def read_versions(
    conn: Any, model_key: str, name: str, ids: Iterable[int], *, lock: bool = False
) -> dict[int, int]:
    """row_version of each record's own row, locked for update with `lock`."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = MAIN_TABLE[name]
    rows = conn.execute(
        f"SELECT id, row_version FROM {table} WHERE model_key = %s AND id = ANY(%s)"
        + (" ORDER BY id FOR UPDATE" if lock else ""),
        (model_key, wanted),
    ).fetchall()
    return {int(row[0]): int(row[1]) for row in rows}


def build_from_rows(tables: Mapping[str, list[Any]]) -> Model:
    """A model from rows of the file's tables (any subset of records): the file's own reader,
    given a stand-in model row where none was read. Not checked across rows (a subset has
    references outside it); a value breaking a row rule raises RowProblemError."""
    rows = dict(tables)
    rows.setdefault("model", [(1, "scratch", "", 1, "", "", "", "", None, "", "")])
    rows.setdefault("model_identity", [(1, "00000000-0000-4000-8000-000000000000")])
    try:
        return _build(lambda table: list(rows.get(table, [])))
    except _BadValueError:
        raise RowProblemError("a row of the shared model breaks the model's rules") from None


# ---- the model's own record: properties and group needs ------------------------------------


def read_model_record(conn: Any, model_key: str) -> dict[str, Any] | None:
    """The model's properties and group needs as the server holds them now."""
    row = conn.execute(
        f"SELECT {', '.join(quoted(c) for c in MODEL_PROPERTY_COLUMNS)} FROM model"
        " WHERE model_key = %s",
        (model_key,),
    ).fetchone()
    if row is None:
        return None
    values: dict[str, Any] = dict(zip(MODEL_PROPERTY_COLUMNS, row, strict=True))
    values["key_date"] = parse_date("key date", values["key_date"])
    values["group_needs"] = read_group_needs(conn, model_key)
    return values


def read_group_needs(conn: Any, model_key: str) -> dict[tuple[int, str], int]:
    rows = conn.execute(
        "SELECT source_id, name, needs FROM redundancy_groups WHERE model_key = %s ORDER BY id",
        (model_key,),
    ).fetchall()
    return {(int(source), str(group)): int(needs) for source, group, needs in rows if needs > 1}


def model_column_value(name: str, value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
