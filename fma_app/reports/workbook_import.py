"""`fma-app import`: one entry point for both kinds of workbook.

A report exported by FMA Workbench is rebuilt exactly (`report_import`); any other workbook is
read as an FMEA form (`xlsx_import`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblemsError

if TYPE_CHECKING:  # openpyxl is imported when a workbook is read, not with this module
    from openpyxl.workbook.workbook import Workbook

# What openpyxl and zipfile raise for a damaged file; zlib.error and EOFError come from a
# damaged compressed member (a bit flip in the deflate stream) and escaped as tracebacks.
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError, SyntaxError,
)  # fmt: skip


def load_workbook_checked(path: Path) -> Workbook:
    """Load a whole workbook with openpyxl or raise ImportProblemsError naming the file and the
    problem."""
    handle, workbook = _load(path, read_only=False)
    handle.close()  # everything is loaded
    return workbook


@contextmanager
def streamed_workbook(path: Path) -> Iterator[Workbook]:
    """A read-only workbook that streams its rows (faster, less memory, but it cannot show
    merged cells, which FMEA forms use); closed with its file on leaving."""
    handle, workbook = _load(path, read_only=True)
    try:
        yield workbook
    finally:
        try:
            workbook.close()  # raises on some damaged archives: the handle must close anyway
        finally:
            handle.close()


def _load(path: Path, *, read_only: bool) -> tuple[BinaryIO, Workbook]:
    import openpyxl

    name = Path(path).name
    if not Path(path).is_file():
        raise ImportProblemsError([f"{name}: no such file"])
    # We own the file handle: openpyxl leaves its own open when a damaged workbook fails to load.
    handle = open(path, "rb")  # noqa: SIM115 (the callers close it)
    try:
        if not read_only:
            _check_merged_area(Path(path), name)
        workbook = openpyxl.load_workbook(handle, data_only=True, read_only=read_only)
    except BaseException as error:
        handle.close()
        if isinstance(error, DAMAGED_WORKBOOK):
            raise ImportProblemsError(
                [f"{name}: not a readable .xlsx workbook ({type(error).__name__}: {error})"]
            ) from None
        raise
    return handle, workbook


# openpyxl creates a cell object for every cell a merged range covers when it loads a sheet:
# a range A1:XFD1048576 (17 billion cells) would exhaust memory before any check of ours.
MAX_MERGED_CELLS = 2_000_000
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)


def _check_merged_area(path: Path, name: str) -> None:
    """Refuse a workbook whose merged ranges cover more cells than any form has."""
    from openpyxl.utils import column_index_from_string as column

    total = 0
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                for found in _MERGE_REF.finditer(archive.read(member)):
                    left, top, right, bottom = (part.decode() for part in found.groups())
                    width = abs(column(right) - column(left)) + 1
                    total += width * (abs(int(bottom) - int(top)) + 1)
    if total > MAX_MERGED_CELLS:
        raise ImportProblemsError(
            [f"{name}: its merged cells cover {total:,} cells; FMA Workbench reads workbooks "
             f"whose merged cells cover at most {MAX_MERGED_CELLS:,}"]
        )  # fmt: skip


def import_workbook(path: str | Path, sheet: str | None = None) -> Model:
    """Build a model from a workbook; raises ImportProblemsError listing every problem found."""
    from fma_app.reports import report_import, xlsx_import

    source_name = Path(path).name
    if sheet is None:
        # Our own reports have no merged cells: stream them (20,000 rows: 14 s instead of 20 s).
        with streamed_workbook(Path(path)) as streamed:
            try:
                if report_import.is_report(streamed):
                    return report_import.import_report(streamed, source_name=source_name)
            except ImportProblemsError:
                raise
            except DAMAGED_WORKBOOK as error:
                # A streamed sheet is parsed only now; a damaged one fails here, not at load.
                raise ImportProblemsError(
                    [
                        f"{source_name}: not a readable .xlsx workbook "
                        f"({type(error).__name__}: {error})"
                    ]
                ) from None
    workbook = load_workbook_checked(Path(path))
    return xlsx_import.import_fmea_workbook(workbook, source_name=source_name, sheet=sheet)
