"""An install without the `desktop` extra (no PySide6), as a CI job has it: every command but
the window works, and the window says in one line how to get it.

Each command runs in a fresh process whose PYTHONPATH holds a sitecustomize that makes PySide6
and shiboken6 unimportable, as if they were not installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOCKER = """
import importlib.abc
import sys


class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("PySide6", "shiboken6"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoQt())
"""


@pytest.fixture(scope="module")
def no_qt(tmp_path_factory) -> dict[str, str]:
    """The environment of a process that cannot import Qt."""
    folder = tmp_path_factory.mktemp("no-qt")
    (folder / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(folder), MPLBACKEND="Agg", DISPLAY=":0")
    return env


def fma_app(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fma_app", *argv],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_blocker_really_stops_qt(no_qt, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import PySide6.QtCore"],
        env=no_qt, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "No module named 'PySide6'" in done.stderr


def test_every_command_but_the_window_works_without_qt(no_qt, tmp_path):
    model, report = tmp_path / "demo.fma", tmp_path / "demo.xlsx"
    assert fma_app(no_qt, tmp_path, "demo", "-o", str(model)).returncode == 0
    rank = fma_app(no_qt, tmp_path, "rank", str(model), "--top", "3")
    assert (rank.returncode, rank.stderr) == (0, "")
    assert rank.stdout.count("\n") >= 3
    check = fma_app(no_qt, tmp_path, "check", str(model), "--as-of", "2026-01-01")
    assert check.returncode in (0, 1), check.stderr
    assert check.stdout.splitlines()[-1].startswith(("passed:", "failed:"))
    junit = fma_app(no_qt, tmp_path, "check", str(model), "--format", "junit")
    assert junit.stdout.startswith("<?xml"), junit.stderr
    assert fma_app(no_qt, tmp_path, "report", str(model), "-o", str(report)).returncode == 0
    back = fma_app(no_qt, tmp_path, "import", str(report), "-o", str(tmp_path / "back.fma"))
    assert (back.returncode, back.stderr) == (0, "")
    info = fma_app(no_qt, tmp_path, "info", str(tmp_path / "back.fma"))
    assert "Failure modes:" in info.stdout


@pytest.mark.parametrize("argv", [[], ["MODEL"]], ids=["empty", "model"])
def test_the_window_says_how_to_get_the_desktop_extra(no_qt, tmp_path, argv):
    argv = [str(tmp_path / "some.fma") if arg == "MODEL" else arg for arg in argv]
    done = fma_app(no_qt, tmp_path, *argv)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "fma-app: error: the desktop window needs PySide6, which this installation lacks "
        "(every other command works without it); install it with: "
        "pip install 'fma-workbench[desktop]'\n"
    )
