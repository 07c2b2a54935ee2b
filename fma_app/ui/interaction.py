"""Every question, message and file chooser the app puts to the user, behind one interface.

`Interaction` is what views call; `QtInteraction` shows real `QMessageBox`es, `QFileDialog`s and
input dialogs and opens files with `QDesktopServices`; `RecordingInteraction` shows nothing,
records what the user would have read and answers from a script, so tests (and scripted runs)
can assert the exact text without a modal dialog blocking them. No other module of `fma_app.ui`
calls QMessageBox or QFileDialog (a test checks it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

MODEL_FILE_FILTER = "FMA models (*.fma);;All files (*)"


class Level(Enum):
    INFORMATION = "information"
    WARNING = "warning"
    CRITICAL = "critical"


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


class WrittenChoice(Enum):
    """What to do after a file was written: open it, open its folder, or nothing."""

    OPEN_FILE = "open_file"
    OPEN_FOLDER = "open_folder"
    CLOSE = "close"


class Interaction(ABC):
    """What the app may ask or tell the user. Every question blocks until it is answered."""

    @abstractmethod
    def show_message(self, title: str, text: str, level: Level = Level.INFORMATION) -> None: ...

    @abstractmethod
    def show_about(self, title: str, rich_text: str) -> None: ...

    @abstractmethod
    def ask_yes_no(self, title: str, text: str) -> bool:
        """Yes or No, No being the default (the questions guard destructive edits)."""

    @abstractmethod
    def ask_save_changes(self, name: str) -> SaveChoice: ...

    @abstractmethod
    def ask_restore(self, text: str) -> RestoreChoice: ...

    @abstractmethod
    def ask_locked(self, text: str) -> LockedChoice: ...

    @abstractmethod
    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """One line of text; None when cancelled."""

    @abstractmethod
    def ask_password(self, title: str, label: str) -> str | None:
        """A password, typed hidden; None when cancelled. Never recorded, logged or stored."""

    @abstractmethod
    def ask_choice(
        self, title: str, label: str, choices: list[str], current: int = 0
    ) -> int | None:
        """One of `choices` (its index), `current` preselected; None when cancelled."""

    @abstractmethod
    def ask_written(self, title: str, text: str) -> WrittenChoice:
        """Say a file was written (`text` names it) and offer to open it or its folder."""

    @abstractmethod
    def choose_open_path(self, title: str, directory: str, file_filter: str) -> str | None: ...

    @abstractmethod
    def choose_open_paths(self, title: str, directory: str, file_filter: str) -> list[str]:
        """One or more existing files to read; an empty list when cancelled."""

    @abstractmethod
    def choose_save_path(
        self, title: str, suggestion: str, file_filter: str, suffix: str
    ) -> str | None:
        """A path to write; `suffix` (no dot) is added when the user typed none, before the
        overwrite question, so that question names the file really written."""

    @abstractmethod
    def choose_folder(self, title: str, directory: str) -> str | None: ...

    @abstractmethod
    def open_location(self, path: Path) -> bool:
        """Open a file or folder with the desktop's default application; False if it could
        not be opened."""

    @abstractmethod
    def choose_directory(self, title: str, directory: str) -> str | None:
        """A folder to write into; None when cancelled."""

    @abstractmethod
    def open_link(self, url: str) -> bool:
        """Open a URL (the caller checked its scheme) in the desktop's browser or viewer."""


class QtInteraction(Interaction):
    """Real dialogs, centred on `parent` (the main window once it exists)."""

    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def set_parent(self, parent: QWidget | None) -> None:
        self.parent = parent

    def show_message(self, title: str, text: str, level: Level = Level.INFORMATION) -> None:
        show = {
            Level.INFORMATION: QMessageBox.information,
            Level.WARNING: QMessageBox.warning,
            Level.CRITICAL: QMessageBox.critical,
        }[level]
        show(self.parent, title, text)

    def show_about(self, title: str, rich_text: str) -> None:
        QMessageBox.about(self.parent, title, rich_text)

    def ask_yes_no(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self.parent, title, text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def ask_save_changes(self, name: str) -> SaveChoice:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to {name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self.parent,
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

    def ask_restore(self, text: str) -> RestoreChoice:
        box = QMessageBox(
            QMessageBox.Icon.Question, "Recover unsaved changes", text, parent=self.parent
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        # Closing the box without a choice keeps the recovery file: restoring is the safe answer.
        if box.clickedButton() is restore or box.clickedButton() is None:
            return RestoreChoice.RESTORE
        return RestoreChoice.DISCARD

    def ask_locked(self, text: str) -> LockedChoice:
        box = QMessageBox(QMessageBox.Icon.Warning, "Model in use", text, parent=self.parent)
        read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(read_only)
        box.setEscapeButton(cancel)
        box.exec()
        return LockedChoice.READ_ONLY if box.clickedButton() is read_only else LockedChoice.CANCEL

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        answer, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return answer if ok else None

    def ask_password(self, title: str, label: str) -> str | None:
        answer, ok = QInputDialog.getText(self.parent, title, label, QLineEdit.EchoMode.Password)
        return answer if ok else None

    def ask_choice(
        self, title: str, label: str, choices: list[str], current: int = 0
    ) -> int | None:
        answer, ok = QInputDialog.getItem(self.parent, title, label, choices, current, False)
        return choices.index(answer) if ok and answer in choices else None

    def ask_written(self, title: str, text: str) -> WrittenChoice:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self.parent)
        open_file = box.addButton("Open Report", QMessageBox.ButtonRole.AcceptRole)
        open_folder = box.addButton("Open Folder", QMessageBox.ButtonRole.ActionRole)
        close = box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(close)
        box.setEscapeButton(close)
        box.exec()
        if box.clickedButton() is open_file:
            return WrittenChoice.OPEN_FILE
        if box.clickedButton() is open_folder:
            return WrittenChoice.OPEN_FOLDER
        return WrittenChoice.CLOSE

    def choose_open_path(self, title: str, directory: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, directory, file_filter)
        return path or None

    def choose_open_paths(self, title: str, directory: str, file_filter: str) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(self.parent, title, directory, file_filter)
        return list(paths)

    def choose_save_path(
        self, title: str, suggestion: str, file_filter: str, suffix: str
    ) -> str | None:
        dialog = QFileDialog(self.parent, title, suggestion, file_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.selectFile(suggestion)
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return dialog.selectedFiles()[0]

    def choose_folder(self, title: str, directory: str) -> str | None:
        path = QFileDialog.getExistingDirectory(self.parent, title, directory)
        return path or None

    def open_location(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def choose_directory(self, title: str, directory: str) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, title, directory) or None

    def open_link(self, url: str) -> bool:
        return QDesktopServices.openUrl(QUrl(url))


class RecordingInteraction(Interaction):
    """Answers from preset choices and records what the user would have seen; shows nothing.

    `messages` holds (level, title, text) of every message and `questions` holds (kind, text)
    of every question, in order; `opened` the files and folders the app asked to open.
    """

    def __init__(
        self,
        *,
        yes: bool = True,
        save: SaveChoice = SaveChoice.CANCEL,
        restore: RestoreChoice = RestoreChoice.RESTORE,
        locked: LockedChoice = LockedChoice.CANCEL,
        text: str | None = None,
        passwords: list[str | None] | None = None,
        open_path: str | None = None,
        open_paths: list[str] | None = None,
        save_path: str | None = None,
        choice: int | None = 0,
        written: WrittenChoice = WrittenChoice.CLOSE,
        directory: str | None = None,
        folder: str | None = None,
    ):
        self.folder = folder
        self.yes, self.save, self.restore, self.locked = yes, save, restore, locked
        self.text, self.open_path, self.save_path = text, open_path, save_path
        self.choice, self.written = choice, written
        self.open_paths = open_paths
        self.passwords = list(passwords or [])  # answered in turn; None (cancel) when used up
        self.messages: list[tuple[str, str, str]] = []
        self.questions: list[tuple[str, str]] = []
        self.opened: list[Path] = []
        self.directory = directory
        self.links: list[str] = []

    def show_message(self, title: str, text: str, level: Level = Level.INFORMATION) -> None:
        self.messages.append((level.value, title, text))

    def show_about(self, title: str, rich_text: str) -> None:
        self.messages.append(("about", title, rich_text))

    def ask_yes_no(self, title: str, text: str) -> bool:
        self.questions.append(("yes_no", f"{title}: {text}"))
        return self.yes

    def ask_save_changes(self, name: str) -> SaveChoice:
        self.questions.append(("save", f"Save the changes to {name}?"))
        return self.save

    def ask_restore(self, text: str) -> RestoreChoice:
        self.questions.append(("restore", text))
        return self.restore

    def ask_locked(self, text: str) -> LockedChoice:
        self.questions.append(("locked", text))
        return self.locked

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        self.questions.append(("text", f"{title}: {label}"))
        return self.text

    def ask_password(self, title: str, label: str) -> str | None:
        self.questions.append(("password", f"{title}: {label}"))  # the question, not the answer
        return self.passwords.pop(0) if self.passwords else None

    def ask_choice(
        self, title: str, label: str, choices: list[str], current: int = 0
    ) -> int | None:
        self.questions.append(("choice", f"{title}: {label} {' / '.join(choices)}"))
        return self.choice

    def ask_written(self, title: str, text: str) -> WrittenChoice:
        self.questions.append(("written", text))
        return self.written

    def choose_open_path(self, title: str, directory: str, file_filter: str) -> str | None:
        self.questions.append(("open", directory))
        return self.open_path

    def choose_open_paths(self, title: str, directory: str, file_filter: str) -> list[str]:
        """`open_paths` if given, else `open_path` alone (nothing: cancelled)."""
        self.questions.append(("open_many", directory))
        if self.open_paths is not None:
            return list(self.open_paths)
        return [self.open_path] if self.open_path else []

    def choose_save_path(
        self, title: str, suggestion: str, file_filter: str, suffix: str
    ) -> str | None:
        self.questions.append(("save_as", suggestion))
        if self.save_path is None or Path(self.save_path).suffix:
            return self.save_path
        return f"{self.save_path}.{suffix}"  # as the real dialog's default suffix does

    def choose_folder(self, title: str, directory: str) -> str | None:
        self.questions.append(("folder", directory))
        return self.folder

    def open_location(self, path: Path) -> bool:
        self.opened.append(Path(path))
        return True

    def choose_directory(self, title: str, directory: str) -> str | None:
        self.questions.append(("directory", title))
        return self.directory

    def open_link(self, url: str) -> bool:
        self.links.append(url)
        return True
