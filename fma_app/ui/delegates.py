"""Item delegates: 1-10 score editors that explain the rating scale, and an action status combo.

The editors can only produce valid values (a spin box limited to 1-10, or empty for not rated
yet), and the models validate again through the domain commands, so invalid input never reaches
the model.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from fma_app.domain.model import ActionStatus
from fma_app.presentation import rating_scales
from fma_app.ui.cell_painter import CellPainter
from fma_app.ui.worksheet_model import COLUMN_KEY_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
NO_SCORE_TEXT = "-"  # what an empty score editor shows at 0: not rated yet / no revised score


def column_key(index: AnyIndex) -> str:
    key = index.model().headerData(index.column(), Qt.Orientation.Horizontal, COLUMN_KEY_ROLE)
    return str(key or "")


class ScoreSpinBox(QSpinBox):
    """1-10 (0 = no score when `optional`), with the scale's meaning in the tooltip."""

    def validate(self, text: str, pos: int) -> object:
        """An optional box takes an emptied text as "-" (not rated / no score); a typed 0 is
        not a score and is not taken, so it cannot clear one by accident."""
        if self.minimum() == 0:
            body = text.removeprefix(self.prefix()).strip()
            if body == "":
                return QValidator.State.Acceptable, text, pos
            if body.isdigit() and int(body) == 0:
                return QValidator.State.Invalid, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> int:
        body = text.removeprefix(self.prefix()).strip()
        if self.minimum() == 0 and body in ("", self.specialValueText()):
            return 0
        return super().valueFromText(text)

    def is_cleared(self) -> bool:
        """The user emptied the text (Delete, Backspace): not rated yet, for an optional box.
        QSpinBox itself would fall back to the previous value."""
        return self.minimum() == 0 and self.text().strip() in ("", self.prefix().strip())

    def __init__(self, field: str, optional: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.setRange(0 if optional else 1, 10)
        if optional:
            self.setSpecialValueText(NO_SCORE_TEXT)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.valueChanged.connect(self._explain)
        self._explain(self.value())

    def _explain(self, value: int) -> None:
        self.setToolTip(rating_scales.scale_tooltip(self.field, value))
        self.setStatusTip(rating_scales.meaning(self.field, value))


class ScoreDelegate(CellPainter):
    """Editor for S/L/D and revised S/L/D columns; the column key comes from the header."""

    score_explained = Signal(str)  # the meaning of the score being chosen, for the status bar

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        key = column_key(index)
        field = key.removeprefix("revised_")
        # Every score may be cleared: S/L/D to "not rated yet", revised ones to "none".
        editor = ScoreSpinBox(field, optional=True, parent=parent)
        editor.valueChanged.connect(
            lambda v: self.score_explained.emit(rating_scales.meaning(field, v))
        )
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, ScoreSpinBox)
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setValue(int(value) if isinstance(value, int) else editor.minimum())
        editor.selectAll()  # a typed digit replaces the score instead of appending to it
        self.score_explained.emit(rating_scales.meaning(editor.field, editor.value()))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, ScoreSpinBox)
        if editor.is_cleared():
            model.setData(index, "", Qt.ItemDataRole.EditRole)
            return
        editor.interpretText()
        value = editor.value()
        model.setData(index, "" if value == 0 else value, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        rect = option.rect
        editor.setGeometry(rect.adjusted(0, 0, max(0, 56 - rect.width()), 0))


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
