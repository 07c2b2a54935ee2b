"""The style tokens of `fma_app.presentation.style` as Qt colours, built once.

Views ask for a colour per painted cell (20,000 rows), so every colour here is made once and
shared; nothing in this module chooses a colour of its own.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from fma_app.domain.scoring import ActionPriority
from fma_app.presentation.style import (
    AP_STYLES,
    CLOSED_TEXT,
    NOT_RATED,
    RPN_MAX,
    RPN_TEXT,
    SCORE_HINT_TEXT,
    ap_style,
    rpn_shade,
)

AP_FILLS: dict[ActionPriority, QColor] = {ap: QColor(s.fill) for ap, s in AP_STYLES.items()}
AP_TEXTS: dict[ActionPriority, QColor] = {ap: QColor(s.text) for ap, s in AP_STYLES.items()}
NOT_RATED_FILL = QColor(NOT_RATED.fill)
NOT_RATED_TEXT = QColor(NOT_RATED.text)
RPN_TEXT_COLOUR = QColor(RPN_TEXT)
CLOSED_TEXT_COLOUR = QColor(CLOSED_TEXT)
SCORE_HINT_COLOUR = QColor(SCORE_HINT_TEXT)
_RPN_FILLS: tuple[QColor, ...] = tuple(QColor(rpn_shade(rpn)) for rpn in range(RPN_MAX + 1))


def ap_fill(ap: ActionPriority | str | None) -> QColor:
    """The AP's fill, or the not-rated grey for None."""
    return AP_FILLS[ActionPriority(ap)] if ap else NOT_RATED_FILL


def ap_text(ap: ActionPriority | str | None) -> QColor:
    return AP_TEXTS[ActionPriority(ap)] if ap else NOT_RATED_TEXT


def rpn_fill(rpn: int) -> QColor:
    return _RPN_FILLS[min(max(rpn, 0), RPN_MAX)]


def ap_style_sheet(ap: ActionPriority | str | None) -> str:
    """A Qt style sheet that paints a label in the AP's swatch."""
    swatch = ap_style(ap)
    return f"background: {swatch.fill}; color: {swatch.text}; padding: 2px 6px;"
