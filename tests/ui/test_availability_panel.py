"""The Availability panel over the bundled example: its models, live what-if from the Component
details (typed as a person types), undo, the contributors and their marks on the graph."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from fma_app.analysis.availability import entry_point_availability
from fma_app.domain.model import Model
from fma_app.domain.serialization import model_from_json
from fma_app.presentation.style import SLO_MET, SLO_MISSED, UPPER_BOUND
from fma_app.resources import example_model_path
from fma_app.ui.availability_panel import (
    AVAILABILITY,
    ENTRY,
    NO_ENTRY_POINTS,
    SHORTCUT,
    UNKNOWN,
    USED,
    VERDICT,
    AvailabilityModel,
    AvailabilityPanel,
    ContributorsModel,
)
from fma_app.ui.document import Document
from fma_app.ui.graph.items import OVERLAY_AVAILABILITY_ENTRY, OVERLAY_CONTRIBUTOR

GATEWAY, DASHBOARD = "Payments API gateway", "Merchant dashboard"


def example() -> Model:
    return model_from_json(example_model_path().read_text(encoding="utf-8"))


def cid(model: Model, name: str) -> int:
    component = model.component_by_name(name)
    assert component is not None, name
    return component.id


@pytest.fixture
def window(main_window_factory):
    return main_window_factory(Document(example()))


@pytest.fixture
def panel(window, qtbot) -> AvailabilityPanel:
    found = window.findChild(AvailabilityPanel)
    assert found is not None
    dock = found.parentWidget()
    assert not dock.isVisible()  # hidden until asked for
    next(a for a in window.view_menu.actions() if a.text() == "&Availability").trigger()
    qtbot.waitUntil(lambda: found.figures.rowCount() == 2)
    return found


def row_texts(panel: AvailabilityPanel, name: str) -> dict[int, str]:
    model = panel.proxy
    for row in range(model.rowCount()):
        if model.index(row, ENTRY).data() == name:
            return {
                column: model.index(row, column).data() for column in range(model.columnCount())
            }
    raise AssertionError(f"no row for {name}")


def select(panel: AvailabilityPanel, name: str) -> None:
    proxy = panel.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, ENTRY).data() == name)
    rect = panel.table.visualRect(proxy.index(row, ENTRY))
    QTest.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_models_pass_the_model_tester(qtmodeltester, qapp):
    model = example()
    results = entry_point_availability(model)
    figures = AvailabilityModel()
    figures.set_results(model, results)
    qtmodeltester.check(figures, force_py=True)
    contributors = ContributorsModel()
    contributors.show(model, results[0])
    qtmodeltester.check(contributors, force_py=True)
    figures.set_results(model, results[:1])  # fewer rows: a reset the tester watches
    figures.set_results(model, results)
    assert figures.rowCount() == 2


def test_the_view_menu_opens_the_panel_with_the_cli_figures(window, panel):
    action = next(a for a in window.view_menu.actions() if a.text() == "&Availability")
    assert action.shortcut().toString() == SHORTCUT
    expected = {r.entry_point: r for r in entry_point_availability(window.document.model)}
    gateway = row_texts(panel, GATEWAY)
    model = window.document.model
    figures = expected[cid(model, GATEWAY)]
    assert gateway[AVAILABILITY] == "99.8300 %"
    assert gateway[VERDICT] == "NOT met"
    assert gateway[USED] == f"{figures.budget_consumed:.0%}"
    assert row_texts(panel, DASHBOARD)[VERDICT] == "met"
    index = panel.proxy.index(
        next(r for r in range(2) if panel.proxy.index(r, ENTRY).data() == GATEWAY), VERDICT
    )
    assert index.data(Qt.ItemDataRole.BackgroundRole) == QColor(SLO_MISSED.fill)
    other = panel.proxy.index(1 - index.row(), VERDICT)
    assert other.data(Qt.ItemDataRole.BackgroundRole) == QColor(SLO_MET.fill)


def test_typing_an_availability_updates_the_panel_and_undo_restores_it(window, panel, qtbot):
    model = window.document.model
    hsm = cid(model, "HSM cluster")
    before = row_texts(panel, GATEWAY)[AVAILABILITY]
    window.document.selection.select_components([hsm])
    details = window.component_details
    box = details.availability
    assert box.text() == "99.95"
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "99.99 %")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert model.components[hsm].availability == pytest.approx(0.9999)
    qtbot.waitUntil(lambda: row_texts(panel, GATEWAY)[AVAILABILITY] != before)
    after = entry_point_availability(model)
    gateway = next(r for r in after if r.entry_point == cid(model, GATEWAY))
    assert row_texts(panel, GATEWAY)[AVAILABILITY] == f"{gateway.availability * 100:.4f} %"
    assert box.text() == "99.99"
    assert window.document.undo_stack.undoText() == "Change Availability"
    window.document.undo()
    assert model.components[hsm].availability == pytest.approx(0.9995)
    qtbot.waitUntil(lambda: row_texts(panel, GATEWAY)[AVAILABILITY] == before)
    assert box.text() == "99.95"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("101 %", "from 0 to 100"), ("lots", "is not a percentage")],
)
def test_a_bad_availability_is_refused_with_its_words_and_nothing_changes(
    window, panel, typed, message
):
    model = window.document.model
    hsm = cid(model, "HSM cluster")
    window.document.selection.select_components([hsm])
    box = window.component_details.availability
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, typed)
    QTest.keyClick(box, Qt.Key.Key_Return)
    problem = window.component_details.problem.text()
    assert typed in problem
    assert message in problem
    assert model.components[hsm].availability == pytest.approx(0.9995)
    assert box.text() == "99.95"
    assert not window.document.undo_stack.canUndo()


def test_the_fraction_form_is_the_same_value_and_makes_no_step(window, panel):
    model = window.document.model
    window.document.selection.select_components([cid(model, "HSM cluster")])
    box = window.component_details.availability
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "0.9995")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert not window.document.undo_stack.canUndo()
    assert box.text() == "99.95"


def test_emptying_an_availability_flags_an_upper_bound(window, panel, qtbot):
    model = window.document.model
    window.document.selection.select_components([cid(model, "Ledger primary")])
    box = window.component_details.availability
    box.setFocus()
    box.selectAll()
    QTest.keyClick(box, Qt.Key.Key_Delete)
    QTest.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(row_texts(panel, GATEWAY)[UNKNOWN]))
    assert row_texts(panel, GATEWAY)[UNKNOWN] == "1 (upper bound)"
    proxy = panel.proxy
    row = next(r for r in range(2) if proxy.index(r, ENTRY).data() == GATEWAY)
    assert proxy.index(row, UNKNOWN).data(Qt.ItemDataRole.BackgroundRole) == QColor(
        UPPER_BOUND.fill
    )
    assert "Ledger primary" in proxy.index(row, UNKNOWN).data(Qt.ItemDataRole.ToolTipRole)


def test_slo_and_window_edit_an_entry_point_only(window, panel, qtbot):
    model = window.document.model
    details = window.component_details
    window.document.selection.select_components([cid(model, "HSM cluster")])
    assert not details.slo.isEnabled()
    assert not details.slo_window.isEnabled()
    gateway = cid(model, GATEWAY)
    window.document.selection.select_components([gateway])
    assert details.slo.isEnabled()
    details.slo.setFocus()
    details.slo.selectAll()
    QTest.keyClicks(details.slo, "99.5")
    QTest.keyClick(details.slo, Qt.Key.Key_Return)
    assert model.components[gateway].slo == pytest.approx(0.995)
    qtbot.waitUntil(lambda: row_texts(panel, GATEWAY)[VERDICT] == "met")
    details.slo_window.setFocus()
    details.slo_window.selectAll()
    QTest.keyClicks(details.slo_window, "4w")
    QTest.keyClick(details.slo_window, Qt.Key.Key_Return)
    assert model.components[gateway].slo_window_days == 28
    qtbot.waitUntil(lambda: "28 days" in row_texts(panel, GATEWAY)[2])
    assert window.document.undo_stack.count() == 2  # one step per edit


def test_read_only_refuses_an_availability(window, panel):
    model = window.document.model
    hsm = cid(model, "HSM cluster")
    window.document.selection.select_components([hsm])
    window.document.set_read_only(True)
    details = window.component_details
    assert not details.availability.isEnabled()
    details.availability.setText("90")  # as if typed before the file turned read-only
    assert details.commit_typed("availability", details.availability, lambda _l, v: v) is False
    assert model.components[hsm].availability == pytest.approx(0.9995)
    assert "read-only" in details.problem.text()
    assert details.availability.text() == "99.95"


def test_selecting_an_entry_point_lists_and_marks_its_contributors(window, panel, qtbot):
    model = window.document.model
    select(panel, GATEWAY)
    expected = next(
        r for r in entry_point_availability(model) if r.entry_point == cid(model, GATEWAY)
    )
    names = [panel.contributors.index(r, 1).data() for r in range(panel.contributors.rowCount())]
    assert names == [model.components[c.component_id].name for c in expected.contributors]
    assert "NOT met" in panel.summary.text()
    assert window.tabs.currentWidget() is window.graph_tab
    scene = window.graph.scene
    gateway = cid(model, GATEWAY)
    assert scene.nodes[gateway].overlay == OVERLAY_AVAILABILITY_ENTRY
    first = expected.contributors[0].component_id
    if first != gateway:
        assert scene.nodes[first].overlay == OVERLAY_CONTRIBUTOR
        assert scene.nodes[first].overlay_note == "COSTS #1"
    marked = {c for c, node in scene.nodes.items() if node.overlay == OVERLAY_CONTRIBUTOR}
    assert marked == {c.component_id for c in expected.contributors} - {gateway}
    assert window.graph.impact_list.count() == len(expected.contributors)


def test_the_marks_follow_a_what_if(window, panel, qtbot):
    model = window.document.model
    select(panel, GATEWAY)
    hsm = cid(model, "HSM cluster")
    assert window.graph.scene.nodes[hsm].overlay == OVERLAY_CONTRIBUTOR
    window.document.selection.select_components([hsm])
    box = window.component_details.availability
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "100")
    QTest.keyClick(box, Qt.Key.Key_Return)  # never fails: it costs nothing any more
    qtbot.waitUntil(lambda: window.graph.scene.nodes[hsm].overlay != OVERLAY_CONTRIBUTOR)
    assert panel.selected_entry_point() == cid(model, GATEWAY)
    names = [panel.contributors.index(r, 1).data() for r in range(panel.contributors.rowCount())]
    assert "HSM cluster" not in names


def test_a_hidden_panel_computes_nothing_until_shown(window, panel, qtbot):
    model = window.document.model
    panel.parentWidget().hide()
    window.document.selection.select_components([cid(model, "HSM cluster")])
    window.component_details.availability.setText("99")
    window.component_details.availability.editingFinished.emit()
    assert model.components[cid(model, "HSM cluster")].availability == pytest.approx(0.99)
    qtbot.wait(100)
    assert panel.stale
    panel.parentWidget().show()
    qtbot.waitUntil(lambda: not panel.stale)
    fresh = next(r for r in entry_point_availability(model) if r.entry_point == cid(model, GATEWAY))
    assert row_texts(panel, GATEWAY)[AVAILABILITY] == f"{fresh.availability * 100:.4f} %"


def test_a_new_entry_point_rebuilds_the_analysis(window, panel, qtbot):
    model = window.document.model
    window.document.selection.select_components([cid(model, "Ledger primary")])
    QTest.mouseClick(window.component_details.user_facing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.figures.rowCount() == 3)
    assert row_texts(panel, "Ledger primary")[AVAILABILITY] == "99.9500 %"
    window.document.undo()
    qtbot.waitUntil(lambda: panel.figures.rowCount() == 2)


def test_no_entry_points_says_how_to_get_some(main_window_factory, qtbot):
    window = main_window_factory(Document(Model()))
    panel = window.findChild(AvailabilityPanel)
    panel.parentWidget().show()
    qtbot.waitUntil(lambda: not panel.stale)
    assert panel.summary.text() == NO_ENTRY_POINTS


def test_clicking_a_contributor_opens_it_in_the_component_details(window, panel):
    model = window.document.model
    select(panel, GATEWAY)
    view = panel.contributors_view
    first = panel.contributors.index(0, 1)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(first).center()
    )
    assert window.details_tabs.currentWidget() is window.component_details
    assert window.component_details.title.text() == f"Component: {first.data()}"
    assert window.component_details.component_id == cid(model, first.data())


def test_the_panel_stays_open_in_the_next_session(context_factory, qtbot):
    from fma_app.ui.app import build_window

    context = context_factory(Document(example()))
    first = build_window(context)
    qtbot.addWidget(first)
    first.show()
    first.findChild(AvailabilityPanel).parentWidget().show()
    first.save_settings()
    again = build_window(context)
    qtbot.addWidget(again)
    again.show()
    panel = again.findChild(AvailabilityPanel)
    assert panel.parentWidget().isVisible()
    qtbot.waitUntil(lambda: panel.figures.rowCount() == 2)
