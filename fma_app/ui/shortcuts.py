"""Help > Keyboard Shortcuts, built from the menus' own actions so the list cannot go stale."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QTextBrowser, QVBoxLayout, QWidget

from fma_app.ui.worksheet_panel import PASTE_RULES

# Keys that are not menu actions.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Typing, F2", "Edit the current cell (typing replaces it)"),
    ("Enter", "Commit the edit and move down"),
    ("Tab / Shift+Tab", "Commit the edit and move right / left"),
    ("Esc", "Cancel the edit; in the filter box, clear the filter"),
    ("Del (in the actions table)", "Delete the selected actions"),
)


def shortcut_rows(
    menus: Iterable[QMenu], step_actions: Iterable[QAction], notes: dict[QAction, str]
) -> list[tuple[str, str]]:
    """(keys, what they do) for every menu action with a shortcut, then the other keys.
    `step_actions` (Undo, Redo) are listed without the step they would undo right now; `notes`
    add where an action works ("in the components list")."""
    steps = set(step_actions)
    rows = []
    for menu in menus:
        for action in menu.actions():
            keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
            if not keys or not action.text():
                continue
            text = action.text().replace("&", "")
            if action in steps:
                text = text.split(" ")[0]
            rows.append((" or ".join(keys), text + notes.get(action, "")))
    return rows + list(OTHER_KEYS)


def shortcuts_html(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(t)}</td></tr>"
        for k, t in rows
    )
    return (
        f"<h3>Keyboard shortcuts</h3><table>{cells}</table>"
        f"<h3>Copy and paste</h3><p>{html.escape(PASTE_RULES)}</p>"
    )


def show_shortcuts(parent: QWidget, rows: list[tuple[str, str]]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard Shortcuts")
    browser = QTextBrowser(dialog)
    browser.setHtml(shortcuts_html(rows))
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    dialog.resize(520, 560)
    dialog.show()
    return dialog
