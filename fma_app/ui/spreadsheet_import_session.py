"""The open spreadsheet behind File > Import Spreadsheet, worked on off the UI thread.

`ImportSession` owns one `SpreadsheetImport` and runs every step on it in a `QThread`, one step
at a time: opening (a legacy .xls is read whole, a workbook with many sheets is searched for FMEA
tables), detecting a sheet's layout with its preview, and the import itself with progress and
cancel. Results come back as signals in the UI thread, so the window never waits. A new preview
asked for while one is being read replaces any other still waiting: only the latest is read.
The steps never overlap, so the `SpreadsheetImport` serves one thread at a time, as it must.
Closing the session cancels an import and closes the file once the running step has ended.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, Signal

from fma_app.reports.errors import ImportCancelledError, ImportProblemsError
from fma_app.reports.mapping_words import DIALOG
from fma_app.reports.spreadsheet_import import (
    ImportResult,
    Mapping,
    PreviewRow,
    SheetLayout,
    SpreadsheetImport,
)

PREVIEW_ROWS = 50


@dataclass(frozen=True)
class Opened:
    """What the dialog needs to know about a file just opened."""

    path: Path
    sheet_names: list[str]
    fmea_sheets: list[str]
    is_report: bool


@dataclass(frozen=True)
class Analysis:
    """One sheet's layout and preview under one mapping (`request` numbers it)."""

    request: int
    sheet: str
    mapping: Mapping
    layout: SheetLayout | None
    rows: list[PreviewRow]


@dataclass(frozen=True)
class Refusal:
    """The import was refused: every problem, with its cell where it has one."""

    problems: list[str]


class _Step(QThread):
    """Runs one function off the UI thread and keeps what it returned or raised."""

    progressed = Signal(int, int)

    def __init__(self, work: Callable[[_Step], object]):
        super().__init__()
        self.work = work
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it skips (data validation, conditional
                # formats); they carry no FMEA data, as the command line also decides.
                warnings.simplefilter("ignore", UserWarning)
                self.result = self.work(self)
        except Exception as error:  # every outcome, a bug included, reaches the dialog
            self.error = error


def describe_error(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"unexpected error ({error!r})"


class ImportSession(QObject):
    """One spreadsheet, opened once; its steps run one after another in a worker thread."""

    opened = Signal(object)  # Opened
    analysed = Signal(object)  # Analysis
    progressed = Signal(int, int)  # rows read, rows expected (0: not known)
    imported = Signal(object)  # ImportResult
    refused = Signal(object)  # Refusal (open or import)
    cancelled = Signal()
    failed = Signal(str)  # one line: what went wrong that is not the spreadsheet's fault
    idle = Signal()  # no step running or waiting

    def __init__(self) -> None:
        # No parent: the session outlives its dialog until its worker has stopped (a QThread
        # destroyed while running aborts the process). `close()` lets it go.
        super().__init__()
        _LIVE.add(self)
        self.source: SpreadsheetImport | None = None
        self._running: _Step | None = None
        self._done: Callable[[_Step], None] = _ignore
        self._waiting: list[tuple[str, Callable[[_Step], object], Callable[[_Step], None]]] = []
        self._cancel = threading.Event()
        self._closing = False
        self._requests = 0

    # ---- what the dialog asks ------------------------------------------------------------
    def open(self, path: str | Path) -> None:
        """Open `path` (closing the spreadsheet open before); `opened` or `refused` follows."""
        target = Path(path)

        def work(_step: _Step) -> Opened:
            if self.source is not None:
                self.source.close()
                self.source = None
            source = SpreadsheetImport.open(target, words=DIALOG)
            self.source = source
            return Opened(target, source.sheet_names, source.fmea_sheets(), source.is_report())

        self._queue("open", work, self._opened)

    def analyse(self, sheet: str, mapping: Mapping, limit: int = PREVIEW_ROWS) -> int:
        """Detect `sheet` under `mapping` and read its first `limit` rows; returns the request
        number that the `analysed` answer carries."""
        self._requests += 1
        request, frozen = self._requests, Mapping.from_json(mapping.to_json())

        def work(_step: _Step) -> Analysis:
            source = self._source()
            layout = source.detect(sheet, frozen)  # once: the preview reads under this layout
            rows = source.preview(sheet, frozen, limit, layout=layout) if layout else []
            return Analysis(request, sheet, frozen, layout, rows)

        self._waiting = [w for w in self._waiting if w[0] != "analyse"]  # only the latest
        self._queue("analyse", work, self._analysed)
        return request

    def import_model(self, mapping: Mapping) -> None:
        """Import under `mapping`: `progressed` while reading, then `imported`, `refused`,
        `cancelled` or `failed`."""
        frozen = Mapping.from_json(mapping.to_json())
        self._cancel.clear()

        def work(step: _Step) -> ImportResult:
            return self._source().import_model(
                frozen,
                progress=lambda done, expected: step.progressed.emit(done, expected or 0),
                cancelled=self._cancel.is_set,
            )

        self._queue("import", work, self._imported)

    def cancel(self) -> None:
        """Stop a running import (it ends with `cancelled`); nothing was changed."""
        self._cancel.set()

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._waiting)

    @property
    def latest_request(self) -> int:
        return self._requests

    def close(self) -> None:
        """Cancel what runs, drop what waits, and close the file once the worker is done.
        The session then deletes itself; the caller lets go of it."""
        if self._closing:
            return
        self._closing = True
        self._cancel.set()
        self._waiting.clear()
        if self._running is None:
            self._finish_closing()

    def wait_idle(self, timeout_ms: int = 60_000) -> bool:
        """Process events until no step runs or waits (tests, and closing the app)."""
        if not self.busy:
            return True
        loop = QEventLoop()
        self.idle.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        self.idle.disconnect(loop.quit)
        return not self.busy

    # ---- the worker ----------------------------------------------------------------------
    def _source(self) -> SpreadsheetImport:
        if self.source is None:
            raise ImportProblemsError(["no spreadsheet is open"])
        return self.source

    def _queue(
        self, kind: str, work: Callable[[_Step], object], done: Callable[[_Step], None]
    ) -> None:
        if self._closing:
            return
        self._waiting.append((kind, work, done))
        self._next()

    def _next(self) -> None:
        if self._running is not None:
            return
        if not self._waiting:
            self.idle.emit()
            return
        _kind, work, done = self._waiting.pop(0)
        step = _Step(work)
        step.progressed.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        # A bound method of this object: the call is queued to the UI thread.
        step.finished.connect(self._step_done)
        self._running, self._done = step, done
        step.start()

    def _step_done(self) -> None:
        step, done = self._running, self._done
        if step is None:
            return
        step.wait()
        self._running = None
        step.deleteLater()
        if self._closing:
            self._finish_closing()
            return
        done(step)
        self._next()

    def _finish_closing(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None
        self.idle.emit()
        _LIVE.discard(self)
        self.deleteLater()

    # ---- answers -------------------------------------------------------------------------
    def _refused_or_failed(self, error: BaseException) -> None:
        if isinstance(error, ImportProblemsError):
            self.refused.emit(Refusal(list(error.problems)))
        else:
            self.failed.emit(describe_error(error))

    def _opened(self, step: _Step) -> None:
        if step.error is not None:
            self._refused_or_failed(step.error)
        else:
            self.opened.emit(step.result)

    def _analysed(self, step: _Step) -> None:
        if step.error is not None:
            self._refused_or_failed(step.error)
        else:
            self.analysed.emit(step.result)

    def _imported(self, step: _Step) -> None:
        if isinstance(step.error, ImportCancelledError):
            self.cancelled.emit()
        elif step.error is not None:
            self._refused_or_failed(step.error)
        else:
            self.imported.emit(step.result)


def _ignore(_step: _Step) -> None:
    pass


_LIVE: set[ImportSession] = set()  # every session not yet closed and finished


def live_sessions() -> list[ImportSession]:
    """The sessions whose file is still open or whose worker still runs."""
    return list(_LIVE)


def close_all_sessions(timeout_ms: int = 10_000) -> None:
    """Close every session and let its running step end (at exit, a running QThread must
    not be torn down with the application)."""
    for session in list(_LIVE):
        session.close()
        session.wait_idle(timeout_ms)
    QCoreApplication.processEvents()
