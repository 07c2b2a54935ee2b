"""Aliases and observed call statistics in the model file (schema 4): saved, read back exactly,
checked like every other row, and absent (not lost) in older files."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import full_model, snapshot, v3_fixture_model

from fma_app.domain.model import Model, ObservedCalls
from fma_app.storage import (
    ModelFileError,
    compiled_sql,
    migrations,
    open_model,
    read_info,
    save_model,
)

SEEN = ObservedCalls(
    calls=120, errors=3, p50_ms=12.5, p99_ms=80.125,
    first_seen=dt.datetime(2025, 12, 1, 0, 0, 0, 3_350, tzinfo=dt.UTC),
    last_seen=dt.datetime(2025, 12, 1, 23, 59, 59, 999_999, tzinfo=dt.UTC),
)  # fmt: skip


def traced_model() -> Model:
    model = full_model("Traced")
    components = list(model.components.values())
    components[0].aliases = ("api-gateway", "edge-proxy", "Gateway ✓")
    components[2].aliases = ("redis",)
    dependencies = list(model.dependencies.values())
    dependencies[0].observed = SEEN
    dependencies[1].observed = ObservedCalls(calls=7)  # a dependency list: counts only
    return model


def test_aliases_and_observed_statistics_round_trip(tmp_path):
    model = traced_model()
    path = tmp_path / "traced.fma"
    save_model(model, path)
    back = open_model(path)
    assert back.content() == model.content()
    assert back.components[next(iter(back.components))].aliases == (
        "api-gateway", "edge-proxy", "Gateway ✓",
    )  # fmt: skip
    assert next(iter(back.dependencies.values())).observed == SEEN
    assert read_info(path).components == len(model.components)


def test_a_model_without_either_saves_empty_tables(tmp_path):
    path = tmp_path / "plain.fma"
    save_model(full_model(), path)
    with sqlite3.connect(path) as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("component_aliases", "observed_calls")]  # fmt: skip
    conn.close()
    assert counts == [0, 0]
    assert open_model(path).content() == full_model().content()


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE observed_calls SET errors = calls + 1", "errors"),
        ("UPDATE observed_calls SET calls = -1", "calls"),
        ("UPDATE observed_calls SET first_seen = 'yesterday'", "first seen 'yesterday'"),
        (
            "UPDATE observed_calls SET id = 999999 WHERE id = (SELECT min(id) FROM observed_calls)",
            "names no dependency",
        ),
        ("UPDATE component_aliases SET alias = 'a,b'", "alias"),
        ("UPDATE component_aliases SET component_id = 999999", "names no component"),
    ],
)
def test_a_bad_row_is_refused_with_its_table_and_problem(tmp_path, statement, problem):
    path = tmp_path / "bad.fma"
    save_model(traced_model(), path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(statement)
    conn.close()
    with pytest.raises(ModelFileError) as refused:
        open_model(path)
    assert problem in str(refused.value)
    assert ("observed_calls" in str(refused.value)) or ("component_aliases" in str(refused.value))


# ---- schema 3 -> 4 ---------------------------------------------------------------------------

FIXTURE_V3 = Path(__file__).parent / "fixtures" / "model_v3.fma"


@pytest.fixture
def v3_file(tmp_path) -> Path:
    copy = tmp_path / "old3.fma"
    shutil.copy2(FIXTURE_V3, copy)
    return copy


def test_the_v3_fixture_migrates_with_no_aliases_and_nothing_observed(v3_file):
    """`fixtures/model_v3.fma` was written by the schema 3 code (commit d1b5099) from
    `storage_helpers.v3_fixture_model()`; it must never be rewritten."""
    before = snapshot(v3_file)
    assert read_info(v3_file).schema_version == 3
    model = open_model(v3_file)
    assert model.content() == v3_fixture_model().content()  # availability, SLO, needs kept
    assert all(c.aliases == () for c in model.components.values())
    assert all(d.observed is None for d in model.dependencies.values())
    assert snapshot(v3_file) == before  # migrated in memory only


def test_a_migrated_v3_file_saves_as_current_with_aliases_and_statistics(v3_file):
    model = open_model(v3_file, read_only=False)
    gateway = model.component_by_name("API gateway")
    gateway.aliases = ("api-gateway",)
    next(iter(model.dependencies.values())).observed = SEEN
    save_model(model, v3_file)
    assert read_info(v3_file).schema_version == compiled_sql.SCHEMA_VERSION
    back = open_model(v3_file)
    assert back.content() == model.content()
    assert back.group_needs == {(gateway.id, "regions"): 2}


def test_the_step_from_3_builds_exactly_the_tables_schema_4_creates(v3_file):
    """The frozen DDL of the step equals what the schema 4 code created (the v4 fixture, which
    it wrote; schema 7 later gave every table a row version)."""
    memory = sqlite3.connect(":memory:")
    with sqlite3.connect(v3_file) as source:
        source.backup(memory)
    source.close()
    migrations.MIGRATIONS[3](memory)
    created = dict(memory.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    memory.close()
    fixture = sqlite3.connect(Path(__file__).parent / "fixtures" / "model_v4.fma")
    schema_4 = dict(fixture.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    fixture.close()
    for table in ("component_aliases", "observed_calls"):
        assert created[table] == schema_4[table]
