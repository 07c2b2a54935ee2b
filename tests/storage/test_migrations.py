"""Schema migrations, exercised with a real file written at schema 1.

`fixtures/model_v1.fma` was written by `save_model(full_model("Version 1 fixture"), ...)` at
SCHEMA_VERSION 1 and must never be rewritten: it is how every later version proves that it still
opens version-1 files. The migrations registered here exist only inside these tests.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import files_in, full_model, snapshot

from fma_app.storage import (
    ModelFileError,
    compiled_sql,
    open_model,
    read_info,
    save_model,
    schema,
)

FIXTURE = Path(__file__).parent / "fixtures" / "model_v1.fma"


@pytest.fixture
def v1_file(tmp_path) -> Path:
    copy = tmp_path / "old.fma"
    shutil.copy2(FIXTURE, copy)
    return copy


@pytest.fixture
def migrations(monkeypatch) -> list[int]:
    """Make this build schema 2, with a migration from 1 that renames every owner."""
    ran: list[int] = []

    def owners_become_teams(conn: sqlite3.Connection) -> None:
        ran.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE components SET owner = 'team ' || owner WHERE owner != ''")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema.MIGRATIONS, 1, owners_become_teams)
    return ran


def expected_after_migration() -> dict:
    model = full_model("Version 1 fixture")
    for component in model.components.values():
        if component.owner:
            component.owner = "team " + component.owner
    return model.content()


def test_the_fixture_is_schema_1_and_opens_with_this_version():
    before = snapshot(FIXTURE)
    assert read_info(FIXTURE).schema_version == 1
    assert open_model(FIXTURE).content() == full_model("Version 1 fixture").content()
    assert snapshot(FIXTURE) == before


@pytest.mark.parametrize("read_only", [True, False])
def test_an_older_file_migrates_in_memory_and_is_never_written(v1_file, migrations, read_only):
    before = snapshot(v1_file)
    model = open_model(v1_file, read_only=read_only)
    assert model.content() == expected_after_migration()
    assert migrations == [1]
    assert snapshot(v1_file) == before
    assert files_in(v1_file.parent) == ["old.fma"]
    assert read_info(v1_file).schema_version == 1  # the file is still what it was


def test_saving_a_migrated_model_writes_the_new_version(v1_file, migrations, tmp_path):
    model = open_model(v1_file)
    save_model(model, v1_file)
    with sqlite3.connect(v1_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert open_model(v1_file).content() == expected_after_migration()
    assert migrations == [1]  # the saved file needed no second migration


def test_migrations_run_in_order(v1_file, migrations, monkeypatch):
    def two_to_three(conn: sqlite3.Connection) -> None:
        migrations.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE model SET description = description || ' (v3)'")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(schema.MIGRATIONS, 2, two_to_three)
    model = open_model(v1_file)
    assert migrations == [1, 2]
    assert model.description.endswith(" (v3)")
    assert model.components[1].owner == "team edge"


def refused(path: Path, reason: str) -> str:
    before = snapshot(path)
    with pytest.raises(ModelFileError) as caught:
        open_model(path)
    assert caught.value.reason == reason
    assert snapshot(path) == before
    return str(caught.value)


def test_a_missing_migration_step_is_refused(v1_file, migrations, monkeypatch):
    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", 3)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': no migration from schema 2 (this version reads up to 3)"
    )


def test_a_failing_migration_is_refused(v1_file, migrations, monkeypatch):
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE components SET owner = 'half done'")
        raise RuntimeError("lost the owner map")

    monkeypatch.setitem(schema.MIGRATIONS, 1, broken)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': migration from schema 1 failed (lost the owner map)"
    )


def test_a_migration_that_leaves_the_wrong_tables_is_refused(v1_file, migrations, monkeypatch):
    monkeypatch.setitem(
        schema.MIGRATIONS, 1, lambda conn: conn.execute("ALTER TABLE components DROP owner")
    )
    assert refused(v1_file, "schema") == (
        f"cannot open '{v1_file}': the components table does not have the expected columns"
    )


def test_a_migrated_copy_is_checked_row_by_row(v1_file, migrations, monkeypatch):
    def bad_scores(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE failure_modes SET detection = 0 WHERE id = 8")

    monkeypatch.setitem(schema.MIGRATIONS, 1, bad_scores)
    assert refused(v1_file, "invalid") == (
        f"cannot open '{v1_file}': failure_modes row 8: detection 0 is not a whole number "
        "from 1 to 10"
    )


def test_schema_version_zero_with_our_id_is_refused(v1_file):
    with sqlite3.connect(v1_file) as conn:
        conn.execute("PRAGMA user_version = 0")
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': no migration from schema 0 "
        f"(this version reads up to {compiled_sql.SCHEMA_VERSION})"
    )
