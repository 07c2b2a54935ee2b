"""Schema migrations, exercised with real files written at schemas 1, 2, 3 and 4.

`fixtures/model_v1.fma` was written by `save_model(full_model("Version 1 fixture"), ...)` at
SCHEMA_VERSION 1, `fixtures/model_v2.fma` by the schema 2 code (commit bb57e74) from
`v2_fixture_model()` below, `fixtures/model_v3.fma` by the schema 3 code (commit d1b5099) from
`storage_helpers.v3_fixture_model()`, and `fixtures/model_v4.fma` by the schema 4 code (commit
6f10e11) from `v4_fixture_model()` below; none may ever be rewritten: they are how every later
version proves that it still opens old files. The real migrations (`migrations.schema_1_to_2`,
`schema_2_to_3`, `schema_3_to_4`, `add_failure_mode_justification`) run on them; the further
step registered by the `later_step` fixture exists only inside these tests.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import files_in, full_model, snapshot, v3_fixture_model

from fma_app.domain.commands import edit_model_properties, set_fields, set_group_needs
from fma_app.domain.model import Model, ObservedCalls
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
FIXTURE_V3 = Path(__file__).parent / "fixtures" / "model_v3.fma"
FIXTURE_V4 = Path(__file__).parent / "fixtures" / "model_v4.fma"
FIXTURE_V5 = Path(__file__).parent / "fixtures" / "model_v5.fma"
CURRENT = compiled_sql.SCHEMA_VERSION


@pytest.fixture
def v1_file(tmp_path) -> Path:
    copy = tmp_path / "old.fma"
    shutil.copy2(FIXTURE, copy)
    return copy


@pytest.fixture
def later_step(monkeypatch) -> list[int]:
    """Make this build schema CURRENT + 1, with a step from CURRENT that renames every owner."""
    ran: list[int] = []

    def owners_become_teams(conn: sqlite3.Connection) -> None:
        ran.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE components SET owner = 'team ' || owner WHERE owner != ''")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", CURRENT + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, CURRENT, owners_become_teams)
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


def test_a_migrated_schema_1_file_saves_as_current_and_holds_not_rated_scores_and_properties(
    v1_file,
):
    model = open_model(v1_file, read_only=False)
    timeout = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "Timeout")
    timeout.likelihood = None
    edit_model_properties(model, fmea_number="FM-7", key_date="2026-05-01").do(model)
    save_model(model, v1_file)
    with sqlite3.connect(v1_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT
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


def test_the_step_from_1_builds_exactly_the_tables_schema_2_creates(v1_file):
    with sqlite3.connect(v1_file) as old, sqlite3.connect(FIXTURE_V2) as new:
        old.execute("BEGIN")
        migrations.schema_1_to_2(old)
        old.execute("COMMIT")
        assert _tables(old) == _tables(new)
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
        # The frozen CHECKs hold: a blank score is fine, an 11 or a lone revised score is not.
        old.execute("UPDATE failure_modes SET severity = NULL")
        for bad in ("severity = 11", "revised_severity = NULL", "likelihood = 0"):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                old.execute(f"UPDATE failure_modes SET {bad} WHERE revised_detection IS NOT NULL")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            old.execute("UPDATE model SET key_date = '2026-13-01'")


@pytest.mark.parametrize("read_only", [True, False])
def test_an_older_file_migrates_in_memory_and_is_never_written(v1_file, later_step, read_only):
    before = snapshot(v1_file)
    model = open_model(v1_file, read_only=read_only)
    assert model.content() == expected_after_migration()
    assert later_step == [CURRENT]  # after the real steps from 1
    assert snapshot(v1_file) == before
    assert files_in(v1_file.parent) == ["old.fma"]
    assert read_info(v1_file).schema_version == 1  # the file is still what it was


def test_saving_a_migrated_model_writes_the_new_version(v1_file, later_step, tmp_path):
    model = open_model(v1_file)
    save_model(model, v1_file)
    with sqlite3.connect(v1_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT + 1
    assert open_model(v1_file).content() == expected_after_migration()
    assert later_step == [CURRENT]  # the saved file needed no second migration


def test_migrations_run_in_order(v1_file, later_step, monkeypatch):
    def one_more(conn: sqlite3.Connection) -> None:
        later_step.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("UPDATE model SET description = description || ' (one more)'")

    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", CURRENT + 2)
    monkeypatch.setitem(migrations.MIGRATIONS, CURRENT + 1, one_more)
    model = open_model(v1_file)
    assert later_step == [CURRENT, CURRENT + 1]
    assert model.description.endswith(" (one more)")
    assert model.components[1].owner == "team edge"


def refused(path: Path, reason: str) -> str:
    before = snapshot(path)
    with pytest.raises(ModelFileError) as caught:
        open_model(path)
    assert caught.value.reason == reason
    assert snapshot(path) == before
    return str(caught.value)


def test_a_missing_migration_step_is_refused(v1_file, later_step, monkeypatch):
    monkeypatch.setattr(compiled_sql, "SCHEMA_VERSION", CURRENT + 2)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': no migration from schema {CURRENT + 1} "
        f"(this version reads up to {CURRENT + 2})"
    )


def test_a_failing_migration_is_refused(v1_file, later_step, monkeypatch):
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE components SET owner = 'half done'")
        raise RuntimeError("lost the owner map")

    monkeypatch.setitem(migrations.MIGRATIONS, CURRENT, broken)
    assert refused(v1_file, "migration") == (
        f"cannot open '{v1_file}': migration from schema {CURRENT} failed (lost the owner map)"
    )


def test_a_migration_that_leaves_the_wrong_tables_is_refused(v1_file, later_step, monkeypatch):
    monkeypatch.setitem(
        migrations.MIGRATIONS,
        CURRENT,
        lambda conn: conn.execute("ALTER TABLE components DROP owner"),
    )
    assert refused(v1_file, "schema") == (
        f"cannot open '{v1_file}': the components table does not have the expected columns"
    )


def test_a_migrated_copy_is_checked_row_by_row(v1_file, later_step, monkeypatch):
    def bad_scores(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE failure_modes SET detection = 0 WHERE id = 8")

    monkeypatch.setitem(migrations.MIGRATIONS, CURRENT, bad_scores)
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


# ---- schema 2 -> 3: availability, SLOs, redundancy groups that need k of n -------------------
def v2_fixture_model() -> Model:
    """What `fixtures/model_v2.fma` holds: every field of schema 2 (a failure mode not rated yet,
    the FMEA header) and a two-member redundancy group, which schema 3 lets need both."""
    model = full_model("Version 2 fixture")
    gateway = model.component_by_name("API gateway")
    assert gateway is not None
    model.add_failure_mode(gateway.id, failure_mode="Not rated yet", severity=8)
    edit_model_properties(model, fmea_number="FM-2", key_date="2026-06-30", team="SRE").do(model)
    region_a = model.add_component("Region A", "host")
    region_b = model.add_component("Region B", "host")
    model.add_dependency(gateway.id, region_a.id, "strong", group="regions")
    model.add_dependency(gateway.id, region_b.id, "strong", group="regions")
    return model


@pytest.fixture
def v2_file(tmp_path) -> Path:
    copy = tmp_path / "old2.fma"
    shutil.copy2(FIXTURE_V2, copy)
    return copy


def test_the_v2_fixture_migrates_with_unknown_availability_and_any_of_groups(v2_file):
    before = snapshot(v2_file)
    assert read_info(v2_file).schema_version == 2
    model = open_model(v2_file)
    assert model.content() == v2_fixture_model().content()
    assert all(c.availability is None and c.slo is None for c in model.components.values())
    assert {c.slo_window_days for c in model.components.values()} == {30}
    gateway = model.component_by_name("API gateway")
    assert gateway is not None
    assert model.group_needs == {}
    assert model.needs_of(gateway.id, "regions") == 1  # any one, as schema 2 meant
    assert snapshot(v2_file) == before


def test_a_migrated_v2_file_saves_availability_slo_and_group_needs(v2_file):
    model = open_model(v2_file, read_only=False)
    gateway = model.component_by_name("API gateway")
    ledger = model.component_by_name("Ledger DB")
    assert gateway is not None
    assert ledger is not None
    set_fields(model, "component", gateway.id, slo="99.9%", slo_window_days="28d").do(model)
    set_fields(model, "component", ledger.id, availability=99.95).do(model)
    set_group_needs(model, gateway.id, "regions", 2).do(model)
    save_model(model, v2_file)
    with sqlite3.connect(v2_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT
        assert conn.execute("SELECT source_id, name, needs FROM redundancy_groups").fetchall() == [
            (gateway.id, "regions", 2)
        ]
    reopened = open_model(v2_file)
    assert reopened.content() == model.content()
    entry = reopened.components[gateway.id]
    assert (entry.slo, entry.slo_window_days) == (0.999, 28)
    assert reopened.components[ledger.id].availability == 0.9995
    assert reopened.needs_of(gateway.id, "regions") == 2


def test_the_step_from_2_builds_exactly_the_tables_schema_3_creates(v2_file):
    with sqlite3.connect(v2_file) as old:
        old.execute("BEGIN")
        migrations.schema_2_to_3(old)
        old.execute("COMMIT")
        with sqlite3.connect(FIXTURE_V3) as v3:  # the tables schema 3 created
            assert _tables(old) == _tables(v3)
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
        # The frozen CHECKs hold.
        for bad in ("availability = 1.5", "availability = -0.1", "slo = 1", "slo = 0",
                    "slo_window_days = 0", "slo_window_days = 3661"):  # fmt: skip
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                old.execute(f"UPDATE components SET {bad}")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            old.execute("INSERT INTO redundancy_groups VALUES (1, 1, 'regions', 0)")


def _with_group_row(path: Path, row: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"INSERT INTO redundancy_groups (id, source_id, name, needs) VALUES {row}")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("(1, 1, 'regions', 3)", "redundancy_groups row 1: group 'regions' of component 1 needs 3 "
                                 "of its 2 dependencies"),
        ("(1, 1, 'nowhere', 2)", "redundancy_groups row 1: group 'nowhere' of component 1 needs 2 "
                                 "of its 0 dependencies"),
    ],
)  # fmt: skip
def test_a_group_row_that_needs_more_than_its_group_has_is_refused(v2_file, tmp_path, row, problem):
    saved = tmp_path / "saved.fma"
    save_model(open_model(v2_file), saved)
    _with_group_row(saved, row)
    with pytest.raises(ModelFileError) as caught:
        open_model(saved)
    assert str(caught.value) == f"cannot open '{saved}': {problem}"
    with pytest.raises(ModelFileError) as caught:
        read_info(saved)
    assert str(caught.value) == f"cannot open '{saved}': {problem}"


# ---- schema 4 -> 5: a failure mode's justification (issue 15) ---------------------------------
def v4_fixture_model() -> Model:
    """What `fixtures/model_v4.fma` holds, written by the schema 4 code (commit 6f10e11): the
    schema 3 fixture's model with a component's aliases and a dependency's observed calls."""
    model = v3_fixture_model()
    model.name = "Version 4 fixture"
    gateway = model.component_by_name("API gateway")
    assert gateway is not None
    gateway.aliases = ("api-gw", "gateway.prod")
    first = next(iter(model.dependencies.values()))
    first.observed = ObservedCalls(
        calls=1200, errors=3, p50_ms=12.5, p99_ms=80.0,
        first_seen=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        last_seen=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    return model


@pytest.fixture
def v4_file(tmp_path) -> Path:
    copy = tmp_path / "old4.fma"
    shutil.copy2(FIXTURE_V4, copy)
    return copy


def test_the_v4_fixture_opens_with_its_content_and_no_justifications(v4_file):
    before = snapshot(v4_file)
    assert read_info(v4_file).schema_version == 4
    model = open_model(v4_file)
    assert model.content() == v4_fixture_model().content()
    assert {fm.justification for fm in model.failure_modes.values()} == {""}
    assert snapshot(v4_file) == before


def test_the_justification_step_builds_exactly_the_tables_schema_5_creates(v4_file):
    """Schema 6 (resilience, issue 16) came later: the step is compared with the schema 5
    fixture, which the schema 5 code wrote."""
    with sqlite3.connect(FIXTURE_V5) as fixture:
        assert fixture.execute("PRAGMA user_version").fetchone()[0] == 5
    with sqlite3.connect(v4_file) as old, sqlite3.connect(FIXTURE_V5) as new:
        old.execute("BEGIN")
        migrations.add_failure_mode_justification(old)
        old.execute("COMMIT")
        assert _tables(old) == _tables(new)
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {row[0] for row in old.execute("SELECT justification FROM failure_modes")} == {""}
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL constraint failed"):
            old.execute("UPDATE failure_modes SET justification = NULL")


def test_a_migrated_v4_file_saves_as_current_and_keeps_a_justification(v4_file):
    model = open_model(v4_file, read_only=False)
    timeout = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "Timeout")
    timeout.justification = "Circuit breaker tested monthly\nsee RUN-12 \u2713"
    save_model(model, v4_file)
    with sqlite3.connect(v4_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT
    reopened = open_model(v4_file)
    assert reopened.content() == model.content()
    assert reopened.failure_modes[timeout.id].justification == timeout.justification
