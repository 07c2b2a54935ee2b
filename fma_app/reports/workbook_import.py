"""`fma-app import`: one entry point for both kinds of workbook.

A report exported by FMA Workbench is rebuilt exactly (`report_import`); any other workbook is
read as an FMEA form (`xlsx_import`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblems


def load_workbook_checked(path: Path):
    """Open a workbook with openpyxl or raise ImportProblems naming the file and the problem."""
    import openpyxl

    name = Path(path).name
    if not Path(path).is_file():
        raise ImportProblems([f"{name}: no such file"])
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportProblems(
            [f"{name}: not a readable .xlsx workbook ({type(error).__name__}: {error})"]
        ) from None


def import_workbook(path: str | Path, sheet: str | None = None) -> Model:
    """Build a model from a workbook; raises ImportProblems listing every problem found."""
    from fma_app.reports import report_import, xlsx_import

    workbook = load_workbook_checked(Path(path))
    if sheet is None and report_import.is_report(workbook):
        return report_import.import_report(workbook, source_name=Path(path).name)
    return xlsx_import.import_fmea_workbook(workbook, source_name=Path(path).name, sheet=sheet)
