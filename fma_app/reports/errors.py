"""Errors of the spreadsheet import and the report export."""

from __future__ import annotations

import unicodedata


class ImportProblemsError(Exception):
    """Every problem found in a workbook, each a line with its cell reference when it has one,
    for example ``DFMEA!F7: likelihood 0.8 is not a whole number from 1 to 10``."""

    def __init__(self, problems: list[str]):
        self.problems = [one_line(str(problem)) for problem in problems]
        super().__init__("\n".join(self.problems))


def one_line(problem: str) -> str:
    """Each problem stays one line: a sheet name or cell text can hold a newline or other
    control character (openpyxl accepts "bad\nname" as a sheet title); those are escaped."""
    if problem.isprintable():
        return problem
    return "".join(
        repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in problem
    )


class ReportCancelledError(Exception):
    """The user cancelled an export; nothing was written."""


class ReportError(Exception):
    """The report cannot be written (a text too long for a cell, an unusable path); one line."""


class ImportCancelledError(Exception):
    """The user cancelled an import; nothing was built."""
