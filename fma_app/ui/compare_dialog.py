"""File > Compare With... and File > Merge With...: models in git, in the app.

Compare lists what differs between another model file and the open model (the same diff as
`fma-app diff`), record by record with each field's value there and here; selecting a record that
the open model has selects it in the app. Merge takes a base and their version, merges them with
the open model as ours (the same merge as `fma-app merge`); without conflicts the result is
applied at once, otherwise the conflicts open in a dialog to settle one by one. The result goes
through the document's edit gate as one undo step ("Merge").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.diff import FieldChange, ModelDiff, RecordChange, diff_models
from fma_app.domain.errors import ModelError
from fma_app.domain.merge import Conflict, MergeResult, ReplaceContent, Side, merge_models
from fma_app.domain.model import Model
from fma_app.domain.records import MODEL, SINGULAR, clone_model, shown
from fma_app.storage import ModelFileError, open_model
from fma_app.storage.checks import RowProblemError, check_model
from fma_app.ui.context import AppContext
from fma_app.ui.interaction import Level

MODEL_FILE_FILTER = "FMA Workbench models (*.fma);;All files (*)"
RECORD_ROLE = Qt.ItemDataRole.UserRole  # (collection, id) of the record a row stands for
OPS = {"added": "+", "removed": "\u2212", "changed": "~"}
# Widest first and value columns (px) of each dialog at its first size: every column in view.
# Sized to their texts alone, one long cause pushed "In this model" (Compare) and "Theirs" and
# "Chosen" (Merge) out of the dialog: the values to compare or choose from were off screen.
COMPARE_WIDTHS = (360, 230)
MERGE_WIDTHS = (340, 170)
Reveal = Callable[[int], object]  # shows a failure mode's row in the worksheet


def _fit_columns(tree: QTreeWidget, widest: tuple[int, int]) -> None:
    """Size every column to its text, the first no wider than widest[0] and the others than
    widest[1]; every cell shows its whole text as a tooltip, since long values are cut."""
    first, value = widest
    for column in range(tree.columnCount()):
        tree.resizeColumnToContents(column)
        limit = first if column == 0 else value
        tree.setColumnWidth(column, min(tree.columnWidth(column), limit))
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        for column in range(tree.columnCount()):
            if not item.toolTip(column):
                item.setToolTip(column, item.text(column))
        stack.extend(item.child(i) for i in range(item.childCount()))


def _what(collection: str, record_id: int, label: str) -> str:
    if collection == MODEL:
        return "Model properties"
    singular = SINGULAR.get(collection, collection).capitalize()
    return f"{singular} {record_id}" + (f" \u201c{label}\u201d" if label else "")


def select_record(
    context: AppContext, collection: str, record_id: int, reveal: Reveal | None = None
) -> bool:
    """Select the record in the app's views, through the shared selection, and `reveal` a failure
    mode's (or an action's failure mode's) worksheet row; False when the open model has no such
    record (one the other file has and this one not)."""
    model, selection = context.document.model, context.document.selection
    if collection == "components" and record_id in model.components:
        selection.select_components([record_id])
    elif collection == "dependencies" and record_id in model.dependencies:
        dependency = model.dependencies[record_id]
        selection.select_components([dependency.source_id, dependency.target_id])
    elif collection in ("failure_modes", "actions"):
        fm_id = record_id
        if collection == "actions":
            if record_id not in model.actions:
                return False
            fm_id = model.actions[record_id].failure_mode_id
        if fm_id not in model.failure_modes:
            return False
        selection.select_components([model.failure_modes[fm_id].component_id])
        selection.select_failure_mode(fm_id)
        if reveal is not None:
            reveal(fm_id)
    else:
        return False
    return True


class CompareDialog(QDialog):
    """The differences from another model file (there) to the open model (here)."""

    def __init__(
        self,
        context: AppContext,
        diff: ModelDiff,
        other: str,
        parent: QWidget | None,
        reveal: Reveal | None = None,
    ):
        super().__init__(parent)
        self.context, self.diff, self.reveal = context, diff, reveal
        self.setObjectName("compareDialog")
        self.setWindowTitle(f"Compare With {other}")
        self.summary = QLabel(self)
        self.hide_layout = QCheckBox("Hide moved nodes", self)
        self.hide_layout.setObjectName("hideMovedNodes")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("differences")
        self.tree.setHeaderLabels(["What", f"In {other}", "In this model"])
        self.tree.setUniformRowHeights(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.hide_layout)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.hide_layout.toggled.connect(self._fill)
        self.tree.currentItemChanged.connect(self._select_in_app)
        self._fill()
        self.resize(900, 560)

    def _fill(self, *_args: object) -> None:
        self.tree.clear()
        diff = self.diff.without_layout() if self.hide_layout.isChecked() else self.diff
        for change in diff.content_changes():
            self._add_record(change, change.fields, OPS[change.op])
        moved = diff.layout_changes()
        if moved:
            group = QTreeWidgetItem(self.tree, [f"Moved nodes ({len(moved)})"])
            for change in moved:
                item = self._add_record(change, change.layout, "\u2194", parent=group)
                item.setExpanded(False)
        if diff.is_empty():
            self.summary.setText("The models are equal.")
        else:
            count = len(diff.content_changes())
            self.summary.setText(f"{count} record(s) differ, {len(moved)} node(s) moved.")
        _fit_columns(self.tree, COMPARE_WIDTHS)

    def _add_record(
        self,
        change: RecordChange,
        fields: tuple[FieldChange, ...],
        mark: str,
        parent: QTreeWidgetItem | None = None,
    ) -> QTreeWidgetItem:
        text = f"{mark} {_what(change.collection, change.id, change.label)}"
        item = QTreeWidgetItem([text]) if parent is None else QTreeWidgetItem(parent, [text])
        if parent is None:
            self.tree.addTopLevelItem(item)
        item.setData(0, RECORD_ROLE, (change.collection, change.id))
        if change.op == "changed":
            for field in fields:
                child = QTreeWidgetItem(item, [field.field, shown(field.old), shown(field.new)])
                child.setData(0, RECORD_ROLE, (change.collection, change.id))
            item.setExpanded(True)
        else:
            there, here = ("", change.op) if change.op == "added" else (change.op, "")
            item.setText(1, there and "present")
            item.setText(2, here and "present")
        return item

    def _select_in_app(self, current: QTreeWidgetItem | None, *_args: object) -> None:
        record = current.data(0, RECORD_ROLE) if current is not None else None
        if record:
            collection, record_id = record
            select_record(self.context, collection, record_id, reveal=self.reveal)


class MergeDialog(QDialog):
    """The conflicts of a merge, settled one by one; Apply is enabled once all are settled."""

    def __init__(
        self,
        context: AppContext,
        result: MergeResult,
        parent: QWidget | None,
        reveal: Reveal | None = None,
        recompute: Callable[[Model], MergeResult] | None = None,
    ):
        """`recompute(ours)` merges again against the open model as it is at Apply: a shared
        model may change while the dialog is open (others' changes arrive live)."""
        super().__init__(parent)
        self.context, self.merge, self.reveal = context, result, reveal
        self.recompute = recompute
        self.ours = clone_model(context.document.model)  # what the merge was computed on
        self.choices: dict[str, Side] = {}
        self.applied = False
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge: settle the conflicts")
        self.summary = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("conflicts")
        self.tree.setHeaderLabels(["Conflict", "Base", "Ours (this model)", "Theirs", "Chosen"])
        self.take_ours = QPushButton("Keep &Ours", self)
        self.take_theirs = QPushButton("Take &Theirs", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        choose = QHBoxLayout()
        choose.addWidget(self.take_ours)
        choose.addWidget(self.take_theirs)
        choose.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(choose)
        layout.addWidget(self.buttons)
        self.take_ours.clicked.connect(lambda: self.choose("ours"))
        self.take_theirs.clicked.connect(lambda: self.choose("theirs"))
        self.tree.currentItemChanged.connect(self._select_in_app)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.tree.setRootIsDecorated(False)
        _fit_columns(self.tree, MERGE_WIDTHS)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update()
        self.resize(1000, 520)

    def _fill(self) -> None:
        self.tree.clear()
        self.items = {conflict.key: self._add(conflict) for conflict in self.merge.conflicts}

    def _add(self, conflict: Conflict) -> QTreeWidgetItem:
        what = _what(conflict.collection, conflict.id, conflict.label)
        # The field first: a long failure mode text would hide it at the end.
        text = f"{conflict.field} of {what}" if conflict.field else f"{what} ({conflict.reason})"
        values = [conflict.shown(side) for side in ("base", "ours", "theirs")]
        item = QTreeWidgetItem(self.tree, [text, *values])
        item.setData(0, RECORD_ROLE, conflict.key)
        item.setToolTip(0, f"{conflict.key}: {conflict.reason}")
        return item

    def choose(self, side: Side, key: str | None = None) -> None:
        """Settle one conflict (the current one unless `key` names another), then move on."""
        item = self.items.get(key) if key is not None else self.tree.currentItem()
        if item is None:
            return
        chosen_key = str(item.data(0, RECORD_ROLE))
        self.choices[chosen_key] = side
        item.setText(4, side)
        unsettled = [k for k in self.items if k not in self.choices]
        if unsettled and key is None:
            self.tree.setCurrentItem(self.items[unsettled[0]])
        self._update()

    def _update(self) -> None:
        left = len(self.merge.conflicts) - len(self.choices)
        self.summary.setText(
            f"{len(self.merge.conflicts)} conflict(s), {left} left to settle."
            if left
            else "Every conflict is settled: Apply merges them as one undo step."
        )
        self.apply_button.setEnabled(left == 0)

    def _select_in_app(self, current: QTreeWidgetItem | None, *_args: object) -> None:
        if current is None:
            return
        conflict = self.merge.conflict(str(current.data(0, RECORD_ROLE)))
        select_record(self.context, conflict.collection, conflict.id, reveal=self.reveal)

    def apply(self) -> bool:
        if not self._merge_is_current():
            return False
        model = self.merge.resolved(self.choices)
        if apply_merged(self.context, model, self):
            self.applied = True
            self.accept()
            return True
        return False

    def _merge_is_current(self) -> bool:
        """The open model changed since the merge was computed (a colleague's change arrived
        on a shared model): merge again against it, so Apply never writes the old state over
        the new one. Same conflicts (same values on both sides): the choices still hold.
        Otherwise the conflicts are shown again to be settled anew; False then."""
        current = self.context.document.model
        if current.content() == self.ours.content():
            return True
        recompute = self.recompute
        if recompute is None:
            text = "The model changed since this merge was computed. Merge again."
            self.context.interaction.show_message("Merge", text, Level.WARNING)
            return False
        fresh = _merged_or_said(self.context, lambda: recompute(current))
        if fresh is None:
            return False
        self.ours = clone_model(current)
        settled = _conflict_values(fresh) == _conflict_values(self.merge)
        self.merge = fresh
        if settled:
            return True
        self.choices = {}
        self._fill()
        self._update()
        text = (
            "The model changed while this merge was open (someone else's change arrived). "
            "The merge was computed again: settle its conflicts again, then Apply."
        )
        self.context.interaction.show_message("Merge", text, Level.WARNING)
        return False


def _merged_or_said(context: AppContext, merge: Callable[[], MergeResult]) -> MergeResult | None:
    """The merge, or None once the window said why there is none: a shared model's new ids
    come from the server (which may be out of reach), and a merge may find a reference to a
    record neither side has."""
    try:
        return merge()
    except ModelError as error:
        text = f"Cannot merge: {error}. Nothing was changed."
        context.interaction.show_message("Merge", text, Level.WARNING)
        return None


def _conflict_values(result: MergeResult) -> list[tuple[str, object, object]]:
    return [(c.key, c.ours, c.theirs) for c in result.conflicts]


def apply_merged(context: AppContext, merged: Model, parent: QWidget | None = None) -> bool:
    """Put the merged model in place of the open one as one undo step, unless it breaks a rule."""
    try:
        check_model(merged)
    except RowProblemError as problem:
        text = f"The merged model breaks a rule: {problem}. Nothing was changed."
        context.interaction.show_message("Merge", text, Level.WARNING)
        return False
    return context.document.edit(lambda _model: ReplaceContent(merged), title="Merge") is None


class CompareController:
    """The two File menu actions and what they do; dialogs are kept so tests can reach them."""

    def __init__(self, parent: QWidget, context: AppContext):
        self.parent, self.context = parent, context
        self.compare_action = QAction("Co&mpare With...", parent)
        self.compare_action.setObjectName("compareWithAction")
        self.compare_action.triggered.connect(lambda: self.compare_with())
        self.merge_action = QAction("Mer&ge With...", parent)
        self.merge_action.setObjectName("mergeWithAction")
        self.merge_action.triggered.connect(lambda: self.merge_with())
        self.dialog: QDialog | None = None
        self.reveal_failure_mode: Reveal | None = None  # the window sets the worksheet's

    def install(self, file_menu: QMenu, before: QAction) -> None:
        file_menu.insertAction(before, self.compare_action)
        file_menu.insertAction(before, self.merge_action)
        file_menu.insertSeparator(before)

    def _directory(self) -> str:
        path = self.context.document.path
        return str(path.parent) if path is not None else str(Path.home())

    def _choose(self, title: str) -> str | None:
        interaction = self.context.interaction
        return interaction.choose_open_path(title, self._directory(), MODEL_FILE_FILTER)

    def _read(self, path: str) -> Model | None:
        try:
            return open_model(path)
        except ModelFileError as error:
            self.context.interaction.show_message("Compare", str(error), Level.WARNING)
            return None

    def compare_with(self, path: str | None = None) -> CompareDialog | None:
        path = path or self._choose("Compare With")
        other = self._read(path) if path else None
        if path is None or other is None:
            return None
        diff = diff_models(other, self.context.document.model)
        dialog = CompareDialog(
            self.context, diff, Path(path).name, self.parent, self.reveal_failure_mode
        )
        self.dialog = dialog
        dialog.show()
        return dialog

    def merge_with(self, theirs_path: str | None = None, base_path: str | None = None) -> bool:
        """Merge their file into the open model (ours) from their common base; True when the
        merge was applied at once, False when cancelled, refused or left to the dialog."""
        theirs_path = theirs_path or self._choose("Merge With: their version")
        theirs = self._read(theirs_path) if theirs_path else None
        if theirs is None:
            return False
        base_path = base_path or self._choose("Merge With: the common base")
        base = self._read(base_path) if base_path else None
        if base is None:
            return False
        ours = self.context.document.model
        result = _merged_or_said(self.context, lambda: merge_models(base, ours, theirs))
        if result is None:
            return False
        if not result.conflicts:
            return apply_merged(self.context, result.resolved({}), self.parent)
        dialog = MergeDialog(
            self.context,
            result,
            self.parent,
            self.reveal_failure_mode,
            recompute=lambda ours: merge_models(base, ours, theirs),
        )
        self.dialog = dialog
        dialog.show()
        return False
