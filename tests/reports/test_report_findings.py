"""The report's Findings sheet (what `fma-app check` finds) and the Justification column, read
back with openpyxl; a report from before the Justification column still imports."""

from __future__ import annotations

import datetime as dt

import openpyxl
from report_support import TODAY, build_model

from fma_app.analysis import review as rv
from fma_app.analysis.review import Policy, ReviewInputs, Waiver, review
from fma_app.domain.model import Model
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import FINDING_COLUMNS, FINDINGS_SHEET, write_report


def findings_rows(path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book[FINDINGS_SHEET].iter_rows(values_only=True))
    finally:
        book.close()


def test_findings_sheet_lists_what_check_finds(tmp_path):
    model = build_model()
    path = tmp_path / "review.xlsx"
    write_report(model, path, today=TODAY)
    rows = findings_rows(path)
    assert rows[0] == tuple(name for name, _ in FINDING_COLUMNS)
    expected = review(ReviewInputs(model, TODAY))
    assert expected.findings  # the model breaks rules: overdue actions at least
    listed = [row for row in rows[1:] if row[5] and not row[5].startswith("not run:")]
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in listed] == [
        (f.rule, f.component, f.failure_mode_id, f.failure_mode, f.message)
        for f in expected.findings
    ]
    not_run = {row[0] for row in rows[1:] if (row[5] or "").startswith("not run:")}
    assert not_run == {rv.NOT_IN_MODEL}


def test_a_justified_failure_mode_is_no_finding_and_its_justification_is_in_the_worksheet(
    tmp_path,
):
    model = build_model()
    path = tmp_path / "review.xlsx"
    write_report(model, path, today=TODAY)
    justified = next(fm for fm in model.failure_modes.values() if fm.justification)
    high = [row[2] for row in findings_rows(path) if row[0] == rv.HIGH_PRIORITY]
    assert justified.id not in high
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book["Worksheet"].iter_rows(values_only=True))
    finally:
        book.close()
    column = rows[0].index("Justification")
    by_id = {row[1]: row[column] if column < len(row) else None for row in rows[1:]}
    assert by_id[justified.id] == justified.justification


def test_waived_findings_are_listed_with_their_waiver(tmp_path):
    model = Model(name="Waived")
    api = model.add_component("api")
    fm = model.add_failure_mode(api.id, failure_mode="Timeout", severity=7)
    waiver = Waiver(rv.NOT_RATED, "rated next sprint", "alice", dt.date(2027, 1, 1),
                    failure_mode_id=fm.id)  # fmt: skip
    path = tmp_path / "review.xlsx"
    write_report(model, path, today=TODAY, policy=Policy(waivers=(waiver,)))
    [row] = [row for row in findings_rows(path)[1:] if row[0] == rv.NOT_RATED]
    assert row[6] == "waived by alice until 2027-01-01: rated next sprint"


def test_a_model_that_breaks_no_rule_says_so(tmp_path):
    model = Model(name="Clean")
    api = model.add_component("api")
    model.add_failure_mode(api.id, failure_mode="Slow", severity=2, likelihood=2, detection=2)
    path = tmp_path / "review.xlsx"
    write_report(model, path, today=TODAY)
    notes = [row[5] for row in findings_rows(path)[1:]]
    assert f"No rule broken as of {TODAY.isoformat()}" in notes


def test_a_report_without_the_justification_column_imports_with_none(tmp_path):
    """Reports written before the column existed, or a reviewer who deleted it."""
    model = build_model()
    path = tmp_path / "review.xlsx"
    write_report(model, path, today=TODAY)
    book = openpyxl.load_workbook(path)
    ws = book["Worksheet"]
    header = [cell.value for cell in ws[1]]
    ws.delete_cols(header.index("Justification") + 1)
    book.save(path)
    imported = import_workbook(path)
    assert {fm.justification for fm in imported.failure_modes.values()} == {""}
    for fm in model.failure_modes.values():
        fm.justification = ""
    assert imported.content() == model.content()


def test_report_command_takes_the_policy_beside_the_model(tmp_path, capsys):
    from fma_app.cli import main
    from fma_app.storage import save_model

    model = Model(name="Policy")
    api = model.add_component("api")
    model.add_failure_mode(api.id, failure_mode="Timeout", severity=7)
    save_model(model, tmp_path / "m.fma")
    (tmp_path / "fma-policy.toml").write_text(
        "[rules.not-rated]\nenabled = false\n", encoding="utf-8"
    )
    out = tmp_path / "r.xlsx"
    assert main(["report", str(tmp_path / "m.fma"), "-o", str(out)]) == 0
    assert rv.NOT_RATED not in {row[0] for row in findings_rows(out)[1:]}
    assert main(["report", str(tmp_path / "m.fma"), "-o", str(out), "--policy", "nope.toml"]) == 2
    assert "nope.toml: no such file" in capsys.readouterr().err
