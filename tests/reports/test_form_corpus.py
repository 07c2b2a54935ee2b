"""Issue 12's corpus: real-world form shapes, each imported and compared cell by cell with the
rows it holds (see form_corpus.py). Every score must land in its field; nothing from a title
block, a header or a footer may become a component or a failure mode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from form_corpus import (
    ROWS,
    Expected,
    Layout,
    action_rows,
    expected_action_rows,
    expected_failure_rows,
    failure_rows,
    put,
    save,
    write_rows,
)

from fma_app.reports.spreadsheet_import import Mapping, import_spreadsheet

PLAIN_HEADER = ["Item", "Function", "Failure Mode", "Effect", "Severity", "Cause",
                "Prevention Controls", "Occurrence", "Detection Controls", "Detection"]  # fmt: skip
FormMaker = Callable[[Path], tuple[Path, Expected]]
FORMS: dict[str, FormMaker] = {}


def form(function: FormMaker) -> FormMaker:
    FORMS[function.__name__] = function
    return function


def merge_down(sheet, columns: str, first: int, last: int) -> None:
    for letter in columns:
        sheet.merge_cells(f"{letter}{first}:{letter}{last}")


def signature_footer(sheet, row: int, width: int) -> None:
    """Revision history and signatures under the table, merged across scores and actions."""
    sheet.cell(row + 1, 1, "Revision history")
    put(sheet, row + 2, ["Rev", "Date", "Description of change", None, 9, "Changed by"])
    put(sheet, row + 3, ["A", dt.datetime(2026, 1, 5), "First issue", None, 2, "J. Doe"])
    sheet.cell(row + 5, 1, "Prepared by: J. Doe")
    sheet.merge_cells(start_row=row + 5, start_column=1, end_row=row + 5, end_column=width // 2)
    sheet.cell(row + 5, width // 2 + 1, "Approved by: K. Roe")
    sheet.merge_cells(
        start_row=row + 5, start_column=width // 2 + 1, end_row=row + 6, end_column=width
    )


@form
def aiag4_pfmea_five_row_header(folder: Path) -> tuple[Path, Expected]:
    """AIAG 4th edition PFMEA: title block, a header merged over five rows with stacked letters
    under "Severity", a "Current Process Controls" group split into Prevention and Detection,
    the Action Results block, numbered process steps, and a signature footer."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PFMEA"
    sheet["A1"] = "POTENTIAL FAILURE MODE AND EFFECTS ANALYSIS (PROCESS FMEA)"
    sheet.merge_cells("A1:T1")
    put(sheet, 2, ["Item:", "Cooling module", None, "Process Responsibility:", "Plant 2"])
    put(sheet, 3, ["Model Year(s):", "2026", None, "Key Date:", "2026-01-05"])
    keys = ["number", "component", "function", "mode", "effect", "S", "class", "cause",
            "prevention", "L", "detection_controls", "D", "rpn", "action", "owner_due", "taken",
            "rS", "rL", "rD", "rrpn"]  # fmt: skip
    top = ["Op. No.", "Process Step", "Requirements", "Potential Failure Mode",
           "Potential Effect(s) of Failure", "Severity", "Class",
           "Potential Cause(s) of Failure", "Current Process Controls", None, None, None,
           "R.P.N.", "Recommended Action(s)", "Responsibility & Target Completion Date",
           "Action Results"]  # fmt: skip
    put(sheet, 5, top)
    merge_down(sheet, "ABCDEGHMNO", 5, 9)
    sheet.merge_cells("F5:F6")  # "Severity" over two rows, then S / e / v
    for row, letter in zip((7, 8, 9), "Sev", strict=True):
        sheet.cell(row, 6, letter)
    sheet.merge_cells("I5:L5")  # the controls group over its four columns
    put(sheet, 6, ["Prevention", "Occurrence", "Detection", "Detection"], first_column=9)
    merge_down(sheet, "IK", 6, 9)
    sheet.merge_cells("J6:J7")
    put(sheet, 8, ["O", None, "D"], first_column=10)
    put(sheet, 9, ["cc", None, "et"], first_column=10)
    sheet.merge_cells("P5:T5")
    put(sheet, 6, ["Actions Taken", "S", "O", "D", "R"], first_column=16)
    merge_down(sheet, "P", 6, 9)
    put(sheet, 7, [None, "e", "c", "e", "P"], first_column=16)
    put(sheet, 8, [None, "v", "c", "t", "N"], first_column=16)
    end = write_rows(sheet, Layout(keys, 10, numbering=lambda i: 10 * (i + 1)))
    signature_footer(sheet, end, 20)
    path = save(workbook, folder, "aiag4-pfmea.xlsx")
    return path, Expected(revised=True, actions=True, notes=["column B 'Process Step'"])


@form
def aiag_vda_2019_dfmea(folder: Path) -> tuple[Path, Expected]:
    """AIAG-VDA 2019 DFMEA: step group labels above the column headers, the focus element as
    the component, the optimisation block after the actions."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "DFMEA"
    put(sheet, 1, ["Design FMEA (AIAG-VDA 2019)"])
    groups = {1: "STRUCTURE ANALYSIS (STEP 2)", 3: "FUNCTION ANALYSIS (STEP 3)",
              4: "FAILURE ANALYSIS (STEP 4)", 7: "DFMEA RISK ANALYSIS (STEP 5)",
              13: "DFMEA OPTIMIZATION (STEP 6)"}  # fmt: skip
    for column, text in groups.items():
        sheet.cell(3, column, text)
    sheet.merge_cells("A3:B3")
    sheet.merge_cells("D3:F3")
    sheet.merge_cells("G3:L3")
    sheet.merge_cells("M3:T3")
    header = ["1. Next Higher Level", "2. Focus Element",
              "2. Focus Element Function and Requirement",
              "1. Failure Effects (FE) to the Next Higher Level Element and/or End User",
              "2. Failure Mode (FM) of the Focus Element",
              "3. Failure Cause (FC) of the Next Lower Element", "Severity (S) of FE",
              "Current Prevention Control (PC) of FC", "Occurrence (O) of FC",
              "Current Detection Controls (DC) of FC or FM", "Detection (D) of FC/FM",
              "DFMEA AP", "DFMEA Prevention Action", "Responsible Person's Name",
              "Target Completion Date", "Status", "Action Taken with Pointer to Evidence",
              "Severity (S)", "Occurrence (O)", "Detection (D)"]  # fmt: skip
    put(sheet, 4, header)
    keys = ["blank", "component", "function", "effect", "mode", "cause", "S", "prevention", "L",
            "detection_controls", "D", "blank", "action", "owner", "due", "blank", "taken",
            "rS", "rL", "rD"]  # fmt: skip
    write_rows(sheet, Layout(keys, 5, merge_components=False))
    path = save(workbook, folder, "aiag-vda.xlsx")
    return path, Expected(revised=True, actions=True)


@form
def german_vda(folder: Path) -> tuple[Path, Expected]:
    """A German VDA form: Fehlerart, Fehlerfolge, Fehlerursache, B / A / E, dotted dates."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA"
    put(sheet, 1, ["Prozess-FMEA Kühlmodul", None, None, "Erstellt am: 05.01.2026"])
    header = ["Systemelement", "Funktion", "Fehlerart", "Fehlerfolge", "B", "Fehlerursache",
              "Vermeidungsmaßnahmen", "A", "Entdeckungsmaßnahmen", "E", "RPZ",
              "Empfohlene Maßnahmen", "Verantwortlich", "Termin"]  # fmt: skip
    put(sheet, 3, header)
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D", "rpn", "action", "owner", "due_text"]  # fmt: skip
    end = write_rows(sheet, Layout(keys, 4, date_style="dots"))
    put(sheet, end + 2, ["Erstellt von: J. Doe", None, None, "Freigegeben von: K. Roe"])
    path = save(workbook, folder, "vda-de.xlsx")
    return path, Expected(actions=True)


@form
def software_fmea_three_row_header(folder: Path) -> tuple[Path, Expected]:
    """A software FMEA with a three-row header ("Current Controls" over Preventive / Detective
    Controls), "Prob" for likelihood, no item column (the function is the component)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA"
    put(sheet, 1, ["Sync service FMEA"])
    put(sheet, 3, ["Function", "Potential Failure Mode(s)", "Potential Technical Effect(s)\nof "
                   "Failure", "Sev", "Potential Cause(s)/ Mechanism(s) of Failure", "Prob",
                   "Current Controls", None, "Det", "RPN", "Recommended\nAction(s)",
                   "Responsibility & Target Completion Date"])  # fmt: skip
    merge_down(sheet, "ABCDEFIJKL", 3, 5)
    sheet.merge_cells("G3:H4")
    put(sheet, 5, ["Preventive Controls", "Detective Controls"], first_column=7)
    keys = ["function", "mode", "effect", "S", "cause", "L", "prevention",
            "detection_controls", "D", "rpn", "action", "owner_due"]  # fmt: skip
    write_rows(sheet, Layout(keys, 6))
    path = save(workbook, folder, "software.xlsx")
    return path, Expected(
        component_of=lambda f: f.function, actions=True, notes=["column A 'Function'"]
    )


@form
def dfmea_numbered_stacked_with_rescore(folder: Path) -> tuple[Path, Expected]:
    """A student DFMEA: numbered headers with stacked letters ("8 - O\\nc\\nc"), an item and an
    "Item Function(s)" column, owner and date in one column written month-first, and a
    "Rescore when Action has been taken" block."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA - Form"
    put(sheet, 1, ["Design FMEA: glitter module"])
    top = ["1 - Item", "2 - Item Function(s)", "3 - Functional Failure Mode(s)",
           "4 - Potential Effect(s)\nof Failure", "5 -\nS\ne\nv", "6 - Root cause(s) of Failure",
           "7 - Current Prevention Control(s)", "8 - O\nc\nc", "9 - Current Detection Controls",
           "10  - D\ne\nt", "R\nP\nN", "12 - Recommended\nAction(s)",
           "12 - Person Responsible and Target Completion\nDate",
           "12 - Rescore when Action has been taken."]  # fmt: skip
    put(sheet, 2, top)
    merge_down(sheet, "ABCDEFGHIJKLM", 2, 3)
    sheet.merge_cells("N2:R2")
    put(sheet, 3, ["Actions Taken", "S", "O", "D", "RPN"], first_column=14)
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D", "rpn", "action", "owner_due", "taken", "rS", "rL", "rD",
            "rrpn"]  # fmt: skip
    write_rows(sheet, Layout(keys, 4, date_style="mdy"))
    path = save(workbook, folder, "dfmea.xlsx")
    return path, Expected(revised=True, actions=True)


@form
def pfmea_keyed_by_process_step(folder: Path) -> tuple[Path, Expected]:
    """A process FMEA keyed by operation ("OPN. NAME."), process function as the function, a
    two-row merged header, "PREPARED BY" footer merged across the scores and actions."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PFMEA "
    put(sheet, 1, ["PROCESS FMEA", None, None, "FMEA No: 17"])
    put(sheet, 3, ["OPN. No", "OPN. NAME.", "PROCESS FUNCTION / REQUIREMENTS",
                   "POTENTIAL FAILURE MODE", "POTENTIAL EFFECTS OF FAILURE", "SEV",
                   "POTENTIAL CAUSES , MECHANISM OF FAILURE", "OCC", "CURRENT PROCESS CONTROL",
                   None, "DET", "RPN", "RECOMMENDED ACTIONS"])  # fmt: skip
    merge_down(sheet, "ABCDEFGHKLM", 3, 4)
    sheet.merge_cells("I3:J3")
    put(sheet, 4, ["PREVENTION", "DETECTION"], first_column=9)
    keys = ["number", "component", "function", "mode", "effect", "S", "cause", "L",
            "prevention", "detection_controls", "D", "rpn", "action"]  # fmt: skip
    end = write_rows(sheet, Layout(keys, 5, numbering=lambda i: i + 1))
    put(sheet, end + 1, [None, "PREPARED BY :"])
    sheet.merge_cells(f"B{end + 1}:G{end + 2}")
    put(sheet, end + 1, ["APPROVED BY :"], first_column=8)
    sheet.merge_cells(f"H{end + 1}:M{end + 2}")
    path = save(workbook, folder, "pfmea.xlsx")
    return path, Expected(actions=True, owners=False, notes=["column B 'OPN. NAME.'"])


@form
def misspelt_headers_with_prob(folder: Path) -> tuple[Path, Expected]:
    """Headers as students spell them: "Failiure Mode", "Serverity", "Occurance", "Detecion",
    "Prob" is absent here but "Recommended Controls" is the action."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    put(sheet, 2, ["Subsystem", "Item Function", "Potential Failiure Mode", "Potential Effect",
                   "Serverity", "Root Cause(s) of Failure", "Preventive Controls", "Occurance",
                   "Detective Controls", "Detecion", "RPN", "Recommended Controls",
                   "Responsability", "Target Date"])  # fmt: skip
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D", "rpn", "action", "owner", "due"]  # fmt: skip
    write_rows(sheet, Layout(keys, 3, merge_components=False))
    path = save(workbook, folder, "student.xlsx")
    return path, Expected(actions=True)


@form
def prob_sev_det_short_headers(folder: Path) -> tuple[Path, Expected]:
    """Short headers "Prob", "Sev", "Det" in another order, ISO due dates as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Risks"
    header = ["Component", "Function", "Failure Mode", "Cause", "Effect", "Prob", "Sev", "Det",
              "Prevention", "Detection Controls", "Action", "Owner", "Due"]  # fmt: skip
    put(sheet, 1, header)
    keys = ["component", "function", "mode", "cause", "effect", "L", "S", "D", "prevention",
            "detection_controls", "action", "owner", "due_text"]  # fmt: skip
    write_rows(sheet, Layout(keys, 2, merge_components=False, date_style="iso"))
    path = save(workbook, folder, "short.xlsx")
    return path, Expected(actions=True)


@form
def title_block_and_reference_row(folder: Path) -> tuple[Path, Expected]:
    """A title block with "Item:" / "Team:" labels, a row of column letters under the header
    ("a b c d ..."), and notes under the table."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "DFMEA"
    put(sheet, 1, ["Item:", "Cooling", "Team:", "Thermal", "Owner:", "J. Doe"])
    put(sheet, 2, ["System:", "Engine", "FMEA Number:", "42"])
    header = ["Item", "Function", "Failure Mode", "Effect", "S", "Cause", "Prevention Controls",
              "O", "Detection Controls", "D"]  # fmt: skip
    put(sheet, 4, header)
    put(sheet, 5, list("abcdefghij"))
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D"]  # fmt: skip
    end = write_rows(sheet, Layout(keys, 6))
    put(sheet, end + 1, ["Page 1 of 1"])
    path = save(workbook, folder, "titled.xlsx")
    return path, Expected()


@form
def qualitative_fmea_without_scores(folder: Path) -> tuple[Path, Expected]:
    """No score columns at all: imported as not rated, and the summary says so."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Qualitative"
    put(sheet, 1, ["Component", "Function", "Failure Mode", "Effect", "Cause",
                   "Prevention", "Detection Controls"])  # fmt: skip
    keys = ["component", "function", "mode", "effect", "cause", "prevention",
            "detection_controls"]  # fmt: skip
    write_rows(sheet, Layout(keys, 2))
    path = save(workbook, folder, "qualitative.xlsx")
    return path, Expected(rated=False, notes=["no score columns"])


@form
def xlsm_macro_workbook(folder: Path) -> tuple[Path, Expected]:
    """A form saved as .xlsm (macro-enabled): read like .xlsx."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA"
    put(sheet, 1, PLAIN_HEADER)
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D"]  # fmt: skip
    write_rows(sheet, Layout(keys, 2))
    path = save(workbook, folder, "macro.xlsm")
    return path, Expected()


def csv_form(folder: Path, name: str, delimiter: str, encoding: str) -> Path:
    header = ["Component", "Function", "Failure Mode", "Effect", "Severity", "Cause",
              "Prevention Controls", "Occurrence", "Detection Controls", "Detection",
              "Recommended Action", "Responsibility & Target Completion Date"]  # fmt: skip
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D", "action", "owner_due"]  # fmt: skip
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    put(sheet, 1, header)
    write_rows(sheet, Layout(keys, 2, merge_components=False, as_text=True))
    lines = []
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else str(v) for v in row]
        lines.append(delimiter.join(f'"{c}"' if delimiter in c or "," in c else c for c in cells))
    text = "\r\n".join(lines) + "\r\n"
    text = text.replace("Coolant pump", "Kühlmittelpumpe")  # a character outside ASCII
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _csv_component(failure) -> str:
    return failure.component.replace("Coolant pump", "Kühlmittelpumpe")


@form
def csv_utf8_bom_comma(folder: Path) -> tuple[Path, Expected]:
    path = csv_form(folder, "export-bom.csv", ",", "utf-8-sig")
    return path, Expected(component_of=_csv_component, actions=True)


@form
def csv_windows_semicolon(folder: Path) -> tuple[Path, Expected]:
    """What a German Excel writes: cp1252 and semicolons."""
    path = csv_form(folder, "export-excel.csv", ";", "cp1252")
    return path, Expected(component_of=_csv_component, actions=True)


@form
def csv_utf8_tab(folder: Path) -> tuple[Path, Expected]:
    path = csv_form(folder, "export.csv", "\t", "utf-8")
    return path, Expected(component_of=_csv_component, actions=True)


@form
def legacy_xls_aiag(folder: Path) -> tuple[Path, Expected]:
    """A legacy .xls AIAG form (written with xlwt): two-row header with merges."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("PFMEA")
    sheet.write(0, 0, "PROCESS FMEA")
    top = ["Process Step", "Requirements", "Potential Failure Mode", "Potential Effect(s)",
           "Sev", "Potential Cause(s)", "Current Process Controls", None, "Occ", "Det",
           "Recommended Action(s)", "Responsibility & Target Completion Date"]  # fmt: skip
    for column, text in enumerate(top):
        if text is not None and column != 6:
            sheet.write_merge(2, 3, column, column, text)
    sheet.write_merge(2, 2, 6, 7, "Current Process Controls")
    sheet.write(3, 6, "Prevention")
    sheet.write(3, 7, "Detection")
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention",
            "detection_controls", "L", "D", "action", "owner_due"]  # fmt: skip
    from form_corpus import cell_value

    for index, failure in enumerate(ROWS):
        for column, key in enumerate(keys):
            value = cell_value(failure, key)
            if value is not None:
                sheet.write(4 + index, column, value)
    path = folder / "legacy.xls"
    book.save(str(path))
    return path, Expected(actions=True, notes=["column A 'Process Step'"])


@form
def aiag_with_second_table_below(folder: Path) -> tuple[Path, Expected]:
    """A rating-scale table under the form, with its own header: the table ends before it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA"
    put(sheet, 1, PLAIN_HEADER)
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D"]  # fmt: skip
    end = write_rows(sheet, Layout(keys, 2, merge_components=False))
    put(sheet, end + 2, ["Rank", "Effect", "Failure Mode", "Severity", "Occurrence", "Detection"])
    put(sheet, end + 3, [10, "Hazardous", "any", 10, 10, 10])
    path = save(workbook, folder, "scales-below.xlsx")
    return path, Expected()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_corpus_form_imports_cell_by_cell(tmp_path, name):
    path, expected = FORMS[name](tmp_path)
    result = import_spreadsheet(path)
    assert failure_rows(result.model) == expected_failure_rows(expected)
    assert action_rows(result.model) == expected_action_rows(expected)
    # Nothing from a title block, a header or a footer became a component.
    assert {c.name for c in result.model.components.values()} == {
        expected.component_of(f) for f in ROWS
    }
    for fragment in expected.notes:
        assert any(fragment in note for note in result.notes), (fragment, result.notes)


def test_the_corpus_has_the_shapes_issue_12_asks_for():
    assert len(FORMS) >= 15


def test_a_form_with_every_sheet_read_into_one_model(tmp_path):
    """--all-sheets: two FMEA sheets of one workbook, components shared by name."""
    workbook = openpyxl.Workbook()
    keys = ["component", "function", "mode", "effect", "S", "cause", "prevention", "L",
            "detection_controls", "D"]  # fmt: skip
    header = ["Item", "Function", "Failure Mode", "Effect", "Sev", "Cause", "Prevention",
              "Occ", "Detection Controls", "Det"]  # fmt: skip
    for index, title in enumerate(("Line 1", "Line 2")):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        put(sheet, 1, header)
        write_rows(sheet, Layout(keys, 2))
    path = save(workbook, tmp_path, "lines.xlsx")
    assert len(import_spreadsheet(path).model.failure_modes) == len(ROWS)
    result = import_spreadsheet(path, Mapping(all_sheets=True))
    assert result.sheets == ["Line 1", "Line 2"]
    assert len(result.model.failure_modes) == 2 * len(ROWS)
    assert [c.name for c in result.model.components.values()] == ["Coolant pump", "Mixing valve"]
