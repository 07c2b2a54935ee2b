"""Score editors never store a different valid value: typed with real keys into the real editors.

A spin box limited to 1-10 dropped the second key of `11` and stored 1 without a word. Every
score editor (worksheet S/L/D and revised S/L/D, the details panel's scores and revised scores)
now refuses anything but a whole number 1-10 with a message and keeps the old score; an emptied
editor clears the score to not rated yet.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from fma_app.domain.model import Scores
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui.delegates import ScoreEdit
from fma_app.ui.main_window import MainWindow

BAD_INPUTS = ("11", "0", "1.5", "abc", "-3")
REFUSAL = "is not a whole number from 1 to 10"
WORKSHEET_SCORES = ("severity", "likelihood", "detection")
WORKSHEET_REVISED = ("revised_severity", "revised_likelihood", "revised_detection")


@pytest.fixture
def window(main_window_factory) -> MainWindow:
    window = main_window_factory()
    window.activateWindow()
    return window


def row_of(window: MainWindow, failure_mode: str) -> int:
    model = window.document.model
    fm = next(f for f in model.failure_modes.values() if f.failure_mode == failure_mode)
    row = window.worksheet.proxy.row_of(fm.id)
    assert row is not None
    return row


def open_editor(window: MainWindow, row: int, key: str, how: str, first_key: str) -> ScoreEdit:
    """Open the cell's editor the way a person does; `typing` sends `first_key` to the view."""
    view = window.worksheet.view
    index = window.worksheet.proxy.index(row, COLUMN_INDEX[key])
    view.setFocus()
    view.scrollTo(index)
    view.setCurrentIndex(index)
    if how == "typing":
        QTest.keyClicks(view, first_key)
    elif how == "F2":
        QTest.keyClick(view, Qt.Key.Key_F2)
    else:
        centre = view.visualRect(index).center()
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    editor = view.indexWidget(index)
    assert isinstance(editor, ScoreEdit), f"no score editor opened by {how}"
    return editor


def type_into_cell(window: MainWindow, row: int, key: str, text: str, how: str) -> None:
    """Open the editor, type `text` key by key where the keys go, and press Enter."""
    editor = open_editor(window, row, key, how, text[:1])
    rest = text[1:] if how == "typing" else text
    if how != "typing":
        editor.selectAll()  # F2 and double-click keep the text; the user selects it to replace
    if text == "":
        QTest.keyClick(editor, Qt.Key.Key_Delete)
    for char in rest:
        QTest.keyClicks(editor, char)
    assert editor.text() == text  # every key kept: nothing dropped while typing
    QTest.keyClick(editor, Qt.Key.Key_Return)
    view = window.worksheet.view
    index = window.worksheet.proxy.index(row, COLUMN_INDEX[key])
    for _ in range(100):  # the delegate commits on a queued call
        if view.indexWidget(index) is None:
            break
        QTest.qWait(10)
    assert view.indexWidget(index) is None, "the editor did not close on Enter"


@pytest.mark.parametrize("how", ["typing", "F2", "double-click"])
@pytest.mark.parametrize("key", WORKSHEET_SCORES + WORKSHEET_REVISED)
def test_a_bad_score_typed_in_the_worksheet_is_refused_and_the_old_one_kept(
    window, snapshot, how, key
):
    row = row_of(window, "Crash loop")  # S9 L2 D2, revised 9/1/2
    document = window.document
    before, steps = snapshot(document.model), document.undo_stack.count()
    for text in BAD_INPUTS:
        type_into_cell(window, row, key, text, how)
        message = window.statusBar().currentMessage()
        assert REFUSAL in message, message
        assert repr(text) in message, message
        assert snapshot(document.model) == before, f"{text!r} changed the model"
        assert document.undo_stack.count() == steps
        window.statusBar().clearMessage()


def test_eleven_is_not_stored_as_one(window):
    row = row_of(window, "Timeout")  # severity 8
    type_into_cell(window, row, "severity", "11", "typing")
    fm = window.document.model.failure_modes[window.worksheet.proxy.failure_mode_id(row)]
    assert fm.severity == 8
    assert window.statusBar().currentMessage() == (
        "Not changed: severity '11' is not a whole number from 1 to 10"
    )
    assert window.worksheet.proxy.index(row, COLUMN_INDEX["severity"]).data() == 8


@pytest.mark.parametrize("how", ["typing", "F2", "double-click"])
def test_two_digit_ten_and_an_emptied_editor_are_taken(window, how):
    row = row_of(window, "Timeout")
    fm = window.document.model.failure_modes[window.worksheet.proxy.failure_mode_id(row)]
    type_into_cell(window, row, "likelihood", "10", how)
    assert fm.likelihood == 10
    type_into_cell(window, row, "likelihood", "", "F2")
    assert fm.likelihood is None
    assert fm.rpn is None  # not rated yet, allowed
    assert window.document.undo_stack.undoText() == "Change Likelihood"


def test_an_emptied_revised_cell_clears_the_revised_scores(window):
    row = row_of(window, "Crash loop")
    fm = window.document.model.failure_modes[window.worksheet.proxy.failure_mode_id(row)]
    type_into_cell(window, row, "revised_likelihood", "3", "typing")
    assert fm.revised == Scores(9, 3, 2)
    type_into_cell(window, row, "revised_likelihood", "", "F2")
    assert fm.revised is None


def details(window: MainWindow, failure_mode: str):
    model = window.document.model
    fm = next(f for f in model.failure_modes.values() if f.failure_mode == failure_mode)
    window.document.selection.select_failure_mode(fm.id)
    return window.detail, fm


def type_into_box(box: ScoreEdit, text: str) -> None:
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    if text == "":
        QTest.keyClick(box, Qt.Key.Key_Delete)
    for char in text:
        QTest.keyClicks(box, char)
    QTest.keyClick(box, Qt.Key.Key_Return)


@pytest.mark.parametrize("revised", [False, True], ids=["scores", "revised scores"])
def test_a_bad_score_typed_in_the_details_panel_is_refused_and_shown_back(
    window, snapshot, revised
):
    panel, _fm = details(window, "Crash loop")
    document = window.document
    before, steps = snapshot(document.model), document.undo_stack.count()
    boxes = panel.revised if revised else panel.scores
    shown = {field: box.text() for field, box in boxes.items()}
    assert all(shown.values())
    for field, box in boxes.items():
        for text in BAD_INPUTS:
            type_into_box(box, text)
            assert REFUSAL in window.statusBar().currentMessage()
            assert box.text() == shown[field], f"{text!r} left in the {field} box"
            assert snapshot(document.model) == before
            assert document.undo_stack.count() == steps


def test_the_details_panel_takes_a_good_score_and_an_empty_box(window):
    panel, fm = details(window, "Timeout")
    type_into_box(panel.scores["severity"], "10")
    assert fm.severity == 10
    assert window.document.undo_stack.undoText() == "Change Severity"
    type_into_box(panel.scores["detection"], "")
    assert fm.detection is None
    assert panel.scores["detection"].text() == ""
    assert panel.score_label.text() == "RPN -   AP not rated yet"
    panel, fm = details(window, "Crash loop")
    type_into_box(panel.revised["detection"], "7")
    assert fm.revised == Scores(9, 1, 7)
    assert QApplication.focusWidget() is panel.revised["detection"]
