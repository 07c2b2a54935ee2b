"""Schema 7 (team mode, issue 18): every row carries a version. A model file keeps them at 1;
the step from schema 6 runs on a real file that the schema 6 code wrote."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import snapshot, v6_fixture_model

from fma_app.storage import (
    ModelFileError,
    compiled_sql,
    migrations,
    open_model,
    read_info,
    read_ranking,
    save_model,
)

FIXTURE_V6 = Path(__file__).parent / "fixtures" / "model_v6.fma"


@pytest.fixture
def v6_file(tmp_path: Path) -> Path:
    copy = tmp_path / "v6.fma"
    shutil.copy2(FIXTURE_V6, copy)
    return copy


def _versions(path: Path) -> dict[str, set[int]]:
    with sqlite3.connect(path) as conn:
        return {
            table: {row[0] for row in conn.execute(f"SELECT row_version FROM {table}")}
            for table in compiled_sql.TABLE_NAMES
        }


def test_the_fixture_is_schema_6_and_opens_with_its_content_untouched(v6_file: Path) -> None:
    before = snapshot(v6_file)
    assert read_info(v6_file).schema_version == 6
    model = open_model(v6_file)
    assert model.content() == v6_fixture_model().content()
    assert model.uuid == v6_fixture_model().uuid
    assert snapshot(v6_file) == before  # open migrates a copy in memory


def test_the_step_from_6_gives_every_row_of_every_table_version_1(v6_file: Path) -> None:
    with sqlite3.connect(v6_file) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in compiled_sql.TABLE_NAMES}  # fmt: skip
        assert all(counts.values()), counts  # the fixture has rows in every table
        conn.execute("BEGIN")
        migrations.MIGRATIONS[6](conn)
        conn.execute("COMMIT")
        for table in compiled_sql.TABLE_NAMES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")]
            assert columns == list(compiled_sql.COLUMNS[table])
            found = conn.execute(
                f"SELECT count(*), min(row_version), max(row_version) FROM {table}"
            )
            assert found.fetchone() == (counts[table], 1, 1)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute("UPDATE components SET row_version = 0")


def test_a_migrated_v6_file_saves_as_schema_7_at_version_1(v6_file: Path) -> None:
    model = open_model(v6_file, read_only=False)
    save_model(model, v6_file)
    assert read_info(v6_file).schema_version == compiled_sql.SCHEMA_VERSION == 7
    assert open_model(v6_file).content() == v6_fixture_model().content()
    assert set(map(frozenset, _versions(v6_file).values())) == {frozenset({1})}
    with sqlite3.connect(v6_file) as conn:  # written by the current DDL, exactly
        created = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    assert created == compiled_sql.CREATE_SQL


@pytest.mark.parametrize("version", [0, -3])
def test_a_row_version_below_1_is_refused_by_open_info_and_rank(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "m.fma"
    save_model(v6_fixture_model(), path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")  # what a careless writer does
        conn.execute(f"UPDATE failure_modes SET row_version = {version} WHERE id = 8")
    before = snapshot(path)
    message = f"failure_modes row 8: row_version {version} is not a positive whole number"
    for read in (open_model, read_info, read_ranking):
        with pytest.raises(ModelFileError, match=message) as caught:
            read(path)
        assert caught.value.reason == "invalid"
    assert snapshot(path) == before
