"""The main window: components on the left, worksheet (and later graph, charts) in the middle,
the selected failure mode's details on the right.

Keyboard (also listed under Help > Keyboard Shortcuts): typing or F2 edits a cell; Enter commits
and moves down, Tab commits and moves right; Ctrl+Shift+N or Insert adds a failure mode under the
current component; Delete removes the selected rows as one undo step.
"""

from __future__ import annotations

import html
import platform
import sys
from collections.abc import Callable

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    qVersion,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fma_app import __version__
from fma_app.domain.commands import (
    Command,
    Macro,
    add_failure_mode,
    remove,
    set_fields,
)
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model
from fma_app.domain.scoring import ActionPriority
from fma_app.ui import clipboard
from fma_app.ui.components_model import ComponentsPanel
from fma_app.ui.context import APP_NAME, AppContext
from fma_app.ui.delegates import ComponentDelegate, ScoreDelegate
from fma_app.ui.detail_panel import DetailPanel
from fma_app.ui.document import Document
from fma_app.ui.files import FileController
from fma_app.ui.interaction import Level
from fma_app.ui.lazy_tab import LazyTab
from fma_app.ui.worksheet_model import COLUMNS, WorksheetModel, WorksheetProxy

SETTINGS_PREFIX = "window/"

# Keys that are not menu actions, for Help > Keyboard Shortcuts.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Typing, F2", "Edit the current cell (typing replaces it)"),
    ("Enter", "Commit the edit and move down"),
    ("Tab / Shift+Tab", "Commit the edit and move right / left"),
    ("Esc", "Cancel the edit; in the filter box, clear the filter"),
    ("Del (in the actions table)", "Delete the selected actions"),
)
READ_ONLY_SUFFIX = " (read-only)"
COMPONENT_LIST_NOTE = " (in the components list)"
PASTE_RULES = (
    "Copy puts the selected cells on the clipboard as tab-separated text for Excel or "
    "LibreOffice (a text starting with =, +, - or @ gets a leading ' so it stays text). "
    "Paste lands at the current cell; computed columns are skipped; rows beyond the last one "
    "become new failure modes in the pasted Component (created if new) or the current "
    "component. One copied value pasted over a selection fills every selected cell. "
    "A paste with a bad score changes nothing and lists every bad cell. "
    "A paste, a cut and a multi-row delete are each one undo step."
)
EMPTY_MODEL_HINT = (
    "No failure modes yet. Add a component (Ctrl+Shift+K), then failure modes "
    "(Ctrl+Shift+N or Insert), or paste rows from a spreadsheet (Ctrl+V)."
)
NO_MATCH_HINT = "No failure modes match the filters. Clear them with Ctrl+Shift+L."


PASTE_REFUSED_TITLE = "Paste refused"
PASTE_REFUSED_AS = "Nothing was pasted:\n"


def nonempty(command: Macro) -> Macro | None:
    """A paste or fill that changes nothing makes no undo step."""
    return command if command.commands else None


def cut_command(model: Model, ids: list[int], columns: list[int]) -> Command | None:
    """Empty the text and revised-score cells of a cut; scores and components cannot be empty
    and stay. None when every cell was empty already."""
    commands: list[Command] = []
    for fm_id in ids:
        fm = model.failure_modes[fm_id]
        changes: dict[str, object] = {}
        for column in columns:
            if COLUMNS[column].kind == "text":
                changes[COLUMNS[column].key] = ""
            elif COLUMNS[column].kind == "revised":
                changes["revised"] = None
        changes = {k: v for k, v in changes.items() if getattr(fm, k) != v}
        if changes:
            commands.append(set_fields(model, "failure_mode", fm.id, **changes))
    return Macro(commands, "Cut") if commands else None


def window_title(document: Document) -> str:
    """The title for the open document; `[*]` is where Qt shows the unsaved-changes mark."""
    name = document.path.name if document.path else "Untitled"
    return f"{name}[*]{READ_ONLY_SUFFIX if document.read_only else ''}"


class UndoStepAction(QAction):
    """Edit > Undo or Redo: goes through the document's gate, which may refuse the step, and
    names the step like QUndoStack's own actions ("&Undo Change Severity")."""

    def __init__(self, prefix: str, document: Document, direction: str, parent: QObject):
        super().__init__(prefix, parent)
        self.prefix = prefix
        stack = document.undo_stack
        if direction == "undo":
            self.triggered.connect(document.undo)
            stack.canUndoChanged.connect(self.setEnabled)
            stack.undoTextChanged.connect(self.show_step)
            self.setEnabled(stack.canUndo())
            self.show_step(stack.undoText())
        else:
            self.triggered.connect(document.redo)
            stack.canRedoChanged.connect(self.setEnabled)
            stack.redoTextChanged.connect(self.show_step)
            self.setEnabled(stack.canRedo())
            self.show_step(stack.redoText())

    def show_step(self, step: str) -> None:
        self.setText(f"{self.prefix} {step}" if step else self.prefix)


class WorksheetView(QTableView):
    """Enter commits and moves down (spreadsheet habit); Tab moves right (Qt's default)."""

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


class WorksheetTab(QWidget):
    """Filter bar above the worksheet table."""

    def __init__(self, proxy: WorksheetProxy, parent: QWidget | None = None):
        super().__init__(parent)
        self.proxy = proxy
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("worksheetFilter")
        self.filter_edit.setPlaceholderText("Filter rows: text in any column (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(proxy.set_text_filter)
        self.ap_combo = QComboBox(self)
        self.ap_combo.setObjectName("apFilter")
        self.ap_combo.addItem("All AP", "")
        for ap in ActionPriority:
            self.ap_combo.addItem(f"AP {ap.value}", ap.value)
        self.ap_combo.currentIndexChanged.connect(
            lambda _i: proxy.set_ap_filter(self.ap_combo.currentData() or None)
        )
        self.component_label = QLabel(self)
        self.show_all_button = QPushButton("Show All Components", self)
        self.show_all_button.hide()
        self.view = WorksheetView(self)
        self.view.setObjectName("worksheetView")
        self.empty_hint = QLabel(EMPTY_MODEL_HINT, self)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: palette(mid); padding: 6px;")
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

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.filter_edit.hasFocus():
            self.filter_edit.clear()
            self.view.setFocus()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.document = context.document
        self.settings = context.settings
        self.interaction = context.interaction
        self.setObjectName("mainWindow")
        self.worksheet_model = WorksheetModel(self.document, self)
        self.proxy = WorksheetProxy(self)
        self.proxy.setSourceModel(self.worksheet_model)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centralTabs")
        self.worksheet = WorksheetTab(self.proxy, self)
        self.view = self.worksheet.view
        self.score_delegate = ScoreDelegate(self.view)
        self.components = ComponentsPanel(context, self)
        self.detail = DetailPanel(context, self)
        self.counts_label = QLabel(self)
        self._build_central()
        self._build_docks()
        self._build_menus()
        self.files = FileController(self, context)
        self.files.install(self.file_menu)
        self._build_analysis_tabs()
        self._connect()
        self._update_title()
        self._schedule_counts()
        self.restore_settings()

    # ---- building --------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.add_tab(self.worksheet, "Worksheet")
        self.setCentralWidget(self.tabs)
        view = self.view
        view.setModel(self.proxy)
        # The headers get a selection model of their own: with the view's, they check every
        # row of each visible column after a big selection (select-all on 20,000 rows: 180,000
        # flags() calls, 5 s). Header highlighting is off anyway.
        self._header_selection = QItemSelectionModel(self.proxy, self)
        view.horizontalHeader().setSelectionModel(self._header_selection)
        view.verticalHeader().setSelectionModel(self._header_selection)
        self.component_delegate = ComponentDelegate(self._component_names, view)
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
        self.statusBar().addPermanentWidget(self.counts_label)

    def _component_names(self) -> list[str]:
        return sorted((c.name for c in self.document.model.components.values()), key=str.casefold)

    def _build_docks(self) -> None:
        self.components_dock = self._dock("componentsDock", "Components", self.components)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.components_dock)
        self.detail_dock = self._dock("detailDock", "Failure Mode Details", self.detail)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        self.resizeDocks(
            [self.components_dock, self.detail_dock], [210, 300], Qt.Orientation.Horizontal
        )

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _action(
        self,
        text: str,
        shortcuts: str | list | QKeySequence.StandardKey,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcuts, list):
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        elif shortcuts:
            action.setShortcut(QKeySequence(shortcuts))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _undo_action(
        self, prefix: str, shortcuts: QKeySequence.StandardKey | list, direction: str
    ) -> QAction:
        """Undo or Redo through the document's gate (which may refuse the step), named after
        the step like QUndoStack's own actions ("Undo Change Severity")."""
        action = UndoStepAction(prefix, self.document, direction, self)
        if isinstance(shortcuts, list):
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        else:
            action.setShortcut(QKeySequence(shortcuts))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.edit_menu = bar.addMenu("&Edit")
        self.view_menu = bar.addMenu("&View")
        self.help_menu = bar.addMenu("&Help")
        self.undo_action = self._undo_action("&Undo", QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._undo_action(
            "&Redo", [QKeySequence.StandardKey.Redo, "Ctrl+Y"], "redo"
        )
        self.cut_action = self._action("Cu&t", QKeySequence.StandardKey.Cut, self.cut)
        self.copy_action = self._action("&Copy", QKeySequence.StandardKey.Copy, self.copy)
        self.paste_action = self._action("&Paste", QKeySequence.StandardKey.Paste, self.paste)
        self.delete_rows_action = self._action("&Delete Failure Modes", "Del", self.delete_rows)
        self.delete_rows_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.delete_rows_action)
        self.add_fm_action = self._action(
            "Add &Failure Mode", ["Ctrl+Shift+N", "Ins"], self.add_failure_mode
        )
        self.add_action_action = self._action(
            "Add &Action", "Ctrl+Shift+A", lambda: self.detail.add_action()
        )
        self.find_action = self._action(
            "&Filter Rows", QKeySequence.StandardKey.Find, self.focus_filter
        )
        edit = self.edit_menu
        for item in (self.undo_action, self.redo_action, None, self.cut_action, self.copy_action,
                     self.paste_action, self.delete_rows_action, None, self.add_fm_action,
                     self.add_action_action, None, self.components.add_action,
                     self.components.rename_action, self.components.delete_action, None,
                     self.find_action):  # fmt: skip
            edit.addSeparator() if item is None else edit.addAction(item)
        self.view_menu.addAction(self.components_dock.toggleViewAction())
        self.view_menu.addAction(self.detail_dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.clear_filters_action = self._action(
            "&Clear Filters", "Ctrl+Shift+L", self.clear_filters
        )
        self.view_menu.addAction(self.clear_filters_action)
        self.shortcuts_action = self._action("&Keyboard Shortcuts", "F1", self.show_shortcuts)
        self.about_action = self._action(f"&About {APP_NAME}", "", self.show_about)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        doc = self.document
        doc.path_changed.connect(self._update_title)
        doc.read_only_changed.connect(self._update_title)
        doc.reset.connect(self._update_title)
        doc.undo_stack.cleanChanged.connect(self._clean_changed)
        doc.selection.components_selected.connect(self._components_selected)
        self.worksheet.show_all_button.clicked.connect(lambda: doc.selection.select_components([]))
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        for model_signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                             self.proxy.modelReset, self.proxy.layoutChanged):  # fmt: skip
            model_signal.connect(self._schedule_counts)
        self.components.model.rowsInserted.connect(self._schedule_counts)
        self.components.model.rowsRemoved.connect(self._schedule_counts)
        doc.refused.connect(self._show_refusal)
        self.score_delegate.hint.connect(lambda text: self.statusBar().showMessage(text, 4000))

    def _build_analysis_tabs(self) -> None:
        """The dependency graph and the charts join the worksheet as central tabs."""
        self.graph_tab = LazyTab(self._make_graph_panel, self)
        self.add_tab(self.graph_tab, "Graph")
        self.charts_tab = LazyTab(self._make_chart_panel, self)
        self.add_tab(self.charts_tab, "Charts")
        for index, title in enumerate(("Worksheet", "Graph", "Charts")):
            action = self._action(
                f"Show {title}", f"Ctrl+{index + 1}", lambda i=index: self.tabs.setCurrentIndex(i)
            )
            self.view_menu.addAction(action)
        self.export_report_action = self._action("&Export Report...", "Ctrl+E", self.export_report)
        quit_action = self.files.actions["quit"]
        self.file_menu.insertAction(quit_action, self.export_report_action)
        self.file_menu.insertSeparator(quit_action)

    # networkx, matplotlib and openpyxl load on first use: the worksheet paints first.
    def _make_graph_panel(self) -> QWidget:
        from fma_app.ui.graph_view import GraphPanel

        return GraphPanel(self.context, self)

    def _make_chart_panel(self) -> QWidget:
        from fma_app.ui.chart_panel import ChartPanel

        return ChartPanel(self.context, self)

    @property
    def graph(self) -> QWidget:
        """The graph panel, built now if its tab was never shown."""
        return self.graph_tab.content()

    @property
    def charts(self) -> QWidget:
        return self.charts_tab.content()

    def export_report(self) -> bool:
        from fma_app.ui.export_report import export_report_interactive

        return export_report_interactive(self, self.document, self.interaction)

    # ---- public helpers --------------------------------------------------------------------
    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a central tab (the graph and charts join here)."""
        return self.tabs.addTab(widget, title)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_refusal(self, text: str, title: str) -> None:
        """Every refused edit, once: in the status bar, and in a message box when it has a
        title (a refused paste lists its bad cells)."""
        self.show_message(text.replace("\n", " "))
        if title:
            self.interaction.show_message(title, text, Level.WARNING)

    # ---- state shown in the chrome ---------------------------------------------------------
    def _update_title(self, *_args: object) -> None:
        """The one place the title is written, from the document's signals."""
        self.setWindowTitle(window_title(self.document))
        self.setWindowModified(not self.document.undo_stack.isClean())

    def _clean_changed(self, clean: bool) -> None:
        # Uses the signal's value: the stack may be mid-destruction when it last emits.
        self.setWindowModified(not clean)

    def _schedule_counts(self, *_args: object) -> None:
        if not getattr(self, "_counts_pending", False):
            self._counts_pending = True
            QTimer.singleShot(0, self._update_counts)

    def _update_counts(self) -> None:
        self._counts_pending = False
        total = self.worksheet_model.total_count()
        shown = self.proxy.rowCount()
        components = self.components.model.rowCount()
        text = f"{total} failure mode{'s' if total != 1 else ''}"
        if shown != total:
            text += f" ({shown} shown)"
        self.counts_label.setText(
            f"{text} · {components} component{'s' if components != 1 else ''}"
        )
        self.counts_label.setMinimumWidth(self.counts_label.sizeHint().width())
        hint = self.worksheet.empty_hint
        hint.setText(EMPTY_MODEL_HINT if total == 0 else NO_MATCH_HINT)
        hint.setVisible(shown == 0)

    def _components_selected(self, ids: list[int]) -> None:
        self.proxy.set_component_filter(ids)
        names = [
            self.document.model.components[i].name
            for i in ids
            if i in self.document.model.components
        ]
        if names:
            shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
            self.worksheet.component_label.setText(f"Component: {shown}")
        else:
            self.worksheet.component_label.setText("")
        self.worksheet.show_all_button.setVisible(bool(names))
        self._schedule_counts()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        fm_id = self.proxy.failure_mode_id(current.row()) if current.isValid() else 0
        self.document.selection.select_failure_mode(fm_id)

    # ---- worksheet commands ----------------------------------------------------------------
    def focus_filter(self) -> None:
        self.worksheet.filter_edit.setFocus()
        self.worksheet.filter_edit.selectAll()

    def clear_filters(self) -> None:
        self.worksheet.filter_edit.clear()
        self.worksheet.ap_combo.setCurrentIndex(0)
        self.document.selection.select_components([])

    def current_component_id(self) -> int | None:
        """The component new rows go to: the current row's, else the first selected one."""
        current = self.view.currentIndex()
        if current.isValid():
            fm = self.document.model.failure_modes.get(self.proxy.failure_mode_id(current.row()))
            if fm is not None:
                return fm.component_id
        for component_id in self.document.selection.component_ids:
            if component_id in self.document.model.components:
                return component_id
        if len(self.document.model.components) == 1:
            return next(iter(self.document.model.components))
        return None

    def add_failure_mode(self) -> int | None:
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

    def _new_failure_mode(self, model: Model) -> Command:
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
        for span in self.view.selectionModel().selection():
            rows.update(range(span.top(), span.bottom() + 1))
            columns.update(range(span.left(), span.right() + 1))
        return rows, columns

    def selected_rows(self) -> list[int]:
        return sorted(self._selection_spans()[0])

    def delete_rows(self) -> bool:
        rows = self.selected_rows()
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if not rows:
            return False
        ids = [self.proxy.failure_mode_id(r) for r in rows]
        first = rows[0]
        column = max(self.view.currentIndex().column(), 0)
        if self.document.edit(lambda model: remove(model, "failure_mode", ids)) is not None:
            return False
        if self.proxy.rowCount():
            self.view.setCurrentIndex(
                self.proxy.index(min(first, self.proxy.rowCount() - 1), column)
            )
        self.show_message(f"Deleted {len(ids)} failure mode{'s' if len(ids) != 1 else ''}")
        return True

    def _selected_block(self) -> tuple[list[int], list[int]]:
        """Rows and logical columns covering the selection, in the order the view shows them."""
        row_set, column_set = self._selection_spans()
        current = self.view.currentIndex()
        if not row_set and current.isValid():
            row_set, column_set = {current.row()}, {current.column()}
        header = self.view.horizontalHeader()
        return sorted(row_set), sorted(column_set, key=header.visualIndex)

    def copy(self) -> str:
        """Copy the selected cells as TSV (formula-looking texts prefixed with ')."""
        rows, columns = self._selected_block()
        if not rows:
            return ""
        selection = self.view.selectionModel()
        ranges = selection.selection()
        whole_block = len(ranges) <= 1  # one rectangle: every cell in it is selected
        source = self.worksheet_model
        block = []
        for row in rows:
            values = source.row_cells(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
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
        self.show_message(f"Copied {len(rows)} row{'s' if len(rows) != 1 else ''}")
        return text

    def cut(self) -> bool:
        """Copy, then empty the selected text and revised-score cells (one undo step); scores
        and components cannot be empty and stay."""
        if not self.copy():
            return False
        rows, columns = self._selected_block()
        ids = [self.proxy.failure_mode_id(row) for row in rows]
        return self.document.edit(lambda model: cut_command(model, ids, columns)) is None

    def paste(self, text: str | None = None) -> bool:
        """Paste TSV at the current cell as one undo step, or refuse it whole (see clipboard)."""
        text = QApplication.clipboard().text() if text is None else text
        block = clipboard.parse_tsv(text)
        if not block:
            self.show_message("Nothing to paste: the clipboard holds no text")
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
                header.logicalIndex(v) for v in range(header.visualIndex(column), len(COLUMNS))
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
        cells = [(self.proxy.failure_mode_id(i.row()), i.column()) for i in indexes]
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

    # ---- help ------------------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for menu in (self.file_menu, self.edit_menu, self.view_menu, self.help_menu):
            for action in menu.actions():
                keys = [
                    s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
                ]
                if not keys or not action.text():
                    continue
                text = action.text().replace("&", "")
                if action in (self.undo_action, self.redo_action):
                    text = text.split(" ")[0]  # "Undo", not what it would undo right now
                if action.parent() is self.components and action is not self.components.add_action:
                    text += COMPONENT_LIST_NOTE
                if action is self.delete_rows_action:
                    text += " (in the worksheet)"
                rows.append((" or ".join(keys), text))
        return rows + list(OTHER_KEYS)

    def shortcuts_html(self) -> str:
        cells = "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(t)}</td></tr>"
            for k, t in self.shortcut_rows()
        )
        return (
            f"<h3>Keyboard shortcuts</h3><table>{cells}</table>"
            f"<h3>Copy and paste</h3><p>{html.escape(PASTE_RULES)}</p>"
        )

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard Shortcuts")
        browser = QTextBrowser(dialog)
        browser.setHtml(self.shortcuts_html())
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        dialog.resize(520, 560)
        dialog.show()
        return dialog

    def about_text(self) -> str:
        return (
            f"<h3>{APP_NAME} {html.escape(__version__)}</h3>"
            "<p>Failure mode analysis of systems modelled as dependency graphs.</p>"
            f"<p>Qt {qVersion()}, PySide6 {pyside_version}<br>"
            f"Python {platform.python_version()} ({html.escape(sys.platform)})</p>"
        )

    def show_about(self) -> None:
        self.interaction.show_about(f"About {APP_NAME}", self.about_text())

    # ---- settings and closing --------------------------------------------------------------
    def save_settings(self) -> None:
        s = self.settings
        s.setValue(SETTINGS_PREFIX + "geometry", self.saveGeometry())
        s.setValue(SETTINGS_PREFIX + "state", self.saveState())
        s.setValue(SETTINGS_PREFIX + "worksheetHeader", self.view.horizontalHeader().saveState())
        s.setValue(
            SETTINGS_PREFIX + "componentsHeader",
            self.components.view.horizontalHeader().saveState(),
        )
        s.setValue(SETTINGS_PREFIX + "detailSplitter", self.detail.splitter.saveState())
        s.sync()

    def restore_settings(self) -> None:
        s = self.settings
        geometry = s.value(SETTINGS_PREFIX + "geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 820)
        state = s.value(SETTINGS_PREFIX + "state")
        if state is not None:
            self.restoreState(state)
        header = s.value(SETTINGS_PREFIX + "worksheetHeader")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)
            self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        components_header = s.value(SETTINGS_PREFIX + "componentsHeader")
        if components_header is not None:
            self.components.view.horizontalHeader().restoreState(components_header)
        splitter = s.value(SETTINGS_PREFIX + "detailSplitter")
        if splitter is not None:
            self.detail.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.files.shutdown()
        self.save_settings()
        event.accept()
