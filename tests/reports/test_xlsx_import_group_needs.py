"""An FMEA workbook's Dependencies sheet may say how many members a redundancy group needs
(a `Group needs` column, as in the report); bad cells are named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fma_app.domain.model import Model
from fma_app.reports import xlsx_import
from fma_app.reports.errors import ImportProblemsError

HEADER = ("Component", "Depends On", "Strength", "Redundancy Group", "Group needs")


def with_dependencies(rows: list[list[object]], header: tuple[str, ...]) -> openpyxl.Workbook:
    """A small DFMEA form with Checkout, Payments and Ledger, and a Dependencies sheet whose
    header is on row 3 (data from row 4)."""
    workbook = openpyxl.Workbook()
    form = workbook.active
    form.title = "DFMEA"
    form.append(["Item", "Function", "Failure Mode", "Effect", "Severity", "Cause", "Occurrence",
                 "Detection"])  # fmt: skip
    form.append(["Checkout", "Take orders", "Fails", "No sales", 8, "Bug", 2, 2])
    form.append(["Payments"])
    form.append(["Ledger"])
    sheet = workbook.create_sheet("Dependencies")
    sheet["A1"] = "Who depends on whom"
    for column, text in enumerate(header, start=1):
        sheet.cell(3, column, text)
    for row, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    return workbook


def import_book(workbook: openpyxl.Workbook, tmp_path: Path) -> Model:
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    loaded = openpyxl.load_workbook(path, data_only=True)
    return xlsx_import.import_fmea_workbook(loaded, source_name=path.name, sheet=None)


def problems_of(workbook: openpyxl.Workbook, tmp_path: Path) -> list[str]:
    with pytest.raises(ImportProblemsError) as caught:
        import_book(workbook, tmp_path)
    return caught.value.problems


def test_group_needs_are_read_per_group(tmp_path):
    workbook = with_dependencies(
        [
            ["Checkout", "Payments", None, "backends", "2 of 2"],
            ["Checkout", "Ledger", None, "backends", 2],
            ["Payments", "Ledger", None, None, None],
        ],
        header=HEADER,
    )
    model = import_book(workbook, tmp_path)
    checkout = model.component_by_name("Checkout")
    assert model.needs_of(checkout.id, "backends") == 2
    assert model.live_group_needs() == {(checkout.id, "backends"): 2}


def test_bad_group_needs_name_their_cells(tmp_path):
    workbook = with_dependencies(
        [
            ["Checkout", "Payments", None, "backends", 3],
            ["Checkout", "Ledger", None, "backends", 3],
            ["Payments", "Ledger", None, None, "two"],
        ],
        header=HEADER,
    )
    assert problems_of(workbook, tmp_path) == [
        "Dependencies!E6: group needs 'two' is not a whole number of members from 1 up "
        "(or 'k of n')",
        "Dependencies!E4: group 'backends' of 'Checkout' has 2 member(s): it can need from 1 to "
        "2 of them, not 3",
    ]
