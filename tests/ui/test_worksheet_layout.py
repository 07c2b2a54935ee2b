"""The worksheet's layout: what a review sees first, the ID column, and the saved layout.

The geometry tests resize the real main window (both docks open) to the two common screen sizes
and check that the cells a review ranks by are inside the worksheet's viewport.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QStyleOptionHeader

from fma_app.domain.model import Model
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui.document import Document
from fma_app.ui.main_window import MainWindow

C = COLUMN_INDEX
RANKING_KEYS = ("failure_mode", "severity", "likelihood", "detection", "rpn", "ap")
SCREENS = [(1366, 768), (1920, 1080)]


def many_failure_modes() -> Model:
    """Forty failure modes with long names, so the worksheet could scroll both ways."""
    model = Model(name="Big")
    for c in range(8):
        component = model.add_component(f"payments-service-{c}")
        for f in range(5):
            model.add_failure_mode(
                component.id, function="Authorise card payments for checkout",
                failure_mode=f"Upstream timeout number {f} under peak load",
                effect="Checkout fails for every customer in the region",
                cause="Connection pool exhausted", severity=1 + (c + f) % 10,
                likelihood=1 + (3 * c + f) % 10, detection=1 + (c * f) % 10,
            )  # fmt: skip
    return model


def settle(window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.parametrize("size", SCREENS, ids=["1366x768", "1920x1080"])
def test_the_ranking_cells_of_the_top_rows_are_in_view_with_both_docks(main_window_factory, size):
    window = main_window_factory(Document(many_failure_modes()), first_open=True)
    settle(window, size)
    assert window.width() == size[0]
    assert window.height() <= size[1]
    assert window.components_dock.isVisible()
    assert window.detail_dock.isVisible()
    view = window.worksheet.view
    viewport = view.viewport().rect()
    assert view.horizontalScrollBar().value() == 0
    assert view.verticalScrollBar().value() == 0
    for row in range(3):
        for key in RANKING_KEYS:
            rect = view.visualRect(window.worksheet.proxy.index(row, C[key]))
            assert not rect.isEmpty(), f"{key} of row {row} is hidden"
            assert viewport.contains(rect), f"{key} of row {row} at {rect} outside {viewport}"
            assert rect.width() >= 30, f"{key} is {rect.width()} px wide: too narrow to read"


def test_the_first_open_ranks_by_rpn_and_later_opens_keep_the_users_sort(main_window_factory):
    document = Document(many_failure_modes())
    first = main_window_factory(document, first_open=True)
    header = first.worksheet.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        C["rpn"],
        Qt.SortOrder.DescendingOrder,
    )
    proxy = first.worksheet.proxy
    rpns = [proxy.index(row, C["rpn"]).data() for row in range(proxy.rowCount())]
    assert rpns == sorted(rpns, reverse=True)
    assert rpns[0] > rpns[-1]
    first.worksheet.view.sortByColumn(C["severity"], Qt.SortOrder.AscendingOrder)
    first.document.undo_stack.setClean()
    assert first.close()
    second = main_window_factory(Document(document.model), first_open=True)
    header = second.worksheet.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        C["severity"],
        Qt.SortOrder.AscendingOrder,
    )
    proxy = second.worksheet.proxy
    severities = [proxy.index(row, C["severity"]).data() for row in range(proxy.rowCount())]
    assert severities == sorted(severities)
    assert severities[0] < severities[-1]


def test_the_id_column_is_hidden_at_first_and_shown_from_the_view_menu(
    main_window_factory, document
):
    window = main_window_factory(document, first_open=True)
    view, action = window.worksheet.view, window.worksheet.show_id_action
    assert view.isColumnHidden(C["id"])
    assert not action.isChecked()
    assert action in window.view_menu.actions()
    assert action in view.horizontalHeader().actions()  # the header's right-click menu
    action.trigger()
    assert not view.isColumnHidden(C["id"])
    assert view.columnWidth(C["id"]) >= 40
    assert view.horizontalHeader().visualIndex(C["id"]) == 0
    proxy = window.worksheet.proxy
    for row in range(proxy.rowCount()):
        assert proxy.index(row, C["id"]).data() == proxy.failure_mode_id(row)
    assert not proxy.index(0, C["id"]).flags() & Qt.ItemFlag.ItemIsEditable
    window.document.undo_stack.setClean()
    assert window.close()
    again = main_window_factory(Document(document.model), first_open=True)
    assert not again.worksheet.view.isColumnHidden(C["id"])  # the choice is kept
    assert again.worksheet.show_id_action.isChecked()


def select_rows(window: MainWindow, top: int, bottom: int) -> None:
    proxy, view = window.worksheet.proxy, window.worksheet.view
    last = proxy.columnCount() - 1
    view.setCurrentIndex(proxy.index(top, C["component"]))
    view.selectionModel().select(
        QItemSelection(proxy.index(top, 0), proxy.index(bottom, last)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )


def test_copy_leaves_the_hidden_id_out_and_takes_it_when_shown(main_window_factory, document):
    window = main_window_factory(document, first_open=True)
    sheet = window.worksheet
    select_rows(window, 0, 0)
    fm_id = sheet.proxy.failure_mode_id(0)
    hidden = sheet.copy().rstrip("\n").split("\t")
    assert len(hidden) == 19  # 18 and the justification
    assert hidden[0] == "database"  # ranked first: Disk full, RPN 1000
    sheet.show_id_action.trigger()
    shown = sheet.copy().rstrip("\n").split("\t")
    assert shown == [str(fm_id), *hidden]


@pytest.mark.parametrize("id_shown", [False, True], ids=["ID hidden", "ID shown"])
def test_a_copied_row_pastes_back_onto_another_row_unchanged(
    main_window_factory, document, id_shown
):
    """Copy a whole row and paste it over another: the ID (computed) neither shifts the other
    columns nor changes the ids."""
    window = main_window_factory(document, first_open=True)
    sheet = window.worksheet
    sheet.show_id_action.setChecked(id_shown)
    select_rows(window, 0, 0)
    text = sheet.copy()
    target_id = sheet.proxy.failure_mode_id(3)
    first_column = sheet.view.horizontalHeader().logicalIndex(0)
    sheet.view.setCurrentIndex(sheet.proxy.index(3, first_column))
    sheet.view.selectionModel().clearSelection()
    assert sheet.paste(text)
    source = document.model.failure_modes[sheet.proxy.failure_mode_id(0)]
    target = document.model.failure_modes[target_id]
    assert target.id == target_id
    assert target.id != source.id
    for field in ("failure_mode", "effect", "cause", "function", "severity", "likelihood"):
        assert getattr(target, field) == getattr(source, field)
    assert window.document.undo_stack.undoText() == "Paste 1 Row"


def test_the_sort_arrow_points_down_for_the_descending_rpn_ranking_and_up_ascending(
    main_window_factory,
):
    """Qt's header asks the style for an up arrow when the sort is descending."""
    window = main_window_factory(Document(many_failure_modes()), first_open=True)
    header = window.worksheet.view.horizontalHeader()

    def arrow(section: int) -> QStyleOptionHeader.SortIndicator:
        option = QStyleOptionHeader()
        header.initStyleOptionForIndex(option, section)
        return option.sortIndicator

    assert arrow(C["rpn"]) == QStyleOptionHeader.SortIndicator.SortDown
    assert arrow(C["severity"]) == QStyleOptionHeader.SortIndicator.None_
    window.worksheet.view.sortByColumn(C["severity"], Qt.SortOrder.AscendingOrder)
    assert arrow(C["severity"]) == QStyleOptionHeader.SortIndicator.SortUp
    assert arrow(C["rpn"]) == QStyleOptionHeader.SortIndicator.None_


def test_a_wide_first_open_gives_the_failure_mode_column_the_room(main_window_factory):
    """At 1920x1080 (a 1,728-pixel window, 1,128 for the worksheet) the Failure Mode column
    stayed 170 pixels wide, cutting most failure modes short; at 1366x768 it keeps 170."""
    window = main_window_factory(Document(many_failure_modes()), first_open=True)
    sheet, column = window.worksheet, C["failure_mode"]
    sheet.apply_default_layout(width=1366 - 600)
    assert sheet.view.columnWidth(column) == 170
    sheet.apply_default_layout(width=1728 - 600)
    wide = sheet.view.columnWidth(column)
    assert wide > 250
    block = [C[key] for key in ("component", "severity", "rpn", "ap", "actions")]
    assert wide + sum(sheet.view.columnWidth(c) for c in block) < 1728 - 600
