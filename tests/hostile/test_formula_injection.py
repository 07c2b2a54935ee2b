"""Formula injection wherever text leaves the app: the Excel report, `rank --format csv`, and the
worksheet's clipboard copy. A spreadsheet runs a cell that starts with = + - @ (and, after a
tab or carriage return, whatever follows) as a formula: every such text must arrive as text.

- report: every text is a string cell (never a formula element in the sheet XML), and
  formula-looking text also carries the quote-prefix style;
- rank CSV and clipboard TSV: such a cell gets a leading apostrophe; the clipboard strips it
  again on paste, so copies inside the app stay exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
from hostile_support import hostile
from hypothesis import given
from hypothesis import strategies as st

from fma_app.cli import main
from fma_app.cli.rank import format_csv
from fma_app.domain.model import Model
from fma_app.reports.xlsx_report import write_report
from fma_app.storage import save_model

STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3",
    "@SUM(1,2)", "\t=1+1", "\r=1+1", "=1+1\n=2+2", "'=already quoted", "''=twice",
    "-", "=", "@", "\uff1d1+1",
]  # fmt: skip
formula_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.tuples(st.sampled_from((*STARTS, "'", "''", " =")), st.text(max_size=20)).map("".join),
)


def model_with(texts: list[str]) -> Model:
    t = (texts * 12)[:12]
    model = Model(name=t[0], description=t[1])
    first = model.add_component("c " + t[2], description=t[3], owner=t[4])
    second = model.add_component("d " + t[5])
    model.add_dependency(first.id, second.id, description=t[6], group=t[7])
    fm = model.add_failure_mode(
        first.id, function=t[8], failure_mode=t[9], effect=t[10], cause=t[11],
        prevention_controls=t[0], detection_controls=t[1], notes=t[2], severity=9,
        likelihood=3, detection=2,
    )  # fmt: skip
    model.add_action(fm.id, t[3], owner=t[4], action_taken=t[5])
    return model


def assert_report_runs_nothing(path, texts: list[str]) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode()
                assert not re.search(r"<(\w+:)?f[ >]", xml), f"formula element in {name}"
    workbook = openpyxl.load_workbook(path)
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    if cell.value.startswith(STARTS):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    used = (texts * 12)[:12]  # what model_with puts in the model
    missing = {t for t in used[3:5] + used[6:12] if t.strip() and "\r" not in t} - seen
    assert not missing, missing  # the texts did reach cells (as text)


def test_report_keeps_every_payload_as_text(tmp_path):
    path = tmp_path / "report.xlsx"
    write_report(model_with(PAYLOADS), path, today=dt.date(2026, 1, 15))
    assert_report_runs_nothing(path, PAYLOADS)


@hostile(8)
@given(texts=st.lists(formula_text, min_size=1, max_size=12))
def test_report_keeps_formula_like_text_as_text(tmp_path, texts):
    path = tmp_path / "report.xlsx"
    write_report(model_with(texts), path, today=dt.date(2026, 1, 15))
    assert_report_runs_nothing(path, [])


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@hostile(200)
@given(texts=st.lists(formula_text, min_size=1, max_size=12))
def test_rank_csv_cells_never_start_a_formula(texts):
    from fma_app.analysis.ranking import rank_failure_modes

    records = [entry.as_record() for entry in rank_failure_modes(model_with(texts))]
    for cell in _csv_cells(format_csv(records)):
        assert not cell.startswith(STARTS), repr(cell)


def test_rank_command_csv_on_a_saved_model(tmp_path, capsys):
    path = tmp_path / "m.fma"
    save_model(model_with(PAYLOADS), path)
    capsys.readouterr()
    assert main(["rank", str(path), "--format", "csv"]) == 0
    cells = _csv_cells(capsys.readouterr().out)
    assert {"'=already quoted", "''=twice", "'-"} <= set(cells)  # function, mode, effect
    assert not [cell for cell in cells if cell.startswith(STARTS)]


@hostile(300)
@given(rows=st.lists(st.lists(formula_text | st.text(max_size=10), min_size=1, max_size=4),
                     min_size=1, max_size=4))  # fmt: skip
def test_clipboard_copy_never_starts_a_formula_and_pastes_back_exactly(rows):
    from fma_app.presentation.clipboard import parse_tsv, to_tsv

    text = to_tsv(rows)
    for row in csv.reader(io.StringIO(text, newline=""), dialect="excel-tab"):
        for cell in row:
            assert not cell.startswith(STARTS), repr(cell)
    pasted = parse_tsv(text)
    width = max(map(len, rows))
    expected = [row + [""] * (width - len(row)) for row in rows]
    while expected and all(cell == "" for cell in expected[-1]):
        expected.pop()  # spreadsheets drop trailing empty lines too
    assert [row + [""] * (width - len(row)) for row in pasted] == expected
