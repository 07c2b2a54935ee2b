"""Two desktop windows on one shared model: one edit through the window's gate, and how soon the
other window's worksheet shows it. Prints figures; never fails.

    .venv/bin/python -m benchmarks.bench_shared_window [--url postgresql://...] [--edits N]

Without --url a throwaway server is started as the tests start one (tests/pg_server.py). The
generated model (20,000 failure modes by default) is put on it and two main windows (offscreen,
in this one process, sharing its event loop) open it as alice and bob. Then, N times:
- edit: `Document.edit` in alice's window, a failure mode's severity (the domain command, the
  commit step's transaction on the server, the views' refresh), until it returns;
- shown in the other window: from just before alice's edit until bob's worksheet shows the new
  value, the event loop running (the notification socket wakes bob's window, which fetches the
  change and announces it to its views).
Also: opening the shared model in a window (`fma-app URL` without the first paint). Goals (issue
18): one edit commits in under 50 ms; another window shows it within 1 s.
"""

from __future__ import annotations

import os
import time

from benchmarks.bench_shared_edit import _push, _report, database, shared_bench_args
from benchmarks.bench_ui import load_average
from benchmarks.generate import describe, model_from_args
from fma_app.domain.model import Model

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EDIT_GOAL_MS = 50.0
SHOWN_GOAL_MS = 1000.0


def main() -> None:
    args = shared_bench_args(__doc__ or "", edits=30)
    with database(args.url) as url:
        run(url, args.edits, model_from_args(args))


def run(url: str, edits: int, model: Model) -> None:
    import tempfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from fma_app.domain.commands import set_fields
    from fma_app.presentation.worksheet import COLUMN_INDEX
    from fma_app.storage.shared.session import SharedSession
    from fma_app.ui.app import build_context, build_window, make_application
    from fma_app.ui.document import Document
    from fma_app.ui.interaction import RecordingInteraction

    app = make_application()
    print(f"model: {describe(model)}; {load_average()}")
    shared_url = _push(url, model, "bench")
    folder = tempfile.mkdtemp(prefix="fma-bench-")

    def window_for(user: str):  # type: ignore[no-untyped-def]
        settings = QSettings(f"{folder}/{user}.ini", QSettings.Format.IniFormat)
        context = build_context(
            document=Document(),
            settings=settings,
            interaction=RecordingInteraction(),
            open_shared_session=lambda loc, pw: SharedSession.open(loc, password=pw, user=user),
        )
        window = build_window(context)
        start = time.perf_counter()
        if not window.start(shared_url):
            raise SystemExit(f"cannot open: {context.interaction.messages}")
        print(f"open in a window ({user}): {time.perf_counter() - start:.2f} s")
        window.show()
        return window

    alice, bob = window_for("alice"), window_for("bob")
    app.processEvents()
    sheet = bob.worksheet.model
    column = COLUMN_INDEX["severity"]
    ids = sorted(alice.document.model.failure_modes)
    edit_ms: list[float] = []
    shown_ms: list[float] = []
    for n in range(edits):
        fm_id = ids[(n * 7919) % len(ids)]
        value = 1 + (alice.document.model.failure_modes[fm_id].severity or 0) % 10
        start = time.perf_counter()
        refusal = alice.document.edit(
            lambda m, f=fm_id, v=value: set_fields(m, "failure_mode", f, severity=v)
        )
        edited = time.perf_counter()
        if refusal is not None:
            raise SystemExit(f"edit refused: {refusal}")
        deadline = edited + 10
        while True:
            QApplication.processEvents()
            row = sheet.row_of(fm_id)
            if row is not None and sheet.data(sheet.index(row, column)) == value:
                break
            if time.perf_counter() > deadline:
                raise SystemExit("the other window never showed the edit")
            time.sleep(0.001)
        edit_ms.append((edited - start) * 1000)
        shown_ms.append((time.perf_counter() - start) * 1000)
    alice.shared.shutdown()
    bob.shared.shutdown()
    _report("edit through the window's gate (commit included)", edit_ms, EDIT_GOAL_MS)
    _report("shown in the other window", shown_ms, SHOWN_GOAL_MS)


if __name__ == "__main__":
    main()
