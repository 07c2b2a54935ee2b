"""Shared set-up for the File menu tests (test_files*, test_recovery*, test_lock*): no tests here.

A plain `QMainWindow` with a File menu, a `Document`, and a `FileController` wired to a recording
interaction, an ini-file `QSettings` and a data folder, all inside the test's tmp_path.
"""

from __future__ import annotations

import copy
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from fma_app import storage
from fma_app.domain import commands
from fma_app.domain.model import Model
from fma_app.ui.context import AppContext
from fma_app.ui.document import Document
from fma_app.ui.files import FileController
from fma_app.ui.interaction import RecordingInteraction

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FilesEnv:
    window: QMainWindow
    document: Document
    controller: FileController
    interaction: RecordingInteraction
    settings: QSettings
    data_dir: Path


def make_env(qtbot, tmp_path: Path, **controller_options) -> FilesEnv:
    window = QMainWindow()
    qtbot.addWidget(window)
    context = AppContext(
        document=Document(),
        interaction=RecordingInteraction(),
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
        data_dir=tmp_path / "data",
    )
    document, interaction = context.document, context.interaction
    settings, data_dir = context.settings, context.data_dir
    controller = FileController(window, context, **controller_options)
    controller.install(window.menuBar().addMenu("&File"))
    return FilesEnv(window, document, controller, interaction, settings, data_dir)


def sample_model(name: str = "Payments") -> Model:
    model = Model(name=name)
    checkout = model.add_component("checkout")
    payments = model.add_component("payments", "external")
    model.add_dependency(checkout.id, payments.id)
    fm = model.add_failure_mode(
        payments.id, failure_mode="timeout", effect="orders lost", severity=8, likelihood=4,
        detection=3,
    )  # fmt: skip
    model.add_action(fm.id, "add a retry with backoff", owner="ana")
    return model


def write_model(path: Path, model: Model | None = None) -> Path:
    storage.save_model(model if model is not None else sample_model(), path)
    return path


def rename_first_component(document: Document, name: str) -> str | None:
    """Rename through the document's gate; the refusal text, or None."""
    component_id = next(iter(document.model.components))
    return document.edit(
        lambda model: commands.set_fields(model, "component", component_id, name=name)
    )


@dataclass(frozen=True)
class Snapshot:
    """Everything a refused operation must leave as it was."""

    content: dict
    path: Path | None
    read_only: bool
    undo_count: int
    undo_index: int
    undo_texts: tuple[str, ...]
    modified: bool

    @staticmethod
    def of(document: Document) -> Snapshot:
        stack = document.undo_stack
        return Snapshot(
            copy.deepcopy(document.model.content()),
            document.path,
            document.read_only,
            stack.count(),
            stack.index(),
            tuple(stack.text(i) for i in range(stack.count())),
            document.modified,
        )


def file_content(path: Path) -> dict:
    return storage.open_model(path).content()


def make_read_only(path: Path) -> None:
    """Root ignores permission bits, so as root use the immutable attribute instead."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return
    result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if result.returncode != 0:  # e.g. overlayfs in a container
        pytest.skip(f"as root, and chattr +i does not work here: {result.stderr.strip()}")


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        path.chmod(0o755 if path.is_dir() else 0o644)


def subprocess_env(home: Path) -> dict[str, str]:
    """Environment for a second app process: offscreen, user folders inside `home`, and this
    folder importable (the scripts share the helpers above)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(Path(__file__).parent)])
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def click_in_modal_box(button_text: str) -> None:
    """Click a button of the message box about to open (a real, modal QMessageBox)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        (button,) = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
        button.click()

    QTimer.singleShot(0, click)
