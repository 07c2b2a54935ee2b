"""Add from Library...: a chooser of known failure modes for one component.

The entries of every library (the built-in catalog and the team files of the configured
folders) for the component's kind, searchable, ticked several at a time, added as one undo step
through the document's edit gate. The added failure modes stay not rated; the library's
suggested scores go to `Document.score_hints`, which the worksheet paints grey in the empty
score cells (kept for the session, never saved).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import AddEntities
from fma_app.domain.library import LibraryEntry
from fma_app.domain.model import ComponentKind, Model
from fma_app.reports.library_files import LoadedLibraries, load_libraries
from fma_app.ui.column_table import CENTRE, AnyIndex, ColumnTableModel, TableColumn
from fma_app.ui.context import AppContext


def _score_text(score: int | None) -> str:
    return "" if score is None else str(score)


COLUMNS: tuple[TableColumn[LibraryEntry], ...] = (
    TableColumn("Failure mode", lambda e: e.failure_mode, cell_tip=lambda e: e.effect),
    TableColumn("S", lambda e: _score_text(e.suggested.severity), align=CENTRE),
    TableColumn("L", lambda e: _score_text(e.suggested.likelihood), align=CENTRE),
    TableColumn("D", lambda e: _score_text(e.suggested.detection), align=CENTRE),
    TableColumn("Kind", lambda e: e.kind.value),
    TableColumn("Source", lambda e: e.source),
)


class LibraryEntriesModel(ColumnTableModel[LibraryEntry]):
    """Library entries, one per row, with a check box in the first column."""

    def __init__(self, entries: list[LibraryEntry], parent: QObject | None = None):
        super().__init__(COLUMNS, entries, parent)
        self._checked: set[int] = set()
        self._search = [entry.search_text() for entry in entries]

    @property
    def entries(self) -> list[LibraryEntry]:
        return self.rows

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def role_data(self, row: LibraryEntry, index: AnyIndex, role: int) -> object:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            checked = index.row() in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        return None

    def search_text(self, row: int) -> str:
        """The entry's texts in lower case, for the search box."""
        return self._search[row]

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        self.set_checked(index.row(), Qt.CheckState(value) == Qt.CheckState.Checked)
        return True

    def set_checked(self, row: int, checked: bool) -> None:
        if checked == (row in self._checked):
            return
        if checked:
            self._checked.add(row)
        else:
            self._checked.discard(row)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])

    @property
    def checked_rows(self) -> frozenset[int]:
        return frozenset(self._checked)

    def checked_entries(self) -> list[LibraryEntry]:
        return [self.entries[row] for row in sorted(self._checked)]


class LibraryFilter(QSortFilterProxyModel):
    """Rows of one kind (or every kind) whose texts hold every word typed."""

    def __init__(self, kind: ComponentKind, parent: QObject | None = None):
        super().__init__(parent)
        self.kind: ComponentKind | None = kind
        self.words: list[str] = []

    def set_kind(self, kind: ComponentKind | None) -> None:
        self.beginFilterChange()
        self.kind = kind
        self.endFilterChange()

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.words = text.lower().split()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, LibraryEntriesModel)
        entry = model.entries[source_row]
        if self.kind is not None and entry.kind != self.kind:
            return False
        text = model.search_text(source_row)
        return all(word in text for word in self.words)


def entry_html(entry: LibraryEntry) -> str:
    rows = [
        ("Function", entry.function),
        ("Effect", entry.effect),
        ("Cause", entry.cause),
        ("Prevention", entry.prevention_controls),
        ("Detection", entry.detection_controls),
        ("Patterns", ", ".join(entry.patterns) or "none"),
        ("Chaos fault", entry.fault or "none"),
        ("Source", entry.source),
    ]
    body = "".join(
        f"<tr><td><b>{name}</b></td><td>{html.escape(value)}</td></tr>" for name, value in rows
    )
    return f"<p><b>{html.escape(entry.failure_mode)}</b></p><table cellpadding='2'>{body}</table>"


class LibraryChooser(QDialog):
    """Pick library entries for one component and add them as one undo step."""

    def __init__(
        self,
        context: AppContext,
        component_id: int,
        libraries: LoadedLibraries | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.document = context.document
        self.component_id = component_id
        component = self.document.model.component(component_id)
        self.setObjectName("libraryChooser")
        self.setWindowTitle(f"Add from Library: {component.name}")
        self.libraries = libraries if libraries is not None else load_libraries()
        self.entries = LibraryEntriesModel(self.libraries.entries, self)
        self.proxy = LibraryFilter(component.kind, self)
        self.proxy.setSourceModel(self.entries)
        self._build(component.kind)
        self.entries.dataChanged.connect(self._update_button)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self._update_button()
        self._update_count()
        if self.proxy.rowCount():  # the first entry's details in view from the start
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        self.resize(980, 560)

    def _build(self, kind: ComponentKind) -> None:
        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search failure modes, effects, causes, patterns...")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.all_kinds = QCheckBox("All kinds", self)
        self.all_kinds.setToolTip(f"Show entries for every kind, not only {kind.value}")
        self.all_kinds.toggled.connect(lambda on: self.proxy.set_kind(None if on else kind))
        self.view = QTableView(self)
        self.view.setObjectName("libraryView")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 30), (2, 30), (3, 30), (4, 70), (5, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.view.selectionModel().currentRowChanged.connect(self._show_current)
        self.view.doubleClicked.connect(self._toggle)
        self.view.installEventFilter(self)
        self.details = QTextBrowser(self)
        self.details.setObjectName("libraryDetails")
        self.count_label = QLabel(self)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #a33;")
        self.problems.setVisible(bool(self.libraries.problems))
        self.problems.setText("\n".join(self.libraries.problems))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("libraryAdd")
        self.add_button.setDefault(True)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.add_checked)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.all_kinds)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setSizes([620, 340])
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems)
        layout.addLayout(bottom)

    # ---- reactions ---------------------------------------------------------------------------
    def _show_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            return
        entry = self.entries.entries[self.proxy.mapToSource(current).row()]
        self.details.setHtml(entry_html(entry))

    def _toggle(self, index: QModelIndex) -> None:
        row = self.proxy.mapToSource(index).row()
        self.entries.set_checked(row, entry_row_unchecked(self.entries, row))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Space ticks the current row whichever of its cells is current, as in a check list.
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Space
        ):
            current = self.view.currentIndex()
            if current.isValid():
                self._toggle(current)
            return True
        return super().eventFilter(watched, event)

    def _update_button(self, *_args: object) -> None:
        count = len(self.entries.checked_entries())
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(
            "Add" if count == 0 else f"Add {count} Failure Mode{'s' if count > 1 else ''}"
        )

    def _update_count(self, *_args: object) -> None:
        shown = self.proxy.rowCount()
        sources = len({entry.source for entry in self.libraries.entries})
        self.count_label.setText(
            f"{shown} of {len(self.libraries.entries)} entries from {sources} "
            f"librar{'y' if sources == 1 else 'ies'}; tick the ones to add"
        )

    # ---- the edit ------------------------------------------------------------------------------
    def add_checked(self) -> list[int]:
        """Add the ticked entries as one undo step; the new failure modes' ids."""
        entries = self.entries.checked_entries()
        if not entries:
            return []
        command = self.document.apply(
            lambda model: add_entries(model, self.component_id, entries), refused_as=""
        )
        if not isinstance(command, AddEntities):
            return []  # refused: the gate told the window
        ids = [entity.id for entity in command.entities]
        for failure_mode_id, entry in zip(ids, entries, strict=True):
            self.document.score_hints[failure_mode_id] = entry.suggested
        self.document.hints_changed.emit(ids)
        self.accept()
        return ids


def entry_row_unchecked(model: LibraryEntriesModel, row: int) -> bool:
    return row not in model.checked_rows


def add_entries(model: Model, component_id: int, entries: list[LibraryEntry]) -> AddEntities:
    """One step adding a not-rated failure mode per entry, with the entry's texts."""
    probe = Model(components=model.components)
    added = [
        probe.add_failure_mode(component_id, id=model.new_id(), **entry.texts())
        for entry in entries
    ]
    noun = "Failure Mode" if len(added) == 1 else f"{len(added)} Failure Modes"
    return AddEntities(list(added), f"Add {noun} from Library")


def open_library_chooser(
    context: AppContext, component_id: int, parent: QWidget | None = None
) -> LibraryChooser:
    """Show the chooser for a component (window-modal, not blocking the caller)."""
    chooser = LibraryChooser(context, component_id, parent=parent)
    chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    chooser.open()
    chooser.search.setFocus()
    return chooser
