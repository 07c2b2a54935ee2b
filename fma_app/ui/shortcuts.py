"""Help > Keyboard Shortcuts, built from the actions themselves so the list cannot go stale.

The rows come from the menus' actions, then from every other action with a shortcut that the
window and its panels own (the graph's C, B, Ctrl+L, zoom keys, the actions table's Del), then
the keys that are not actions: the editors' keys below and each panel's own `KEY_HELP` (the graph
canvas's F2, Del, Space+drag...).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QTextBrowser, QVBoxLayout, QWidget

from fma_app.ui.worksheet_panel import PASTE_RULES

# Keys that are not menu actions.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Typing, F2", "Edit the current cell (typing replaces it)"),
    ("Enter", "Commit the edit and move down"),
    ("Tab / Shift+Tab", "Commit the edit and move right / left"),
    ("Esc", "Cancel the edit; in the filter box, clear the filter"),
)


def action_keys(action: QAction) -> str:
    """The action's shortcuts as the dialog shows them ("Ctrl+Shift+N or Ins")."""
    return " or ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
    )


def menu_actions(menu: QMenu) -> list[QAction]:
    """The menu's actions, those of its submenus included, in menu order."""
    found: list[QAction] = []
    for action in menu.actions():
        submenu = action.menu()
        found.extend(menu_actions(submenu) if isinstance(submenu, QMenu) else [action])
    return found


def shortcut_rows(
    menus: Iterable[QMenu],
    step_actions: Iterable[QAction],
    notes: dict[QAction, str],
    more_actions: Iterable[QAction] = (),
    where: Callable[[QAction], str] = lambda _action: "",
    other_keys: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut: the menus' first, then
    `more_actions` (the panels' own), then the editors' keys and `other_keys`.
    `step_actions` (Undo, Redo) are listed without the step they would undo right now; `notes`
    (or else `where`) add where an action works ("in the components list")."""
    steps = set(step_actions)
    in_menus = [a for menu in menus for a in menu_actions(menu)]
    menu_set = set(in_menus)
    rows: list[tuple[str, str]] = []
    seen: set[QAction] = set()
    for action in in_menus + list(more_actions):
        keys = action_keys(action)
        if action in seen or not keys or not action.text():
            continue
        seen.add(action)
        text = action.text().replace("&", "").rstrip(".\u2026")
        if action in steps:
            text = text.split(" ")[0]
        # A menu action works everywhere; a panel's own works where its panel has the focus.
        note = notes.get(action, "" if action in menu_set else where(action))
        rows.append((keys, text + note))
    return rows + list(OTHER_KEYS) + list(other_keys)


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
    dialog.resize(560, 720)  # the whole list at once on a 768-pixel screen
    dialog.show()
    return dialog
