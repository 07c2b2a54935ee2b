"""The layer rules of DESIGN.md, enforced: import-linter contracts and a Qt-free command line."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None, (
        "import-linter is missing: it is a dev dependency (pip install -e '.[dev]'), and without "
        "it the layer rules of DESIGN.md go unchecked"
    )
    result = subprocess.run(
        [lint_imports],  # reads pyproject.toml in cwd
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# Pure Python all the way down: these run wherever Python does, with nothing installed.
STANDARD_LIBRARY_ONLY = ("fma_app.domain", "fma_app.gc_pause", "fma_app.resources")


def test_the_domain_and_the_leaf_helpers_import_the_standard_library_only():
    """The import-linter contract names the packages installed today; this catches any other."""
    import grimp  # import-linter's own import graph, so missing only where import-linter is

    graph = grimp.build_graph("fma_app", include_external_packages=True)
    modules = {m for name in STANDARD_LIBRARY_ONLY for m in {name} | graph.find_descendants(name)}
    outside = sorted(
        f"{importer} imports {imported}"
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.partition(".")[0] not in {"fma_app", *sys.stdlib_module_names}
    )
    assert len(modules) > len(STANDARD_LIBRARY_ONLY)  # the domain's modules were found
    assert not outside, outside


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
