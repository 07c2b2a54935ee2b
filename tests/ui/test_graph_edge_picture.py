"""The picture of a dense view's edges (`EdgeLayer.picture`): frames that change no edge copy it,
and whatever changes an edge shows on the next frame. Each check grabs the real viewport (the
path the screen takes) with the picture in use and compares it pixel for pixel with the same
view drawn without it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter

from fma_app.domain.commands import set_fields
from fma_app.domain.model import Model
from fma_app.ui.document import Document
from fma_app.ui.graph import items
from fma_app.ui.graph.items import EdgeLayer, bands_around
from fma_app.ui.graph.panel import GraphPanel
from fma_app.ui.graph.view import ZOOM_STEP


@pytest.fixture
def panel(qtbot, context_factory, monkeypatch) -> GraphPanel:
    """A 6 x 4 grid, each component depending on its right and lower neighbours; every view
    counts as dense (the budget of smooth lines is 0), so the edges go through the picture."""
    monkeypatch.setattr(items, "AA_LINE_BUDGET", 0)
    model = Model(name="Grid")
    ids = [
        model.add_component(f"c{r}-{c}", x=c * 250.0, y=r * 150.0).id
        for r in range(4)
        for c in range(6)
    ]
    for r in range(4):
        for c in range(6):
            if c < 5:
                model.add_dependency(ids[r * 6 + c], ids[r * 6 + c + 1])
            if r < 3:
                model.add_dependency(ids[r * 6 + c], ids[r * 6 + c + 6])
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.zoom_by(0.8 / widget.view.zoom)
    widget.view.centerOn(widget.scene.itemsBoundingRect().center())
    return widget


def grab(widget: GraphPanel) -> QImage:
    return widget.view.viewport().grab().toImage()


def without_picture(widget: GraphPanel, monkeypatch: pytest.MonkeyPatch) -> QImage:
    """The same view with every edge drawn as a line, as before the picture existed."""
    with monkeypatch.context() as patch:
        patch.setattr(EdgeLayer, "_paint_picture", lambda *args: False)
        return grab(widget)


def picture_in_use(widget: GraphPanel) -> None:
    """Two whole frames without a change: the second draws the picture and copies it."""
    grab(widget)
    grab(widget)
    layer = widget.scene.layer
    assert layer.picture is not None
    assert layer.picture.version == layer.version


def test_frames_without_a_change_copy_the_picture_and_look_the_same(panel, monkeypatch):
    picture_in_use(panel)
    made = panel.scene.layer.picture
    copied = grab(panel)
    assert panel.scene.layer.picture is made  # copied, not drawn again
    assert copied == without_picture(panel, monkeypatch)


def move_a_node(widget: GraphPanel) -> None:
    model = widget.document.model
    cid = next(iter(model.components))
    widget.document.push(set_fields(model, "component", cid, x=100.0, y=300.0))


def make_an_edge_weak(widget: GraphPanel) -> None:
    assert widget.edits.toggle_strength(next(iter(widget.document.model.dependencies))) is None


def show_a_blast_radius(widget: GraphPanel) -> None:
    widget.overlays.show_blast_radius(list(widget.document.model.components)[8])


def select_an_edge(widget: GraphPanel) -> None:
    widget.scene.select_edges([list(widget.document.model.dependencies)[3]])


def add_a_dependency(widget: GraphPanel) -> None:
    ids = list(widget.document.model.components)
    assert widget.edits.connect_components(ids[0], ids[20]) is None


def delete_a_component(widget: GraphPanel) -> None:
    widget.edits.delete([list(widget.document.model.components)[7]], [])


@pytest.mark.parametrize(
    "change",
    [
        move_a_node,
        make_an_edge_weak,
        show_a_blast_radius,
        select_an_edge,
        add_a_dependency,
        delete_a_component,
    ],
)
def test_a_change_of_any_edge_shows_on_the_next_frame(
    panel, monkeypatch, change: Callable[[GraphPanel], None]
):
    picture_in_use(panel)
    before = grab(panel)
    change(panel)
    frames = [grab(panel), grab(panel)]  # drawn directly, then a new picture copied
    truth = without_picture(panel, monkeypatch)
    assert truth != before  # the change shows at all
    assert frames[0] == truth
    assert frames[1] == truth
    assert panel.scene.layer.picture is not None  # the second frame made one again


def test_an_undo_shows_on_the_next_frame(panel, monkeypatch):
    move_a_node(panel)
    picture_in_use(panel)  # of the moved edges
    moved = grab(panel)
    panel.document.undo()
    frames = [grab(panel), grab(panel)]
    truth = without_picture(panel, monkeypatch)
    assert truth != moved
    assert frames == [truth, truth]


def test_a_pan_copies_what_the_picture_has_and_draws_the_rest(panel, monkeypatch, qtbot):
    picture_in_use(panel)
    bar = panel.view.horizontalScrollBar()
    bar.setValue(bar.value() + 40)  # Qt scrolls the pixels and paints the uncovered strip
    qtbot.wait(10)
    assert grab(panel) == without_picture(panel, monkeypatch)


def test_a_zoom_step_stands_in_with_the_last_picture_then_draws_the_new_zoom(
    panel, monkeypatch, qtbot
):
    picture_in_use(panel)
    layer = panel.scene.layer
    old = layer.picture
    for factor in (ZOOM_STEP, 1 / ZOOM_STEP**2):  # in, and out beyond where it was
        panel.view.zoom_by(factor)
        stand_in = grab(panel)  # the old picture stretched, lines where it shows nothing
        assert layer.picture is old
        truth = without_picture(panel, monkeypatch)
        assert stand_in != truth  # stretched: not the lines of this zoom
        qtbot.waitUntil(lambda old=old: layer.picture is not old, timeout=3000)  # next frame
        assert grab(panel) == truth
        old = layer.picture


def test_the_lines_beside_a_zoomed_out_stand_in_are_drawn(panel, monkeypatch):
    """Zooming out, the last picture covers the middle of the view only: the lines around it
    are drawn in the same frame, so no edge is missing there."""
    picture_in_use(panel)
    panel.view.zoom_by(1 / ZOOM_STEP)
    stand_in = grab(panel)
    truth = without_picture(panel, monkeypatch)
    shown = panel.view.mapFromScene(panel.scene.layer.picture.scene).boundingRect()
    outside = [
        (x, y)
        for x in range(0, stand_in.width(), 3)
        for y in range(0, stand_in.height(), 3)
        if not shown.adjusted(-2, -2, 2, 2).contains(x, y)
    ]
    assert outside
    assert all(stand_in.pixel(x, y) == truth.pixel(x, y) for x, y in outside)


def test_exports_never_use_the_picture(panel):
    """An export renders the scene at its own scale without a widget: the lines are drawn."""
    picture_in_use(panel)
    made = panel.scene.layer.picture
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    panel.scene.render(painter, source=panel.scene.layer.boundingRect())
    painter.end()
    assert panel.scene.layer.picture is made
    assert len({image.pixel(200, y) for y in range(20, 280)}) > 1


def test_bands_around_cover_the_outside_of_the_inner_rect_once():
    outer, inner = QRect(0, 0, 100, 80), QRect(10, 15, 50, 40)
    bands = bands_around(outer, inner)
    assert sum(b.width() * b.height() for b in bands) == 100 * 80 - 50 * 40
    assert not any(band.intersects(inner) for band in bands)
    assert all(outer.contains(band) for band in bands)
    assert bands_around(outer, QRect(-5, -5, 200, 200)) == []  # nothing outside
    assert bands_around(outer, QRect(500, 500, 10, 10)) == [outer]  # all of it


def test_a_rebuild_before_the_next_frame_leaves_no_error(panel, qtbot):
    """A zoom step asks for the next frame from a timer; opening another model before it comes
    deletes the layer (Qt deletes a cleared scene's items): the timer finds nothing to do."""
    picture_in_use(panel)
    old = panel.scene.layer
    panel.view.zoom_by(ZOOM_STEP)
    grab(panel)  # the stand-in frame: the next one is asked for
    panel.document.model_replaced.emit()
    qtbot.wait(50)  # pytest-qt fails the test on an exception in the event loop
    assert panel.scene.layer is not old
