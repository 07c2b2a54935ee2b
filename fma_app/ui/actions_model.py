"""The actions table of one failure mode: a table model keyed by action id, edited in place
through the document's edit gate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from fma_app.domain.commands import Change, Command, set_fields
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import Action, Model
from fma_app.ui.document import Document
from fma_app.ui.qt_style import CLOSED_TEXT_COLOUR

AnyIndex = QModelIndex | QPersistentModelIndex
ACTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("description", "Action"),
    ("owner", "Owner"),
    ("due_date", "Due"),
    ("status", "Status"),
    ("action_taken", "Action Taken"),
)


def parse_due_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"due date {text!r} is not a date like 2026-03-31") from None


class ActionsModel(QAbstractTableModel):
    """The actions of one failure mode, keyed by action id."""

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.failure_mode_id = 0
        self._ids: list[int] = []
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(lambda: self.set_failure_mode(0))

    def set_failure_mode(self, failure_mode_id: int) -> None:
        self.beginResetModel()
        self.failure_mode_id = failure_mode_id
        actions = self.document.model.actions_of(failure_mode_id) if failure_mode_id else []
        self._ids = [a.id for a in actions]
        self.endResetModel()

    def action(self, row: int) -> Action:
        return self.document.model.actions[self._ids[row]]

    def row_of(self, action_id: int) -> int | None:
        return self._ids.index(action_id) if action_id in self._ids else None

    def _on_changed(self, changes: list[Change]) -> None:
        actions = self.document.model.actions
        for change in changes:
            fm_removed = change.kind == "failure_mode" and change.op == "removed"
            if fm_removed and self.failure_mode_id in change.ids:
                self.set_failure_mode(0)
            if change.kind != "action" or not self.failure_mode_id:
                continue
            for action_id in change.ids:
                row = self.row_of(action_id)
                if change.op == "removed" and row is not None:
                    self.beginRemoveRows(QModelIndex(), row, row)
                    del self._ids[row]
                    self.endRemoveRows()
                elif change.op == "added" and row is None:
                    action = actions.get(action_id)
                    if action is not None and action.failure_mode_id == self.failure_mode_id:
                        self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids))
                        self._ids.append(action_id)
                        self.endInsertRows()
                elif change.op == "changed" and row is not None:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 4))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ACTION_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(ACTION_COLUMNS)
        ):
            return ACTION_COLUMNS[section][1]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags if self.document.read_only else flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        action = self.document.model.actions.get(self._ids[index.row()])
        if action is None:  # removed by a command whose other rows are still going
            return None
        key = ACTION_COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            value = getattr(action, key)
            if key == "due_date":
                return value.isoformat() if value else ""
            return value.value if key == "status" else value
        if role == Qt.ItemDataRole.ForegroundRole and action.status.is_closed:
            return CLOSED_TEXT_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole and key in ("description", "action_taken"):
            return getattr(action, key) or None
        if role == Qt.ItemDataRole.ToolTipRole and key == "due_date":
            return "A date like 2026-03-31, or empty"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """One cell through the document's gate; False when refused or unchanged."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        action_id = self._ids[index.row()]
        key = ACTION_COLUMNS[index.column()][0]
        command = self.document.apply(lambda model: action_command(model, action_id, key, value))
        return command is not None


def action_command(model: Model, action_id: int, key: str, value: object) -> Command | None:
    """Set one field of an action from what the table's editor holds; None when unchanged."""
    action = model.actions[action_id]
    clean = parse_due_date(value) if key == "due_date" else value
    current = getattr(action, key)
    if current == clean or (key == "status" and current.value == clean):
        return None
    return set_fields(model, "action", action_id, **{key: clean})
