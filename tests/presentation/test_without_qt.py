"""The presentation package works where PySide6 cannot be imported (a headless server, the
command line): its modules load and its tests pass with Qt blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# None in sys.modules makes any `import PySide6` raise ImportError, as if it were not installed.
BLOCK_QT = "import sys; sys.modules['PySide6'] = None; sys.modules['shiboken6'] = None; "


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_QT + code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_block_really_stops_qt():
    result = run_python("import PySide6.QtCore")
    assert result.returncode != 0
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr


def test_every_module_imports_and_works_without_qt():
    code = (
        "import importlib, pkgutil\n"
        "import fma_app.presentation as package\n"
        "names = [m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + '.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "from fma_app.domain.model import Model\n"
        "from fma_app.presentation import clipboard, rating_scales, style, worksheet\n"
        "model = Model()\n"
        "api = model.add_component('api').id\n"
        "fm = model.add_failure_mode(api, severity=9, likelihood=9, detection=9)\n"
        "cells = worksheet.row_values(model, fm, (0, 0, 0))\n"
        "assert clipboard.parse_tsv(clipboard.to_tsv([list(cells)])) == [[str(c) for c in cells]]\n"
        "assert rating_scales.meaning('severity', 9).startswith('9: ')\n"
        "assert style.ap_style(cells[11]).label == 'High'\n"
        "from fma_app.presentation.text import elide_middle\n"
        "assert elide_middle('abcdefgh', 5) == 'ab\u2026gh'\n"
        "print(sorted(names), 'PySide6' in sys.modules and sys.modules['PySide6'] is not None)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['fma_app.presentation.availability',",
        "'fma_app.presentation.clipboard',",
        "'fma_app.presentation.rating_scales',",
        "'fma_app.presentation.style',",
        "'fma_app.presentation.text',",
        "'fma_app.presentation.worksheet']",
        "False",
    ]


def test_the_presentation_tests_pass_without_qt():
    """pytest-qt is switched off: its plugin imports Qt when it loads."""
    folder = HERE.relative_to(ROOT)
    this_test = f"{folder}/test_without_qt.py::test_the_presentation_tests_pass_without_qt"
    code = "import pytest; sys.exit(pytest.main(sys.argv[1:]))"
    result = run_python(
        code,
        "-q",
        "-p", "no:cacheprovider",
        "-p", "no:pytest-qt",
        "--deselect", this_test,
        str(folder),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout
