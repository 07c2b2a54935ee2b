"""File > Import Traces...: what trace files would add to the open model, accepted piece by piece.

The files are read off the UI thread (`TraceReadJob`, the same pattern as Export Report) behind a
busy progress dialog whose Cancel abandons the reading, so the window never freezes. The preview
(`TraceImportDialog`) lists each new component and dependency with a check box, its calls,
errors and latency, and the model's dependencies the traces did not see (kept, never deleted).
Accepting applies `merge_command` for the checked rows through the document's edit gate: one
undo step; a read-only model refuses. A bad file gives the reader's one-line message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QObject,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QMenu,
    QProgressDialog,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.analysis.trace_merge import (
    MergePlan,
    PlannedComponent,
    PlannedDependency,
    merge_command,
    plan_merge,
)
from fma_app.domain.commands import Command
from fma_app.domain.model import Model, ObservedCalls
from fma_app.ui.column_table import RIGHT, AnyIndex, ColumnTableModel, TableColumn
from fma_app.ui.context import AppContext
from fma_app.ui.document import READ_ONLY_REFUSAL
from fma_app.ui.interaction import Level

TITLE = "Import Traces"
TRACE_FILE_FILTER = "Trace files (*.json *.jsonl *.ndjson *.gz *.zst *.txt *.prom);;All files (*)"
SAMPLED_NOTE = "Counts are what the sampled traces saw, not every call."
PlanRow = PlannedComponent | PlannedDependency


class _ReadWorker(QThread):
    def __init__(self, paths: Sequence[str]):
        super().__init__()
        self.paths = list(paths)
        self.outcome: tuple[str, object] = ("failed", "the files were not read")

    def run(self) -> None:
        from fma_app.reports.traces import TraceFileError, read_trace_files

        try:
            self.outcome = ("finished", read_trace_files(self.paths))
        except TraceFileError as error:
            self.outcome = ("failed", str(error))
        except OSError as error:
            self.outcome = ("failed", f"cannot read {error.filename}: {error.strerror or error}")
        except Exception as error:  # a bug must reach the user as a message, not kill the app
            self.outcome = ("failed", f"the files could not be read ({error!r})")


class TraceReadJob(QObject):
    """Reads trace files in a thread. The reader cannot be interrupted, so Cancel abandons the
    result: `cancelled` is emitted at once and the thread's answer is dropped when it comes."""

    finished = Signal(object)  # TraceReading
    failed = Signal(str)  # the reader's one line
    cancelled = Signal()

    def __init__(self, paths: Sequence[str], parent: QObject | None = None):
        super().__init__(parent)
        self._abandoned = threading.Event()
        self._worker = _ReadWorker(paths)
        self._worker.finished.connect(self._on_worker_done)

    def start(self) -> None:
        self._worker.start()

    def cancel(self) -> None:
        if not self._abandoned.is_set():
            self._abandoned.set()
            self.cancelled.emit()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the thread is done (tests, and the app's shutdown)."""
        return self._worker.wait(timeout_ms)

    def _on_worker_done(self) -> None:
        self._worker.wait()
        if self._abandoned.is_set():
            return
        kind, value = self._worker.outcome
        if kind == "finished":
            self.finished.emit(value)
        else:
            self.failed.emit(str(value))


def _number(value: float | int | None) -> str:
    if value is None:
        return "\u2013"  # the input cannot say (a dependency list has counts only)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _what(row: PlanRow) -> str:
    if isinstance(row, PlannedComponent):
        entry = ", entry point" if row.entry_point else ""
        return f"component {row.name} ({row.kind.value}{entry})"
    return f"{row.source} \u2192 {row.target} ({row.strength.value})"


def _observed(figure: Callable[[ObservedCalls], float | int | None]) -> Callable[[PlanRow], str]:
    """A dependency's observed figure; a component's cell stays empty."""
    return lambda row: "" if isinstance(row, PlannedComponent) else _number(figure(row.observed))


COLUMNS: tuple[TableColumn[PlanRow], ...] = (
    TableColumn("Add what the traces saw", _what),
    TableColumn("Calls", _observed(lambda o: o.calls), align=RIGHT),
    TableColumn("Errors", _observed(lambda o: o.errors), align=RIGHT),
    TableColumn("p50 ms", _observed(lambda o: o.p50_ms), align=RIGHT),
    TableColumn("p99 ms", _observed(lambda o: o.p99_ms), align=RIGHT),
)


class PreviewModel(ColumnTableModel[PlanRow]):
    """The new components, then the new dependencies, each with a check box in column 0.
    A dependency whose new end is unchecked cannot be added: it is shown disabled."""

    def __init__(self, plan: MergePlan, parent: QObject | None = None):
        super().__init__(COLUMNS, [*plan.components_added, *plan.dependencies_added], parent)
        self.plan = plan
        self.checked = [True] * len(self.rows)
        self._new_names = {c.name for c in plan.components_added}

    def role_data(self, row: PlanRow, index: AnyIndex, role: int) -> object:
        if index.column() != 0:
            return None
        if role == Qt.ItemDataRole.CheckStateRole:
            on = self.checked[index.row()] and self.addable(index.row())
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row()) or None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable
        if self.addable(index.row()):
            flags |= Qt.ItemFlag.ItemIsEnabled
            if index.column() == 0:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(
        self,
        index: AnyIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if not self.addable(index.row()):
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        self.checked[index.row()] = on
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        if isinstance(self.rows[index.row()], PlannedComponent):
            # dependencies on this component may have become (un)addable
            first = len(self.plan.components_added)
            if first < len(self.rows):
                last = self.index(len(self.rows) - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(first, 0), last)
        return True

    # ---- what a person accepted ------------------------------------------------------------
    def addable(self, row: int) -> bool:
        """A dependency can be added only if each of its new ends is checked."""
        planned = self.rows[row]
        if isinstance(planned, PlannedComponent):
            return True
        return all(self._end_checked(name) for name in (planned.source, planned.target))

    def _end_checked(self, name: str) -> bool:
        if name not in self._new_names:
            return True  # a component the model has
        row = next(i for i, r in enumerate(self.rows) if isinstance(r, PlannedComponent)
                   and r.name == name)  # fmt: skip
        return self.checked[row]

    def accepted_components(self) -> list[str]:
        return [row.name for row, on in zip(self.rows, self.checked, strict=True)
                if on and isinstance(row, PlannedComponent)]  # fmt: skip

    def accepted_dependencies(self) -> list[tuple[str, str]]:
        return [
            (row.source, row.target)
            for i, row in enumerate(self.rows)
            if isinstance(row, PlannedDependency) and self.checked[i] and self.addable(i)
        ]

    def _tooltip(self, row: int) -> str:
        planned = self.rows[row]
        if isinstance(planned, PlannedComponent) or self.addable(row):
            return ""
        missing = [n for n in (planned.source, planned.target) if not self._end_checked(n)]
        return f"Needs {' and '.join(missing)}, which is not checked"


def _period(plan: MergePlan) -> str:
    if plan.observed_from is None or plan.observed_to is None:
        return "The files carry no span times (a dependency list or metrics)."
    moments = (plan.observed_from, plan.observed_to)
    first, last = (m.strftime("%Y-%m-%d %H:%M:%S UTC") for m in moments)
    return f"Observed from {first} to {last}."


def summary_text(plan: MergePlan, files: dict[str, str], spans: int) -> str:
    read = ", ".join(f"{Path(path).name} ({kind})" for path, kind in files.items())
    updated = len(plan.statistics_updated)
    lines = [
        f"Read {read}: {spans:,} spans. {_period(plan)}",
        f"Check what to add. The observed statistics of {updated:,} "
        f"dependenc{'y' if updated == 1 else 'ies'} the model has will be replaced; "
        "nothing a person entered changes.",
        SAMPLED_NOTE,
    ]
    return "\n".join(lines)


class TraceImportDialog(QDialog):
    """The preview: check boxes for what to add, the dependencies not seen, Add or Cancel."""

    def __init__(
        self, plan: MergePlan, files: dict[str, str], spans: int, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("traceImportDialog")
        self.plan = plan
        self.summary = QLabel(summary_text(plan, files, spans), self)
        self.summary.setWordWrap(True)
        self.model = PreviewModel(plan, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        unseen = plan.dependencies_not_seen
        self.not_seen_label = QLabel(
            f"Not seen in these traces: {len(unseen):,} of the model's dependencies "
            "(kept, never deleted):"
            if unseen
            else "The traces saw every dependency of the model.",
            self,
        )
        self.not_seen = QListWidget(self)
        self.not_seen.addItems([f"{u.source} \u2192 {u.target}" for u in unseen])
        self.not_seen.setVisible(bool(unseen))
        self.not_seen.setMaximumHeight(140)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add Checked")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.not_seen_label)
        layout.addWidget(self.not_seen)
        layout.addWidget(self.buttons)
        self.resize(760, 520)


def refusal_while_read_only(reason: str) -> str:
    """Why nothing is imported, in the document's words: an offline shared model says it is
    offline (the server cannot be reached), not that it is read-only."""
    if reason == READ_ONLY_REFUSAL:
        return f"{READ_ONLY_REFUSAL}: nothing can be imported."
    return f"The traces were not imported: {reason.removeprefix('Not changed: ')}."


class TraceImportController(QObject):
    """Owns File > Import Traces...: asks for files, reads them, previews, applies."""

    applied = Signal()  # the accepted part stood as one undo step

    def __init__(self, context: AppContext, parent: QWidget):
        super().__init__(parent)
        self.context, self.window = context, parent
        self.action = QAction("Import &Traces...", parent)
        self.action.setStatusTip("Add the components and dependencies trace files show")
        self.action.triggered.connect(lambda _checked=False: self.import_traces())
        self.job: TraceReadJob | None = None
        self.progress: QProgressDialog | None = None
        self.dialog: TraceImportDialog | None = None

    def install(self, file_menu: QMenu, before: QAction) -> None:
        file_menu.insertAction(before, self.action)

    def import_traces(self) -> bool:
        """Ask for trace files and start reading them; False when nothing was started."""
        document, interaction = self.context.document, self.context.interaction
        if document.read_only:
            interaction.show_message(TITLE, refusal_while_read_only(document.read_only_reason),
                                     Level.WARNING)  # fmt: skip
            return False
        path = document.path
        folder = str(path.parent) if path is not None else str(Path.home())
        paths = interaction.choose_open_paths(TITLE, folder, TRACE_FILE_FILTER)
        if not paths:
            return False
        self.read(paths)
        return True

    def read(self, paths: Sequence[str]) -> TraceReadJob:
        job = self.job = TraceReadJob(paths, self)
        progress = self.progress = QProgressDialog(
            f"Reading {len(paths)} trace file{'s' if len(paths) != 1 else ''}\u2026",
            "Cancel", 0, 0, self.window,
        )  # fmt: skip
        progress.setWindowTitle(TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)  # a small file is read before it would flash up
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(job.cancel)
        job.finished.connect(self._read_done)
        job.failed.connect(self._read_failed)
        for signal in (job.finished, job.failed, job.cancelled):
            signal.connect(progress.close)
        job.start()
        return job

    def _read_failed(self, message: str) -> None:
        self.context.interaction.show_message(
            TITLE, f"The traces were not imported: {message}", Level.CRITICAL
        )

    def _read_done(self, reading: object) -> None:
        from fma_app.reports.traces import TraceReading

        assert isinstance(reading, TraceReading)
        interaction = self.context.interaction
        if not reading.topology.components:
            names = ", ".join(Path(p).name for p in reading.formats)
            interaction.show_message(TITLE, f"Found no services in {names}.", Level.WARNING)
            return
        plan = plan_merge(self.context.document.model, reading.topology)
        if plan.changes_nothing:
            interaction.show_message(
                TITLE, "The model already has everything these traces saw: nothing to add."
            )
            return
        self.preview(plan, reading.formats, reading.topology.spans)

    def preview(self, plan: MergePlan, files: dict[str, str], spans: int) -> TraceImportDialog:
        """Show the preview (window-modal, not blocking); Add Checked applies."""
        dialog = self.dialog = TraceImportDialog(plan, files, spans, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply(dialog.model))
        dialog.open()
        return dialog

    def apply(self, preview: PreviewModel) -> bool:
        """The checked part as one undo step through the edit gate; True when it stood."""
        components = preview.accepted_components()
        dependencies = preview.accepted_dependencies()
        plan = preview.plan

        def make(model: Model) -> Command | None:
            if not (components or dependencies or plan.statistics_updated):
                return None  # everything unchecked: no empty undo step
            return merge_command(model, plan, accept_components=components,
                                 accept_dependencies=dependencies)  # fmt: skip

        refusal = self.context.document.edit(
            make,
            refused_as="Traces not imported: ",
            title=TITLE,
        )
        if refusal is None:
            self.applied.emit()
        return refusal is None


def add_calls_width_toggle(view_menu: QMenu, graph_action: Callable[[], QAction]) -> QAction:
    """View > Edge Width by Calls, in step with the graph toolbar's Width by Calls (the graph
    is built on first use: `graph_action` builds it when the menu is first used)."""
    action = QAction("Edge &Width by Calls", view_menu)
    action.setCheckable(True)
    action.setStatusTip("Draw each dependency wider the more calls the traces saw")
    follower: list[QAction] = []  # the graph's action once connected

    def set_on(on: bool) -> None:
        toolbar_action = graph_action()
        if not follower:
            follower.append(toolbar_action)
            toolbar_action.toggled.connect(action.setChecked)
        if toolbar_action.isChecked() != on:
            toolbar_action.trigger()  # checks it and redraws the edges

    action.triggered.connect(set_on)
    view_menu.addAction(action)
    return action
