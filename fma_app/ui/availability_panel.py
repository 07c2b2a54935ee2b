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
    QModelIndex,
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
from fma_app.ui.column_table import RIGHT, SORT_ROLE, AnyIndex, ColumnTableModel, TableColumn
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
class EntryPointRow:
    """An entry point's figures with the names its cells show."""

    result: EntryPointAvailability
    name: str
    unknown_names: str  # the components without an availability, for the Unknown tooltip


def _unknown_tip(row: EntryPointRow) -> str | None:
    if not row.result.unknown_components:
        return None
    upper_bound = "No availability given, counted as 100 % (the figure is an upper bound)"
    return f"{upper_bound}: {row.unknown_names}"


def _used_tip(row: EntryPointRow) -> str | None:
    result = row.result
    if result.budget_consumed is None:
        return None
    return (
        f"The architecture alone uses {result.downtime_minutes:,.1f} of "
        f"{budget_text(result)} per {days(result.window_days)}"
    )


def _or_minus_one(value: float | None) -> float:
    return -1.0 if value is None else value  # sorts the entry points without one first


COLUMNS: tuple[TableColumn[EntryPointRow], ...] = (
    TableColumn("Entry Point", lambda r: r.name, "A user-facing component",
                sort_key=lambda r: r.name.casefold()),
    TableColumn("Availability", lambda r: availability_text(r.result),
                "The probability it is up, from its components' own availabilities", RIGHT,
                sort_key=lambda r: r.result.availability),
    TableColumn("Downtime",
                lambda r: f"{r.result.downtime_minutes:,.1f} min / {days(r.result.window_days)}",
                "Expected minutes down per SLO window, from the architecture alone", RIGHT,
                sort_key=lambda r: r.result.downtime_minutes),
    TableColumn("SLO", lambda r: "" if r.result.slo is None else target(r.result.slo),
                "The availability its users are promised, over its window", RIGHT,
                sort_key=lambda r: _or_minus_one(r.result.slo)),
    TableColumn("Verdict", lambda r: verdict(r.result.meets_slo),
                "Whether the architecture alone meets the SLO",
                sort_key=lambda r: {None: 0, True: 1, False: 2}[r.result.meets_slo]),
    TableColumn("Budget", lambda r: budget_text(r.result),
                "The error budget: minutes down the SLO allows per window", RIGHT,
                sort_key=lambda r: _or_minus_one(r.result.budget_minutes)),
    TableColumn("Used", lambda r: consumed_text(r.result),
                "Share of the error budget the architecture alone uses (100 %: all of it)", RIGHT,
                cell_tip=_used_tip, sort_key=lambda r: _or_minus_one(r.result.budget_consumed)),
    TableColumn("Unknown",
                lambda r: f"{len(r.result.unknown_components)} (upper bound)"
                if r.result.unknown_components else "",
                "Components without an availability, counted as 100 %: an upper bound", RIGHT,
                cell_tip=_unknown_tip, sort_key=lambda r: len(r.result.unknown_components)),
    TableColumn("Method", lambda r: method_text(r.result),
                "Exact (a decision diagram) or sampled where exact is out of reach",
                sort_key=lambda r: r.result.method),
)  # fmt: skip
(ENTRY, AVAILABILITY, DOWNTIME, SLO, VERDICT, BUDGET, USED, UNKNOWN, METHOD) = range(len(COLUMNS))


class AvailabilityModel(ColumnTableModel[EntryPointRow]):
    """The entry points' figures, one row each, keyed by entry point id."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(COLUMNS, parent=parent)

    @property
    def results(self) -> list[EntryPointAvailability]:
        return [row.result for row in self.rows]

    def set_results(self, model: Model, results: list[EntryPointAvailability]) -> None:
        """New figures; the same entry points with the same names only repaint (a what-if
        keeps the selection and the sort), anything else resets."""
        names = model.components
        rows = [
            EntryPointRow(
                result,
                names[result.entry_point].name,
                ", ".join(names[c].name for c in result.unknown_components),
            )
            for result in results
        ]
        same_rows = [(r.result.entry_point, r.name) for r in rows] == [
            (r.result.entry_point, r.name) for r in self.rows
        ]
        if same_rows:
            self.rows = rows
            self.refresh_all()
        else:
            self.set_rows(rows)

    def row_of(self, entry_point: int) -> int:
        for number, row in enumerate(self.rows):
            if row.result.entry_point == entry_point:
                return number
        return -1

    def role_data(self, row: EntryPointRow, index: AnyIndex, role: int) -> object:
        if role == ENTRY_ROLE:
            return row.result.entry_point
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return _colour(row.result, index.column(), role == Qt.ItemDataRole.BackgroundRole)
        return None


def _colour(result: EntryPointAvailability, column: int, fill: bool) -> QColor | None:
    if column in (VERDICT, USED) and result.meets_slo is not None:
        swatch = slo_style(result.meets_slo)
    elif column == UNKNOWN and result.unknown_components:
        swatch = UPPER_BOUND
    else:
        return None
    return QColor(swatch.fill if fill else swatch.text)


@dataclass(frozen=True)
class ContributorRow:
    """A component that costs the selected entry point availability, and what it costs."""

    rank: int
    component_id: int
    name: str
    own: float | None
    gain: float
    minutes: float


CONTRIBUTOR_COLUMNS: tuple[TableColumn[ContributorRow], ...] = (
    TableColumn("#", lambda r: str(r.rank), "Rank: the costliest first", RIGHT),
    TableColumn("Component", lambda r: r.name,
                "A component whose failures take the entry point down"),
    TableColumn("Own", lambda r: "unknown" if r.own is None else target(r.own),
                "Its own availability (empty: unknown, counted as 100 %)", RIGHT),
    TableColumn("Gain", lambda r: gain_points(r.gain),
                "Availability the entry point would gain if it never failed", RIGHT),
    TableColumn("Minutes", lambda r: f"{r.minutes:,.1f} min",
                "Downtime of the entry point it causes per SLO window", RIGHT),
)  # fmt: skip


class ContributorsModel(ColumnTableModel[ContributorRow]):
    """The selected entry point's contributors, costliest first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(CONTRIBUTOR_COLUMNS, parent=parent)

    def show(self, model: Model, result: EntryPointAvailability | None) -> None:
        contributors = result.contributors if result is not None else []
        minutes = result.window_minutes if result is not None else 0.0
        rows = []
        for rank, contributor in enumerate(contributors, start=1):
            component = model.components[contributor.component_id]
            rows.append(ContributorRow(rank, component.id, component.name, component.availability,
                                       contributor.gain, contributor.gain * minutes))  # fmt: skip
        self.set_rows(rows)

    def component_ids(self) -> list[int]:
        return [row.component_id for row in self.rows]

    def role_data(self, row: ContributorRow, index: AnyIndex, role: int) -> object:
        return row.component_id if role == ENTRY_ROLE else None


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
