"""Start the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from fma_app import __version__
from fma_app.resources import app_icon_files
from fma_app.ui import smoke
from fma_app.ui.main_window import APP_NAME, ORGANIZATION, MainWindow


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("org.fmaworkbench.FMAWorkbench")  # matches packaging/linux
    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
    app.setWindowIcon(icon)
    return app


def run(path: str | None) -> int:
    """Open the main window on `path` (or an empty model) and run until it closes."""
    app = make_application()
    window = MainWindow()
    window.files.start(path)  # before show: the first paint already shows the model
    window.show()
    smoke.arm(app)  # no-op unless FMA_SMOKE_TEST is set (the bundle's self-check)
    code = app.exec()
    # However the loop ended (QApplication.exit() skips closeEvent and, in Qt 6, aboutToQuit),
    # release the lock and tidy the recovery copy; after a normal close this is a no-op.
    window.files.shutdown()
    return code
