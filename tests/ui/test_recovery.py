"""Autosave and recovery: the recovery copy's life cycle, the restore offer, a killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from files_support import (
    Snapshot,
    click_in_modal_box,
    file_content,
    make_env,
    make_read_only,
    make_writable,
    rename_first_component,
    sample_model,
    subprocess_env,
    write_model,
)
from PySide6.QtCore import QSettings

from fma_app.domain.model import Model
from fma_app.storage import locking, recovery
from fma_app.ui.app import build_context
from fma_app.ui.interaction import (
    QtInteraction,
    RecordingInteraction,
    RestoreChoice,
    SaveChoice,
)
from fma_app.ui.main_window import MainWindow


@pytest.fixture
def env(qtbot, tmp_path):
    files_env = make_env(qtbot, tmp_path)
    yield files_env
    files_env.controller.shutdown()


@pytest.fixture
def model_path(tmp_path):
    return write_model(tmp_path / "plant.fma", sample_model("Plant"))


def _recovery_of(env, path):
    return recovery.recovery_path(path, env.data_dir)


def test_autosave_writes_a_recovery_copy_only_while_modified(env, model_path):
    assert env.controller.open_path(model_path)
    recovery_file = _recovery_of(env, model_path)
    assert not env.controller.autosave()
    assert not recovery_file.exists()

    rename_first_component(env.document, "autosaved name")
    assert env.controller.autosave()
    assert recovery_file.parent == model_path.parent
    assert file_content(recovery_file) == env.document.model.content()
    assert not env.controller.autosave()  # nothing new since the last copy

    env.document.undo_stack.undo()  # back to the saved state: the copy is stale
    env.controller.autosave()
    assert not recovery_file.exists()


def test_autosave_timer_fires_at_the_injected_interval(qtbot, tmp_path, model_path):
    env = make_env(qtbot, tmp_path, autosave_interval_ms=20)
    try:
        assert env.controller.open_path(model_path)
        assert env.controller.autosave_timer.interval() == 20
        rename_first_component(env.document, "timer")
        with qtbot.waitSignal(env.controller.autosaved, timeout=5000) as blocker:
            pass
        assert blocker.args == [str(_recovery_of(env, model_path))]
    finally:
        env.controller.shutdown()


def test_a_due_copy_waits_for_a_pause_in_the_editing(qtbot, tmp_path, model_path):
    """The timers' slots are called directly: the policy is under test, not the clock."""
    hour = 3_600_000
    env = make_env(qtbot, tmp_path, autosave_interval_ms=hour, autosave_idle_ms=hour)
    controller, recovery_file = env.controller, _recovery_of(env, model_path)
    try:
        assert controller.open_path(model_path)
        rename_first_component(env.document, "typing")
        assert controller.idle_timer.isActive()
        controller._autosave_tick()  # the minute is up while the user is typing
        assert not recovery_file.exists()
        controller._idle_reached()  # the first pause
        assert file_content(recovery_file) == env.document.model.content()

        rename_first_component(env.document, "typing without a pause")
        controller._autosave_tick()
        controller._autosave_tick()  # no pause for a whole interval: write anyway
        assert file_content(recovery_file) == env.document.model.content()
    finally:
        controller.shutdown()


def test_default_autosave_interval_is_one_minute(env):
    assert env.controller.autosave_timer.interval() == 60_000
    assert env.controller.autosave_timer.isActive()
    assert env.controller.idle_timer.interval() == 2_000


def test_clean_save_removes_the_recovery_copy(env, model_path):
    assert env.controller.open_path(model_path)
    rename_first_component(env.document, "saved")
    assert env.controller.autosave()
    assert env.controller.save()
    assert not _recovery_of(env, model_path).exists()


def test_close_and_discard_remove_the_recovery_copy(env, model_path):
    assert env.controller.open_path(model_path)
    rename_first_component(env.document, "thrown away")
    assert env.controller.autosave()
    env.interaction.save = SaveChoice.DISCARD
    assert env.controller.close_model()
    assert not _recovery_of(env, model_path).exists()
    assert env.controller.open_path(model_path)
    assert env.interaction.questions == [("save", "Save the changes to plant.fma?")]  # no restore


def test_shutdown_keeps_the_copy_of_unsaved_changes_and_drops_a_clean_one(env, model_path):
    assert env.controller.open_path(model_path)
    rename_first_component(env.document, "kept")
    assert env.controller.autosave()
    env.controller.shutdown()
    assert _recovery_of(env, model_path).exists()
    assert not env.controller.autosave_timer.isActive()


def test_untitled_model_autosaves_into_the_data_folder(env):
    env.document.replace(sample_model("Draft"), None)
    rename_first_component(env.document, "draft")
    assert env.controller.autosave()
    recovery_file = recovery.recovery_path(None, env.data_dir)
    assert recovery_file.parent == env.data_dir
    assert file_content(recovery_file) == env.document.model.content()


@pytest.mark.parametrize("choice", [RestoreChoice.RESTORE, RestoreChoice.DISCARD])
def test_open_offers_a_newer_recovery_copy(qtbot, tmp_path, model_path, choice):
    first = make_env(qtbot, tmp_path)
    assert first.controller.open_path(model_path)
    rename_first_component(first.document, "recovered name")
    edited = Snapshot.of(first.document).content
    assert first.controller.autosave()
    first.controller.lock.release()  # as if the process had died
    first.controller.lock = None

    second = make_env(qtbot, tmp_path)
    second.interaction.restore = choice
    assert second.controller.open_path(model_path)
    assert [q[0] for q in second.interaction.questions] == ["restore"]
    assert second.interaction.questions[0][1] == (
        "plant.fma has unsaved changes from a session that did not end normally.\nRestore them?"
    )
    if choice is RestoreChoice.RESTORE:
        assert second.document.model.content() == edited
        assert second.document.modified
        assert second.document.path == model_path
        assert _recovery_of(second, model_path).exists()  # until the changes are saved
    else:
        assert second.document.model.content() == file_content(model_path)
        assert not second.document.modified
        assert not _recovery_of(second, model_path).exists()
    second.controller.shutdown()


def test_a_recovery_copy_older_than_the_model_is_not_offered(env, model_path):
    stale = _recovery_of(env, model_path)
    recovery.write_recovery(sample_model("Old"), stale)
    old = model_path.stat().st_mtime - 100
    os.utime(stale, (old, old))
    assert env.controller.open_path(model_path)
    assert env.interaction.questions == []
    assert env.document.model.name == "Plant"


def test_unreadable_recovery_copy_is_reported_and_the_model_opens(env, model_path):
    damaged = _recovery_of(env, model_path)
    damaged.write_text("half a file")
    assert env.controller.open_path(model_path)
    expected = (
        f"The unsaved changes cannot be restored: cannot open '{damaged}': "
        "not an FMA Workbench model (not a SQLite database)"
    )
    assert env.interaction.messages == [("critical", "Cannot restore changes", expected)]
    assert env.document.model.content() == file_content(model_path)


# ---- a killed process ----------------------------------------------------------------------------
CRASHING_APP = """
import sys
from PySide6.QtCore import QSettings
from pathlib import Path
from fma_app.ui.app import build_context, make_application
from fma_app.ui.interaction import RecordingInteraction
from fma_app.ui.app import build_context
from fma_app.ui.main_window import MainWindow
from files_support import rename_first_component, sample_model

model_path, settings_path, data_dir = sys.argv[1:4]
app = make_application()
context = build_context(
    settings=QSettings(settings_path, QSettings.Format.IniFormat),
    interaction=RecordingInteraction(),
    data_dir=Path(data_dir),
)
window = MainWindow(context)
files = window.files
files.autosave_timer.setInterval(50)
if model_path == "-":
    window.document.replace(sample_model("Never saved"), None)
else:
    assert files.start(model_path)
window.show()
rename_first_component(window.document, "typed before the crash")
window.document.model.description = "seen only in the recovery copy"
files.autosaved.connect(lambda path: print("AUTOSAVED", path, flush=True))
app.exec()
"""


def _run_and_kill(tmp_path, model_arg: str) -> str:
    """Start the app in another process, wait for its autosave, SIGKILL it; the copy's path."""
    script = tmp_path / "crashing_app.py"
    script.write_text(CRASHING_APP)
    args = [model_arg, str(tmp_path / "crashed-settings.ini"), str(tmp_path / "data")]
    process = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(tmp_path),
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        assert line.startswith("AUTOSAVED "), line + process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return line.split(" ", 1)[1].strip()


def _main_window(qtbot, tmp_path) -> MainWindow:
    context = build_context(
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
        interaction=RecordingInteraction(),
        data_dir=tmp_path / "data",
    )
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window


def _expected_after_crash(model: Model) -> dict:
    first = next(iter(model.components.values()))
    first.name = "typed before the crash"
    model.description = "seen only in the recovery copy"
    return model.content()


def test_killed_process_leaves_a_copy_that_the_next_start_restores(qtbot, tmp_path, model_path):
    on_disk = file_content(model_path)
    copy_path = Path(_run_and_kill(tmp_path, str(model_path)))
    assert copy_path == recovery.recovery_path(model_path, tmp_path / "data")
    assert file_content(model_path) == on_disk  # the model itself was never written
    assert locking.lock_path(model_path).exists()  # the dead process's lock is left behind

    window = _main_window(qtbot, tmp_path)
    files = window.files
    assert files.start(model_path)
    # The dead process's lock is taken over silently: the only question is the restore.
    assert [q[0] for q in files.interaction.questions] == ["restore"]
    assert not window.document.read_only
    assert window.document.model.content() == _expected_after_crash(sample_model("Plant"))
    assert window.isWindowModified()
    assert window.windowTitle() == "plant.fma[*] \u2014 Plant"
    assert files.save()
    assert file_content(model_path) == window.document.model.content()
    assert not copy_path.exists()
    assert not window.isWindowModified()
    assert window.close()
    assert not locking.lock_path(model_path).exists()


def test_killed_process_with_an_untitled_model_is_offered_at_start(qtbot, tmp_path):
    copy_path = Path(_run_and_kill(tmp_path, "-"))
    assert copy_path == recovery.recovery_path(None, tmp_path / "data")

    window = _main_window(qtbot, tmp_path)
    files = window.files
    assert files.start(None)
    assert files.interaction.questions == [
        (
            "restore",
            "An unsaved model from a session that did not end normally was found.\nRestore it?",
        )
    ]
    assert window.document.path is None
    assert window.isWindowModified()
    assert window.document.model.content() == _expected_after_crash(sample_model("Never saved"))
    files.interaction.save = SaveChoice.DISCARD
    assert window.close()
    assert not copy_path.exists()  # discarded on purpose: not offered again


def test_a_crashed_untitled_copy_survives_a_start_on_a_model(qtbot, tmp_path, model_path):
    """Opening a model must not delete another session's untitled copy: it is offered later."""
    orphan = recovery.recovery_path(None, tmp_path / "data")
    orphan.parent.mkdir(parents=True)
    recovery.write_recovery(sample_model("Orphan"), orphan)
    first = make_env(qtbot, tmp_path)
    assert first.controller.start(model_path)
    assert first.controller.new_model()
    assert first.controller.close_model()
    first.controller.shutdown()
    assert orphan.exists()

    second = make_env(qtbot, tmp_path)
    assert second.controller.start(None)
    assert second.document.model.name == "Orphan"
    second.controller.shutdown()


def test_start_without_a_recovery_copy_asks_nothing(env):
    assert not env.controller.start(None)
    assert env.interaction.questions == []
    assert not env.document.modified


def test_autosave_failure_shows_in_the_status_bar_and_keeps_the_changes(env):
    env.data_dir.mkdir()
    env.document.replace(sample_model("Draft"), None)
    rename_first_component(env.document, "draft")
    before = Snapshot.of(env.document)
    make_read_only(env.data_dir)
    try:
        assert not env.controller.autosave()
    finally:
        make_writable(env.data_dir)
    target = recovery.recovery_path(None, env.data_dir)
    problem = "operation not permitted" if os.geteuid() == 0 else "permission denied"
    assert env.window.statusBar().currentMessage() == (
        f"Autosave failed: cannot save '{target}': {problem}"
    )
    assert env.interaction.messages == []  # no dialog every minute
    assert Snapshot.of(env.document) == before
    assert env.controller.autosave()  # the next tick tries again
    assert env.window.statusBar().currentMessage() == ""


@pytest.mark.parametrize(
    ("button", "choice"), [("Restore", RestoreChoice.RESTORE), ("Discard", RestoreChoice.DISCARD)]
)
def test_real_restore_box_maps_its_buttons(qtbot, button, choice):
    click_in_modal_box(button)
    assert QtInteraction().ask_restore("Restore them?") is choice
