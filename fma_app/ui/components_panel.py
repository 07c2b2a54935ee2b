"""The components panel: the list of components, with add, rename and delete.

Selecting components filters the worksheet and the graph through `Document.selection`; every
edit goes through the document's edit gate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Command, add_component, remove
from fma_app.domain.model import Model
from fma_app.ui.components_model import ComponentsModel
from fma_app.ui.context import AppContext
from fma_app.ui.library_chooser import LibraryChooser, open_library_chooser


class ComponentsPanel(QWidget):
    """The left panel: the list, with add / rename / delete. Selecting components filters the
    worksheet (through `Document.selection`); an empty selection shows every component."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        document = self.document = context.document
        self.interaction = context.interaction
        self.model = ComponentsModel(document, self)
        self.view = QTableView(self)
        self.view.setObjectName("componentsView")
        self.view.setModel(self.model)
        self._set_up_view()
        self.add_action = self._action("&Add Component", "Ctrl+Shift+K", self.add_component)
        self.rename_action = self._action("&Rename Component", "F2", self.rename_current)
        self.delete_action = self._action("&Delete Component", "Del", self.delete_selected)
        self.library_action = self._action("Add from &Library...", "", self.add_from_library)
        self.library_action.setToolTip("Add known failure modes to the current component")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.addAction(self.library_action)
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.rename_action)
        self.view.addAction(self.delete_action)
        self.summary = QLabel(self)
        self._layout()
        self._syncing = False
        self.view.selectionModel().selectionChanged.connect(self._selection_to_document)
        document.selection.components_selected.connect(self._selection_from_document)
        self.model.modelReset.connect(self._update_summary)
        self.model.rowsInserted.connect(self._update_summary)
        self.model.rowsRemoved.connect(self._update_summary)
        self._update_summary()

    def _set_up_view(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(22)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        # Names often differ only at the end: elide in the middle (Qt elides a wrapped cell's
        # text at its end whatever the mode, and a row is one line anyway)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = view.horizontalHeader()
        # Fixed widths: ResizeToContents asks every row for its size (2,000 components:
        # 50,000 data() calls at each change).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 44)
        header.resizeSection(2, 34)

    def add_from_library(self) -> LibraryChooser | None:
        """The library chooser for the current component of the list."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        component_id = self.model.component_id(index.row())
        return open_library_chooser(self.context, component_id, self)

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for action, label in (
            (self.add_action, "Add"),
            (self.rename_action, "Rename"),
            (self.delete_action, "Delete"),
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setText(label)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def _update_summary(self, *_args: object) -> None:
        count = self.model.rowCount()
        self.summary.setText(
            "No components yet: Add one to start"
            if count == 0
            else f"{count} component{'s' if count != 1 else ''}; select to filter the worksheet"
        )

    # -- selection -----------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.component_id(r) for r in rows]

    def _selection_to_document(self, *_args: object) -> None:
        if not self._syncing:
            self.document.selection.select_components(self.selected_ids())

    def _selection_from_document(self, ids: list[int]) -> None:
        if ids == self.selected_ids():
            return
        self._syncing = True
        try:
            selection = self.view.selectionModel()
            selection.clearSelection()
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            for component_id in ids:
                row = self.model.row_of(component_id)
                if row is not None:
                    selection.select(self.model.index(row, 0), flags)
        finally:
            self._syncing = False

    def select(self, component_id: int) -> None:
        row = self.model.row_of(component_id)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, 0))
            self.view.selectRow(row)

    # -- commands ------------------------------------------------------------------------
    def _unused_name(self) -> str:
        number = 1
        while self.document.model.component_by_name(f"New component {number}") is not None:
            number += 1
        return f"New component {number}"

    def add_component(self, name: str | None = None) -> int | None:
        component_id = self.document.add(
            lambda model: add_component(model, name or self._unused_name()),
            refused_as="Not added: ",
        )
        if component_id is None:
            return None
        self.select(component_id)
        if name is None and self.isVisible():
            self.view.edit(self.view.currentIndex())
        return component_id

    def rename_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.edit(self.model.index(index.row(), 0))

    def delete_selected(self) -> bool:
        """Delete the selected components; asks first when they hold failure modes."""
        ids = self.selected_ids()
        if not ids:
            return False
        return self.document.apply(lambda model: self._confirmed_removal(model, ids)) is not None

    def _confirmed_removal(self, model: Model, ids: list[int]) -> Command | None:
        """The removal, once the user agreed to lose failure modes (asked only when the gate
        lets the edit through); None when they said no."""
        failure_modes = sum(self.model.failure_mode_count(c) for c in ids)
        if failure_modes:
            names = ", ".join(model.components[c].name for c in ids[:3])
            names += f" and {len(ids) - 3} more" if len(ids) > 3 else ""
            question = (
                f"Delete {names} with {failure_modes} failure mode"
                f"{'s' if failure_modes != 1 else ''} and their actions?\n"
                "You can undo this with Edit > Undo."
            )
            if not self.interaction.ask_yes_no("Delete Component", question):
                return None
        return remove(model, "component", ids)
