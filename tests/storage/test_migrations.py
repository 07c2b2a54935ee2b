"""Schema migrations, exercised with real files written at schemas 1 and 2.

`fixtures/model_v1.fma` was written by `save_model(full_model("Version 1 fixture"), ...)` at
SCHEMA_VERSION 1, and `fixtures/model_v2.fma` by the schema 2 code from
`full_model("Version 2 fixture")` with "Disk full" not rated (likelihood blank) and the FMEA
number, team, key date and revision set (`v2_expected` below). Neither is ever rewritten: they
are how every later version proves that it still opens old files. The real migrations run on
them; the further steps registered by the `later_step` fixture exist only inside these tests.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import files_in, full_model, snapshot

from fma_app.domain.commands import edit_model_properties
from fma_app.domain.model import Model
from fma_app.storage import (
    ModelFileError,
    compiled_sql,
    migrations,
    open_model,
    read_info,
    save_model,
)

FIXTURE = Path(__file__).parent / "fixtures" / "model_v1.fma"
FIXTURE_V2 = Path(__file__).parent / "fixtures" / "model_v2.fma"
LATEST = compiled_sql.SCHEMA_VERSION  # the real one; `later_step` makes a build one above it


@pytest.fixture
def v1_file(tmp_path) -> Path:
    copy = tmp_path / "old.fma"
    shutil.copy2(FIXTURE, copy)
    return copy


@pytest.fixture
def v2_file(tmp_path) -> Path:
    copy = tmp_path / "old2.fma"
    shutil.copy2(FIXTURE_V2, copy)
    return copy


@pytest.fixture
def later_step(monkeypatch) -> list[int]:
    """Make this build one schema above the real one, with a step that renames every owner."""
    ran: list[int] = []

    def owners_become_teams(conn: sqlite3.Connection) -> None:
        ran.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE components SET owner = 'team ' || owner WHERE owner != ''")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", LATEST + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, LATEST, owners_become_teams)
    return ran


def expected_after_migration() -> dict:
    model = full_model("Version 1 fixture")
    for component in model.components.values():
        if component.owner:
            component.owner = "team " + component.owner
    return model.content()


def test_the_fixture_is_schema_1_and_migrates_to_2_with_its_content():
    before = snapshot(FIXTURE)
    assert read_info(FIXTURE).schema_version == 1
    model = open_model(FIXTURE)
    assert model.content() == full_model("Version 1 fixture").content()
    # Schema 1 knew only rated failure modes: the scores come through as they were.
    assert {fm.failure_mode: (fm.severity, fm.likelihood, fm.detection, fm.rpn)
            for fm in model.failure_modes.values()} == {
        "Timeout": (9, 4, 3, 108), "Disk full": (10, 1, 10, 100)
    }  # fmt: skip
    assert model.fmea_number == model.team == model.scope == model.approved_by == ""
    assert model.key_date is None
    assert snapshot(FIXTURE) == before


def test_a_migrated_schema_1_file_saves_as_latest_and_holds_not_rated_scores_and_properties(
    v1_file,
):
    model = open_model(v1_file, read_only=False)
    timeout = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "Timeout")
    timeout.likelihood = None
    edit_model_properties(model, fmea_number="FM-7", key_date="2026-05-01").do(model)
    save_model(model, v1_file)
    with sqlite3.connect(v1_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute(
            "SELECT severity, likelihood, detection FROM failure_modes WHERE id = ?", (timeout.id,)
        ).fetchone() == (9, None, 3)
    reopened = open_model(v1_file)
    assert reopened.content() == model.content()
    assert reopened.failure_modes[timeout.id].rpn is None
    assert (reopened.fmea_number, reopened.key_date) == ("FM-7", dt.date(2026, 5, 1))


def _tables(conn: sqlite3.Connection) -> dict[str, str]:
    """Each table's DDL with the white space taken out."""
    return {
        name: re.sub(r"\s+", "", sql)
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")
    }


def test_the_step_from_1_builds_exactly_the_tables_schema_2_has(v1_file):
    with sqlite3.connect(v1_file) as old, sqlite3.connect(FIXTURE_V2) as v2:
        old.execute("BEGIN")
        migrations.schema_1_to_2(old)
        old.execute("COMMIT")
        assert _tables(old) == _tables(v2)
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
        # The frozen CHECKs hold: a blank score is fine, an 11 or a lone revised score is not.
        old.execute("UPDATE failure_modes SET severity = NULL")
        for bad in ("severity = 11", "revised_severity = NULL", "likelihood = 0"):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                old.execute(f"UPDATE failure_modes SET {bad} WHERE revised_detection IS NOT NULL")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            old.execute("UPDATE model SET key_date = '2026-13-01'")


def v2_expected() -> Model:
    """What the schema 2 fixture holds (see the module doc)."""
    model = full_model("Version 2 fixture")
    disk = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "Disk full")
    disk.likelihood = None
    edit_model_properties(
        model, fmea_number="FM-7", team="SRE", key_date="2026-05-01", revision="B"
    ).do(model)
    return model


def test_the_v2_fixture_opens_with_its_content_and_no_justifications():
    before = snapshot(FIXTURE_V2)
    assert read_info(FIXTURE_V2).schema_version == 2
    model = open_model(FIXTURE_V2)
    assert model.content() == v2_expected().content()
    assert {fm.justification for fm in model.failure_modes.values()} == {""}
    assert snapshot(FIXTURE_V2) == before


def test_the_justification_step_builds_exactly_the_tables_a_new_file_has(v2_file, tmp_path):
    assert LATEST == 3, "a later schema exists: compare this step with a fixture of schema 3"
    fresh = tmp_path / "fresh.fma"
    save_model(full_model(), fresh)
    with sqlite3.connect(v2_file) as old, sqlite3.connect(fresh) as new:
        old.execute("BEGIN")
        migrations.add_failure_mode_justification(old)
        old.execute("COMMIT")
        assert _tables(old) == _tables(new)
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {row[0] for row in old.execute("SELECT justification FROM failure_modes")} == {""}
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL constraint failed"):
            old.execute("UPDATE failure_modes SET justification = NULL")


def test_a_migrated_v2_file_saves_as_3_and_keeps_a_justification(v2_file):
    model = open_model(v2_file, read_only=False)
    timeout = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "Timeout")
    timeout.justification = "Circuit breaker tested monthly\nsee RUN-12 \u2713"
    save_model(model, v2_file)
    with sqlite3.connect(v2_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    reopened = open_model(v2_file)
    assert reopened.content() == model.content()
    assert reopened.failure_modes[timeout.id].justification == timeout.justification


@pytest.mark.parametrize("read_only", [True, False])
def test_an_older_file_migrates_in_memory_and_is_never_written(v1_file, later_step, read_only):
    before = snapshot(v1_file)
    model = open_model(v1_file, read_only=read_only)
    assert model.content() == expected_after_migration()
    assert later_step == [LATEST]  # after the real steps
    assert snapshot(v1_file) == before
    assert files_in(v1_file.parent) == ["old.fma"]
    assert read_info(v1_file).schema_version == 1  # the file is still what it was


def test_saving_a_migrated_model_writes_the_new_version(v1_file, later_step, tmp_path):
    model = open_model(v1_file)
    save_model(model, v1_file)
    with sqlite3.connect(v1_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
    assert open_model(v1_file).content() == expected_after_migration()
    assert later_step == [LATEST]  # the saved file needed no second migration


def test_migrations_run_in_order(v1_file, later_step, monkeypatch):
    def one_more(conn: sqlite3.Connection) -> None:
        later_step.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE model SET description = description || ' (v4)'")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", LATEST + 2)
    monkeypatch.setitem(migrations.MIGRATIONS, LATEST + 1, one_more)
    model = open_model(v1_file)
    assert later_step == [LATEST, LATEST + 1]
    assert model.description.endswith(" (v4)")
    assert model.components[1].owner == "team edge"


def refused(path: Path, reason: str) -> str:
    before = snapshot(path)
    with pytest.raises(ModelFileError) as caught:
        open_model(path)
    assert caught.value.reason == reason
    assert snapshot(path) == before
    return str(caught.value)


def test_a_missing_migration_step_is_refused(v1_file, later_step, monkeypatch):
    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", LATEST + 2)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': no migration from schema {LATEST + 1} "
        f"(this version reads up to {LATEST + 2})"
    )


def test_a_failing_migration_is_refused(v1_file, later_step, monkeypatch):
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE components SET owner = 'half done'")
        raise RuntimeError("lost the owner map")

    monkeypatch.setitem(migrations.MIGRATIONS, LATEST, broken)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': migration from schema {LATEST} failed (lost the owner map)"
    )


def test_a_migration_that_leaves_the_wrong_tables_is_refused(v1_file, later_step, monkeypatch):
    monkeypatch.setitem(
        migrations.MIGRATIONS,
        LATEST,
        lambda conn: conn.execute("ALTER TABLE components DROP owner"),
    )
    assert refused(v1_file, "schema") == (
        f"cannot open '{v1_file}': the components table does not have the expected columns"
    )


def test_a_migrated_copy_is_checked_row_by_row(v1_file, later_step, monkeypatch):
    def bad_scores(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE failure_modes SET detection = 0 WHERE id = 8")

    monkeypatch.setitem(migrations.MIGRATIONS, LATEST, bad_scores)
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
