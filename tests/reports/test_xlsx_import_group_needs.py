"""An FMEA workbook's Dependencies sheet may say how many members a redundancy group needs
(a `Group needs` column, as in the report); bad cells are named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.workbook_import import import_workbook

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
    return import_workbook(path)


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


def test_a_catalogue_components_sheet_carries_availability_and_slo(tmp_path):
    workbook = openpyxl.Workbook()
    components = workbook.active
    components.title = "Components"
    components.append(["Component", "User facing", "Availability", "SLO", "SLO Window (days)"])
    components.append(["Checkout", "yes", "99.95 %", 99.9, 28])
    components.append(["Ledger", "no", 0.9999, None, None])
    components.append(["Payments", "no", None, None, None])
    dependencies = workbook.create_sheet("Dependencies")
    dependencies.append(["Component", "Depends On", "Group", "Group needs"])
    dependencies.append(["Checkout", "Ledger", "", None])
    dependencies.append(["Checkout", "Payments", "", None])
    model = import_book(workbook, tmp_path)
    checkout = model.component_by_name("Checkout")
    assert (checkout.availability, checkout.slo, checkout.slo_window_days) == (0.9995, 0.999, 28)
    assert model.component_by_name("Ledger").availability == 0.9999
    assert model.component_by_name("Payments").availability is None


def test_bad_availability_in_a_catalogue_names_its_cell(tmp_path):
    workbook = openpyxl.Workbook()
    components = workbook.active
    components.title = "Components"
    components.append(["Component", "Availability"])
    components.append(["Checkout", "101 %"])
    components.append(["Ledger", -1])
    workbook.create_sheet("Dependencies").append(["Component", "Depends On"])
    problems = problems_of(workbook, tmp_path)
    assert any(p.startswith("Components!B2: availability '101 %'") for p in problems), problems
    assert any(p.startswith("Components!B3: availability -1") for p in problems), problems
