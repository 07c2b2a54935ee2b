"""Crash, full disk and read-only target during a save: the file on disk is always the complete
old model or the complete new one, a failed save says why, and the model in memory keeps its
unsaved changes.

The SIGKILL test forks the saving process from a server that generated the large model once
(~20k failure modes, `benchmarks.generate.generate_model`), so each of its ~20 kills costs one
save, not one model generation. The full disk is a real tiny tmpfs when the tests run as root
(`mount -t tmpfs` works); otherwise those tests are skipped and the monkeypatched ENOSPC tests
under tests/storage remain.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_support import assert_one_line_naming, child_env, folder_listing, sample_model

from benchmarks.generate import generate_model
from fma_app.domain import commands
from fma_app.storage import ModelFileError, open_model, save_model
from fma_app.storage.model_file import STALE_TEMP_SECONDS, is_save_temp

KILLS = 20

SERVER = """
import os, sys, time
from benchmarks.generate import generate_model
from fma_app.storage import save_model
model = generate_model()
print("READY", flush=True)
for line in sys.stdin:
    command, argument = line.rstrip("\\n").split(" ", 1)
    if command == "time":
        start = time.perf_counter()
        save_model(model, argument)
        print(time.perf_counter() - start, flush=True)
    elif command == "save":
        pid = os.fork()
        if pid == 0:
            try:
                save_model(model, argument)
            finally:
                os._exit(0)
        print(pid, flush=True)
    elif command == "reap":
        os.waitpid(int(argument), 0)
        print("reaped", flush=True)
"""


class SaveServer:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=child_env(),
        )  # fmt: skip
        assert self.ask("") == "READY", self.process.stderr.read()

    def ask(self, line: str) -> str:
        if line:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture(scope="module")
def server() -> Iterator[SaveServer]:
    started = SaveServer()
    yield started
    started.close()


@pytest.mark.slow
def test_sigkill_at_many_moments_of_a_large_save(tmp_path, server):
    timing = tmp_path / "timing" / "complete.fma"
    timing.parent.mkdir()
    server.ask(f"time {timing}")
    new = open_model(timing).content()  # what a complete save of the new model gives
    # A forked saver is slower than the server's own save (copy-on-write of the model's pages):
    # time two unkilled forked saves, as seen from here.
    duration = 0.0
    for _ in range(2):
        start = time.perf_counter()
        pid = int(server.ask(f"save {timing}"))
        assert server.ask(f"reap {pid}") == "reaped"
        duration = max(duration, time.perf_counter() - start)
    assert len(new["failure_modes"]) == 20_000
    old = sample_model("Old").content()
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "plant.fma"
    delays = [duration * 1.3 * i / (KILLS - 1) for i in range(KILLS)]
    outcomes = []
    for delay in delays:
        save_model(sample_model("Old"), target)
        pid = int(server.ask(f"save {target}"))
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)  # a no-op when the save already finished
        assert server.ask(f"reap {pid}") == "reaped"
        opened = open_model(target).content()
        assert opened in (old, new), f"torn file after {delay:.3f} s of {duration:.3f} s"
        outcomes.append("new" if opened == new else "old")
        leftovers = [name for name in folder_listing(folder) if name != "plant.fma"]
        assert all(is_save_temp(name) and not name.endswith(".fma") for name in leftovers)
    print(f"save takes {duration:.2f} s; outcome by moment: {' '.join(outcomes)}")
    assert outcomes[0] == "old"  # killed at once: the rename had not happened
    # An unkilled save of the same model gives the new model: the comparison can tell them apart.
    pid = int(server.ask(f"save {target}"))
    assert server.ask(f"reap {pid}") == "reaped"
    assert open_model(target).content() == new
    # Temp files of killed saves are never taken for the model and go once stale.
    for leftover in folder.iterdir():
        if leftover.name != "plant.fma":
            stale = time.time() - STALE_TEMP_SECONDS - 60
            os.utime(leftover, (stale, stale))
    save_model(sample_model("Old"), target)
    assert folder_listing(folder) == ["plant.fma"]
    assert open_model(target).content() == old


# ---- a real full disk and a real read-only file system ---------------------------------------
def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path) -> Iterator[Path]:
    """A 256 KiB tmpfs: room for a small model, not for a large one."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "256k"):
        pytest.skip("needs root and tmpfs to make a real full disk (monkeypatched in storage)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _big_model():
    return generate_model(components=100, dependencies=150, failure_modes=2000, actions=200)


def test_full_disk_fails_with_a_message_and_keeps_the_old_file(tiny_disk):
    target = tiny_disk / "plant.fma"
    save_model(sample_model("Old"), target)
    before = target.read_bytes()
    model = _big_model()
    content = copy.deepcopy(model.content())
    with pytest.raises(ModelFileError) as failed:
        save_model(model, target)
    assert failed.value.reason == "no-space"
    assert_one_line_naming(str(failed.value), target)
    assert str(failed.value).endswith("no space left on device")
    assert target.read_bytes() == before
    assert folder_listing(tiny_disk) == ["plant.fma"]  # the partial temp file was removed
    assert model.content() == content
    assert open_model(target).content() == sample_model("Old").content()


def test_read_only_file_system_fails_with_a_message_and_keeps_the_old_file(tiny_disk):
    target = tiny_disk / "plant.fma"
    save_model(sample_model("Old"), target)
    before = target.read_bytes()
    remount = ["mount", "-o", "remount,ro", str(tiny_disk)]
    if subprocess.run(remount, capture_output=True).returncode != 0:
        pytest.skip("cannot remount read-only here")
    model = sample_model("New")
    with pytest.raises(ModelFileError) as failed:
        save_model(model, target)
    assert failed.value.reason in ("read-only", "permission")
    assert_one_line_naming(str(failed.value), target)
    assert "read-only" in str(failed.value)
    assert target.read_bytes() == before
    assert model.content() == sample_model("New").content()


def test_the_desktop_reports_a_full_disk_and_keeps_the_unsaved_changes(tiny_disk, qtbot):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow

    from fma_app.ui.context import AppContext
    from fma_app.ui.document import Document
    from fma_app.ui.files import FileController
    from fma_app.ui.interaction import RecordingInteraction

    target = tiny_disk / "plant.fma"
    save_model(sample_model("Old"), target)
    before = target.read_bytes()
    window = QMainWindow()
    qtbot.addWidget(window)
    document = Document()
    dialogs = RecordingInteraction()
    settings = QSettings(str(tiny_disk.parent / "settings.ini"), QSettings.Format.IniFormat)
    context = AppContext(document, settings, dialogs, tiny_disk.parent / "data")
    controller = FileController(window, context)
    try:
        assert controller.open_path(target)
        # An edit that makes the model too big for the disk: a 1 MB description.
        component_id = next(iter(document.model.components))
        edit = commands.set_fields(document.model, "component", component_id,
                                   description="d" * 1_000_000)  # fmt: skip
        assert document.push(edit) is None
        edited = copy.deepcopy(document.model.content())
        assert not controller.save()
        kind, title, text = dialogs.messages[-1]
        assert (kind, title) == ("critical", "Cannot save model")
        assert_one_line_naming(text, target)
        assert text.endswith("no space left on device")
        assert document.modified
        assert document.model.content() == edited
        assert target.read_bytes() == before
    finally:
        controller.shutdown()
