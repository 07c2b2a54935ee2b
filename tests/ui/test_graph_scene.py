"""The dependency canvas scene: items follow the model, edits are single undo steps, overlays
style the right items. Driven through scene methods (no simulated mouse drags)."""

from __future__ import annotations

import pytest
from graph_support import build_graph
from PySide6.QtCore import QPointF, QRectF

from fma_app.analysis.layout import auto_layout
from fma_app.domain.commands import add_failure_mode, remove, set_fields, set_group_needs
from fma_app.domain.model import Model, Strength
from fma_app.ui.document import Document
from fma_app.ui.graph.controller import next_component_name
from fma_app.ui.graph.export import export_png, export_svg
from fma_app.ui.graph.items import (
    JUNCTION_RADIUS,
    NODE_RECT,
    NODE_WIDTH,
    OVERLAY_DEGRADED,
    OVERLAY_DOWN,
    OVERLAY_FAILED,
    OVERLAY_NONE,
    OVERLAY_SPOF,
    OVERLAY_SPOF_NO_FM,
    OVERLAY_UNAFFECTED,
    NodeItem,
)
from fma_app.ui.graph.scene import GraphScene


def assert_items_match(document: Document, scene: GraphScene) -> None:
    model = document.model
    assert set(scene.nodes) == set(model.components)
    assert set(scene.edges) == set(model.dependencies)
    for cid, node in scene.nodes.items():
        component = model.components[cid]
        assert (node.pos().x(), node.pos().y()) == (component.x, component.y)
        assert (node.name, node.kind, node.user_facing) == (
            component.name,
            component.kind,
            component.user_facing,
        )
        assert node.scene() is scene
    for did, edge in scene.edges.items():
        dep = model.dependencies[did]
        assert (edge.source.component_id, edge.target.component_id) == (
            dep.source_id,
            dep.target_id,
        )
        assert (edge.strength, edge.group) == (dep.strength, dep.group)
    assert sum(isinstance(i, NodeItem) for i in scene.items()) == len(model.components)
    assert scene.layer.edges is scene.edges  # the layer draws exactly these edges
    for edge in scene.edges.values():
        assert scene.nodes[edge.source.component_id] is edge.source
        assert scene.nodes[edge.target.component_id] is edge.target


def test_scene_builds_one_item_per_component_and_dependency(shop):
    document, scene, _edits, _overlays, ids = shop
    assert_items_match(document, scene)
    assert set(scene.junctions) == {(ids["checkout"], "payments")}
    junction = scene.junctions[(ids["checkout"], "payments")]
    assert {e.target.component_id for e in junction.edges} == {ids["pay-a"], ids["pay-b"]}
    db = scene.nodes[ids["db"]].stats
    assert (db.count, db.worst_ap, db.max_rpn) == (2, "H", 504)
    assert scene.nodes[ids["api"]].stats.worst_ap == "L"
    assert scene.nodes[ids["lonely"]].stats.worst_ap is None
    assert scene.nodes[ids["db"]].border_width() > scene.nodes[ids["api"]].border_width()


def test_add_component_at_position_then_undo_and_redo(shop):
    document, scene, edits, _overlays, _ = shop
    new_id = edits.add_component_at(QPointF(321.0, -45.0))
    component = document.model.components[new_id]
    assert (component.name, component.x, component.y) == ("component 10", 321.0, -45.0)
    assert scene.nodes[new_id].pos() == QPointF(321.0, -45.0)
    document.undo_stack.undo()
    assert new_id not in document.model.components
    assert new_id not in scene.nodes
    document.undo_stack.redo()
    assert_items_match(document, scene)
    assert new_id in scene.nodes


def test_next_component_name_skips_taken_names():
    model = Model()
    model.add_component("Component 2")
    assert next_component_name(model) == "component 3"


def test_drag_of_two_nodes_is_one_undo_step(shop):
    document, scene, edits, _overlays, ids = shop
    web, api = scene.nodes[ids["web"]], scene.nodes[ids["api"]]
    old = {
        cid: (document.model.components[cid].x, document.model.components[cid].y)
        for cid in ids.values()
    }
    web.setSelected(True)
    api.setSelected(True)
    web.moveBy(50, 70)  # what a mouse drag does to every selected item
    api.moveBy(50, 70)
    scene.nodes_dragged()  # what the scene does after Qt moved them
    edge = scene.edges[
        next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    ]
    assert edge.line().p1().x() > old[ids["web"]][0]  # edges follow during the drag
    count = document.undo_stack.count()
    assert edits.commit_moves() is True
    assert document.undo_stack.count() == count + 1
    assert document.undo_stack.undoText() == "Move 2 Components"
    moved = document.model.components[ids["web"]]
    assert (moved.x, moved.y) == (old[ids["web"]][0] + 50, old[ids["web"]][1] + 70)
    assert edits.commit_moves() is False  # nothing moved since: no empty undo step
    document.undo_stack.undo()
    for cid, (x, y) in old.items():
        assert (document.model.components[cid].x, document.model.components[cid].y) == (x, y)
        assert scene.nodes[cid].pos() == QPointF(x, y)
    document.undo_stack.redo()
    assert web.pos() == QPointF(old[ids["web"]][0] + 50, old[ids["web"]][1] + 70)
    assert_items_match(document, scene)


def test_connect_creates_a_dependency_and_undo_removes_it(shop):
    document, scene, edits, _overlays, ids = shop
    assert edits.connect_components(ids["lonely"], ids["db"]) is None
    dep = next(d for d in document.model.dependencies.values() if d.source_id == ids["lonely"])
    assert (dep.target_id, dep.strength) == (ids["db"], Strength.STRONG)
    assert scene.edges[dep.id].target is scene.nodes[ids["db"]]
    document.undo_stack.undo()
    assert dep.id not in scene.edges
    assert dep.id not in document.model.dependencies


def test_connect_refuses_self_dependency_and_duplicates_with_a_message(shop, qtbot):
    document, scene, edits, _overlays, ids = shop
    before = dict(document.model.dependencies)
    count = document.undo_stack.count()
    with qtbot.waitSignal(document.refused) as signal:
        message = edits.connect_components(ids["db"], ids["db"])
    assert message == "Not connected: component 'db' cannot depend on itself"
    assert signal.args == [message, ""]
    assert edits.connect_components(ids["web"], ids["api"]) == (
        "Not connected: 'web' already depends on 'api'"
    )
    assert document.model.dependencies == before
    assert document.undo_stack.count() == count
    assert_items_match(document, scene)


def test_delete_node_removes_its_edges_in_one_step_and_undo_restores_them(shop):
    document, scene, edits, _overlays, ids = shop
    checkout = ids["checkout"]
    touching = {d.id for d in document.model.dependencies_of(checkout)}
    assert len(touching) == 5
    scene.nodes[checkout].setSelected(True)
    count = document.undo_stack.count()
    assert edits.delete_selected() is True
    assert document.undo_stack.count() == count + 1
    assert checkout not in scene.nodes
    assert not touching & set(scene.edges)
    assert (checkout, "payments") not in scene.junctions
    assert_items_match(document, scene)
    document.undo_stack.undo()
    assert_items_match(document, scene)
    assert (checkout, "payments") in scene.junctions


def test_delete_edges_and_nodes_together_is_one_step(shop):
    document, scene, edits, _overlays, ids = shop
    web_api = next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    count = document.undo_stack.count()
    edits.delete([ids["lonely"], ids["queue"]], [web_api])
    assert document.undo_stack.count() == count + 1
    assert web_api not in scene.edges
    assert ids["lonely"] not in scene.nodes
    document.undo_stack.undo()
    assert_items_match(document, scene)
    assert edits.delete([], []) is False


def test_auto_layout_is_one_undo_step(shop):
    document, scene, edits, _overlays, _ids = shop
    before = {c.id: (c.x, c.y) for c in document.model.components.values()}
    expected = auto_layout(document.model)
    count = document.undo_stack.count()
    assert edits.auto_layout() is True
    assert document.undo_stack.count() == count + 1
    assert document.undo_stack.undoText() == "Automatic Layout"
    for cid, (x, y) in expected.items():
        assert scene.nodes[cid].pos() == QPointF(x, y)
    assert edits.auto_layout() is False  # already laid out: no empty step
    document.undo_stack.undo()
    assert {c.id: (c.x, c.y) for c in document.model.components.values()} == before
    assert_items_match(document, scene)


def test_changes_from_other_views_refresh_only_named_items(shop):
    document, scene, _edits, _overlays, ids = shop
    untouched = scene.nodes[ids["web"]]
    document.push(
        set_fields(document.model, "component", ids["api"], name="gateway", kind="network")
    )
    assert scene.nodes[ids["api"]].name == "gateway"
    assert scene.nodes[ids["web"]] is untouched
    command = add_failure_mode(
        document.model, ids["lonely"], severity=10, likelihood=10, detection=2
    )
    document.push(command)
    assert scene.nodes[ids["lonely"]].stats.worst_ap == "H"
    assert scene.nodes[ids["lonely"]].stats.max_rpn == 200
    document.undo_stack.undo()
    assert scene.nodes[ids["lonely"]].stats.count == 0
    fm_id = next(
        fm.id for fm in document.model.failure_modes.values() if fm.component_id == ids["api"]
    )
    document.push(set_fields(document.model, "failure_mode", fm_id, component_id=ids["web"]))
    assert scene.nodes[ids["api"]].stats.count == 0
    assert scene.nodes[ids["web"]].stats.count == 1
    document.push(remove(document.model, "failure_mode", [fm_id]))
    assert scene.nodes[ids["web"]].stats.count == 0
    assert_items_match(document, scene)


def test_strength_toggle_and_redundancy_group_edits(shop):
    document, scene, edits, _overlays, ids = shop
    web_api = next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    edits.toggle_strength(web_api)
    assert scene.edges[web_api].strength is Strength.WEAK
    assert document.model.dependencies[web_api].strength is Strength.WEAK
    api_deps = [d.id for d in document.model.dependencies.values() if d.source_id == ids["api"]]
    for did in api_deps:
        edits.set_group(did, "either")
    junction = scene.junctions[(ids["api"], "either")]
    assert len(junction.edges) == 2
    assert all(scene.edges[d].junction is junction for d in api_deps)
    edits.set_group(api_deps[0], "")
    assert len(scene.junctions[(ids["api"], "either")].edges) == 1
    assert scene.edges[api_deps[0]].junction is None
    for _ in range(4):
        document.undo_stack.undo()
    assert (ids["api"], "either") not in scene.junctions
    assert_items_match(document, scene)


def test_rename_refuses_duplicates_and_empty_names(shop):
    document, scene, edits, _overlays, ids = shop
    assert edits.rename_component(ids["api"], "DB") == (
        "Not renamed: a component named 'DB' already exists"
    )
    assert edits.rename_component(ids["api"], "  ") == (
        "Not renamed: component name must not be empty"
    )
    assert document.model.components[ids["api"]].name == "api"
    assert edits.rename_component(ids["api"], "gateway") is None
    assert scene.nodes[ids["api"]].name == "gateway"


def test_entry_point_toggle(shop):
    document, scene, edits, _overlays, ids = shop
    edits.toggle_entry_point(ids["api"])
    assert document.model.components[ids["api"]].user_facing is True
    assert scene.nodes[ids["api"]].user_facing is True
    document.undo_stack.undo()
    assert scene.nodes[ids["api"]].user_facing is False


def test_reset_rebuilds_from_the_new_model(shop):
    document, scene, _edits, _overlays, _ids = shop
    model = Model()
    a = model.add_component("a").id
    b = model.add_component("b", x=300).id
    model.add_dependency(a, b)
    document.replace(model, None)
    assert_items_match(document, scene)
    assert scene.junctions == {}


# ---- impact overlays ------------------------------------------------------------------------
def test_blast_radius_styles_down_degraded_failed_and_unaffected(shop, qtbot):
    _document, scene, _edits, overlays, ids = shop
    with qtbot.waitSignal(overlays.overlay_changed) as signal:
        result = overlays.show_blast_radius(ids["db"])
    # db down -> checkout (strong) and catalog (strong) down; api needs checkout strongly -> down;
    # web down. catalog is a weak dependency of api, checkout strong: api down either way.
    assert result.down == {ids["db"], ids["checkout"], ids["catalog"], ids["api"], ids["web"]}
    overlays = {name: scene.nodes[cid].overlay for name, cid in ids.items()}
    assert overlays == {
        "db": OVERLAY_FAILED, "checkout": OVERLAY_DOWN, "catalog": OVERLAY_DOWN,
        "api": OVERLAY_DOWN, "web": OVERLAY_DOWN, "pay-a": OVERLAY_UNAFFECTED,
        "pay-b": OVERLAY_UNAFFECTED, "queue": OVERLAY_UNAFFECTED, "lonely": OVERLAY_UNAFFECTED,
    }  # fmt: skip
    title, rows = signal.args
    assert title == "Blast radius of db: 4 down, 0 degraded, 1 entry point(s) lost"
    assert rows[0] == (ids["db"], "failed: db")
    assert (ids["web"], "down: web  (entry point lost)") in rows
    assert scene.nodes[ids["lonely"]].opacity() < 1


def test_blast_radius_marks_degraded_components_and_edges(shop):
    _document, scene, _edits, overlays, ids = shop
    junction = scene.junctions[(ids["checkout"], "payments")]
    overlays.show_blast_radius(ids["db"])  # the OR group is not on the failure's path: dimmed
    assert junction.opacity() < 1
    overlays.show_blast_radius(ids["pay-a"])  # redundancy lost, checkout still up: degraded
    assert scene.nodes[ids["checkout"]].overlay == OVERLAY_DEGRADED
    assert scene.nodes[ids["api"]].overlay == OVERLAY_UNAFFECTED
    assert junction.opacity() == 1.0
    overlays.show_blast_radius(ids["catalog"])  # weak dependency of api
    assert scene.nodes[ids["api"]].overlay == OVERLAY_DEGRADED
    assert scene.nodes[ids["web"]].overlay == OVERLAY_UNAFFECTED
    api_catalog = next(
        e for e in scene.edges.values()
        if (e.source.component_id, e.target.component_id) == (ids["api"], ids["catalog"])
    )  # fmt: skip
    assert api_catalog.impact == OVERLAY_DEGRADED
    assert not api_catalog.dimmed
    web_api = next(e for e in scene.edges.values() if e.source.component_id == ids["web"])
    assert web_api.impact == ""
    assert web_api.dimmed


def test_overlay_follows_edits_and_clears_when_the_failed_component_goes(shop):
    document, scene, edits, overlays, ids = shop
    overlays.show_blast_radius(ids["db"])
    web_api = next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    edits.toggle_strength(web_api)  # web now only degraded by api going down
    assert scene.nodes[ids["web"]].overlay == OVERLAY_DEGRADED
    document.push(remove(document.model, "component", [ids["db"]]))
    assert overlays.overlay is None
    assert all(node.overlay == OVERLAY_NONE for node in scene.nodes.values())


def test_single_points_of_failure_marked_and_flagged_without_failure_modes(shop, qtbot):
    _document, scene, _edits, overlays, ids = shop
    with qtbot.waitSignal(overlays.overlay_changed) as signal:
        spofs = overlays.show_single_points_of_failure()
    found = {s.component_id for s in spofs}
    assert found == {ids["api"], ids["checkout"], ids["db"]}
    assert scene.nodes[ids["db"]].overlay == OVERLAY_SPOF
    assert scene.nodes[ids["api"]].overlay == OVERLAY_SPOF
    assert scene.nodes[ids["checkout"]].overlay == OVERLAY_SPOF_NO_FM
    assert scene.nodes[ids["pay-a"]].overlay == OVERLAY_NONE
    title, rows = signal.args
    assert title == "Single points of failure: 3"
    assert (ids["checkout"], "checkout: takes down web\n  ⚠ no failure modes recorded") in rows
    overlays.clear_overlay()
    assert all(node.overlay == OVERLAY_NONE for node in scene.nodes.values())


def test_spof_title_asks_for_entry_points_when_there_are_none(qapp):
    model = Model()
    model.add_component("a")
    _scene, _edits, overlays = build_graph(Document(model))
    assert overlays.show_single_points_of_failure() == []
    assert overlays.overlay == ("spof", 0)


def test_strong_cycle_rows(qapp):
    model = Model()
    a, b, c = (model.add_component(n).id for n in "abc")
    model.add_dependency(a, b)
    model.add_dependency(b, c)
    model.add_dependency(c, a)
    title, rows = build_graph(Document(model)).overlays.strong_cycle_rows()
    assert title == "Strong dependency cycles: 1"
    assert rows == [(a, "a → b → c → a")]


# ---- shared selection -----------------------------------------------------------------------
def test_selecting_nodes_selects_components_in_the_document(shop, qtbot):
    document, scene, _edits, _overlays, ids = shop
    emitted: list[list[int]] = []
    document.selection.components_selected.connect(emitted.append)
    scene.nodes[ids["db"]].setSelected(True)
    scene.nodes[ids["api"]].setSelected(True)
    assert document.selection.component_ids == sorted([ids["db"], ids["api"]])
    assert emitted[-1] == sorted([ids["db"], ids["api"]])
    scene.clearSelection()
    assert document.selection.component_ids == []


def test_document_selection_selects_nodes_without_echo(shop):
    document, scene, _edits, _overlays, ids = shop
    emitted: list[list[int]] = []
    document.selection.components_selected.connect(emitted.append)
    document.selection.select_components([ids["queue"], ids["web"]])
    assert scene.selected_component_ids() == sorted([ids["queue"], ids["web"]])
    assert emitted == [[ids["queue"], ids["web"]]]  # the scene did not send it back
    assert document.selection.component_ids == [ids["queue"], ids["web"]]


def test_selected_failure_mode_highlights_its_component(shop):
    document, scene, _edits, _overlays, ids = shop
    db_fm = next(f.id for f in document.model.failure_modes.values() if f.component_id == ids["db"])
    api_fm = next(
        f.id for f in document.model.failure_modes.values() if f.component_id == ids["api"]
    )
    document.selection.select_failure_mode(db_fm)
    assert scene.nodes[ids["db"]].highlighted
    assert scene.highlighted_component == ids["db"]
    document.selection.select_failure_mode(api_fm)
    assert not scene.nodes[ids["db"]].highlighted
    assert scene.nodes[ids["api"]].highlighted
    document.selection.select_failure_mode(0)
    assert not any(node.highlighted for node in scene.nodes.values())


# ---- export ---------------------------------------------------------------------------------
def test_export_png_and_svg_are_valid_files(shop, tmp_path):
    from PySide6.QtGui import QImage

    _document, scene, _edits, _overlays, ids = shop
    scene.nodes[ids["db"]].setSelected(True)
    png = export_png(scene, tmp_path / "graph.png", scale=1.0)
    image = QImage(str(png))
    assert not image.isNull()
    rect = scene.itemsBoundingRect()
    assert image.width() == round(rect.width() + 60)
    assert image.height() == round(rect.height() + 60)
    svg_path = export_svg(scene, tmp_path / "graph.svg")
    svg = svg_path.read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "</svg>" in svg
    from PySide6.QtSvg import QSvgRenderer

    assert QSvgRenderer(str(svg_path)).isValid()
    assert "checkout" in svg  # the names are text in the drawing
    assert scene.selected_component_ids() == [ids["db"]]  # export leaves the selection alone


def test_export_of_an_empty_graph_is_refused(qapp, tmp_path):
    scene = build_graph(Document(Model())).scene
    with pytest.raises(ValueError, match="The graph is empty"):
        export_png(scene, tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()


# ---- edges: picking, selection, clipping ----------------------------------------------------
def test_edge_at_picks_the_nearest_edge_within_tolerance(shop):
    document, scene, _edits, _overlays, ids = shop
    web_api = next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    middle = scene.edges[web_api].line().center()
    assert scene.edge_at(middle, 3.0) is scene.edges[web_api]
    assert scene.edge_at(QPointF(middle.x(), middle.y() + 2.5), 3.0) is scene.edges[web_api]
    assert scene.edge_at(QPointF(middle.x(), middle.y() + 40), 3.0) is None
    assert scene.edges[web_api].tooltip() == "web depends on api (strong)"


def test_selected_edge_is_deleted_and_its_selection_forgotten(shop):
    document, scene, edits, _overlays, ids = shop
    web_api = next(d.id for d in document.model.dependencies.values() if d.source_id == ids["web"])
    scene.select_edges([web_api])
    assert scene.selected_dependency_ids() == [web_api]
    assert scene.edges[web_api].selected
    assert edits.delete_selected() is True
    assert web_api not in document.model.dependencies
    assert scene.selected_edges == set()
    document.undo_stack.undo()
    assert not scene.edges[web_api].selected  # restored, not reselected


def test_node_tooltip_summarises_failure_modes(shop):
    _, scene, _edits, _overlays, ids = shop
    assert scene.nodes[ids["db"]].tooltip() == (
        "db (service)\n2 failure modes, worst AP High, max RPN 504"
    )
    assert scene.nodes[ids["web"]].tooltip() == (
        "web (service)\nentry point (user facing)\nno failure modes recorded"
    )


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ((-10, 5, 110, 5), (0, 5, 100, 5, 10 / 120)),  # crosses left and right sides
        ((10, 10, 20, 20), (10, 10, 20, 20, 0.0)),  # inside
        ((-10, -10, -5, 50), None),  # left of the rect
        ((50, -50, 50, 150), (50, 0, 50, 100, 0.25)),  # vertical through
    ],
)
def test_clip_line_keeps_the_part_inside_the_rect(segment, expected):
    from fma_app.ui.graph.items import clip_line

    result = clip_line(*segment, (0, 0, 100, 100))
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_scene_rect_follows_the_graph_after_layout(shop):
    _document, scene, edits, _overlays, _ = shop
    edits.auto_layout()
    graph = scene.itemsBoundingRect()
    assert scene.sceneRect().contains(graph)
    assert scene.sceneRect().width() <= graph.width() + 2 * 600 + 1


def test_dense_view_renders_every_edge_style(qapp, tmp_path):
    """Hundreds of edges in view take the fast path (aliased, weak edges faint): it still
    draws them."""
    from PySide6.QtGui import QImage, QPainter

    model = Model()
    hubs = [model.add_component(f"hub {i}", x=0, y=i * 100.0).id for i in range(25)]
    leaves = [model.add_component(f"leaf {i}", x=2000, y=i * 100.0).id for i in range(25)]
    for i, hub in enumerate(hubs):
        for j, leaf in enumerate(leaves):
            model.add_dependency(hub, leaf, "weak" if (i + j) % 3 else "strong")
    scene, _edits, _overlays = build_graph(Document(model))
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    scene.render(painter, source=scene.layer.boundingRect())
    painter.end()
    middle_column = {image.pixel(200, y) for y in range(20, 280)}
    assert len(middle_column) > 1  # lines crossed the middle of the picture


# ---- OR junctions ---------------------------------------------------------------------------
def node_box(scene: GraphScene, cid: int):
    node = scene.nodes[cid]
    return node.mapRectToScene(NODE_RECT)


def junction_box(junction):
    r = JUNCTION_RADIUS
    return QRectF(junction.cx - r, junction.cy - r, 2 * r, 2 * r)


def test_the_or_junction_is_never_under_a_node(qapp):
    """checkout needs pay-a OR pay-b; the plain spot for the OR circle (34 px out from
    checkout toward the middle of the two) is inside `blocker`."""
    model = Model()
    checkout = model.add_component("checkout", x=0.0, y=0.0).id
    pay_a = model.add_component("pay-a", x=400.0, y=-100.0).id
    pay_b = model.add_component("pay-b", x=400.0, y=100.0).id
    blocker = model.add_component("blocker", x=150.0, y=0.0).id
    model.add_dependency(checkout, pay_a, group="payments")
    model.add_dependency(checkout, pay_b, group="payments")
    document = Document(model)
    scene, edits, _ = build_graph(document)
    plain_x = NODE_WIDTH / 2 + 2 + 34  # where the OR would sit without looking
    assert node_box(scene, blocker).contains(QPointF(plain_x, 0.0))

    junction = scene.junctions[(checkout, "payments")]
    for cid in scene.nodes:
        assert not node_box(scene, cid).intersects(junction_box(junction)), cid
    assert junction.cx < 400.0  # still between checkout and its alternatives
    for edge in junction.edges:  # the group's edges leave from where the circle now is
        x1, y1 = edge.coords[:2]
        assert abs(((x1 - junction.cx) ** 2 + (y1 - junction.cy) ** 2) ** 0.5 - JUNCTION_RADIUS) < 1

    # a node put down on the circle (a drag, an undo) sends the circle aside again
    covering = edits.add_component_at(QPointF(junction.cx, junction.cy))
    assert covering is not None
    junction = scene.junctions[(checkout, "payments")]
    for cid in scene.nodes:
        assert not node_box(scene, cid).intersects(junction_box(junction)), cid
    document.push(set_fields(document.model, "component", blocker, x=junction.cx, y=junction.cy))
    for cid in scene.nodes:
        assert not node_box(scene, cid).intersects(junction_box(junction)), cid


def test_a_group_that_needs_k_of_n_shows_it_on_its_junction_and_undo_brings_back_or(shop):
    document, scene, _edits, _overlays, ids = shop
    key = (ids["checkout"], "payments")
    assert (scene.junctions[key].symbol, scene.junctions[key].caption) == ("OR", "payments")
    assert document.edit(lambda model: set_group_needs(model, *key, 2)) is None
    junction = scene.junctions[key]
    assert (junction.symbol, junction.caption) == ("2/2", "payments (2 of 2)")
    assert junction.tooltip().endswith("needs 2 of these 2")
    document.undo_stack.undo()
    assert scene.junctions[key].symbol == "OR"
    assert "needs any one of these" in scene.junctions[key].tooltip()
