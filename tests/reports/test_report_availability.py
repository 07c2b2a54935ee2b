"""The report's Availability sheet, read back with openpyxl: the same figures as `fma-app
availability` and the panel, coloured verdicts, upper bounds named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from report_support import TODAY

from fma_app.analysis.availability import entry_point_availability
from fma_app.cli.demo import load_example
from fma_app.domain.model import Model
from fma_app.presentation.style import SLO_MET, SLO_MISSED, UPPER_BOUND, rgb
from fma_app.reports.availability_sheet import (
    AVAILABILITY_COLUMNS,
    AVAILABILITY_SHEET,
    NO_ENTRY_POINTS,
    NOTE,
)
from fma_app.reports.report_import import import_report
from fma_app.reports.xlsx_report import write_report

HEADERS = [name for name, _ in AVAILABILITY_COLUMNS]


def written(model: Model, path: Path) -> list[dict[str, object]]:
    write_report(model, path, today=TODAY)
    sheet = openpyxl.load_workbook(path)[AVAILABILITY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:] if row[0] is not None]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Model, Path, list[dict[str, object]]]:
    model = load_example()
    path = tmp_path_factory.mktemp("availability") / "example.xlsx"
    return model, path, written(model, path)


def test_one_row_per_entry_point_with_the_cli_figures(example):
    model, _path, rows = example
    results = entry_point_availability(model)
    entries = [row for row in rows if row["Entry Point"] != NOTE]
    assert [row["Entry Point"] for row in entries] == [
        model.components[r.entry_point].name for r in results
    ]
    for row, result in zip(entries, results, strict=True):
        assert row["Availability"] == pytest.approx(result.availability, abs=1e-15)
        assert row["SLO"] == pytest.approx(result.slo)
        assert row["Window (days)"] == 30
        assert row["Verdict"] == ("met" if result.meets_slo else "NOT met")
        assert row["Downtime (min)"] == pytest.approx(result.downtime_minutes)
        assert row["Budget (min)"] == pytest.approx(result.budget_minutes)
        assert row["Budget Used"] == pytest.approx(result.budget_consumed)
        assert row["Method"] == "exact"
        assert row["Unknown Availability (upper bound)"] is None
        first = model.components[result.contributors[0].component_id].name
        assert str(row["Costliest Components (gain if it never failed)"]).startswith(
            f"1. {first} +"
        )
    gateway = next(row for row in entries if row["Entry Point"] == "Payments API gateway")
    assert gateway["Verdict"] == "NOT met"
    assert gateway["Budget Used"] > 1


def test_verdicts_carry_the_palette_and_the_note_explains(example):
    _model, path, rows = example
    sheet = openpyxl.load_workbook(path)[AVAILABILITY_SHEET]
    fills = {
        sheet.cell(row, 1).value: sheet.cell(row, 6).fill.fgColor.rgb for row in range(2, 2 + 2)
    }
    assert fills["Payments API gateway"].endswith(rgb(SLO_MISSED.fill))
    assert fills["Merchant dashboard"].endswith(rgb(SLO_MET.fill))
    assert sheet.cell(2, 2).number_format == "0.0000%"
    assert any(row["Entry Point"] == NOTE for row in rows)


def test_unknown_availabilities_are_named_as_an_upper_bound(tmp_path):
    model = load_example()
    ledger = model.component_by_name("Ledger primary")
    assert ledger is not None
    ledger.availability = None
    rows = written(model, tmp_path / "unknown.xlsx")
    gateway = next(row for row in rows if row["Entry Point"] == "Payments API gateway")
    assert gateway["Unknown Availability (upper bound)"] == "Ledger primary"
    sheet = openpyxl.load_workbook(tmp_path / "unknown.xlsx")[AVAILABILITY_SHEET]
    cell = next(
        sheet.cell(r, 10) for r in range(2, 4) if sheet.cell(r, 1).value == "Payments API gateway"
    )
    assert cell.fill.fgColor.rgb.endswith(rgb(UPPER_BOUND.fill))


def test_a_model_without_entry_points_says_how_to_get_them(tmp_path):
    rows = written(Model(name="Nothing yet"), tmp_path / "empty.xlsx")
    assert [row["Entry Point"] for row in rows] == [NO_ENTRY_POINTS]


def test_the_report_with_the_sheet_still_imports_unchanged(example):
    model, path, _rows = example
    back = import_report(openpyxl.load_workbook(path), path.name)
    assert {c.name: c.availability for c in back.components.values()} == {
        c.name: c.availability for c in model.components.values()
    }
