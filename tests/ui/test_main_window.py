"""The main window: title and modified marker, menus, keyboard entry, settings, no display."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLineEdit, QTextBrowser

from fma_app import __version__
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui import shortcuts
from fma_app.ui.delegates import ScoreEdit
from fma_app.ui.document import Document
from fma_app.ui.interaction import SaveChoice
from fma_app.ui.main_window import MainWindow

C = COLUMN_INDEX


@pytest.fixture
def window(main_window_factory, document) -> MainWindow:
    return main_window_factory(document)


def cell(window: MainWindow, row: int, column: str):
    return window.worksheet.proxy.index(row, C[column])


def fm_at(window: MainWindow, row: int):
    return window.document.model.failure_modes[window.worksheet.proxy.failure_mode_id(row)]


def test_title_marker_follows_undo_to_clean(window, qtbot):
    # The title names the file and then the model (since File > Model Properties).
    assert window.windowTitle() == "Untitled[*] \u2014 Shop"
    assert not window.isWindowModified()
    assert window.worksheet.model.setData(cell(window, 0, "severity"), 2)
    assert window.isWindowModified()
    assert window.undo_action.text() == "&Undo Change Severity"
    window.undo_action.trigger()
    assert not window.isWindowModified()
    assert window.redo_action.text() == "&Redo Change Severity"
    window.redo_action.trigger()
    assert window.isWindowModified()


def test_refused_edit_is_explained_in_the_status_bar(window):
    assert not window.worksheet.model.setData(cell(window, 0, "detection"), 0)
    assert window.statusBar().currentMessage() == (
        "Not changed: detection 0 is not a whole number from 1 to 10"
    )
    assert fm_at(window, 0).detection == 4


def test_score_delegate_edits_and_enter_moves_down(window, qtbot):
    view = window.worksheet.view
    view.setFocus()
    index = cell(window, 0, "severity")
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    assert isinstance(editor, ScoreEdit)
    assert editor.value() == 8
    assert "Very high" in editor.toolTip()
    editor.setText("3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: fm_at(window, 0).severity == 3)
    qtbot.waitUntil(lambda: view.currentIndex().row() == 1)
    assert view.currentIndex().column() == C["severity"]
    assert window.document.undo_stack.undoText() == "Change Severity"


def test_typing_a_digit_replaces_the_score(window, qtbot):
    view = window.worksheet.view
    view.setFocus()
    view.setCurrentIndex(cell(window, 1, "likelihood"))
    qtbot.keyClicks(view, "7")
    qtbot.keyClick(view.indexWidget(view.currentIndex()), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: fm_at(window, 1).likelihood == 7)


def test_component_cell_offers_the_components(window, qtbot):
    from PySide6.QtWidgets import QComboBox

    view = window.worksheet.view
    view.setFocus()
    index = cell(window, 0, "component")
    view.setCurrentIndex(index)
    view.edit(index)
    combo = view.findChild(QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["api", "cache", "database"]
    assert combo.currentText() == "api"
    combo.setCurrentText("cache")
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    cache = window.document.model.component_by_name("cache").id
    qtbot.waitUntil(lambda: window.document.undo_stack.undoText() == "Change Component")
    assert cache in {f.component_id for f in window.document.model.failure_modes.values()}


def test_tab_commits_text_and_moves_right(window, qtbot):
    view = window.worksheet.view
    view.setFocus()
    index = cell(window, 2, "effect")
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.findChild(QLineEdit)
    editor.setText("Sessions lost")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: fm_at(window, 2).effect == "Sessions lost")
    assert view.currentIndex().column() == C["severity"]


def test_add_failure_mode_under_the_selected_component(window, qtbot):
    cache = window.document.model.component_by_name("cache").id
    window.components.select(cache)
    assert window.worksheet.proxy.rowCount() == 0  # the worksheet follows the components list
    window.worksheet.view.setFocus()
    qtbot.keyClick(window.worksheet.view, Qt.Key.Key_Insert)
    assert window.worksheet.proxy.rowCount() == 1
    assert fm_at(window, 0).component_id == cache
    assert window.worksheet.view.currentIndex() == cell(window, 0, "function")
    assert window.document.undo_stack.undoText() == "Add Failure Mode"
    window.worksheet.add_fm_action.trigger()  # Ctrl+Shift+N: same component as the current row
    assert window.worksheet.proxy.rowCount() == 2


def test_add_failure_mode_without_component_says_what_to_do(main_window_factory, qtbot):
    window = main_window_factory(Document())
    qtbot.waitUntil(lambda: window.worksheet.empty_hint.isVisible())
    assert window.worksheet.empty_hint.text().startswith("No failure modes yet. Add a component")
    assert window.worksheet.add_failure_mode() is None
    assert window.statusBar().currentMessage() == "Add a component first: Edit > Add Component"


def test_ctrl_delete_removes_selected_rows_in_one_undo_step(window, qtbot, snapshot):
    before = snapshot(window.document.model)
    view = window.worksheet.view
    view.setFocus()
    view.selectRow(0)
    view.selectionModel().select(
        cell(window, 3, "function"),
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
    )
    qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert window.worksheet.proxy.rowCount() == 3
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Delete 2 Failure Modes"
    window.undo_action.trigger()
    assert snapshot(window.document.model) == before


def test_delete_key_clears_the_selected_cells_in_one_undo_step(window, qtbot, snapshot):
    """Delete empties cells as in a spreadsheet: scores become not rated yet, texts empty, the
    revised scores none; the failure modes, their components and their actions stay."""
    before = snapshot(window.document.model)
    view = window.worksheet.view
    view.setFocus()
    select_block(window, 0, "component", 1, "revised_severity")
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert window.worksheet.proxy.rowCount() == 5
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Clear Cells"
    for row in (0, 1):
        fm = fm_at(window, row)
        assert (fm.severity, fm.likelihood, fm.detection, fm.rpn) == (None, None, None, None)
        assert (fm.function, fm.failure_mode, fm.effect, fm.cause) == ("", "", "", "")
        assert fm.revised is None
        assert cell(window, row, "component").data() == "api"
        assert cell(window, row, "ap").data() == ""
    assert fm_at(window, 2).severity == 3  # outside the selection: untouched
    window.undo_action.trigger()
    assert snapshot(window.document.model) == before


def test_backspace_clears_one_score_to_not_rated(window, qtbot):
    view = window.worksheet.view
    view.setFocus()
    view.setCurrentIndex(cell(window, 2, "likelihood"))
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert fm_at(window, 2).likelihood is None
    assert fm_at(window, 2).severity == 3
    assert window.document.undo_stack.undoText() == "Clear Cells"


def select_block(window, top: int, left: str, bottom: int, right: str) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    window.worksheet.view.setCurrentIndex(cell(window, top, left))
    window.worksheet.view.selectionModel().select(
        QItemSelection(cell(window, top, left), cell(window, bottom, right)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )


def test_copy_selected_cells_as_tsv(window):
    window.worksheet.model.setData(cell(window, 1, "effect"), "=1+1 outage")
    select_block(window, 0, "effect", 1, "likelihood")
    text = window.worksheet.copy()
    assert QApplication.clipboard().text() == text
    assert text == ("Checkout fails\t8\tSlow database\t5\n'=1+1 outage\t9\tBad deploy\t2\n")


def test_copy_paste_rows_within_the_app_is_one_undo_step(window, snapshot):
    select_block(window, 0, "function", 0, "detection")
    window.worksheet.copy()
    before = snapshot(window.document.model)
    window.worksheet.view.setCurrentIndex(cell(window, 4, "function"))
    assert window.worksheet.paste()
    copied, pasted = fm_at(window, 0), fm_at(window, 4)
    fields = ("function", "failure_mode", "effect", "severity", "cause", "likelihood")
    assert [getattr(pasted, f) for f in fields] == [getattr(copied, f) for f in fields]
    assert pasted.component_id != copied.component_id  # the component column was not copied
    assert window.document.undo_stack.undoText() == "Paste 1 Row"
    window.undo_action.trigger()
    assert snapshot(window.document.model) == before


def test_paste_follows_moved_columns_like_copy(window):
    header = window.worksheet.view.horizontalHeader()
    header.moveSection(header.visualIndex(C["cause"]), header.visualIndex(C["effect"]) + 1)
    select_block(window, 0, "effect", 0, "effect")  # Effect and Cause now sit side by side
    window.worksheet.view.selectionModel().select(
        cell(window, 0, "cause"), window.worksheet.view.selectionModel().SelectionFlag.Select
    )
    assert window.worksheet.copy() == "Checkout fails\tSlow database\n"
    window.worksheet.view.setCurrentIndex(cell(window, 1, "effect"))
    assert window.worksheet.paste()
    assert (fm_at(window, 1).effect, fm_at(window, 1).cause) == ("Checkout fails", "Slow database")
    assert fm_at(window, 1).severity == 9  # the S column, now further right, is untouched


def test_paste_from_a_spreadsheet_adds_rows_at_the_end(window):
    window.worksheet.view.setCurrentIndex(cell(window, 4, "failure_mode"))
    spreadsheet = (
        "Lag\tStale reads\t3\r\nFailover\tBrief outage\t6\r\nSplit brain\tData loss\t10\r\n"
    )
    assert window.worksheet.paste(spreadsheet)
    assert window.worksheet.proxy.rowCount() == 7
    assert [fm_at(window, r).failure_mode for r in (4, 5, 6)] == ["Lag", "Failover", "Split brain"]
    database = window.document.model.component_by_name("database").id
    assert {fm_at(window, r).component_id for r in (5, 6)} == {database}
    assert fm_at(window, 6).severity == 10
    assert window.document.undo_stack.count() == 1


def soffice_convert(source, target_format: str, out_dir, *extra: str) -> None:
    profile = out_dir.parent / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *extra,
         "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip


@pytest.mark.slow  # two LibreOffice conversions
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_rows_round_trip_through_libreoffice(window, main_window_factory, tmp_path, snapshot):
    import openpyxl

    model = window.worksheet.model
    model.setData(cell(window, 0, "effect"), "=1+1 outage")
    model.setData(cell(window, 1, "cause"), "two\nlines")
    select_block(window, 0, "component", 4, "detection")
    (tmp_path / "rows.tsv").write_text(window.worksheet.copy(), encoding="utf-8")
    soffice_convert(tmp_path / "rows.tsv", "xlsx", tmp_path / "x", "--infilter=CSV:9,34,76,1")
    sheet = openpyxl.load_workbook(tmp_path / "x" / "rows.xlsx").active
    assert sheet["D1"].value == "'=1+1 outage"
    assert sheet["D1"].data_type == "s"
    assert sheet["F2"].value == "two\nlines"
    assert sheet["E1"].value == 8
    # back: LibreOffice writes the rows as tab-separated text, as a spreadsheet's clipboard
    tsv = "csv:Text - txt - csv (StarCalc):9,34,76,1"
    soffice_convert(tmp_path / "x" / "rows.xlsx", tsv, tmp_path / "t")
    text = (tmp_path / "t" / "rows.csv").read_text(encoding="utf-8")
    expected = snapshot(window.document.model)
    window.worksheet.view.setCurrentIndex(cell(window, 0, "component"))
    assert window.worksheet.paste(text)
    assert snapshot(window.document.model) == expected  # the same rows: nothing changed
    fresh = main_window_factory(Document())
    assert fresh.worksheet.paste(text)
    pasted = {f.failure_mode: f for f in fresh.document.model.failure_modes.values()}
    for original in window.document.model.failure_modes.values():
        copy = pasted[original.failure_mode]
        names = (window.document.model, fresh.document.model)
        assert names[1].components[copy.component_id].name == (
            names[0].components[original.component_id].name
        )
        for field in ("function", "effect", "severity", "cause", "likelihood", "detection"):
            assert getattr(copy, field) == getattr(original, field)
        for field in ("prevention_controls", "detection_controls"):
            assert getattr(copy, field) == getattr(original, field)


def test_refused_paste_changes_nothing_and_says_why(window, snapshot):
    before = snapshot(window.document.model)
    window.worksheet.view.setCurrentIndex(cell(window, 0, "effect"))
    assert not window.worksheet.paste("Fine\t5\nBad\t0\nWorse\t12\n")
    assert window.interaction.messages == [
        (
            "warning",
            "Paste refused",
            "Nothing was pasted:\n"
            "row 2, S: severity '0' is not a whole number from 1 to 10\n"
            "row 3, S: severity '12' is not a whole number from 1 to 10",
        )
    ]
    assert snapshot(window.document.model) == before
    assert window.document.undo_stack.count() == 0


def test_one_value_fills_every_selected_cell_in_one_step(window, snapshot):
    select_block(window, 0, "severity", 2, "severity")
    assert window.worksheet.paste("6\n")
    assert [fm_at(window, r).severity for r in range(3)] == [6, 6, 6]
    assert window.document.undo_stack.count() == 1
    before = snapshot(window.document.model)
    select_block(window, 0, "effect", 2, "severity")
    assert not window.worksheet.paste("eleven\n")  # the text fits Effect, not S: refused whole
    assert window.interaction.messages[-1] == (
        "warning",
        "Paste refused",
        "Nothing was pasted:\nseverity 'eleven' is not a whole number from 1 to 10",
    )
    assert snapshot(window.document.model) == before


def test_f2_edits_the_worksheet_cell_not_the_component(window, qtbot):
    view = window.worksheet.view
    view.setFocus()
    view.setCurrentIndex(cell(window, 0, "cause"))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QLineEdit)
    assert editor is not None
    assert editor.text() == "Slow database"
    assert window.components.view.state() != window.components.view.State.EditingState


def test_read_only_model_refuses_every_edit_path(window, snapshot):
    window.document.set_read_only(True)
    before = snapshot(window.document.model)
    assert not window.worksheet.model.flags(cell(window, 0, "effect")) & Qt.ItemFlag.ItemIsEditable
    assert not window.worksheet.paste("x\n")
    assert window.statusBar().currentMessage() == "The model is open read-only"
    assert window.worksheet.add_failure_mode() is None
    window.worksheet.view.selectRow(0)
    window.statusBar().clearMessage()
    assert not window.worksheet.delete_rows()
    assert window.statusBar().currentMessage() == "The model is open read-only"
    assert window.components.add_component() is None
    assert snapshot(window.document.model) == before
    assert window.document.undo_stack.count() == 0


def test_cut_copies_and_empties_the_cells(window):
    """A cut score is not rated yet, as after Delete (a score may be empty since schema 2)."""
    select_block(window, 0, "effect", 0, "cause")
    window.worksheet.cut_action.trigger()
    assert QApplication.clipboard().text() == "Checkout fails\t8\tSlow database\n"
    fm = fm_at(window, 0)
    assert (fm.effect, fm.severity, fm.cause) == ("", None, "")
    assert window.document.undo_stack.undoText() == "Cut"


def test_filters_in_the_bar_and_status_counts(window, qtbot):
    window.worksheet.filter_edit.setText("orders")
    assert window.worksheet.proxy.rowCount() == 2
    qtbot.waitUntil(
        lambda: window.worksheet.counts_label.text() == "5 failure modes (2 shown) · 3 components"
    )
    window.worksheet.ap_combo.setCurrentIndex(window.worksheet.ap_combo.findData("H"))
    assert window.worksheet.proxy.rowCount() == 1
    window.worksheet.filter_edit.setText("no such words")
    qtbot.waitUntil(lambda: window.worksheet.empty_hint.isVisible())
    assert window.worksheet.empty_hint.text() == (
        "No failure modes match the filters. Clear them with Ctrl+Shift+L."
    )
    window.worksheet.clear_filters_action.trigger()
    assert window.worksheet.proxy.rowCount() == 5
    qtbot.waitUntil(lambda: not window.worksheet.empty_hint.isVisible())


def test_selecting_a_component_filters_and_show_all_clears(window):
    window.components.select(window.document.model.component_by_name("api").id)
    assert window.worksheet.proxy.rowCount() == 3
    assert window.worksheet.component_label.text() == "Component: api"
    window.worksheet.show_all_button.click()
    assert window.worksheet.proxy.rowCount() == 5
    assert window.components.selected_ids() == []


def test_current_row_drives_the_detail_panel(window, qtbot):
    window.worksheet.view.setCurrentIndex(cell(window, 3, "effect"))
    assert window.detail.title.text() == "database: Disk full"
    assert window.detail.actions_model.rowCount() == 2
    actions = window.detail.actions_view
    actions.setFocus()
    actions.selectRow(1)
    qtbot.keyClick(actions, Qt.Key.Key_Delete)  # Del there deletes the action, not the row
    assert window.detail.actions_model.rowCount() == 1
    assert window.worksheet.proxy.rowCount() == 5
    assert window.document.undo_stack.undoText() == "Delete Action"


def test_sort_by_clicking_the_rpn_header(window):
    header = window.worksheet.view.horizontalHeader()
    header.setSortIndicator(C["rpn"], Qt.SortOrder.DescendingOrder)
    assert [cell(window, r, "rpn").data() for r in range(5)] == [1000, 160, 36, 27, 18]


def test_help_lists_shortcuts_and_about_shows_versions(window):
    rows = dict((text, keys) for keys, text in window.shortcut_rows())
    assert rows["Add Failure Mode"] == "Ctrl+Shift+N or Ins"
    assert rows["Clear Cells (in the worksheet)"] == "Del or Backspace"
    assert rows["Delete Failure Modes (in the worksheet)"] == "Ctrl+Del"
    assert rows["Delete Component (in the components list)"] == "Del"
    assert rows["Undo"] == "Ctrl+Z"
    assert "Enter" in dict(window.shortcut_rows())
    dialog = window.show_shortcuts()
    assert "Ctrl+Shift+N or Ins" in dialog.findChild(QTextBrowser).toPlainText()
    about = window.about_text()
    assert __version__ in about
    assert qVersion() in about
    assert platform.python_version() in about


def test_keyboard_shortcuts_list_every_action_of_the_window_and_its_panels(window):
    """Walks every QAction with a shortcut (menus, panels, the graph once built, the actions
    table) and finds it, with its keys, in the dialog: the graph keys were once missing."""
    assert window.graph is not None  # the graph panel is built, as the dialog builds it too
    rows = window.shortcut_rows()
    shown = window.show_shortcuts().findChild(QTextBrowser).toPlainText()
    actions = [a for a in window.findChildren(QAction) if a.shortcuts() and a.text()]
    assert window.graph.connect_action in actions
    assert window.detail.findChildren(QAction)
    for action in actions:
        keys = shortcuts.action_keys(action)
        first_word = action.text().replace("&", "").split(" ")[0].rstrip(".\u2026")
        assert any(k == keys and t.startswith(first_word) for k, t in rows), action.text()
        assert keys in shown, action.text()
    for keys, text in rows:
        assert keys in shown
        assert text in shown
    listed = dict((text, keys) for keys, text in rows)
    assert listed["Connect (in the graph)"] == "C"
    assert listed["Blast Radius (in the graph)"] == "B"
    assert listed["Auto Layout (in the graph)"] == "Ctrl+L"
    assert listed["Zoom In (in the graph)"] == "Ctrl+= or Ctrl++"
    assert listed["Zoom Out (in the graph)"] == "Ctrl+-"
    assert listed["Delete Action (in the details)"] == "Del"
    assert listed["Rename it (Enter keeps, Esc cancels) (in the graph)"].startswith("F2")
    assert listed["Pan (in the graph)"] == "Space+drag or middle-drag"
    assert listed["Delete the selected components and dependencies (in the graph)"] == (
        "Del or Backspace"
    )


def test_graph_and_charts_join_the_worksheet_as_tabs(window):
    from PySide6.QtWidgets import QLabel

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Worksheet", "Graph", "Charts"]
    index = window.add_tab(QLabel("more"), "More")
    assert window.tabs.tabText(index) == "More"
    assert window.tabs.count() == 4


def test_file_menu_offers_export_report_before_quit(window):
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert texts.index("&Export Report...") == texts.index("&Quit") - 3
    # Export Chaos Experiments (issue 16) follows Export Report, then Save Selected as Library
    # (issue 17).
    assert texts.index("Export &Chaos Experiments...") == texts.index("&Quit") - 2
    assert texts.index("Sa&ve Selected as Library...") == texts.index("&Quit") - 1
    assert window.export_report_action.shortcut().toString() == "Ctrl+E"


def test_settings_restore_columns_and_splitter(main_window_factory, document):
    first = main_window_factory(document)
    first.worksheet.view.setColumnWidth(C["effect"], 333)
    first.worksheet.view.horizontalHeader().moveSection(C["cause"], 0)
    first.document.undo_stack.setClean()
    assert first.close()
    second = main_window_factory(Document(document.model))
    assert second.worksheet.view.columnWidth(C["effect"]) == 333
    assert second.worksheet.view.horizontalHeader().visualIndex(C["cause"]) == 0
    assert second.settings.value("window/geometry") is not None
    assert second.settings.fileName() == first.settings.fileName()  # the test's own file


def test_close_with_unsaved_changes_can_be_cancelled(window):
    window.worksheet.model.setData(cell(window, 0, "effect"), "Changed")
    window.interaction.save = SaveChoice.CANCEL
    assert not window.close()
    assert window.isVisible()
    assert window.interaction.questions == [("save", "Save the changes to Untitled?")]
    window.interaction.save = SaveChoice.DISCARD


def test_opens_a_saved_model_through_the_file_controller(window, tmp_path, small_model):
    from fma_app.storage import save_model

    path = tmp_path / "shop.fma"
    small_model.name = "Saved shop"
    save_model(small_model, path)
    window.document.replace(Document().model, None)
    assert window.files.open_path(path)
    assert window.windowTitle() == "shop.fma[*] \u2014 Saved shop"
    assert window.worksheet.proxy.rowCount() == 5
    assert window.components.model.rowCount() == 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt needs no X display elsewhere")
def test_no_display_prints_how_to_run_and_exits_2(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "fma_app", str(tmp_path / "model.fma")],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("fma-app: error: no display found")
    assert f"xvfb-run -a fma-app {tmp_path / 'model.fma'}" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen fma-app" in result.stderr
    assert "qt.qpa" not in result.stderr  # Qt was never loaded


def test_graph_and_charts_are_built_when_first_shown(window):
    assert not window.graph_tab.is_built
    assert not window.charts_tab.is_built
    window.tabs.setCurrentIndex(1)
    window.show()
    assert window.graph_tab.is_built
    assert not window.charts_tab.is_built
    assert type(window.graph).__name__ == "GraphPanel"
    window.tabs.setCurrentIndex(2)
    assert window.charts_tab.is_built
    assert type(window.charts).__name__ == "ChartPanel"
