"""A delegate that paints worksheet cells from one prepared tuple, with cached laid-out text.

Qt's own `QStyledItemDelegate.paint` asks the model seven roles per cell (seven Python calls)
and lays the text out with a fresh `QTextLayout` each time. Measured on the 20,000-row
worksheet (1600 x 1000 window, about 700 cells): 75-85 ms per repaint, about 60 ms of it the
text layout. This delegate asks one role (`PAINT_ROLE`: text, foreground, background, centred,
bold), and draws the text as a `QStaticText` kept per (text, width, bold), as the style does:
selection highlight or the cell's background, the text elided on the right with the style's
margins, the focus frame on the current cell. Editing is left to `QStyledItemDelegate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QWidget,
)

from fma_app.ui.qt_style import SCORE_HINT_COLOUR
from fma_app.ui.worksheet_model import PAINT_ROLE, PaintedCell

AnyIndex = QModelIndex | QPersistentModelIndex
CACHE_LIMIT = 50_000  # laid-out texts kept; cleared when full (a screenful is about 700)

_ELIDE = Qt.TextElideMode.ElideRight
_SELECTED = QStyle.StateFlag.State_Selected.value
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_NORMAL, _INACTIVE, _DISABLED = (
    QPalette.ColorGroup.Normal, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled
)  # fmt: skip
_HIGHLIGHT = QPalette.ColorRole.Highlight
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_TEXT = QPalette.ColorRole.Text


def hint_on_highlight(palette: QPalette, group: QPalette.ColorGroup) -> QColor:
    """A library's suggested score in a selected cell: the highlighted text faded halfway into
    the highlight, so a hint still looks unlike a score the user set (plain highlighted text
    made a selected hint read as a rating)."""
    text, fill = palette.color(group, _HIGHLIGHTED_TEXT), palette.color(group, _HIGHLIGHT)
    return QColor(
        (text.red() + fill.red()) // 2,
        (text.green() + fill.green()) // 2,
        (text.blue() + fill.blue()) // 2,
    )


class CellPainter(QStyledItemDelegate):
    """Paints a cell from the model's `PAINT_ROLE`; falls back to Qt's paint without it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._texts: dict[tuple[str, int, bool], QStaticText | str] = {}
        self._base_font: QFont | None = None
        self._fonts: dict[bool, tuple[QFont, QFontMetrics]] = {}
        self._margin: int | None = None  # the style's, asked once
        self._cells: Callable[[int, int], PaintedCell | None] | None = None

    def read_cells_from(self, cells: Callable[[int, int], PaintedCell | None]) -> None:
        """Take each cell's `PAINT_ROLE` tuple from `cells(row, column)` of the view's rows
        (a view whose proxy keeps the source's rows one to one) instead of from `data()`: a
        `data()` call through the proxy cost more than the rest of the cell's Python."""
        self._cells = cells

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        cells = self._cells
        prepared = index.data(PAINT_ROLE) if cells is None else cells(index.row(), index.column())
        if prepared is None:
            super().paint(painter, option, index)
            return
        text, foreground, background, centred, bold = prepared
        state = option.state.value  # plain ints: Python enum arithmetic per cell adds up
        group = _colour_group(state)
        palette = option.palette
        selected = state & _SELECTED
        if selected:
            painter.fillRect(option.rect, palette.brush(group, _HIGHLIGHT))
        elif background is not None:
            painter.fillRect(option.rect, background)
        if text:
            if selected:
                colour = palette.color(group, _HIGHLIGHTED_TEXT)
                if foreground is not None and foreground == SCORE_HINT_COLOUR:
                    colour = hint_on_highlight(palette, group)
            else:
                colour = foreground or palette.color(group, _TEXT)
            self._draw_text(painter, option, text, bold, centred, colour)
        if state & _HAS_FOCUS:
            self._draw_focus(painter, option)

    def _draw_text(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        text: str,
        bold: bool,
        centred: bool,
        colour: QColor,
    ) -> None:
        font, metrics = self._font(option.font, bold)
        if self._margin is None:
            self._margin = _text_margin(option.widget)
        margin = self._margin
        rect = option.rect
        x, y, width, height = rect.x() + margin, rect.y(), rect.width() - 2 * margin, rect.height()
        if width <= 0:
            return
        key = (text, width, bold)
        cached = self._texts.get(key)
        # The view sets its own pen before the grid, and each cell sets these: no save/restore.
        painter.setFont(font)
        painter.setPen(colour)
        if cached is None or isinstance(cached, str):
            elided = metrics.elidedText(text, _ELIDE, width) if cached is None else cached
            if cached is None and not centred:
                # First sight (a new sort or filter shows mostly new rows): laying a static
                # text out costs more than drawing the string once, so keep the elided text
                # only and lay it out when the cell is painted again.
                if len(self._texts) >= CACHE_LIMIT:
                    self._texts.clear()
                self._texts[key] = elided
                line = math.ceil(metrics.height())
                baseline = y + (height - line) // 2 + metrics.ascent()
                painter.drawText(QPointF(x, baseline), elided)
                return
            cached = QStaticText(elided)
            cached.setTextFormat(Qt.TextFormat.PlainText)
            cached.prepare(font=font)
            self._texts[key] = cached
        size = cached.size()  # placed as `QStyle.alignedRect` places the style's text layout
        if centred:
            x += (width - int(size.width())) // 2
        painter.drawStaticText(QPointF(x, y + (height - math.ceil(size.height())) // 2), cached)

    def _font(self, base: QFont, bold: bool) -> tuple[QFont, QFontMetrics]:
        """The view's font, bold or not, with its metrics; made again when the font changes."""
        if self._base_font is None or base != self._base_font:
            self._base_font = QFont(base)
            self._fonts.clear()
        found = self._fonts.get(bold)
        if found is None:
            font = QFont(base)
            font.setBold(bold or base.bold())
            found = (font, QFontMetrics(font))
            self._fonts[bold] = found
        return found

    def _draw_focus(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        focus = QStyleOptionFocusRect()
        focus.palette, focus.direction = option.palette, option.direction
        focus.fontMetrics, focus.styleObject = option.fontMetrics, option.styleObject
        focus.rect = option.rect
        focus.state = option.state | QStyle.StateFlag.State_KeyboardFocusChange
        focus.state |= QStyle.StateFlag.State_Item
        group = _colour_group(option.state.value)
        role = (
            QPalette.ColorRole.Highlight
            if option.state & QStyle.StateFlag.State_Selected
            else QPalette.ColorRole.Window
        )
        focus.backgroundColor = option.palette.color(group, role)
        widget: QWidget | None = option.widget  # None where a view paints without a widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, option.widget
        )


def _colour_group(state: int) -> QPalette.ColorGroup:
    """As `QCommonStyle` chooses it for an item: disabled, inactive window, or normal."""
    if not state & _ENABLED:
        return _DISABLED
    return _NORMAL if state & _ACTIVE else _INACTIVE


def _text_margin(widget: QWidget | None) -> int:
    """The style's horizontal text margin in an item view cell (`QCommonStyle`: focus frame
    margin + 1)."""
    style = widget.style() if widget else QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
