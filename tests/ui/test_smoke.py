"""The bundle's self-check: with FMA_SMOKE_TEST set, the app reports its windows and quits."""

from __future__ import annotations

import json

from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QWidget

from fma_app.resources import app_icon_files
from fma_app.ui import smoke


def test_not_armed_without_the_variable(qapp):
    assert smoke.arm(qapp, {}) is False
    assert smoke.arm(qapp, {"FMA_SMOKE_TEST": ""}) is False


def test_report_lists_the_visible_window_and_saves_a_screenshot(qapp, qtbot, tmp_path, monkeypatch):
    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
    previous_icon = qapp.windowIcon()
    qapp.setWindowIcon(icon)
    widget = QWidget()
    widget.setWindowTitle("probe window")
    widget.resize(320, 200)
    qtbot.addWidget(widget)
    widget.show()
    report_path = tmp_path / "report.json"
    env = {"FMA_SMOKE_TEST": str(report_path), "FMA_SMOKE_DELAY_MS": "0"}
    # The real exit would end the test session's application: outside a running loop it leaves
    # the quit pending, and every later qtbot wait returns without delivering timers or signals.
    exits: list[int] = []
    monkeypatch.setattr(qapp, "exit", exits.append)
    try:
        assert smoke.arm(qapp, env) is True
        qtbot.waitUntil(report_path.exists, timeout=5000)
    finally:
        qapp.setWindowIcon(previous_icon)
    qtbot.waitUntil(lambda: exits == [0], timeout=5000)  # the check ends the app with 0
    report = json.loads(report_path.read_text())
    assert report["platform"] == "offscreen"
    assert {"class": "QWidget", "title": "probe window", "width": 320, "height": 200} in [
        {k: w[k] for k in ("class", "title", "width", "height")} for w in report["windows"]
    ]
    assert report["app_icon_null"] is False
    assert 16 in report["app_icon_sizes"]
    assert "png" in report["image_formats"]
    shot = QImage(report["screenshot"])
    assert not shot.isNull()
    assert shot.width() >= 320


def test_app_ended_by_the_smoke_check_releases_its_lock(tmp_path):
    """QApplication.exit() skips closeEvent; run() must still release the model's lock."""
    import os
    import subprocess
    import sys

    from fma_app.domain.model import Model
    from fma_app.storage import save_model

    model_path = tmp_path / "plant.fma"
    save_model(Model(name="Plant"), model_path)
    report = tmp_path / "smoke.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FMA_SMOKE_TEST=str(report))
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run(
        [sys.executable, "-m", "fma_app", str(model_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["windows"][0]["title"].startswith("plant.fma")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("plant")) == ["plant.fma"]
