"""File > Compare With... and Merge With...: the differences in a dialog that selects what it
lists, and a merge applied as one undo step, its conflicts settled one by one."""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from fma_app.domain.model import Model
from fma_app.storage import save_model
from fma_app.ui.compare_dialog import RECORD_ROLE, CompareDialog, MergeDialog
from fma_app.ui.document import Document
from fma_app.ui.interaction import RecordingInteraction, SaveChoice


def saved(folder: Path, name: str, model: Model) -> Path:
    path = folder / name
    save_model(model, path)
    return path


def disk_full(model: Model) -> int:
    return next(f.id for f in model.failure_modes.values() if f.failure_mode == "Disk full")


def window_with(qtbot, context_factory, model: Model, open_path: Path | None):
    """A shown main window whose file chooser answers `open_path` (a fake passed in)."""
    from fma_app.ui.main_window import MainWindow

    interaction = RecordingInteraction(save=SaveChoice.DISCARD, open_path=str(open_path))
    document = Document(model)
    window = MainWindow(context_factory(document, interaction))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, document, interaction


def assert_every_column_in_view(tree) -> None:
    """Every column starts and ends inside the tree's viewport at the dialog's first size."""
    header = tree.header()
    last = header.logicalIndex(header.count() - 1)
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert right <= tree.viewport().width()


def items(tree) -> list:
    found = []
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        found.append(item)
        stack[:0] = [item.child(i) for i in range(item.childCount())]
    return found


def test_compare_with_lists_the_differences_and_selects_the_item(
    qtbot, context_factory, small_model, tmp_path
):
    other = copy.deepcopy(small_model)
    fm_id = disk_full(other)
    other.failure_modes[fm_id].severity = 4
    other.failure_modes[fm_id].cause = "Retention job never ran on the archive volume " * 6
    api = next(c for c in other.components.values() if c.name == "api")
    other.components[api.id].x = 500.0
    path = saved(tmp_path, "older.fma", other)
    window, document, _ = window_with(qtbot, context_factory, copy.deepcopy(small_model), path)
    assert window.compare.compare_action in window.file_menu.actions()
    window.compare.compare_action.trigger()
    dialog = window.compare.dialog
    assert isinstance(dialog, CompareDialog)
    qtbot.waitExposed(dialog)
    texts = [(i.text(0), i.text(1), i.text(2)) for i in items(dialog.tree)]
    assert ("severity", "4", "10") in texts
    assert any(t[0].startswith("Moved nodes (1)") for t in texts)
    assert dialog.summary.text() == "1 record(s) differ, 1 node(s) moved."
    assert_every_column_in_view(dialog.tree)  # a long cause leaves "In this model" in view
    severity_row = next(i for i in items(dialog.tree) if i.text(0) == "severity")
    dialog.tree.setCurrentItem(severity_row)
    assert document.selection.failure_mode_id == fm_id
    sheet = window.worksheet  # the failure mode's row is the worksheet's current row too
    assert sheet.proxy.failure_mode_id(sheet.view.currentIndex().row()) == fm_id
    assert document.selection.component_ids == [small_model.failure_modes[fm_id].component_id]
    moved_row = next(i for i in items(dialog.tree) if "api" in i.text(0))
    dialog.tree.setCurrentItem(moved_row)
    assert document.selection.component_ids == [api.id]
    box = dialog.hide_layout  # on its indicator: the box is as wide as the dialog
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    assert not any("Moved nodes" in i.text(0) for i in items(dialog.tree))
    assert document.model.content() == small_model.content()  # comparing changes nothing


def test_compare_with_a_file_that_is_not_a_model_says_so(
    qtbot, context_factory, small_model, tmp_path
):
    path = tmp_path / "notes.fma"
    path.write_text("not a model")
    window, _document, interaction = window_with(
        qtbot, context_factory, copy.deepcopy(small_model), path
    )
    assert window.compare.compare_with() is None
    ((level, _title, text),) = interaction.messages
    assert level == "warning"
    assert text == f"cannot open '{path}': not an FMA Workbench model (not a SQLite database)"


def test_a_merge_without_conflicts_is_one_undo_step(qtbot, context_factory, small_model, tmp_path):
    base = copy.deepcopy(small_model)
    theirs = copy.deepcopy(small_model)
    fm_id = disk_full(base)
    theirs.failure_modes[fm_id].effect = "Orders lost"
    theirs.add_component("queue", "queue")
    ours = copy.deepcopy(small_model)
    ours.failure_modes[fm_id].severity = 6
    window, document, _ = window_with(qtbot, context_factory, ours, None)
    applied = window.compare.merge_with(
        str(saved(tmp_path, "theirs.fma", theirs)), str(saved(tmp_path, "base.fma", base))
    )
    assert applied
    merged = document.model
    assert (merged.failure_modes[fm_id].severity, merged.failure_modes[fm_id].effect) == (
        6, "Orders lost",
    )  # fmt: skip
    assert merged.component_by_name("queue") is not None
    assert window.worksheet.view.model().rowCount() == len(merged.failure_modes)
    document.undo()
    assert document.model.failure_modes[fm_id].effect == base.failure_modes[fm_id].effect
    assert document.model.component_by_name("queue") is None


def test_a_merge_with_conflicts_opens_them_to_settle_one_by_one(
    qtbot, context_factory, small_model, tmp_path
):
    base = copy.deepcopy(small_model)
    fm_id = disk_full(base)
    theirs, ours = copy.deepcopy(base), copy.deepcopy(base)
    theirs.failure_modes[fm_id].severity, ours.failure_modes[fm_id].severity = 3, 6
    theirs.failure_modes[fm_id].cause = "Logs fill the data volume overnight " * 8
    ours.failure_modes[fm_id].cause = "Backups"
    window, document, _ = window_with(qtbot, context_factory, ours, None)
    applied = window.compare.merge_with(
        str(saved(tmp_path, "theirs.fma", theirs)), str(saved(tmp_path, "base.fma", base))
    )
    assert not applied
    dialog = window.compare.dialog
    assert isinstance(dialog, MergeDialog)
    qtbot.waitExposed(dialog)
    rows = {i.data(0, RECORD_ROLE): i for i in items(dialog.tree)}
    assert set(rows) == {f"failure_modes/{fm_id}/severity", f"failure_modes/{fm_id}/cause"}
    severity = rows[f"failure_modes/{fm_id}/severity"]
    assert [severity.text(c) for c in (1, 2, 3)] == ["10", "6", "3"]
    assert not dialog.apply_button.isEnabled()
    assert_every_column_in_view(dialog.tree)  # Theirs and Chosen beside a long base value
    dialog.tree.setCurrentItem(severity)
    assert document.selection.failure_mode_id == fm_id
    sheet = window.worksheet
    assert sheet.proxy.failure_mode_id(sheet.view.currentIndex().row()) == fm_id
    QTest.mouseClick(dialog.take_theirs, Qt.MouseButton.LeftButton)
    assert severity.text(4) == "theirs"
    assert dialog.tree.currentItem() is rows[f"failure_modes/{fm_id}/cause"]  # moved on
    assert not dialog.apply_button.isEnabled()
    QTest.mouseClick(dialog.take_ours, Qt.MouseButton.LeftButton)
    assert dialog.apply_button.isEnabled()
    QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.applied
    merged = document.model.failure_modes[fm_id]
    assert (merged.severity, merged.cause) == (3, "Backups")
    document.undo()
    assert document.model.failure_modes[fm_id].severity == 6


def test_a_merge_that_breaks_a_rule_changes_nothing(qtbot, context_factory, small_model, tmp_path):
    base, theirs, ours = (copy.deepcopy(small_model) for _ in range(3))
    theirs.add_component("queue", "queue")
    ours.add_component("Queue", "service")
    window, document, interaction = window_with(qtbot, context_factory, ours, None)
    before = copy.deepcopy(document.model.content())
    applied = window.compare.merge_with(
        str(saved(tmp_path, "theirs.fma", theirs)), str(saved(tmp_path, "base.fma", base))
    )
    assert not applied
    assert document.model.content() == before
    assert "name 'queue' is used twice" in interaction.messages[-1][2]


def test_a_merge_that_cannot_have_new_ids_says_so_and_changes_nothing(
    qtbot, context_factory, small_model, tmp_path
):
    """A shared model's merge takes its additions' ids from the server (Model.set_id_source);
    with the server out of reach that raises a ModelError, which escaped the menu action.
    The window says why and the model stays as it was."""
    from fma_app.domain.errors import ModelError

    base, theirs, ours = (copy.deepcopy(small_model) for _ in range(3))
    theirs.add_component("queue", "queue")

    def unreachable() -> int:
        raise ModelError("no new id: the connection to db:5432/fma was lost")

    ours.set_id_source(unreachable)
    window, document, interaction = window_with(qtbot, context_factory, ours, None)
    before = copy.deepcopy(document.model.content())
    applied = window.compare.merge_with(
        str(saved(tmp_path, "theirs.fma", theirs)), str(saved(tmp_path, "base.fma", base))
    )
    assert not applied
    assert document.model.content() == before
    assert interaction.messages[-1] == (
        "warning",
        "Merge",
        "Cannot merge: no new id: the connection to db:5432/fma was lost. Nothing was changed.",
    )
