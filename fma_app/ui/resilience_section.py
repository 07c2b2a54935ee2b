"""The Resilience tab of the details dock, for the selected failure mode: fault, target,
steady-state probe, mitigations, runbook link and experiment record.

A tab beside Failure Mode and Component (the Failure Mode tab already fills a 1366x768 screen);
it stays up while the user walks the worksheet's rows. Every field commits on Enter or when it
loses focus, as one undoable command through the document's edit gate (a bad value is refused
there with its message and the shown values go back). The target is the component's, written on
one line ("kubernetes namespace=shop selector=app=api"). A runbook link opens only for http,
https and file links (a plain path counts as a file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Change, Command, edit_resilience, set_chaos_target
from fma_app.domain.model import FailureMode, Model
from fma_app.domain.resilience import (
    MAGNITUDES,
    ExperimentRecord,
    ExperimentStatus,
    Fault,
    FaultKind,
    MitigationPattern,
    ProbeKind,
    SteadyStateProbe,
    format_mitigations,
    format_target,
    parse_target,
    runbook_is_openable,
)
from fma_app.ui.context import AppContext
from fma_app.ui.interaction import Level

NO_FAULT = "(no fault)"
NO_PROBE = "(no probe)"
# A magnitude to start from when a fault that needs one is chosen.
DEFAULT_MAGNITUDE = {
    FaultKind.LATENCY: 500,
    FaultKind.ERRORS: 10,
    FaultKind.CPU_EXHAUSTED: 80,
    FaultKind.MEMORY_EXHAUSTED: 80,
    FaultKind.DISK_EXHAUSTED: 90,
}
TARGET_TIP = (
    "Where faults are injected into this component, on one line:\n"
    "kubernetes namespace=shop selector=app=api [deployment=api] [cluster=eks-name]\n"
    "aws resource_type=ec2-instance|ecs-task|rds-cluster selector=key=value | resource_ids=a,b\n"
    "toxiproxy proxy=name"
)


def link_url(link: str) -> str | None:
    """The URL to open for a runbook link, or None when it must not be opened."""
    text = link.strip()
    if not runbook_is_openable(text):
        return None
    if "://" in text or text.lower().startswith("file:"):
        return text
    return Path(text).expanduser().absolute().as_uri()


class ResilienceSection(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.document, self.interaction = context.document, context.interaction
        self.failure_mode_id = 0
        self._loading = False
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.editor = QWidget(self)
        self.fault_kind = QComboBox(self.editor)
        self.fault_kind.addItems([NO_FAULT, *(kind.value for kind in FaultKind)])
        self.duration = QLineEdit(self.editor)
        self.magnitude = QLineEdit(self.editor)
        self.magnitude_unit = QLabel(self.editor)
        self.target = QLineEdit(self.editor)
        self.hypothesis = QLineEdit(self.editor)
        self.probe_kind = QComboBox(self.editor)
        self.probe_kind.addItems([NO_PROBE, *(kind.value for kind in ProbeKind)])
        self.probe_url = QLineEdit(self.editor)
        self.expected_status = QLineEdit(self.editor)
        self.probe_timeout = QLineEdit(self.editor)
        self.query = QLineEdit(self.editor)
        self.threshold = QLineEdit(self.editor)
        self.mitigations = QLineEdit(self.editor)
        self.runbook = QLineEdit(self.editor)
        self.open_runbook = QPushButton("Open", self.editor)
        self.experiment = QComboBox(self.editor)
        self.experiment.addItems([status.value for status in ExperimentStatus])
        self.experiment_date = QLineEdit(self.editor)
        self.experiment_result = QLineEdit(self.editor)
        self._build()
        document = self.document
        document.selection.failure_mode_selected.connect(self.show_failure_mode)
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(lambda: self.show_failure_mode(0))
        document.read_only_changed.connect(lambda _read_only: self.load())
        self.show_failure_mode(0)

    def current(self) -> FailureMode | None:
        return self.document.model.failure_modes.get(self.failure_mode_id)

    def show_failure_mode(self, failure_mode_id: int) -> None:
        self.failure_mode_id = failure_mode_id
        self.load()

    def _on_changed(self, changes: list[Change]) -> None:
        fm = self.current()
        if fm is None:
            if self.failure_mode_id:
                self.show_failure_mode(0)
            return
        if any(
            (change.kind == "failure_mode" and fm.id in change.ids)
            or (change.kind == "component" and fm.component_id in change.ids)
            for change in changes
        ):
            self.load()

    # -- layout --------------------------------------------------------------------------
    def _row(self, *widgets: QWidget, stretch: bool = False) -> QWidget:
        row = QWidget(self.editor)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        if stretch:
            layout.addStretch(1)
        return row

    def _build(self) -> None:
        for box, width in ((self.duration, 5), (self.magnitude, 6), (self.expected_status, 4),
                           (self.probe_timeout, 4), (self.threshold, 7)):  # fmt: skip
            box.setFixedWidth(box.fontMetrics().horizontalAdvance("0" * width) + 14)
        self.duration.setToolTip("How long the fault lasts, in seconds")
        self.target.setToolTip(TARGET_TIP)
        self.target.setPlaceholderText("kubernetes namespace=... selector=app=...")
        self.hypothesis.setPlaceholderText("what the team expects to happen")
        self.probe_url.setPlaceholderText("https://... (Prometheus: its base URL)")
        self.expected_status.setToolTip("Expected HTTP status")
        self.probe_timeout.setToolTip("Probe timeout in seconds")
        self.query.setPlaceholderText("PromQL (Prometheus probes)")
        self.threshold.setToolTip("Healthy while the query's value is at most this")
        patterns = ", ".join(p.value for p in MitigationPattern)
        self.mitigations.setToolTip(
            f"Patterns separated by ';', each '(planned)' or '(in place)': {patterns}"
        )
        self.mitigations.setPlaceholderText("circuit breaker (in place); retry with backoff")
        self.runbook.setPlaceholderText("https://... or a file path")
        self.experiment_date.setPlaceholderText("YYYY-MM-DD")
        self.experiment_date.setFixedWidth(
            self.experiment_date.fontMetrics().horizontalAdvance("2026-12-31") + 14
        )
        self.experiment_result.setPlaceholderText("where the result is")
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Fault", self.fault_kind)
        seconds = QLabel("s", self.editor)
        form.addRow(
            "Duration",
            self._row(self.duration, seconds, self.magnitude, self.magnitude_unit, stretch=True),
        )
        form.addRow("Target", self.target)
        form.addRow("Hypothesis", self.hypothesis)
        timeout_unit = QLabel("s", self.editor)
        form.addRow(
            "Probe",
            self._row(self.probe_kind, self.expected_status, self.probe_timeout, timeout_unit),
        )
        form.addRow("", self.probe_url)
        form.addRow("", self._row(self.query, self.threshold))
        form.addRow("Mitigations", self.mitigations)
        form.addRow("Runbook", self._row(self.runbook, self.open_runbook))
        form.addRow("Experiment", self._row(self.experiment, self.experiment_date))
        form.addRow("", self.experiment_result)
        fields = QWidget(self)
        inner = QVBoxLayout(fields)
        inner.addWidget(self.title)
        inner.addWidget(self.summary)
        inner.addWidget(self.editor)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._connect()

    def _connect(self) -> None:
        self.fault_kind.activated.connect(lambda _i: self._kind_chosen())
        for box in (self.duration, self.magnitude):
            box.editingFinished.connect(self.commit_fault)
        self.target.editingFinished.connect(self.commit_target)
        self.hypothesis.editingFinished.connect(
            lambda: self._commit(hypothesis=self.hypothesis.text())
        )
        self.probe_kind.activated.connect(lambda _i: self.commit_probe())
        for box in (self.probe_url, self.expected_status, self.probe_timeout, self.query,
                    self.threshold):  # fmt: skip
            box.editingFinished.connect(self.commit_probe)
        self.mitigations.editingFinished.connect(
            lambda: self._commit(mitigations=self.mitigations.text())
        )
        self.runbook.editingFinished.connect(lambda: self._commit(runbook=self.runbook.text()))
        self.runbook.textChanged.connect(self._runbook_typed)
        self.open_runbook.clicked.connect(lambda: self.open_link())
        self.experiment.activated.connect(lambda _i: self.commit_experiment())
        for box in (self.experiment_date, self.experiment_result):
            box.editingFinished.connect(self.commit_experiment)

    # -- showing -------------------------------------------------------------------------
    def load(self) -> None:
        fm = self.current()
        enabled = fm is not None and not self.document.read_only
        self._loading = True
        try:
            for widget in self.editor.findChildren(QWidget):
                widget.setEnabled(enabled)
            self._set_title(fm)
            r = fm.resilience if fm else None
            fault = r.fault if r else None
            self.fault_kind.setCurrentText(fault.kind.value if fault else NO_FAULT)
            self._set(self.duration, str(fault.duration_s) if fault else "")
            self._set(self.magnitude, "" if fault is None or fault.magnitude is None
                      else str(fault.magnitude))  # fmt: skip
            self._show_unit(fault.kind if fault else None)
            component = self.document.model.components.get(fm.component_id) if fm else None
            self._set(self.target, format_target(component.chaos_target if component else None))
            self._set(self.hypothesis, r.hypothesis if r else "")
            self._load_probe(r.probe if r else None)
            self._set(self.mitigations, format_mitigations(r.mitigations) if r else "")
            self._set(self.runbook, r.runbook if r else "")
            record = r.experiment if r else ExperimentRecord()
            self.experiment.setCurrentText(record.status.value)
            self._set(self.experiment_date, record.date.isoformat() if record.date else "")
            self._set(self.experiment_result, record.result)
            self.summary.setText(self._summary_text(fm))
        finally:
            self._loading = False
        self._runbook_typed(self.runbook.text())

    def _set_title(self, fm: FailureMode | None) -> None:
        if fm is None:
            self.title.setText("Select a row in the worksheet to see its resilience here.")
            return
        component = self.document.model.components[fm.component_id].name
        self.title.setText(f"{component}: {fm.failure_mode or '(failure mode not named yet)'}")

    def _load_probe(self, probe: SteadyStateProbe | None) -> None:
        self.probe_kind.setCurrentText(probe.kind.value if probe else NO_PROBE)
        self._set(self.probe_url, probe.url if probe else "")
        self._set(self.expected_status, str(probe.expected_status) if probe else "")
        self._set(self.probe_timeout, str(probe.timeout_s) if probe else "")
        self._set(self.query, probe.query if probe else "")
        threshold = probe.threshold if probe else None
        self._set(self.threshold, "" if threshold is None else f"{threshold:g}")

    @staticmethod
    def _set(box: QLineEdit, text: str) -> None:
        if box.text() != text:
            box.setText(text)
            box.setCursorPosition(0)

    def _show_unit(self, kind: FaultKind | None) -> None:
        spec = MAGNITUDES.get(kind) if kind else None
        self.magnitude.setVisible(spec is not None)
        self.magnitude_unit.setText(f"{spec[0]} ({spec[1]})" if spec else "")
        self.magnitude.setToolTip(f"{spec[0]}, {spec[2]}-{spec[3]} {spec[1]}" if spec else "")

    def _summary_text(self, fm: FailureMode | None) -> str:
        if fm is None:
            return ""
        r = fm.resilience
        parts = [r.fault.describe() if r.fault else "no fault"]
        if r.experiment.status is not ExperimentStatus.NOT_PLANNED:
            when = f" {r.experiment.date.isoformat()}" if r.experiment.date else ""
            parts.append(f"experiment {r.experiment.status.value}{when}")
        if r.mitigations:
            parts.append(f"{len(r.mitigations)} mitigation(s)")
        if r.runbook:
            parts.append("runbook")
        return " \u00b7 ".join(parts)

    # -- edits ---------------------------------------------------------------------------
    def _push(self, make: Callable[[Model], Command | None]) -> bool:
        if self.document.apply(make) is not None:
            return True
        self.load()  # refused: the gate showed why; put the stored values back
        return False

    def _commit(self, **parts: object) -> bool:
        fm = self.current()
        if self._loading or fm is None:
            return False
        current = fm.resilience
        if all(getattr(current, name) == value for name, value in parts.items()):
            return False
        if "mitigations" in parts and parts["mitigations"] == format_mitigations(
            current.mitigations
        ):
            return False
        return self._push(lambda model: edit_resilience(model, fm.id, **parts))

    def _kind_chosen(self) -> None:
        text = self.fault_kind.currentText()
        kind = None if text == NO_FAULT else FaultKind(text)
        self._show_unit(kind)
        if kind in DEFAULT_MAGNITUDE and not self.magnitude.text().strip():
            self.magnitude.setText(str(DEFAULT_MAGNITUDE[kind]))
        if kind is not None and not self.duration.text().strip():
            self.duration.setText("60")
        self.commit_fault()

    def commit_fault(self) -> bool:
        fm = self.current()
        if self._loading or fm is None:
            return False
        text = self.fault_kind.currentText()
        if text == NO_FAULT:
            return self._commit(fault=None)
        kind = FaultKind(text)
        magnitude = self.magnitude.text() if kind in MAGNITUDES else None
        duration = self.duration.text()

        def make(model: Model) -> Command | None:
            fault = Fault.checked(kind, duration, magnitude)
            if fault == fm.resilience.fault:
                return None
            return edit_resilience(model, fm.id, fault=fault)

        return self._push(make)

    def commit_probe(self) -> bool:
        fm = self.current()
        if self._loading or fm is None:
            return False
        text = self.probe_kind.currentText()
        if text == NO_PROBE:
            return self._commit(probe=None)
        if not self.probe_url.text().strip():
            return False  # wait for the URL before the probe is complete
        kind = ProbeKind(text)
        values = {
            "expected_status": self.expected_status.text() or 200,
            "timeout_s": self.probe_timeout.text() or 5,
            "query": self.query.text() if kind is ProbeKind.PROMETHEUS else "",
            "threshold": self.threshold.text() if kind is ProbeKind.PROMETHEUS else None,
        }
        if kind is ProbeKind.PROMETHEUS and not (values["query"] and values["threshold"]):
            return False  # a Prometheus probe needs its query and threshold too
        url = self.probe_url.text()

        def make(model: Model) -> Command | None:
            probe = SteadyStateProbe.checked(kind, url, **values)
            if probe == fm.resilience.probe:
                return None
            return edit_resilience(model, fm.id, probe=probe)

        return self._push(make)

    def commit_experiment(self) -> bool:
        fm = self.current()
        if self._loading or fm is None:
            return False
        status = self.experiment.currentText()
        date, result = self.experiment_date.text(), self.experiment_result.text()

        def make(model: Model) -> Command | None:
            record = ExperimentRecord.checked(status, date, result)
            if record == fm.resilience.experiment:
                return None
            return edit_resilience(model, fm.id, experiment=record)

        return self._push(make)

    def commit_target(self) -> bool:
        fm = self.current()
        if self._loading or fm is None:
            return False
        text = self.target.text()
        component = self.document.model.components[fm.component_id]

        def make(model: Model) -> Command | None:
            target = parse_target(text)
            if target == component.chaos_target:
                return None
            return set_chaos_target(model, component.id, target)

        return self._push(make)

    # -- the runbook link ----------------------------------------------------------------
    def _runbook_typed(self, text: str) -> None:
        url = link_url(text)
        self.open_runbook.setEnabled(url is not None and self.current() is not None)
        self.open_runbook.setToolTip(
            f"Open {url}" if url else "Only http, https and file links (or a path) open"
        )

    def open_link(self) -> bool:
        link = self.runbook.text()
        url = link_url(link)
        if url is None:
            self.interaction.show_message(
                "Open Runbook",
                f"The runbook link {link!r} is not opened: only http, https and file links "
                "(or a file path) are.",
                Level.WARNING,
            )
            return False
        return self.interaction.open_link(url)
