"""The components list: name, failure mode count and a badge for the worst Action Priority.

Rows are keyed by component id and kept in name order (case-insensitive); the statistics are
kept per component and refreshed only for the components a change touches.
"""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from fma_app.domain.commands import Change, Command, set_fields
from fma_app.domain.model import Model
from fma_app.domain.scoring import ActionPriority
from fma_app.gc_pause import paused_gc
from fma_app.presentation.style import AP_NAMES, NOT_RATED
from fma_app.presentation.worksheet import ap_of
from fma_app.ui.document import Document
from fma_app.ui.qt_style import AP_FILLS, AP_TEXTS, NOT_RATED_FILL, NOT_RATED_TEXT

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
        document.model_replaced.connect(self._on_reset)

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
            if ap is None:
                continue  # not rated yet: "none yet", never L
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
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
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
                return AP_FILLS[worst]
            if role == Qt.ItemDataRole.ForegroundRole:
                return AP_TEXTS[worst]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Worst Action Priority: {AP_NAMES[worst]}"
        if column == 2 and worst is None and self.failure_mode_count(component_id):
            if role == Qt.ItemDataRole.BackgroundRole:
                return NOT_RATED_FILL  # failure modes, none rated yet: grey, never L
            if role == Qt.ItemDataRole.ForegroundRole:
                return NOT_RATED_TEXT
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Worst Action Priority: {NOT_RATED.label} yet"
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
