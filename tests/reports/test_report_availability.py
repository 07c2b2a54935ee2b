"""The report's availability columns (Components: Availability, SLO, SLO Window (days);
Dependencies: Group Needs) written, read back, edited by a reviewer, and refused when bad."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from report_support import TODAY, build_model

from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import write_report


def with_two_of_three(model: Model) -> Model:
    """The gateway needs 2 of 3 regions."""
    gateway = model.component_by_name("API gateway")
    assert gateway is not None
    for name in ("Region A", "Region B", "Region C"):
        region = model.add_component(name, "host", availability=0.99)
        model.add_dependency(gateway.id, region.id, group="regions")
    model.group_needs[(gateway.id, "regions")] = 2
    return model


@pytest.fixture
def report_file(tmp_path) -> Path:
    path = tmp_path / "review.xlsx"
    write_report(with_two_of_three(build_model()), path, today=TODAY)
    return path


def cells_by_header(path: Path, sheet: str) -> tuple[dict[str, str], dict[str, int]]:
    """Column letter per header, and row number per first-column... name (Name or Component
    and Depends On)."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [cell.value for cell in ws[1]]
    letters = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(header)}
    key_columns = ("Name",) if sheet == "Components" else ("Component", "Depends On")
    rows = {}
    for row in range(2, ws.max_row + 1):
        key = " -> ".join(str(ws[f"{letters[k]}{row}"].value) for k in key_columns)
        rows[key] = row
    return letters, rows


def edited(path: Path, sheet: str, changes: dict[tuple[str, str], object], target: Path) -> Path:
    """Set cells by (row key, header), as a reviewer would, in a copy saved by openpyxl."""
    letters, rows = cells_by_header(path, sheet)
    book = openpyxl.load_workbook(path)
    for (key, header), value in changes.items():
        book[sheet][f"{letters[header]}{rows[key]}"] = value
    book.save(target)
    return target


def test_availability_slo_window_and_group_needs_round_trip(report_file):
    model = with_two_of_three(build_model())
    back = import_workbook(report_file)
    assert back.content() == model.content()
    gateway = back.component_by_name("API gateway")
    assert (gateway.availability, gateway.slo, gateway.slo_window_days) == (0.9995, 0.999, 28)
    assert back.needs_of(gateway.id, "regions") == 2


def test_the_sheets_show_percents_and_the_group_needs(report_file):
    letters, rows = cells_by_header(report_file, "Components")
    ws = openpyxl.load_workbook(report_file)["Components"]
    cell = ws[f"{letters['Availability']}{rows['Region A']}"]
    assert (cell.value, cell.number_format) == (0.99, "0.00##%")
    assert ws[f"{letters['Availability']}{rows['Card PSP']}"].value is None  # unknown
    letters, rows = cells_by_header(report_file, "Dependencies")
    ws = openpyxl.load_workbook(report_file)["Dependencies"]
    assert ws[f"{letters['Group Needs']}{rows['API gateway -> Region B']}"].value == 2
    assert ws[f"{letters['Group Needs']}{rows['API gateway -> payments']}"].value is None


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [(99.95, 0.9995), ("99.95", 0.9995), ("99.95%", 0.9995), ("99.95 %", 0.9995),
     (0.9995, 0.9995), ("0.9995", 0.9995), (100, 1.0), (None, None)],
)  # fmt: skip
def test_a_reviewer_may_type_a_percent_or_a_fraction(report_file, tmp_path, typed, fraction):
    changes = {("Card PSP", "Availability"): typed}
    back = import_workbook(edited(report_file, "Components", changes, tmp_path / "e.xlsx"))
    assert back.component_by_name("Card PSP").availability == fraction


def test_bad_availabilities_slos_and_windows_are_refused_with_their_cells(report_file, tmp_path):
    source = report_file.read_bytes()
    bad = edited(
        report_file,
        "Components",
        {
            ("Card PSP", "Availability"): "101 %",
            ("payments", "Availability"): -1,
            ("Session cache", "Availability"): "very high",
            ("API gateway", "SLO"): 100,
            ("Region A", "SLO Window (days)"): "a month",
        },
        tmp_path / "bad.xlsx",
    )
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    letters, rows = cells_by_header(bad, "Components")

    def c(name: str, header: str) -> str:
        return f"Components!{letters[header]}{rows[name]}"

    component_problems = [p for p in raised.value.problems if p.startswith("Components")]
    assert component_problems == [
        f"{c('API gateway', 'SLO')}: SLO 100 must be above 0 and below 100 %",
        f"{c('Card PSP', 'Availability')}: availability '101 %' is not a percentage from 0 to 100",
        f"{c('payments', 'Availability')}: availability -1 is not a percentage from 0 to 100",
        f"{c('Region A', 'SLO Window (days)')}: SLO window 'a month' is not a whole number of "
        "days from 1 to 3660",
        f"{c('Session cache', 'Availability')}: availability 'very high' is not a percentage",
    ]
    assert report_file.read_bytes() == source


def test_bad_group_needs_are_refused_with_their_cells(report_file, tmp_path):
    bad = edited(
        report_file,
        "Dependencies",
        {
            ("API gateway -> Region A", "Group Needs"): 4,
            ("API gateway -> Region B", "Group Needs"): 4,
            ("API gateway -> Region C", "Group Needs"): 4,
            ("API gateway -> payments", "Group Needs"): 2,
            ("payments -> Card PSP", "Group Needs"): "most",
        },
        tmp_path / "bad.xlsx",
    )
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    letters, rows = cells_by_header(bad, "Dependencies")

    def d(key: str) -> str:
        return f"Dependencies!{letters['Group Needs']}{rows[key]}"

    assert raised.value.problems == [
        f"{d('API gateway -> payments')}: group needs 2 given for a dependency in no group",
        f"{d('payments -> Card PSP')}: group needs 'most' is not a whole number of members "
        "from 1 up (or 'k of n')",
        f"{d('API gateway -> Region A')}: group 'regions' of 'API gateway' has 3 member(s): "
        "it can need from 1 to 3 of them, not 4",
    ]


def test_rows_of_one_group_must_agree_and_k_of_n_text_is_read(report_file, tmp_path):
    agree = edited(
        report_file,
        "Dependencies",
        {("API gateway -> Region A", "Group Needs"): "3 of 3",
         ("API gateway -> Region B", "Group Needs"): 3,
         ("API gateway -> Region C", "Group Needs"): None},
        tmp_path / "agree.xlsx",
    )  # fmt: skip
    back = import_workbook(agree)
    assert back.needs_of(back.component_by_name("API gateway").id, "regions") == 3
    disagree = edited(
        report_file, "Dependencies", {("API gateway -> Region C", "Group Needs"): 1},
        tmp_path / "disagree.xlsx",
    )  # fmt: skip
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(disagree)
    letters, rows = cells_by_header(disagree, "Dependencies")
    first = f"Dependencies!{letters['Group Needs']}{rows['API gateway -> Region A']}"
    third = f"Dependencies!{letters['Group Needs']}{rows['API gateway -> Region C']}"
    assert raised.value.problems == [f"{third}: group 'regions' needs 1 here but 2 at {first}"]


def test_a_report_without_the_new_columns_still_imports(report_file, tmp_path):
    book = openpyxl.load_workbook(report_file)
    for sheet, headers in (("Components", ("SLO Window (days)", "SLO", "Availability")),
                           ("Dependencies", ("Group Needs",))):  # fmt: skip
        ws = book[sheet]
        for header in headers:
            column = [cell.value for cell in ws[1]].index(header) + 1
            ws.delete_cols(column)
    old = tmp_path / "old.xlsx"
    book.save(old)
    back = import_workbook(old)
    assert all(c.availability is None and c.slo is None for c in back.components.values())
    assert back.group_needs == {}
    assert len(back.components) == len(with_two_of_three(build_model()).components)
