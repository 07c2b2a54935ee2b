"""One way to talk to the user: only `fma_app/ui/interaction.py` shows Qt's message boxes and
file dialogs; everything else asks through the `Interaction` it is given."""

from __future__ import annotations

import re
from pathlib import Path

import fma_app.ui
from fma_app.ui.interaction import Level, RecordingInteraction

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
