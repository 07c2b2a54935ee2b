"""Item delegates: 1-10 score editors that explain the rating scale, and an action status combo.

The score editors take whatever is typed and hand it to the model, whose edit gate refuses
anything but a whole number 1-10 (or empty: not rated yet) with a message; an editor never turns
what was typed into a different valid score.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from fma_app.domain.model import ActionStatus
from fma_app.presentation import rating_scales
from fma_app.ui.cell_painter import CellPainter
from fma_app.ui.qt_style import SCORE_HINT_COLOUR
from fma_app.ui.worksheet_model import COLUMN_KEY_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
NO_SCORE_TEXT = "-"  # what an empty score editor shows at 0: not rated yet / no revised score


def column_key(index: AnyIndex) -> str:
    key = index.model().headerData(index.column(), Qt.Orientation.Horizontal, COLUMN_KEY_ROLE)
    return str(key or "")


class ScoreEdit(QLineEdit):
    """A 1-10 score typed as text; empty means not rated yet (or no revised score).

    A line edit rather than a spin box: a spin box limited to 1-10 drops the second key of `11`
    and stores 1 without a word. This editor keeps every key, and whoever commits its text sends
    it through the document's gate, which refuses anything but a whole number 1-10 with a
    message and keeps the old score. `committed` carries the text when editing finishes (Enter,
    Tab, leaving the box), and `setValue` commits as if the user had typed the value.
    """

    committed = Signal(str)

    def __init__(self, field: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.hint: int | None = None  # a library's suggestion, grey while the box is empty
        self.setPlaceholderText(NO_SCORE_TEXT)
        palette = self.palette()  # the worksheet's grey for suggested scores
        palette.setColor(QPalette.ColorRole.PlaceholderText, SCORE_HINT_COLOUR)
        self.setPalette(palette)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.textChanged.connect(self._explain)
        self.editingFinished.connect(lambda: self.committed.emit(self.text().strip()))
        self._explain(self.text())

    def value(self) -> int:
        """The score shown, 0 when the box is empty or holds no valid score."""
        body = self.text().strip()
        return int(body) if body.isdigit() and 1 <= int(body) <= 10 else 0

    def show_value(self, value: int | None) -> None:
        """Show a score (None or 0: empty) without committing it."""
        self.setText(str(value) if value else "")

    def show_hint(self, hint: int | None) -> None:
        """Show a suggested score grey in the empty box (as placeholder text: it is never the
        box's value, so the score stays not rated until one is typed); None: no suggestion."""
        self.hint = hint
        self.setPlaceholderText(NO_SCORE_TEXT if hint is None else str(hint))
        self._explain(self.text())

    def setValue(self, value: int | None) -> None:
        """Set and commit a score, as typing it and pressing Enter would (0 or None: clear)."""
        self.show_value(value)
        self.committed.emit(self.text())

    def _explain(self, _text: str) -> None:
        value = self.value() or None
        if self.hint is not None and not self.text().strip():
            tip = rating_scales.hinted_scale_tooltip(self.field, self.hint)
        else:
            tip = rating_scales.scale_tooltip(self.field, value)
        self.setToolTip(tip)
        self.setStatusTip(rating_scales.meaning(self.field, value) if value else "")


class ScoreDelegate(CellPainter):
    """Editor for S/L/D and revised S/L/D columns; the column key comes from the header.

    The typed text goes to the model as it is: the model's edit gate refuses `11`, `0`, `1.5`,
    `abc` with a message in the status bar and keeps the old score; an emptied editor clears it.
    """

    score_explained = Signal(str)  # the meaning of the score being chosen, for the status bar

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        field = column_key(index).removeprefix("revised_")
        editor = ScoreEdit(field, parent=parent)
        editor.textChanged.connect(
            lambda _text: self.score_explained.emit(
                rating_scales.meaning(field, editor.value()) if editor.value() else ""
            )
        )
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, ScoreEdit)
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.show_value(value if isinstance(value, int) else None)
        editor.selectAll()  # a typed digit replaces the score instead of appending to it

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, ScoreEdit)
        model.setData(index, editor.text().strip(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        rect = option.rect
        editor.setGeometry(rect.adjusted(0, 0, max(0, 40 - rect.width()), 0))


class StatusDelegate(QStyledItemDelegate):
    """Action status as a combo box of the four statuses."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems([status.value for status in ActionStatus])
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findText(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.setCurrentIndex(max(position, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ComponentDelegate(CellPainter):
    """The worksheet's Component cell: choose among the components (moves the failure mode)."""

    def __init__(self, names: Callable[[], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.names = names

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems(self.names())
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findText(str(index.data())), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class DueDateEdit(QDateEdit):
    """A date with a calendar; Delete empties it (no due date), shown blank."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(QDate(1900, 1, 1))
        self.setSpecialValueText(" ")  # at the minimum date: no due date
        self.setToolTip("Pick a date in the calendar, or type it; Delete: no due date")
        self.setMinimumWidth(due_date_width(self))

    def is_empty(self) -> bool:
        return self.date() == self.minimumDate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and not event.modifiers():
            self.setDate(self.minimumDate())
            return
        super().keyPressEvent(event)


class DueDateDelegate(QStyledItemDelegate):
    """A due date chosen in a date editor with a calendar (see `DueDateEdit`); the model takes
    ISO text (`2026-03-31`), or empty for no due date."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        return DueDateEdit(parent)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, DueDateEdit)
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        date = QDate.fromString(text, Qt.DateFormat.ISODate)
        editor.setDate(date if date.isValid() else QDate.currentDate())

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, DueDateEdit)
        date = editor.date()
        text = "" if editor.is_empty() else date.toString(Qt.DateFormat.ISODate)
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        rect = option.rect
        editor.setGeometry(rect.adjusted(0, 0, max(0, editor.minimumWidth() - rect.width()), 0))


def due_date_width(editor: QWidget) -> int:
    """Wide enough for `2026-12-31` and the calendar button."""
    return editor.fontMetrics().horizontalAdvance("2026-12-31") + 44
