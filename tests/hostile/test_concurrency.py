"""Two FMA Workbench processes on one model file.

- Saving the same file from two processes at once, over and over, while a third reads it: every
  open succeeds and gives one of the two complete models (no torn file, no stray temp file).
- The lock: while one process holds a model, another is told who holds it (user, host, pid);
  after the holder is killed, the lock is taken over.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from hostile_support import child_env, folder_listing

from benchmarks.generate import generate_model
from fma_app.storage import open_model, save_model
from fma_app.storage.locking import Lock, LockedBy, acquire_lock

SAVES = 25
SIZES = {"components": 40, "dependencies": 60, "failure_modes": 1200, "actions": 100}

SAVER = """
import sys
from benchmarks.generate import generate_model
from fma_app.storage import save_model
model = generate_model(**{sizes!r}, seed=int(sys.argv[2]))
print("READY", flush=True)
sys.stdin.readline()
for _ in range({saves}):
    save_model(model, sys.argv[1])
print("DONE", flush=True)
"""


def start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=child_env(),
    )  # fmt: skip


def test_two_processes_saving_one_file_never_tear_it(tmp_path):
    target = tmp_path / "shared.fma"
    models = {seed: generate_model(**SIZES, seed=seed) for seed in (1, 2)}
    contents = {seed: model.content() for seed, model in models.items()}
    save_model(models[1], target)
    code = SAVER.format(sizes=SIZES, saves=SAVES)
    savers = [start(code, str(target), str(seed)) for seed in (1, 2)]
    try:
        for saver in savers:
            assert saver.stdout.readline().strip() == "READY", saver.stderr.read()
        for saver in savers:  # both start together
            saver.stdin.write("go\n")
            saver.stdin.flush()
        seen = {1: 0, 2: 0}
        reads = 0
        while any(saver.poll() is None for saver in savers) or reads == 0:
            content = open_model(target).content()  # raises on a torn file
            matches = [seed for seed, expected in contents.items() if content == expected]
            assert matches, "the file is neither model"
            seen[matches[0]] += 1
            reads += 1
        for saver in savers:
            out, err = saver.communicate(timeout=120)
            assert saver.returncode == 0, err
            assert out.strip() == "DONE", err
    finally:
        for saver in savers:
            if saver.poll() is None:
                saver.kill()
                saver.communicate()
    print(f"{reads} reads during {2 * SAVES} saves: model 1 {seen[1]}x, model 2 {seen[2]}x")
    assert open_model(target).content() in contents.values()
    assert folder_listing(tmp_path) == ["shared.fma"]  # every temp file renamed or removed


HOLDER = """
import json, sys
from fma_app.storage.locking import acquire_lock
lock = acquire_lock(sys.argv[1])
print(json.dumps({"held": type(lock).__name__ == "Lock"}), flush=True)
sys.stdin.readline()
lock.release()
"""


def test_a_second_process_is_told_who_holds_the_lock(tmp_path):
    model_path = tmp_path / "plant.fma"
    save_model(generate_model(**SIZES), model_path)
    holder = start(HOLDER, str(model_path))
    try:
        assert json.loads(holder.stdout.readline()) == {"held": True}, holder.stderr.read()
        second = acquire_lock(model_path)
        assert isinstance(second, LockedBy)
        assert second.pid == holder.pid
        assert f"process {holder.pid}" in second.describe()
        holder.kill()  # dies holding the lock: no release
        holder.wait(timeout=30)
        deadline = time.monotonic() + 10
        taken = acquire_lock(model_path)
        while not isinstance(taken, Lock) and time.monotonic() < deadline:
            time.sleep(0.1)  # the kernel reaps the killed process
            taken = acquire_lock(model_path)
        assert isinstance(taken, Lock), taken
        taken.release()
        assert not Path(str(model_path) + ".lock").exists()
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate()


def test_the_second_desktop_is_warned_and_opens_read_only(tmp_path, qtbot):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow

    from fma_app.ui.context import AppContext
    from fma_app.ui.document import Document
    from fma_app.ui.files import FileController
    from fma_app.ui.interaction import LockedChoice, RecordingInteraction

    model_path = tmp_path / "plant.fma"
    save_model(generate_model(**SIZES), model_path)
    holder = start(HOLDER, str(model_path))  # the first instance
    window = QMainWindow()
    qtbot.addWidget(window)
    document = Document()
    dialogs = RecordingInteraction(locked=LockedChoice.READ_ONLY)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    context = AppContext(document, settings, dialogs, tmp_path / "data")
    controller = FileController(window, context)
    try:
        assert json.loads(holder.stdout.readline()) == {"held": True}
        assert controller.open_path(model_path)
        kind, text = dialogs.questions[-1]
        assert kind == "locked"
        assert text.startswith("plant.fma is open in another FMA Workbench (")
        assert f"process {holder.pid}" in text
        assert document.read_only
    finally:
        controller.shutdown()
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.communicate(timeout=30)
    assert not Path(str(model_path) + ".lock").exists()  # the holder released its own lock
