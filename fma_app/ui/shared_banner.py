"""The strip above the worksheet that says what a shared model needs the user to know now:
the server is gone (edits wait, a copy can be saved, it reconnects on its own), or the last
change was refused because someone else changed the same thing first.

It is a fixed tool bar at the top of the window, so it spans the whole width above the docks
(a strip over the central tabs alone wrapped its text into a tall column in a half-screen
window); hidden, it takes no room. `SharedModelController` decides what it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QWidget,
)

OFFLINE_STYLE = "QFrame#sharedBanner { background: #fff4ce; border-bottom: 1px solid #c8a600; }"
REFUSAL_STYLE = "QFrame#sharedBanner { background: #fde7e9; border-bottom: 1px solid #c50f1f; }"


class ElidedLabel(QLabel):
    """One line that ends in "..." when the window is too narrow; the whole text is its
    tooltip (and the status line has it too). A wrapped label made the bar several lines tall."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self.full_text, Qt.TextElideMode.ElideRight, max(self.width(), 40)
        )
        self.setText(shown)


class SharedBanner(QToolBar):
    save_copy_requested = Signal()
    reconnect_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Shared model", parent)
        self.setObjectName("sharedBannerBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not the user's to toggle
        self.setAllowedAreas(Qt.ToolBarArea.TopToolBarArea)
        frame = self.frame = QFrame(self)
        frame.setObjectName("sharedBanner")
        self.text_label = ElidedLabel(frame)
        self.text_label.setObjectName("sharedBannerText")
        self.save_copy_button = QPushButton("Save a Copy...", frame)
        self.reconnect_button = QPushButton("Reconnect Now", frame)
        self.dismiss_button = QPushButton("Dismiss", frame)
        self.save_copy_button.clicked.connect(self.save_copy_requested)
        self.reconnect_button.clicked.connect(self.reconnect_requested)
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(frame)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text_label, 1)
        for button in (self.save_copy_button, self.reconnect_button, self.dismiss_button):
            layout.addWidget(button)
        self.addWidget(frame)
        self.offline = False
        self.hide()

    def show_offline(self, text: str) -> None:
        """The server is gone: the window keeps its content, refuses edits, offers a copy."""
        self.offline = True
        self.frame.setStyleSheet(OFFLINE_STYLE)
        self.text_label.set_full_text(text)
        self.save_copy_button.show()
        self.reconnect_button.show()
        self.dismiss_button.hide()  # it goes away by itself when the server is back
        self.show()

    def show_refusal(self, text: str) -> None:
        """A change that did not stand (a conflict); stays until dismissed or the next one."""
        if self.offline:
            return  # being offline is what the user must see first
        self.frame.setStyleSheet(REFUSAL_STYLE)
        self.text_label.set_full_text(text)
        self.save_copy_button.hide()
        self.reconnect_button.hide()
        self.dismiss_button.show()
        self.show()

    def show_online(self) -> None:
        if self.offline:
            self.offline = False
            self.hide()

    def clear_refusal(self) -> None:
        if not self.offline:
            self.hide()

    @property
    def text(self) -> str:
        return self.text_label.full_text
