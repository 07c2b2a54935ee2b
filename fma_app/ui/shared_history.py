"""File > History for a shared model: who changed what, when, from which value to which.

`HistoryTableModel` is a read-only table over the session's history entries (newest first);
`HistoryWindow` puts it in a window with two filters, by component and by person. The window
asks its `load` function (the session's `history`) for the entries of the chosen component and
person, so the filtering is the server's: a long history never travels whole to be filtered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.model import Model
from fma_app.storage.shared.errors import SharedStoreError

TITLE = "History"
ALL_COMPONENTS = "All components"
ALL_PEOPLE = "Everyone"
COLUMNS = ("When", "Who", "Item", "Field", "Old value", "New value")
MAX_COLUMN_PX = 280
REFRESH_DELAY_MS = 300  # a burst of changes reloads the history once

AnyIndex = QModelIndex | QPersistentModelIndex


class HistoryEntryLike(Protocol):
    """One recorded change, as the shared session's `history()` returns it
    (`fma_app.storage.shared.history.HistoryEntry`)."""

    @property
    def user(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def item(self) -> str: ...
    @property
    def op(self) -> str: ...  # added, removed, changed, replaced
    @property
    def field_label(self) -> str: ...  # empty when the whole item was added or removed
    @property
    def old_text(self) -> str: ...  # the value as the command line shows it (text quoted)
    @property
    def new_text(self) -> str: ...
    @property
    def old(self) -> object: ...  # the plain value
    @property
    def new(self) -> object: ...


LoadHistory = Callable[[int | None, str | None], Sequence[HistoryEntryLike]]


def value_text(value: object, as_printed: str) -> str:
    """A value in a table cell: text as it is (on one line, not quoted as the command line
    prints it), anything else as printed."""
    if isinstance(value, str):
        return " ".join(value.split("\n"))
    return as_printed


def local_time(moment: dt.datetime) -> str:
    """The user's local time to the second (the server stores UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class HistoryTableModel(QAbstractTableModel):
    """The history entries, one row each, newest first (the session gives them oldest first)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._entries: list[HistoryEntryLike] = []

    def set_entries(self, entries: Sequence[HistoryEntryLike]) -> None:
        self.beginResetModel()
        self._entries = list(reversed(entries))
        self.endResetModel()

    def entry(self, row: int) -> HistoryEntryLike:
        return self._entries[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self._entries[index.row()]
        values = (
            local_time(entry.at),
            entry.user,
            entry.item,
            entry.field_label or entry.op,  # a whole item added or removed
            value_text(entry.old, entry.old_text),
            value_text(entry.new, entry.new_text),
        )
        return values[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return section + 1


class HistoryWindow(QDialog):
    """The history of one shared model, filtered by component and by person; it reloads a
    moment after the model changes (the user's own edits and other people's)."""

    def __init__(self, model: Model, load: LoadHistory, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("historyWindow")
        self._load = load
        self.table_model = HistoryTableModel(self)
        self.component_filter = QComboBox(self)
        self.component_filter.setObjectName("historyComponent")
        self.person_filter = QComboBox(self)
        self.person_filter.setObjectName("historyPerson")
        self.view = QTableView(self)
        self.view.setModel(self.table_model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.count_label = QLabel(self)
        self._build_layout()
        self.fill_components(model)
        self.reload_timer = QTimer(self)
        self.reload_timer.setSingleShot(True)
        self.reload_timer.setInterval(REFRESH_DELAY_MS)
        self.reload_timer.timeout.connect(self.reload)
        self.component_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.person_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.resize(900, 480)
        self.reload()

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Component:", self))
        filters.addWidget(self.component_filter, 1)
        filters.addSpacing(12)
        filters.addWidget(QLabel("Person:", self))
        filters.addWidget(self.person_filter, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

    def fill_components(self, model: Model) -> None:
        """The components to filter by, by name, keeping the chosen one while it exists."""
        chosen = self.component_filter.currentData()
        self.component_filter.blockSignals(True)
        self.component_filter.clear()
        self.component_filter.addItem(ALL_COMPONENTS, None)
        for component in sorted(model.components.values(), key=lambda c: c.name.casefold()):
            self.component_filter.addItem(component.name, component.id)
        found = self.component_filter.findData(chosen) if chosen is not None else 0
        self.component_filter.setCurrentIndex(max(found, 0))
        self.component_filter.blockSignals(False)

    def _fill_people(self, people: set[str]) -> None:
        chosen = self.person_filter.currentData()
        known = {self.person_filter.itemData(i) for i in range(1, self.person_filter.count())}
        if people <= known and self.person_filter.count():
            return
        self.person_filter.blockSignals(True)
        self.person_filter.clear()
        self.person_filter.addItem(ALL_PEOPLE, None)
        for person in sorted(people | known, key=str.casefold):
            self.person_filter.addItem(person, person)
        found = self.person_filter.findData(chosen) if chosen is not None else 0
        self.person_filter.setCurrentIndex(max(found, 0))
        self.person_filter.blockSignals(False)

    def schedule_reload(self) -> None:
        """Reload in a moment (the model changed); several changes in a row reload once."""
        self.reload_timer.start()

    def reload(self) -> None:
        component_id = self.component_filter.currentData()
        person = self.person_filter.currentData()
        try:
            entries = self._load(component_id, person)
        except SharedStoreError as error:  # the server went away: keep what is shown
            self.count_label.setText(f"History unavailable: {error}")
            return
        self.table_model.set_entries(entries)
        self._fill_people({entry.user for entry in entries})
        self.view.resizeColumnsToContents()
        for column in range(len(COLUMNS) - 1):  # long item names and values: a tooltip away
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), MAX_COLUMN_PX))
        self.count_label.setText(f"{len(entries)} change{'' if len(entries) == 1 else 's'}")
