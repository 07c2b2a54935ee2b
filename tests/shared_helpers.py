"""Helpers of the shared-editing tests: a model put on the test server, and sessions on it."""

from __future__ import annotations

from typing import Any

import psycopg

from fma_app.domain.model import Model
from fma_app.storage import compiled_sql
from fma_app.storage.model_file import _table_rows
from fma_app.storage.shared.edit_schema import ensure_edit_schema
from fma_app.storage.shared.rows import column_list, db_value

_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}


def create_tables(conn: Any) -> None:
    """The model tables as pgcore's schema lays them out (model_key + the file's columns +
    row_version); a stand-in until pgcore's push creates them."""
    for table in compiled_sql.TABLE_NAMES:
        columns = ", ".join(
            f'"{name}" {_TYPES[declared]}'
            for name, declared, _pk in compiled_sql.EXPECTED_COLUMNS[table]
            if name != "row_version"
        )
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (model_key text NOT NULL, {columns},"
            " row_version integer NOT NULL DEFAULT 1, PRIMARY KEY (model_key, id))"
        )


def push_for_tests(url: str, model: Model, key: str) -> str:
    """Put `model` on the server under `key`; the URL with ?model=KEY."""
    with psycopg.connect(url) as conn:
        create_tables(conn)
        ensure_edit_schema(conn)
        for table, rows in _table_rows(model).items():
            if not rows:
                continue
            marks = ", ".join(["%s"] * (len(rows[0]) + 1))
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (model_key, {column_list(table)}) VALUES ({marks})",
                    [(key, *(db_value(v) for v in row)) for row in rows],
                )
    return f"{url}?model={key}"
