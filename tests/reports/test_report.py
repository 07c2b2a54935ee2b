"""The ranked Excel report, read back with openpyxl: layout, order, values, safety, atomic write."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from report_support import TODAY, build_model

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.domain.model import Model
from fma_app.presentation.style import AP_STYLES, NOT_RATED, rgb
from fma_app.reports import xlsx_report
from fma_app.reports.availability_sheet import AVAILABILITY_SHEET
from fma_app.reports.errors import ReportCancelledError, ReportError
from fma_app.reports.xlsx_report import SHEET_NAMES, write_report


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Model, Path]:
    model = build_model()
    path = tmp_path_factory.mktemp("report") / "review.xlsx"
    write_report(model, path, "rpn", today=TODAY)
    return model, path


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(report[1])


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_sheets_in_order_with_the_marker(book):
    # Findings and Availability, then the resilience sheets (issue 16).
    assert book.sheetnames == [
        *SHEET_NAMES,
        xlsx_report.FINDINGS_SHEET,
        AVAILABILITY_SHEET,
        *xlsx_report.RESILIENCE_SHEETS,
    ]
    assert book["Summary"]["A2"].value.startswith("FMA Workbench report")
    assert xlsx_report.MARKER_NAME in book.defined_names


def test_worksheet_lists_failure_modes_in_rpn_order_with_every_field(report, book):
    model, _ = report
    ws = book["Worksheet"]
    rows = rows_of(ws)
    header = rows[0]
    assert header == tuple(name for name, _ in xlsx_report.WORKSHEET_COLUMNS)
    ranked = rank_failure_modes(model, "rpn")
    assert [row[1] for row in rows[1:]] == [r.failure_mode.id for r in ranked]
    assert [row[0] for row in rows[1:]] == list(range(1, len(ranked) + 1))
    rpns = [row[header.index("RPN")] for row in rows[1:]]
    assert rpns == sorted(rpns, reverse=True)
    top = dict(zip(header, rows[1], strict=True))
    fm = ranked[0].failure_mode
    assert (top["Component"], top["Failure Mode"], top["Effect"]) == (
        ranked[0].component, fm.failure_mode, fm.effect)  # fmt: skip
    assert (top["S"], top["L"], top["D"], top["RPN"], top["AP"]) == (
        fm.severity, fm.likelihood, fm.detection, fm.rpn, fm.ap.value)  # fmt: skip


def test_revised_scores_and_actions_summary_are_shown(report, book):
    model, _ = report
    rows = rows_of(book["Worksheet"])
    header = rows[0]
    by_id = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for fm in model.failure_modes.values():
        shown = by_id[fm.id]
        if fm.revised:
            assert (shown["Revised S"], shown["Revised L"], shown["Revised D"]) == (
                fm.revised.severity, fm.revised.likelihood, fm.revised.detection)  # fmt: skip
            assert shown["Revised RPN"] == fm.revised_rpn
            assert shown["Revised AP"] == fm.revised_ap.value
        else:
            assert shown["Revised RPN"] is None
            assert shown["Revised AP"] is None
    timeout = next(f for f in model.failure_modes.values() if f.failure_mode == "Timeout to PSP")
    summary = by_id[timeout.id]["Actions"]
    assert "Add PSP failover (alice; due 2026-02-01; open)" in summary
    assert "Tune timeouts" in summary


def test_worksheet_is_set_up_for_screen_and_paper(book):
    ws = book["Worksheet"]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:V{ws.max_row}"
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert "Checkout && Payments" in ws.oddHeader.left.text  # & doubled, shown once
    assert "&P" in ws.oddFooter.right.text
    assert "&N" in ws.oddFooter.right.text
    for letter, (_, width) in zip("ABCDEFGHIJKLMNOPQRSTUV", xlsx_report.WORKSHEET_COLUMNS,
                                  strict=True):  # fmt: skip
        assert ws.column_dimensions[letter].width == width
    assert ws["F2"].alignment.wrap_text is True
    ap_cells = [row[i] for row in ws.iter_rows(min_row=2) for i in (13, 19) if row[i].value]
    fills = {cell.value: cell.fill.fgColor.rgb for cell in ap_cells}
    assert fills["H"].endswith("FFC7CE")
    assert fills["M"].endswith("FFEB9C")
    assert fills["L"].endswith("C6EFCE")
    rules = [str(r.sqref) for r in ws.conditional_formatting]
    assert any(r.startswith("M2:M") for r in rules)
    assert any(r.startswith("S2:S") for r in rules)


def test_multi_line_rows_get_a_height_that_shows_them(book):
    ws = book["Worksheet"]
    heights = [ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)]
    tall = [h for h in heights if h]
    assert tall
    assert all(h >= 30 for h in tall)


def test_formula_looking_text_is_stored_as_text_never_as_a_formula(report, book):
    _model, path = report
    texts = ["=1+2 writes refused", "-Bad config push", "@manual edit", "=team()", "@dba",
             "=cmd|' /C calc'!A0", "+half done", "=g", "+fallback", "-primary store",
             "=PSP dedupes captures by key\nsee contract \u00a74"]  # fmt: skip
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts:
                    found[cell.value] = cell
    assert set(found) == set(texts)
    for cell in found.values():
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix is True, cell.coordinate
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        # and Findings, Availability, Resilience and Chaos Targets
        assert len(sheets) == len(SHEET_NAMES) + 4
        for name in sheets:
            assert b"<f>" not in archive.read(name)
            assert b"<f " not in archive.read(name)


def test_actions_open_first_by_priority_then_closed_and_overdue_stands_out(report, book):
    model, _ = report
    rows = rows_of(book["Actions"])
    header = rows[0]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["Action"] for r in records] == [
        "Automate renewal", "Config linting", "Add PSP failover", "Tune timeouts",
        "=cmd|' /C calc'!A0", "Idempotent retries",
    ]  # fmt: skip
    assert [r["Status"] for r in records][-2:] == ["done", "cancelled"]
    open_priorities = [r["Priority"] for r in records if r["Status"] in ("open", "in progress")]
    assert open_priorities == sorted(open_priorities)
    assert len(records) == len(model.actions)
    overdue = {r["Action"]: r["Overdue"] for r in records}
    assert overdue["Add PSP failover"] == "42 days"  # due 2026-02-01, report date 2026-03-15
    assert overdue["Automate renewal"] == "14 days"
    assert overdue["Tune timeouts"] is None
    assert overdue["=cmd|' /C calc'!A0"] is None
    ws = book["Actions"]
    due_column = header.index("Due Date") + 1
    for row_number, record in enumerate(records, start=2):
        cell = ws.cell(row_number, due_column)
        if record["Overdue"]:
            assert cell.fill.fgColor.rgb.endswith("FFC7CE")
            assert cell.font.b
        if isinstance(cell.value, dt.datetime):
            assert cell.number_format == "yyyy-mm-dd"
    assert "1899-12-31" in [r["Due Date"] for r in records]  # before Excel dates: kept as text


def test_components_and_dependencies_carry_every_field(report, book):
    model, _ = report
    comps = {r[0]: r for r in rows_of(book["Components"])[1:]}
    for c in model.components.values():
        row = comps[c.id]
        assert row[1:11] == (c.name, c.kind.value, c.owner or None, c.description or None,
                             "yes" if c.user_facing else "no", c.availability, c.slo,
                             c.slo_window_days, c.x, c.y)  # fmt: skip
    assert {c.availability for c in model.components.values()} > {0.9995, 0.99995, None}
    availability = book["Components"]["G2"]
    assert (availability.value, availability.number_format) == (0.9995, "0.00##%")  # 99.95%
    deps = {r[0]: r for r in rows_of(book["Dependencies"])[1:]}
    names = {c.id: c.name for c in model.components.values()}
    for d in model.dependencies.values():
        assert deps[d.id][1:7] == (names[d.source_id], names[d.target_id], d.strength.value,
                                   d.group or None, 1 if d.group else None,
                                   d.description or None)  # fmt: skip


def test_summary_counts_top_ten_and_charts(report, book):
    model, path = report
    rows = rows_of(book["Summary"])
    labels = {row[0]: row[1] for row in rows if row and row[0]}
    assert labels["Model"] == model.name
    assert labels["Report date"].date() == TODAY
    assert (labels["Components"], labels["Dependencies"], labels["Failure modes"]) == (5, 4, 6)
    assert (labels["Actions"], labels["Open actions"], labels["Overdue actions"]) == (6, 4, 2)
    ap_rows = {row[0]: row[1:3] for row in rows if row[0] in ("High (H)", "Medium (M)", "Low (L)")}
    before = {ap: sum(1 for f in model.failure_modes.values() if f.ap.value == ap) for ap in "HML"}
    assert {k[-2]: v[0] for k, v in ap_rows.items()} == before
    top_header = next(i for i, row in enumerate(rows) if row[:3] == ("Rank", "Component",
                                                                      "Failure Mode"))  # fmt: skip
    assert [row[0] for row in rows[top_header + 1 : top_header + 7]] == [1, 2, 3, 4, 5, 6]
    with zipfile.ZipFile(path) as archive:
        images = [n for n in archive.namelist() if n.startswith("xl/media/")]
        assert len(images) == 4
        assert all(archive.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)


def test_ranking_by_action_priority(tmp_path):
    model = build_model()
    path = tmp_path / "by-ap.xlsx"
    write_report(model, path, "ap", today=TODAY)
    rows = rows_of(openpyxl.load_workbook(path)["Worksheet"])
    assert [row[1] for row in rows[1:]] == [
        r.failure_mode.id for r in rank_failure_modes(model, "ap")
    ]
    aps = [row[13] for row in rows[1:]]
    assert aps == sorted(aps, key="HML".index)


def test_empty_model_gives_a_complete_report(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_report(Model(name="Nothing yet"), path, today=TODAY)
    book = openpyxl.load_workbook(path)
    # Findings and Availability, then the resilience sheets (issue 16).
    assert book.sheetnames == [
        *SHEET_NAMES,
        xlsx_report.FINDINGS_SHEET,
        AVAILABILITY_SHEET,
        *xlsx_report.RESILIENCE_SHEETS,
    ]
    assert book["Worksheet"].max_row == 1
    assert any(row[1] == "No failure modes" for row in rows_of(book["Summary"]))


def _files(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def test_cancel_leaves_no_file_and_keeps_the_existing_one(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ReportCancelledError):
        write_report(build_model(), target, cancelled=cancelled)
    assert target.read_bytes() == b"previous report"
    assert _files(tmp_path) == ["report.xlsx"]
    with pytest.raises(ReportCancelledError):
        write_report(build_model(), tmp_path / "new.xlsx", cancelled=lambda: True)
    assert _files(tmp_path) == ["report.xlsx"]


def test_progress_rises_to_the_total(tmp_path):
    seen: list[tuple[int, int]] = []
    write_report(build_model(), tmp_path / "r.xlsx", progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert seen[-1][0] == seen[-1][1] > 0


def test_a_text_too_long_for_a_cell_is_refused_and_nothing_is_lost(tmp_path):
    model = build_model()
    next(iter(model.failure_modes.values())).effect = "x" * 40_000
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    with pytest.raises(ReportError) as error:
        write_report(model, target)
    assert str(error.value) == (
        "cannot write the report: a text of failure mode 10 on the Worksheet sheet is 40,000 "
        "characters long; a spreadsheet cell holds at most 32,767"
    )
    assert target.read_bytes() == b"previous report"
    assert _files(tmp_path) == ["report.xlsx"]


def test_a_description_too_long_for_a_cell_is_refused(tmp_path):
    model = build_model()
    model.description = "d" * 1_000_000
    with pytest.raises(ReportError) as error:
        write_report(model, tmp_path / "r.xlsx")
    assert str(error.value) == (
        "cannot write the report: a text of the model name or description on the Summary sheet "
        "is 1,000,000 characters long; a spreadsheet cell holds at most 32,767"
    )
    assert _files(tmp_path) == []


def test_bad_ranking_and_unusable_paths_say_what_is_wrong(tmp_path):
    model = build_model()
    with pytest.raises(ReportError, match="cannot rank by 'severity': use rpn or ap"):
        write_report(model, tmp_path / "r.xlsx", "severity")
    with pytest.raises(ReportError, match="it is a folder"):
        write_report(model, tmp_path)
    with pytest.raises(ReportError, match="does not exist"):
        write_report(model, tmp_path / "missing" / "r.xlsx")
    assert _files(tmp_path) == []


def test_text_escapes_are_reversible():
    for text in ["plain", "a\rb\x00c\x1f", "_x0041_ and _x005F_", "\ud800 lone", "\ufffe"]:
        escaped = xlsx_report.escape_text(text)
        assert xlsx_report.unescape_text(escaped) == text
        assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in escaped)


def test_not_rated_is_shown_as_such_never_as_low_and_the_summary_counts_it(tmp_path):
    model = build_model()
    gateway = model.component_by_name("API gateway").id
    blank = model.add_failure_mode(gateway, failure_mode="Not analysed yet")
    partly = model.add_failure_mode(gateway, failure_mode="Severity known", severity=9)
    model.scope, model.fmea_number, model.revision = "EU checkout", "FM-0042", "C"
    model.key_date, model.prepared_by, model.approved_by = dt.date(2026, 6, 30), "Ana", "Cy"
    model.team = "Ana, Bo"
    path = tmp_path / "partly.xlsx"
    write_report(model, path, "ap", today=TODAY)
    book = openpyxl.load_workbook(path)
    rows = rows_of(book["Worksheet"])
    header = rows[0]
    shown = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for fm, scores in ((blank, (None, None, None)), (partly, (9, None, None))):
        row = shown[fm.id]
        assert (row["S"], row["L"], row["D"]) == scores
        assert (row["RPN"], row["AP"]) == (None, "not rated")
    # Ranked after every rated failure mode, even by AP.
    assert [row[1] for row in rows[-2:]] == [partly.id, blank.id]
    ap_cell = next(c for c in book["Worksheet"]["N"] if c.value == "not rated")
    assert ap_cell.fill.fgColor.rgb.endswith(rgb(NOT_RATED.fill))  # grey, not the L green
    assert rgb(NOT_RATED.fill) not in {rgb(swatch.fill) for swatch in AP_STYLES.values()}
    actions_rpn = [row[6] for row in rows_of(book["Actions"])[1:]]
    assert 1 not in actions_rpn
    summary = {row[0]: row[1:3] for row in rows_of(book["Summary"]) if row[0]}
    assert summary["Failure modes"][0] == len(model.failure_modes)
    not_rated_rows = [row[1:3] for row in rows_of(book["Summary"]) if row[0] == "Not rated yet"]
    assert not_rated_rows == [(2, None), (2, 2)]  # in the counts, and in the AP table
    assert summary["Low (L)"] == (
        sum(1 for fm in model.failure_modes.values() if fm.ap and fm.ap.value == "L"),
        sum(1 for fm in model.failure_modes.values() if (fm.revised_ap or fm.ap or 0) == "L"),
    )
    assert (summary["FMEA number"][0], summary["Revision"][0], summary["Team"][0]) == (
        "FM-0042",
        "C",
        "Ana, Bo",
    )
    assert summary["Key date"][0] == dt.datetime(2026, 6, 30)
    assert (summary["Scope"][0], summary["Prepared by"][0], summary["Approved by"][0]) == (
        "EU checkout",
        "Ana",
        "Cy",
    )
    for ws in book.worksheets:
        assert ws.oddHeader.center.text == "FMEA FM-0042, revision C"
        assert ws.oddHeader.left.text.startswith("Checkout && Payments")
