"""File > Open Shared Model...: the URL of a model on a PostgreSQL server, and the recent ones.

The dialog checks the URL as it is typed (with the storage layer's own parser, so the message is
the one the command line gives) and offers the recent shared models. Recent entries are kept in
the settings by their `display` only, the URL without any password: a password typed into a URL
is used for that connection and never written anywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fma_app.storage.shared.errors import SharedStoreError
from fma_app.storage.shared.location import SharedLocation, parse_location

TITLE = "Open Shared Model"
RECENT_SHARED_KEY = "shared/recent"
MAX_RECENT_SHARED = 10
PROBLEM_STYLE = "color: #b00020"
PLACEHOLDER = "postgresql://user@host:5432/database?model=KEY"
NO_MODEL_KEY = "The URL names no model: add ?model=KEY (the key the model was pushed under)."
CHOOSE_NOTE = "The URL names no model: Open lists the database's models to choose from."
PASSWORD_NOTE = (
    "The password in the URL is used for this connection only: titles and recent models "
    "show the URL without it."
)


def check_url(text: str, *, model_required: bool = True) -> tuple[SharedLocation | None, str]:
    """The location a typed URL names, or None and the message saying what is wrong with it;
    without `model_required` a URL of the database alone will do (the models are offered)."""
    if not text.strip():
        return None, ""
    try:
        location = parse_location(text)
    except SharedStoreError as error:
        message = str(error)
        return None, message[:1].upper() + message[1:]
    if location.model_key is None and model_required:
        return None, NO_MODEL_KEY
    return location, ""


def recent_shared(settings: QSettings) -> list[str]:
    """The recent shared models' displays, newest first."""
    stored = settings.value(RECENT_SHARED_KEY, [])
    if isinstance(stored, str):  # QSettings gives one entry back as a str
        stored = [stored]
    return [entry for entry in stored if isinstance(entry, str)] if isinstance(stored, list) else []


def add_recent_shared(settings: QSettings, location: SharedLocation) -> list[str]:
    """Put the location first among the recent shared models, by its password-free display."""
    shown = location.display
    entries = [shown] + [entry for entry in recent_shared(settings) if entry != shown]
    settings.setValue(RECENT_SHARED_KEY, entries[:MAX_RECENT_SHARED])
    settings.sync()
    return entries[:MAX_RECENT_SHARED]


def clear_recent_shared(settings: QSettings) -> None:
    settings.remove(RECENT_SHARED_KEY)
    settings.sync()


class OpenSharedDialog(QDialog):
    """A URL field checked as it is typed, the recent shared models below it, Open/Cancel."""

    def __init__(self, recent: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("openSharedDialog")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("sharedUrl")
        self.url_edit.setPlaceholderText(PLACEHOLDER)
        self.url_edit.setClearButtonEnabled(True)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("sharedUrlProblem")
        self.problem_label.setWordWrap(True)
        self.recent_list = QListWidget(self)
        self.recent_list.setObjectName("recentShared")
        for entry in recent:
            QListWidgetItem(entry, self.recent_list).setToolTip(entry)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._build_layout(bool(recent))
        self.url_edit.textChanged.connect(self._check)
        self.recent_list.currentTextChanged.connect(self._choose_recent)
        self.recent_list.itemActivated.connect(lambda _item: self._accept_if_valid())
        self.resize(560, 320 if recent else 140)
        self._check(self.url_edit.text())

    def _build_layout(self, has_recent: bool) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Server URL of the model:", self))
        layout.addWidget(self.url_edit)
        layout.addWidget(self.problem_label)
        recent_label = QLabel("Recent shared models:", self)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent_list, 1)
        recent_label.setVisible(has_recent)
        self.recent_list.setVisible(has_recent)
        layout.addWidget(self.buttons)

    @property
    def open_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Open)

    def url(self) -> str:
        return self.url_edit.text().strip()

    def _check(self, text: str) -> None:
        location, problem = check_url(text, model_required=False)
        notes = []
        if location is not None and location.model_key is None:
            notes.append(CHOOSE_NOTE)
        if location is not None and location.password is not None:
            notes.append(PASSWORD_NOTE)
        self.problem_label.setText(" ".join(notes) if location is not None else problem)
        self.problem_label.setStyleSheet("" if location is not None else PROBLEM_STYLE)
        self.open_button.setEnabled(location is not None)

    def _choose_recent(self, entry: str) -> None:
        if entry:
            self.url_edit.setText(entry)

    def _accept_if_valid(self) -> None:
        if self.open_button.isEnabled():
            self.accept()


__all__ = [
    "CHOOSE_NOTE",
    "NO_MODEL_KEY",
    "OpenSharedDialog",
    "add_recent_shared",
    "check_url",
    "recent_shared",
]
