"""The detail panel: follows the selection, commits texts and scores, manages actions."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fma_app.domain.commands import remove
from fma_app.domain.model import ActionStatus, Scores
from fma_app.ui.detail_panel import DetailPanel

EDIT = Qt.ItemDataRole.EditRole


def fm_named(document, name: str):
    return next(f for f in document.model.failure_modes.values() if f.failure_mode == name)


@pytest.fixture
def panel(document, context, qtbot):
    widget = DetailPanel(context)
    qtbot.addWidget(widget)
    document.selection.select_failure_mode(fm_named(document, "Disk full").id)
    return widget


def test_empty_state_and_selection(document, context, qtbot):
    widget = DetailPanel(context)
    qtbot.addWidget(widget)
    assert widget.title.text().startswith("Select a row in the worksheet")
    assert not widget.texts["effect"].isEnabled()
    document.selection.select_failure_mode(fm_named(document, "Timeout").id)
    assert widget.title.text() == "api: Timeout"
    assert widget.texts["effect"].toPlainText() == "Checkout fails"
    assert widget.scores["severity"].value() == 8
    assert widget.score_label.text() == "RPN 160   AP M (Medium)"
    assert not widget.revised_check.isChecked()


def test_text_commit_is_one_named_undo_step(panel, document):
    fm = fm_named(document, "Disk full")
    panel.texts["cause"].setPlainText("No retention policy")
    panel.texts["cause"].committed.emit(panel.texts["cause"].toPlainText())
    assert fm.cause == "No retention policy"
    assert document.undo_stack.undoText() == "Change Cause"
    line = panel.texts["function"]
    line.setText("Persist orders")
    line.editingFinished.emit()
    assert fm.function == "Persist orders"
    document.undo_stack.undo()
    assert fm.function == "Store orders"
    assert line.text() == "Store orders"


def test_scores_and_revised_scores(panel, document):
    fm = fm_named(document, "Disk full")
    panel.scores["likelihood"].setValue(4)
    assert fm.likelihood == 4
    assert document.undo_stack.undoText() == "Change Likelihood"
    panel.revised_check.setChecked(True)
    assert fm.revised == Scores(10, 4, 10)  # starts from the original scores
    panel.revised["detection"].setValue(3)
    assert fm.revised == Scores(10, 4, 3)
    assert panel.revised_label.text().startswith("RPN 120")
    panel.revised_check.setChecked(False)
    assert fm.revised is None


def test_add_edit_mark_done_and_delete_actions(panel, document, snapshot):
    before = snapshot(document.model)
    fm = fm_named(document, "Disk full")
    action_id = panel.add_action("Page on-call at 90%")
    assert panel.actions_model.rowCount() == 3
    model = panel.actions_model
    row = model.row_of(action_id)
    assert model.setData(model.index(row, 1), "sre", EDIT)
    assert model.setData(model.index(row, 2), "2026-12-01", EDIT)
    assert document.model.actions[action_id].owner == "sre"
    assert document.model.actions[action_id].due_date == dt.date(2026, 12, 1)
    assert panel.mark_done([action_id])
    assert document.model.actions[action_id].status is ActionStatus.DONE
    assert model.index(row, 3).data() == "done"
    assert panel.delete_actions([action_id])
    assert panel.actions_model.rowCount() == 2
    for _ in range(5):
        document.undo_stack.undo()
    assert snapshot(document.model) == before
    assert all(a.failure_mode_id == fm.id for a in document.model.actions.values())


def test_bad_due_date_is_refused_with_a_message(panel, document, snapshot, qtbot):
    before = snapshot(document.model)
    model = panel.actions_model
    with qtbot.waitSignal(document.refused) as refused:
        assert not model.setData(model.index(0, 2), "next tuesday", EDIT)
    assert refused.args[0] == "Not changed: due date 'next tuesday' is not a date like 2026-03-31"
    with qtbot.waitSignal(document.refused) as refused:
        assert not model.setData(model.index(0, 3), "someday", EDIT)
    assert refused.args[0].startswith("Not changed: status 'someday' is not one of: open")
    assert snapshot(document.model) == before


def test_panel_clears_when_its_failure_mode_is_deleted(panel, document):
    document.push(remove(document.model, "failure_mode", [fm_named(document, "Disk full").id]))
    assert panel.failure_mode_id == 0
    assert panel.actions_model.rowCount() == 0
    assert panel.title.text().startswith("Select a row")


def test_a_score_cleared_in_the_panel_is_not_rated_and_shows_so(panel, document, qtbot):
    from PySide6.QtTest import QTest

    fm = fm_named(document, "Disk full")
    box = panel.scores["likelihood"]
    box.setFocus()
    box.selectAll()
    QTest.keyClick(box, Qt.Key.Key_Delete)
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert fm.likelihood is None
    assert fm.rpn is None
    assert box.text() == ""
    assert box.placeholderText() == "-"
    assert panel.score_label.text() == "RPN -   AP not rated yet"
    document.undo_stack.undo()
    assert fm.likelihood is not None
    assert panel.score_label.text().startswith("RPN ")


def test_revised_scores_on_a_not_rated_failure_mode_are_refused_by_the_gate(
    panel, document, snapshot, qtbot
):
    fm = fm_named(document, "Disk full")
    panel.scores["detection"].setValue(0)  # "-": not rated yet
    assert fm.detection is None
    assert fm.revised is None
    before, steps = snapshot(document.model), document.undo_stack.count()
    with qtbot.waitSignal(document.refused) as refused:
        panel.revised_check.setChecked(True)
    assert refused.args[0] == (
        "Not changed: rate severity, likelihood and detection before revised scores"
    )
    assert not panel.revised_check.isChecked()  # the refused toggle is put back
    assert not panel.revised["severity"].isEnabled()
    assert snapshot(document.model) == before
    assert document.undo_stack.count() == steps


def test_justification_is_typed_in_the_panel_as_one_undo_step(panel, document, qtbot):
    fm = fm_named(document, "Disk full")
    edit = panel.texts["justification"]
    qtbot.keyClicks(edit, "Alert at 80%")
    edit.committed.emit(edit.toPlainText())  # what leaving the field does (focusOutEvent)
    assert fm.justification == "Alert at 80%"
    assert document.undo_stack.undoText() == "Change Justification"
    document.undo_stack.undo()
    assert fm.justification == ""
    assert edit.toPlainText() == ""
