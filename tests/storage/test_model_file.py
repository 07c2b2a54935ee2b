"""Saving and opening model files: the round trip, the file's marks, info, odd paths."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from pathlib import Path

import pytest
from storage_helpers import files_in, full_model

from fma_app.domain.model import Model
from fma_app.storage import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ModelInfo,
    open_model,
    read_info,
    save_model,
    schema,
)


def test_round_trip_keeps_every_field_id_and_next_id(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    opened = open_model(path)
    assert opened.content() == model.content()
    assert opened._next_id == model._next_id
    assert list(opened.components) == sorted(model.components)  # the same ids, gaps kept
    fm = next(fm for fm in opened.failure_modes.values() if fm.failure_mode == "Timeout")
    assert (fm.revised.severity, fm.revised.likelihood, fm.revised.detection) == (9, 2, 2)
    assert "\x00" in opened.component_by_name("Redis").description


def test_round_trip_keeps_not_rated_scores_and_the_model_properties(tmp_path, model):
    """Schema 2: each score may be NULL on its own; the FMEA header is stored with the model."""
    component_id = next(iter(model.components))
    blank = model.add_failure_mode(component_id, failure_mode="Not analysed yet")
    partly = model.add_failure_mode(component_id, failure_mode="Severity known", severity=8,
                                    detection=4, revised=(3, 2, 2))  # fmt: skip
    model.scope, model.fmea_number, model.team = "EU card payments", "FM-0042", "Ana\nBo"
    model.revision, model.key_date = "B", dt.date(2026, 9, 1)
    model.prepared_by, model.approved_by = "Ana", "Cy"
    path = tmp_path / "plant.fma"
    save_model(model, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT severity, likelihood, detection FROM failure_modes WHERE id IN (?, ?)"
            " ORDER BY id", (blank.id, partly.id),
        ).fetchall() == [(None, None, None), (8, None, 4)]  # fmt: skip
        assert conn.execute("SELECT fmea_number, key_date FROM model").fetchone() == (
            "FM-0042",
            "2026-09-01",
        )
    opened = open_model(path)
    assert opened.content() == model.content()
    assert opened.failure_modes[partly.id].rpn is None
    assert opened.failure_modes[partly.id].revised_rpn == 12
    assert read_info(path).failure_modes == len(model.failure_modes)


def test_round_trip_of_an_empty_model(tmp_path):
    path = tmp_path / "empty.fma"
    save_model(Model(), path)
    opened = open_model(path)
    assert opened.content() == Model().content()
    assert opened._next_id == 1


def test_megabyte_texts_survive(tmp_path):
    model = Model(name="n" * 1_000_000)
    model.add_component("c" * 1_000_000, description="\u200f" * 300_000 + "👩‍👩‍👧")
    path = tmp_path / "long.fma"
    save_model(model, path)
    assert open_model(path).content() == model.content()


def test_file_is_marked_with_application_id_and_schema_version(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    assert set(tables) == set(schema.TABLE_NAMES)
    assert all(sql.rstrip().endswith("STRICT") for sql in tables.values())
    assert APPLICATION_ID.to_bytes(4, "big") == path.read_bytes()[68:72]


def test_the_tables_enforce_the_rules_for_any_writer(tmp_path, model):
    """Another program writing a bad score into our file is stopped by SQLite itself."""
    path = tmp_path / "plant.fma"
    save_model(model, path)
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE failure_modes SET severity = 11")
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE failure_modes SET revised_severity = NULL")  # all three or none
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.Error):
        conn.execute("UPDATE components SET x = 'left'")


def test_any_extension_opens(tmp_path, model):
    path = tmp_path / "model.backup.sqlite3"
    save_model(model, path)
    assert open_model(path).content() == model.content()


def test_save_replaces_an_existing_model_and_leaves_no_other_file(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(full_model("Old"), path)
    save_model(model, path)
    assert open_model(path).name == model.name
    assert files_in(tmp_path) == ["plant.fma"]


def test_save_keeps_the_permission_bits_of_the_file_it_replaces(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    path.chmod(0o640)
    save_model(model, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_through_a_symlink_replaces_the_linked_file(tmp_path, model):
    real = tmp_path / "real" / "plant.fma"
    real.parent.mkdir()
    save_model(full_model("Old"), real)
    link = tmp_path / "link.fma"
    link.symlink_to(real)
    save_model(model, link)
    assert link.is_symlink()
    assert open_model(real).name == model.name


def test_paths_with_uri_characters_open(tmp_path, model):
    path = tmp_path / "a?b#c%20 d.fma"
    save_model(model, str(path))
    assert open_model(str(path)).content() == model.content()


def test_read_info_counts_without_loading(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    assert read_info(path) == ModelInfo(
        path=path, name="Checkout platform", schema_version=SCHEMA_VERSION,
        components=3, dependencies=2, failure_modes=2, actions=2,
    )  # fmt: skip


def test_open_does_not_write_the_file(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    open_model(path, read_only=False)
    open_model(path)
    read_info(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert files_in(tmp_path) == ["plant.fma"]


def test_saved_model_opens_in_another_process(tmp_path, model):
    from storage_helpers import run_python

    path = tmp_path / "plant.fma"
    save_model(model, path)
    code = (
        "import sys; from fma_app.storage import open_model; "
        "m = open_model(sys.argv[1]); print(len(m.failure_modes), m.name)"
    )
    result = run_python(code, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 Checkout platform"


def test_next_id_is_at_least_past_the_largest_id(tmp_path, model):
    path = tmp_path / "plant.fma"
    save_model(model, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE model SET next_id = 1")
    opened = open_model(Path(path))
    assert opened._next_id == max(e.id for e in opened.iter_entities()) + 1


def test_two_writers_saving_the_same_file_never_tear_it(tmp_path):
    import threading

    path = tmp_path / "plant.fma"
    models = [full_model("First"), full_model("Second")]
    errors: list[BaseException] = []

    def keep_saving(model: Model) -> None:
        try:
            for _ in range(10):
                save_model(model, path)
                assert open_model(path).name in ("First", "Second")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    writers = [threading.Thread(target=keep_saving, args=(model,)) for model in models]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    assert open_model(path).content() in [model.content() for model in models]
    assert files_in(tmp_path) == ["plant.fma"]
