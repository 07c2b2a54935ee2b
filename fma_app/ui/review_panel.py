"""The Review panel: what `fma-app check` finds in the open model, as a list a review meeting
walks through.

The findings come from the same rules (`analysis/review.py`) under the same policy:
`fma-policy.toml` beside the model file when there is one. The list follows the model: after
edits it is worked out again (debounced, and only while the panel is shown, since the rules
read the whole model). Activating a finding selects what it is about: a failure mode (the
window then shows its worksheet row), a component, or the two ends of a dependency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.analysis.review import Finding, Policy, Review, ReviewInputs, review
from fma_app.analysis.review_policy import PolicyError, parse_policy
from fma_app.domain.commands import Change
from fma_app.ui.column_table import AnyIndex, ColumnTableModel, TableColumn
from fma_app.ui.context import AppContext

POLICY_FILE = "fma-policy.toml"  # beside the model, as `fma-app check` reads it
REFRESH_DELAY_MS = 400  # a burst of edits (typing, a paste) costs one review
FINDING_ROLE = Qt.ItemDataRole.UserRole


def _failure_mode_text(finding: Finding) -> str:
    if finding.failure_mode_id is None:
        return ""
    return f"{finding.failure_mode or '(unnamed)'} [#{finding.failure_mode_id}]"


def _column(header: str, text: Callable[[Finding], str]) -> TableColumn[Finding]:
    return TableColumn(header, text, cell_tip=text)  # the whole text where the cell is narrow


COLUMNS: tuple[TableColumn[Finding], ...] = (
    _column("Rule", lambda f: f.rule),
    _column("Component", lambda f: f.component or ""),
    _column("Failure Mode", _failure_mode_text),
    _column("Dependency", lambda f: f.dependency or ""),
    _column("Finding", lambda f: f.message),
)


class FindingsModel(ColumnTableModel[Finding]):
    """The findings as rows: rule, component, failure mode (with its id), dependency, message."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(COLUMNS, parent=parent)

    def set_findings(self, findings: list[Finding]) -> None:
        self.set_rows(findings)

    def finding(self, row: int) -> Finding:
        return self.rows[row]

    def role_data(self, row: Finding, index: AnyIndex, role: int) -> object:
        return row if role == FINDING_ROLE else None


def read_policy(model_path: Path | None) -> tuple[Policy, str]:
    """The policy beside the model file (or the defaults) and a problem to show, if any."""
    if model_path is None:
        return Policy(), ""
    path = model_path.parent / POLICY_FILE
    if not path.is_file():
        return Policy(), ""
    try:
        return parse_policy(path.read_text(encoding="utf-8")), ""
    except (OSError, UnicodeDecodeError) as error:
        return Policy(), f"{POLICY_FILE} cannot be read ({error}); the default rules apply"
    except PolicyError as error:
        return Policy(), f"{POLICY_FILE}: {error}; the default rules apply"


def summary_text(result: Review, policy_problem: str) -> str:
    count = len(result.findings)
    broken = len({finding.rule for finding in result.findings})
    parts = [
        f"{count} finding{'s' if count != 1 else ''} of {broken} rule{'s' if broken != 1 else ''}"
        if count
        else "No rule broken",
        f"as of {result.as_of.isoformat()}",
    ]
    if result.waived:
        parts.append(f"{len(result.waived)} waived")
    text = ", ".join(parts)
    skipped = ", ".join(r.rule.id for r in result.skipped)
    if skipped:
        text += f". Not run: {skipped}"
    return f"{text}. {policy_problem}" if policy_problem else text


class ReviewPanel(QWidget):
    """The findings of the open model, kept up to date; activating one selects its subject."""

    finding_activated = Signal(object)  # the Finding, after the selection was set

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        super().__init__(parent)
        self.document = context.document
        self.today = today
        self.policy, self.policy_problem = read_policy(self.document.path)
        self.result: Review | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.model = FindingsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._stale = True
        self._build()
        self.document.changed.connect(self._model_changed)
        self.document.model_replaced.connect(self._reload)
        self.document.path_changed.connect(self._reload)

    def _build(self) -> None:
        view = self.view
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the rules' own order until sorted
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((190, 130, 200, 150)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.activated.connect(self.activate)
        view.clicked.connect(self.activate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(view)

    # ---- keeping up with the model ---------------------------------------------------------
    def _model_changed(self, _changes: list[Change]) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def _reload(self) -> None:
        self.policy, self.policy_problem = read_policy(self.document.path)
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Work the findings out now (the debounce and the hidden panel wait for this)."""
        self._timer.stop()
        self.result = review(ReviewInputs(self.document.model, self.today()), self.policy)
        self.model.set_findings(self.result.findings)
        self.summary.setText(summary_text(self.result, self.policy_problem))
        self._stale = False

    # ---- selecting what a finding is about --------------------------------------------------
    def finding_at(self, proxy_row: int) -> Finding:
        return self.model.finding(self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row())

    def activate(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        finding = self.finding_at(index.row())
        item, model, selection = finding.item, self.document.model, self.document.selection
        if item.failure_mode_id is not None and item.failure_mode_id in model.failure_modes:
            selection.select_failure_mode(item.failure_mode_id)
        elif item.dependency_id is not None and item.dependency_id in model.dependencies:
            dependency = model.dependencies[item.dependency_id]
            selection.select_components([dependency.source_id, dependency.target_id])
        elif item.component_id is not None and item.component_id in model.components:
            selection.select_components([item.component_id])
        self.finding_activated.emit(finding)
