"""The spreadsheet import API (what the CLI and the import dialog drive): detection, mapping,
preview, refusals that name their columns, dates in the column's own order, progress, cancel."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from fma_app.domain.model import Scores
from fma_app.reports import form_reader
from fma_app.reports.errors import ImportCancelledError, ImportProblemsError
from fma_app.reports.spreadsheet_import import (
    Mapping,
    ProblemLocation,
    SpreadsheetImport,
    import_spreadsheet,
    parse_header_rows,
    parse_map_option,
    problem_location,
)


def write(tmp_path: Path, rows: list[list[object]], name: str = "form.xlsx", title="FMEA"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for values in rows:
        sheet.append(values)
    path = tmp_path / name
    workbook.save(path)
    return path


def problems(path: Path, mapping: Mapping | None = None) -> list[str]:
    with pytest.raises(ImportProblemsError) as caught:
        import_spreadsheet(path, mapping)
    return caught.value.problems


HEADER = ["Item", "Failure Mode", "Effect", "Sev", "Cause", "Occ", "Det"]


# ---- scores never land in the wrong field ----------------------------------------------------


def test_a_revised_block_without_an_initial_one_is_refused_naming_the_columns(tmp_path):
    """Issue 12, pattern 5: the initial headers were not recognised, the Action Results ones
    were; the revised scores must not be imported as the initial ones."""
    header = ["Item", "Failure Mode", "Gravity", "Chance", "Spotting", "Recommended Action",
              "Actions Taken", "Sev", "Occ", "Det"]  # fmt: skip
    path = write(tmp_path, [header, ["Pump", "Leak", 8, 4, 6, "Sensor", "Done", 8, 2, 3]])
    found = problems(path)
    assert found[0] == (
        "FMEA: revised scores in H (revised_severity), I (revised_likelihood), "
        "J (revised_detection) after the actions, but no initial Severity, Occurrence and "
        "Detection columns before them; map the initial ones with --map COLUMN=severity "
        "(likelihood, detection)"
    )
    assert found[-1].startswith("FMEA: headers found in row 1: A 'Item' = component; ")
    assert "C 'Gravity' = not recognised" in found[-1]
    mapping = Mapping(columns={"C": "severity", "chance": "likelihood", "Spotting": "detection"})
    (fm,) = import_spreadsheet(path, mapping).model.failure_modes.values()
    assert (fm.scores, fm.revised) == (Scores(8, 4, 6), Scores(8, 2, 3))


def test_numbers_1_to_10_under_a_header_nobody_recognised_are_refused(tmp_path):
    """A renamed score header must not silently drop (or misplace) its scores."""
    header = ["Item", "Failure Mode", "Effect", "Sev", "Cause", "Occ", "Det", "Weight"]
    rows = [header, ["Pump", "Leak", "Wet", 8, "Seal", 4, 6, 7], ["Pump", "Seize", "Stop", 9,
            "Grease", 3, 5, 2]]  # fmt: skip
    path = write(tmp_path, rows)
    found = problems(path)
    assert found[0] == (
        "FMEA: column H 'Weight' holds numbers from 1 to 10 under a header that names no field; "
        "they may be scores: map each with --map H=severity (or likelihood, detection, "
        "revised_..., ignore)"
    )
    model = import_spreadsheet(path, Mapping(columns={"Weight": "ignore"})).model
    assert [f.scores for f in model.failure_modes.values()] == [Scores(8, 4, 6), Scores(9, 3, 5)]


def test_two_columns_claiming_one_score_are_refused_until_mapped(tmp_path):
    header = ["Item", "Failure Mode", "Sev", "Occ", "Det", "Sev", "Occ", "Det"]
    path = write(tmp_path, [header, ["Pump", "Leak", 8, 4, 6, 8, 2, 3]])
    found = problems(path)
    assert found[:3] == [
        "FMEA: columns C and F are both read as severity; say which is which with --map "
        "(for example --map F=revised_severity)",
        "FMEA: columns D and G are both read as likelihood; say which is which with --map "
        "(for example --map G=revised_likelihood)",
        "FMEA: columns E and H are both read as detection; say which is which with --map "
        "(for example --map H=revised_detection)",
    ]
    mapping = Mapping(
        columns={"F": "revised_severity", "G": "revised_likelihood", "H": "revised_detection"}
    )
    (fm,) = import_spreadsheet(path, mapping).model.failure_modes.values()
    assert (fm.scores, fm.revised) == (Scores(8, 4, 6), Scores(8, 2, 3))


def test_values_on_another_scale_are_refused_with_their_cells_even_when_mapped(tmp_path):
    header = ["Item", "Failure Mode", "Likeliness", "Impact", "Det"]
    rows = [header, ["Valve", "Sticks", 0.8, 100, 2], ["Valve", "Leaks", "80%", "B", 3]]
    path = write(tmp_path, rows)
    mapping = Mapping(columns={"Likeliness": "likelihood", "Impact": "severity"})
    assert problems(path, mapping) == [
        "FMEA!D2: severity 100 is not a whole number from 1 to 10",
        "FMEA!C2: likelihood 0.8 is not a whole number from 1 to 10",
        "FMEA!D3: severity 'B' is not a whole number from 1 to 10",
        "FMEA!C3: likelihood '80%' is not a whole number from 1 to 10",
    ]


def test_a_partial_score_block_names_what_is_missing_and_every_header(tmp_path):
    path = write(tmp_path, [["Item", "Failure Mode", "Severity", "Prob"], ["a", "b", 5, 5]])
    assert problems(path) == [
        "FMEA: found Severity, Occurrence but no Detection column; map it with --map COLUMN=FIELD",
        "FMEA: headers found in row 1: A 'Item' = component; B 'Failure Mode' = failure_mode; "
        "C 'Severity' = severity; D 'Prob' = likelihood",
    ]


def test_a_sheet_without_score_columns_imports_not_rated_and_says_so(tmp_path):
    path = write(
        tmp_path, [["Item", "Failure Mode", "Effect", "Cause"], ["Pump", "Leak", "Wet", "Seal"]]
    )
    result = import_spreadsheet(path)
    (fm,) = result.model.failure_modes.values()
    assert (fm.severity, fm.likelihood, fm.detection) == (None, None, None)
    assert result.notes == ["FMEA: no score columns, so every failure mode is not rated yet"]


# ---- owner and date in one column ------------------------------------------------------------

OWNER_HEADER = ["Item", "Failure Mode", "Sev", "Occ", "Det", "Recommended Action",
                "Person Responsible and Target Completion Date"]  # fmt: skip


def owner_form(tmp_path: Path, dates: list[str]) -> Path:
    rows = [OWNER_HEADER]
    for index, text in enumerate(dates):
        rows.append(["Pump", f"mode {index}", 5, 4, 3, f"act {index}", f"J. Doe {text}"])
    return write(tmp_path, rows)


@pytest.mark.parametrize(
    ("dates", "wanted"),
    [
        (["03/04/2026", "13/04/2026"], [dt.date(2026, 4, 3), dt.date(2026, 4, 13)]),
        (["03/04/2026", "4/13/2026"], [dt.date(2026, 3, 4), dt.date(2026, 4, 13)]),
        (["05/05/26", "2026-07-01", "1 Aug 2026"],
         [dt.date(2026, 5, 5), dt.date(2026, 7, 1), dt.date(2026, 8, 1)]),
    ],
)  # fmt: skip
def test_owner_and_date_read_in_the_columns_own_order(tmp_path, dates, wanted):
    model = import_spreadsheet(owner_form(tmp_path, dates)).model
    assert [(a.owner, a.due_date) for a in model.actions.values()] == [
        ("J. Doe", date) for date in wanted
    ]


def test_dates_that_stay_ambiguous_or_mix_orders_are_refused(tmp_path):
    assert problems(owner_form(tmp_path, ["03/04/2026", "05/06/2026"])) == [
        "FMEA: the dates in column G could be day-first or month-first "
        "(FMEA!G2 '03/04/2026', FMEA!G3 '05/06/2026'); write them as YYYY-MM-DD"
    ]
    assert problems(owner_form(tmp_path, ["13/04/2026", "4/13/2026"])) == [
        "FMEA: the dates in column G mix day-first and month-first; write them as YYYY-MM-DD"
    ]


# ---- the mapping -----------------------------------------------------------------------------


def test_map_by_letter_or_header_text_and_every_mapping_problem(tmp_path):
    header = ["Step", "Failure Mode", "S", "L", "D", "Sev"]
    path = write(tmp_path, [header, ["Weld", "Crack", 5, 4, 3, 9]])
    found = problems(path, Mapping(columns={"A": "owner", "sev": "notes", "Nope": "severity"}))
    assert found[0] == (
        "--map A=owner: 'owner' is not a field; the fields are component, function, "
        "failure_mode, effect, severity, cause, likelihood, prevention_controls, "
        "detection_controls, detection, notes, action, action_owner, action_due, action_status, "
        "action_taken, revised_severity, revised_likelihood, revised_detection, ignore, "
        "action_owner_and_due, process_step"
    )
    assert found[1].startswith("FMEA: --map 'Nope': no column has that header or letter; ")
    model = import_spreadsheet(path, Mapping(columns={"A": "component", "F": "ignore"})).model
    assert [c.name for c in model.components.values()] == ["Weld"]


def test_a_header_text_in_two_columns_must_be_named_by_letter(tmp_path):
    header = ["Item", "Failure Mode", "Sev", "Occ", "Det", "Recommended Action", "Sev"]
    path = write(tmp_path, [header, ["Pump", "Leak", 5, 4, 3, "fix", 2]])
    assert problems(path, Mapping(columns={"Sev": "severity"}))[0] == (
        "FMEA: --map 'Sev': the header is in columns C, G; name the column by its letter"
    )


def test_header_rows_and_excluded_rows(tmp_path):
    rows = [
        ["Our risks"],
        ["Thing", "What breaks", "Badness", "Odds", "Spotting"],
        ["Pump", "Leak", 5, 4, 3],
        ["Pump", "TOTAL", 9, 9, 9],
        ["Valve", "Sticks", 6, 2, 2],
    ]
    path = write(tmp_path, rows)
    assert problems(path) == [
        "form.xlsx: no sheet has an FMEA header row in its first 30 rows (looking for columns "
        "such as Item, Failure Mode, Severity, Occurrence, Detection)"
    ]  # fmt: skip
    mapping = Mapping(
        header_rows=(2, 2),
        columns={"A": "component", "B": "failure_mode", "C": "severity", "D": "likelihood",
                 "E": "detection"},
        excluded_rows={"FMEA": [4]},
    )  # fmt: skip
    model = import_spreadsheet(path, mapping).model
    assert [(f.failure_mode, f.scores) for f in model.failure_modes.values()] == [
        ("Leak", Scores(5, 4, 3)),
        ("Sticks", Scores(6, 2, 2)),
    ]


def test_mapping_json_round_trip_and_its_problems(tmp_path):
    mapping = Mapping(
        sheet="PFMEA",
        header_rows=(6, 10),
        columns={"F": "severity", "Occurance": "likelihood"},
        excluded_rows={"PFMEA": [12, 13]},
    )
    path = tmp_path / "layout.json"
    mapping.save(path)
    assert Mapping.load(path) == mapping
    assert Mapping.from_json(Mapping().to_json()) == Mapping()
    path.write_text('{"fma_spreadsheet_mapping": 1, "columns": {"F": "sev"}, "header_rows": [3]}')
    with pytest.raises(ImportProblemsError) as caught:
        Mapping.load(path)
    assert caught.value.problems == [
        "layout.json: header_rows must be [first, last] or null",
        "layout.json: column 'F': 'sev' is not a field; the fields are component, function, "
        "failure_mode, effect, severity, cause, likelihood, prevention_controls, "
        "detection_controls, detection, notes, action, action_owner, action_due, action_status, "
        "action_taken, revised_severity, revised_likelihood, revised_detection, ignore, "
        "action_owner_and_due, process_step",
    ]
    path.write_text("[1, 2")
    with pytest.raises(ImportProblemsError, match=r"layout\.json: not a JSON mapping"):
        Mapping.load(path)


def test_option_parsers():
    assert parse_header_rows("6-10") == (6, 10)
    assert parse_header_rows("3") == (3, 3)
    assert parse_map_option("Person Responsible = action_owner") == (
        "Person Responsible",
        "action_owner",
    )
    with pytest.raises(ImportProblemsError, match="write the rows as N-M"):
        parse_header_rows("six")
    with pytest.raises(ImportProblemsError, match="first <= last"):
        parse_header_rows("9-3")
    with pytest.raises(ImportProblemsError, match="write COLUMN=FIELD"):
        parse_map_option("F")


# ---- the API a dialog drives -----------------------------------------------------------------


def test_detect_and_preview_show_the_layout_and_rows(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PFMEA"
    sheet["A1"] = "Title"
    for column, text in enumerate(HEADER, start=1):
        sheet.cell(3, column, text)
    sheet.append(["Pump", "Leak", "Wet", 8, "Seal", 4, 6])
    sheet.append([None, "Seize", "Stop", 9, "Grease", 3, 5])
    sheet.merge_cells("A4:A5")
    workbook.create_sheet("Notes")
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    with SpreadsheetImport.open(path) as source:
        assert source.sheet_names == ["PFMEA", "Notes"]
        assert source.fmea_sheets() == ["PFMEA"]
        assert not source.is_report()
        layout = source.detect("pfmea")
        assert layout is not None
        assert (layout.header_rows, layout.data_first) == ((3, 3), 4)
        assert [(c.letter, c.header, c.field) for c in layout.columns] == [
            ("A", "Item", "component"), ("B", "Failure Mode", "failure_mode"),
            ("C", "Effect", "effect"), ("D", "Sev", "severity"), ("E", "Cause", "cause"),
            ("F", "Occ", "likelihood"), ("G", "Det", "detection"),
        ]  # fmt: skip
        mapped = source.detect("PFMEA", Mapping(columns={"C": "notes"}))
        assert mapped is not None
        assert (mapped.columns[2].detected, mapped.columns[2].field) == ("effect", "notes")
        assert mapped.columns[2].mapped
        preview = source.preview("PFMEA", Mapping(excluded_rows={"PFMEA": [5]}))
        assert [(p.number, p.cells, p.excluded) for p in preview] == [
            (4, ("Pump", "Leak", "Wet", "8", "Seal", "4", "6"), False),
            (5, ("Pump", "Seize", "Stop", "9", "Grease", "3", "5"), True),
        ]
        assert source.detect("Notes") is None


def test_progress_is_reported_and_cancel_stops_without_a_model(tmp_path, monkeypatch):
    monkeypatch.setattr(form_reader, "PROGRESS_EVERY", 10)
    rows = [HEADER] + [["Pump", f"mode {i}", "Wet", 8, "Seal", 4, 6] for i in range(35)]
    path = write(tmp_path, rows)
    seen: list[tuple[int, int | None]] = []
    result = import_spreadsheet(path, progress=lambda done, total: seen.append((done, total)))
    assert len(result.model.failure_modes) == 35
    assert [done for done, _ in seen] == [10, 20, 30, 35]
    assert {total for _, total in seen} == {35}
    with pytest.raises(ImportCancelledError):
        import_spreadsheet(path, cancelled=lambda: True)


def test_a_table_too_large_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(form_reader, "MAX_TABLE_ROWS", 20)
    rows = [HEADER] + [["Pump", f"mode {i}", "Wet", 8, "Seal", 4, 6] for i in range(25)]
    assert problems(write(tmp_path, rows)) == [
        "FMEA: the table has more than 20 rows; FMA Workbench imports forms of up to 20 rows"
    ]


@pytest.mark.parametrize(
    ("problem", "location"),
    [
        ("DFMEA!F7: likelihood 0.8 is not ...", ProblemLocation("DFMEA", 7, 6)),
        ("'My ''old'' sheet'!AB12: x", ProblemLocation("My 'old' sheet", 12, 28)),
        ("FMEA: headers found in row 1: ...", None),
    ],
)
def test_problem_location_finds_the_cell_a_problem_names(problem, location):
    assert problem_location(problem) == location


def test_a_text_field_in_two_columns_keeps_both(tmp_path):
    """jessephelps' form: a technical effect and a business consequence, both effects."""
    technical = "Potential Technical Effect(s) of Failure"
    business = "Potential Business Consequence(s) of Failure"
    header = ["Item", "Failure Mode", technical, business, "Sev", "Cause", "Occ", "Det"]
    rows = [
        header,
        ["Sync", "Stale data", "Old values shown", None, 6, "Lag", 3, 4],
        ["Sync", "Lost data", "Rows missing", "Refunds", 9, "Crash", 2, 5],
    ]
    model = import_spreadsheet(write(tmp_path, rows)).model
    assert [f.effect for f in model.failure_modes.values()] == [
        "Old values shown",
        "Rows missing\nRefunds",
    ]


# ---- the import dialog: detection read once, problems in the dialog's words ------------------


def test_the_sheet_head_is_read_once_however_often_the_mapping_changes(tmp_path, monkeypatch):
    """The dialog detects at every mapping change and previews under the layout it got: the
    sheet's first rows are read once, and the preview does not detect again."""
    from fma_app.reports.sheet_source import XlsxSheet

    header = ["Item", "Failure Mode", "Effect", "Sev", "Cause", "Chance", "Det"]
    path = write(tmp_path, [["Title"], [], header, ["Pump", "Leak", "Wet", 8, "Seal", 4, 6]])
    passes: list[int] = []  # the first row of each pass over the sheet's XML
    real_rows = XlsxSheet.rows

    def counted(self, first_row=1, max_col=None):
        passes.append(first_row)
        return real_rows(self, first_row, max_col)

    monkeypatch.setattr(XlsxSheet, "rows", counted)
    with SpreadsheetImport.open(path) as source:
        for columns in ({}, {"F": "likelihood"}, {"F": "ignore", "C": "notes"}):
            mapping = Mapping(sheet="FMEA", columns=columns)
            layout = source.detect("FMEA", mapping)
            assert layout is not None
            assert source.preview("FMEA", mapping, 10, layout=layout)[0].cells[0] == "Pump"
        assert layout.header_rows == (3, 3)
        assert layout.columns[2].field == "notes"
        assert len(passes) == 1 + 3  # the head once, then one pass per preview
        source.detect("FMEA", Mapping(header_rows=(3, 3)))  # within the rows already read
        assert len(passes) == 4
        imported = source.import_model(Mapping(columns={"F": "likelihood"}))
    (fm,) = imported.model.failure_modes.values()
    assert fm.scores == Scores(8, 4, 6)


DIALOG_CASES = [
    # (rows, mapping columns, the problem as the dialog words it)
    ([["Item", "Failure Mode", "Severity", "Prob"], ["a", "b", 5, 5]], {},
     "FMEA: found Severity, Occurrence but no Detection column; choose Detection for its "
     "column in the preview's Field row"),
    ([["Item", "Failure Mode", "Sev", "Occ", "Det", "Sev", "Occ", "Det"],
      ["Pump", "Leak", 8, 4, 6, 8, 2, 3]], {},
     "FMEA: columns C and F are both read as severity; say which is which in the preview's "
     "Field row (for example Revised severity for F)"),
    ([["Item", "Failure Mode", "Gravity", "Chance", "Spotting", "Recommended Action",
       "Actions Taken", "Sev", "Occ", "Det"], ["Pump", "Leak", 8, 4, 6, "x", "y", 8, 2, 3]], {},
     "FMEA: revised scores in H (revised_severity), I (revised_likelihood), J "
     "(revised_detection) after the actions, but no initial Severity, Occurrence and Detection "
     "columns before them; choose Severity, Likelihood and Detection for the initial ones in "
     "the preview's Field row"),
    ([["Item", "Failure Mode", "Effect", "Sev", "Cause", "Occ", "Det", "Weight"],
      ["Pump", "Leak", "Wet", 8, "Seal", 4, 6, 7], ["Pump", "Seize", "Stop", 9, "G", 3, 5, 2]],
     {}, "FMEA: column H 'Weight' holds numbers from 1 to 10 under a header that names no "
     "field; they may be scores: choose each one's field in the preview's Field row (for "
     "example Severity for H)"),
    ([["Step", "Failure Mode", "S", "L", "D"], ["Weld", "Crack", 5, 4, 3]], {"Nope": "severity"},
     "FMEA: mapping 'Nope': no column has that header or letter; "),
    ([["Step", "Failure Mode", "S", "L", "D"], ["Weld", "Crack", 5, 4, 3]], {"A": "owner"},
     "mapping A=owner: 'owner' is not a field; the fields are component, "),
    ([["Notes only"], ["nothing", "here"]], {},
     "FMEA: no FMEA header row in its first 30 rows (give the header rows above, or choose "
     "each column's field in the preview's Field row)"),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "columns", "wanted"), DIALOG_CASES)
def test_the_dialog_words_each_refusal_for_its_own_controls(tmp_path, rows, columns, wanted):
    """The dialog has no --map or --header-rows: its refusals name its controls; the command
    line's words are the ones the tests above check."""
    from fma_app.reports.mapping_words import DIALOG

    path = write(tmp_path, rows)
    mapping = Mapping(sheet="FMEA", columns=columns)
    with (
        SpreadsheetImport.open(path, words=DIALOG) as source,
        pytest.raises(ImportProblemsError) as caught,
    ):
        source.import_model(mapping)
    found = caught.value.problems
    assert any(problem.startswith(wanted) for problem in found), found
    assert not [p for p in found if "--map" in p or "--header-rows" in p]
    with pytest.raises(ImportProblemsError) as caught:
        import_spreadsheet(path, mapping)  # the command line's words
    assert any("--map" in problem for problem in caught.value.problems)


# ---- a sheet too large for a form is refused before the workbook is parsed -------------------


def rewrite_sheet(path: Path, change, member: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite one worksheet's XML of a workbook in place."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in parts:
            is_sheet = item.filename == member
            target.writestr(item, change(data) if is_sheet else data)


@pytest.fixture
def twenty_rows_at_most(monkeypatch):
    """Forms of at most 20 rows: the early refusal then counts past 20 + 40 rows above."""
    monkeypatch.setattr(form_reader, "MAX_TABLE_ROWS", 20)


@pytest.fixture
def no_workbook_parse(monkeypatch):
    """openpyxl must not be asked to load the workbook (its shared strings are the cost)."""
    import openpyxl

    def refuse(*_args, **_kwargs):
        raise AssertionError("the workbook was parsed before the refusal")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_sheet_beyond_a_forms_size_is_refused_before_the_workbook_is_parsed(
    tmp_path, twenty_rows_at_most, monkeypatch
):
    rows = [HEADER] + [["Pump", f"mode {i}", "Wet", 8, "Seal", 4, 6] for i in range(70)]
    path = write(tmp_path, rows, title="R&D <draft>")
    import openpyxl

    real_load = openpyxl.load_workbook
    workbook = real_load(path)
    workbook.create_sheet("Notes", 0).append(["a small sheet first"])
    workbook.save(path)  # the big sheet second, its name with XML entities
    loads: list[object] = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loads.append(a))
    with pytest.raises(ImportProblemsError) as caught:
        SpreadsheetImport.open(path)
    assert caught.value.problems == [
        "R&D <draft>: the table has more than 20 rows; FMA Workbench imports forms of up to 20 rows"
    ]
    assert loads == []
    # without the dimension the file's size says it may hold that many: counted all the same
    big_sheet = "xl/worksheets/sheet2.xml"  # the second sheet's part
    rewrite_sheet(path, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml), big_sheet)
    with pytest.raises(ImportProblemsError) as caught:
        import_spreadsheet(path)
    assert caught.value.problems[0].startswith("R&D <draft>: the table has more than 20 rows")
    assert loads == []


def test_an_overstated_dimension_alone_refuses_nothing(tmp_path, twenty_rows_at_most):
    """Formatting stretches the declared size; the rows with values are what count."""
    rows = [HEADER] + [["Pump", f"mode {i}", "Wet", 8, "Seal", 4, 6] for i in range(15)]
    path = write(tmp_path, rows)
    stretched = b'<dimension ref="A1:G1048576"'
    rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', stretched, xml))
    assert len(import_spreadsheet(path).model.failure_modes) == 15
    # 21 rows in the table: over the limit, but within what the early count lets through
    # (the rows above a table): refused by the reader, with the same line
    path = write(tmp_path, [HEADER] + [["P", f"m {i}", "W", 8, "S", 4, 6] for i in range(21)])
    assert problems(path) == [
        "FMEA: the table has more than 20 rows; FMA Workbench imports forms of up to 20 rows"
    ]


def test_a_real_size_sheet_of_200_041_rows_is_refused_in_one_line(tmp_path, no_workbook_parse):
    """The real limit on a generated sheet (one value per row, 1 MB on disk)."""
    import zipfile

    template = write(tmp_path, [HEADER], name="template.xlsx")
    path = tmp_path / "big.xlsx"
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _rows, tail = re.split(rb"<sheetData>|</sheetData>", data)
                body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)
                                for n in range(1, 200_042))  # fmt: skip
                head = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G200041"', head)
                data = head + b"<sheetData>" + body + b"</sheetData>" + tail
            target.writestr(item, data)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ImportProblemsError) as caught:
        import_spreadsheet(path)
    assert caught.value.problems == [
        "FMEA: the table has more than 200,000 rows; FMA Workbench imports forms of up to "
        "200,000 rows"
    ]
