"""File > Export Report: the ranked Excel report written off the UI thread, with progress and
cancel.

`ReportExportJob` is the dialog-free core: it snapshots the model, runs `write_report` in a
`QThread` and reports through signals; a cancelled or failed export leaves no file behind and an
existing file at the path untouched (the writer renames a complete file into place).
`export_report_interactive` adds the save dialog, the progress dialog and the error message.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from fma_app.analysis.review import Policy
from fma_app.domain.model import PROPERTY_LABELS, Model
from fma_app.reports.errors import ReportCancelledError, ReportError
from fma_app.reports.xlsx_report import write_report
from fma_app.ui.document import Document
from fma_app.ui.interaction import Interaction, Level, WrittenChoice
from fma_app.ui.review_panel import read_policy

REPORT_FILE_FILTER = "Excel workbook (*.xlsx)"
PROGRESS_STEPS = 1000
TITLE = "Export Report"
# The rankings `fma-app report --by` offers: (value for write_report, what the user reads).
RANKINGS: tuple[tuple[str, str], ...] = (
    ("rpn", "RPN (severity \u00d7 likelihood \u00d7 detection)"),
    ("ap", "Action Priority (AIAG-VDA H/M/L)"),
)


def snapshot(model: Model) -> Model:
    """A copy the worker can read while the user goes on editing. Entity fields are immutable
    values, so copying each entity is enough (and far cheaper than a deep copy)."""
    return Model(
        **{name: getattr(model, name) for name in PROPERTY_LABELS},  # the Summary's header
        uuid=model.uuid,  # the identity the report carries back
        components={k: copy.copy(v) for k, v in model.components.items()},
        dependencies={k: copy.copy(v) for k, v in model.dependencies.items()},
        failure_modes={k: copy.copy(v) for k, v in model.failure_modes.items()},
        actions={k: copy.copy(v) for k, v in model.actions.items()},
    )


class _Worker(QThread):
    progressed = Signal(int, int)

    def __init__(
        self, model: Model, path: Path, by: str, cancel: threading.Event, policy: Policy | None
    ):
        super().__init__()
        self.model, self.path, self.by, self.cancel = model, path, by, cancel
        self.policy = policy
        self.outcome: tuple[str, str] = ("failed", "the export did not run")

    def run(self) -> None:
        try:
            write_report(self.model, self.path, self.by, progress=self.progressed.emit,
                         cancelled=self.cancel.is_set, policy=self.policy)  # fmt: skip
        except ReportCancelledError:
            self.outcome = ("cancelled", "")
        except ReportError as error:
            self.outcome = ("failed", str(error))
        except OSError as error:
            self.outcome = ("failed", f"cannot write {self.path}: {error.strerror or error}")
        except Exception as error:  # a bug must reach the user as a message, not kill the app
            self.outcome = ("failed", f"the report could not be written ({error!r})")
        else:
            self.outcome = ("finished", str(self.path))


class ReportExportJob(QObject):
    """One export. Signals arrive in the thread that created the job (the UI thread)."""

    progressed = Signal(int, int)  # done, total
    finished = Signal(str)  # the path written
    failed = Signal(str)  # one-line message
    cancelled = Signal()
    ended = Signal()  # after any of the three above

    def __init__(
        self,
        model: Model,
        path: str | Path,
        by: str = "rpn",
        parent: QObject | None = None,
        policy: Policy | None = None,  # for the Findings sheet; None: the default rules
    ):
        super().__init__(parent)
        self.path = Path(path)
        self.outcome: str | None = None
        self.message = ""
        self._cancel = threading.Event()
        self._worker = _Worker(snapshot(model), self.path, by, self._cancel, policy)
        self._worker.progressed.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._on_worker_done)

    def start(self) -> None:
        self._worker.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self.outcome is None

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Block (processing events) until the job has ended; True if it did."""
        if self.outcome is not None:
            return True
        loop = QEventLoop()
        self.ended.connect(loop.quit)
        give_up = QTimer(singleShot=True, interval=timeout_ms)
        give_up.timeout.connect(loop.quit)
        give_up.start()
        loop.exec()
        give_up.stop()
        self.ended.disconnect(loop.quit)
        return self.outcome is not None

    def _on_worker_done(self) -> None:
        self._worker.wait()
        self.outcome, self.message = self._worker.outcome
        if self.outcome == "finished":
            self.finished.emit(self.message)
        elif self.outcome == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(self.message)
        self.ended.emit()


def _suggested_path(document: Document) -> str:
    if document.path is not None:
        return str(document.path.with_suffix(".xlsx"))
    name = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in document.model.name)
    return f"{name.strip() or 'report'}.xlsx"


def ask_report_path(interaction: Interaction, document: Document) -> str | None:
    return interaction.choose_save_path(
        TITLE, _suggested_path(document), REPORT_FILE_FILTER, "xlsx"
    )


def ask_ranking(interaction: Interaction, by: str = "rpn") -> str | None:
    """The ranking, "rpn" or "ap", the user chose (`by` preselected); None when cancelled."""
    values = [value for value, _label in RANKINGS]
    labels = [label for _value, label in RANKINGS]
    current = values.index(by) if by in values else 0
    index = interaction.ask_choice(TITLE, "Rank the failure modes by:", labels, current)
    return None if index is None else values[index]


def offer_to_open(interaction: Interaction, path: Path) -> None:
    """Say where the report went and open it, or its folder, if the user asks."""
    path = path.resolve()
    text = f"The report was written to {path.name} in the folder {path.parent}."
    choice = interaction.ask_written(TITLE, text)
    if choice is WrittenChoice.CLOSE:
        return
    target = path if choice is WrittenChoice.OPEN_FILE else path.parent
    if not interaction.open_location(target):
        interaction.show_message(
            TITLE, f"{target} could not be opened: no application is set to open it.",
            Level.WARNING,
        )  # fmt: skip


def run_with_progress(parent: QWidget | None, job: ReportExportJob) -> ReportExportJob:
    """Run `job` behind a modal progress dialog whose Cancel button cancels it."""
    dialog = QProgressDialog("Writing the report\u2026", "Cancel", 0, PROGRESS_STEPS, parent)
    dialog.setWindowTitle(TITLE)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)  # small models finish before it would flash up
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(job.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling\u2026"))
    job.progressed.connect(
        lambda done, total: dialog.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // total))
    )
    job.ended.connect(dialog.close)
    job.start()
    job.wait(timeout_ms=24 * 3600 * 1000)
    dialog.close()
    dialog.deleteLater()
    return job


def export_report_interactive(
    parent: QWidget | None, document: Document, interaction: Interaction, by: str = "rpn"
) -> bool:
    """Ask for the ranking and a path, write the report with a cancellable progress dialog,
    then say where it went (offering to open it) or what went wrong. True when written."""
    chosen = ask_ranking(interaction, by)
    if chosen is None:
        return False
    path = ask_report_path(interaction, document)
    if not path:
        return False
    policy, _problem = read_policy(document.path)  # as the Review panel and fma-app check
    job = run_with_progress(
        parent, ReportExportJob(document.model, path, chosen, parent, policy=policy)
    )
    if job.outcome == "failed":
        message = f"The report was not written: {job.message}."
        interaction.show_message(TITLE, message, Level.CRITICAL)
    elif job.outcome == "finished":
        offer_to_open(interaction, job.path)
    return job.outcome == "finished"
