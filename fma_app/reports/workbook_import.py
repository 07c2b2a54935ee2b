"""`fma-app import`: one entry point for every kind of spreadsheet.

A report exported by FMA Workbench is rebuilt exactly (`report_import`); any other workbook or
CSV file is read as an FMEA form (`spreadsheet_import`).
"""

from __future__ import annotations

from pathlib import Path

from fma_app.domain.model import Model
from fma_app.reports.spreadsheet_import import Mapping, import_spreadsheet


def import_workbook(path: str | Path, sheet: str | None = None) -> Model:
    """Build a model from a spreadsheet; raises ImportProblemsError listing every problem."""
    return import_spreadsheet(path, Mapping(sheet=sheet)).model
