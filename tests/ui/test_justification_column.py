"""The worksheet's Justification column: shown, edited as one undo step, filtered, pasted."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fma_app.presentation.worksheet import COLUMN_INDEX, COLUMNS
from fma_app.ui.worksheet_model import WorksheetModel, WorksheetProxy

EDIT = Qt.ItemDataRole.EditRole
COLUMN = COLUMN_INDEX["justification"]


def test_the_column_follows_the_id_and_is_editable_text(document):
    assert COLUMNS[COLUMN].title == "Justification"
    # Right after the ID, so the columns before keep their numbers; the resilience columns
    # (issue 16, merged after it) come after it.
    assert [c.key for c in COLUMNS[COLUMN - 1 :]] == [
        "id",
        "justification",
        "mitigations",
        "experiment",
    ]
    model = WorksheetModel(document)
    assert model.flags(model.index(0, COLUMN)) & Qt.ItemFlag.ItemIsEditable


def test_typing_a_justification_is_one_named_undo_step_and_filters_find_it(document):
    model = WorksheetModel(document)
    proxy = WorksheetProxy()
    proxy.setSourceModel(model)
    fm = document.model.failure_modes[model.failure_mode_id(0)]
    assert model.setData(model.index(0, COLUMN), "Runbook RB-7 covers it", EDIT)
    assert fm.justification == "Runbook RB-7 covers it"
    assert model.index(0, COLUMN).data() == "Runbook RB-7 covers it"
    assert document.undo_stack.undoText() == "Change Justification"
    proxy.set_text_filter("rb-7")
    assert [proxy.failure_mode_id(r) for r in range(proxy.rowCount())] == [fm.id]
    document.undo_stack.undo()
    assert fm.justification == ""
    assert model.index(0, COLUMN).data() == ""
