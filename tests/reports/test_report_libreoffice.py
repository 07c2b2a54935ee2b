"""The report as LibreOffice shows and prints it: an independent reader of what reviewers see.

The report is converted once per session (CSV of every sheet, PDF, and a LibreOffice re-save)
with a fresh LibreOffice profile; the tests then only read the results.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from report_support import (
    TODAY,
    LibreOfficeView,
    build_model,
    convert_all,
    soffice,
    view_of,
)

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.cli.demo import load_example
from fma_app.domain.model import Model
from fma_app.reports.availability_sheet import AVAILABILITY_SHEET
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import SHEET_NAMES, write_report

pytestmark = pytest.mark.slow  # LibreOffice conversions take 20-40 s on a 2-core machine


@dataclass
class Converted:
    model: Model
    view: LibreOfficeView
    resaved: Path
    example: LibreOfficeView
    resaved_example: Path


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> Converted:
    soffice()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    workdir = tmp_path_factory.mktemp("libreoffice")
    model = build_model()
    report, example = workdir / "review.xlsx", workdir / "example.xlsx"
    write_report(model, report, today=TODAY)
    write_report(load_example(), example, today=TODAY)
    resaved = convert_all([report, example], workdir, resave=[report, example])
    return Converted(
        model,
        view_of(report, (*SHEET_NAMES, AVAILABILITY_SHEET)),
        resaved / report.name,
        view_of(example, (*SHEET_NAMES, AVAILABILITY_SHEET)),
        resaved / example.name,
    )


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_every_sheet_is_there(converted):
    assert set(converted.view.sheets) == {*SHEET_NAMES, AVAILABILITY_SHEET}
    assert converted.view.sheets["Worksheet"][0][:3] == ["Rank", "ID", "Component"]


def test_worksheet_order_and_values_as_libreoffice_shows_them(converted):
    model = converted.model
    shown = records(converted.view.sheets["Worksheet"])
    ranked = rank_failure_modes(model, "rpn")
    assert [int(r["ID"]) for r in shown] == [item.failure_mode.id for item in ranked]
    for row, item in zip(shown, ranked, strict=True):
        fm = item.failure_mode
        assert row["Rank"] == str(item.rank)
        assert row["Component"] == item.component
        assert (row["Failure Mode"], row["Effect"], row["Cause"]) == (
            fm.failure_mode, fm.effect, fm.cause)  # fmt: skip
        assert (row["S"], row["L"], row["D"], row["RPN"], row["AP"]) == (
            str(fm.severity),
            str(fm.likelihood),
            str(fm.detection),
            str(fm.rpn),
            fm.ap.value,
        )


def test_formula_looking_text_is_shown_as_text_not_evaluated(converted):
    sheets = converted.view.sheets
    effects = [r["Effect"] for r in records(sheets["Worksheet"])]
    assert "=1+2 writes refused" in effects
    assert "-Bad config push" in [r["Failure Mode"] for r in records(sheets["Worksheet"])]
    actions = records(sheets["Actions"])
    assert "=cmd|' /C calc'!A0" in [r["Action"] for r in actions]
    assert "+half done" in [r["Action Taken"] for r in actions]
    owners = {r["Name"]: r["Owner"] for r in records(sheets["Components"])}
    assert owners["payments"] == "=team()"
    assert owners["Ledger DB \u6570\u636e\u5e93"] == "@dba"
    groups = [r["Redundancy Group"] for r in records(sheets["Dependencies"])]
    assert "=g" in groups


def test_unicode_and_dates_survive(converted):
    sheets = converted.view.sheets
    assert "Stripe-like \U0001f4b3" in [r["Description"] for r in records(sheets["Components"])]
    actions = {r["Action"]: r for r in records(sheets["Actions"])}
    assert actions["Add PSP failover"]["Due Date"] == "2026-02-01"
    assert actions["Add PSP failover"]["Overdue"] == "42 days"
    assert actions["Idempotent retries"]["Due Date"] == "1899-12-31"
    assert actions["Idempotent retries"]["Owner"] == "\u00e9mile"


def test_summary_as_shown(converted):
    rows = converted.view.sheets["Summary"]
    labels = {row[0]: row[1] for row in rows if len(row) > 1 and row[0]}
    assert labels["Model"] == converted.model.name
    assert labels["Report date"] == TODAY.isoformat()
    assert labels["Failure modes"] == "6"
    assert labels["Overdue actions"] == "2"


def test_printed_pages_have_headers_footers_and_no_hash_marks(converted):
    text = converted.view.pdf_text
    assert "###" not in text
    assert "Checkout & Payments (EU)" in text  # the page header
    assert "Page 1 of" in text
    assert "Prevention" in text
    assert "Failure Mode" in text
    assert "=1+2 writes refused" in text


def test_a_report_resaved_by_libreoffice_imports_to_the_same_model(converted):
    example = load_example()
    assert import_workbook(converted.resaved_example).content() == example.content()


def test_libreoffice_resave_changes_only_what_it_normalises(converted):
    """LibreOffice turns CR LF into LF and writes a literal "_x0041_" unescaped (which any
    reader then takes for Excel's escape of "A"); everything else comes back exactly."""
    back = import_workbook(converted.resaved).content()
    model = converted.model.content()
    differences = [
        (kind, name, getattr(mine, name), getattr(theirs, name))
        for kind in ("components", "dependencies", "failure_modes", "actions")
        for mine, theirs in zip(model[kind], back[kind], strict=True)
        for name in mine.__dataclass_fields__
        if getattr(mine, name) != getattr(theirs, name)
    ]
    assert differences == [
        ("failure_modes", "notes", "Seen in 2024\r\nTwice", "Seen in 2024\nTwice"),
        ("failure_modes", "notes", "bell\x07 and _x0041_ literal", "bell\x07 and A literal"),
    ]
    assert (back["name"], back["description"]) == (model["name"], model["description"])


def test_the_example_model_prints_without_hash_marks(converted):
    example = converted.example
    assert "###" not in example.pdf_text
    worksheet = records(example.sheets["Worksheet"])
    assert len(worksheet) == len(load_example().failure_modes)
    assert example.pdf_pages >= 3
