"""The Qt side reads the style tokens: worksheet, components, graph nodes and the legend."""

from __future__ import annotations

from PySide6.QtGui import QColor

from fma_app.domain.scoring import ActionPriority
from fma_app.presentation.style import AP_STYLES, NOT_RATED, rpn_shade
from fma_app.ui import qt_style
from fma_app.ui.graph import items as graph_items
from fma_app.ui.graph import panel as graph_panel


def hex_of(colour: QColor) -> str:
    return colour.name().upper()


def test_qt_colours_are_the_tokens():
    for ap, swatch in AP_STYLES.items():
        assert hex_of(qt_style.ap_fill(ap)) == swatch.fill
        assert hex_of(qt_style.ap_text(ap.value)) == swatch.text
    assert hex_of(qt_style.ap_fill(None)) == NOT_RATED.fill
    for rpn in (1, 37, 250, 999, 1000):
        assert hex_of(qt_style.rpn_fill(rpn)) == rpn_shade(rpn)
    assert "background: #FFC7CE; color: #9C0006" in qt_style.ap_style_sheet("H")


def test_graph_nodes_are_filled_by_worst_ap_or_the_not_rated_grey():
    assert {k: hex_of(v) for k, v in graph_items.AP_FILL.items()} == {
        **{ap: swatch.fill for ap, swatch in AP_STYLES.items()},
        None: NOT_RATED.fill,
    }
    assert graph_items.AP_LABEL[ActionPriority.MEDIUM] == graph_items.AP_LABEL["M"] == "AP Medium"
    for swatch in (*AP_STYLES.values(), NOT_RATED):
        assert f"background:{swatch.fill}" in graph_panel.LEGEND
