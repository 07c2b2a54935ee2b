"""WorksheetModel and its proxy, without a window: roles, edits, refresh, sort and filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fma_app.domain.commands import add_failure_mode, remove, set_fields
from fma_app.domain.model import Model, Scores
from fma_app.domain.scoring import ActionPriority
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui.document import Document
from fma_app.ui.qt_style import AP_FILLS, AP_TEXTS
from fma_app.ui.worksheet_model import PAINT_ROLE, SORT_ROLE, WorksheetModel, WorksheetProxy

EDIT = Qt.ItemDataRole.EditRole
C = COLUMN_INDEX


@pytest.fixture
def sheet(document):
    model = WorksheetModel(document)
    proxy = WorksheetProxy()
    proxy.setSourceModel(model)
    return model, proxy


def column_values(model, column: str) -> list:
    return [model.index(r, C[column]).data() for r in range(model.rowCount())]


def test_models_pass_the_model_tester(qtmodeltester, sheet):
    model, proxy = sheet
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(proxy, force_py=True)


def test_rows_show_fields_and_computed_columns(sheet, document):
    model, _ = sheet
    assert model.rowCount() == 5
    assert model.columnCount() == 22  # with the ID, the justification and the two resilience ones
    row = model.row_of(next(iter(document.model.failure_modes)))
    assert model.index(row, C["component"]).data() == "api"
    assert model.index(row, C["rpn"]).data() == 160
    assert model.index(row, C["ap"]).data() == "M"  # S 8, L 5, D 4 in the AIAG-VDA table
    assert model.index(row, C["revised_rpn"]).data() == ""
    assert not model.flags(model.index(row, C["rpn"])) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(row, C["severity"])) & Qt.ItemFlag.ItemIsEditable
    background = model.index(row, C["ap"]).data(Qt.ItemDataRole.BackgroundRole)
    assert background == AP_FILLS[ActionPriority.MEDIUM]
    foreground = model.index(row, C["ap"]).data(Qt.ItemDataRole.ForegroundRole)
    assert foreground == AP_TEXTS[ActionPriority.MEDIUM]
    tooltip = model.index(row, C["severity"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>8: Very high" in tooltip


def test_row_values_match_every_cell(sheet, document):
    model, _ = sheet
    for row in range(model.rowCount()):
        assert list(model.row_cells(row)) == [model.cell(row, c) for c in range(len(C))]


def test_action_status_summary(sheet, document):
    model, _ = sheet
    disk = next(f for f in document.model.failure_modes.values() if f.failure_mode == "Disk full")
    assert model.index(model.row_of(disk.id), C["actions"]).data() == "1 open / 1 done"
    action = next(a for a in document.model.actions.values() if a.status.value == "open")
    document.push(set_fields(document.model, "action", action.id, status="done"))
    assert model.index(model.row_of(disk.id), C["actions"]).data() == "0 open / 2 done"


def test_set_data_goes_through_a_named_undoable_command(sheet, document, snapshot):
    model, _ = sheet
    before = snapshot(document.model)
    assert model.setData(model.index(0, C["severity"]), 2, EDIT)
    fm_id = model.failure_mode_id(0)
    assert document.model.failure_modes[fm_id].severity == 2
    assert document.undo_stack.undoText() == "Change Severity"
    assert model.index(0, C["rpn"]).data() == 2 * 5 * 4
    document.undo_stack.undo()
    assert snapshot(document.model) == before
    assert model.index(0, C["severity"]).data() == 8


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("severity", 11, "Not changed: severity 11 is not a whole number from 1 to 10"),
        ("likelihood", "high", "Not changed: likelihood 'high' is not a whole number from 1 to 10"),
        ("component", "nowhere", "Not changed: there is no component named 'nowhere'"),
        (
            "revised_detection",
            0,
            "Not changed: revised detection 0 is not a whole number from 1 to 10",
        ),
    ],
)
def test_invalid_input_never_reaches_the_model(
    sheet, document, snapshot, qtbot, column, value, message
):
    model, _ = sheet
    before = snapshot(document.model)
    with qtbot.waitSignal(document.refused) as refused:
        assert not model.setData(model.index(0, C[column]), value, EDIT)
    assert refused.args == [message, ""]
    assert snapshot(document.model) == before
    assert document.undo_stack.count() == 0


def test_unchanged_value_makes_no_undo_step(sheet, document):
    model, _ = sheet
    assert not model.setData(model.index(0, C["severity"]), 8, EDIT)
    assert document.undo_stack.count() == 0


def test_first_revised_score_copies_the_originals(sheet, document):
    model, _ = sheet
    fm = document.model.failure_modes[model.failure_mode_id(0)]  # 8/5/4, no revised
    assert model.setData(model.index(0, C["revised_likelihood"]), 2, EDIT)
    assert fm.revised == Scores(8, 2, 4)
    assert model.index(0, C["revised_ap"]).data() == fm.revised.ap.value
    assert model.setData(model.index(0, C["revised_detection"]), "", EDIT)  # clears all three
    assert fm.revised is None


def test_component_cell_moves_the_failure_mode(sheet, document):
    model, _ = sheet
    assert model.setData(model.index(0, C["component"]), "cache", EDIT)
    cache = document.model.component_by_name("cache")
    assert document.model.failure_modes[model.failure_mode_id(0)].component_id == cache.id


def test_rows_follow_added_removed_and_reset(sheet, document, qtbot):
    model, proxy = sheet
    api = document.model.component_by_name("api").id
    with qtbot.waitSignal(model.rowsInserted):
        document.push(add_failure_mode(document.model, api, failure_mode="New"))
    assert model.rowCount() == 6
    assert model.index(5, C["failure_mode"]).data() == "New"
    ids = [model.failure_mode_id(r) for r in (0, 2, 3)]
    document.push(remove(document.model, "failure_mode", ids))
    assert model.rowCount() == 3
    assert proxy.rowCount() == 3
    assert all(model.row_of(i) is None for i in ids)
    document.undo_stack.undo()
    assert model.rowCount() == 6
    with qtbot.waitSignal(model.modelReset):
        document.replace(Model(), None)
    assert model.rowCount() == 0
    assert proxy.rowCount() == 0


def test_component_rename_refreshes_its_rows(sheet, document, qtbot):
    model, _ = sheet
    api = document.model.component_by_name("api").id
    with qtbot.waitSignal(model.dataChanged):
        document.push(set_fields(document.model, "component", api, name="gateway"))
    assert column_values(model, "component").count("gateway") == 3


def test_undo_redo_round_trip_is_exact(sheet, document, snapshot):
    model, _ = sheet
    states = [snapshot(document.model)]
    model.setData(model.index(1, C["effect"]), "Total outage", EDIT)
    states.append(snapshot(document.model))
    model.setData(model.index(3, C["revised_severity"]), 4, EDIT)
    states.append(snapshot(document.model))
    document.push(remove(document.model, "component", [document.model.component_by_name("api").id]))
    states.append(snapshot(document.model))
    for expected in reversed(states[:-1]):
        document.undo_stack.undo()
        assert snapshot(document.model) == expected
    for expected in states[1:]:
        document.undo_stack.redo()
        assert snapshot(document.model) == expected
    assert model.rowCount() == 2


def test_sort_by_rpn_is_numeric_both_ways(sheet, document):
    model, proxy = sheet
    proxy.sort(C["rpn"], Qt.SortOrder.DescendingOrder)
    rpns = [proxy.index(r, C["rpn"]).data() for r in range(proxy.rowCount())]
    assert rpns == [1000, 160, 36, 27, 18]  # numeric: 1000 first, not "36" > "1000"
    proxy.sort(C["rpn"], Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, C["rpn"]).data() for r in range(5)] == [18, 27, 36, 160, 1000]
    assert proxy.index(0, C["rpn"]).data(SORT_ROLE) == 18
    proxy.sort(-1)
    assert [model.failure_mode_id(r) for r in range(5)] == list(document.model.failure_modes)


def test_sort_by_ap_and_revised_put_empty_last(sheet):
    _, proxy = sheet
    proxy.sort(C["ap"], Qt.SortOrder.DescendingOrder)
    aps = [proxy.index(r, C["ap"]).data() for r in range(5)]
    assert aps == sorted(aps, key="HML".index)
    proxy.sort(C["revised_rpn"], Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, C["revised_rpn"]).data() == 18
    assert proxy.index(4, C["revised_rpn"]).data() == ""


def test_sort_keeps_the_current_cell_on_its_failure_mode(sheet, qtbot):
    from PySide6.QtWidgets import QTableView

    _model, proxy = sheet
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setCurrentIndex(proxy.index(3, C["effect"]))  # "Disk full"
    proxy.sort(C["rpn"], Qt.SortOrder.DescendingOrder)
    assert view.currentIndex().row() == 0
    assert proxy.index(0, C["failure_mode"]).data() == "Disk full"


def test_text_filter_matches_any_column_case_insensitively(sheet):
    _, proxy = sheet
    proxy.set_text_filter("STALE")
    assert [proxy.index(r, C["failure_mode"]).data() for r in range(proxy.rowCount())] == [
        "Replica lag"
    ]
    proxy.set_text_filter("database")  # two in the component column, one cause "Slow database"
    assert proxy.rowCount() == 3
    proxy.set_text_filter("")
    assert proxy.rowCount() == 5


def test_component_and_ap_filters_combine(sheet, document):
    _model, proxy = sheet
    api = document.model.component_by_name("api").id
    proxy.set_component_filter([api])
    assert proxy.rowCount() == 3
    proxy.set_ap_filter("M")
    assert [proxy.index(r, C["failure_mode"]).data() for r in range(proxy.rowCount())] == [
        "Timeout"
    ]
    proxy.set_component_filter([])
    proxy.set_ap_filter("L")
    assert proxy.rowCount() == 3
    proxy.set_ap_filter(None)
    proxy.set_component_filter([])
    assert proxy.rowCount() == 5


def test_edited_row_stays_until_the_filter_changes(sheet):
    model, proxy = sheet
    proxy.set_text_filter("checkout")
    assert proxy.rowCount() == 2
    source_row = proxy.mapToSource(proxy.index(0, 0)).row()
    model.setData(model.index(source_row, C["effect"]), "Nothing", EDIT)
    model.setData(model.index(source_row, C["function"]), "Search", EDIT)
    assert proxy.rowCount() == 2  # not yanked away while being typed into
    proxy.set_text_filter("checkout")
    assert proxy.rowCount() == 1


def test_new_row_shows_under_a_filter_until_it_changes(sheet, document):
    _, proxy = sheet
    proxy.set_text_filter("checkout")
    api = document.model.component_by_name("api").id
    document.push(add_failure_mode(document.model, api))
    assert proxy.rowCount() == 3
    assert proxy.index(2, C["failure_mode"]).data() == ""
    proxy.set_text_filter("checkout ")
    assert proxy.rowCount() == 2


def test_hidden_rows_search_the_new_component_name(sheet, document):
    _, proxy = sheet
    proxy.set_text_filter("orders")
    db = document.model.component_by_name("database").id
    document.push(set_fields(document.model, "component", db, name="ledger"))
    proxy.set_text_filter("ledger")
    assert proxy.rowCount() == 2


def test_model_tester_watches_filters_sorts_and_edits(qtmodeltester, sheet, document):
    model, proxy = sheet
    qtmodeltester.check(proxy, force_py=True)  # stays connected: checks every change below
    proxy.set_text_filter("o")
    proxy.sort(C["rpn"], Qt.SortOrder.DescendingOrder)
    model.setData(model.index(0, C["severity"]), 1, EDIT)
    api = document.model.component_by_name("api").id
    document.push(add_failure_mode(document.model, api))
    proxy.set_component_filter([api])
    document.push(remove(document.model, "component", [api]))
    proxy.set_component_filter([])
    document.undo_stack.undo()
    assert proxy.rowCount() == 6


def test_sorted_and_filtered_proxy_passes_the_model_tester(qtmodeltester, sheet):
    _model, proxy = sheet
    proxy.sort(C["rpn"], Qt.SortOrder.DescendingOrder)
    proxy.set_text_filter("o")
    qtmodeltester.check(proxy, force_py=True)


def test_large_document_loads(qapp):
    from benchmarks.generate import generate_model

    document = Document(generate_model(50, 80, 2000, 300))
    model = WorksheetModel(document)
    assert model.rowCount() == 2000
    assert model.search_text(0).startswith("component-00000")


# ---- not rated yet (issue 11) ----------------------------------------------------------------


def add_not_rated(document, **scores) -> int:
    component = next(iter(document.model.components))
    command = add_failure_mode(document.model, component, failure_mode="New", **scores)
    document.push(command)
    return command.entities[0].id


def test_a_not_rated_row_shows_empty_scores_rpn_and_ap_in_grey(sheet, document):
    from fma_app.presentation.worksheet import row_values
    from fma_app.ui.qt_style import NOT_RATED_FILL

    model, _ = sheet
    fm_id = add_not_rated(document, severity=7)
    row = model.row_of(fm_id)
    cells = {key: model.index(row, C[key]).data() for key in
             ("severity", "likelihood", "detection", "rpn", "ap")}  # fmt: skip
    assert cells == {"severity": 7, "likelihood": "", "detection": "", "rpn": "", "ap": ""}
    ap = model.index(row, C["ap"])
    assert ap.data(Qt.ItemDataRole.BackgroundRole) == NOT_RATED_FILL
    assert ap.data(Qt.ItemDataRole.BackgroundRole) not in AP_FILLS.values()
    assert "Not rated yet" in ap.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, C["likelihood"]).data(EDIT) is None  # the editor opens empty
    fm = document.model.failure_modes[fm_id]
    assert row_values(document.model, fm, (0, 0, 0))[C["rpn"]] == ""


@pytest.mark.parametrize("column", ["rpn", "ap", "severity"])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_puts_not_rated_last_both_ways(sheet, document, column, order):
    _model, proxy = sheet
    blank = add_not_rated(document)
    partly = add_not_rated(document, likelihood=3)
    proxy.sort(C[column], order)
    last = [proxy.failure_mode_id(r) for r in range(proxy.rowCount())][-2:]
    assert last == [blank, partly]  # after every rated row, in the model's order


def test_clearing_a_score_cell_makes_it_not_rated_in_one_undo_step(sheet, document):
    model, _ = sheet
    fm_id = next(iter(document.model.failure_modes))
    row = model.row_of(fm_id)
    assert model.setData(model.index(row, C["detection"]), "", EDIT)
    fm = document.model.failure_modes[fm_id]
    assert (fm.detection, fm.rpn, fm.ap) == (None, None, None)
    assert model.index(row, C["rpn"]).data() == ""
    document.undo_stack.undo()
    assert fm.detection == 4
    assert model.index(row, C["rpn"]).data() == 160


def test_a_revised_score_on_a_not_rated_row_is_refused_with_a_message(sheet, document, qtbot):
    model, _ = sheet
    fm_id = add_not_rated(document, severity=7)
    with qtbot.waitSignal(document.refused) as refused:
        assert not model.setData(model.index(model.row_of(fm_id), C["revised_severity"]), 3, EDIT)
    assert "rate severity, likelihood and detection first" in refused.args[0]
    assert document.model.failure_modes[fm_id].revised is None


def test_the_score_editor_takes_an_emptied_text_as_not_rated(sheet, document, qtbot):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QStyleOptionViewItem, QWidget

    from fma_app.ui.delegates import ScoreDelegate

    model, _ = sheet
    fm_id = next(iter(document.model.failure_modes))
    index = model.index(model.row_of(fm_id), C["severity"])
    parent = QWidget()
    qtbot.addWidget(parent)
    delegate = ScoreDelegate()
    editor = delegate.createEditor(parent, QStyleOptionViewItem(), index)
    delegate.setEditorData(editor, index)
    editor.show()
    QTest.keyClick(editor, Qt.Key.Key_Delete)  # the text is selected: Delete empties it
    delegate.setModelData(editor, model, index)
    assert document.model.failure_modes[fm_id].severity is None
    delegate.setEditorData(editor, index)
    assert editor.text() == ""
    assert editor.placeholderText() == "-"
    QTest.keyClicks(editor, "0")  # a typed 0 is not a score: refused, never taken as "clear"
    with qtbot.waitSignal(document.refused) as refused:
        delegate.setModelData(editor, model, index)
    assert refused.args[0] == "Not changed: severity '0' is not a whole number from 1 to 10"
    assert document.model.failure_modes[fm_id].severity is None
    editor.selectAll()
    QTest.keyClicks(editor, "6")
    delegate.setModelData(editor, model, index)
    assert document.model.failure_modes[fm_id].severity == 6


def test_the_painter_reads_what_the_paint_role_gives_at_each_view_row(sheet, document):
    """The cell painter asks `painted_cell(row, column)` of the rows the proxy shows, without
    a data() call: after a sort, a filter and an edit it must be the PAINT_ROLE of that cell."""
    model, proxy = sheet
    fm_id = model.failure_mode_id(0)
    document.apply(lambda m: set_fields(m, "failure_mode", fm_id, severity=2))
    proxy.sort(C["rpn"], Qt.SortOrder.DescendingOrder)
    proxy.set_text_filter(document.model.failure_modes[fm_id].failure_mode[:3])
    assert 0 < proxy.rowCount() < len(document.model.failure_modes)
    for row in range(proxy.rowCount()):
        for column in range(proxy.columnCount()):
            expected = proxy.index(row, column).data(PAINT_ROLE)
            assert model.painted_cell(row, column) == expected
