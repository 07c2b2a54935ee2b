"""Recovery copies: where they go, when they are offered, and that they are real models."""

from __future__ import annotations

import os

from storage_helpers import full_model

from fma_app.storage import open_model, save_model
from fma_app.storage.recovery import (
    default_data_dir,
    find_recovery,
    recovery_path,
    remove_recovery,
    write_recovery,
)


def test_recovery_paths(tmp_path):
    data = tmp_path / "data"
    assert recovery_path(tmp_path / "plant.fma", data) == tmp_path / ".plant.fma.recovery.fma"
    assert recovery_path(None, data) == data / "unsaved.recovery.fma"


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "fma-workbench"


def test_a_recovery_copy_is_a_model_file_and_is_offered_until_removed(tmp_path):
    model_path, data = tmp_path / "plant.fma", tmp_path / "data"
    save_model(full_model("Saved"), model_path)
    assert find_recovery(model_path, data) is None
    edited = full_model("Edited")
    write_recovery(edited, recovery_path(model_path, data))
    found = find_recovery(model_path, data)
    assert found == tmp_path / ".plant.fma.recovery.fma"
    assert open_model(found).content() == edited.content()
    remove_recovery(model_path, data)
    assert find_recovery(model_path, data) is None
    remove_recovery(model_path, data)  # nothing to remove is fine


def test_a_copy_older_than_the_model_is_not_offered(tmp_path):
    model_path, data = tmp_path / "plant.fma", tmp_path / "data"
    save_model(full_model("Saved"), model_path)
    copy = recovery_path(model_path, data)
    write_recovery(full_model("Older"), copy)
    old = model_path.stat().st_mtime - 60
    os.utime(copy, (old, old))
    assert find_recovery(model_path, data) is None


def test_unsaved_model_copy_lives_in_the_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_recovery(full_model("Untitled"), recovery_path(None, data))
    assert find_recovery(None, data) == data / "unsaved.recovery.fma"
    assert open_model(find_recovery(None, data)).name == "Untitled"


def test_copy_of_a_model_that_is_gone_is_still_offered(tmp_path):
    model_path, data = tmp_path / "gone.fma", tmp_path / "data"
    write_recovery(full_model("Only copy"), recovery_path(model_path, data))
    assert find_recovery(model_path, data) == recovery_path(model_path, data)
