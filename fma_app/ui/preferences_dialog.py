"""Edit > Preferences...: the folders of team failure mode libraries.

The list lives in the plain config file `fma_app.reports.library_files` reads (not Qt
settings), so `fma-app library list` sees the same folders as the app.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fma_app.reports.library_files import (
    LibraryFileError,
    config_path,
    read_library_folders,
    write_library_folders,
)
from fma_app.ui.interaction import Interaction, Level


class PreferencesDialog(QDialog):
    def __init__(self, interaction: Interaction, parent: QWidget | None = None):
        super().__init__(parent)
        self.interaction = interaction
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.config = config_path()
        intro = QLabel(
            "Folders of failure mode library files (*.json). Their entries appear in "
            f"Add from Library... beside the built-in catalog.\nSaved in {self.config}",
            self,
        )
        intro.setWordWrap(True)
        self.folders = QListWidget(self)
        self.folders.setObjectName("libraryFolders")
        try:
            existing = read_library_folders(self.config)
        except LibraryFileError as error:
            existing = []
            interaction.show_message("Preferences", str(error), Level.WARNING)
        self.folders.addItems([str(folder) for folder in existing])
        self.add_button = QPushButton("Add Folder...", self)
        self.remove_button = QPushButton("Remove", self)
        self.add_button.clicked.connect(self.add_folder)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.folders, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def folder_list(self) -> list[Path]:
        return [Path(self.folders.item(i).text()) for i in range(self.folders.count())]

    def add_folder(self) -> None:
        folder = self.interaction.choose_folder("Library Folder", str(Path.home()))
        if folder and Path(folder) not in self.folder_list():
            self.folders.addItem(folder)

    def remove_current(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            self.folders.takeItem(row)

    def save(self) -> bool:
        try:
            write_library_folders(self.folder_list(), self.config)
        except LibraryFileError as error:
            self.interaction.show_message("Preferences", str(error), Level.WARNING)
            return False  # the dialog stays open with the user's list
        self.accept()
        return True
