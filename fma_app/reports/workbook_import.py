"""`fma-app import`: one entry point for both kinds of workbook.

A report exported by FMA Workbench is rebuilt exactly (`report_import`); any other workbook is
read as an FMEA form (`xlsx_import`).
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblems

# What openpyxl and zipfile raise for a damaged file; zlib.error and EOFError come from a
# damaged compressed member (a bit flip in the deflate stream) and escaped as tracebacks.
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError, SyntaxError,
)  # fmt: skip


def load_workbook_checked(path: Path, *, read_only: bool = False):
    """Open a workbook with openpyxl or raise ImportProblems naming the file and the problem.

    Read-only workbooks stream their rows (faster, less memory) but cannot show merged cells,
    which FMEA forms use; the caller must close() them.
    """
    import openpyxl

    name = Path(path).name
    if not Path(path).is_file():
        raise ImportProblems([f"{name}: no such file"])
    try:
        return openpyxl.load_workbook(path, data_only=True, read_only=read_only)
    except DAMAGED_WORKBOOK as error:
        raise ImportProblems(
            [f"{name}: not a readable .xlsx workbook ({type(error).__name__}: {error})"]
        ) from None


def import_workbook(path: str | Path, sheet: str | None = None) -> Model:
    """Build a model from a workbook; raises ImportProblems listing every problem found."""
    from fma_app.reports import report_import, xlsx_import

    source_name = Path(path).name
    if sheet is None:
        # Our own reports have no merged cells: stream them (20,000 rows: 14 s instead of 20 s).
        streamed = load_workbook_checked(Path(path), read_only=True)
        try:
            if report_import.is_report(streamed):
                return report_import.import_report(streamed, source_name=source_name)
        except ImportProblems:
            raise
        except DAMAGED_WORKBOOK as error:
            # A streamed sheet is parsed only now; a damaged one fails here, not at load.
            raise ImportProblems(
                [f"{source_name}: not a readable .xlsx workbook ({type(error).__name__}: {error})"]
            ) from None
        finally:
            streamed.close()
    workbook = load_workbook_checked(Path(path))
    return xlsx_import.import_fmea_workbook(workbook, source_name=source_name, sheet=sheet)
