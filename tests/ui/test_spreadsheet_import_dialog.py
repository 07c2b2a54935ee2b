"""File > Import Spreadsheet...: a person picks the file, fixes a column's field in its combo,
clicks a problem to see its cell, leaves a row out, imports, and undoes; every read is off the
UI thread, and a refusal, a cancel or a read-only model leaves everything as it was."""

from __future__ import annotations

import json
import time
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QStyleOptionViewItem

from fma_app.cli import main as cli_main
from fma_app.domain.commands import RenameModel
from fma_app.reports.spreadsheet_import import Mapping
from fma_app.storage import open_model
from fma_app.ui.app import build_window
from fma_app.ui.document import READ_ONLY_REFUSAL, Document
from fma_app.ui.interaction import RecordingInteraction, SaveChoice
from fma_app.ui.spreadsheet_import_dialog import TITLE, SpreadsheetImportDialog
from fma_app.ui.spreadsheet_import_room import SHORTCUT, SpreadsheetImportRoom
from fma_app.ui.spreadsheet_import_session import close_all_sessions, live_sessions
from fma_app.ui.spreadsheet_preview_model import FIELD_ROW

SHEET = "Line 3"
HEADER = [
    "Item", "Function", "Failure Mode", "Effect", "Sev", "Cause", "Chance",
    "Detection Controls", "Det", "Recommended Action",
]  # fmt: skip
ROWS = [
    ["Press", "Form the part", "Cracked part", "Scrap", 7, "Worn die", 4, "Visual check", 5,
     "Replace die monthly"],
    ["Press", "Form the part", "Wrong depth", "Rework", 5, "Bad setting", 3, "Gauge", 3, None],
    ["Oven", "Cure", "Under-cured", "Weak joint", 11, "Short cycle", 2, "Timer", 4, None],
    ["Oven", "Cure", "Over-cured", "Brittle", 6, "Long cycle", 2, "Timer", 4, None],
]  # fmt: skip
BAD_ROW = 6  # "Under-cured": severity 11
BAD_CELL_PROBLEM = "'Line 3'!E6: severity 11 is not a whole number from 1 to 10"


def write_form(
    path: Path,
    rows: list[list[object]] = ROWS,
    sheets: tuple[str, ...] = (SHEET,),
    header: list[str] = HEADER,
) -> Path:
    """A process FMEA as a team keeps it: a title, a blank row, the header in row 3 with one
    header ("Chance") that detection does not know, then the rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in sheets:
        sheet = workbook.create_sheet(name)
        sheet["A1"] = f"Process FMEA - {name}"
        sheet.append([])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def form(tmp_path) -> Path:
    return write_form(tmp_path / "line3.xlsx")


@pytest.fixture
def window_factory(qtbot, context_factory):
    def make(document: Document | None = None, interaction=None):
        context = context_factory(document, interaction)
        window = build_window(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def wait_for(qtbot, condition, timeout_s: float = 60) -> None:
    """Process events until `condition()`; a sleep each turn hands Python's lock to the reader
    thread (a wait inside Qt alone may keep it)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the reader"
        time.sleep(0.005)
        qtbot.wait(5)


def choose_import(window) -> SpreadsheetImportRoom:
    """File > Import Spreadsheet... (the menu's action: a shortcut needs the window active,
    which the offscreen platform does not always grant once other tests' windows came and
    went)."""
    room = window.findChild(SpreadsheetImportRoom)
    room.action.trigger()
    return room


def open_dialog(qtbot, window) -> SpreadsheetImportDialog:
    """File > Import Spreadsheet..., the file chooser answers with the interaction's
    `open_path`, then wait for the preview."""
    room = choose_import(window)
    dialog = room.dialog
    assert isinstance(dialog, SpreadsheetImportDialog)
    wait_for(qtbot, lambda: dialog.analysis is not None)
    return dialog


def wait_closed(qtbot, window) -> None:
    room = window.findChild(SpreadsheetImportRoom)
    wait_for(qtbot, lambda: room.dialog is None)


def click_box(qtbot, box) -> None:
    """Click a check box or radio button on its indicator (a wide one ignores its middle)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def wait_read(qtbot, dialog: SpreadsheetImportDialog) -> None:
    """Until the preview shows the latest request."""
    wait_for(
        qtbot,
        lambda: (
            dialog.analysis is not None
            and dialog.analysis.request == dialog.session.latest_request
            and not dialog.session.busy
        ),
    )


def field_combo(dialog: SpreadsheetImportDialog, letter: str) -> QComboBox:
    model = dialog.preview_model
    section = next(s for s, c in enumerate(model.columns, start=1) if c.letter == letter)
    combo = dialog.preview_view.indexWidget(model.index(FIELD_ROW, section))
    assert isinstance(combo, QComboBox)
    return combo


def choose_in_combo(qtbot, combo: QComboBox, text: str) -> None:
    """Open the combo's list with a click and click the entry, as a person does."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    # The list ignores a release that comes sooner than a double click after it opened.
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    index = popup.model().index(combo.findText(text), 0)
    assert index.isValid(), f"{text!r} is not offered"
    popup.scrollTo(index)
    qtbot.mouseClick(
        popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(index).center()
    )


def click_problem(qtbot, dialog: SpreadsheetImportDialog, text: str) -> None:
    view = dialog.problems_view
    rows = [p.text for p in dialog.problems_model.problems]
    index = dialog.problems_model.index(rows.index(text))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def click_row_check(qtbot, dialog: SpreadsheetImportDialog, number: int) -> None:
    """Click the check box of sheet row `number` in the preview."""
    view, model = dialog.preview_view, dialog.preview_model
    position = 1 + [row.number for row in model.rows].index(number)
    index = model.index(position, 0)
    view.scrollTo(index)
    option = QStyleOptionViewItem()
    option.rect = view.visualRect(index)
    option.features = QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


def imported_modes(model) -> list[str]:
    return sorted(fm.failure_mode for fm in model.failure_modes.values())


def test_choose_a_field_see_the_bad_cell_leave_the_row_out_and_import_a_new_model(
    qtbot, window_factory, form
):
    interaction = RecordingInteraction(open_path=str(form), save=SaveChoice.DISCARD)
    window = window_factory(interaction=interaction)
    document = window.document
    dialog = open_dialog(qtbot, window)

    # Detection: header row 3, "Chance" not recognised, so the import is refused with its reason.
    assert (dialog.header_first.value(), dialog.header_last.value()) == (3, 3)
    assert field_combo(dialog, "E").currentText() == "Severity (detected)"
    assert field_combo(dialog, "G").currentText() == "(not read)"
    assert dialog.problems_model.problems[0].text == (
        "Line 3: found Severity, Detection but no Occurrence column; choose Likelihood for its "
        "column in the preview's Field row"
    )  # the dialog's words: it has no --map option

    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    assert dialog.mapping.columns == {"G": "likelihood"}
    assert dialog.problems_model.problems == []
    assert field_combo(dialog, "G").currentText() == "Likelihood"

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: bool(dialog.import_problems))
    assert interaction.messages[-1] == (
        "warning",
        TITLE,
        "line3.xlsx was not imported: 1 problem, listed in the dialog (click one to see its "
        "cell). Nothing was changed.",
    )
    assert document.model.name == "Shop"  # the open model is untouched

    click_problem(qtbot, dialog, BAD_CELL_PROBLEM)
    current = dialog.preview_view.currentIndex()
    assert current.data() == "11"
    assert dialog.preview_model.columns[current.column() - 1].letter == "E"
    assert dialog.preview_model.rows[current.row() - 1].number == BAD_ROW

    click_row_check(qtbot, dialog, BAD_ROW)
    wait_read(qtbot, dialog)
    assert dialog.mapping.excluded_rows == {SHEET: [BAD_ROW]}
    assert dialog.problems_model.problems == []  # the refusal was about the row now left out

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, window)
    assert imported_modes(document.model) == ["Cracked part", "Over-cured", "Wrong depth"]
    press = document.model.component_by_name("Press")
    assert press is not None
    cracked = next(fm for fm in document.model.failure_modes.values() if fm.failure_mode ==
                   "Cracked part")  # fmt: skip
    assert (cracked.severity, cracked.likelihood, cracked.detection) == (7, 4, 5)
    assert cracked.component_id == press.id
    assert document.path is None
    assert window.windowTitle() == "Untitled[*] \u2014 line3"
    assert window.isWindowModified()
    assert window.statusBar().currentMessage() == (
        "Imported 2 components, 3 failure modes and 1 action from line3.xlsx"
    )
    assert interaction.messages[-1] == (
        "information", TITLE, "Imported 2 components, 3 failure modes and 1 action from "
        "line3.xlsx.",
    )  # fmt: skip


def test_add_to_the_open_model_is_one_undo_step(qtbot, window_factory, form, snapshot):
    interaction = RecordingInteraction(open_path=str(form))
    window = window_factory(interaction=interaction)
    document = window.document
    before = snapshot(document.model)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    click_row_check(qtbot, dialog, BAD_ROW)
    wait_read(qtbot, dialog)
    click_box(qtbot, dialog.add_radio)
    assert dialog.adds_to_open_model
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, window)

    assert len(document.model.failure_modes) == 5 + 3
    assert {c.name for c in document.model.components.values()} == {
        "api", "database", "cache", "Press", "Oven",
    }  # fmt: skip
    assert document.model.name == "Shop"
    assert window.undo_action.text() == "&Undo Import line3.xlsx"
    assert window.isWindowModified()
    window.undo_action.trigger()  # Edit > Undo
    assert snapshot(document.model) == before
    assert not window.isWindowModified()


def test_a_read_only_model_refuses_the_addition_and_keeps_the_dialog(
    qtbot, window_factory, small_model, form, snapshot
):
    interaction = RecordingInteraction(open_path=str(form))
    window = window_factory(Document(small_model, read_only=True), interaction)
    document = window.document
    before = snapshot(document.model)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    click_row_check(qtbot, dialog, BAD_ROW)
    wait_read(qtbot, dialog)
    click_box(qtbot, dialog.add_radio)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: dialog.import_result is not None)

    assert interaction.messages[-1] == ("warning", TITLE, READ_ONLY_REFUSAL)
    assert snapshot(document.model) == before
    assert dialog.isVisible()
    assert dialog.notes_label.text().startswith(READ_ONLY_REFUSAL)
    assert not document.undo_stack.canUndo()


def test_keeping_unsaved_changes_keeps_the_open_model(qtbot, window_factory, form, snapshot):
    interaction = RecordingInteraction(open_path=str(form), save=SaveChoice.CANCEL)
    window = window_factory(interaction=interaction)
    document = window.document
    assert document.edit(lambda _model: RenameModel("Shop, unsaved")) is None
    assert document.modified
    before = snapshot(document.model)
    dialog = open_dialog(qtbot, window)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # refused: no likelihood
    wait_for(qtbot, lambda: bool(dialog.import_problems))
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    click_row_check(qtbot, dialog, BAD_ROW)
    wait_read(qtbot, dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: dialog.import_result is not None)

    assert ("save", "Save the changes to Untitled?") in interaction.questions
    assert snapshot(document.model) == before
    assert document.modified
    assert dialog.isVisible()
    assert dialog.notes_label.text() == "The open model was kept; nothing was imported."
    interaction.save = SaveChoice.DISCARD  # so the window closes when the test ends


def test_header_rows_typed_in_are_the_mapping(qtbot, window_factory, form):
    window = window_factory(interaction=RecordingInteraction(open_path=str(form)))
    dialog = open_dialog(qtbot, window)
    dialog.header_first.selectAll()
    qtbot.keyClicks(dialog.header_first, "1")
    qtbot.keyClick(dialog.header_first, Qt.Key.Key_Enter)
    wait_for(qtbot, lambda: dialog.mapping.header_rows == (1, 3))
    wait_read(qtbot, dialog)
    assert dialog.analysis is not None
    assert dialog.analysis.layout is not None
    assert dialog.analysis.layout.header_rows == (1, 3)
    assert dialog.notes_label.text().startswith("Header rows 1-3, data from row 4.")

    qtbot.mouseClick(dialog.detect_button, Qt.MouseButton.LeftButton)
    wait_read(qtbot, dialog)
    assert dialog.mapping.header_rows is None
    assert (dialog.header_first.value(), dialog.header_last.value()) == (3, 3)


def test_the_saved_mapping_is_the_command_lines(qtbot, window_factory, form, tmp_path):
    saved = tmp_path / "line3.mapping.json"
    interaction = RecordingInteraction(open_path=str(form), save_path=str(saved))
    window = window_factory(interaction=interaction)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    click_row_check(qtbot, dialog, BAD_ROW)
    wait_read(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert Mapping.load(saved) == Mapping(
        columns={"G": "likelihood"}, excluded_rows={SHEET: [BAD_ROW]}
    )
    output = tmp_path / "line3.fma"
    assert cli_main(["import", str(form), "-o", str(output), "--mapping", str(saved)]) == 0
    assert imported_modes(open_model(output)) == ["Cracked part", "Over-cured", "Wrong depth"]


def test_a_loaded_mapping_applies_and_a_bad_one_is_refused(qtbot, window_factory, form, tmp_path):
    good = tmp_path / "good.json"
    Mapping(columns={"Chance": "likelihood"}, excluded_rows={SHEET: [BAD_ROW]}).save(good)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"fma_spreadsheet_mapping": 1, "columns": {"G": "odds"}}))
    interaction = RecordingInteraction(open_path=str(form))
    window = window_factory(interaction=interaction)
    dialog = open_dialog(qtbot, window)

    interaction.open_path = str(bad)
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert interaction.messages[-1][0:2] == ("warning", "Load Mapping")
    assert "column 'G': 'odds' is not a field" in interaction.messages[-1][2]
    assert dialog.mapping == Mapping()

    interaction.open_path = str(good)
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    wait_read(qtbot, dialog)
    assert field_combo(dialog, "G").currentText() == "Likelihood"
    assert dialog.problems_model.problems == []
    excluded = [row.number for row in dialog.preview_model.rows if row.excluded]
    assert excluded == [BAD_ROW]
    # Choosing the field in the combo replaces the header-text entry with the column letter.
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Notes")
    wait_read(qtbot, dialog)
    assert dialog.mapping.columns == {"G": "notes"}


def test_all_sheets_go_into_one_model(qtbot, window_factory, tmp_path):
    path = write_form(tmp_path / "plant.xlsx", ROWS[:2], sheets=("Line 3", "Line 4"))
    interaction = RecordingInteraction(open_path=str(path), save=SaveChoice.DISCARD)
    window = window_factory(interaction=interaction)
    dialog = open_dialog(qtbot, window)
    assert dialog.all_sheets_check.isEnabled()
    click_box(qtbot, dialog.all_sheets_check)
    wait_read(qtbot, dialog)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    assert dialog.mapping == Mapping(all_sheets=True, columns={"G": "likelihood"})
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, window)
    assert len(window.document.model.failure_modes) == 4
    assert "sheets Line 3, Line 4" in window.document.model.description


def test_cancel_stops_the_import_and_changes_nothing(qtbot, window_factory, tmp_path, snapshot):
    many = [[f"Part {n % 40}", "Hold", f"Mode {n}", "Stop", 5, "Wear", 3, "Check", 4, None]
            for n in range(3000)]  # fmt: skip
    path = write_form(tmp_path / "big.xlsx", many)
    interaction = RecordingInteraction(open_path=str(path))
    window = window_factory(interaction=interaction)
    before = snapshot(window.document.model)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    dialog.session.progressed.connect(lambda _done, _expected: dialog.cancel_import())
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: dialog.notes_label.text().startswith("Import cancelled"))
    assert dialog.notes_label.text() == "Import cancelled; nothing was changed."
    assert dialog.progress is None
    assert dialog.import_button.isEnabled()
    assert snapshot(window.document.model) == before
    assert interaction.messages == []


def test_an_unreadable_file_is_refused_with_one_message(qtbot, window_factory, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("this is not a workbook")
    interaction = RecordingInteraction(open_path=str(path))
    window = window_factory(interaction=interaction)
    dialog = choose_import(window).dialog
    wait_for(qtbot, lambda: bool(interaction.messages))
    level, title, text = interaction.messages[0]
    assert (level, title) == ("critical", TITLE)
    assert text.startswith("The spreadsheet cannot be read:\nbroken.xlsx")
    assert dialog.isVisible()
    assert dialog.file_edit.text() == ""
    assert not dialog.import_button.isEnabled()
    assert window.document.model.name == "Shop"


def test_the_action_is_in_the_file_menu_with_its_shortcut(window_factory):
    window = window_factory(interaction=RecordingInteraction(open_path=None))
    texts = [a.text() for a in window.file_menu.actions()]
    assert texts.index("&Import Spreadsheet...") == texts.index("&Export Report...") - 1
    rows = window.shortcut_rows()
    assert (SHORTCUT, "Import Spreadsheet") in rows
    assert [keys for keys, _text in rows].count(SHORTCUT) == 1  # no other action takes Ctrl+I
    room = window.findChild(SpreadsheetImportRoom)
    assert room.open_dialog() is None  # the file chooser was cancelled: no dialog stays
    assert room.dialog is None


def test_preview_and_problem_models_pass_the_model_tester(qtmodeltester, qtbot, form):
    from fma_app.reports.spreadsheet_import import SpreadsheetImport
    from fma_app.ui.spreadsheet_preview_model import PreviewModel, ProblemsModel

    with SpreadsheetImport.open(form) as source:
        mapping = Mapping(columns={"G": "likelihood"})
        layout = source.detect(SHEET, mapping)
        rows = source.preview(SHEET, mapping)
    preview = PreviewModel()
    preview.set_content(layout, rows)
    preview.set_problems(SHEET, [BAD_CELL_PROBLEM])
    qtmodeltester.check(preview)
    assert preview.data(preview.index(3, 5), Qt.ItemDataRole.ToolTipRole) == BAD_CELL_PROBLEM
    problems = ProblemsModel()
    problems.set_problems([BAD_CELL_PROBLEM, "Line 3: no Failure Mode column"])
    qtmodeltester.check(problems)
    assert problems.data(problems.index(1), Qt.ItemDataRole.UserRole) is None


@pytest.fixture(autouse=True)
def sessions_end_with_the_test(qapp):
    """A worker still reading when the test's windows go must end first.

    Before: run the event loop once. An earlier test (test_smoke) calls QApplication.exit()
    outside a running loop; until a loop runs again, waiting in a test (qtbot.wait) keeps
    Python's GIL and the reader thread never gets to read."""
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()
    yield
    close_all_sessions()


def test_an_empty_form_imports_nothing_and_says_so(qtbot, window_factory, tmp_path, snapshot):
    # A template's empty lines, each with its RPN formula's 0.
    blank_template: list[list[object]] = [[None] * len(HEADER) + [0] for _ in range(3)]
    path = write_form(tmp_path / "template.xlsx", blank_template, header=[*HEADER, "RPN"])
    interaction = RecordingInteraction(open_path=str(path), save=SaveChoice.DISCARD)
    window = window_factory(interaction=interaction)
    before = snapshot(window.document.model)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    assert dialog.preview_model.rowCount() == 1  # the field row; the template's rows are hidden
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: dialog.import_result is not None)
    assert interaction.messages[-1] == (
        "warning", TITLE,
        "template.xlsx has no failure modes or components to import (an empty form?).",
    )  # fmt: skip
    assert snapshot(window.document.model) == before
    assert dialog.isVisible()


def test_closing_while_reading_lets_the_reader_finish_and_closes_the_file(
    qtbot, window_factory, tmp_path
):
    many = [[f"Part {n}", "Hold", f"Mode {n}", "Stop", 5, "Wear", 3, "Check", 4, None]
            for n in range(3000)]  # fmt: skip
    path = write_form(tmp_path / "big.xlsx", many)
    window = window_factory(interaction=RecordingInteraction(open_path=str(path)))
    dialog = choose_import(window).dialog
    session = dialog.session
    assert session.busy  # still opening
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, window)
    wait_for(qtbot, lambda: session not in live_sessions())
    assert window.document.model.name == "Shop"


def test_a_problem_below_the_preview_is_read_up_to_and_shown(qtbot, window_factory, tmp_path):
    rows = [[f"Part {n}", "Hold", f"Mode {n}", "Stop", 5, "Wear", 3, "Check", 4, None]
            for n in range(80)]  # fmt: skip
    rows[70][4] = 0  # sheet row 74: severity 0
    path = write_form(tmp_path / "long.xlsx", rows)
    interaction = RecordingInteraction(open_path=str(path))
    window = window_factory(interaction=interaction)
    dialog = open_dialog(qtbot, window)
    choose_in_combo(qtbot, field_combo(dialog, "G"), "Likelihood")
    wait_read(qtbot, dialog)
    assert dialog.preview_model.rows[-1].number == 53  # the first 50 rows below the header
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: bool(dialog.import_problems))
    problem = "'Line 3'!E74: severity 0 is not a whole number from 1 to 10"
    assert [p.text for p in dialog.problems_model.problems] == [problem]

    click_problem(qtbot, dialog, problem)
    wait_read(qtbot, dialog)
    current = dialog.preview_view.currentIndex()
    assert current.data() == "0"
    assert dialog.preview_model.rows[current.row() - 1].number == 74
    assert dialog.problems_model.rowCount() == 1  # reading further kept the import's problems
