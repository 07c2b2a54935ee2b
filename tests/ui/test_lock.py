"""The lock against a second instance, with a real second process holding (or having held) it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from files_support import (
    Snapshot,
    file_content,
    make_env,
    rename_first_component,
    sample_model,
    subprocess_env,
    write_model,
)

from fma_app.storage import locking
from fma_app.ui.interaction import LockedChoice
from fma_app.ui.main_window import window_title

HOLDER = """
import sys
from fma_app.storage.locking import acquire_lock
lock = acquire_lock(sys.argv[1])
print("LOCKED" if hasattr(lock, "release") else "REFUSED", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin (or kills us)
lock.release()
"""


def _since(record: dict) -> str:
    """The lock's time as the prompt shows it: local time, never the file's UTC text."""
    shown = locking.local_time_text(record["time"])
    assert shown != record["time"]
    assert shown.endswith(" today")
    return shown


@contextmanager
def lock_holder(tmp_path: Path, model: Path) -> Iterator[subprocess.Popen]:
    """Another process that holds the model's lock while the block runs."""
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(model)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(tmp_path),
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert line == "LOCKED\n", line + process.stderr.read()
        yield process
    finally:
        process.stdin.close()  # the holder releases its lock and exits
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            stream.close()


@pytest.fixture
def env(qtbot, tmp_path):
    files_env = make_env(qtbot, tmp_path)
    yield files_env
    files_env.controller.shutdown()


@pytest.fixture
def model_path(tmp_path):
    return write_model(tmp_path / "shared.fma", sample_model("Shared"))


def _lock_file(model: Path) -> Path:
    return locking.lock_path(model)


def _lock_record(model: Path) -> dict:
    return json.loads(_lock_file(model).read_text())


def test_opening_takes_the_lock_and_closing_releases_it(env, model_path):
    assert env.controller.open_path(model_path)
    record = _lock_record(model_path)
    assert record["pid"] == os.getpid()
    assert record["host"] == socket.gethostname()
    assert {"user", "time"} <= set(record)
    assert env.controller.close_model()
    assert not _lock_file(model_path).exists()


def test_shutdown_releases_the_lock(env, model_path):
    assert env.controller.open_path(model_path)
    env.controller.shutdown()
    assert not _lock_file(model_path).exists()


def test_model_held_by_a_live_process_cancel_keeps_the_current_model(env, tmp_path, model_path):
    current = write_model(tmp_path / "mine.fma", sample_model("Mine"))
    assert env.controller.open_path(current)
    rename_first_component(env.document, "my edit")
    before = Snapshot.of(env.document)
    env.interaction.locked = LockedChoice.CANCEL
    with lock_holder(tmp_path, model_path) as holder:
        holder_record = _lock_record(model_path)
        assert not env.controller.open_path(model_path)
        assert _lock_record(model_path) == holder_record
    assert env.interaction.questions == [
        (
            "locked",
            f"shared.fma is open in another FMA Workbench ({holder_record['user']} on "
            f"{holder_record['host']}, process {holder.pid}, since {_since(holder_record)}).\n"
            "Open it read-only?",
        )
    ]
    assert Snapshot.of(env.document) == before


def test_model_held_by_a_live_process_opens_read_only(env, tmp_path, model_path):
    env.interaction.locked = LockedChoice.READ_ONLY
    with lock_holder(tmp_path, model_path) as holder:
        assert env.controller.open_path(model_path)
        assert env.document.read_only
        assert env.document.model.name == "Shared"
        assert window_title(env.document) == "shared.fma[*] \u2014 Shared (read-only)"
        assert _lock_record(model_path)["pid"] == holder.pid  # still theirs

        env.interaction.save_path = str(tmp_path / "my-copy.fma")
        assert env.controller.save()  # goes to Save As, never over their file
        assert [q[0] for q in env.interaction.questions] == ["locked", "save_as"]
        assert file_content(model_path) == sample_model("Shared").content()
        assert _lock_record(model_path)["pid"] == holder.pid
    assert env.document.path == tmp_path / "my-copy.fma"
    assert not env.document.read_only
    assert _lock_record(tmp_path / "my-copy.fma")["pid"] == os.getpid()


def test_read_only_copy_of_a_locked_model_refuses_edits_and_writes_no_copy(
    env, tmp_path, model_path
):
    """Issue 11: a model opened read-only refuses every edit, so there is nothing to autosave
    beside the holder's model (nor anywhere else)."""
    env.interaction.locked = LockedChoice.READ_ONLY
    with lock_holder(tmp_path, model_path):
        assert env.controller.open_path(model_path)
        assert rename_first_component(env.document, "mine") == "The model is open read-only"
        assert not env.document.modified
        assert not env.controller.autosave()
    from fma_app.storage import recovery

    assert not recovery.recovery_path(model_path, env.data_dir).exists()
    assert not recovery.recovery_path(None, env.data_dir).exists()


def test_save_as_onto_a_model_held_by_another_process_is_refused(env, tmp_path, model_path):
    env.document.replace(sample_model("Draft"), None)
    rename_first_component(env.document, "draft")
    before = Snapshot.of(env.document)
    with lock_holder(tmp_path, model_path) as holder:
        record = _lock_record(model_path)
        assert not env.controller.save_as(model_path)
    assert env.interaction.messages == [
        (
            "critical",
            "Cannot save model",
            f"shared.fma is open in another FMA Workbench ({record['user']} on "
            f"{record['host']}, process {holder.pid}, since {_since(record)}).",
        )
    ]
    assert Snapshot.of(env.document) == before
    assert file_content(model_path) == sample_model("Shared").content()


def test_stale_lock_of_a_killed_process_is_taken_over_silently(env, tmp_path, model_path):
    with lock_holder(tmp_path, model_path) as holder:
        dead_pid = holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert _lock_record(model_path)["pid"] == dead_pid  # left behind by the killed process

    assert env.controller.open_path(model_path)
    assert env.interaction.questions == []
    assert env.interaction.messages == []
    assert not env.document.read_only
    assert _lock_record(model_path)["pid"] == os.getpid()
