"""The canvas at each level of detail, as it reaches the screen (grabs of the real viewport):
zoomed out, plain boxes in their fill without text; closer, the full nodes with their names;
at every level a node can still be clicked and dragged, and edges follow it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontInfo, QGuiApplication, QImage
from PySide6.QtTest import QTest

from fma_app.domain.model import ComponentKind, Model
from fma_app.ui.document import Document
from fma_app.ui.graph import items
from fma_app.ui.graph.items import (
    AP_FILL,
    ARROW_SIZE,
    BACKGROUND,
    DETAIL_FONT,
    DETAIL_MIN_ZOOM,
    NODE_HEIGHT,
    NODE_PICTURES,
    NODE_WIDTH,
    OVERVIEW_ZOOM,
    SELECT_COLOR,
    TEXT_MIN_ZOOM,
    arrowheads,
    opaque,
    resolved,
    triangles_path,
)
from fma_app.ui.graph.node_layer import (
    FADED_OPACITY,
    PICTURES_PER_FRAME,
    TEXT_LAYOUTS_PER_FRAME,
)
from fma_app.ui.graph.panel import GraphPanel


@pytest.fixture
def panel(qtbot, context_factory) -> GraphPanel:
    """A 6 x 4 grid of components, each depending on its right neighbour; one rated H."""
    model = Model(name="Grid")
    ids = [
        model.add_component(f"component {r}-{c}", x=c * 250.0, y=r * 150.0).id
        for r in range(4)
        for c in range(6)
    ]
    for r in range(4):
        for c in range(5):
            model.add_dependency(ids[r * 6 + c], ids[r * 6 + c + 1])
    model.add_failure_mode(ids[7], severity=9, likelihood=8, detection=7)  # AP H
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def zoom_to(widget: GraphPanel, zoom: float, centre_on: int) -> None:
    view = widget.view
    view.zoom_by(zoom / view.zoom)
    view.centerOn(widget.scene.nodes[centre_on].pos())


def grab(widget: GraphPanel) -> QImage:
    return widget.view.viewport().grab().toImage()


def on_screen(widget: GraphPanel, x: float, y: float) -> QPoint:
    return widget.view.mapFromScene(QPointF(x, y))


def colour_at(image: QImage, point: QPoint) -> QColor:
    return image.pixelColor(point)


def name_area(widget: GraphPanel, cid: int) -> list[QPoint]:
    """Screen points over where a node's name is written."""
    node = widget.scene.nodes[cid]
    rect = node.mapRectToScene(node.name_rect())
    top_left, bottom_right = (
        on_screen(widget, rect.left(), rect.top()),
        on_screen(widget, rect.right(), rect.bottom()),
    )
    return [
        QPoint(x, y)
        for x in range(top_left.x() + 1, bottom_right.x())
        for y in range(top_left.y() + 1, bottom_right.y())
    ]


def test_zoomed_out_a_node_is_a_plain_box_in_its_fill_without_text(panel):
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    zoom_to(panel, OVERVIEW_ZOOM * 0.6, rated)
    node = panel.scene.nodes[rated]
    for other in panel.scene.nodes.values():
        other._text = None  # the first look (fit) was closer and wrote the names
    image = grab(panel)
    fill = opaque(AP_FILL["H"])
    assert colour_at(image, on_screen(panel, node.cx, node.cy)) == fill
    assert {colour_at(image, p).rgb() for p in name_area(panel, rated)} == {fill.rgb()}
    assert all(n._text is None for n in panel.scene.nodes.values())  # no name laid out


def test_closer_a_node_shows_its_name(panel):
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    zoom_to(panel, 1.0, rated)
    image = grab(panel)
    darkest = min(colour_at(image, p).lightness() for p in name_area(panel, rated))
    assert darkest < 100  # dark glyphs on the light pink fill
    node = panel.scene.nodes[rated]
    below_text = on_screen(panel, node.cx - NODE_WIDTH / 2 + 8, node.cy + NODE_HEIGHT / 2 - 5)
    assert colour_at(image, below_text) == AP_FILL["H"]


@pytest.mark.parametrize("zoom", [OVERVIEW_ZOOM * 0.6, 1.0])
def test_a_node_is_clicked_dragged_and_drawn_where_it_went_at_every_level(panel, zoom):
    scene, document = panel.scene, panel.document
    cid = next(iter(panel.document.model.failure_modes.values())).component_id
    node = scene.nodes[cid]
    zoom_to(panel, zoom, cid)
    viewport = panel.view.viewport()
    start = on_screen(panel, node.cx, node.cy)
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert scene.selected_component_ids() == [cid]
    image = grab(panel)
    top = on_screen(panel, node.cx, node.cy - NODE_HEIGHT / 2)
    above = [colour_at(image, top - QPoint(0, k)) for k in range(6)]
    assert SELECT_COLOR in above  # the selection outline is drawn

    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, start)
    for step in range(1, 6):
        QTest.mouseMove(viewport, start + QPoint(0, 16 * step))
    QTest.mouseRelease(viewport, left, none, start + QPoint(0, 80))
    assert document.undo_stack.undoText() == "Move Component"
    component = document.model.components[cid]
    assert component.y > 150.0
    assert (node.cx, node.cy) == (component.x, component.y)
    image = grab(panel)
    fill = opaque(AP_FILL["H"]) if zoom < OVERVIEW_ZOOM else AP_FILL["H"]
    moved_to = on_screen(panel, node.cx + 30, node.cy + 20)
    assert colour_at(image, moved_to) == fill  # drawn at its new place
    edge = next(e for e in scene.edges.values() if e.source is node)
    x1, y1, x2, y2 = edge.coords
    assert (x1, y1) != (node.cx, node.cy)
    assert abs(y1 - node.cy) <= NODE_HEIGHT / 2 + 2
    middle = on_screen(panel, (x1 + x2) / 2, (y1 + y2) / 2)
    around = [middle + QPoint(dx, dy) for dx in (-1, 0, 1) for dy in (-2, -1, 0, 1, 2)]
    assert min(colour_at(image, p).lightness() for p in around) < BACKGROUND.lightness() - 40


@pytest.mark.parametrize("zoom", [OVERVIEW_ZOOM * 0.6, 1.0])
def test_a_blast_radius_fades_the_unaffected_at_every_level(panel, zoom):
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    panel.overlays.show_blast_radius(rated)
    far = panel.scene.nodes[rated + 12]  # two rows down: unaffected, no failure modes
    zoom_to(panel, zoom, far.component_id)
    image = grab(panel)
    corner = on_screen(panel, far.cx - NODE_WIDTH / 2 + 20, far.cy + 20)  # clear of text
    faded = opaque(AP_FILL[None], FADED_OPACITY)
    assert abs(colour_at(image, corner).lightness() - faded.lightness()) <= 3
    assert colour_at(image, corner).lightness() > AP_FILL[None].lightness() + 10


def test_nodes_that_look_alike_share_one_picture(panel):
    scene = panel.scene
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    plain = [n for cid, n in scene.nodes.items() if cid != rated]
    first, second = plain[0].picture(0.6, 1.0, False, True), plain[1].picture(0.6, 1.0, False, True)
    assert first is second
    assert scene.nodes[rated].picture(0.6, 1.0, False, True) is not first
    assert plain[0].picture(0.6, 1.0, True, True) is not first  # selected looks different


def test_names_are_shaped_in_the_application_font(panel):
    """This module imported the graph's fonts before the application existed: laid out
    unresolved, the summary came out in a TeX math font."""
    node = next(iter(panel.scene.nodes.values()))
    _, name_runs, _, _, detail_runs, _ = node.text()
    family = QFontInfo(QGuiApplication.font()).family()
    assert {run.rawFont().familyName() for run in name_runs + detail_runs} == {family}


def test_a_frame_lays_out_a_bounded_number_of_names_and_the_next_frames_the_rest(
    qtbot, context_factory
):
    model = Model()
    for r in range(12):
        for c in range(15):
            model.add_component(f"component {r}-{c}", x=c * 160.0, y=r * 80.0)
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.zoom_by(0.5 / widget.view.zoom)  # names shown
    widget.view.centerOn(widget.scene.itemsBoundingRect().center())
    view_rect = widget.view.mapToScene(widget.view.viewport().rect()).boundingRect()
    assert sum(view_rect.contains(n.pos()) for n in widget.scene.nodes.values()) > 100
    nodes = widget.scene.nodes.values()
    for node in nodes:
        node._text = None
    widget.view.viewport().grab()  # one frame
    assert sum(node.has_text() for node in nodes) == TEXT_LAYOUTS_PER_FRAME
    qtbot.waitUntil(lambda: all(node.has_text() for node in nodes), timeout=3000)


def test_a_frame_at_a_new_zoom_draws_a_bounded_number_of_pictures_and_the_next_frames_the_rest(
    qtbot, context_factory
):
    """The first frame at a new zoom drew a picture for every look in view (40-50 on the
    benchmark model) and was the slowest frame of all."""
    model = Model()
    kinds = list(ComponentKind)
    for n in range(60):
        component = model.add_component(
            f"c{n}", kinds[n % len(kinds)], x=(n % 10) * 160.0, y=(n // 10) * 80.0
        )
        model.add_failure_mode(
            component.id, severity=1 + n % 10, likelihood=10, detection=1 + n // 10
        )
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.zoom_by(0.7 / widget.view.zoom)
    widget.view.centerOn(widget.scene.itemsBoundingRect().center())
    nodes = list(widget.scene.nodes.values())
    assert len({node.look() for node in nodes}) > PICTURES_PER_FRAME
    NODE_PICTURES.clear()
    widget.view.viewport().grab()  # one frame
    ((scale, dpr),) = NODE_PICTURES
    assert len(NODE_PICTURES[(scale, dpr)]) == PICTURES_PER_FRAME
    qtbot.waitUntil(
        lambda: all(node.drawn_picture(scale, dpr, False, True) is not None for node in nodes),
        timeout=3000,
    )


def test_arrowheads_made_by_numpy_are_the_edges_own(panel):
    """The dense view fills arrowheads from numpy rows (`arrowheads`): the same triangles as
    each edge's `arrowhead`, and none for a line shorter than 1."""
    edges = list(panel.scene.edges.values())
    coords = np.array([edge.coords for edge in edges] + [(5.0, 5.0, 5.4, 5.3)])
    elements, has_head = arrowheads(coords)
    assert has_head.tolist() == [True] * len(edges) + [False]
    for edge, head in zip(edges, elements, strict=False):
        x0, y0, x1, y1, x2, y2 = edge.arrowhead()
        assert head["type"].tolist() == [0, 1, 1, 1]
        assert np.allclose(head["x"], [x0, x1, x2, x0])
        assert np.allclose(head["y"], [y0, y1, y2, y0])
    path = triangles_path(elements[has_head].reshape(-1))
    assert path.elementCount() == 4 * len(edges)
    x0, y0, x1, y1, x2, y2 = edges[0].arrowhead()
    assert path.contains(QPointF((x0 + x1 + x2) / 3, (y0 + y1 + y2) / 3))  # the first head


def test_a_dense_view_draws_each_arrowhead_at_its_tip(panel, monkeypatch):
    """With many lines in view (here: any), the lines are aliased and the heads filled in one
    path per colour; a point inside a head, off the line, shows the edge colour."""
    monkeypatch.setattr(items, "AA_LINE_BUDGET", 0)
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    zoom_to(panel, 1.0, rated)
    image = grab(panel)
    edge = next(e for e in panel.scene.edges.values() if e.source.component_id == rated)
    x0, y0, x1, y1, x2, y2 = edge.arrowhead()
    inside_off_the_line = on_screen(panel, (x0 + 2 * x1 + x2) / 4, (y0 + 2 * y1 + y2) / 4)
    assert colour_at(image, inside_off_the_line) == opaque(edge.pen.color())
    beside = on_screen(panel, x0 - ARROW_SIZE, y0 - ARROW_SIZE)  # outside the head
    assert colour_at(image, beside) == BACKGROUND


def detail_area(widget: GraphPanel, cid: int) -> list[QPoint]:
    """Screen points over a node's failure mode summary ("1 FM · RPN 504 · H")."""
    node = widget.scene.nodes[cid]
    *_, detail, _runs, at = node.text()
    _full, metrics = resolved(DETAIL_FONT)
    left, top = node.cx + at.x(), node.cy + at.y()
    corner = on_screen(widget, left, top)
    far = on_screen(widget, left + metrics.horizontalAdvance(detail), top + metrics.height())
    return [
        QPoint(x, y) for x in range(corner.x() + 1, far.x()) for y in range(corner.y() + 1, far.y())
    ]


@pytest.mark.parametrize(
    ("zoom", "shown"), [(TEXT_MIN_ZOOM + 0.02, False), (DETAIL_MIN_ZOOM, True), (1.0, True)]
)
def test_the_failure_mode_summary_shows_from_half_size_on(panel, qtbot, zoom, shown):
    """Below DETAIL_MIN_ZOOM the summary under the name is a few pixels high: only the name is
    written; from it on, the summary too."""
    rated = next(iter(panel.document.model.failure_modes.values())).component_id
    zoom_to(panel, zoom, rated)
    node = panel.scene.nodes[rated]
    qtbot.waitUntil(lambda: node.has_text(), timeout=3000)
    panel.view.viewport().repaint()
    image = grab(panel)
    darkest = min(colour_at(image, p).lightness() for p in detail_area(panel, rated))
    assert (darkest < AP_FILL["H"].lightness() - 60) is shown
    name = min(colour_at(image, p).lightness() for p in name_area(panel, rated))
    assert name < AP_FILL["H"].lightness() - 60  # the name is written at every one of these
