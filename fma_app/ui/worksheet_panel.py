"""The worksheet panel: the filter bar, the worksheet table and everything done to its rows.

The panel owns its actions (add a failure mode, delete rows, cut, copy, paste, fill, filter) the
way the components panel owns its own; the main window only puts them in its menus. Every change
goes through the document's edit gate, so a refused paste or delete changes nothing and the
window shows why.

Keyboard: typing or F2 edits a cell; Enter commits and moves down, Tab commits and moves right;
Ctrl+Shift+N or Insert adds a failure mode under the current component; Delete (or Backspace)
clears the selected cells (scores become not rated yet) and Ctrl+Delete removes the selected
failure modes, each as one undo step. Delete used to remove whole rows: a spreadsheet user
pressing it to empty a cell lost the failure mode, so removing rows now takes a key of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyleOptionHeader,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import (
    AddEntities,
    Command,
    Macro,
    add_failure_mode,
    remove,
    set_fields,
)
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model
from fma_app.domain.scoring import ActionPriority
from fma_app.presentation import clipboard
from fma_app.presentation.worksheet import COLUMN_INDEX, COLUMNS
from fma_app.ui.cell_painter import CellPainter
from fma_app.ui.context import AppContext
from fma_app.ui.delegates import ComponentDelegate, ScoreDelegate
from fma_app.ui.library_chooser import LibraryChooser, open_library_chooser
from fma_app.ui.library_save import save_as_library
from fma_app.ui.worksheet_model import WorksheetModel, WorksheetProxy

PASTE_RULES = (
    "Copy puts the selected cells on the clipboard as tab-separated text for Excel or "
    "LibreOffice (a text starting with =, +, - or @ gets a leading ' so it stays text). "
    "Paste lands at the current cell; computed columns are skipped; rows beyond the last one "
    "become new failure modes in the pasted Component (created if new) or the current "
    "component. One copied value pasted over a selection fills every selected cell. "
    "A paste with a bad score changes nothing and lists every bad cell. "
    "A paste, a cut, a clear (Delete) and a row delete (Ctrl+Delete) are each one undo step."
)
EMPTY_MODEL_HINT = (
    "No failure modes yet. Add a component (Ctrl+Shift+K), then failure modes "
    "(Ctrl+Shift+N or Insert), or paste rows from a spreadsheet (Ctrl+V)."
)
NO_MATCH_HINT = "No failure modes match the filters. Clear them with Ctrl+Shift+L."
PASTE_REFUSED_TITLE = "Paste refused"
PASTE_REFUSED_AS = "Nothing was pasted:\n"


# The first open shows what a review ranks by before the long texts: at 1366x768 with both docks
# open, the failure mode, S, L, D, RPN and AP of the top rows are in view without scrolling.
# Later opens restore the user's own order, widths and sort from the settings.
DEFAULT_ORDER: tuple[str, ...] = (
    "id", "component", "failure_mode", "severity", "likelihood", "detection", "rpn", "ap",
    "actions", "effect", "cause", "function", "prevention_controls", "detection_controls",
    "revised_severity", "revised_likelihood", "revised_detection", "revised_rpn", "revised_ap",
)  # fmt: skip
DEFAULT_WIDTHS: dict[str, int] = {"component": 96, "failure_mode": 170}
# On a wide screen the ranking block (Component to Actions) takes this share of the first
# open's worksheet, the Failure Mode column growing to fill it (see apply_default_layout).
RANKING_BLOCK = ("component", "severity", "likelihood", "detection", "rpn", "ap", "actions")
RANKING_SHARE = 0.6
DEFAULT_SORT = ("rpn", Qt.SortOrder.DescendingOrder)
RESILIENCE_KEYS = ("mitigations", "experiment")
HIDDEN_BY_DEFAULT = ("id", *RESILIENCE_KEYS)


def nonempty(command: Macro) -> Macro | None:
    """A paste or fill that changes nothing makes no undo step."""
    return command if command.commands else None


def clear_command(
    model: Model, ids: list[int], columns: list[int], text: str = "Clear Cells"
) -> Command | None:
    """Empty the selected cells: texts become empty, scores not rated yet, and a revised score
    clears all three revised scores (they are all or none). Components and computed cells stay.
    None when every cell was empty already."""
    commands: list[Command] = []
    for fm_id in ids:
        fm = model.failure_modes[fm_id]
        changes: dict[str, object] = {}
        for column in columns:
            kind, key = COLUMNS[column].kind, COLUMNS[column].key
            if kind == "text":
                changes[key] = ""
            elif kind == "score":
                changes[key] = None
            elif kind == "revised":
                changes["revised"] = None
        changes = {k: v for k, v in changes.items() if getattr(fm, k) != v}
        if changes:
            commands.append(set_fields(model, "failure_mode", fm.id, **changes))
    return Macro(commands, text) if commands else None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


class SortArrowHeader(QHeaderView):
    """A header whose sort arrow points the way the values go: down for descending (highest
    first, the RPN ranking), up for ascending. Qt's header asks the style for the opposite
    (`SortUp` for descending), so the ranking by RPN showed an up arrow."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None):
        super().__init__(orientation, parent)
        self.setSectionsClickable(True)  # as QTableView's own header

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:
        super().initStyleOptionForIndex(option, logical_index)
        if option.sortIndicator != _NO_SORT:
            descending = self.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
            option.sortIndicator = _SORT_DOWN if descending else _SORT_UP


_NO_SORT = QStyleOptionHeader.SortIndicator.None_
_SORT_UP = QStyleOptionHeader.SortIndicator.SortUp
_SORT_DOWN = QStyleOptionHeader.SortIndicator.SortDown


class WorksheetView(QTableView):
    """Enter commits and moves down (spreadsheet habit); Tab moves right (Qt's default)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalHeader(SortArrowHeader(Qt.Orientation.Horizontal, self))

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        move_down = hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
        if move_down:
            hint = QAbstractItemDelegate.EndEditHint.NoHint
        super().closeEditor(editor, hint)
        if move_down:
            self.move_down()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.state() != QAbstractItemView.State.EditingState:
            self.move_down()
            return
        super().keyPressEvent(event)

    def move_down(self) -> None:
        current = self.currentIndex()
        if current.isValid() and current.row() + 1 < self.model().rowCount():
            self.setCurrentIndex(current.siblingAtRow(current.row() + 1))


class WorksheetPanel(QWidget):
    """Filter bar above the worksheet table, with the worksheet's actions."""

    status_reported = Signal(str, int)  # text for the status bar, milliseconds to show it

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.document = context.document
        self.model = WorksheetModel(self.document, self)
        self.proxy = WorksheetProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit(self)
        self.ap_combo = QComboBox(self)
        self.component_label = QLabel(self)
        self.show_all_button = QPushButton("Show All Components", self)
        self.view = WorksheetView(self)
        self.empty_hint = QLabel(EMPTY_MODEL_HINT, self)
        self.counts_label = QLabel(self)  # the window shows it in its status bar
        self.cell_painter = CellPainter(self.view)  # paints the cells of every other column
        self.score_delegate = ScoreDelegate(self.view)
        self.component_delegate = ComponentDelegate(self._component_names, self.view)
        self._counts_pending = False
        self._build_bar()
        self._build_view()
        self._build_layout()
        self._build_actions()
        self._connect()
        self._schedule_counts()

    # ---- building --------------------------------------------------------------------------
    def _build_bar(self) -> None:
        self.filter_edit.setObjectName("worksheetFilter")
        self.filter_edit.setPlaceholderText("Filter rows: text in any column (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.ap_combo.setObjectName("apFilter")
        self.ap_combo.addItem("All AP", "")
        for ap in ActionPriority:
            self.ap_combo.addItem(f"AP {ap.value}", ap.value)
        self.show_all_button.hide()
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: palette(mid); padding: 6px;")

    def _build_view(self) -> None:
        view = self.view
        view.setObjectName("worksheetView")
        view.setModel(self.proxy)
        view.setItemDelegate(self.cell_painter)
        for painter in (self.cell_painter, self.score_delegate, self.component_delegate):
            painter.read_cells_from(self.model.painted_cell)  # the proxy maps rows 1:1
        # The headers get a selection model of their own: with the view's, they check every
        # row of each visible column after a big selection (select-all on 20,000 rows: 180,000
        # flags() calls, 5 s). Header highlighting is off anyway.
        self._header_selection = QItemSelectionModel(self.proxy, self)
        view.horizontalHeader().setSelectionModel(self._header_selection)
        view.verticalHeader().setSelectionModel(self._header_selection)
        for column, definition in enumerate(COLUMNS):
            if definition.kind in ("score", "revised"):
                view.setItemDelegateForColumn(column, self.score_delegate)
            elif definition.kind == "component":
                view.setItemDelegateForColumn(column, self.component_delegate)
            view.setColumnWidth(column, definition.width)
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)  # no sort at start: the model's own order
        view.horizontalHeader().setSectionsMovable(True)
        view.horizontalHeader().setHighlightSections(False)
        view.verticalHeader().setDefaultSectionSize(24)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 3)
        bar.addWidget(self.ap_combo)
        bar.addWidget(self.component_label, 2)
        bar.addWidget(self.show_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.view, 1)

    def _action(
        self,
        text: str,
        shortcuts: str | list[str] | QKeySequence.StandardKey,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcuts, list):
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        else:
            action.setShortcut(QKeySequence(shortcuts))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.cut_action = self._action("Cu&t", QKeySequence.StandardKey.Cut, self.cut)
        self.copy_action = self._action("&Copy", QKeySequence.StandardKey.Copy, self.copy)
        self.paste_action = self._action("&Paste", QKeySequence.StandardKey.Paste, self.paste)
        self.clear_cells_action = self._action(
            "C&lear Cells", ["Del", "Backspace"], self.clear_cells
        )
        self.delete_rows_action = self._action(
            "&Delete Failure Modes", "Ctrl+Del", self.delete_rows
        )
        for action in (self.clear_cells_action, self.delete_rows_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        self.add_fm_action = self._action(
            "Add &Failure Mode", ["Ctrl+Shift+N", "Ins"], self.add_failure_mode
        )
        self.add_from_library_action = self._action(
            "Add from &Library...", [], self.add_from_library
        )
        self.save_library_action = self._action(
            "Sa&ve Selected as Library...", [], self.save_selection_as_library
        )  # &v: L is taken by Add from Library and Clear Cells in the right-click menu
        self.save_library_action.setToolTip(
            "Save the selected failure modes as a team library file (JSON)"
        )
        self.find_action = self._action(
            "&Filter Rows", QKeySequence.StandardKey.Find, self.focus_filter
        )
        self.clear_filters_action = self._action(
            "&Clear Filters", "Ctrl+Shift+L", self.clear_filters
        )
        self.show_id_action = QAction("Show Failure Mode &IDs", self)
        self.show_id_action.setCheckable(True)
        self.show_id_action.setToolTip("The ID column: each failure mode's stable id")
        self.show_id_action.toggled.connect(self.show_id_column)
        self.show_resilience_action = QAction("Show &Resilience Columns", self)
        self.show_resilience_action.setCheckable(True)
        self.show_resilience_action.setToolTip("The Mitigations and Experiment columns")
        self.show_resilience_action.toggled.connect(self.show_resilience_columns)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        header = self.view.horizontalHeader()  # also on the header's right-click menu
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header.addAction(self.show_id_action)
        header.addAction(self.show_resilience_action)

    def _connect(self) -> None:
        selection = self.document.selection
        self.filter_edit.textChanged.connect(self.proxy.set_text_filter)
        self.ap_combo.currentIndexChanged.connect(
            lambda _i: self.proxy.set_ap_filter(self.ap_combo.currentData() or None)
        )
        selection.components_selected.connect(self._components_selected)
        self.show_all_button.clicked.connect(lambda: selection.select_components([]))
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        for model_signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                             self.proxy.modelReset, self.proxy.layoutChanged):  # fmt: skip
            model_signal.connect(self._schedule_counts)
        self.document.changed.connect(self._schedule_counts)  # components added or removed
        self.score_delegate.score_explained.connect(
            lambda text: self.status_reported.emit(text, 4000)
        )

    # ---- column layout ---------------------------------------------------------------------
    def apply_default_layout(self, width: int = 0) -> None:
        """The first open's columns: ranking columns first, the ID hidden, ranked by RPN. Given
        the worksheet's `width`, the Failure Mode column takes what the ranking columns leave
        of `RANKING_SHARE` of it: at 1920x1080 its default 170 pixels cut most failure modes
        short while the texts beyond the ranking columns got the room."""
        header = self.view.horizontalHeader()
        for visual, key in enumerate(DEFAULT_ORDER):
            header.moveSection(header.visualIndex(COLUMN_INDEX[key]), visual)
        for key, column_width in DEFAULT_WIDTHS.items():
            self.view.setColumnWidth(COLUMN_INDEX[key], column_width)
        others = sum(self.view.columnWidth(COLUMN_INDEX[key]) for key in RANKING_BLOCK)
        failure_mode = int(width * RANKING_SHARE) - others
        if failure_mode > DEFAULT_WIDTHS["failure_mode"]:
            self.view.setColumnWidth(COLUMN_INDEX["failure_mode"], failure_mode)
        for key in HIDDEN_BY_DEFAULT:
            header.setSectionHidden(COLUMN_INDEX[key], True)
        key, order = DEFAULT_SORT
        self.view.sortByColumn(COLUMN_INDEX[key], order)
        self.sync_column_actions()

    def restore_layout(self, state: object) -> bool:
        """Columns, widths and sort as the user left them; False when the state is not usable
        (then the default layout applies)."""
        header = self.view.horizontalHeader()
        if not isinstance(state, QByteArray | bytes) or not header.restoreState(state):
            self.apply_default_layout()
            return False
        if header.count() != len(COLUMNS):
            self.apply_default_layout()
            return False
        section = header.sortIndicatorSection()
        if 0 <= section < len(COLUMNS):
            self.view.sortByColumn(section, header.sortIndicatorOrder())
        else:  # no sort saved: the model's own order
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.proxy.sort(-1)
        self.sync_column_actions()
        return True

    def sync_column_actions(self) -> None:
        blocked = self.show_id_action.blockSignals(True)
        self.show_id_action.setChecked(not self.view.isColumnHidden(COLUMN_INDEX["id"]))
        self.show_id_action.blockSignals(blocked)
        blocked = self.show_resilience_action.blockSignals(True)
        self.show_resilience_action.setChecked(
            not all(self.view.isColumnHidden(COLUMN_INDEX[key]) for key in RESILIENCE_KEYS)
        )
        self.show_resilience_action.blockSignals(blocked)

    def show_resilience_columns(self, shown: bool) -> None:
        for key in RESILIENCE_KEYS:
            column = COLUMN_INDEX[key]
            self.view.setColumnHidden(column, not shown)
            if shown and self.view.columnWidth(column) < COLUMNS[column].width:
                self.view.setColumnWidth(column, COLUMNS[column].width)
        self.sync_column_actions()

    def show_id_column(self, shown: bool) -> None:
        column = COLUMN_INDEX["id"]
        self.view.setColumnHidden(column, not shown)
        if shown and self.view.columnWidth(column) < COLUMNS[column].width:
            self.view.setColumnWidth(column, COLUMNS[column].width)
        self.sync_column_actions()

    def visible_columns(self, columns: list[int]) -> list[int]:
        """`columns` without the hidden ones: copy and paste see the columns the user sees."""
        return [c for c in columns if not self.view.isColumnHidden(c)]

    def _component_names(self) -> list[str]:
        return sorted((c.name for c in self.document.model.components.values()), key=str.casefold)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.filter_edit.hasFocus():
            self.filter_edit.clear()
            self.view.setFocus()
            return
        super().keyPressEvent(event)

    # ---- counts and filters ----------------------------------------------------------------
    def _schedule_counts(self, *_args: object) -> None:
        if not self._counts_pending:
            self._counts_pending = True
            QTimer.singleShot(0, self, self._update_counts)

    def _update_counts(self) -> None:
        self._counts_pending = False
        total = self.model.total_count()
        shown = self.proxy.rowCount()
        text = plural(total, "failure mode")
        if shown != total:
            text += f" ({shown} shown)"
        components = len(self.document.model.components)
        self.counts_label.setText(f"{text} · {plural(components, 'component')}")
        self.counts_label.setMinimumWidth(self.counts_label.sizeHint().width())
        self.empty_hint.setText(EMPTY_MODEL_HINT if total == 0 else NO_MATCH_HINT)
        self.empty_hint.setVisible(shown == 0)

    def _components_selected(self, ids: list[int]) -> None:
        self.proxy.set_component_filter(ids)
        components = self.document.model.components
        names = [components[i].name for i in ids if i in components]
        if names:
            shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
            self.component_label.setText(f"Component: {shown}")
        else:
            self.component_label.setText("")
        self.show_all_button.setVisible(bool(names))
        self._schedule_counts()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        fm_id = self.proxy.failure_mode_id(current.row()) if current.isValid() else 0
        self.document.selection.select_failure_mode(fm_id)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def clear_filters(self) -> None:
        self.filter_edit.clear()
        self.ap_combo.setCurrentIndex(0)
        self.document.selection.select_components([])

    def reveal_failure_mode(self, fm_id: int) -> bool:
        """Make the failure mode's row current and scroll to it, clearing the filters when they
        hide it (the Review panel's findings lead here). False for an unknown id."""
        row = self.proxy.row_of(fm_id)
        if row is None and fm_id in self.document.model.failure_modes:
            self.clear_filters()
            row = self.proxy.row_of(fm_id)
        if row is None:
            return False
        current = self.view.currentIndex()
        column = (
            current.column() if current.isValid() else self.view.horizontalHeader().logicalIndex(0)
        )
        index = self.proxy.index(row, column)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    # ---- rows ------------------------------------------------------------------------------
    def current_component_id(self) -> int | None:
        """The component new rows go to: the current row's, else the first selected one."""
        model = self.document.model
        current = self.view.currentIndex()
        if current.isValid():
            fm = model.failure_modes.get(self.proxy.failure_mode_id(current.row()))
            if fm is not None:
                return fm.component_id
        for component_id in self.document.selection.component_ids:
            if component_id in model.components:
                return component_id
        if len(model.components) == 1:
            return next(iter(model.components))
        return None

    def add_failure_mode(self) -> int | None:
        """A new row under the current component, opened for typing; shown at the end
        whatever the filters."""
        fm_id = self.document.add(self._new_failure_mode, refused_as="")
        if fm_id is None:
            return None
        row = self.proxy.row_of(fm_id)
        if row is not None:
            index = self.proxy.index(row, 1)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
            if self.view.isVisible():
                self.view.setFocus()
                self.view.edit(index)
        return fm_id

    def add_from_library(self) -> LibraryChooser | None:
        """The library chooser for the current component (as Add Failure Mode picks it)."""
        component_id = self.current_component_id()
        if component_id is None:
            self.status_reported.emit("Select a component first, then Add from Library", 6000)
            return None
        return open_library_chooser(self.context, component_id, self)

    def selected_failure_mode_ids(self) -> list[int]:
        """The failure modes of the selected rows in the order shown (the current row's when
        nothing is selected, as Delete Failure Modes takes it)."""
        rows = self.selected_rows()
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return [self.proxy.failure_mode_id(row) for row in rows]

    def save_selection_as_library(self) -> Path | None:
        """Save Selected as Library...: the selected failure modes as a team library file."""
        return save_as_library(
            self.document, self.context.interaction, self.selected_failure_mode_ids()
        )

    def context_menu(self) -> QMenu:
        """The right-click menu of the worksheet's rows."""
        menu = QMenu(self.view)
        menu.setObjectName("worksheetMenu")
        for action in (self.add_fm_action, self.add_from_library_action, None,
                       self.cut_action, self.copy_action, self.paste_action,
                       self.clear_cells_action, self.delete_rows_action, None,
                       self.save_library_action):  # fmt: skip
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(position))

    def _new_failure_mode(self, model: Model) -> AddEntities:
        component_id = self.current_component_id()
        if component_id is None:
            raise ModelError(
                "Select a component first (or add one: Edit > Add Component)"
                if model.components
                else "Add a component first: Edit > Add Component"
            )
        return add_failure_mode(model, component_id)

    def _selection_spans(self) -> tuple[set[int], set[int]]:
        """Rows and columns touched by the selection, from its ranges: a select-all of 20,000
        rows is one range, while selectedIndexes() would build 360,000 indexes."""
        rows: set[int] = set()
        columns: set[int] = set()
        selection = self.view.selectionModel().selection()
        for span in (selection.at(i) for i in range(selection.size())):
            rows.update(range(span.top(), span.bottom() + 1))
            columns.update(range(span.left(), span.right() + 1))
        return rows, columns

    def selected_rows(self) -> list[int]:
        return sorted(self._selection_spans()[0])

    def clear_cells(self) -> bool:
        """Empty the selected cells as one undo step (see `clear_command`)."""
        rows, columns = self._selected_block()
        if not rows:
            return False
        ids = [self.proxy.failure_mode_id(row) for row in rows]
        return self.document.edit(lambda model: clear_command(model, ids, columns)) is None

    def delete_rows(self) -> bool:
        rows = self.selected_rows()
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if not rows:
            return False
        ids = [self.proxy.failure_mode_id(r) for r in rows]
        column = max(self.view.currentIndex().column(), 0)
        if self.document.edit(lambda model: remove(model, "failure_mode", ids)) is not None:
            return False
        if self.proxy.rowCount():
            self.view.setCurrentIndex(
                self.proxy.index(min(rows[0], self.proxy.rowCount() - 1), column)
            )
        self.status_reported.emit(f"Deleted {plural(len(ids), 'failure mode')}", 8000)
        return True

    # ---- clipboard -------------------------------------------------------------------------
    def _selected_block(self) -> tuple[list[int], list[int]]:
        """Rows and logical columns covering the selection, in the order the view shows them."""
        row_set, column_set = self._selection_spans()
        current = self.view.currentIndex()
        if not row_set and current.isValid():
            row_set, column_set = {current.row()}, {current.column()}
        header = self.view.horizontalHeader()
        return sorted(row_set), sorted(
            self.visible_columns(list(column_set)), key=header.visualIndex
        )

    def copy(self) -> str:
        """Copy the selected cells as TSV (formula-looking texts prefixed with ')."""
        rows, columns = self._selected_block()
        if not rows:
            return ""
        selection = self.view.selectionModel()
        whole_block = selection.selection().size() <= 1  # one rectangle: every cell is selected
        block = []
        for row in rows:
            values = self.model.row_cells(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            if whole_block:
                block.append([values[column] for column in columns])
                continue
            block.append(
                [
                    values[column] if selection.isSelected(self.proxy.index(row, column)) else ""
                    for column in columns
                ]
            )
        text = clipboard.to_tsv(block)
        QApplication.clipboard().setText(text)
        self.status_reported.emit(f"Copied {plural(len(rows), 'row')}", 8000)
        return text

    def cut(self) -> bool:
        """Copy, then empty the selected cells as `clear_cells` does (one undo step)."""
        if not self.copy():
            return False
        rows, columns = self._selected_block()
        ids = [self.proxy.failure_mode_id(row) for row in rows]
        return self.document.edit(lambda model: clear_command(model, ids, columns, "Cut")) is None

    def paste(self, text: str | None = None) -> bool:
        """Paste TSV at the current cell as one undo step, or refuse it whole (see clipboard)."""
        text = QApplication.clipboard().text() if text is None else text
        block = clipboard.parse_tsv(text)
        if not block:
            self.status_reported.emit("Nothing to paste: the clipboard holds no text", 8000)
            return False
        selected = self.view.selectionModel().selectedIndexes()
        if len(block) == 1 and len(block[0]) == 1 and len(selected) > 1:
            return self._fill(block[0][0], selected)
        current = self.view.currentIndex()
        start_row = current.row() if current.isValid() else self.proxy.rowCount()
        column = current.column() if current.isValid() else 0
        last = min(self.proxy.rowCount(), start_row + len(block))
        header = self.view.horizontalHeader()
        target = clipboard.PasteTarget(
            row_ids=[self.proxy.failure_mode_id(r) for r in range(start_row, last)],
            columns=tuple(
                self.visible_columns(
                    [
                        header.logicalIndex(v)
                        for v in range(header.visualIndex(column), len(COLUMNS))
                    ]
                )
            ),
            default_component_id=self.current_component_id(),
        )
        refusal = self.document.edit(
            lambda model: nonempty(clipboard.build_paste(model, block, target)),
            refused_as=PASTE_REFUSED_AS, title=PASTE_REFUSED_TITLE,
        )  # fmt: skip
        if refusal is not None:
            return False
        width = max(len(r) for r in block)
        self._select_pasted(start_row, list(target.columns[:width]), len(block))
        return True

    def _fill(self, value: str, indexes: list[QModelIndex]) -> bool:
        shown = set(self.visible_columns(list(range(len(COLUMNS)))))
        cells = [
            (self.proxy.failure_mode_id(i.row()), i.column())
            for i in indexes
            if i.column() in shown
        ]
        refusal = self.document.edit(
            lambda model: nonempty(clipboard.build_fill(model, value, cells)),
            refused_as=PASTE_REFUSED_AS, title=PASTE_REFUSED_TITLE,
        )  # fmt: skip
        return refusal is None

    def _select_pasted(self, row: int, columns: list[int], rows: int) -> None:
        last_row = min(row + rows, self.proxy.rowCount()) - 1
        if last_row < row:
            return
        self.view.setCurrentIndex(self.proxy.index(row, columns[0]))
        selection = QItemSelection()
        for column in columns:
            selection.select(self.proxy.index(row, column), self.proxy.index(last_row, column))
        self.view.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
