"""The report's Resilience and Chaos Targets sheets: written for a reviewer, read back exactly
(with the model's identity), bad cells named, and older reports without them still imported."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fma_app.cli.demo import load_example
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import RESILIENCE_COLUMNS, write_report


@pytest.fixture(scope="module")
def example():
    return load_example()


@pytest.fixture(scope="module")
def report(example, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_report(example, path, "rpn")
    return path


def test_the_round_trip_keeps_resilience_targets_and_identity(example, report):
    back = import_workbook(report)
    assert back.content() == example.content()
    assert back.uuid == example.uuid
    faulted = [fm for fm in back.failure_modes.values() if fm.resilience.fault is not None]
    assert len(faulted) == 16


def test_the_resilience_sheet_reads_like_the_details(example, report):
    ws = openpyxl.load_workbook(report)["Resilience"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(name for name, _width in RESILIENCE_COLUMNS)
    by_mode = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    timeout = by_mode["Acquirer timeout reported to the merchant as a decline"]
    assert (timeout["Fault"], timeout["Duration (s)"], timeout["Magnitude"]) == (
        "latency",
        120,
        3000,
    )
    assert timeout["Mitigations"] == (
        "timeout (in place); retry with backoff (in place); idempotency key (in place)"
    )
    assert timeout["Experiment"] == "passed"
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:R{len(rows)}"


def edited(report: Path, tmp_path: Path, sheet: str, cell: str, value: object) -> Path:
    book = openpyxl.load_workbook(report)
    book[sheet][cell] = value
    target = tmp_path / "edited.xlsx"
    book.save(target)
    return target


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        ("Resilience", "D2", "meteor strike", "Resilience!D2: fault 'meteor strike' is not one of"),
        ("Resilience", "N2", "prayer", "Resilience!N2: mitigation 'prayer' is not one of"),
        ("Resilience", "A2", 99999, "Resilience!A2: no failure mode with ID 99999"),
        ("Chaos Targets", "C2", "azure", "Chaos Targets!C2: target platform 'azure' is not"),
    ],
)
def test_bad_cells_are_named(report, tmp_path, sheet, cell, value, message):
    with pytest.raises(ImportProblemsError) as caught:
        import_workbook(edited(report, tmp_path, sheet, cell, value))
    assert any(line.startswith(message) for line in caught.value.problems), caught.value.problems


def test_a_reviewers_edit_is_taken_in(report, tmp_path):
    ws = openpyxl.load_workbook(report)["Resilience"]
    header = [cell.value for cell in ws[1]]
    column = openpyxl.utils.get_column_letter(header.index("Experiment") + 1)
    fm_id = ws["A2"].value
    back = import_workbook(edited(report, tmp_path, "Resilience", f"{column}2", "failed"))
    assert back.failure_modes[fm_id].resilience.experiment.status.value == "failed"


def test_a_report_without_the_resilience_sheets_still_imports(example, report, tmp_path):
    book = openpyxl.load_workbook(report)
    del book["Resilience"]
    del book["Chaos Targets"]
    older = tmp_path / "older.xlsx"
    book.save(older)
    back = import_workbook(older)
    assert all(fm.resilience.is_empty for fm in back.failure_modes.values())
    assert len(back.failure_modes) == len(example.failure_modes)
