"""The streamed sheet reader gives the values openpyxl gives, in every format it reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.sheet_source import MergedRange, open_spreadsheet

FIXTURES = Path(__file__).parent / "fixtures"


def openpyxl_values(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found = {}
    for sheet in workbook.worksheets:
        found[sheet.title] = {
            (cell.row, cell.column): cell.value
            for row in sheet.iter_rows()
            for cell in row
            if getattr(cell, "value", None) is not None
        }
    workbook.close()
    return found


def our_values(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    with open_spreadsheet(path) as source:
        return {
            name: {
                (number, column): value
                for number, row in source.sheet(name).rows()
                for column, value in row.items()
            }
            for name in source.sheet_names
        }


def test_a_libreoffice_workbook_reads_as_openpyxl_reads_it():
    """Shared strings and cached formula results, as Excel and LibreOffice write them."""
    path = FIXTURES / "aiag_dfmea_libreoffice.xlsx"
    assert our_values(path) == openpyxl_values(path)


def test_every_kind_of_cell_openpyxl_writes(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Kinds"
    sheet.append(["text", 7, 2.5, True, False, dt.datetime(2026, 3, 31, 0, 0), "=1+1", None, " "])
    sheet.append(["multi\nline", -3, 1e-9, dt.date(2026, 1, 2), "#N/A", "ünïcødé & <tags>"])
    sheet.cell(1_000, 30, "far")
    sheet.merge_cells("A5:C6")
    path = tmp_path / "kinds.xlsx"
    workbook.save(path)
    assert our_values(path) == openpyxl_values(path)
    with open_spreadsheet(path) as source:
        assert source.sheet("Kinds").merged == (MergedRange(5, 1, 6, 3),)
        assert source.sheet("Kinds").head(2, max_col=2) == {
            1: {1: "text", 2: 7},
            2: {1: "multi\nline", 2: -3},
        }


def test_legacy_xls_rows_and_merges(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Form")
    sheet.write_merge(0, 1, 0, 0, "Item")
    sheet.write(0, 1, "Sev")
    sheet.write(2, 0, "Pump")
    sheet.write(2, 1, 8)
    sheet.write(3, 1, 2.5)
    path = tmp_path / "legacy.xls"
    book.save(str(path))
    with open_spreadsheet(path) as source:
        grid = source.sheet("Form")
        assert list(grid.rows()) == [
            (1, {1: "Item", 2: "Sev"}),
            (3, {1: "Pump", 2: 8}),
            (4, {2: 2.5}),
        ]
        assert grid.merged == (MergedRange(1, 1, 2, 1),)


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        ("Item;Wert\r\nPumpe;7\r\n", "cp1252", ";"),
        ("\ufeffItem,Value\nPump,7\n", "utf-8", ","),
        ("Item\tValue\nPump\t7\n", "utf-8", "\t"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path, content, encoding, delimiter):
    path = tmp_path / "export.csv"
    path.write_bytes(content.encode(encoding))
    with open_spreadsheet(path) as source:
        assert source.sheet_names == ["export"]
        assert source.delimiter == delimiter  # type: ignore[attr-defined]
        rows = list(source.sheet("export").rows())
    assert rows[1] == (2, {1: content.splitlines()[1].split(delimiter)[0], 2: "7"})


def test_files_that_are_not_spreadsheets_are_refused_in_one_line(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    for path, message in [
        (text, "notes.txt: not a spreadsheet FMA Workbench reads (.xlsx, .xlsm, .xls or .csv)"),
        (fake, "fake.xlsx: not a readable .xlsx workbook"),
        (old, "old.xls: not a readable .xls workbook"),
        (tmp_path / "missing.xlsx", "missing.xlsx: no such file"),
    ]:
        with pytest.raises(ImportProblemsError) as caught:
            open_spreadsheet(path)
        assert caught.value.problems[0].startswith(message), caught.value.problems
