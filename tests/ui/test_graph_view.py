"""The canvas widgets: in-place rename, connect gesture end points, keys, context menus, zoom,
the panel's impact list and export. Gestures are driven through the methods they call."""

from __future__ import annotations

import pytest
from graph_support import build_graph, shop_model
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from fma_app.domain.model import ComponentKind, Model, Strength
from fma_app.ui.document import Document
from fma_app.ui.graph.items import (
    HIGHLIGHT_COLOR,
    HIGHLIGHT_PEN,
    OVERLAY_CYCLE,
    OVERLAY_FAILED,
    OVERLAY_NONE,
    OVERLAY_SPOF,
    OVERLAY_UNAFFECTED,
    name_lines,
)
from fma_app.ui.graph.panel import GraphPanel


@pytest.fixture
def panel(qtbot, context_factory) -> tuple[GraphPanel, dict[str, int]]:
    model, ids = shop_model()
    widget = GraphPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, ids


def action(menu: QMenu, text: str) -> QAction:
    for candidate in menu.actions():
        if candidate.text() == text:
            return candidate
        if candidate.menu() is not None:
            try:
                return action(candidate.menu(), text)
            except LookupError:
                pass
    raise LookupError(text)


def test_rename_in_place_commits_on_enter_and_cancels_on_escape(panel):
    widget, ids = panel
    view, model = widget.view, widget.document.model
    editor = view.begin_rename(ids["api"])
    assert editor.isVisible()
    assert editor.text() == "api"
    assert editor.selectedText() == "api"
    editor.setText("gateway")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert model.components[ids["api"]].name == "gateway"
    assert view.rename_editor is None
    assert widget.document.undo_stack.undoText() == "Change Name"
    editor = view.begin_rename(ids["api"])
    editor.setText("something else")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert model.components[ids["api"]].name == "gateway"
    assert view.rename_editor is None


def test_rename_to_a_taken_name_shows_why_and_keeps_the_name(panel):
    widget, ids = panel
    editor = widget.view.begin_rename(ids["api"])
    editor.setText("DB")
    assert widget.view.finish_rename(commit=True) == (
        "Not renamed: a component named 'DB' already exists"
    )
    assert widget.status.text() == "Not renamed: a component named 'DB' already exists"
    assert widget.document.model.components[ids["api"]].name == "api"


def test_double_click_on_empty_space_adds_a_component_and_opens_its_name(panel):
    widget, _ = panel
    view, document = widget.view, widget.document
    count = len(document.model.components)
    new_id = view.add_component_at(QPointF(40, 900))
    assert len(document.model.components) == count + 1
    assert document.selection.component_ids == [new_id]
    assert widget.scene.selected_component_ids() == [new_id]
    assert view.rename_editor is not None
    assert view.rename_editor.text() == "component 10"
    view.rename_editor.setText("search")
    view.finish_rename(commit=True)
    assert document.model.components[new_id].name == "search"
    document.undo_stack.undo()  # the rename
    document.undo_stack.undo()  # the add
    assert new_id not in document.model.components
    assert new_id not in widget.scene.nodes


def test_connect_gesture_ends(panel):
    widget, ids = panel
    view, scene, model = widget.view, widget.scene, widget.document.model
    view.start_connect(scene.nodes[ids["lonely"]])
    assert view.finish_connect(scene.nodes[ids["queue"]]) is None
    assert any(
        (d.source_id, d.target_id) == (ids["lonely"], ids["queue"])
        for d in model.dependencies.values()
    )
    count = len(model.dependencies)
    view.start_connect(scene.nodes[ids["lonely"]])
    assert view.finish_connect(None) is None  # dropped on empty space: nothing
    assert len(model.dependencies) == count
    assert all(type(i).__name__ != "QGraphicsLineItem" for i in scene.items())
    view.start_connect(scene.nodes[ids["lonely"]])
    message = view.finish_connect(scene.nodes[ids["lonely"]])
    assert message == "Not connected: component 'lonely' cannot depend on itself"
    assert widget.status.text() == message
    assert len(model.dependencies) == count


def test_delete_key_removes_selected_nodes(panel):
    widget, ids = panel
    widget.scene.nodes[ids["queue"]].setSelected(True)
    QTest.keyClick(widget.view, Qt.Key.Key_Delete)
    assert ids["queue"] not in widget.document.model.components
    assert ids["queue"] not in widget.scene.nodes


def test_node_context_menu_edits_kind_entry_point_and_shows_blast_radius(panel):
    widget, ids = panel
    view, model = widget.view, widget.document.model
    action(view.node_menu(ids["queue"]), "Database").trigger()
    assert model.components[ids["queue"]].kind is ComponentKind.DATABASE
    assert widget.scene.nodes[ids["queue"]].kind is ComponentKind.DATABASE
    entry = action(view.node_menu(ids["queue"]), "Entry Point (user facing)")
    assert entry.isChecked() is False
    entry.trigger()
    assert model.components[ids["queue"]].user_facing is True
    action(view.node_menu(ids["db"]), "Show Blast Radius").trigger()
    assert widget.scene.nodes[ids["db"]].overlay == OVERLAY_FAILED
    assert widget.impact_list.count() == 5
    assert widget.impact_list.item(0).text() == "failed: db"
    action(view.node_menu(ids["lonely"]), "Delete Component").trigger()
    assert ids["lonely"] not in model.components


def test_edge_and_background_context_menus(panel):
    widget, ids = panel
    view, model = widget.view, widget.document.model
    web_api = next(d.id for d in model.dependencies.values() if d.source_id == ids["web"])
    weak = action(view.edge_menu(web_api), "Weak Dependency")
    assert weak.isChecked() is False
    weak.trigger()
    assert model.dependencies[web_api].strength is Strength.WEAK
    action(view.edge_menu(web_api), "Delete Dependency").trigger()
    assert web_api not in model.dependencies
    assert web_api not in widget.scene.edges
    count = len(model.components)
    action(view.background_menu(QPointF(5, 5)), "Add Component Here").trigger()
    assert len(model.components) == count + 1
    view.finish_rename(commit=False)
    before = widget.document.undo_stack.count()
    action(view.background_menu(QPointF(5, 5)), "Automatic Layout").trigger()
    assert widget.document.undo_stack.count() == before + 1


def test_zoom_keys_and_limits(panel):
    widget, _ = panel
    view = widget.view
    view.setFocus()
    start = view.zoom
    QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(start * 1.2)
    QTest.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(start)
    for _ in range(40):
        view.zoom_out()
    assert view.zoom == pytest.approx(0.05)
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # fit
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(widget.scene.itemsBoundingRect())
    assert 0.05 < view.zoom <= 1.5


def test_blast_radius_action_needs_one_selected_component(panel):
    widget, ids = panel
    widget.show_blast_radius()
    assert widget.status.text() == "Select one component to see its blast radius."
    assert widget.overlays.overlay is None
    widget.scene.nodes[ids["pay-a"]].setSelected(True)
    assert widget.blast_action.isEnabled()
    widget.blast_action.trigger()
    assert widget.title.text() == "Blast radius of pay-a: 0 down, 1 degraded, 0 entry point(s) lost"
    assert [widget.impact_list.item(i).text() for i in range(2)] == [
        "failed: pay-a",
        "degraded: checkout",
    ]


def test_spof_toggle_fills_the_list_and_a_row_selects_its_component(panel):
    widget, ids = panel
    widget.spof_action.trigger()
    assert widget.spof_action.isChecked()
    assert widget.scene.nodes[ids["db"]].overlay == OVERLAY_SPOF
    texts = [widget.impact_list.item(i).text() for i in range(widget.impact_list.count())]
    assert texts == [
        "api: takes down web",
        "checkout: takes down web\n  ⚠ no failure modes recorded",
        "db: takes down web",
    ]
    widget.impact_list.itemClicked.emit(widget.impact_list.item(2))
    assert widget.document.selection.component_ids == [ids["db"]]
    assert widget.scene.selected_component_ids() == [ids["db"]]
    widget.spof_action.trigger()
    assert widget.overlays.overlay is None
    assert widget.impact_list.count() == 0


def test_cycles_action_lists_strong_cycles(panel):
    widget, ids = panel
    widget.edits.connect_components(ids["db"], ids["checkout"])
    widget.cycles_action.trigger()
    assert widget.title.text() == "Strong dependency cycles: 1"
    assert widget.impact_list.item(0).text() == "checkout → db → checkout"


def test_panel_export_by_extension_and_empty_graph_message(panel, context_factory, qtbot, tmp_path):
    widget, _ = panel
    png = widget.export(tmp_path / "graph.png")
    assert png is not None
    assert not QImage(str(png)).isNull()
    svg = widget.export(tmp_path / "graph.svg")
    assert svg is not None
    assert "<svg" in svg.read_text(encoding="utf-8")
    empty = GraphPanel(context_factory(Document(Model())))
    qtbot.addWidget(empty)
    assert empty.export(tmp_path / "none.svg") is None
    assert empty.status.text() == "The graph is empty: add components before exporting it."
    assert not (tmp_path / "none.svg").exists()


def test_export_to_an_unwritable_place_says_so(panel, tmp_path):
    widget, _ = panel
    target = tmp_path / "missing-dir" / "graph.png"
    assert widget.export(target) is None
    assert widget.status.text() == f"Could not write the PNG file {target}."


def test_item_under_the_cursor_prefers_nodes_then_thin_edges(panel):
    widget, ids = panel
    view, scene, model = widget.view, widget.scene, widget.document.model
    view.fit()
    node = scene.nodes[ids["catalog"]]
    assert view._item_at(view.mapFromScene(node.pos())) is node
    web_api = next(d.id for d in model.dependencies.values() if d.source_id == ids["web"])
    edge = scene.edges[web_api]
    point = view.mapFromScene(edge.line().center())
    assert view._item_at(point) is edge
    assert view._item_at(point + QPoint(0, 3)) is edge  # a few pixels off still picks it
    assert view._item_at(point + QPoint(0, 30)) is None


def test_typing_a_name_is_not_taken_by_single_key_shortcuts(panel):
    widget, ids = panel
    editor = widget.view.begin_rename(ids["api"])
    editor.selectAll()
    QTest.keyClicks(editor, "cb gateway")
    assert editor.text() == "cb gateway"
    assert not widget.connect_action.isChecked()
    assert widget.overlays.overlay is None
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert widget.document.model.components[ids["api"]].name == "cb gateway"


def test_connect_mode_toggle_changes_the_drag_mode(panel):
    widget, _ = panel
    widget.view.setFocus()
    QTest.keyClick(widget.view, Qt.Key.Key_C)
    assert widget.connect_action.isChecked()
    assert widget.view.connect_mode
    widget.connect_action.trigger()
    assert not widget.view.connect_mode


def test_first_show_fits_the_whole_graph(panel):
    widget, _ = panel
    visible = widget.view.mapToScene(widget.view.viewport().rect()).boundingRect()
    assert visible.contains(widget.scene.itemsBoundingRect())


def shows_whole_graph(widget: GraphPanel) -> bool:
    view = widget.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    return visible.contains(widget.scene.itemsBoundingRect())


def test_auto_layout_fits_the_view_and_so_do_its_undo_and_redo(panel, qtbot):
    widget, _ = panel
    view, document = widget.view, widget.document
    view.zoom_by(3.0 / view.zoom)
    assert not shows_whole_graph(widget)
    widget.layout_action.trigger()
    assert document.undo_stack.undoText() == "Automatic Layout"
    assert shows_whole_graph(widget)
    for step in (document.undo, document.redo):
        view.zoom_by(3.0 / view.zoom)
        assert not shows_whole_graph(widget)
        step()
        qtbot.waitUntil(lambda: shows_whole_graph(widget), timeout=2000)
    view.zoom_by(3.0 / view.zoom)
    widget.edits.rename_component(next(iter(document.model.components)), "renamed")
    qtbot.wait(20)
    assert not shows_whole_graph(widget)  # other steps leave the view alone


def test_one_overlay_at_a_time_and_the_buttons_show_which(panel):
    widget, ids = panel
    scene, buttons = widget.scene, (widget.blast_action, widget.spof_action, widget.cycles_action)
    assert all(b.isCheckable() and not b.isChecked() for b in buttons)

    def lit() -> list[str]:
        return [b.text() for b in buttons if b.isChecked()]

    scene.nodes[ids["pay-a"]].setSelected(True)
    widget.blast_action.trigger()
    assert lit() == ["Blast Radius"]
    assert widget.overlays.kind == "blast"
    assert scene.nodes[ids["web"]].overlay == OVERLAY_UNAFFECTED

    widget.spof_action.trigger()  # replaces the blast radius: nothing of it is left
    assert lit() == ["SPOFs"]
    assert widget.overlays.kind == "spof"
    assert scene.nodes[ids["pay-a"]].overlay == OVERLAY_NONE
    assert scene.nodes[ids["db"]].overlay == OVERLAY_SPOF
    assert not any(node.overlay == OVERLAY_UNAFFECTED for node in scene.nodes.values())
    assert all(j.opacity() == 1.0 for j in scene.junctions.values())
    assert not any(e.impact or e.dimmed for e in scene.edges.values())

    widget.edits.connect_components(ids["db"], ids["checkout"])  # a strong cycle
    widget.cycles_action.trigger()
    assert lit() == ["Cycles"]
    assert widget.overlays.kind == "cycles"
    assert widget.title.text() == "Strong dependency cycles: 1"
    on_cycle = {cid for cid, node in scene.nodes.items() if node.overlay == OVERLAY_CYCLE}
    assert on_cycle == {ids["checkout"], ids["db"]}
    assert scene.nodes[ids["web"]].overlay == OVERLAY_UNAFFECTED
    cycle_links = {
        (e.source.component_id, e.target.component_id)
        for e in scene.edges.values()
        if e.impact == OVERLAY_CYCLE
    }
    assert cycle_links == {(ids["checkout"], ids["db"]), (ids["db"], ids["checkout"])}

    widget.blast_action.trigger()  # pay-a is still selected
    assert lit() == ["Blast Radius"]
    assert scene.nodes[ids["pay-a"]].overlay == OVERLAY_FAILED
    widget.blast_action.trigger()  # pressing the lit button turns its overlay off
    assert lit() == []
    assert widget.overlays.overlay is None
    assert all(node.overlay == OVERLAY_NONE for node in scene.nodes.values())

    widget.cycles_action.trigger()
    widget.view.setFocus()
    QTest.keyClick(widget.view, Qt.Key.Key_Escape)  # Escape clears whichever is on
    assert lit() == []
    assert widget.overlays.overlay is None


def test_the_legend_explains_the_ring_of_the_current_failure_mode(panel):
    widget, ids = panel
    legend = widget.legend.text()
    assert HIGHLIGHT_COLOR.name() in legend
    assert "current failure mode" in legend
    fm = next(
        f for f in widget.document.model.failure_modes.values() if f.component_id == ids["db"]
    )
    widget.document.selection.select_failure_mode(fm.id)
    assert widget.scene.nodes[ids["db"]].highlighted  # the ring the legend names
    assert HIGHLIGHT_PEN.color() == HIGHLIGHT_COLOR


def render_node(scene, node) -> QImage:
    rect = node.sceneBoundingRect()
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    return image


def test_names_that_differ_only_at_the_end_stay_distinguishable_on_the_graph(qapp):
    model = Model()
    names = ["payment-gateway-adapter-europe-west-1", "payment-gateway-adapter-europe-west-2"]
    first, second = (model.add_component(n, x=i * 400.0).id for i, n in enumerate(names))
    scene = build_graph(Document(model)).scene
    a, b = scene.nodes[first], scene.nodes[second]
    width = a.name_rect().width()
    shown = [" ".join(name_lines(n, width)) for n in names]
    assert shown[0] != shown[1]
    assert all("…" in s for s in shown)
    assert shown[0].endswith("1")
    assert shown[1].endswith("2")
    assert render_node(scene, a) != render_node(scene, b)  # what the eye sees differs too
    assert a.tooltip().splitlines()[0] == f"{names[0]} (service)"  # the full name


def test_group_menu_sets_how_many_members_the_group_needs_and_refuses_too_many(panel):
    widget, ids = panel
    view, model = widget.view, widget.document.model
    member = next(d.id for d in model.dependencies.values() if d.group == "payments")
    ungrouped = next(d.id for d in model.dependencies.values() if d.source_id == ids["web"])
    with pytest.raises(LookupError):
        action(view.edge_menu(ungrouped), "Group Needs…")
    view.interaction.text = "2"
    action(view.edge_menu(member), "Group Needs…").trigger()
    assert model.needs_of(ids["checkout"], "payments") == 2
    assert widget.scene.junctions[(ids["checkout"], "payments")].symbol == "2/2"
    assert view.interaction.questions[-1] == (
        "text",
        "Group Needs: How many of the 2 members of group 'payments' must be up for checkout to "
        "work?\n1: any one of them; 2: all of them.",
    )
    refusals: list[str] = []
    widget.document.refused.connect(lambda text, _title: refusals.append(text))
    view.interaction.text = "3"
    action(view.edge_menu(member), "Group Needs…").trigger()
    assert model.needs_of(ids["checkout"], "payments") == 2
    assert refusals
    assert refusals[-1].endswith("it can need from 1 to 2 of them, not '3'")
    widget.document.undo_stack.undo()
    assert model.needs_of(ids["checkout"], "payments") == 1


def test_a_name_too_long_for_one_line_wraps_onto_two_lines_before_anything_is_elided(qapp):
    model = Model()
    node_id = model.add_component("Payment authorisation").id
    scene = build_graph(Document(model)).scene
    width = scene.nodes[node_id].name_rect().width()
    assert name_lines("Auth service", width) == ["Auth service"]
    assert name_lines("Payment authorisation", width) == ["Payment", "authorisation"]
    first, second = name_lines("x" * 80, width)  # no place to break: broken in the word
    assert first.startswith("xxxx")
    assert "…" not in first
    assert "…" in second
    lines, *_ = scene.nodes[node_id].text()
    assert [line for line, _start in lines] == ["Payment", "authorisation"]
    assert lines[1][1].y() > lines[0][1].y()  # the second line under the first
