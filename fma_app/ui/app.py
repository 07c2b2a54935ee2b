"""Start the desktop application: the composition root.

`build_context` makes the one `AppContext` (document, settings, interaction, data folder) that
the main window passes to its file controller and panels; `build_window` assembles the window and
the panels that are rooms of their own (the Availability dock); `run` builds the real context,
opens the window and runs the event loop.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication

from fma_app import __version__
from fma_app.resources import app_icon_files
from fma_app.storage import recovery
from fma_app.ui import smoke
from fma_app.ui.context import APP_NAME, ORGANIZATION, AppContext, default_settings
from fma_app.ui.document import Document
from fma_app.ui.interaction import Interaction, QtInteraction
from fma_app.ui.shared_session import OpenSession, open_real_session

if TYPE_CHECKING:
    from fma_app.ui.main_window import MainWindow


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


def build_context(
    *,
    document: Document | None = None,
    settings: QSettings | None = None,
    interaction: Interaction | None = None,
    data_dir: Path | None = None,
    open_shared_session: OpenSession | None = None,
) -> AppContext:
    """The app's context; anything not given is the real thing (the user's settings, real
    dialogs, the user data folder of the README)."""
    return AppContext(
        document=document if document is not None else Document(),
        settings=settings if settings is not None else default_settings(),
        interaction=interaction if interaction is not None else QtInteraction(),
        data_dir=data_dir if data_dir is not None else recovery.default_data_dir(),
        open_shared_session=open_shared_session or open_real_session,
    )


def build_window(context: AppContext) -> MainWindow:
    """The main window with every room the app has: the window assembles the panels; the
    docks and rooms of their own (availability, the spreadsheet import, File > Import Traces...
    beside Compare With... and Merge With...) are attached here, and the docks keep the layout
    the user left."""
    from fma_app.ui.availability_panel import install_availability_dock
    from fma_app.ui.main_window import MainWindow
    from fma_app.ui.spreadsheet_import_room import SpreadsheetImportRoom
    from fma_app.ui.trace_import_dialog import TraceImportController, add_calls_width_toggle

    window = MainWindow(context)
    SpreadsheetImportRoom(window)  # a child of the window: lives and goes with it
    window.trace_import = TraceImportController(context, window)
    window.trace_import.install(window.file_menu, before=window.compare.compare_action)

    def graph_toggle() -> QAction:
        from fma_app.ui.graph.panel import GraphPanel  # networkx loads when the graph is used

        graph = window.graph
        assert isinstance(graph, GraphPanel)
        return graph.calls_width_action

    window.calls_width_action = add_calls_width_toggle(window.view_menu, graph_toggle)
    install_availability_dock(window, context)
    window.layout_keeper.restore_docks()  # it restored its layout before these docks existed
    window.shared_banner.hide()  # shown only by a shared model's state, never a layout
    return window


def run(path: str | None) -> int:
    """Open the main window on `path` (a model file, a shared model's URL, or an empty model)
    and run until it closes."""
    app = make_application()
    context = build_context()
    window = build_window(context)
    if isinstance(context.interaction, QtInteraction):
        context.interaction.set_parent(window)  # dialogs centre on the window
    window.start(path)  # before show: the first paint already shows the model
    window.show()
    smoke.arm(app)  # no-op unless FMA_SMOKE_TEST is set (the bundle's self-check)
    code = app.exec()
    # However the loop ended (QApplication.exit() skips closeEvent and, in Qt 6, aboutToQuit),
    # release the lock and tidy the recovery copy; after a normal close this is a no-op.
    window.files.shutdown()
    window.shared.shutdown()
    if "fma_app.ui.spreadsheet_import_session" in sys.modules:  # an import was started
        from fma_app.ui.spreadsheet_import_session import close_all_sessions

        close_all_sessions()  # an import's reader thread must end before Qt goes
    return code
