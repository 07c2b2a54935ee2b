"""The main window: it assembles the panels, the menus and the title, nothing more.

Components on the left, the worksheet (with the graph and the charts as tabs) in the middle, the
selected failure mode's details on the right. Each panel owns its actions; the window puts them
in its menus, writes the title from the document's signals and shows every refused edit once;
`WindowLayout` keeps its layout in the settings.
"""

from __future__ import annotations

import html
import platform
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QMainWindow, QMenu, QTabWidget, QWidget

from fma_app import __version__
from fma_app.analysis.review import Finding
from fma_app.domain.commands import Change
from fma_app.domain.model import DEFAULT_MODEL_NAME
from fma_app.ui import shortcuts
from fma_app.ui.compare_dialog import CompareController
from fma_app.ui.component_details import ComponentDetails
from fma_app.ui.components_panel import ComponentsPanel
from fma_app.ui.context import APP_NAME, AppContext
from fma_app.ui.detail_panel import DetailPanel
from fma_app.ui.document import Document
from fma_app.ui.files import FileController
from fma_app.ui.interaction import Level
from fma_app.ui.lazy_tab import LazyTab
from fma_app.ui.resilience_section import ResilienceSection
from fma_app.ui.review_panel import ReviewPanel
from fma_app.ui.shared_banner import SharedBanner
from fma_app.ui.shared_model import SharedModelController
from fma_app.ui.undo_actions import UndoStepAction
from fma_app.ui.window_layout import WindowLayout
from fma_app.ui.worksheet_panel import WorksheetPanel

if TYPE_CHECKING:
    from fma_app.ui.trace_import_dialog import TraceImportController

READ_ONLY_SUFFIX = " (read-only)"
SHARED_SUFFIX = " (changes are on the server)"
SHARED_OFFLINE_SUFFIX = " (offline)"
COMPONENT_LIST_NOTE = " (in the components list)"
STATUS_MS = 8000


def window_title(document: Document) -> str:
    """The title for the open document: the file's name, then the model's (once it has one of
    its own); `[*]` is where Qt shows the unsaved-changes mark. A shared model shows its name,
    its server (never a password) and that its changes are on the server, or that it is
    offline."""
    if document.shared_display is not None:
        name = document.model.name or DEFAULT_MODEL_NAME
        state = SHARED_OFFLINE_SUFFIX if document.read_only else SHARED_SUFFIX
        return f"{name}[*] \u2014 {document.shared_display}{state}"
    file_name = document.path.name if document.path else "Untitled"
    model_name = document.model.name
    named = f" \u2014 {model_name}" if model_name and model_name != DEFAULT_MODEL_NAME else ""
    return f"{file_name}[*]{named}{READ_ONLY_SUFFIX if document.read_only else ''}"


class MainWindow(QMainWindow):
    # File > Import Traces... and View > Edge Width by Calls (wired by app.build_window)
    trace_import: TraceImportController | None = None
    calls_width_action: QAction | None = None

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.document = context.document
        self.settings = context.settings
        self.interaction = context.interaction
        self.layout_keeper = WindowLayout(self, context.settings)
        self.setObjectName("mainWindow")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centralTabs")
        self.worksheet = WorksheetPanel(context, self)
        self.components = ComponentsPanel(context, self)
        self.detail = DetailPanel(context, self)
        self.component_details = ComponentDetails(context, self)
        self.resilience = ResilienceSection(context, self)
        self.add_tab(self.worksheet, "Worksheet")
        self.setCentralWidget(self.tabs)
        # The shared model's banner (offline, a refused change): across the top, when needed.
        self.shared_banner = SharedBanner(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.shared_banner)
        self.statusBar().addPermanentWidget(self.worksheet.counts_label)
        self._build_docks()
        self._build_menus()
        self.files = FileController(self, context)
        self.files.install(self.file_menu)
        self._build_analysis_tabs()
        self.shared = SharedModelController(self, context, self.files, self.shared_banner)
        self.shared.install(
            self.file_menu,
            after=self.files.actions["open"],
            history_before=self.model_properties_action,
        )
        self._connect()
        self._update_title()
        self.restore_settings()

    # ---- building --------------------------------------------------------------------------
    def _build_docks(self) -> None:
        self.components_dock = self._dock("componentsDock", "Components", self.components)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.components_dock)
        self.details_tabs = QTabWidget(self)
        self.details_tabs.setObjectName("detailsTabs")
        self.details_tabs.setDocumentMode(True)
        self.details_tabs.addTab(self.detail, "Failure Mode")
        self.details_tabs.addTab(self.resilience, "Resilience")
        self.details_tabs.addTab(self.component_details, "Component")
        self.detail_dock = self._dock("detailDock", "Details", self.details_tabs)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        self.layout_keeper.size_docks()
        # The review meeting's list, under the worksheet; hidden until asked for (View > Review).
        self.review = ReviewPanel(self.context, self)
        self.review_dock = self._dock("reviewDock", "Review", self.review)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.review_dock)
        self.review_dock.hide()
        self.review.finding_activated.connect(self._reveal_finding)

    def _reveal_finding(self, finding: Finding) -> None:
        """A finding about a failure mode shows its worksheet row; one about a component or a
        dependency has already selected it (the list, the graph and the details follow)."""
        if finding.failure_mode_id is not None:
            self.tabs.setCurrentWidget(self.worksheet)
            self.worksheet.reveal_failure_mode(finding.failure_mode_id)

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

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.edit_menu = bar.addMenu("&Edit")
        self.view_menu = bar.addMenu("&View")
        self.help_menu = bar.addMenu("&Help")
        doc, sheet, components = self.document, self.worksheet, self.components
        self.undo_action = UndoStepAction(
            "&Undo", doc, "undo", [QKeySequence.StandardKey.Undo], self
        )
        self.redo_action = UndoStepAction(
            "&Redo", doc, "redo", [QKeySequence.StandardKey.Redo, "Ctrl+Y"], self
        )
        self.add_action_action = self._action(
            "Add &Action", "Ctrl+Shift+A", lambda: self.detail.add_action()
        )
        for item in (self.undo_action, self.redo_action, None, sheet.cut_action,
                     sheet.copy_action, sheet.paste_action, sheet.clear_cells_action,
                     sheet.delete_rows_action, None,
                     sheet.add_fm_action, sheet.add_from_library_action, self.add_action_action,
                     None, components.add_action, components.rename_action,
                     components.delete_action, None, sheet.find_action):  # fmt: skip
            self.edit_menu.addSeparator() if item is None else self.edit_menu.addAction(item)
        self.preferences_action = self._action("Pre&ferences...", "", self.show_preferences)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.preferences_action)
        self.view_menu.addAction(self.components_dock.toggleViewAction())
        self.view_menu.addAction(self.detail_dock.toggleViewAction())
        review_toggle = self.review_dock.toggleViewAction()
        review_toggle.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.view_menu.addAction(review_toggle)
        self.view_menu.addSeparator()
        self.view_menu.addAction(sheet.show_id_action)
        self.view_menu.addAction(sheet.show_resilience_action)
        self.view_menu.addAction(sheet.clear_filters_action)
        self.shortcuts_action = self._action("&Keyboard Shortcuts", "F1", self.show_shortcuts)
        self.about_action = self._action(f"&About {APP_NAME}", "", self.show_about)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        doc = self.document
        for signal in (doc.path_changed, doc.read_only_changed, doc.model_replaced):
            signal.connect(self._update_title)
        doc.changed.connect(self._model_changed)
        doc.undo_stack.cleanChanged.connect(self._clean_changed)
        doc.refused.connect(self._show_refusal)
        self.worksheet.status_reported.connect(self.statusBar().showMessage)
        # The details dock follows the last selection: a component picked in the list or on
        # the graph, or a failure mode picked in the worksheet (connected after the panels, so
        # a component click wins over the worksheet row its filter makes current).
        doc.selection.components_selected.connect(self._show_component_details)
        doc.selection.failure_mode_selected.connect(self._show_failure_mode_details)

    def _show_component_details(self, ids: list[int]) -> None:
        if len(ids) == 1:
            self.details_tabs.setCurrentWidget(self.component_details)

    def _show_failure_mode_details(self, fm_id: int) -> None:
        # 0: none. The Resilience tab stays up while the user walks the rows with it.
        if fm_id and self.details_tabs.currentWidget() is not self.resilience:
            self.details_tabs.setCurrentWidget(self.detail)

    def _build_analysis_tabs(self) -> None:
        """The dependency graph and the charts join the worksheet as central tabs."""
        self.graph_tab = LazyTab(self._make_graph_panel, self)
        self.add_tab(self.graph_tab, "Graph")
        self.charts_tab = LazyTab(self._make_chart_panel, self)
        self.add_tab(self.charts_tab, "Charts")
        for index, title in enumerate(("Worksheet", "Graph", "Charts")):
            action = self._action(
                f"Show {title}", f"Ctrl+{index + 1}", partial(self.tabs.setCurrentIndex, index)
            )
            self.view_menu.addAction(action)
        self.export_report_action = self._action("&Export Report...", "Ctrl+E", self.export_report)
        self.model_properties_action = self._action(
            "Model &Properties...", "", self.edit_model_properties
        )
        self.export_chaos_action = self._action(
            "Export &Chaos Experiments...", "", self.export_chaos
        )
        quit_action = self.files.actions["quit"]
        self.file_menu.insertAction(quit_action, self.model_properties_action)
        self.file_menu.insertAction(quit_action, self.export_report_action)
        self.file_menu.insertAction(quit_action, self.export_chaos_action)
        self.file_menu.insertAction(quit_action, self.worksheet.save_library_action)
        self.compare = CompareController(self, self.context)  # Compare With..., Merge With...
        self.compare.install(self.file_menu, before=self.model_properties_action)
        self.compare.reveal_failure_mode = self.worksheet.reveal_failure_mode
        self.file_menu.insertSeparator(quit_action)

    # networkx, matplotlib and openpyxl load on first use: the worksheet paints first.
    def _make_graph_panel(self) -> QWidget:
        from fma_app.ui.graph.panel import GraphPanel

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

    def export_chaos(self) -> bool:
        from fma_app.ui.export_chaos import export_chaos_interactive

        return bool(export_chaos_interactive(self.document, self.interaction))

    def edit_model_properties(self) -> QDialog:
        from fma_app.ui.model_properties import edit_model_properties_interactive

        return edit_model_properties_interactive(self.document, self)

    # ---- public helpers --------------------------------------------------------------------
    def start(self, location: str | None) -> bool:
        """At launch: a model file, a shared model's URL, or nothing (recovery is offered)."""
        return self.files.start(location)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a central tab (the graph and charts join here)."""
        return self.tabs.addTab(widget, title)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

    def _show_refusal(self, text: str, title: str) -> None:
        """Every refused edit, once: in the status bar, and in a message box when it has a
        title (a refused paste lists its bad cells)."""
        self.show_message(text.replace("\n", " "))
        if title:
            self.interaction.show_message(title, text, Level.WARNING)

    # ---- the title -------------------------------------------------------------------------
    def _update_title(self, *_args: object) -> None:
        """The one place the title is written, from the document's signals."""
        self.setWindowTitle(window_title(self.document))
        self.setWindowModified(not self.document.undo_stack.isClean())

    def _model_changed(self, changes: list[Change]) -> None:
        if any(change.kind == "model" for change in changes):  # the name may have changed
            self._update_title()

    def _clean_changed(self, clean: bool) -> None:
        # Uses the signal's value: the stack may be mid-destruction when it last emits.
        self.setWindowModified(not clean)

    # ---- help ------------------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every shortcut of the window and its panels, the graph's included (built now if its
        tab was never shown: the list must not depend on which tabs the user opened)."""
        notes = {
            self.components.rename_action: COMPONENT_LIST_NOTE,
            self.components.delete_action: COMPONENT_LIST_NOTE,
            self.worksheet.clear_cells_action: " (in the worksheet)",
            self.worksheet.delete_rows_action: " (in the worksheet)",
        }
        panels: dict[QWidget, str] = {
            self.graph: " (in the graph)",
            self.detail: " (in the details)",
            self.worksheet: " (in the worksheet)",
            self.components: COMPONENT_LIST_NOTE,
        }

        def where(action: QAction) -> str:
            owner = action.parent()
            while owner is not None:
                if isinstance(owner, QWidget) and owner in panels:
                    return panels[owner]
                owner = owner.parent()
            return ""

        other_keys = [
            (keys, text + panels[panel])
            for panel in panels
            for keys, text in getattr(panel, "KEY_HELP", ())
        ]
        menus = [
            menu for action in self.menuBar().actions() if isinstance(menu := action.menu(), QMenu)
        ]
        return shortcuts.shortcut_rows(
            menus, (self.undo_action, self.redo_action), notes,
            more_actions=self.findChildren(QAction), where=where, other_keys=other_keys,
        )  # fmt: skip

    def show_shortcuts(self) -> QDialog:
        return shortcuts.show_shortcuts(self, self.shortcut_rows())

    def about_text(self) -> str:
        return (
            f"<h3>{APP_NAME} {html.escape(__version__)}</h3>"
            "<p>Failure mode analysis of systems modelled as dependency graphs.</p>"
            f"<p>Qt {qVersion()}, PySide6 {pyside_version}<br>"
            f"Python {platform.python_version()} ({html.escape(sys.platform)})</p>"
        )

    def show_preferences(self) -> QDialog:
        from fma_app.ui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.interaction, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        self.interaction.show_about(f"About {APP_NAME}", self.about_text())

    # ---- settings and closing --------------------------------------------------------------
    def save_settings(self) -> None:
        self.layout_keeper.save()

    def restore_settings(self) -> None:
        self.layout_keeper.restore()
        self.shared_banner.hide()  # a saved layout must not bring back an empty banner

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.files.shutdown()
        self.shared.shutdown()
        self.save_settings()
        event.accept()
