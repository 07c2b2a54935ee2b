"""Files that open refuses: one line naming the file and the problem; the file left untouched."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import files_in, run_python, snapshot

from fma_app.domain.model import Model
from fma_app.storage import ModelFileError, compiled_sql, open_model, read_info, save_model


def refused(path: Path, reason: str, *, info_too: bool = True) -> str:
    """Open (and read_info, unless the problem is in a value it never reads) refuse with the
    same one-line message; nothing is changed."""
    before = snapshot(path) if path.is_file() else None
    listing = files_in(path.parent)
    with pytest.raises(ModelFileError) as caught:
        open_model(path)
    message = str(caught.value)
    assert caught.value.reason == reason, message
    assert "\n" not in message
    prefix = f"cannot open '{path}': "
    assert message.startswith(prefix), message
    if info_too:
        with pytest.raises(ModelFileError) as again:
            read_info(path)
        assert str(again.value) == message
    if before is not None:
        assert snapshot(path) == before
    assert files_in(path.parent) == listing
    return message.removeprefix(prefix)


@pytest.fixture
def saved(tmp_path, model) -> Path:
    path = tmp_path / "plant.fma"
    save_model(model, path)
    return path


def tamper(path: Path, *statements: str, check_constraints: bool = False) -> None:
    """Change a saved model as another program could, past our CHECK constraints."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA ignore_check_constraints = {'OFF' if check_constraints else 'ON'}")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def non_strict_copy(path: Path, *statements: str) -> None:
    """Rebuild the tables with the same columns but without STRICT or CHECK constraints (as a
    hand-written or older writer could), then run statements that break the rules."""
    conn = sqlite3.connect(path)
    try:
        for table in compiled_sql.TABLE_NAMES:
            columns = ", ".join(f'"{name}" {kind}' for name, kind, _pk in
                                compiled_sql.EXPECTED_COLUMNS[table][1:])  # fmt: skip
            conn.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {columns})")
            conn.execute(f"INSERT INTO {table} SELECT * FROM old_{table}")
            conn.execute(f"DROP TABLE old_{table}")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


# ---- not a model at all ------------------------------------------------------------------------


def test_missing_file(tmp_path):
    assert refused(tmp_path / "nope.fma", "missing") == "no such file or folder"


def test_folder(tmp_path):
    folder = tmp_path / "folder.fma"
    folder.mkdir()
    assert refused(folder, "not-a-file") == "it is a folder, not a model file"


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.fma"
    os.mkfifo(fifo)
    assert refused(fifo, "not-a-file") == "it is not a regular file"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.fma"
    path.touch()
    assert refused(path, "empty") == "the file is empty"


def test_text_file(tmp_path):
    path = tmp_path / "notes.fma"
    path.write_text("component,severity\nweb,9\n")
    assert refused(path, "not-sqlite") == "not an FMA Workbench model (not a SQLite database)"


def test_another_programs_sqlite_database(tmp_path):
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    expected = "not an FMA Workbench model (another program's SQLite database)"
    assert refused(path, "foreign") == expected


def test_sqlite_file_with_another_application_id(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE t (x)")
    assert "another program's SQLite database" in refused(path, "foreign")


def test_newer_schema_version(saved):
    tamper(saved, f"PRAGMA user_version = {compiled_sql.SCHEMA_VERSION + 1}")
    assert refused(saved, "newer") == (
        f"made by a newer FMA Workbench (schema {compiled_sql.SCHEMA_VERSION + 1}; "
        f"this version reads up to {compiled_sql.SCHEMA_VERSION})"
    )


# ---- damaged -----------------------------------------------------------------------------------


def test_truncated_file(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    assert refused(saved, "truncated").startswith("the file is truncated (")


def test_truncated_inside_the_header(saved):
    saved.write_bytes(saved.read_bytes()[:10])
    assert refused(saved, "truncated") == "the file is truncated"


def test_header_claiming_a_huge_page_count_is_refused_at_once(saved):
    data = bytearray(saved.read_bytes())
    data[28:32] = (0x7FFFFFFF).to_bytes(4, "big")  # still "valid": bytes 24-27 match 92-95
    saved.write_bytes(bytes(data))
    assert refused(saved, "truncated").startswith("the file is truncated (")


def test_bad_page_size(saved):
    data = bytearray(saved.read_bytes())
    data[16:18] = (1000).to_bytes(2, "big")
    saved.write_bytes(bytes(data))
    assert refused(saved, "corrupt") == "the file is damaged (page size 1000)"


def test_damaged_pages(saved):
    data = bytearray(saved.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size):  # every page but the header page
        data[page * page_size : page * page_size + 64] = b"\xa5" * 64
    saved.write_bytes(bytes(data))
    assert refused(saved, "corrupt").startswith("the file is damaged (")


def test_write_ahead_log_mode_is_refused_before_sqlite_opens_it(saved):
    tamper(saved, "PRAGMA journal_mode = WAL")
    assert files_in(saved.parent) == ["plant.fma"]
    problem = refused(saved, "unsafe")
    assert problem == "the file uses a journal mode FMA Workbench never writes"


# ---- hostile or foreign schema -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("CREATE TRIGGER wipe AFTER INSERT ON components BEGIN DELETE FROM actions; END",
         "the file holds a trigger 'wipe', which models never have"),
        ("CREATE VIEW risky AS SELECT * FROM failure_modes",
         "the file holds a view 'risky', which models never have"),
    ],
)  # fmt: skip
def test_triggers_and_views_are_refused(saved, statement, problem):
    tamper(saved, statement)
    assert refused(saved, "unsafe") == problem


def test_index_on_our_tables_is_refused(saved):
    tamper(saved, "CREATE INDEX by_name ON components (lower(name))")
    assert refused(saved, "schema") == "the file holds an index 'by_name' models never have"


def test_missing_table(saved):
    tamper(saved, "DROP TABLE actions")
    assert refused(saved, "schema") == "the file has no actions table"


def test_unexpected_columns(saved):
    tamper(saved, "ALTER TABLE components ADD COLUMN colour TEXT")
    assert refused(saved, "schema") == "the components table does not have the expected columns"


# ---- rows that break the rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE failure_modes SET severity = 11 WHERE failure_mode = 'Disk full'",
         "failure_modes row 8: severity 11 is not a whole number from 1 to 10"),
        ("UPDATE failure_modes SET revised_detection = NULL WHERE failure_mode = 'Timeout'",
         "failure_modes row 7: revised severity, likelihood and detection must be all three "
         "or none"),
        ("UPDATE components SET kind = 'robot' WHERE name = 'Redis'",
         "components row 4: kind 'robot' is not one of: service, database, queue, cache, "
         "external, network, host, other"),
        ("UPDATE actions SET status = 'maybe' WHERE description = 'Load test'",
         "actions row 10: status 'maybe' is not one of: open, in progress, done, cancelled"),
        ("UPDATE actions SET due_date = '31/03/2026' WHERE description = 'Load test'",
         "actions row 10: due_date '31/03/2026' is not a date written YYYY-MM-DD"),
        ("UPDATE components SET name = '  ' WHERE name = 'Redis'",
         "components row 4: name is empty"),
        ("UPDATE dependencies SET target_id = source_id WHERE id = 5",
         "dependencies row 5: component 1 depends on itself"),
        ("DELETE FROM model", "the model table holds 0 rows instead of one"),
        ("UPDATE components SET user_facing = 2 WHERE id = 3",
         "components row 3: user_facing 2 is not 0 or 1"),
        ("UPDATE components SET y = 1e308 WHERE id = 3",
         "components row 3: y 1e+308 is not a finite number"),
        ("UPDATE dependencies SET strength = 'STRONG' WHERE id = 6",
         "dependencies row 6: strength 'STRONG' is not one of: strong, weak"),
        ("UPDATE model SET next_id = 0", "model row 1: next_id 0 is not a positive whole number"),
        ("UPDATE failure_modes SET likelihood = 0 WHERE failure_mode = 'Disk full'",
         "failure_modes row 8: likelihood 0 is not a whole number from 1 to 10"),
        ("UPDATE model SET key_date = '1 May 2026'",
         "model row 1: key_date '1 May 2026' is not a date written YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_rows_breaking_a_check_constraint(saved, statement, problem):
    tamper(saved, statement)
    assert refused(saved, "invalid") == problem


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE failure_modes SET component_id = 999 WHERE id = 7",
         "failure_modes row 7: component_id 999 names no component"),
        ("UPDATE dependencies SET source_id = 998 WHERE id = 5",
         "dependencies row 5: source_id 998 names no component"),
        ("UPDATE actions SET failure_mode_id = 1 WHERE id = 9",
         "actions row 9: failure_mode_id 1 names no failure mode"),
        ("UPDATE components SET name = 'redis ' WHERE name = 'Ledger DB'",
         "components row 4: name 'Redis' is used twice"),
        ("UPDATE dependencies SET target_id = 3 WHERE id = 6",
         "dependencies row 6: component 1 already depends on component 3"),
        ("UPDATE actions SET id = 7 WHERE id = 9", "id 7 is used by more than one row"),
        ("UPDATE dependencies SET id = 3 WHERE id = 5", "id 3 is used by more than one row"),
        ("UPDATE failure_modes SET id = 6 WHERE id = 8", "id 6 is used by more than one row"),
        ("UPDATE actions SET id = 1 WHERE id = 9", "id 1 is used by more than one row"),
        ("UPDATE actions SET due_date = '2026-02-30' WHERE id = 9",
         "actions row 9: due_date '2026-02-30' is not a date"),
        ("UPDATE model SET key_date = '2026-02-31'",
         "model row 1: key_date '2026-02-31' is not a date"),
    ],
)  # fmt: skip
def test_rows_breaking_a_rule_across_rows(saved, statement, problem):
    tamper(saved, statement, check_constraints=True)
    assert refused(saved, "invalid") == problem


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE failure_modes SET severity = 'high' WHERE id = 7",
         "failure_modes row 7: severity 'high' is not a whole number from 1 to 10"),
        ("UPDATE failure_modes SET likelihood = 2.5 WHERE id = 7",
         "failure_modes row 7: likelihood 2.5 is not a whole number from 1 to 10"),
        ("UPDATE components SET owner = NULL WHERE id = 4",
         "components row 4: owner is null, not text"),
        ("UPDATE model SET team = NULL", "model row 1: team is null, not text"),
        ("UPDATE failure_modes SET detection = 0 WHERE id = 8",
         "failure_modes row 8: detection 0 is not a whole number from 1 to 10"),
        ("UPDATE components SET x = 'left' WHERE id = 4",
         "components row 4: x 'left' is not a finite number"),
        ("UPDATE actions SET failure_mode_id = 12345 WHERE id = 9",
         "actions row 9: failure_mode_id 12345 names no failure mode"),
        ("INSERT INTO model VALUES (2, 'Copy', '', 5, '', '', '', '', NULL, '', '', 1)",
         "the model table holds 2 rows instead of one"),
    ],
)  # fmt: skip
def test_rows_in_tables_without_our_constraints_are_checked_one_by_one(saved, statement, problem):
    non_strict_copy(saved, statement)
    assert refused(saved, "invalid") == problem


def test_tables_without_our_constraints_but_good_rows_open(saved, model):
    non_strict_copy(saved)
    assert open_model(saved).content() == model.content()


def test_value_longer_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "huge.fma"
    save_model(Model(), path)
    huge = compiled_sql.MAX_VALUE_BYTES + 1
    tamper(path, f"UPDATE model SET description = CAST(zeroblob({huge}) AS TEXT)")
    assert refused(path, "too-large") == "a value is longer than the 16 MB limit"


def test_save_refuses_a_value_longer_than_the_limit(tmp_path):
    path = tmp_path / "huge.fma"
    with pytest.raises(ModelFileError) as caught:
        save_model(Model(description="x" * (compiled_sql.MAX_VALUE_BYTES + 1)), path)
    assert str(caught.value) == f"cannot save '{path}': a value is longer than the 16 MB limit"
    assert files_in(tmp_path) == []


def test_text_that_is_not_utf8(saved):
    tamper(saved, "UPDATE components SET description = CAST(x'ff00fe' AS TEXT) WHERE id = 4")
    message = refused(saved, "corrupt", info_too=False)
    assert message == "the file holds text that is not valid UTF-8"


# ---- permissions -------------------------------------------------------------------------------

OPEN_AS_OTHER_USER = """
import sys
from fma_app.storage import ModelFileError, open_model
try:
    open_model(sys.argv[1], read_only=sys.argv[2] == "ro")
    print("OPENED")
except ModelFileError as error:
    print(error.reason, error, sep="|")
"""


def test_unreadable_file_is_refused_with_permission_denied(tmp_path, model):
    path = tmp_path / "secret.fma"
    save_model(model, path)
    path.chmod(0o200)
    before = snapshot(path)
    result = run_python(OPEN_AS_OTHER_USER, str(path), "ro", unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"permission|cannot open '{path}': permission denied"
    assert snapshot(path) == before


def test_read_only_file_opens_read_only_but_not_for_editing(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    path.chmod(0o444)
    result = run_python(OPEN_AS_OTHER_USER, str(path), "ro", unprivileged=True)
    assert result.stdout.strip() == "OPENED", result.stderr
    result = run_python(OPEN_AS_OTHER_USER, str(path), "rw", unprivileged=True)
    assert result.stdout.strip() == (
        f"read-only|cannot open '{path}' for editing: the file or its folder is read-only"
    )


def test_damaged_copies_end_in_a_model_or_one_clean_error(saved):
    """A few hundred seeded mutations of a real file: flipped bits, cuts, overwritten runs.
    Each opens to a model or is refused with a ModelFileError line; none is modified."""
    good = saved.read_bytes()
    rng = random.Random(20261127)
    reasons: set[str] = set()
    for case in range(300):
        data = bytearray(good)
        if case % 3 == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif case % 3 == 1:
            data = data[: rng.randrange(len(data))]
        else:
            start = rng.randrange(len(data))
            data[start : start + 64] = rng.randbytes(64)[: len(data) - start]
        saved.write_bytes(bytes(data))
        for reader in (open_model, read_info):
            try:
                reader(saved)
            except ModelFileError as error:
                reasons.add(_one_line_refusal(error))
        assert saved.read_bytes() == bytes(data)
    assert {"corrupt", "truncated"} <= reasons


def _one_line_refusal(error: ModelFileError) -> str:
    assert "\n" not in str(error)
    assert str(error).startswith("cannot open ")
    return error.reason


INTERRUPTED_WRITER = """
import os, signal, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # spill to the file before the commit
conn.execute("BEGIN")
conn.execute("UPDATE components SET description = description || 'half'")
conn.execute("UPDATE failure_modes SET notes = notes || 'written'")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_hot_journal_of_an_interrupted_writer_is_reported_not_rolled_back(saved):
    """Rolling the journal back would write the file; open never does, so it says why."""
    result = run_python(INTERRUPTED_WRITER, str(saved))
    assert result.returncode == -9
    journal = saved.with_name(saved.name + "-journal")
    assert journal.exists()
    journal_bytes = journal.read_bytes()
    assert refused(saved, "journal") == (
        "another program was interrupted while writing it (its -journal file is beside it); "
        "let that program or the sqlite3 shell roll the write back first"
    )
    assert journal.read_bytes() == journal_bytes
