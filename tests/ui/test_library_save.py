"""Save Selected as Library...: rows picked in the worksheet as a person picks them (a click, a
Ctrl+click, the right-click menu or the File menu), the file read back through the library
reader, the saved library in Add from Library... with its source, and the messages for nothing
selected, unnamed rows, duplicates, a folder outside the library folders and a failed write."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from fma_app.cli import main as cli_main
from fma_app.domain.commands import add_failure_mode, set_fields
from fma_app.domain.model import ComponentKind
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.reports.library_files import read_library_file, write_library_folders
from fma_app.storage import save_model
from fma_app.ui.library_chooser import LibraryChooser
from fma_app.ui.library_save import NOTHING_SELECTED, TITLE

FAILURE_MODE_COLUMN = COLUMN_INDEX["failure_mode"]
MENU_TEXT = "Sa&ve Selected as Library..."


def click_row(qtbot, window, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view = window.worksheet.view
    rect = view.visualRect(window.worksheet.proxy.index(row, FAILURE_MODE_COLUMN))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def right_click_and_choose(qtbot, window, row: int, text: str) -> None:
    """Right-click a row of the worksheet and click `text` in the menu that pops up."""
    view = window.worksheet.view
    rect = view.visualRect(window.worksheet.proxy.index(row, FAILURE_MODE_COLUMN))
    viewport = view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.RightButton, pos=rect.center())
    # The context menu event the window system sends after a right click (QTest sends none).
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, rect.center(), viewport.mapToGlobal(rect.center())
    )
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    [action] = [a for a in menu.actions() if a.text() == text]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)


def failure_mode_id(window, name: str) -> int:
    [fm_id] = [
        i for i, fm in window.document.model.failure_modes.items() if fm.failure_mode == name
    ]
    return fm_id


def test_right_click_save_two_rows_reads_back_and_the_chooser_lists_them(
    main_window_factory, qtbot, tmp_path
):
    folder = tmp_path / "team-libs"
    folder.mkdir()
    write_library_folders([tmp_path / "gone", folder])  # the first that exists is the default
    window = main_window_factory()
    interaction = window.context.interaction
    interaction.save_path = str(folder / "shop-db")  # typed without .json
    click_row(qtbot, window, 3)  # Disk full (database)
    click_row(qtbot, window, 0, Qt.KeyboardModifier.ControlModifier)  # Timeout (api)
    right_click_and_choose(qtbot, window, 0, MENU_TEXT)

    assert interaction.questions == [("save_as", str(folder / "shop-library.json"))]
    written = folder / "shop-db.json"
    library = read_library_file(written)
    assert library.name == "shop-db"
    model = window.document.model
    expected = [model.failure_modes[failure_mode_id(window, n)] for n in ("Timeout", "Disk full")]
    assert [
        (e.kind, e.failure_mode, e.function, e.effect, e.cause, e.suggested.severity,
         e.suggested.likelihood, e.suggested.detection)
        for e in library.entries
    ] == [
        (model.component(fm.component_id).kind, fm.failure_mode, fm.function, fm.effect,
         fm.cause, fm.severity, fm.likelihood, fm.detection)
        for fm in expected
    ]  # fmt: skip
    assert interaction.messages == [
        ("information", TITLE, f"Saved 2 failure modes to {written}.\n"
         'The entries appear in Add from Library... as "shop-db".'),
    ]  # fmt: skip
    assert not window.isWindowModified()  # the model itself did not change

    chooser = LibraryChooser(window.context, model.component_by_name("database").id)
    qtbot.addWidget(chooser)
    source_column = 5
    rows = [
        (chooser.proxy.index(r, 0).data(), chooser.proxy.index(r, source_column).data())
        for r in range(chooser.proxy.rowCount())
    ]
    assert ("Disk full", "shop-db") in rows
    assert ("Timeout", "shop-db") not in rows  # a service entry, not for a database
    assert "from 2 libraries" in chooser.count_label.text()


def test_the_file_menu_entry_with_nothing_selected_says_so(main_window_factory, tmp_path):
    window = main_window_factory()
    interaction = window.context.interaction
    interaction.save_path = str(tmp_path / "never.json")
    worksheet = window.worksheet
    worksheet.view.selectionModel().clear()  # no selection and no current row
    [entry] = [a for a in window.file_menu.actions() if a.text() == MENU_TEXT]
    assert entry is worksheet.save_library_action
    entry.trigger()
    assert interaction.messages == [("information", TITLE, NOTHING_SELECTED)]
    assert interaction.questions == []  # no file chooser
    assert not (tmp_path / "never.json").exists()


def test_a_failed_write_names_the_file_and_keeps_everything(main_window_factory, qtbot, tmp_path):
    window = main_window_factory()
    interaction = window.context.interaction
    taken = tmp_path / "taken.json"
    taken.mkdir()  # a folder where the file should go: the rename over it fails
    interaction.save_path = str(taken)
    before = window.document.model.content()
    click_row(qtbot, window, 1)
    assert window.worksheet.save_selection_as_library() is None
    [(level, title, text)] = interaction.messages
    assert (level, title) == ("warning", TITLE)
    assert text.startswith(f"cannot save '{taken}': is a directory")
    assert text.endswith("Nothing was saved.")
    assert taken.is_dir()
    assert list(taken.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["taken.json"]  # no temporary file left
    assert window.document.model.content() == before


def test_an_unnamed_row_is_refused_before_the_file_chooser(main_window_factory, qtbot, tmp_path):
    window = main_window_factory()
    document = window.document
    api = document.model.component_by_name("api").id
    document.edit(lambda model: add_failure_mode(model, api))  # a new row, no text yet
    interaction = window.context.interaction
    interaction.save_path = str(tmp_path / "x.json")
    worksheet = window.worksheet
    click_row(qtbot, window, 0)
    click_row(qtbot, window, worksheet.proxy.rowCount() - 1, Qt.KeyboardModifier.ControlModifier)
    assert worksheet.save_selection_as_library() is None
    assert interaction.messages == [
        ("warning", TITLE, "1 selected failure mode has no failure mode text (on api): a "
         "library entry is known by it. Type one in the Failure Mode column, or leave the row "
         "out of the selection.\nNothing was saved."),
    ]  # fmt: skip
    assert interaction.questions == []
    assert not (tmp_path / "x.json").exists()


def test_duplicates_and_a_folder_outside_the_library_folders(main_window_factory, qtbot, tmp_path):
    window = main_window_factory()
    document = window.document
    model_path = tmp_path / "models" / "shop.fma"
    model_path.parent.mkdir()
    document.set_path(model_path)  # no library folder configured: the model's folder
    timeout = failure_mode_id(window, "Timeout")
    crash = failure_mode_id(window, "Crash loop")
    document.edit(lambda model: set_fields(model, "failure_mode", crash, failure_mode=" timeout"))
    document.set_read_only(True)  # saving a library reads the model only
    interaction = window.context.interaction
    elsewhere = tmp_path / "elsewhere.json"
    interaction.save_path = str(elsewhere)
    click_row(qtbot, window, 0)
    click_row(qtbot, window, 2, Qt.KeyboardModifier.ShiftModifier)  # rows 0-2: three api rows
    assert window.worksheet.save_selection_as_library() == elsewhere
    [(_kind, suggestion)] = interaction.questions
    assert suggestion == str(model_path.parent / "shop-library.json")
    library = read_library_file(elsewhere)
    assert [e.failure_mode for e in library.entries] == ["Timeout", "Token expiry"]
    assert {e.kind for e in library.entries} == {ComponentKind.SERVICE}
    [(_level, _title, text)] = interaction.messages
    assert text.splitlines()[1:] == [
        f"Skipped failure mode {crash}: same kind (service) and failure mode text as failure "
        f"mode {timeout}.",
        "This folder is not a library folder: add it in Edit > Preferences... to see these "
        "entries in Add from Library...",
    ]


def test_the_app_and_fma_app_library_export_write_the_same_file(
    main_window_factory, qtbot, tmp_path, capsys
):
    window = main_window_factory()
    model_file = tmp_path / "shop.fma"
    save_model(window.document.model, model_file)
    ids = [failure_mode_id(window, n) for n in ("Timeout", "Crash loop", "Replica lag")]
    (tmp_path / "cli").mkdir()
    (tmp_path / "app").mkdir()
    argv = ["library", "export", str(model_file), "--failure-mode", *map(str, ids)]
    assert cli_main([*argv, "-o", str(tmp_path / "cli" / "team.json")]) == 0
    capsys.readouterr()
    window.context.interaction.save_path = str(tmp_path / "app" / "team.json")
    click_row(qtbot, window, 0)
    click_row(qtbot, window, 1, Qt.KeyboardModifier.ControlModifier)
    click_row(qtbot, window, 4, Qt.KeyboardModifier.ControlModifier)
    assert window.worksheet.save_selection_as_library() == tmp_path / "app" / "team.json"
    cli_text = (tmp_path / "cli" / "team.json").read_text(encoding="utf-8")
    assert (tmp_path / "app" / "team.json").read_text(encoding="utf-8") == cli_text
