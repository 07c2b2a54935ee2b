"""What a trace import adds to a model (aliases, observed call statistics) round-trips through
the Excel report, and a report written before it still imports."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from report_support import TODAY, build_model

from fma_app.domain.model import Model, ObservedCalls
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import OBSERVED_COLUMNS, write_report

SEEN = ObservedCalls(
    calls=1_234, errors=7, p50_ms=12.345, p99_ms=250.0,
    first_seen=dt.datetime(2026, 11, 1, 0, 0, 0, 3_350, tzinfo=dt.UTC),
    last_seen=dt.datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=dt.UTC),
)  # fmt: skip


def traced_model() -> Model:
    model = build_model()
    model.component_by_name("payments").aliases = ("payments-api", "=pay", "Payments API v2")
    dependencies = list(model.dependencies.values())
    dependencies[0].observed = SEEN
    dependencies[1].observed = ObservedCalls(calls=5)  # a dependency list: counts only
    return model


def test_aliases_and_observed_statistics_round_trip(tmp_path):
    model = traced_model()
    path = tmp_path / "report.xlsx"
    write_report(model, path, "rpn", today=TODAY)
    back = import_workbook(path)
    assert back.content() == model.content()
    assert back.component_by_name("payments").aliases == ("payments-api", "=pay",
                                                          "Payments API v2")  # fmt: skip


def remove_columns(path, sheet_name: str, headers: set[str]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    for index in sorted((cell.column for cell in sheet[1] if cell.value in headers),
                        reverse=True):  # fmt: skip
        sheet.delete_cols(index)
    book.save(path)
    book.close()


def test_a_report_without_the_new_columns_still_imports(tmp_path):
    model = traced_model()
    path = tmp_path / "old.xlsx"
    write_report(model, path, "rpn", today=TODAY)
    remove_columns(path, "Components", {"Aliases"})
    remove_columns(path, "Dependencies", {name for name, _ in OBSERVED_COLUMNS})
    back = import_workbook(path)
    assert all(c.aliases == () for c in back.components.values())
    assert all(d.observed is None for d in back.dependencies.values())
    assert len(back.dependencies) == len(model.dependencies)


def test_bad_observed_cells_are_named(tmp_path):
    model = traced_model()
    path = tmp_path / "bad.xlsx"
    write_report(model, path, "rpn", today=TODAY)
    book = openpyxl.load_workbook(path)
    sheet = book["Dependencies"]
    column = {cell.value: cell.column_letter for cell in sheet[1]}
    calls_rows = [row for row in range(2, sheet.max_row + 1)
                  if sheet[f"{column['Calls']}{row}"].value is not None]  # fmt: skip
    sheet[f"{column['Errors']}{calls_rows[0]}"] = 99_999  # more errors than calls
    sheet[f"{column['Calls']}{calls_rows[1]}"] = "lots"
    book.save(path)
    book.close()
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(path)
    assert sorted(raised.value.problems) == sorted([
        f"Dependencies!{column['Calls']}{calls_rows[0]}: observed errors 99999 exceed the"
        " observed calls 1234",
        f"Dependencies!{column['Calls']}{calls_rows[1]}: observed calls 'lots' is not a whole"
        " number 0 or more",
    ])  # fmt: skip
