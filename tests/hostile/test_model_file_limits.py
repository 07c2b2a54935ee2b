"""Model files built to exhaust or to run something: a header claiming a huge page count, a
sparse file of many gigabytes, giant text values, and schemas with triggers, views and virtual
tables that would loop, allocate or write if anything evaluated them.

Each file is opened in a child process with a timeout (a hang fails the test instead of the
suite) and the child reports its peak memory (VmHWM), asserted against a generous bound.
No timing is asserted beyond the timeout.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import (
    PEAK_MEMORY_SOURCE,
    assert_one_line_naming,
    child_env,
    folder_listing,
    sample_model,
    set_header_int,
)

from fma_app.storage import open_model, save_model

MEMORY_BOUND_MB = 500
CHILD_TIMEOUT_S = 120

OPENER = (
    PEAK_MEMORY_SOURCE
    + """
import json, sys
from fma_app.storage import ModelFileError, open_model, read_info
result = {}
for name, reader in (("open", open_model), ("info", read_info)):
    try:
        reader(sys.argv[1])
        result[name] = ["ok", ""]
    except ModelFileError as error:
        result[name] = [error.reason, str(error)]
result["maxrss_mb"] = peak_mb()
print(json.dumps(result))
"""
)


def open_in_child(path: Path) -> dict:
    """open_model and read_info in a fresh process: outcomes, messages and peak memory."""
    before, listing = path.stat(), folder_listing(path.parent)
    done = subprocess.run(
        [sys.executable, "-c", OPENER, str(path)],
        capture_output=True, text=True, env=child_env(), timeout=CHILD_TIMEOUT_S,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    for outcome, message in (result["open"], result["info"]):
        if outcome != "ok":
            assert_one_line_naming(message, path)
    assert result["maxrss_mb"] < MEMORY_BOUND_MB, result
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert folder_listing(path.parent) == listing
    return result


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "plant.fma"
    save_model(sample_model(), path)
    return path


def tamper(path: Path, *statements: str, args: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    for statement in statements:
        conn.execute(statement, args if "?" in statement else ())
    conn.commit()
    conn.close()


# ---- size --------------------------------------------------------------------------------------
@pytest.mark.parametrize("counted", [True, False], ids=["count-valid", "count-stale"])
def test_header_claiming_four_billion_pages(saved, counted):
    data = set_header_int(saved.read_bytes(), 28, 0xFFFFFFFF)
    if not counted:  # SQLite then ignores the field and uses the file size
        data = set_header_int(data, 92, int.from_bytes(data[24:28], "big") + 1)
    saved.write_bytes(data)
    result = open_in_child(saved)
    if counted:
        assert result["open"][0] == result["info"][0] == "truncated"
    else:
        assert result["open"][0] in ("ok", "corrupt")


def test_sparse_file_of_64_gigabytes_claiming_every_page(saved):
    """A file that is mostly holes: SQLite must not read or map what no table points to."""
    size = 64 * 1024**3
    page_size = int.from_bytes(saved.read_bytes()[16:18], "big")
    saved.write_bytes(set_header_int(saved.read_bytes(), 28, size // page_size))
    with open(saved, "r+b") as stream:
        stream.truncate(size)
    result = open_in_child(saved)
    # Unreferenced pages are damage SQLite may or may not look for; either way, promptly.
    assert result["open"][0] in ("ok", "corrupt"), result


def test_fifty_megabyte_text_value_is_refused_as_too_large(saved):
    tamper(saved, "UPDATE components SET description = ? WHERE id = 1",
           args=("\u00e9" * (25 * 1024 * 1024),))  # fmt: skip
    assert saved.stat().st_size > 50 * 1024 * 1024
    result = open_in_child(saved)
    assert result["open"][0] == result["info"][0] == "too-large", result
    assert "16 MB" in result["open"][1]


def test_many_values_just_under_the_limit_open_within_the_memory_bound(saved):
    text = "x" * (15 * 1024 * 1024)
    statements = [
        f"UPDATE failure_modes SET notes = ? || '{i}' WHERE rowid = {i + 1}" for i in (0, 1)
    ]
    tamper(saved, *statements, "UPDATE model SET description = ?", args=(text,))
    result = open_in_child(saved)
    assert result["open"][0] == result["info"][0] == "ok", result


# ---- things that would run ---------------------------------------------------------------------
LOOP = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
CANARY = "CREATE TABLE canary (note TEXT)"


def _shadow_view(table: str, expression: str) -> list[str]:
    """Replace one of our tables by a view of the same name and columns."""
    conn = sqlite3.connect(":memory:")
    from fma_app.storage import compiled_sql

    conn.execute(compiled_sql.CREATE_SQL[table])
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    conn.close()
    select = ", ".join(f"({expression}) AS {c}" if c == columns[1] else f"NULL AS {c}"
                       for c in columns)  # fmt: skip
    return [f"DROP TABLE {table}", f"CREATE VIEW {table} AS SELECT {select}"]


HOSTILE_SCHEMAS = {
    "trigger writing another table": [
        CANARY,
        "CREATE TRIGGER t AFTER UPDATE ON components BEGIN INSERT INTO canary VALUES ('ran'); END",
        "CREATE TRIGGER u BEFORE DELETE ON actions BEGIN DELETE FROM canary; END",
    ],
    "view over a table that loops forever": [CANARY, f"CREATE VIEW spin AS {LOOP}"],
    "view shadowing the components table, looping": _shadow_view("components", LOOP),
    "view shadowing the model table, allocating 1 GB": _shadow_view(
        "model", "length(zeroblob(1000000000))"
    ),
    "virtual table shadowing a table": [
        "DROP TABLE actions",
        "CREATE VIRTUAL TABLE actions USING fts5(description)",
    ],
    "view with a dangerous name": [
        CANARY,
        'CREATE VIEW "x\'); DROP TABLE canary; --" AS SELECT 1',
    ],
}


@pytest.mark.parametrize("statements", HOSTILE_SCHEMAS.values(), ids=HOSTILE_SCHEMAS.keys())
def test_files_that_would_run_something_are_refused_without_running_it(saved, statements):
    tamper(saved, *statements)
    before = saved.read_bytes()
    has_canary = "canary" in " ".join(statements)
    if has_canary:
        tamper(saved, "INSERT INTO canary VALUES ('untouched')")
        before = saved.read_bytes()
    result = open_in_child(saved)  # a loop or a 1 GB blob would time out or break the bound
    assert result["open"][0] == result["info"][0] == "unsafe", result
    assert saved.read_bytes() == before
    if has_canary:
        conn = sqlite3.connect(f"file:{saved}?mode=ro", uri=True)
        assert conn.execute("SELECT note FROM canary").fetchall() == [("untouched",)]
        conn.close()


def test_refused_hostile_file_leaves_the_previous_good_file_openable(saved, tmp_path):
    """The reader keeps no state between files: a good model opens right after a hostile one."""
    hostile = tmp_path / "hostile.fma"
    hostile.write_bytes(saved.read_bytes())
    tamper(hostile, *HOSTILE_SCHEMAS["view shadowing the components table, looping"])
    open_in_child(hostile)
    assert open_model(saved).content() == sample_model().content()
