"""Add from Library...: the chooser driven as a person would (type to search, tick several,
Add), the one undo step, the grey score hints, the three ways in, and the preferences dialog
that lists library folders in the plain config file."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from fma_app.domain.catalog import built_in_entries
from fma_app.domain.commands import add_component, set_fields
from fma_app.domain.library import Library, LibraryEntry, SuggestedScores, entries_for
from fma_app.domain.model import ComponentKind
from fma_app.presentation.worksheet import COLUMNS
from fma_app.reports.library_files import (
    config_path,
    load_libraries,
    read_library_folders,
    write_library_file,
)
from fma_app.storage import open_model, save_model
from fma_app.ui.cell_painter import hint_on_highlight
from fma_app.ui.delegates import NO_SCORE_TEXT
from fma_app.ui.interaction import RecordingInteraction
from fma_app.ui.library_chooser import LibraryChooser, LibraryEntriesModel, LibraryFilter
from fma_app.ui.qt_style import SCORE_HINT_COLOUR
from fma_app.ui.worksheet_model import PAINT_ROLE

DATABASE_ENTRIES = entries_for(built_in_entries(), ComponentKind.DATABASE)


def component_id(document, name: str) -> int:
    component = document.model.component_by_name(name)
    assert component is not None
    return component.id


def click_check_box(qtbot, chooser: LibraryChooser, row: int) -> None:
    """A click on the check box of a row, where the style draws it."""
    view = chooser.view
    index = chooser.proxy.index(row, 0)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


def fm_named(document, name: str) -> int:
    return next(i for i, f in document.model.failure_modes.items() if f.failure_mode == name)


def shown_names(chooser: LibraryChooser) -> list[str]:
    return [chooser.proxy.index(row, 0).data() for row in range(chooser.proxy.rowCount())]


def test_search_tick_two_add_one_undo_step(main_window_factory, qtbot):
    window = main_window_factory()
    document = window.document
    db = component_id(document, "database")
    before = set(document.model.failure_modes)
    document.selection.select_components([db])  # the worksheet's component for new rows
    chooser = window.worksheet.add_from_library()
    assert chooser is not None
    qtbot.waitExposed(chooser)
    assert chooser.windowTitle() == "Add from Library: database"
    assert shown_names(chooser) == [e.failure_mode for e in DATABASE_ENTRIES]
    assert not chooser.add_button.isEnabled()

    qtbot.keyClicks(chooser.search, "replica")
    expected = [e.failure_mode for e in DATABASE_ENTRIES if "replica" in e.search_text()]
    assert shown_names(chooser) == expected
    assert len(expected) >= 2
    click_check_box(qtbot, chooser, 0)
    assert chooser.add_button.text() == "Add 1 Failure Mode"
    # the second one by keyboard: move down in the table and press Space
    chooser.view.setFocus()
    chooser.view.setCurrentIndex(chooser.proxy.index(1, 2))
    qtbot.keyClick(chooser.view, Qt.Key.Key_Space)
    assert chooser.add_button.text() == "Add 2 Failure Modes"
    assert "Patterns" in chooser.details.toPlainText()  # the current entry's details

    qtbot.mouseClick(chooser.add_button, Qt.MouseButton.LeftButton)
    assert not chooser.isVisible()
    added = [
        document.model.failure_modes[i] for i in sorted(set(document.model.failure_modes) - before)
    ]
    assert [fm.failure_mode for fm in added] == expected[:2]
    picked = [e for e in DATABASE_ENTRIES if e.failure_mode in expected[:2]]
    for fm, entry in zip(added, picked, strict=True):
        assert fm.component_id == db
        assert (fm.function, fm.effect, fm.cause) == (entry.function, entry.effect, entry.cause)
        assert fm.detection_controls == entry.detection_controls
        assert (fm.severity, fm.likelihood, fm.detection) == (None, None, None)  # not rated
    assert document.undo_stack.undoText() == "Add 2 Failure Modes from Library"

    # the suggested scores are grey hints in the empty score cells
    worksheet = window.worksheet.model
    row = worksheet._row_of[added[0].id]
    severity_column = next(i for i, c in enumerate(COLUMNS) if c.key == "severity")
    text, colour, *_ = worksheet.index(row, severity_column).data(PAINT_ROLE)
    assert text == str(picked[0].suggested.severity)
    assert colour == SCORE_HINT_COLOUR
    tip = worksheet.index(row, severity_column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"<p>The library suggests {picked[0].suggested.severity}; not rated")
    assert QtGui.Qt.mightBeRichText(tip)  # else the scale's <b> and <br> show as typed
    assert worksheet.index(row, severity_column).data(Qt.ItemDataRole.DisplayRole) == ""

    document.undo()
    assert set(document.model.failure_modes) == before  # both gone in one step


def test_a_set_score_replaces_its_hint_and_hints_are_not_saved(context, qtbot, tmp_path):
    from fma_app.ui.worksheet_model import WorksheetModel

    document = context.document
    worksheet = WorksheetModel(document)
    chooser = LibraryChooser(context, component_id(document, "cache"))
    qtbot.addWidget(chooser)
    chooser.entries.set_checked(0, True)
    [fm_id] = chooser.add_checked()
    suggested = document.score_hints[fm_id]
    column = next(i for i, c in enumerate(COLUMNS) if c.key == "likelihood")
    row = worksheet._row_of[fm_id]
    assert worksheet.index(row, column).data(PAINT_ROLE)[0] == str(suggested.likelihood)
    document.edit(lambda model: set_fields(model, "failure_mode", fm_id, likelihood=2))
    text, colour, *_ = worksheet.index(row, column).data(PAINT_ROLE)
    assert (text, colour) == ("2", None)
    path = tmp_path / "saved.fma"
    save_model(document.model, path)
    reopened = open_model(path).failure_modes[fm_id]
    assert (reopened.severity, reopened.likelihood, reopened.detection) == (None, 2, None)


def test_the_details_show_the_hints_grey_until_a_score_is_typed(main_window_factory, qtbot):
    window = main_window_factory()
    document = window.document
    document.selection.select_components([component_id(document, "cache")])
    before = set(document.model.failure_modes)
    chooser = window.worksheet.add_from_library()
    assert chooser is not None
    entry = chooser.entries.entries[chooser.proxy.mapToSource(chooser.proxy.index(0, 0)).row()]
    click_check_box(qtbot, chooser, 0)
    qtbot.mouseClick(chooser.add_button, Qt.MouseButton.LeftButton)
    [fm_id] = set(document.model.failure_modes) - before
    fm = document.model.failure_modes[fm_id]
    sheet = window.worksheet
    view = sheet.view
    failure_mode_column = next(i for i, c in enumerate(COLUMNS) if c.key == "failure_mode")
    rect = view.visualRect(sheet.proxy.index(sheet.proxy.row_of(fm_id), failure_mode_column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = window.detail
    assert detail.failure_mode_id == fm_id

    def hint(field: str) -> str:
        value = getattr(entry.suggested, field)
        return NO_SCORE_TEXT if value is None else str(value)

    for field, box in detail.scores.items():
        assert box.text() == ""  # not rated: the hint is only the placeholder
        assert box.placeholderText() == hint(field)
        assert box.palette().color(QPalette.ColorRole.PlaceholderText) == SCORE_HINT_COLOUR
        assert box.toolTip().startswith(f"<p>The library suggests {hint(field)}; not rated until")
        assert QtGui.Qt.mightBeRichText(box.toolTip())
    assert detail.score_label.text() == "RPN -   AP not rated yet"

    severity = detail.scores["severity"]
    severity.setFocus()
    qtbot.keyClick(severity, Qt.Key.Key_Return)  # Enter on the grey hint rates nothing
    assert (fm.severity, fm.likelihood, fm.detection) == (None, None, None)
    assert document.undo_stack.undoText() == "Add Failure Mode from Library"
    qtbot.keyClicks(severity, "6")
    qtbot.keyClick(severity, Qt.Key.Key_Return)
    assert (fm.severity, fm.likelihood) == (6, None)
    assert severity.text() == "6"
    assert "library suggests" not in severity.toolTip()
    assert detail.scores["likelihood"].placeholderText() == hint("likelihood")
    severity.selectAll()
    qtbot.keyClick(severity, Qt.Key.Key_Delete)
    qtbot.keyClick(severity, Qt.Key.Key_Return)  # emptied: not rated again, the hint is back
    assert fm.severity is None
    assert (severity.text(), severity.placeholderText()) == ("", hint("severity"))

    qtbot.mouseClick(sheet.show_all_button, Qt.MouseButton.LeftButton)  # out of cache's rows
    timeout = sheet.proxy.row_of(fm_named(document, "Timeout"))
    rect = view.visualRect(sheet.proxy.index(timeout, failure_mode_column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [box.placeholderText() for box in detail.scores.values()] == [NO_SCORE_TEXT] * 3
    assert "library suggests" not in detail.scores["severity"].toolTip()


def test_a_selected_hint_is_drawn_faded_unlike_a_selected_score(main_window_factory, qtbot):
    window = main_window_factory()
    document = window.document
    chooser = LibraryChooser(window.context, component_id(document, "cache"))
    qtbot.addWidget(chooser)
    chooser.entries.set_checked(0, True)
    [fm_id] = chooser.add_checked()
    sheet = window.worksheet
    view = sheet.view
    severity = next(i for i, c in enumerate(COLUMNS) if c.key == "severity")
    hinted = sheet.proxy.index(sheet.proxy.row_of(fm_id), severity)
    rated = sheet.proxy.index(sheet.proxy.row_of(fm_named(document, "Timeout")), severity)
    view.scrollTo(hinted)
    for index, modifier in ((hinted, Qt.KeyboardModifier.NoModifier),
                            (rated, Qt.KeyboardModifier.ControlModifier)):  # fmt: skip
        pos = view.visualRect(index).center()
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, pos)
    assert view.selectionModel().isSelected(hinted)
    assert view.selectionModel().isSelected(rated)
    image = view.viewport().grab().toImage()

    def colours(index) -> set[str]:
        rect = view.visualRect(index).adjusted(2, 2, -2, -2)  # inside the focus frame
        return {
            image.pixelColor(x, y).name()
            for x in range(rect.left(), rect.right())
            for y in range(rect.top(), rect.bottom())
        }

    palette = view.palette()
    groups = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    score_text = {palette.color(g, QPalette.ColorRole.HighlightedText).name() for g in groups}
    hint_text = {hint_on_highlight(palette, g).name() for g in groups}
    assert score_text & colours(rated)
    assert not score_text & colours(hinted)
    assert hint_text & colours(hinted)


def test_a_read_only_model_refuses_and_the_chooser_stays(context_factory, document, qtbot):
    context = context_factory(document)
    refusals: list[str] = []
    document.refused.connect(lambda text, _title: refusals.append(text))
    document.set_read_only(True)
    before = dict(document.model.failure_modes)
    chooser = LibraryChooser(context, component_id(document, "api"))
    qtbot.addWidget(chooser)
    chooser.show()
    chooser.entries.set_checked(0, True)
    qtbot.mouseClick(chooser.add_button, Qt.MouseButton.LeftButton)
    assert refusals == ["The model is open read-only"]
    assert document.model.failure_modes == before
    assert chooser.isVisible()
    assert document.score_hints == {}


def test_components_list_and_graph_menu_open_it(main_window_factory, qtbot):
    from fma_app.ui.graph.panel import GraphPanel

    window = main_window_factory()
    panel = window.components
    row = panel.model.row_of(component_id(window.document, "cache"))
    panel.view.setCurrentIndex(panel.model.index(row, 0))
    assert panel.library_action in panel.view.actions()
    chooser = panel.add_from_library()
    assert chooser is not None
    assert shown_names(chooser) == [
        e.failure_mode for e in entries_for(built_in_entries(), ComponentKind.CACHE)
    ]
    chooser.reject()

    graph = GraphPanel(window.context)
    qtbot.addWidget(graph)
    api = component_id(window.document, "api")
    menu = graph.view.node_menu(api)
    [action] = [a for a in menu.actions() if a.text() == "Add from Library…"]
    action.trigger()
    [opened] = [c for c in graph.findChildren(LibraryChooser) if c.isVisible()]
    assert opened.component_id == api
    assert opened.proxy.kind is ComponentKind.SERVICE


def test_the_worksheet_without_a_component_says_so(main_window_factory):
    window = main_window_factory()
    messages: list[str] = []
    window.worksheet.status_reported.connect(lambda text, _ms: messages.append(text))
    window.worksheet.view.setCurrentIndex(window.worksheet.proxy.index(-1, -1))
    window.document.selection.select_components([])
    assert window.worksheet.add_from_library() is None
    assert messages == ["Select a component first, then Add from Library"]


def test_team_libraries_through_preferences_appear_with_their_source(
    context_factory, document, qtbot, tmp_path
):
    from fma_app.ui.preferences_dialog import PreferencesDialog

    folder = tmp_path / "team-libs"
    folder.mkdir()
    team_entry = LibraryEntry(
        kind=ComponentKind.OTHER, failure_mode="Licence server unreachable",
        suggested=SuggestedScores(7, 3, None),
    )  # fmt: skip
    write_library_file(Library("Plant team", (team_entry,)), folder / "plant.json")
    interaction = RecordingInteraction(folder=str(folder))
    dialog = PreferencesDialog(interaction)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.folder_list() == [folder]
    dialog.save()
    assert read_library_folders() == [folder]
    assert str(folder) in config_path().read_text("utf-8")

    context = context_factory(document)
    document.edit(lambda model: add_component(model, "licence", kind=ComponentKind.OTHER))
    chooser = LibraryChooser(context, component_id(document, "licence"))
    qtbot.addWidget(chooser)
    assert shown_names(chooser) == ["Licence server unreachable"]
    assert chooser.proxy.index(0, 5).data() == "Plant team"
    assert chooser.proxy.index(0, 3).data() == ""  # no suggested detection
    chooser.all_kinds.setChecked(True)
    assert chooser.proxy.rowCount() == len(built_in_entries()) + 1


def test_a_bad_library_file_is_named_in_the_chooser(context, qtbot, tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    (folder / "broken.json").write_text("{")
    libraries = load_libraries([folder])
    chooser = LibraryChooser(context, component_id(context.document, "api"), libraries)
    qtbot.addWidget(chooser)
    chooser.show()
    assert chooser.problems.isVisible()
    assert chooser.problems.text().startswith(f"cannot read '{folder / 'broken.json'}': not JSON")
    assert chooser.proxy.rowCount() == len(entries_for(built_in_entries(), ComponentKind.SERVICE))


def test_the_models_pass_qtmodeltester(qtmodeltester, qapp):
    entries = LibraryEntriesModel(list(built_in_entries()))
    qtmodeltester.check(entries, force_py=True)
    entries.set_checked(3, True)
    qtmodeltester.check(entries, force_py=True)
    proxy = LibraryFilter(ComponentKind.QUEUE)
    proxy.setSourceModel(entries)
    proxy.set_text("poison")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1
