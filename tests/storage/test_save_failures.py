"""A save that fails leaves the previous file exactly as it was, no temp file, and one line."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from pathlib import Path

import pytest
from storage_helpers import files_in, full_model, run_python, snapshot

from fma_app.storage import ModelFileError, model_file, open_model, save_model


@pytest.fixture
def old(tmp_path) -> Path:
    path = tmp_path / "plant.fma"
    save_model(full_model("Old"), path)
    return path


def failed_save(model, path: Path, reason: str) -> str:
    before = snapshot(path)
    with pytest.raises(ModelFileError) as caught:
        save_model(model, path)
    assert caught.value.reason == reason, str(caught.value)
    assert snapshot(path) == before
    assert files_in(path.parent) == [path.name]
    assert open_model(path).name == "Old"
    return str(caught.value)


def test_disk_full_at_fsync(old, model, monkeypatch):
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(model_file.os, "fsync", no_space)
    message = failed_save(model, old, "no-space")
    assert message == f"cannot save '{old}': no space left on device"


def test_disk_full_inside_sqlite(old, model, monkeypatch):
    real_write = model_file.write_tables

    def write_then_fill(conn: sqlite3.Connection, model) -> None:
        real_write(conn, model)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(model_file, "write_tables", write_then_fill)
    message = failed_save(model, old, "no-space")
    assert message == f"cannot save '{old}': no space left on device"


def test_failure_at_rename(old, model, monkeypatch):
    def refuse(_source, _target) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(model_file.os, "replace", refuse)
    assert failed_save(model, old, "io") == f"cannot save '{old}': input/output error"


def test_interrupt_mid_save_removes_the_temp_file(old, model, monkeypatch):
    def interrupted(conn, model) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(model_file, "write_tables", interrupted)
    before = snapshot(old)
    with pytest.raises(KeyboardInterrupt):
        save_model(model, old)
    assert snapshot(old) == before
    assert files_in(old.parent) == ["plant.fma"]


def test_a_model_that_would_not_open_again_is_not_saved(old, model):
    next(iter(model.failure_modes.values())).component_id = 999
    message = failed_save(model, old, "invalid")
    assert (
        message == f"cannot save '{old}': failure_modes row 7: component_id 999 names no component"
    )


def test_an_out_of_range_score_is_stopped_by_the_table(old, model):
    next(iter(model.failure_modes.values())).severity = 11
    message = failed_save(model, old, "invalid")
    assert message == (
        f"cannot save '{old}': a value breaks the model file's rules "
        "(CHECK constraint failed: severity IS NULL OR severity BETWEEN 1 AND 10)"
    )


def test_target_that_is_a_folder(tmp_path, model):
    folder = tmp_path / "plant.fma"
    folder.mkdir()
    with pytest.raises(ModelFileError) as caught:
        save_model(model, folder)
    assert str(caught.value) == f"cannot save '{folder}': is a directory"
    assert files_in(tmp_path) == ["plant.fma"]
    assert folder.is_dir()


def test_missing_folder(tmp_path, model):
    target = tmp_path / "no" / "plant.fma"
    with pytest.raises(ModelFileError) as caught:
        save_model(model, target)
    assert str(caught.value) == f"cannot save '{target}': no such file or folder"
    assert caught.value.reason == "missing"


SAVE_AS_OTHER_USER = """
import sys
from fma_app.domain.model import Model
from fma_app.storage import ModelFileError, save_model
try:
    save_model(Model(name="New"), sys.argv[1])
    print("SAVED")
except ModelFileError as error:
    print(error.reason, error, sep="|")
"""


def test_read_only_folder(old):
    old.parent.chmod(0o555)
    try:
        before = snapshot(old)
        result = run_python(SAVE_AS_OTHER_USER, str(old), unprivileged=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"permission|cannot save '{old}': permission denied"
        assert snapshot(old) == before
        assert files_in(old.parent) == ["plant.fma"]
    finally:
        old.parent.chmod(0o755)


def test_read_only_file(old):
    old.chmod(0o444)
    before = snapshot(old)
    result = run_python(SAVE_AS_OTHER_USER, str(old), unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"read-only|cannot save '{old}': the file is read-only"
    assert snapshot(old) == before
    assert files_in(old.parent) == ["plant.fma"]


FILL_THE_DISK = """
import resource, signal, sys
from benchmarks.generate import generate_model
from fma_app.storage import ModelFileError, save_model
model = generate_model(200, 300, 3000, 500)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
try:
    save_model(model, sys.argv[1])
    print("SAVED")
except ModelFileError as error:
    print(error.reason, error, sep="|")
"""


def test_real_write_failure_inside_sqlite(old):
    """A file size limit makes SQLite's own writes fail part-way, as a full disk does."""
    before = snapshot(old)
    result = run_python(FILL_THE_DISK, str(old))
    assert result.returncode == 0, result.stderr
    reason, message = result.stdout.strip().split("|")
    assert reason in ("no-space", "io")
    assert message.startswith(f"cannot save '{old}': ")
    assert snapshot(old) == before
    assert files_in(old.parent) == ["plant.fma"]


def test_temp_files_of_killed_saves_are_removed_once_stale(old, model):
    stale = old.with_name(".plant.fma.save-99999-deadbeef.tmp")
    fresh = old.with_name(".plant.fma.save-99998-cafebabe.tmp")
    other = old.with_name(".other.fma.save-99997-feedface.tmp")
    for path in (stale, fresh, other):
        path.write_bytes(b"half a model")
    long_ago = time.time() - model_file.STALE_TEMP_SECONDS - 60
    for path in (stale, other):
        os.utime(path, (long_ago, long_ago))
    assert all(model_file.is_save_temp(path) for path in (stale, fresh, other))
    assert not model_file.is_save_temp(old)
    save_model(model, old)
    assert files_in(old.parent) == sorted([fresh.name, other.name, "plant.fma"])
