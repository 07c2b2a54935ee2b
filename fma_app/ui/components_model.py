"""The components list: name, failure mode count and a badge for the worst Action Priority.

Rows are keyed by component id and kept in name order (case-insensitive); the statistics are
kept per component and refreshed only for the components a change touches.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
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

from fma_app.domain.commands import Change, Command, add_component, remove, set_fields
from fma_app.domain.model import Model
from fma_app.domain.scoring import ActionPriority
from fma_app.gc_pause import paused_gc
from fma_app.ui.context import AppContext
from fma_app.ui.document import Document
from fma_app.ui.worksheet_model import AP_COLOURS, AP_NAMES, TEXT_ON_COLOUR, ap_of

ID_ROLE = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("Component", "FMs", "AP")
HEADER_TIPS = ("Component name", "Number of failure modes", "Worst Action Priority")


class ComponentsModel(QAbstractTableModel):
    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self._ids: list[int] = []
        self._keys: list[tuple[str, int]] = []  # (casefolded name, id), parallel to _ids
        self._fms: dict[int, set[int]] = {}  # component id -> failure mode ids
        self._fm_component: dict[int, int] = {}
        self._worst: dict[int, ActionPriority | None] = {}
        self._load()
        document.changed.connect(self._on_changed)
        document.reset.connect(self._on_reset)

    # -- bookkeeping ---------------------------------------------------------------------
    def _key(self, component_id: int) -> tuple[str, int]:
        return (self.document.model.components[component_id].name.casefold(), component_id)

    def _load(self) -> None:
        model = self.document.model
        self._keys = sorted(self._key(c) for c in model.components)
        self._ids = [k[1] for k in self._keys]
        self._fms = {c: set() for c in model.components}
        self._fm_component = {}
        for fm in model.failure_modes.values():
            self._fms.setdefault(fm.component_id, set()).add(fm.id)
            self._fm_component[fm.id] = fm.component_id
        self._worst = {c: self._compute_worst(c) for c in model.components}

    def _compute_worst(self, component_id: int) -> ActionPriority | None:
        failure_modes = self.document.model.failure_modes
        best: ActionPriority | None = None
        for fm_id in self._fms.get(component_id, ()):
            ap = ap_of(failure_modes[fm_id])
            if best is None or ap.order < best.order:
                best = ap
                if ap is ActionPriority.HIGH:
                    break
        return best

    def _on_reset(self) -> None:
        self.beginResetModel()
        with paused_gc():
            self._load()
        self.endResetModel()

    def _on_changed(self, changes: list[Change]) -> None:
        touched: set[int] = set()
        for change in changes:
            if change.kind == "component":
                self._components_changed(change)
            elif change.kind == "failure_mode":
                touched |= self._failure_modes_changed(change)
        for component_id in touched:
            if component_id in self._worst:
                self._worst[component_id] = self._compute_worst(component_id)
                row = self.row_of(component_id)
                if row is not None:
                    self.dataChanged.emit(self.index(row, 1), self.index(row, 2))

    def _components_changed(self, change: Change) -> None:
        model = self.document.model
        for component_id in change.ids:
            if change.op == "added" and component_id in model.components:
                self._insert(component_id)
            elif change.op == "removed" and component_id in self._worst:
                self._remove(component_id)
            elif change.op == "changed" and component_id in self._worst:
                self._renamed(component_id)

    def _insert(self, component_id: int) -> None:
        key = self._key(component_id)
        row = bisect.bisect(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._keys.insert(row, key)
        self._ids.insert(row, component_id)
        self._fms.setdefault(component_id, set())
        self._worst[component_id] = self._compute_worst(component_id)
        self.endInsertRows()

    def _renamed(self, component_id: int) -> None:
        """Re-sort after a rename, keeping selection and current index on the same ids."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self._keys = sorted(self._key(c) for c in self._ids)
        self._ids = [k[1] for k in self._keys]
        row_of = {c: r for r, c in enumerate(self._ids)}
        new = [self.index(row_of[c], i.column()) for c, i in zip(old_ids, old, strict=True)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
        row = row_of[component_id]
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def _remove(self, component_id: int) -> None:
        row = self._ids.index(component_id)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._keys[row], self._ids[row]
        self._worst.pop(component_id, None)
        self.endRemoveRows()

    def _failure_modes_changed(self, change: Change) -> set[int]:
        model = self.document.model
        touched: set[int] = set()
        for fm_id in change.ids:
            old = self._fm_component.pop(fm_id, None)
            if old is not None:
                self._fms.get(old, set()).discard(fm_id)
                touched.add(old)
            fm = model.failure_modes.get(fm_id)
            if fm is not None and change.op != "removed":
                self._fm_component[fm_id] = fm.component_id
                self._fms.setdefault(fm.component_id, set()).add(fm_id)
                touched.add(fm.component_id)
        return touched

    # -- lookups -------------------------------------------------------------------------
    def component_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, component_id: int) -> int | None:
        if component_id in self.document.model.components:
            row = bisect.bisect_left(self._keys, self._key(component_id))
            if row < len(self._ids) and self._ids[row] == component_id:
                return row
        return self._ids.index(component_id) if component_id in self._ids else None

    def failure_mode_count(self, component_id: int) -> int:
        return len(self._fms.get(component_id, ()))

    def worst_ap(self, component_id: int) -> ActionPriority | None:
        return self._worst.get(component_id)

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and not self.document.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        component_id = self._ids[index.row()]
        component = self.document.model.components.get(component_id)
        if component is None:  # removed by a command whose other rows are still going
            return None
        column = index.column()
        worst = self._worst.get(component_id)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return component.name
            if column == 1:
                return self.failure_mode_count(component_id)
            return worst.value if worst else ""
        if role == ID_ROLE:
            return component_id
        if column == 2 and worst is not None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return AP_COLOURS[worst]
            if role == Qt.ItemDataRole.ForegroundRole:
                return TEXT_ON_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Worst Action Priority: {AP_NAMES[worst]}"
        if column in (1, 2) and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if column == 0 and role == Qt.ItemDataRole.ToolTipRole:
            return f"{component.name} ({component.kind.value})" + (
                f"\n{component.description}" if component.description else ""
            )
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Rename through the document's gate; False when refused or unchanged."""
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.EditRole:
            return False
        component_id = self._ids[index.row()]
        command = self.document.apply(
            lambda model: rename_command(model, component_id, str(value)),
            refused_as="Not renamed: ",
        )
        return command is not None


def rename_command(model: Model, component_id: int, name: str) -> Command | None:
    """Rename a component; None when the name is already its own."""
    if name.strip() == model.components[component_id].name:
        return None
    return set_fields(model, "component", component_id, name=name)


class ComponentsPanel(QWidget):
    """The left panel: the list, with add / rename / delete. Selecting components filters the
    worksheet (through `Document.selection`); an empty selection shows every component."""


    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
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
        header = view.horizontalHeader()
        # Fixed widths: ResizeToContents asks every row for its size (2,000 components:
        # 50,000 data() calls at each change).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 44)
        header.resizeSection(2, 34)

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
