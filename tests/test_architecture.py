"""The layer rules of DESIGN.md, enforced: import-linter contracts and a Qt-free command line."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.skip("import-linter is not installed")
    result = subprocess.run(
        [lint_imports, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_command_line_parser_does_not_load_qt():
    code = (
        "import sys; from fma_app.cli import build_parser; build_parser(); "
        "print('PySide6' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_help_and_version_load_neither_storage_nor_networkx():
    code = (
        "import sys; from fma_app.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'networkx', 'openpyxl', "
        "'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
