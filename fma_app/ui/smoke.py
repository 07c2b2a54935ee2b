"""A self-check for the packaged app: prove that the window really opens, then quit.

With `FMA_SMOKE_TEST=/path/report.json` in the environment, `arm(app)` (called by `ui.app.run`
just before `app.exec()`) waits until the event loop has shown the window, writes a JSON report
of what is on screen (window classes and titles, platform, window icon sizes, image formats) and
a screenshot beside it (`report.png`), and ends the event loop with exit code 0. Without the
variable it does nothing. The bundle test (tests/packaging/test_bundle.py) runs the frozen app
offscreen this way, so a bundle that cannot create its window fails CI instead of hanging.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QTimer, qVersion
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import QApplication

ENV_REPORT = "FMA_SMOKE_TEST"
ENV_DELAY_MS = "FMA_SMOKE_DELAY_MS"
DEFAULT_DELAY_MS = 500  # lets the model load and the first paint happen before the report


def arm(app: QApplication, environ: Mapping[str, str] = os.environ) -> bool:
    """Schedule the report-and-quit when FMA_SMOKE_TEST is set; True when armed."""
    target = environ.get(ENV_REPORT)
    if not target:
        return False
    try:
        delay = int(environ.get(ENV_DELAY_MS, DEFAULT_DELAY_MS))
    except ValueError:
        delay = DEFAULT_DELAY_MS
    QTimer.singleShot(max(delay, 0), lambda: report_and_quit(app, Path(target)))
    return True


def describe(app: QApplication) -> dict[str, object]:
    windows = [w for w in app.topLevelWidgets() if w.isVisible()]
    icon = app.windowIcon()
    return {
        "platform": app.platformName(),
        "qt_version": qVersion(),
        "application_name": app.applicationName(),
        "application_version": app.applicationVersion(),
        "windows": [
            {
                "class": type(w).__name__,
                "title": w.windowTitle(),
                "width": w.width(),
                "height": w.height(),
                "icon_sizes": [s.width() for s in w.windowIcon().availableSizes()],
            }
            for w in windows
        ],
        "app_icon_null": icon.isNull(),
        "app_icon_sizes": sorted({s.width() for s in icon.availableSizes()}),
        "image_formats": sorted(
            bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()
        ),
    }


def report_and_quit(app: QApplication, target: Path) -> None:
    try:
        report = describe(app)
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        if windows:
            shot = target.with_suffix(".png")
            report["screenshot"] = str(shot) if windows[0].grab().save(str(shot)) else None
        temp = target.with_name(target.name + ".part")
        temp.write_text(json.dumps(report, indent=2), encoding="utf-8")
        temp.replace(target)  # the test never reads a half-written report
    finally:
        app.exit(0)  # ends nested loops too (a modal dialog would be in the report)
