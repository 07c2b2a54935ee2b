"""The questions and messages the file commands put to the user, behind one replaceable object.

`Dialogs` shows real `QMessageBox`es and `QFileDialog`s. Tests pass a subclass that records every
message and answers from a script, so each refused-file path can assert the exact text the user
would read without a modal dialog blocking the test.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

MODEL_FILE_FILTER = "FMA models (*.fma);;All files (*)"


class SaveChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class RestoreChoice(Enum):
    RESTORE = "restore"
    DISCARD = "discard"


class LockedChoice(Enum):
    READ_ONLY = "read_only"
    CANCEL = "cancel"


class Dialogs:
    """Real dialogs. Every method blocks until the user answers."""

    def critical(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.critical(parent, title, text)

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def ask_save_changes(self, parent: QWidget | None, name: str) -> SaveChoice:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to {name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return SaveChoice.SAVE
        if answer == QMessageBox.StandardButton.Discard:
            return SaveChoice.DISCARD
        return SaveChoice.CANCEL

    def ask_restore(self, parent: QWidget | None, text: str) -> RestoreChoice:
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved changes", text, parent=parent)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        # Closing the box without a choice keeps the recovery file: restoring is the safe answer.
        if box.clickedButton() is restore or box.clickedButton() is None:
            return RestoreChoice.RESTORE
        return RestoreChoice.DISCARD

    def ask_locked(self, parent: QWidget | None, text: str) -> LockedChoice:
        box = QMessageBox(QMessageBox.Icon.Warning, "Model in use", text, parent=parent)
        read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(read_only)
        box.setEscapeButton(cancel)
        box.exec()
        return LockedChoice.READ_ONLY if box.clickedButton() is read_only else LockedChoice.CANCEL

    def get_open_path(self, parent: QWidget | None, directory: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open Model", directory, MODEL_FILE_FILTER)
        return path or None

    def get_save_path(self, parent: QWidget | None, suggestion: str) -> str | None:
        dialog = QFileDialog(parent, "Save Model As", suggestion, MODEL_FILE_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # The dialog adds ".fma" itself, so its overwrite question names the file really written.
        dialog.setDefaultSuffix("fma")
        dialog.selectFile(suggestion)
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return dialog.selectedFiles()[0]


class RecordingDialogs(Dialogs):
    """Answers from preset choices and records what the user would have seen; shows nothing.

    For tests and scripted runs: `messages` holds (kind, title, text) of every message box and
    `questions` holds (kind, text) of every question, in order.
    """

    def __init__(
        self,
        *,
        save: SaveChoice = SaveChoice.CANCEL,
        restore: RestoreChoice = RestoreChoice.RESTORE,
        locked: LockedChoice = LockedChoice.CANCEL,
        open_path: str | None = None,
        save_path: str | None = None,
    ):
        self.save, self.restore, self.locked = save, restore, locked
        self.open_path, self.save_path = open_path, save_path
        self.messages: list[tuple[str, str, str]] = []
        self.questions: list[tuple[str, str]] = []

    def critical(self, parent: QWidget | None, title: str, text: str) -> None:
        self.messages.append(("critical", title, text))

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        self.messages.append(("information", title, text))

    def ask_save_changes(self, parent: QWidget | None, name: str) -> SaveChoice:
        self.questions.append(("save", f"Save the changes to {name}?"))
        return self.save

    def ask_restore(self, parent: QWidget | None, text: str) -> RestoreChoice:
        self.questions.append(("restore", text))
        return self.restore

    def ask_locked(self, parent: QWidget | None, text: str) -> LockedChoice:
        self.questions.append(("locked", text))
        return self.locked

    def get_open_path(self, parent: QWidget | None, directory: str) -> str | None:
        self.questions.append(("open", directory))
        return self.open_path

    def get_save_path(self, parent: QWidget | None, suggestion: str) -> str | None:
        self.questions.append(("save_as", suggestion))
        return self.save_path
