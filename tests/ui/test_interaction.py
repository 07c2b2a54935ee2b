"""One way to talk to the user: only `fma_app/ui/interaction.py` shows Qt's message boxes and
file dialogs; everything else asks through the `Interaction` it is given."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

import fma_app.ui
from fma_app.ui.interaction import Level, QtInteraction, RecordingInteraction, WrittenChoice

UI_FOLDER = Path(fma_app.ui.__file__).parent
DIALOG_CLASSES = re.compile(r"\b(QMessageBox|QFileDialog|QInputDialog)\b")


def test_no_view_calls_message_boxes_or_file_dialogs_directly():
    offenders = [
        f"{path.relative_to(UI_FOLDER)}:{number}: {line.strip()}"
        for path in sorted(UI_FOLDER.rglob("*.py"))
        if path.name != "interaction.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if DIALOG_CLASSES.search(line)
    ]
    assert offenders == []
    assert DIALOG_CLASSES.search((UI_FOLDER / "interaction.py").read_text(encoding="utf-8"))


def test_recording_interaction_records_and_answers_as_scripted(tmp_path):
    user = RecordingInteraction(yes=False, text="primary", save_path=str(tmp_path / "out"))
    user.show_message("Export Chart", "Cannot write it.", Level.WARNING)
    assert not user.ask_yes_no("Delete Component", "Delete api?")
    assert user.ask_text("Redundancy Group", "Name:", "old") == "primary"
    assert user.choose_save_path("Export", "x.png", "PNG (*.png)", "png") == str(
        tmp_path / "out.png"
    )
    assert user.open_location(tmp_path)
    assert user.messages == [("warning", "Export Chart", "Cannot write it.")]
    assert user.questions == [
        ("yes_no", "Delete Component: Delete api?"),
        ("text", "Redundancy Group: Name:"),
        ("save_as", "x.png"),
    ]
    assert user.opened == [tmp_path]


def answer_modal(qtbot, answer, seen: list) -> None:
    """When the next modal dialog opens, note its text and let `answer(dialog)` close it."""

    def respond() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, respond)
            return
        seen.append(dialog)
        answer(dialog)

    QTimer.singleShot(0, respond)


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("Open Report", WrittenChoice.OPEN_FILE),
        ("Open Folder", WrittenChoice.OPEN_FOLDER),
        ("Close", WrittenChoice.CLOSE),
    ],
)
def test_the_written_notice_offers_the_report_and_its_folder(qtbot, button, expected):
    seen: list = []

    def click(box: QMessageBox) -> None:
        assert box.text() == "The report was written to r.xlsx in the folder /tmp."
        labels = {b.text().replace("&", ""): b for b in box.buttons()}
        assert set(labels) == {"Open Report", "Open Folder", "Close"}
        labels[button].click()

    answer_modal(qtbot, click, seen)
    text = "The report was written to r.xlsx in the folder /tmp."
    assert QtInteraction().ask_written("Export Report", text) is expected
    assert len(seen) == 1


def test_a_choice_is_asked_with_the_current_one_selected(qtbot):
    seen: list = []

    def choose(dialog: QInputDialog) -> None:
        assert dialog.comboBoxItems() == ["RPN", "Action Priority"]
        assert dialog.textValue() == "Action Priority"  # `current` preselected
        dialog.setTextValue("RPN")
        dialog.accept()

    answer_modal(qtbot, choose, seen)
    assert (
        QtInteraction().ask_choice("Export Report", "Rank by:", ["RPN", "Action Priority"], 1) == 0
    )
    answer_modal(qtbot, lambda dialog: dialog.reject(), seen)
    assert QtInteraction().ask_choice("Export Report", "Rank by:", ["RPN", "AP"]) is None


def test_a_password_is_typed_hidden(qtbot):
    from PySide6.QtWidgets import QLineEdit

    seen: list = []

    def type_password(dialog: QInputDialog) -> None:
        assert dialog.labelText() == "Password of alice on db:5432/fma:"
        assert dialog.textEchoMode() == QLineEdit.EchoMode.Password
        dialog.setTextValue("s3cret")
        dialog.accept()

    answer_modal(qtbot, type_password, seen)
    assert QtInteraction().ask_password("Password", "Password of alice on db:5432/fma:") == "s3cret"
    answer_modal(qtbot, lambda dialog: dialog.reject(), seen)
    assert QtInteraction().ask_password("Password", "Password:") is None
    assert len(seen) == 2
