"""The import dialog's item models: the preview of a sheet's rows and the list of problems.

`PreviewModel` shows one row of fields, then the rows below the header as the import reads them.
Column 0 is the sheet's row number with a check box (unchecked: the row is not imported); each
other column is one column of the sheet, headed by its letter and header text. The field row is
edited through a combo (`FieldDelegate`); the model does not change the mapping itself, it says
what the user chose (`field_chosen`, `row_excluded`) and the dialog reads the sheet again.
Cells a problem names are tinted and carry the problem as their tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from fma_app.reports.spreadsheet_import import (
    FIELDS,
    ColumnLayout,
    PreviewRow,
    ProblemLocation,
    SheetLayout,
    problem_location,
)

Index = QModelIndex | QPersistentModelIndex
FIELD_ROW = 0  # the row of combos
NOT_READ = ""  # a column no field reads (detection found nothing and nothing is mapped)
IGNORE = "ignore"
PROBLEM_TINT = QColor(255, 214, 214)
EXCLUDED_TEXT = QColor(150, 150, 150)
FIELD_ROW_TINT = QColor(236, 242, 250)


def field_label(key: str) -> str:
    """What the combo shows for a field key ("failure_mode" -> "Failure mode")."""
    if key == NOT_READ:
        return "(not read)"
    if key == IGNORE:
        return "(ignore)"
    return key.replace("_", " ").capitalize()


def current_field(column: ColumnLayout) -> str:
    """The key the combo shows for a column: its field, "ignore", or NOT_READ."""
    if column.field is not None:
        return column.field
    if column.mapped or column.detected == IGNORE:
        return IGNORE
    return NOT_READ


def is_read(column: ColumnLayout) -> bool:
    """Whether the import reads anything from the column ("ignore" is a field that reads
    nothing: RPN columns are recomputed)."""
    return column.field not in (None, IGNORE)


def field_choices(column: ColumnLayout) -> list[str]:
    """The keys offered for a column: every field, and "(not read)" first for a column that
    detection did not recognise (choosing it drops the mapping)."""
    return ([NOT_READ] if column.detected is None else []) + list(FIELDS)


class PreviewModel(QAbstractTableModel):
    field_chosen = Signal(object, str)  # ColumnLayout, field key (NOT_READ: as detected)
    row_excluded = Signal(int, bool)  # sheet row number, excluded

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layout: SheetLayout | None = None
        self.rows: list[PreviewRow] = []
        self.fields: list[str] = []  # per layout column, what the combo shows
        self.excluded: set[int] = set()
        self.problems: dict[tuple[int, int], list[str]] = {}  # (row, column) -> problems

    # ---- content -------------------------------------------------------------------------
    def set_content(self, layout: SheetLayout | None, rows: list[PreviewRow]) -> None:
        """Show a sheet's layout and rows. When the columns are the same ones (the user chose
        a field or left a row out), the rows change in place: the field combos stay open."""
        if layout is None or self.layout is None or _shape(layout) != _shape(self.layout):
            self.beginResetModel()
            self._take(layout, rows)
            self.endResetModel()
            return
        old, new = len(self.rows), len(rows)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new + 1, old)
            self.rows = self.rows[:new]
            self.endRemoveRows()
        elif new > old:
            self.beginInsertRows(QModelIndex(), old + 1, new)
            self.rows = self.rows + list(rows[old:])
            self.endInsertRows()
        self._take(layout, rows)
        last = self.index(self.rowCount() - 1, self.columnCount() - 1)
        self.dataChanged.emit(self.index(0, 0), last)

    def _take(self, layout: SheetLayout | None, rows: list[PreviewRow]) -> None:
        self.layout, self.rows = layout, list(rows)
        self.fields = [current_field(c) for c in layout.columns] if layout else []
        self.excluded = {row.number for row in rows if row.excluded}

    def set_problems(self, sheet: str | None, problems: list[str]) -> None:
        """Tint the cells of this sheet that `problems` name."""
        found: dict[tuple[int, int], list[str]] = {}
        for problem in problems:
            where = problem_location(problem)
            if where is not None and where.sheet == sheet:
                found.setdefault((where.row, where.column), []).append(problem)
        self.problems = found
        if self.rowCount() and self.columnCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.BackgroundRole])

    @property
    def columns(self) -> list[ColumnLayout]:
        return self.layout.columns if self.layout else []

    def column_layout(self, section: int) -> ColumnLayout | None:
        return self.columns[section - 1] if 0 < section <= len(self.columns) else None

    def index_of(self, location: ProblemLocation) -> QModelIndex:
        """The preview cell of a sheet cell (the row's number cell when the column is not
        shown); invalid when the row is not in the preview."""
        for position, row in enumerate(self.rows, start=1):
            if row.number == location.row:
                section = next(
                    (s for s, c in enumerate(self.columns, start=1) if c.column == location.column),
                    0,
                )
                return self.index(position, section)
        return QModelIndex()

    # ---- Qt's model interface ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.layout is None else len(self.rows) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.layout is None else len(self.columns) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        column = self.column_layout(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if column is None:
                return "Row"
            return f"{column.letter}\n{_short(column.header)}" if column.header else column.letter
        if role == Qt.ItemDataRole.ToolTipRole and column is not None:
            detected = field_label(column.detected) if column.detected else "not recognised"
            header = column.header or "(no header)"
            return f"Column {column.letter}: {header}\nDetected as: {detected}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        enabled = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.row() == FIELD_ROW:
            return enabled | Qt.ItemFlag.ItemIsEditable if index.column() else enabled
        if index.column() == 0:
            return enabled | Qt.ItemFlag.ItemIsUserCheckable
        return enabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.layout is None:
            return None
        if index.row() == FIELD_ROW:
            return self._field_data(index.column(), role)
        row = self.rows[index.row() - 1]
        excluded = row.number in self.excluded
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(row.number)
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Unchecked if excluded else Qt.CheckState.Checked
            if role == Qt.ItemDataRole.ToolTipRole:
                state = "not imported" if excluded else "imported; uncheck to leave it out"
                return f"Row {row.number}: {state}"
            return None
        column = self.columns[index.column() - 1]
        problems = self.problems.get((row.number, column.column), [])
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.cells[index.column() - 1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(problems) or row.cells[index.column() - 1] or None
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return QBrush(PROBLEM_TINT)
        if role == Qt.ItemDataRole.ForegroundRole and (excluded or not is_read(column)):
            return QBrush(EXCLUDED_TEXT)
        if role == Qt.ItemDataRole.FontRole and excluded:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None

    def _field_data(self, section: int, role: int) -> object:
        column = self.column_layout(section)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(FIELD_ROW_TINT)
        if column is None:
            return "Field" if role == Qt.ItemDataRole.DisplayRole else None
        key = self.fields[section - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return field_label(key)
        if role == Qt.ItemDataRole.EditRole:
            return key
        if role == Qt.ItemDataRole.FontRole and column.mapped:
            font = QFont()
            font.setBold(True)  # the user's choice, not detection's
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            how = "chosen by you" if column.mapped else "detected"
            return f"Column {column.letter} is read as {field_label(key)} ({how})"
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.layout is None:
            return False
        if index.row() == FIELD_ROW and index.column() and role == Qt.ItemDataRole.EditRole:
            column = self.columns[index.column() - 1]
            key = str(value)
            if key not in field_choices(column) or key == self.fields[index.column() - 1]:
                return False
            self.fields[index.column() - 1] = key
            self.dataChanged.emit(index, index)
            self.field_chosen.emit(column, key)
            return True
        if index.row() != FIELD_ROW and index.column() == 0:
            if role != Qt.ItemDataRole.CheckStateRole:
                return False
            number = self.rows[index.row() - 1].number
            excluded = Qt.CheckState(value) == Qt.CheckState.Unchecked
            if excluded == (number in self.excluded):
                return False
            (self.excluded.add if excluded else self.excluded.discard)(number)
            last = self.index(index.row(), self.columnCount() - 1)
            self.dataChanged.emit(index, last)
            self.row_excluded.emit(number, excluded)
            return True
        return False


def _shape(layout: SheetLayout) -> list[tuple[int, str, str | None]]:
    """What the header cells and the combos are built from."""
    return [(c.column, c.header, c.detected) for c in layout.columns]


def _short(header: str, limit: int = 28) -> str:
    """A header for the column title: the last of its stacked texts, elided in the middle."""
    text = " ".join(header.split(" / ")[-1].split())
    return text if len(text) <= limit else text[: limit // 2 - 1] + "\u2026" + text[-limit // 2 :]


class FieldDelegate(QStyledItemDelegate):
    """The field row's combo: every field, the detected one marked; a choice applies at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        column = model.column_layout(index.column()) if isinstance(model, PreviewModel) else None
        if index.row() != FIELD_ROW or column is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        combo.setObjectName(f"fieldCombo{column.letter}")
        for key in field_choices(column):
            marker = " (detected)" if key and key == column.detected else ""
            combo.addItem(field_label(key) + marker, key)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            found = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(found, 0))
            font = editor.font()
            font.setBold(isinstance(index.data(Qt.ItemDataRole.FontRole), QFont))  # chosen
            editor.setFont(font)
            editor.setToolTip(str(index.data(Qt.ItemDataRole.ToolTipRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


@dataclass(frozen=True)
class Problem:
    text: str
    location: ProblemLocation | None


class ProblemsModel(QAbstractListModel):
    """The problems that refuse the import, one a row; those with a cell say so."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.problems: list[Problem] = []

    def set_problems(self, problems: list[str]) -> None:
        self.beginResetModel()
        self.problems = [Problem(text, problem_location(text)) for text in problems]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.problems)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.problems):
            return None
        problem = self.problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return problem.text
        if role == Qt.ItemDataRole.ToolTipRole:
            if problem.location is None:
                return problem.text
            return f"{problem.text}\n(click to show the cell in the preview)"
        if role == Qt.ItemDataRole.UserRole:
            return problem.location
        return None
