"""What a person does on the canvas, replayed with real mouse events on the view's viewport
(QTest), not through the methods the gestures call: the defects lived in that gap."""

from __future__ import annotations

import pytest
from graph_support import shop_model
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from fma_app.ui.document import Document
from fma_app.ui.graph.panel import GraphPanel
from fma_app.ui.graph.view import GraphView


@pytest.fixture
def panel(qtbot, context_factory) -> tuple[GraphPanel, dict[str, int]]:
    model, ids = shop_model()
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, ids


def scroll_so(view: GraphView, scene_x: float, scene_y: float, target: QPoint) -> None:
    """Scroll the view (at its current zoom) so that the scene point shows at `target`."""
    where = view.mapFromScene(scene_x, scene_y)
    horizontal, vertical = view.horizontalScrollBar(), view.verticalScrollBar()
    horizontal.setValue(horizontal.value() + where.x() - target.x())
    vertical.setValue(vertical.value() + where.y() - target.y())
    reached = view.mapFromScene(scene_x, scene_y)
    assert (reached - target).manhattanLength() <= 1, "the scene rect does not allow the scroll"


def edge_points(view: GraphView, inset: int) -> dict[str, QPoint]:
    rect = view.viewport().rect()
    return {
        "left": QPoint(inset, rect.height() // 2),
        "right": QPoint(rect.width() - 1 - inset, rect.height() // 2),
        "top": QPoint(rect.width() // 2, inset),
        "bottom": QPoint(rect.width() // 2, rect.height() - 1 - inset),
    }


def click_without_moving(view: GraphView, point: QPoint) -> None:
    """Press, a motion event where the pointer already is (a hand never holds still, and X
    sends motion events on its own), release: a plain click."""
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(view.viewport(), left, none, point)
    QTest.mouseMove(view.viewport(), point)
    QTest.mouseRelease(view.viewport(), left, none, point)


@pytest.mark.parametrize("edge", ["left", "right", "top", "bottom"])
def test_a_click_on_a_node_at_the_edge_of_the_view_neither_scrolls_nor_moves_it(panel, edge):
    widget, ids = panel
    view, document = widget.view, widget.document
    view.resetTransform()  # zoom 1: the node is larger than the distance to the edge
    component = document.model.components[ids["catalog"]]
    point = edge_points(view, 12)[edge]
    scroll_so(view, component.x, component.y, point)
    scrolls = (view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    undo_steps = document.undo_stack.count()
    node = widget.scene.nodes[component.id]

    click_without_moving(view, point)

    assert widget.scene.selected_component_ids() == [component.id]  # it was a click on it
    assert document.selection.component_ids == [component.id]
    assert document.undo_stack.count() == undo_steps, document.undo_stack.undoText()
    assert (component.x, component.y) == (600.0, 0.0)
    assert (node.pos().x(), node.pos().y()) == (600.0, 0.0)
    assert (view.horizontalScrollBar().value(), view.verticalScrollBar().value()) == scrolls


def test_a_selection_from_the_list_still_scrolls_the_node_into_view(panel):
    widget, ids = panel
    view = widget.view
    view.resetTransform()
    component = widget.document.model.components[ids["catalog"]]
    scroll_so(view, component.x, component.y, QPoint(-150, -150))  # off the view, top left
    widget.document.selection.select_components([component.id])
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(widget.scene.nodes[component.id].sceneBoundingRect())


def test_a_drag_is_still_one_move_and_a_twitch_of_a_pixel_is_none(panel):
    widget, ids = panel
    view, document = widget.view, widget.document
    view.resetTransform()
    component = document.model.components[ids["catalog"]]
    start = QPoint(300, 250)
    scroll_so(view, component.x, component.y, start)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

    QTest.mousePress(view.viewport(), left, none, start)
    QTest.mouseMove(view.viewport(), start + QPoint(1, 0))
    QTest.mouseRelease(view.viewport(), left, none, start + QPoint(1, 0))
    assert document.undo_stack.count() == 0
    assert (component.x, component.y) == (600.0, 0.0)
    assert widget.scene.nodes[component.id].pos().x() == 600.0

    QTest.mousePress(view.viewport(), left, none, start)
    for step in range(1, 7):
        QTest.mouseMove(view.viewport(), start + QPoint(10 * step, 5 * step))
    QTest.mouseRelease(view.viewport(), left, none, start + QPoint(60, 30))
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Move Component"
    assert (component.x, component.y) == (660.0, 30.0)


# ---- double-click adds where the user clicked -----------------------------------------------
@pytest.mark.parametrize("where", ["left", "right", "top", "bottom"])
def test_double_click_adds_a_component_right_where_the_user_clicked(panel, where):
    widget, _ = panel
    view, document = widget.view, widget.document
    point = edge_points(view, 30)[where]
    assert view.node_at(point) is None
    assert view.graph.edge_at(view.mapToScene(point), 8) is None
    clicked = view.mapToScene(point)
    count = len(document.model.components)

    QTest.mouseDClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )

    assert len(document.model.components) == count + 1
    new_id = document.selection.component_ids[0]
    component = document.model.components[new_id]
    assert (component.x, component.y) == pytest.approx((clicked.x(), clicked.y()))
    shown_at = view.mapFromScene(widget.scene.nodes[new_id].pos())
    assert (shown_at - point).manhattanLength() <= 1  # still under the pointer
    assert view.rename_editor is not None
    assert view.rename_editor.text() == component.name
