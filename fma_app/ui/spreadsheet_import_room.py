"""File > Import Spreadsheet... (Ctrl+I): the menu action, attached by the composition root.

Light on purpose: the dialog and the import API load when the action is first used, so the
window paints first (as the graph and the charts do).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from fma_app.ui.main_window import MainWindow
    from fma_app.ui.spreadsheet_import_dialog import SpreadsheetImportDialog

SHORTCUT = "Ctrl+I"


class SpreadsheetImportRoom(QObject):
    """The action and the one dialog it opens, over the window's context; a new model goes
    through the window's file controller."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dialog: SpreadsheetImportDialog | None = None
        self.action = QAction("&Import Spreadsheet...", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("Read an FMEA spreadsheet (.xlsx, .xlsm, .xls, .csv)")
        self.action.triggered.connect(lambda _checked=False: self.open_dialog())
        # Import beside Export Report.
        window.file_menu.insertAction(window.export_report_action, self.action)

    def open_dialog(self, path: str | Path | None = None) -> SpreadsheetImportDialog | None:
        """Show the dialog and ask for the file (or open `path`); None when no file was
        chosen."""
        from fma_app.ui.spreadsheet_import_dialog import SpreadsheetImportDialog

        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        window = self.window
        dialog = SpreadsheetImportDialog(window.context, window.files.show_imported, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(window.show_message)
        dialog.finished.connect(self._forget)
        self.dialog = dialog
        dialog.open()  # window-modal: the main window keeps painting
        if path is not None:
            dialog.open_file(path)
        elif not dialog.choose_file():
            dialog.reject()
            return None
        return dialog

    def _forget(self, _result: int) -> None:
        self.dialog = None
