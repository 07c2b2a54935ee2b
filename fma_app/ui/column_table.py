"""A read-mostly table model over a list of rows whose columns are declared once.

The panels and dialogs that list things (the availability figures and contributors, the review
findings, the trace import preview, the library chooser) each show a list of rows in a few fixed
columns. A `TableColumn` says, in one place, a column's header and header tooltip, how a row reads
in it, its alignment, its cell tooltip and its sort key; `ColumnTableModel` answers Qt from those.
What is special to a model (check boxes, colours, a role of its own) goes in `role_data`, and
`flags`/`setData` stay the model's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Row = TypeVar("Row")
AnyIndex = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the column's sort key (its text when it has none)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class TableColumn(Generic[Row]):
    """One column: its header, how a row reads in it, and how it is shown and sorted."""

    header: str
    text: Callable[[Row], str]
    tip: str = ""  # the header's tooltip, and the cells' where `cell_tip` gives none
    align: Qt.AlignmentFlag | None = None  # None: the style's (left)
    cell_tip: Callable[[Row], str | None] | None = None
    sort_key: Callable[[Row], object] | None = None  # None: the text


class ColumnTableModel(QAbstractTableModel, Generic[Row]):
    """Rows of one type in the declared columns; `set_rows` replaces them all."""

    def __init__(
        self,
        columns: Sequence[TableColumn[Row]],
        rows: Sequence[Row] = (),
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.columns: tuple[TableColumn[Row], ...] = tuple(columns)
        self.rows: list[Row] = list(rows)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def refresh_all(self) -> None:
        """Every cell may read differently (the rows are the same ones): repaint, keeping the
        selection and the sort."""
        if self.rows:
            last = self.index(len(self.rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def row_at(self, index: AnyIndex) -> Row | None:
        """The row an index of this model is on, or None for an invalid index."""
        valid = index.isValid() and 0 <= index.row() < len(self.rows)
        return self.rows[index.row()] if valid else None

    # ---- the Qt interface --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tip or None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index)
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        special = self.role_data(row, index, role)
        if special is not None:
            return special
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column.cell_tip(row) if column.cell_tip else None
            return tip or column.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return None if column.align is None else int(column.align)
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.text(row)
        return None

    def role_data(self, row: Row, index: AnyIndex, role: int) -> object:
        """What this model says for a role beyond the columns' (None: the columns answer)."""
        return None
