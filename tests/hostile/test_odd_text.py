"""Odd and huge text through every way text enters or leaves: storage, the report (export and
import), `rank` CSV/JSON/table output and the worksheet view.

Text classes: any Unicode scalar (hypothesis' full range: combining marks, right-to-left,
emoji and zero-width joiners included), every C0 control character with NUL, DEL, a literal
"_x0000_" (the report's own escape syntax), and 1 MB values. The rule, from the code:
- storage keeps every string exactly (SQLite TEXT; NUL included);
- the report escapes what XML cannot carry as Excel's `_xHHHH_` and reads it back exactly; a
  text over a cell's 32,767 characters is refused with a message naming the row, and no file
  is written;
- `rank --format csv/json` keeps text exactly (CSV: plus the formula quote); the table shows
  control characters as visible escapes, so a name cannot move the terminal's cursor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import unicodedata

import pytest
from hostile_support import hostile, sample_model
from hypothesis import given
from hypothesis import strategies as st

from fma_app.cli import main
from fma_app.domain.model import Model, Scores
from fma_app.reports.errors import ReportError
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import write_report
from fma_app.storage import ModelFileError, open_model, save_model

CONTROLS = "".join(chr(code) for code in range(32)) + "\x7f"
SPECIALS = [
    "e\u0301\u0302\u0303 combining",
    "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c \u0645\u0631\u062d\u0628\u0627",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "zero\u200bwidth\u200c\u200d\ufeffspaces",
    "NUL\x00inside",
    CONTROLS,
    "_x0000_ and _x001F_ literally",
    "\U0010fffd\ufffe\uffff",
    "line\r\nbreaks\rand\nmore",
]
odd_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(SPECIALS),
    st.text(alphabet=st.sampled_from(CONTROLS + "ab_x0"), max_size=20),
)


def model_with(texts: list[str]) -> Model:
    """Every text field of every kind of entity set to one of `texts`."""
    t = (texts * 12)[:12]
    model = Model(name=t[0], description=t[1])
    first = model.add_component(t[2] if t[2].strip() else "first " + t[2], description=t[3],
                                owner=t[4])  # fmt: skip
    second = model.add_component("second " + t[5])
    model.add_dependency(first.id, second.id, description=t[6], group=t[7])
    fm = model.add_failure_mode(
        first.id, function=t[8], failure_mode=t[9], effect=t[10], cause=t[11],
        prevention_controls=t[0], detection_controls=t[1], notes=t[2], severity=7,
        likelihood=3, detection=2, revised=Scores(5, 2, 2),
    )  # fmt: skip
    model.add_action(fm.id, t[3], owner=t[4], action_taken=t[5], due_date=dt.date(2026, 7, 1))
    return model


@hostile(100)
@given(texts=st.lists(odd_text, min_size=1, max_size=12))
def test_storage_keeps_any_text_exactly(tmp_path, texts):
    model = model_with(texts)
    save_model(model, tmp_path / "odd.fma")
    assert open_model(tmp_path / "odd.fma").content() == model.content()


@hostile(12)
@given(texts=st.lists(odd_text, min_size=1, max_size=12))
def test_report_round_trip_keeps_any_text_exactly(tmp_path, texts):
    model = model_with(texts)
    path = tmp_path / "odd report.xlsx"
    write_report(model, path, today=dt.date(2026, 1, 15))
    assert import_workbook(path).content() == model.content()


@hostile(60)
@given(texts=st.lists(odd_text, min_size=1, max_size=12))
def test_rank_csv_and_json_keep_any_text(tmp_path, capsys, texts):
    model = model_with(texts)
    path = tmp_path / "odd.fma"
    save_model(model, path)
    fm = next(iter(model.failure_modes.values()))
    capsys.readouterr()
    assert main(["rank", str(path), "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert (record["failure_mode"], record["effect"]) == (fm.failure_mode, fm.effect)
    assert main(["rank", str(path), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == 1
    shown = rows[0]["failure_mode"]
    assert shown in (fm.failure_mode, "'" + fm.failure_mode)
    assert main(["rank", str(path)]) == 0
    table = capsys.readouterr().out
    bad = {ch for ch in table if unicodedata.category(ch) == "Cc" and ch != "\n"}
    assert not bad, f"control characters reach the terminal: {sorted(map(ord, bad))}"


MEGABYTE = 1024 * 1024


def test_megabyte_texts_in_storage_rank_and_a_refused_report(tmp_path, capsys):
    big = "\u00e9\U0001f680 " * (MEGABYTE // 7)  # 1 MB of UTF-8 in every text field
    model = model_with(["name " + big, big])
    path = tmp_path / "big.fma"
    save_model(model, path)
    assert open_model(path).content() == model.content()
    assert main(["rank", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["failure_mode"] == big
    report = tmp_path / "big.xlsx"
    with pytest.raises(ReportError) as refused:
        write_report(model, report)
    assert "characters long; a spreadsheet cell holds at most 32,767" in str(refused.value)
    assert list(tmp_path.iterdir()) == [path]  # no report, no temp file


def test_a_row_over_the_16_mb_limit_is_refused_and_the_old_file_kept(tmp_path):
    """Seven 3 MB texts of one failure mode make a 21 MB row: SQLite's length limit (which
    the reader also applies) refuses it on save, before anything replaces the old file."""
    path = tmp_path / "plant.fma"
    save_model(sample_model(), path)
    before = path.read_bytes()
    model = model_with(["\U0001f680" * (3 * MEGABYTE // 4)])
    with pytest.raises(ModelFileError) as refused:
        save_model(model, path)
    assert refused.value.reason == "too-large"
    assert "16 MB" in str(refused.value)
    assert "plant.fma" in str(refused.value)
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == [path]


def test_worksheet_view_shows_any_text(qtbot):
    from PySide6.QtCore import Qt

    from fma_app.presentation.worksheet import COLUMN_INDEX
    from fma_app.ui.document import Document
    from fma_app.ui.worksheet_model import WorksheetModel

    model = model_with([*SPECIALS, "x" * MEGABYTE])
    document = Document(model)
    view_model = WorksheetModel(document)
    fm = next(iter(model.failure_modes.values()))
    row = view_model.row_of(fm.id)
    for column in range(view_model.columnCount()):
        index = view_model.index(row, column)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                     Qt.ItemDataRole.ToolTipRole):  # fmt: skip
            view_model.data(index, role)
    shown = view_model.data(view_model.index(row, COLUMN_INDEX["failure_mode"]))
    assert shown == fm.failure_mode


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_a_report_full_of_odd_text(tmp_path):
    """An independent reader: LibreOffice converts every sheet to CSV without complaint, shows
    emoji, right-to-left text and formula-like text as text, and the controls as escapes."""
    model = model_with([*SPECIALS, "=1+1", "@SUM(1,2)", "-2+3"])
    report = tmp_path / "odd.xlsx"
    write_report(model, report, today=dt.date(2026, 1, 15))
    out = tmp_path / "out"
    profile = tmp_path / "lo-profile"
    filter_ = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         filter_, "--outdir", str(out), str(report)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sheets = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.csv")}
    assert set(sheets) == {
        f"odd-{name}.csv"
        for name in ("Summary", "Worksheet", "Actions", "Components", "Dependencies",
                     "Findings", "Availability",
                     "Resilience", "Chaos Targets")  # the last two since issue 16
    }  # fmt: skip
    worksheet = list(csv.reader(io.StringIO(sheets["odd-Worksheet.csv"])))
    cells = {cell for row in worksheet for cell in row}
    assert SPECIALS[2] in cells  # emoji with joiners
    assert SPECIALS[1] in cells  # right-to-left with an override
    assert "=1+1" in cells
    assert "2" not in {row[4] for row in worksheet[1:]}
    # NUL travels as Excel's _x0000_ escape, which LibreOffice decodes like Excel does.
    assert any("NUL\x00inside" in cell or "NUL_x0000_inside" in cell for cell in cells)
    assert all("#NAME?" not in cell and "Err:" not in cell for cell in cells)
