"""File > Model Properties: one undo step through the gate, refusals keep what was typed, the
title follows the name, and the properties survive a save and an open from the app."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit

from fma_app.domain.commands import edit_model_properties
from fma_app.domain.model import DEFAULT_MODEL_NAME
from fma_app.ui.document import Document
from fma_app.ui.main_window import MainWindow
from fma_app.ui.model_properties import ModelPropertiesDialog

TYPED = {
    "name": "Checkout platform",
    "description": "Card payments for the web shop",
    "scope": "Checkout, payments and the ledger\nnot the warehouse",
    "fmea_number": "FMEA-2026-014",
    "team": "Ana (payments), Bo (SRE)",
    "revision": "C",
    "prepared_by": "Ana Lima",
    "approved_by": "Bo Chen",
}
KEY_DATE = dt.date(2027, 3, 31)


@pytest.fixture
def window(main_window_factory, document) -> MainWindow:
    return main_window_factory(document)


def open_dialog(window: MainWindow) -> ModelPropertiesDialog:
    dialog = window.edit_model_properties()  # what File > Model Properties runs
    assert isinstance(dialog, ModelPropertiesDialog)
    assert dialog.isVisible()
    assert window.model_properties_action in window.file_menu.actions()
    return dialog


def type_into(qtbot, dialog: ModelPropertiesDialog, name: str, text: str) -> None:
    """Replace the editor's text by typing, with real key clicks (Enter for a new line)."""
    editor = dialog.editors[name]
    editor.clear()
    lines = text.split("\n")
    assert len(lines) == 1 or isinstance(editor, QPlainTextEdit)  # Enter in a line edit is OK
    for number, line in enumerate(lines):
        if number:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def fill(qtbot, dialog: ModelPropertiesDialog) -> None:
    for name, text in TYPED.items():
        type_into(qtbot, dialog, name, text)
    dialog.key_date.has_date.setChecked(True)
    dialog.key_date.date_edit.setDate(QDate(KEY_DATE.year, KEY_DATE.month, KEY_DATE.day))


def press_ok(dialog: ModelPropertiesDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_ok_applies_every_property_as_one_undo_step(window, qtbot):
    document = window.document
    before = document.model.properties
    steps = document.undo_stack.count()
    assert window.windowTitle() == "Untitled[*] \u2014 Shop"
    dialog = open_dialog(window)
    assert dialog.values()["name"] == before.name  # opens on the current properties
    fill(qtbot, dialog)
    press_ok(dialog)

    assert not dialog.isVisible()
    properties = document.model.properties
    assert {name: getattr(properties, name) for name in TYPED} == TYPED
    assert properties.key_date == KEY_DATE
    assert document.undo_stack.count() == steps + 1
    assert window.undo_action.text() == "&Undo Edit Model Properties"
    assert window.windowTitle() == "Untitled[*] \u2014 Checkout platform"
    assert window.isWindowModified()

    window.undo_action.trigger()  # one step undoes all nine
    assert document.model.properties == before
    assert window.windowTitle() == "Untitled[*] \u2014 Shop"
    window.redo_action.trigger()
    assert document.model.properties == properties


def test_empty_name_is_refused_with_a_message_and_the_dialog_keeps_the_text(window, qtbot):
    document = window.document
    before, steps = document.model.properties, document.undo_stack.count()
    dialog = open_dialog(window)
    fill(qtbot, dialog)
    type_into(qtbot, dialog, "name", "   ")
    press_ok(dialog)

    assert dialog.isVisible()  # still open, nothing typed lost
    assert dialog.values()["fmea_number"] == "FMEA-2026-014"
    assert dialog.values()["scope"] == TYPED["scope"]
    assert dialog.values()["key_date"] == KEY_DATE
    expected = "Model properties not changed: the model name must not be empty"
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == expected
    assert window.interaction.messages == [("warning", "Model Properties", expected)]
    assert document.model.properties == before
    assert document.undo_stack.count() == steps

    type_into(qtbot, dialog, "name", "Checkout platform")  # corrected, OK now applies
    press_ok(dialog)
    assert not dialog.isVisible()
    assert document.model.name == "Checkout platform"


def test_key_date_may_be_cleared_and_has_a_calendar(window, qtbot):
    document = window.document
    assert document.edit(lambda m: edit_model_properties(m, key_date=KEY_DATE)) is None
    dialog = open_dialog(window)
    assert dialog.key_date.date_edit.calendarPopup()
    assert dialog.key_date.value() == KEY_DATE
    qtbot.mouseClick(dialog.key_date.has_date, Qt.MouseButton.LeftButton)
    assert not dialog.key_date.date_edit.isEnabled()
    press_ok(dialog)
    assert document.model.key_date is None


def test_cancel_and_unchanged_ok_add_no_undo_step(window, qtbot):
    document = window.document
    steps = document.undo_stack.count()
    dialog = open_dialog(window)
    type_into(qtbot, dialog, "team", "someone")
    dialog.reject()
    assert document.model.team == ""
    assert document.undo_stack.count() == steps
    press_ok(open_dialog(window))
    assert document.undo_stack.count() == steps
    assert not window.isWindowModified()


def test_read_only_model_refuses_and_keeps_the_dialog_open(window, qtbot):
    window.document.set_read_only(True)
    dialog = open_dialog(window)
    type_into(qtbot, dialog, "name", "Renamed")
    press_ok(dialog)
    assert dialog.isVisible()
    assert dialog.values()["name"] == "Renamed"
    assert window.document.model.name == "Shop"
    assert window.interaction.messages == [
        ("warning", "Model Properties", "The model is open read-only")
    ]


def test_properties_round_trip_through_save_and_open_from_the_app(
    main_window_factory, qtbot, tmp_path
):
    window = main_window_factory(Document())
    dialog = open_dialog(window)
    fill(qtbot, dialog)
    press_ok(dialog)
    path = tmp_path / "checkout.fma"
    assert window.files.save_as(path)
    assert window.windowTitle() == "checkout.fma[*] \u2014 Checkout platform"

    assert window.files.new_model() is not False
    assert window.document.model.name == DEFAULT_MODEL_NAME
    assert window.files.open_path(path)
    properties = window.document.model.properties
    assert {name: getattr(properties, name) for name in TYPED} == TYPED
    assert properties.key_date == KEY_DATE
    assert window.windowTitle() == "checkout.fma[*] \u2014 Checkout platform"
    reopened = open_dialog(window)  # the dialog shows what was read back
    assert reopened.values() == {**TYPED, "key_date": KEY_DATE}


def test_the_dialog_sends_only_what_was_edited_in_it(qtbot, window: MainWindow) -> None:
    """A property changed while the dialog was open (a colleague's, fetched on a shared model)
    keeps its value when OK sends the user's own edits (review of issue 18, finding 2)."""
    document = window.document
    dialog = open_dialog(window)
    type_into(qtbot, dialog, "revision", "D")
    document.model.scope = "changed meanwhile"  # as a fetch of someone else's change does
    assert dialog.apply() is None
    assert (document.model.revision, document.model.scope) == ("D", "changed meanwhile")
    document.undo()
    assert (document.model.revision, document.model.scope) == ("", "changed meanwhile")
