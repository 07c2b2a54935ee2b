"""Components list: counts and worst-AP badge, kept current; add, rename, delete with a question."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fma_app.domain.commands import add_failure_mode, remove, set_fields
from fma_app.domain.scoring import ActionPriority
from fma_app.ui.components_model import ComponentsModel
from fma_app.ui.components_panel import ComponentsPanel
from fma_app.ui.qt_style import AP_FILLS


@pytest.fixture
def panel(context, qtbot):
    widget = ComponentsPanel(context)
    qtbot.addWidget(widget)
    return widget


def rows(model: ComponentsModel) -> list[tuple]:
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def test_model_tester(qtmodeltester, document):
    qtmodeltester.check(ComponentsModel(document), force_py=True)


def test_model_tester_watches_several_components_removed_at_once(qtmodeltester, document):
    model = ComponentsModel(document)
    qtmodeltester.check(model, force_py=True)
    ids = [document.model.component_by_name(n).id for n in ("api", "cache", "database")]
    document.push(remove(document.model, "component", ids))
    assert model.rowCount() == 0
    document.undo_stack.undo()
    assert rows(model) == [("api", 3, "M"), ("cache", 0, ""), ("database", 2, "H")]


def test_rows_sorted_by_name_with_count_and_worst_ap(document):
    model = ComponentsModel(document)
    assert rows(model) == [("api", 3, "M"), ("cache", 0, ""), ("database", 2, "H")]
    badge = model.index(2, 2)
    assert badge.data(Qt.ItemDataRole.BackgroundRole) == AP_FILLS[ActionPriority.HIGH]
    assert badge.data(Qt.ItemDataRole.ToolTipRole) == "Worst Action Priority: High"


def test_counts_and_badge_follow_edits_and_undo(document):
    model = ComponentsModel(document)
    cache = document.model.component_by_name("cache").id
    document.push(add_failure_mode(document.model, cache, severity=10, likelihood=10, detection=10))
    assert rows(model)[1] == ("cache", 1, "H")
    timeout = next(f for f in document.model.failure_modes.values() if f.failure_mode == "Timeout")
    document.push(set_fields(document.model, "failure_mode", timeout.id, component_id=cache))
    assert rows(model)[0] == ("api", 2, "L")
    assert rows(model)[1] == ("cache", 2, "H")
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert rows(model) == [("api", 3, "M"), ("cache", 0, ""), ("database", 2, "H")]


def test_add_rename_and_refused_rename(panel, document, qtbot):
    component_id = panel.add_component()
    assert document.model.components[component_id].name == "New component 1"
    assert document.undo_stack.undoText() == "Add Component"
    assert panel.selected_ids() == [component_id]
    index = panel.model.index(panel.model.row_of(component_id), 0)
    assert panel.model.setData(index, "web", Qt.ItemDataRole.EditRole)
    assert [r[0] for r in rows(panel.model)] == ["api", "cache", "database", "web"]
    assert panel.selected_ids() == [component_id]  # the selection moved with the rename
    with qtbot.waitSignal(document.refused) as refused:
        assert not panel.model.setData(panel.model.index(0, 0), "Cache", Qt.ItemDataRole.EditRole)
    assert refused.args == ["Not renamed: a component named 'Cache' already exists", ""]
    assert document.model.components[1].name == "api"


def test_delete_with_failure_modes_asks_and_no_keeps_everything(panel, document, snapshot):
    before = snapshot(document.model)
    panel.interaction.yes = False
    panel.select(document.model.component_by_name("database").id)
    assert not panel.delete_selected()
    assert panel.interaction.questions == [
        (
            "yes_no",
            "Delete Component: Delete database with 2 failure modes and their actions?\n"
            "You can undo this with Edit > Undo.",
        )
    ]
    assert snapshot(document.model) == before


def test_delete_confirmed_removes_everything_and_undo_restores(panel, document, snapshot):
    before = snapshot(document.model)
    panel.interaction.yes = True
    panel.select(document.model.component_by_name("database").id)
    assert panel.delete_selected()
    assert document.model.component_by_name("database") is None
    assert len(document.model.failure_modes) == 3
    assert not document.model.actions
    assert document.undo_stack.undoText() == "Delete Component"
    document.undo_stack.undo()
    assert snapshot(document.model) == before
    assert [r[0] for r in rows(panel.model)] == ["api", "cache", "database"]


def test_empty_component_is_deleted_without_asking(panel, document):
    panel.interaction.yes = False
    panel.select(document.model.component_by_name("cache").id)
    assert panel.delete_selected()
    assert panel.interaction.questions == []
    assert document.model.component_by_name("cache") is None


def test_selection_is_shared_with_the_document(panel, document):
    db = document.model.component_by_name("database").id
    panel.select(db)
    assert document.selection.component_ids == [db]
    document.selection.select_components([])
    assert panel.selected_ids() == []


def test_names_that_differ_only_at_the_end_stay_distinguishable_in_the_list(context_factory, qtbot):
    from fma_app.domain.model import Model
    from fma_app.ui.document import Document

    model = Model()
    # rows 0 and 2 (same alternating background): names that differ only in their last digit
    names = [f"payment-gateway-adapter-europe-west-{n}" for n in ("1", "15", "2")]
    for name in names:
        model.add_component(name)
    widget = ComponentsPanel(context_factory(Document(model)))
    qtbot.addWidget(widget)
    widget.resize(220, 300)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.view
    cells = [view.visualRect(widget.model.index(row, 0)) for row in (0, 2)]
    assert view.fontMetrics().horizontalAdvance(names[0]) > cells[0].width()  # too long to fit
    view.selectionModel().clearCurrentIndex()  # no focus frame on either row
    picture = view.viewport().grab().toImage()
    first, last = (picture.copy(cell.adjusted(0, 0, 0, -1)) for cell in cells)
    assert first != last  # elided in the middle: the ends, which differ, are shown
    tips = [widget.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) for row in range(3)]
    assert [tip.split(" (")[0] for tip in tips] == names


def test_a_component_with_only_not_rated_failure_modes_gets_the_grey_badge_never_l(document):
    from fma_app.ui.graph.items import AP_FILL
    from fma_app.ui.graph.scene import node_stats
    from fma_app.ui.qt_style import NOT_RATED_FILL

    model = ComponentsModel(document)
    cache = document.model.component_by_name("cache").id
    document.push(add_failure_mode(document.model, cache, failure_mode="New", severity=3))
    assert rows(model)[1] == ("cache", 1, "")
    badge = model.index(1, 2)
    assert badge.data(Qt.ItemDataRole.BackgroundRole) == NOT_RATED_FILL
    assert badge.data(Qt.ItemDataRole.ToolTipRole) == "Worst Action Priority: not rated yet"
    stats = node_stats(document.model, [cache])[cache]
    assert (stats.count, stats.worst_ap, stats.max_rpn) == (1, None, 0)
    assert AP_FILL[stats.worst_ap] != AP_FILL["L"]
    # A rated L beside a not rated one: the worst rated AP, the not rated one adds nothing.
    document.push(add_failure_mode(document.model, cache, severity=1, likelihood=1, detection=1))
    assert rows(model)[1] == ("cache", 2, "L")
    assert node_stats(document.model, [cache])[cache].worst_ap == "L"
