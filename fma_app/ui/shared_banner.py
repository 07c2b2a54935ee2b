"""The strip above the worksheet that says what a shared model needs the user to know now:
the server is gone (edits wait, a copy can be saved, it reconnects on its own), or the last
change was refused because someone else changed the same thing first.

It is a plain widget with signals; `SharedModelController` decides what it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

OFFLINE_STYLE = "QFrame#sharedBanner { background: #fff4ce; border-bottom: 1px solid #c8a600; }"
REFUSAL_STYLE = "QFrame#sharedBanner { background: #fde7e9; border-bottom: 1px solid #c50f1f; }"


class SharedBanner(QFrame):
    save_copy_requested = Signal()
    reconnect_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sharedBanner")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("sharedBannerText")
        self.text_label.setWordWrap(True)
        self.save_copy_button = QPushButton("Save a Copy...", self)
        self.reconnect_button = QPushButton("Reconnect Now", self)
        self.dismiss_button = QPushButton("Dismiss", self)
        self.save_copy_button.clicked.connect(self.save_copy_requested)
        self.reconnect_button.clicked.connect(self.reconnect_requested)
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text_label, 1)
        for button in (self.save_copy_button, self.reconnect_button, self.dismiss_button):
            layout.addWidget(button)
        self.offline = False
        self.hide()

    def show_offline(self, text: str) -> None:
        """The server is gone: the window keeps its content, refuses edits, offers a copy."""
        self.offline = True
        self.setStyleSheet(OFFLINE_STYLE)
        self.text_label.setText(text)
        self.save_copy_button.show()
        self.reconnect_button.show()
        self.dismiss_button.hide()  # it goes away by itself when the server is back
        self.show()

    def show_refusal(self, text: str) -> None:
        """A change that did not stand (a conflict); stays until dismissed or the next one."""
        if self.offline:
            return  # being offline is what the user must see first
        self.setStyleSheet(REFUSAL_STYLE)
        self.text_label.setText(text)
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
        return self.text_label.text()
