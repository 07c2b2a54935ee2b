"""The main window's layout, kept in the settings between runs: its size and place, the docks,
the column order, widths and sort of the worksheet, the components list and the actions table,
and the details splitter. The first open gets a size fitted to the screen and the worksheet's
default layout (ranked by RPN, ranking columns first).

The docks under the worksheet (Review, Availability) share one tabbed area: side by side on a
1366-pixel screen each got half the width, too little for the availability figures, and stacked
they would leave the worksheet a sliver of a 768-pixel screen. Showing one from the View menu
brings its tab to the front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QHeaderView

if TYPE_CHECKING:
    from fma_app.ui.main_window import MainWindow

SETTINGS_PREFIX = "window/"
DEFAULT_SIZE = (1400, 820)  # fitted to the screen when smaller
SCREEN_SHARE = 0.9  # of a screen wider than 1,555 px (1920x1080: 1728x972)
COMPONENTS_DOCK_WIDTH = 210
DETAIL_DOCK_WIDTH = 390  # the actions table's five columns and a readable due date
# Saved with the state. 2: the bottom docks are tabbed; a state saved before (none) had them side
# by side only because that was the default, so it gets the tabs once; later the user's choice.
DOCK_LAYOUT = 2


def _raise_when_shown(dock: QDockWidget, shown: bool) -> None:
    """Shown from the View menu, a dock comes to the front of its tabs."""
    if shown:
        dock.raise_()


class WindowLayout:
    """Saves and restores the layout of one main window in its settings."""

    def __init__(self, window: MainWindow, settings: QSettings):
        self.window = window
        self.settings = settings

    def save(self) -> None:
        window, s = self.window, self.settings
        s.setValue(SETTINGS_PREFIX + "geometry", window.saveGeometry())
        s.setValue(SETTINGS_PREFIX + "state", window.saveState())
        s.setValue(SETTINGS_PREFIX + "dockLayout", DOCK_LAYOUT)
        for key, header in self._headers().items():
            s.setValue(SETTINGS_PREFIX + key, header.saveState())
        s.setValue(SETTINGS_PREFIX + "detailSplitter", window.detail.splitter.saveState())
        s.sync()

    def restore(self) -> None:
        window, s = self.window, self.settings
        geometry = s.value(SETTINGS_PREFIX + "geometry")
        if geometry is None or not window.restoreGeometry(geometry):
            self.fit_to_screen()
        state = s.value(SETTINGS_PREFIX + "state")
        if state is not None:
            window.restoreState(state)
        header = s.value(SETTINGS_PREFIX + "worksheetHeader")
        if header is None:  # the first open: ranked by RPN, ranking columns first
            docks = COMPONENTS_DOCK_WIDTH + DETAIL_DOCK_WIDTH
            window.worksheet.apply_default_layout(width=window.width() - docks)
        else:  # later opens: the user's columns and sort
            window.worksheet.restore_layout(header)
        for key, view_header in self._headers().items():
            saved = s.value(SETTINGS_PREFIX + key)
            if saved is not None and key != "worksheetHeader":
                view_header.restoreState(saved)
        splitter = s.value(SETTINGS_PREFIX + "detailSplitter")
        if splitter is not None:
            window.detail.splitter.restoreState(splitter)

    def restore_docks(self) -> None:
        """Once every dock is in (some are attached after the window is built): the bottom
        docks as tabs, then the docks where the user left them."""
        window, s = self.window, self.settings
        self.tabify_bottom_docks()
        for dock in self.bottom_docks():
            action = dock.toggleViewAction()
            action.triggered.connect(lambda shown, d=dock: _raise_when_shown(d, shown))
        state = s.value(SETTINGS_PREFIX + "state")
        if state is None or not window.restoreState(state):
            return
        if int(str(s.value(SETTINGS_PREFIX + "dockLayout", 0))) < DOCK_LAYOUT:
            self.tabify_bottom_docks()

    def bottom_docks(self) -> list[QDockWidget]:
        window = self.window
        return [
            dock
            for dock in window.findChildren(QDockWidget)
            if window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
            and not dock.isFloating()
        ]

    def tabify_bottom_docks(self) -> None:
        docks = self.bottom_docks()
        for dock in docks[1:]:
            if dock not in self.window.tabifiedDockWidgets(docks[0]):
                self.window.tabifyDockWidget(docks[0], dock)

    def _headers(self) -> dict[str, QHeaderView]:
        window = self.window
        return {
            "worksheetHeader": window.worksheet.view.horizontalHeader(),
            "componentsHeader": window.components.view.horizontalHeader(),
            "actionsHeader": window.detail.actions_view.horizontalHeader(),
        }

    def fit_to_screen(self) -> None:
        """The default size, never larger than the screen: on a 1366x768 screen a 1400x820
        window hid the status bar and the right edge of the details dock."""
        window = self.window
        available = window.screen().availableGeometry()
        width, height = DEFAULT_SIZE
        if available.width() > width / SCREEN_SHARE:  # a big screen: use most of it
            width, height = int(available.width() * SCREEN_SHARE), int(available.height() * 0.9)
        window.resize(min(width, available.width()), min(height, available.height()))
        self.size_docks()

    def size_docks(self) -> None:
        window = self.window
        window.resizeDocks(
            [window.components_dock, window.detail_dock],
            [COMPONENTS_DOCK_WIDTH, DETAIL_DOCK_WIDTH],
            Qt.Orientation.Horizontal,
        )
