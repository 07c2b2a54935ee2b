"""The model file reader against hostile files: random bytes, truncated and bit-flipped model
files, SQLite files with random schemas, our schema holding values that break the rules.

The promise checked on every example (`open_and_info`): `open_model` and `read_info` return a
model that keeps every rule or raise `ModelFileError` with one line naming the file; the file's
bytes never change and nothing is left beside it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hostile_support import hostile, open_and_info, sample_model, set_header_int
from hypothesis import assume, given
from hypothesis import strategies as st

from fma_app.storage import APPLICATION_ID, SCHEMA_VERSION, save_model
from fma_app.storage import compiled_sql as file_schema
from fma_app.storage.model_file import SQLITE_MAGIC


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("reference") / "reference.fma"
    save_model(sample_model(), path)
    return path.read_bytes()


def crafting_connection(path: Path) -> sqlite3.Connection:
    """A connection that writes a hostile file quickly (no syncs) and ignores CHECKs, as a
    careless writer would."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    return conn


def write(folder: Path, data: bytes) -> Path:
    path = folder / "hostile.fma"
    path.write_bytes(data)
    return path


# ---- bytes -------------------------------------------------------------------------------------
@hostile(150)
@given(data=st.binary(max_size=8192))
def test_random_bytes(tmp_path, data):
    assert open_and_info(write(tmp_path, data)) != "ok"


@hostile(150)
@given(tail=st.binary(min_size=0, max_size=9000), page_size_log=st.integers(0, 17))
def test_random_bytes_behind_a_sqlite_header(tmp_path, model_bytes, tail, page_size_log):
    """Past the magic string: a real header (or one with a random page size) then noise."""
    header = set_header_int(model_bytes[:100], 16, (1 << page_size_log) & 0xFFFF, size=2)
    assert open_and_info(write(tmp_path, SQLITE_MAGIC + header[16:] + tail)) != "ok"


@hostile(120)
@given(fraction=st.floats(0, 1, exclude_max=True))
def test_truncated_model_file(tmp_path, model_bytes, fraction):
    cut = int(len(model_bytes) * fraction)
    assert open_and_info(write(tmp_path, model_bytes[:cut])) != "ok"


# Offsets: anywhere, in the 100-byte header, or on page 1 (sqlite_master: the schema itself).
offsets = st.one_of(st.integers(0, 99), st.integers(0, 4095), st.integers(0, 1 << 20))
flips = st.lists(st.tuples(offsets, st.integers(0, 7)), min_size=1, max_size=8)


@hostile(400)
@given(flips=flips)
def test_bit_flipped_model_file(tmp_path, model_bytes, flips):
    data = bytearray(model_bytes)
    for offset, bit in flips:
        data[offset % len(data)] ^= 1 << bit
    open_and_info(write(tmp_path, bytes(data)))  # may still be a valid model: a flip in free space


@hostile(60)
@given(
    offset=st.integers(0, 99),
    value=st.one_of(st.integers(0, 255), st.sampled_from([0x00, 0xFF, 0x7F, 0x80])),
)
def test_any_header_byte_set_to_any_value(tmp_path, model_bytes, offset, value):
    data = bytearray(model_bytes)
    data[offset] = value
    open_and_info(write(tmp_path, bytes(data)))


# ---- SQLite files of any schema --------------------------------------------------------------
identifiers = st.one_of(
    st.sampled_from(file_schema.TABLE_NAMES),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True),
)
column_names = st.one_of(
    st.sampled_from(sorted({c for t in file_schema.TABLE_NAMES for c in file_schema.COLUMNS[t]})),
    st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
)
values = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.binary(max_size=30),
    st.sampled_from([0, 1, 10, 11, -1, "service", "strong", "open", "2026-02-30", "", " "]),
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@st.composite
def random_databases(draw):
    tables = draw(
        st.dictionaries(
            identifiers.map(str.lower),
            st.lists(
                st.tuples(column_names, st.sampled_from(["", "TEXT", "INTEGER", "REAL", "BLOB"])),
                min_size=1,
                max_size=6,
                unique_by=lambda c: c[0].lower(),
            ),
            max_size=7,
        )
    )
    rows = {name: draw(st.lists(st.lists(values, min_size=len(cols), max_size=len(cols)),
                                max_size=4)) for name, cols in tables.items()}  # fmt: skip
    exact = draw(st.sets(st.sampled_from(file_schema.TABLE_NAMES)))
    app_id = draw(st.sampled_from([APPLICATION_ID, APPLICATION_ID, 0, 0x12345678]))
    version = draw(st.sampled_from([0, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION + 1]))
    return tables, rows, exact, app_id, version


@hostile(120)
@given(database=random_databases())
def test_sqlite_file_with_a_random_schema(tmp_path, database):
    tables, rows, exact, app_id, version = database
    path = tmp_path / "hostile.fma"
    path.unlink(missing_ok=True)
    conn = crafting_connection(path)
    try:
        conn.execute(f"PRAGMA application_id = {app_id}")
        conn.execute(f"PRAGMA user_version = {version}")
        for name in exact - set(tables):
            conn.execute(file_schema.CREATE_SQL[name])  # some tables exactly ours, empty
        for name, cols in tables.items():
            columns = ", ".join(f"{_quote(c)} {t}" for c, t in cols)
            conn.execute(f"CREATE TABLE {_quote(name)} ({columns})")
            marks = ", ".join("?" * len(cols))
            conn.executemany(f"INSERT INTO {_quote(name)} VALUES ({marks})", rows[name])
        conn.commit()
    finally:
        conn.close()
    open_and_info(path)


# ---- our schema, values that break the rules ---------------------------------------------------
COLUMNS = {table: file_schema.COLUMNS[table] for table in file_schema.TABLE_NAMES}
edits = st.lists(
    st.one_of(
        st.tuples(
            st.just("set"),
            st.sampled_from(file_schema.TABLE_NAMES).flatmap(
                lambda t: st.tuples(st.just(t), st.sampled_from(COLUMNS[t]))
            ),
            st.integers(0, 3),
            values,
        ),
        st.tuples(st.just("delete"), st.sampled_from(file_schema.TABLE_NAMES), st.integers(0, 3)),
        st.tuples(st.just("copy"), st.sampled_from(file_schema.TABLE_NAMES), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=4,
)


def _loose_sql(table: str) -> str:
    """Our columns with their declared types, but no STRICT and no CHECK: any writer's table."""
    columns = ", ".join(
        f"{_quote(name)} {declared}" for name, declared, _pk in file_schema.EXPECTED_COLUMNS[table]
    )
    return f"CREATE TABLE {table} ({columns}, PRIMARY KEY (id))"


def _apply(conn: sqlite3.Connection, edit: tuple) -> None:
    kind, *rest = edit
    if kind == "set":
        (table, column), index, value = rest
        rowids = [r[0] for r in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
        if rowids:
            rowid = rowids[index % len(rowids)]
            conn.execute(f"UPDATE {table} SET {_quote(column)} = ? WHERE rowid = ?", (value, rowid))
    elif kind == "delete":
        table, index = rest
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                     f"ORDER BY rowid LIMIT 1 OFFSET {index})")  # fmt: skip
    else:  # copy a row under a new id: duplicate names, second model row, shared ids
        table, index = rest
        names = ", ".join(_quote(c) for c in COLUMNS[table][1:])
        conn.execute(f"INSERT INTO {table} (id, {names}) SELECT (SELECT max(id) FROM {table}) "
                     f"+ 1 + {index}, {names} FROM {table} LIMIT 1")  # fmt: skip


@hostile(250)
@given(loose=st.booleans(), edits=edits)
def test_our_schema_with_values_that_break_the_rules(tmp_path, model_bytes, loose, edits):
    path = write(tmp_path, model_bytes)
    conn = crafting_connection(path)
    try:  # what a careless writer does
        if loose:
            for table in file_schema.TABLE_NAMES:
                conn.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
                conn.execute(_loose_sql(table))
                conn.execute(f"INSERT INTO {table} SELECT * FROM old_{table}")
                conn.execute(f"DROP TABLE old_{table}")
        for edit in edits:
            try:
                _apply(conn, edit)
            except sqlite3.Error:  # STRICT refused the type or the id exists: not this edit
                assume(False)
        conn.commit()
    finally:
        conn.close()
    open_and_info(path)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE failure_modes SET revised_likelihood = NULL",  # revised scores partly NULL
        "UPDATE failure_modes SET severity = 11",
        "UPDATE components SET kind = 'SERVICE'",  # an enum in the wrong case
        "UPDATE dependencies SET target_id = 999",  # a dangling id
        "UPDATE actions SET failure_mode_id = (SELECT id FROM components LIMIT 1)",
        "UPDATE actions SET due_date = '2026-02-30'",
        "UPDATE model SET next_id = -5",
        "UPDATE components SET x = 1e308",
    ],
)
def test_named_rule_breaks_are_refused_as_invalid_or_corrupt(tmp_path, model_bytes, statement):
    path = write(tmp_path, model_bytes)
    conn = crafting_connection(path)
    conn.execute(statement)
    conn.commit()
    conn.close()
    assert open_and_info(path) in ("invalid", "corrupt")
