"""File menu through `FileController`: round trips, refused files, unsaved-changes prompts,
read-only files, save failures, recent files and drop-to-open. Real model files in tmp_path."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
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
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from fma_app.domain.model import Model
from fma_app.storage import SCHEMA_VERSION
from fma_app.ui.files import MAX_RECENT
from fma_app.ui.interaction import MODEL_FILE_FILTER, LockedChoice, QtInteraction, SaveChoice
from fma_app.ui.main_window import window_title


@pytest.fixture
def env(qtbot, tmp_path):
    files_env = make_env(qtbot, tmp_path)
    yield files_env
    files_env.controller.shutdown()


@pytest.fixture
def edited(env, tmp_path):
    """An open model with one unsaved edit."""
    path = write_model(tmp_path / "current.fma", sample_model("Current"))
    assert env.controller.open_path(path)
    rename_first_component(env.document, "edited checkout")
    return path


# ---- menu ------------------------------------------------------------------------------------
def test_install_fills_the_file_menu_with_standard_shortcuts(env):
    shortcuts = {
        key: action.shortcut().toString() for key, action in env.controller.actions.items()
    }
    assert shortcuts == {
        "new": "Ctrl+N", "open": "Ctrl+O", "save": "Ctrl+S", "save_as": "Ctrl+Shift+S",
        "close": "Ctrl+W", "quit": "Ctrl+Q",
    }  # fmt: skip
    assert env.controller.recent_menu is not None
    assert env.window.acceptDrops()


def test_quit_action_closes_the_window(env, qtbot):
    env.window.show()
    qtbot.waitExposed(env.window)
    env.controller.actions["quit"].trigger()
    assert not env.window.isVisible()


# ---- save / open round trip --------------------------------------------------------------------
def test_save_as_then_open_round_trips_the_model(env, tmp_path):
    env.document.replace(sample_model(), None)
    rename_first_component(env.document, "storefront")
    expected = Snapshot.of(env.document).content
    env.interaction.save_path = str(tmp_path / "round")  # the suffix is added

    assert env.controller.save()
    path = tmp_path / "round.fma"
    assert env.document.path == path
    assert not env.document.modified
    assert env.interaction.questions[0][0] == "save_as"

    assert env.controller.new_model()
    assert env.document.model.content() == Model().content()
    assert env.document.path is None
    assert env.controller.open_path(path)
    assert env.document.model.content() == expected
    assert env.document.path == path
    assert not env.document.read_only
    assert not env.document.modified
    assert env.document.undo_stack.count() == 0
    assert env.interaction.messages == []


def test_save_writes_to_the_open_file_and_marks_the_document_clean(env, edited):
    assert env.document.modified
    assert env.controller.save()
    assert not env.document.modified
    assert file_content(edited) == env.document.model.content()
    assert env.document.undo_stack.count() == 1  # saving keeps the undo history


def test_open_dialog_cancelled_changes_nothing(env, edited):
    before = Snapshot.of(env.document)
    env.interaction.open_path = None
    assert not env.controller.open_dialog()
    assert Snapshot.of(env.document) == before


def test_open_dialog_opens_the_chosen_file(env, tmp_path):
    other = write_model(tmp_path / "other.fma", sample_model("Other"))
    env.interaction.open_path = str(other)
    assert env.controller.open_dialog()
    assert env.document.model.name == "Other"


def test_opening_the_open_file_again_keeps_the_edits(env, edited):
    before = Snapshot.of(env.document)
    assert env.controller.open_path(edited)
    assert Snapshot.of(env.document) == before
    assert env.interaction.questions == []


def test_save_as_cancelled_keeps_the_document_modified(env, edited):
    before = Snapshot.of(env.document)
    env.interaction.save_path = None
    assert not env.controller.save_as()
    assert Snapshot.of(env.document) == before


# ---- refused files -----------------------------------------------------------------------------
def _not_a_model(path: Path) -> None:
    path.write_text("component,severity\ncheckout,8\n")


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()


def _corrupt(path: Path) -> None:
    write_model(path)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xde\xad\xbe\xef" * ((len(data) - 100) // 4)
    path.write_bytes(bytes(data))


def _newer_version(path: Path) -> None:
    write_model(path)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 999")
    connection.commit()
    connection.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


REFUSED = {
    "not a model": (
        _not_a_model,
        "Cannot open '{path}': not an FMA Workbench model (not a SQLite database)",
    ),
    "foreign sqlite": (
        _foreign_sqlite,
        "Cannot open '{path}': not an FMA Workbench model (another program's SQLite database)",
    ),
    "corrupt": (
        _corrupt,
        "Cannot open '{path}': the file is damaged (database disk image is malformed)",
    ),
    "newer version": (
        _newer_version,
        "Cannot open '{path}': made by a newer FMA Workbench (schema 999; this version reads "
        f"up to {SCHEMA_VERSION})",
    ),
    "empty file": (_empty, "Cannot open '{path}': the file is empty"),
    "missing": (lambda path: None, "Cannot open '{path}': no such file or folder"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_file_shows_one_clear_message_and_keeps_the_current_model(env, edited, case):
    make, expected = REFUSED[case]
    bad = edited.parent / "bad.fma"
    make(bad)
    before = Snapshot.of(env.document)

    assert not env.controller.open_path(bad)

    assert env.interaction.messages == [
        ("critical", "Cannot open model", expected.format(path=bad))
    ]
    assert env.interaction.questions == []  # refused before asking about unsaved changes
    assert Snapshot.of(env.document) == before
    assert str(bad) not in env.controller.recent_files()


PERMISSION_SCRIPT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMainWindow
from files_support import Snapshot, rename_first_component, sample_model
from fma_app.ui.interaction import RecordingInteraction
from fma_app.ui.context import AppContext
from fma_app.ui.document import Document
from fma_app.ui.files import FileController

app = QApplication([])
window = QMainWindow()
document = Document(sample_model("Current"))
interaction = RecordingInteraction()
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
context = AppContext(document, settings, interaction, Path(sys.argv[3]))
controller = FileController(window, context)
rename_first_component(document, "edited")
before = Snapshot.of(document)
opened = controller.open_path(sys.argv[1])
print(json.dumps({"opened": opened, "messages": interaction.messages,
                  "untouched": Snapshot.of(document) == before}))
"""


def test_permission_denied_file_is_refused_with_a_message(tmp_path):
    """Root reads any file, so as root the opening process runs in a user namespace as nobody."""
    bad = write_model(tmp_path / "secret.fma")
    bad.chmod(0o000)
    script = tmp_path / "open_denied.py"
    script.write_text(PERMISSION_SCRIPT)
    prefix = []
    if os.geteuid() == 0:
        prefix = ["unshare", "--user"]
        if shutil.which("unshare") is None or subprocess.run([*prefix, "true"]).returncode:
            pytest.skip("running as root without user namespaces: cannot be denied a file")
    env = subprocess_env(tmp_path)
    args = [str(bad), str(tmp_path / "settings.ini"), str(tmp_path / "data")]
    result = subprocess.run(
        [*prefix, sys.executable, str(script), *args],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome == {
        "opened": False,
        "messages": [["critical", "Cannot open model", f"Cannot open '{bad}': permission denied"]],
        "untouched": True,
    }


# ---- read-only files ---------------------------------------------------------------------------
@pytest.fixture
def read_only_model(tmp_path):
    path = write_model(tmp_path / "frozen.fma", sample_model("Frozen"))
    make_read_only(path)
    yield path
    make_writable(path)


def test_read_only_file_opens_read_only_and_says_so(env, read_only_model):
    assert env.controller.open_path(read_only_model)
    assert env.document.read_only
    assert env.document.model.name == "Frozen"
    assert window_title(env.document) == "frozen.fma[*] \u2014 Frozen (read-only)"
    assert env.window.statusBar().currentMessage() == (
        "frozen.fma is open read-only: use Save As to edit a copy"
    )
    assert env.interaction.messages == []
    assert not (read_only_model.parent / "frozen.fma.lock").exists()


def test_model_in_a_read_only_folder_opens_read_only(env, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    path = write_model(folder / "old.fma", sample_model("Archived"))
    make_read_only(folder)
    try:
        assert env.controller.open_path(path)
        assert env.document.read_only
        assert env.document.model.name == "Archived"
        assert sorted(p.name for p in folder.iterdir()) == ["old.fma"]  # no lock file
        before = Snapshot.of(env.document)
        assert rename_first_component(env.document, "edited") == "The model is open read-only"
        assert Snapshot.of(env.document) == before
        assert not env.controller.autosave()  # nothing changed, so no copy anywhere
        assert not env.data_dir.exists() or not any(env.data_dir.iterdir())
    finally:
        make_writable(folder)
    assert env.window.statusBar().currentMessage() == (
        "old.fma is open read-only: use Save As to edit a copy"
    )


def test_save_on_a_read_only_document_goes_to_save_as(env, read_only_model, tmp_path):
    original = file_content(read_only_model)
    assert env.controller.open_path(read_only_model)
    env.interaction.save_path = str(tmp_path / "copy.fma")

    assert env.controller.save()

    assert env.interaction.questions == [("save_as", str(read_only_model))]
    assert env.document.path == tmp_path / "copy.fma"
    assert not env.document.read_only
    assert window_title(env.document) == "copy.fma[*] \u2014 Frozen"
    assert file_content(tmp_path / "copy.fma") == env.document.model.content()
    assert file_content(read_only_model) == original


# ---- unsaved changes -----------------------------------------------------------------------------
def _do_new(env, tmp_path):
    return env.controller.new_model()


def _do_close(env, tmp_path):
    return env.controller.close_model()


def _do_open(env, tmp_path):
    return env.controller.open_path(write_model(tmp_path / "next.fma", sample_model("Next")))


OPERATIONS = {"new": _do_new, "close": _do_close, "open": _do_open}
EXPECTED_NAME = {"new": Model().name, "close": Model().name, "open": "Next"}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unsaved_changes_cancel_keeps_everything(env, edited, tmp_path, operation):
    before = Snapshot.of(env.document)
    env.interaction.save = SaveChoice.CANCEL
    assert not OPERATIONS[operation](env, tmp_path)
    assert env.interaction.questions == [("save", "Save the changes to current.fma?")]
    assert Snapshot.of(env.document) == before
    assert file_content(edited)["components"][0].name == "checkout"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unsaved_changes_discard_drops_them(env, edited, tmp_path, operation):
    env.interaction.save = SaveChoice.DISCARD
    assert OPERATIONS[operation](env, tmp_path)
    assert env.interaction.questions == [("save", "Save the changes to current.fma?")]
    assert env.document.model.name == EXPECTED_NAME[operation]
    assert not env.document.modified
    assert file_content(edited)["components"][0].name == "checkout"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unsaved_changes_save_writes_them_first(env, edited, tmp_path, operation):
    env.interaction.save = SaveChoice.SAVE
    assert OPERATIONS[operation](env, tmp_path)
    assert env.document.model.name == EXPECTED_NAME[operation]
    assert file_content(edited)["components"][0].name == "edited checkout"


def test_unsaved_untitled_model_save_cancelled_in_the_file_dialog_keeps_it(env):
    env.document.replace(sample_model("Draft"), None)
    rename_first_component(env.document, "draft edit")
    before = Snapshot.of(env.document)
    env.interaction.save, env.interaction.save_path = SaveChoice.SAVE, None
    assert not env.controller.new_model()
    assert Snapshot.of(env.document) == before


def test_unmodified_document_is_replaced_without_a_question(env, tmp_path):
    assert env.controller.open_path(write_model(tmp_path / "a.fma"))
    assert env.controller.new_model()
    assert env.interaction.questions == []


# ---- save failures -------------------------------------------------------------------------------
def test_disk_full_while_saving_reports_it_and_keeps_the_changes(env, edited, monkeypatch):
    original = file_content(edited)
    before = Snapshot.of(env.document)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not env.controller.save()
    monkeypatch.undo()

    expected = f"Cannot save '{edited}': no space left on device"
    assert env.interaction.messages == [("critical", "Cannot save model", expected)]
    assert Snapshot.of(env.document) == before
    assert env.document.modified
    assert file_content(edited) == original
    assert sorted(p.name for p in edited.parent.iterdir() if "current" in p.name) == [
        "current.fma",
        "current.fma.lock",
    ]


def test_saving_into_a_read_only_folder_reports_it_and_keeps_the_changes(env, tmp_path):
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    env.document.replace(sample_model("Draft"), None)
    rename_first_component(env.document, "draft edit")
    before = Snapshot.of(env.document)
    make_read_only(folder)
    try:
        assert not env.controller.save_as(folder / "draft.fma")
    finally:
        make_writable(folder)
    # The immutable attribute (as root) refuses with EPERM, permission bits with EACCES.
    problem = "operation not permitted" if os.geteuid() == 0 else "permission denied"
    expected = f"Cannot save '{folder / 'draft.fma'}': {problem}"
    assert env.interaction.messages == [("critical", "Cannot save model", expected)]
    assert Snapshot.of(env.document) == before
    assert list(folder.iterdir()) == []


# ---- recent files --------------------------------------------------------------------------------
def _recent_menu_texts(env) -> list[str]:
    env.controller.recent_menu.aboutToShow.emit()
    return [a.text() for a in env.controller.recent_menu.actions() if not a.isSeparator()]


def test_recent_files_newest_first_capped_and_persisted(env, tmp_path):
    paths = [write_model(tmp_path / f"m{i:02}.fma") for i in range(MAX_RECENT + 2)]
    for path in paths:
        assert env.controller.open_path(path)
    expected = [str(p) for p in reversed(paths)][:MAX_RECENT]
    assert env.controller.recent_files() == expected
    env.settings.sync()
    assert env.settings.value("files/recent") == expected
    assert env.controller.recent_menu.actions()[0].text() == "&1 m11.fma"  # already updated
    texts = _recent_menu_texts(env)
    assert texts[0] == "&1 m11.fma"
    assert texts[MAX_RECENT - 1] == "&0 m02.fma"
    assert texts[-1] == "Clear Menu"


def test_recent_files_drop_missing_files_and_open_from_the_menu(env, tmp_path):
    first = write_model(tmp_path / "first.fma", sample_model("First"))
    gone = write_model(tmp_path / "gone.fma")
    for path in (first, gone):
        assert env.controller.open_path(path)
    assert env.controller.new_model()
    gone.unlink()

    assert _recent_menu_texts(env) == ["&1 first.fma", "Clear Menu"]
    env.controller.recent_menu.actions()[0].trigger()
    assert env.document.path == first
    assert env.document.model.name == "First"


def test_clear_recent_files_empties_the_menu(env, tmp_path):
    assert env.controller.open_path(write_model(tmp_path / "a.fma"))
    env.controller.clear_recent_files()
    assert env.controller.recent_files() == []
    assert _recent_menu_texts(env) == ["No Recent Files", "Clear Menu"]


# ---- drop to open --------------------------------------------------------------------------------
def _mime(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def test_handle_drop_opens_the_dropped_model(env, tmp_path):
    path = write_model(tmp_path / "dropped.fma", sample_model("Dropped"))
    assert env.controller.handle_drop(_mime(QUrl.fromLocalFile(str(path))))
    assert env.document.path == path
    assert env.document.model.name == "Dropped"


def test_handle_drop_refuses_remote_urls_and_bad_files(env, edited, tmp_path):
    before = Snapshot.of(env.document)
    assert not env.controller.handle_drop(_mime(QUrl("https://example.com/model.fma")))
    assert not env.controller.handle_drop(QMimeData())
    text_file = tmp_path / "notes.txt"
    _not_a_model(text_file)
    assert not env.controller.handle_drop(_mime(QUrl.fromLocalFile(str(text_file))))
    assert [m[1] for m in env.interaction.messages] == ["Cannot open model"]
    assert Snapshot.of(env.document) == before


def _drag_and_drop(window, mime: QMimeData) -> tuple[bool, bool, bool]:
    """Send what a drop sends (enter, move, drop); whether each event was accepted."""
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, enter)
    move = QDragMoveEvent(
        QPoint(20, 20), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, move)
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), move.isAccepted(), drop.isAccepted()


def test_dropping_a_file_on_the_window_opens_it(env, qtbot, tmp_path):
    env.window.show()
    path = write_model(tmp_path / "dropped.fma", sample_model("Dropped"))
    assert _drag_and_drop(env.window, _mime(QUrl.fromLocalFile(str(path)))) == (True, True, True)
    qtbot.waitUntil(lambda: env.document.path == path)
    assert env.document.model.name == "Dropped"


def test_the_window_refuses_a_drag_without_a_local_file(env, qtbot):
    env.window.show()
    before = Snapshot.of(env.document)
    mime = _mime(QUrl("https://example.com/model.fma"))
    assert _drag_and_drop(env.window, mime) == (False, False, False)
    qtbot.wait(20)
    assert Snapshot.of(env.document) == before
    assert env.interaction.messages == []


# ---- the real message boxes ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("button", "choice"),
    [("Save", SaveChoice.SAVE), ("Discard", SaveChoice.DISCARD), ("Cancel", SaveChoice.CANCEL)],
)
def test_real_unsaved_changes_box_maps_its_buttons(qtbot, button, choice):
    click_in_modal_box(button)
    assert QtInteraction().ask_save_changes("model.fma") is choice


@pytest.mark.parametrize(
    ("button", "choice"),
    [("Open Read-Only", LockedChoice.READ_ONLY), ("Cancel", LockedChoice.CANCEL)],
)
def test_real_locked_box_maps_its_buttons(qtbot, button, choice):
    click_in_modal_box(button)
    assert QtInteraction().ask_locked("model.fma is open elsewhere") is choice


def test_real_save_dialog_adds_the_model_suffix(qtbot, tmp_path):
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(tmp_path / "plan"))
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert QtInteraction().choose_save_path(
        "Save Model As", str(tmp_path / "x.fma"), MODEL_FILE_FILTER, "fma"
    ) == str(tmp_path / "plan.fma")


def test_real_save_dialog_cancelled_gives_no_path(qtbot, tmp_path):
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert (
        QtInteraction().choose_save_path(
            "Save Model As", str(tmp_path / "x.fma"), MODEL_FILE_FILTER, "fma"
        )
        is None
    )
