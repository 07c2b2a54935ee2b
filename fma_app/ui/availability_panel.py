"""The Availability panel: what each entry point can promise, live as the model is edited.

One row per entry point: its availability (exact, or sampled with its error), the downtime it
means per SLO window, the SLO and its verdict, the error budget in minutes and the share the
architecture alone uses, and whether unknown availabilities make the figure an upper bound.
Selecting a row lists the components that cost that entry point availability (the gain if each
never failed, also in minutes per window) and marks them on the graph.

What-if, off the hot path: an edit only marks the figures stale and, while the panel is shown,
starts a short timer; the recompute then keeps one `AvailabilityAnalysis` and only calls
`results` when availabilities, SLOs or windows changed, and builds a new one when the structure
did (components, entry points, dependencies, groups, group needs), as the analysis module says.
A hidden panel computes nothing until it is shown again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Change
from fma_app.domain.model import Model
from fma_app.presentation.availability import days, gain_points, percent, target, verdict
from fma_app.presentation.style import UPPER_BOUND, slo_style
from fma_app.ui.context import AppContext

# The analysis needs networkx and the graph panel builds a scene: both load when first used, so
# the window opens as fast as without the panel.
if TYPE_CHECKING:
    from fma_app.analysis.availability import AvailabilityAnalysis, EntryPointAvailability
    from fma_app.ui.graph.overlays import GraphOverlays
    from fma_app.ui.main_window import MainWindow

RECOMPUTE_DELAY_MS = 40  # typing several edits in a row recomputes once
SHORTCUT = "Ctrl+Shift+U"  # U for uptime
DOCK_HEIGHT = 210  # the entry points, the summary and five contributors at 1366x768
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ROLE = Qt.ItemDataRole.UserRole
NO_ENTRY_POINTS = (
    "No entry points: mark the user-facing components (Component details or the graph's menu) "
    "to see what they can promise."
)
PICK_ENTRY_POINT = "Select an entry point to see which components cost it availability."
StructureKey = tuple[object, ...]


def structure_key(model: Model) -> StructureKey:
    """Everything the analysis is built from (not the availabilities, SLOs or windows): when
    this changes the analysis is rebuilt, otherwise its figures are only recomputed."""
    return (
        tuple((cid, c.name, c.user_facing) for cid, c in model.components.items()),
        tuple(
            (d.id, d.source_id, d.target_id, d.strength, d.group)
            for d in model.dependencies.values()
        ),
        tuple(sorted(model.group_needs.items())),
    )


def budget_text(result: EntryPointAvailability) -> str:
    return "" if result.budget_minutes is None else f"{result.budget_minutes:,.1f} min"


def consumed_text(result: EntryPointAvailability) -> str:
    return "" if result.budget_consumed is None else f"{result.budget_consumed:.0%}"


def availability_text(result: EntryPointAvailability) -> str:
    if result.method == "sampled":
        return f"≈ {percent(result.availability)} ± {result.standard_error * 100:.2g} pp"
    return percent(result.availability)


def method_text(result: EntryPointAvailability) -> str:
    if result.method == "sampled" and result.interval:
        low, high = result.interval
        return f"sampled ({result.samples:,}; 95 % {percent(low)} to {percent(high)})"
    return "exact"


@dataclass(frozen=True)
class Column:
    title: str
    tip: str


COLUMNS = (
    Column("Entry Point", "A user-facing component"),
    Column("Availability", "The probability it is up, from its components' own availabilities"),
    Column("Downtime", "Expected minutes down per SLO window, from the architecture alone"),
    Column("SLO", "The availability its users are promised, over its window"),
    Column("Verdict", "Whether the architecture alone meets the SLO"),
    Column("Budget", "The error budget: minutes down the SLO allows per window"),
    Column("Used", "Share of the error budget the architecture alone uses (100 %: all of it)"),
    Column("Unknown", "Components without an availability, counted as 100 %: an upper bound"),
    Column("Method", "Exact (a decision diagram) or sampled where exact is out of reach"),
)
(ENTRY, AVAILABILITY, DOWNTIME, SLO, VERDICT, BUDGET, USED, UNKNOWN, METHOD) = range(len(COLUMNS))


class AvailabilityModel(QAbstractTableModel):
    """The entry points' figures, one row each, keyed by entry point id."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.results: list[EntryPointAvailability] = []
        self.names: dict[int, str] = {}  # of the entry points, the rows
        self.component_names: dict[int, str] = {}  # of every component, for the tooltips

    def set_results(self, model: Model, results: list[EntryPointAvailability]) -> None:
        """New figures; the same entry points in the same order only repaint (a what-if keeps
        the selection and the sort), anything else resets."""
        names = {r.entry_point: model.components[r.entry_point].name for r in results}
        self.component_names = {cid: c.name for cid, c in model.components.items()}
        same_rows = [r.entry_point for r in results] == [r.entry_point for r in self.results]
        if same_rows and names == self.names:
            self.results = results
            if results:
                last = self.index(len(results) - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self.results, self.names = results, names
        self.endResetModel()

    def row_of(self, entry_point: int) -> int:
        for row, result in enumerate(self.results):
            if result.entry_point == entry_point:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result, column = self.results[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(result, column)
        if role == SORT_ROLE:
            return self._sort_value(result, column)
        if role == ENTRY_ROLE:
            return result.entry_point
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(result, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (ENTRY, VERDICT, METHOD):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return self._colour(result, column, role == Qt.ItemDataRole.BackgroundRole)
        return None

    def _text(self, result: EntryPointAvailability, column: int) -> str:
        texts = {
            ENTRY: self.names.get(result.entry_point, ""),
            AVAILABILITY: availability_text(result),
            DOWNTIME: f"{result.downtime_minutes:,.1f} min / {days(result.window_days)}",
            SLO: "" if result.slo is None else target(result.slo),
            VERDICT: verdict(result.meets_slo),
            BUDGET: budget_text(result),
            USED: consumed_text(result),
            UNKNOWN: f"{len(result.unknown_components)} (upper bound)"
            if result.unknown_components
            else "",
            METHOD: method_text(result),
        }
        return texts[column]

    def _sort_value(self, result: EntryPointAvailability, column: int) -> object:
        values: dict[int, object] = {
            ENTRY: self.names.get(result.entry_point, "").casefold(),
            AVAILABILITY: result.availability,
            DOWNTIME: result.downtime_minutes,
            SLO: -1.0 if result.slo is None else result.slo,
            VERDICT: {None: 0, True: 1, False: 2}[result.meets_slo],
            BUDGET: -1.0 if result.budget_minutes is None else result.budget_minutes,
            USED: -1.0 if result.budget_consumed is None else result.budget_consumed,
            UNKNOWN: len(result.unknown_components),
            METHOD: result.method,
        }
        return values[column]

    def _tip(self, result: EntryPointAvailability, column: int) -> str | None:
        if column == UNKNOWN and result.unknown_components:
            names = ", ".join(self.component_names.get(c, "") for c in result.unknown_components)
            return (
                f"No availability given, counted as 100 % (the figure is an upper bound): {names}"
            )
        if column == USED and result.budget_consumed is not None:
            return (
                f"The architecture alone uses {result.downtime_minutes:,.1f} of "
                f"{budget_text(result)} per {days(result.window_days)}"
            )
        return COLUMNS[column].tip

    def _colour(self, result: EntryPointAvailability, column: int, fill: bool) -> QColor | None:
        if column in (VERDICT, USED) and result.meets_slo is not None:
            swatch = slo_style(result.meets_slo)
        elif column == UNKNOWN and result.unknown_components:
            swatch = UPPER_BOUND
        else:
            return None
        return QColor(swatch.fill if fill else swatch.text)


CONTRIBUTOR_COLUMNS = (
    Column("#", "Rank: the costliest first"),
    Column("Component", "A component whose failures take the entry point down"),
    Column("Own", "Its own availability (empty: unknown, counted as 100 %)"),
    Column("Gain", "Availability the entry point would gain if it never failed"),
    Column("Minutes", "Downtime of the entry point it causes per SLO window"),
)


class ContributorsModel(QAbstractTableModel):
    """The selected entry point's contributors, costliest first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[int, str, float | None, float, float]] = []

    def show(self, model: Model, result: EntryPointAvailability | None) -> None:
        self.beginResetModel()
        self.rows = []
        if result is not None:
            minutes = result.window_minutes
            for contributor in result.contributors:
                component = model.components[contributor.component_id]
                self.rows.append((component.id, component.name, component.availability,
                                  contributor.gain, contributor.gain * minutes))  # fmt: skip
        self.endResetModel()

    def component_ids(self) -> list[int]:
        return [row[0] for row in self.rows]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(CONTRIBUTOR_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(CONTRIBUTOR_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return CONTRIBUTOR_COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return CONTRIBUTOR_COLUMNS[section].tip
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        cid, name, own, gain, minutes = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            texts = (str(index.row() + 1), name, "unknown" if own is None else target(own),
                     gain_points(gain), f"{minutes:,.1f} min")  # fmt: skip
            return texts[column]
        if role == ENTRY_ROLE:
            return cid
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return CONTRIBUTOR_COLUMNS[column].tip
        return None


class AvailabilityPanel(QWidget):
    """The entry points' table, the selected one's summary and its contributors."""

    # entry point id (0: none) and its contributors' ids, costliest first: when the user
    # selects a row, and (contributors_changed) after a recompute, so the graph's marks follow
    entry_point_selected = Signal(int, list)
    contributors_changed = Signal(int, list)
    recomputed = Signal(float)  # seconds the last recompute took

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = context.document
        self._analysis: AvailabilityAnalysis | None = None
        self._structure: StructureKey | None = None
        self._stale = True
        self._restoring = False  # a recompute putting the selection back: not the user's
        self.last_recompute_seconds = 0.0
        self.figures = AvailabilityModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.figures)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.contributors = ContributorsModel(self)
        self.contributors_view = QTableView(self)
        self.summary = QLabel(NO_ENTRY_POINTS, self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RECOMPUTE_DELAY_MS)
        self.timer.timeout.connect(self.recompute)
        self._build()
        self.document.changed.connect(self._model_changed)
        self.document.model_replaced.connect(self._model_replaced)

    def _build(self) -> None:
        for view, model in ((self.table, self.proxy), (self.contributors_view, self.contributors)):
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.verticalHeader().hide()
            view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
            view.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ENTRY, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ENTRY, QHeaderView.ResizeMode.Stretch)
        contributors_header = self.contributors_view.horizontalHeader()
        contributors_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        contributors_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        side_layout.addWidget(self.summary)
        side_layout.addWidget(self.contributors_view, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        # a click picks the component everywhere (list, graph, details), as the graph's list does
        self.contributors_view.clicked.connect(self._reveal_contributor)
        self.contributors_view.activated.connect(self._reveal_contributor)

    # ---- staying current -------------------------------------------------------------------
    def _model_changed(self, changes: Sequence[Change]) -> None:
        if all(change.kind in ("failure_mode", "action") for change in changes):
            return  # scores and actions do not touch availability
        self._stale = True
        if self.isVisible():
            self.timer.start()

    def _model_replaced(self) -> None:
        self._analysis, self._structure, self._stale = None, None, True
        if self.isVisible():
            self.timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.timer.start()

    def recompute(self) -> None:
        """The figures now: the analysis rebuilt only when the structure changed."""
        self.timer.stop()
        from fma_app.analysis.availability import AvailabilityAnalysis

        started = time.perf_counter()
        model = self.document.model
        key = structure_key(model)
        if self._analysis is None or key != self._structure:
            self._analysis, self._structure = AvailabilityAnalysis(model), key
        results = self._analysis.results(model)
        selected = self.selected_entry_point()
        self._restoring = True
        try:
            self.figures.set_results(model, results)
            if selected and self.figures.row_of(selected) >= 0:
                self.select_entry_point(selected)  # kept through a reset
        finally:
            self._restoring = False
        self._stale = False
        entry = self._show_selected()
        self.contributors_changed.emit(entry, self.contributors.component_ids())
        self.last_recompute_seconds = time.perf_counter() - started
        self.recomputed.emit(self.last_recompute_seconds)

    @property
    def stale(self) -> bool:
        return self._stale

    # ---- selection -------------------------------------------------------------------------
    def selected_entry_point(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ENTRY_ROLE)) if rows else 0

    def select_entry_point(self, entry_point: int) -> None:
        row = self.figures.row_of(entry_point)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.figures.index(row, 0))
        self.table.selectRow(index.row())

    def result_of(self, entry_point: int) -> EntryPointAvailability | None:
        row = self.figures.row_of(entry_point)
        return self.figures.results[row] if row >= 0 else None

    def _selection_moved(self) -> None:
        if self._restoring:
            return
        entry = self._show_selected()
        self.entry_point_selected.emit(entry, self.contributors.component_ids())

    def _show_selected(self) -> int:
        """List the selected entry point's contributors and say its figures; its id or 0."""
        model = self.document.model
        result = self.result_of(self.selected_entry_point())
        self.contributors.show(model, result)
        self.summary.setText(self._summary(model, result))
        return result.entry_point if result else 0

    def _summary(self, model: Model, result: EntryPointAvailability | None) -> str:
        if not self.figures.results:
            return NO_ENTRY_POINTS
        if result is None:
            return PICK_ENTRY_POINT
        name = model.components[result.entry_point].name
        window = days(result.window_days)
        lines = [f"{name}: {availability_text(result)}, {result.downtime_minutes:,.1f} min "
                 f"down per {window}."]  # fmt: skip
        if result.slo is not None and result.budget_consumed is not None:
            lines.append(
                f"SLO {target(result.slo)} {verdict(result.meets_slo)}: the architecture alone "
                f"uses {result.budget_consumed:.0%} of the {budget_text(result)} error budget."
            )
        else:
            lines.append("No SLO: give it one in the Component details.")
        if result.unknown_components:
            unknown = ", ".join(model.components[c].name for c in result.unknown_components)
            lines.append(f"Upper bound: unknown availability counted as 100 % for {unknown}.")
        if result.method == "sampled":
            lines.append(f"Sampled: exact is out of reach here; {method_text(result)}.")
        elif not result.contributors:
            lines.append("Nothing it needs has an availability below 100 %.")
        else:
            lines.append("What it would gain if each component never failed:")
        return "\n".join(lines)

    def _reveal_contributor(self, index: QModelIndex) -> None:
        cid = index.siblingAtColumn(1).data(ENTRY_ROLE)
        if cid:
            self.document.selection.select_components([int(cid)])


def install_availability_dock(window: MainWindow, context: AppContext) -> AvailabilityPanel:
    """The panel in a bottom dock, hidden until View > Availability (Ctrl+Shift+U), after the
    other docks in the View menu. An entry point selected in it shows the graph with its
    contributors marked; the marks follow recomputes and go when the selection does."""
    panel = AvailabilityPanel(context, window)
    dock = QDockWidget("Availability", window)
    dock.setObjectName("availabilityDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    # low enough to leave the worksheet or graph most of a 768-pixel screen
    window.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setText("&Availability")
    toggle.setShortcut(QKeySequence(SHORTCUT))
    menu_actions = window.view_menu.actions()
    docks_end = next((a for a in menu_actions if a.isSeparator()), None)
    window.view_menu.insertAction(docks_end, toggle) if docks_end else window.view_menu.addAction(
        toggle
    )

    def graph_overlays() -> GraphOverlays:
        from fma_app.ui.graph.panel import GraphPanel

        graph = window.graph  # built now if its tab was never shown
        assert isinstance(graph, GraphPanel)
        return graph.overlays

    def selected(entry: int, contributors: list[int]) -> None:
        if entry:
            window.tabs.setCurrentWidget(window.graph_tab)
            graph_overlays().show_availability(entry, contributors)
        elif window.graph_tab.is_built and graph_overlays().kind == "availability":
            graph_overlays().clear_overlay()

    def recomputed(entry: int, contributors: list[int]) -> None:
        if not window.graph_tab.is_built:
            return
        overlays = graph_overlays()
        if overlays.overlay == ("availability", entry):
            overlays.show_availability(entry, contributors)
        elif overlays.kind == "availability" and not entry:
            overlays.clear_overlay()

    panel.entry_point_selected.connect(selected)
    panel.contributors_changed.connect(recomputed)
    return panel
