"""Importing teams' own FMEA worksheets: real forms built with openpyxl, saved and loaded back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from fma_app.domain.model import ActionStatus, ComponentKind, Scores, Strength
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.workbook_import import import_workbook

AIAG_HEADER_TOP = [
    "Item", "Function", "Potential\nFailure Mode", "Potential\nEffect(s) of Failure", "Sev",
    "Class", "Potential\nCause(s)/\nMechanism(s) of Failure",
    "Current Design\nControls\nPrevention",
    "Occur", "Current Design\nControls\nDetection", "Detec", "R.P.N.", "Recommended\nAction(s)",
    "Responsibility\n& Target\nCompletion Date", "Action Results",
]  # fmt: skip
AIAG_SUB_HEADER = {15: "Actions Taken", 16: "Sev", 17: "Occ", 18: "Det", 19: "R.P.N."}


def save_and_load(workbook: openpyxl.Workbook, path: Path) -> openpyxl.Workbook:
    """Write the workbook to disk and read it the way the import does."""
    workbook.save(path)
    return openpyxl.load_workbook(path, data_only=True)


def import_book(workbook: openpyxl.Workbook, tmp_path: Path, name: str = "book.xlsx", sheet=None):
    workbook.save(tmp_path / name)
    return import_workbook(tmp_path / name, sheet=sheet)


def problems_of(workbook: openpyxl.Workbook, tmp_path: Path, sheet=None) -> list[str]:
    with pytest.raises(ImportProblemsError) as caught:
        import_book(workbook, tmp_path, sheet=sheet)
    return caught.value.problems


def aiag_form() -> openpyxl.Workbook:
    """An AIAG 4th-edition DFMEA: title block, two header rows, merged Item/Function cells,
    a failure mode listed once for two causes, the Action Results block and RPN formulas."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "DFMEA"
    sheet["A1"] = "POTENTIAL FAILURE MODE AND EFFECTS ANALYSIS (DESIGN FMEA)"
    sheet.merge_cells("A1:S1")
    sheet["A2"], sheet["D2"], sheet["M2"] = "System: Payments", "Item:", "FMEA Number: 42"
    sheet["A3"], sheet["M3"] = "Design Responsibility: SRE", "Prepared By: J. Doe"
    sheet["A4"], sheet["M4"] = "Core Team: payments, SRE, fraud", "FMEA Date (Orig.): 2026-01-05"
    for column, text in enumerate(AIAG_HEADER_TOP, start=1):
        sheet.cell(6, column, text)
    for column in range(1, 15):  # every column but the Action Results group spans both rows
        sheet.merge_cells(start_row=6, start_column=column, end_row=7, end_column=column)
    sheet.merge_cells("O6:S6")
    for column, text in AIAG_SUB_HEADER.items():
        sheet.cell(7, column, text)
    rows = {
        8: ["Payment API", "Authorise card payments", "Times out", "Checkout fails", 8, "YC",
            "DB connection pool exhausted", "Pool sizing review", 4, "p99 latency alert", 3,
            "=E8*I8*K8", "Add circuit breaker", "A. Smith 2026-03-31", "Breaker added", 8, 2, 3,
            "=P8*Q8*R8"],
        9: [None, None, None, None, None, None, "Card network slow", None, 5,
            "Synthetic probe", 6, "=E9*I9*K9", "None"],
        10: [None, None, "Double charge", "Customer charged twice", 9, None,
             "Retry without idempotency key", None, 3, "Reconciliation report", 7, 999,
             "Idempotency keys", "B. Jones, 15/04/2026"],
        12: ["Ledger DB", "Record transactions", "Replica lag", "Stale balances", 6, None,
             "Long-running vacuum", "Vacuum schedule", 3, "Lag alert", 2, "=E12*I12*K12"],
        13: [None, None, None, None, None, None, "Network partition", None, 2, "Lag alert", 4],
        14: ["Kafka"],
    }  # fmt: skip
    for row, values in rows.items():
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row, column, value)
    sheet.merge_cells("A8:A10")
    sheet.merge_cells("B8:B10")
    for column in "CDE":  # one failure mode, effect and severity for two causes
        sheet.merge_cells(f"{column}12:{column}13")
    return workbook


def test_aiag_form_builds_components_failure_modes_and_actions(tmp_path):
    model = import_book(aiag_form(), tmp_path, name="payments-dfmea.xlsx")

    assert model.name == "payments-dfmea"
    assert [(c.name, c.kind) for c in model.components.values()] == [
        ("Payment API", ComponentKind.OTHER),
        ("Ledger DB", ComponentKind.OTHER),
        ("Kafka", ComponentKind.OTHER),
    ]
    names = {c.id: c.name for c in model.components.values()}
    rows = [
        (names[f.component_id], f.function, f.failure_mode, f.effect, f.cause,
         f.severity, f.likelihood, f.detection, f.revised)
        for f in model.failure_modes.values()
    ]  # fmt: skip
    assert rows == [
        ("Payment API", "Authorise card payments", "Times out", "Checkout fails",
         "DB connection pool exhausted", 8, 4, 3, Scores(8, 2, 3)),
        ("Payment API", "Authorise card payments", "Times out", "Checkout fails",
         "Card network slow", 8, 5, 6, None),
        ("Payment API", "Authorise card payments", "Double charge", "Customer charged twice",
         "Retry without idempotency key", 9, 3, 7, None),
        ("Ledger DB", "Record transactions", "Replica lag", "Stale balances",
         "Long-running vacuum", 6, 3, 2, None),
        ("Ledger DB", "Record transactions", "Replica lag", "Stale balances",
         "Network partition", 6, 2, 4, None),
    ]  # fmt: skip
    first = next(iter(model.failure_modes.values()))
    assert (first.prevention_controls, first.detection_controls) == (
        "Pool sizing review",
        "p99 latency alert",
    )
    # The RPN cell of "Double charge" says 999; it is recomputed from the scores.
    assert [f.rpn for f in model.failure_modes.values()] == [96, 240, 189, 36, 48]
    assert [f.revised_rpn for f in model.failure_modes.values()] == [48, None, None, None, None]

    actions = [
        (a.description, a.owner, a.due_date, a.status, a.action_taken)
        for a in model.actions.values()
    ]
    assert actions == [
        ("Add circuit breaker", "A. Smith", dt.date(2026, 3, 31), ActionStatus.DONE,
         "Breaker added"),
        ("Idempotency keys", "B. Jones", dt.date(2026, 4, 15), ActionStatus.OPEN, ""),
    ]  # fmt: skip
    assert model.actions[next(iter(model.actions))].failure_mode_id == first.id
    assert model.dependencies == {}
    assert model.description == "Imported from payments-dfmea.xlsx, sheet DFMEA"


def test_components_are_laid_out_apart_on_the_canvas(tmp_path):
    model = import_book(aiag_form(), tmp_path)
    positions = [(c.x, c.y) for c in model.components.values()]
    assert len(set(positions)) == len(positions)


def vda_form() -> openpyxl.Workbook:
    """An AIAG-VDA (2019) DFMEA form: step groups above the header, structure/function columns,
    prevention and detection actions, an optimisation block with revised S/O/D and AP columns."""
    header = [
        "1. Next Higher Level", "2. Focus Element", "3. Next Lower Level or Characteristic Type",
        "1. Next Higher Level Function and Requirement",
        "2. Focus Element Function and Requirement",
        "3. Function of Next Lower Level", "1. Failure Effects (FE) to the Next Higher Level "
        "Element and/or End User", "Severity (S) of FE", "2. Failure Mode (FM) of the Focus "
        "Element", "3. Failure Cause (FC) of the Next Lower Element", "Current Prevention "
        "Control (PC) of FC", "Occurrence (O) of FC", "Current Detection Controls (DC) of FC or "
        "FM", "Detection (D) of FC/FM", "DFMEA AP", "Filter Code (Optional)", "DFMEA Prevention "
        "Action", "DFMEA Detection Action", "Responsible Person's Name", "Target Completion Date",
        "Status", "Action Taken with Pointer to Evidence", "Completion Date", "Severity (S)",
        "Occurrence (O)", "Detection (D)", "DFMEA AP", "Remarks",
    ]  # fmt: skip
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active["A1"] = "Card platform DFMEA, see next sheet"
    sheet = workbook.create_sheet("Form")
    sheet["A1"] = "Design FMEA (AIAG-VDA)"
    groups = {1: "Structure Analysis (Step 2)", 4: "Function Analysis (Step 3)",
              7: "Failure Analysis (Step 4)", 11: "DFMEA Risk Analysis (Step 5)",
              17: "DFMEA Optimization (Step 6)"}  # fmt: skip
    for column, text in groups.items():
        sheet.cell(2, column, text)
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("Q2:AB2")
    for column, text in enumerate(header, start=1):
        sheet.cell(3, column, text)
    rows = [
        ["Payments platform", "Fraud scoring", "Model server", "Authorise payments",
         "Score each authorisation within 50 ms", None, "Authorisations declined or delayed", 7,
         "No score returned in time", "Model server GC pause", "Heap sized from load test", 5,
         "Latency SLO alert", 4, "M", None, "Move to ZGC", "Synthetic score probe", "C. Lee",
         dt.datetime(2026, 2, 1), "Completed", "ZGC rolled out; see CHG-1234",
         dt.datetime(2026, 1, 28), 7, 2, 4, "L", "Reviewed in January"],
        [None, "fraud scoring", None, None, None, None, "Fraud let through", 8,
         "Wrong score", "Stale model features", "Feature freshness check", 3,
         "Score drift dashboard", 5, "M", None, "Feature TTL", None, "D. Kim", "2026-06-30",
         "in progress"],
    ]  # fmt: skip
    for row, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row, column, value)
    return workbook


def test_vda_form_reads_focus_element_actions_and_optimisation_block(tmp_path):
    model = import_book(vda_form(), tmp_path, name="vda.xlsx")

    assert [c.name for c in model.components.values()] == ["Fraud scoring"]
    first, second = model.failure_modes.values()
    assert (first.function, first.failure_mode, first.effect, first.cause) == (
        "Score each authorisation within 50 ms",
        "No score returned in time",
        "Authorisations declined or delayed",
        "Model server GC pause",
    )
    assert (first.prevention_controls, first.detection_controls, first.notes) == (
        "Heap sized from load test",
        "Latency SLO alert",
        "Reviewed in January",
    )
    assert (first.scores, first.revised) == (Scores(7, 5, 4), Scores(7, 2, 4))
    # The function continues down the rows of one component; the component name's case differs.
    assert (second.function, second.scores, second.revised) == (
        "Score each authorisation within 50 ms",
        Scores(8, 3, 5),
        None,
    )
    actions = [
        (a.failure_mode_id, a.description, a.owner, a.due_date, a.status, a.action_taken)
        for a in model.actions.values()
    ]
    taken = "ZGC rolled out; see CHG-1234"
    assert actions == [
        (first.id, "Move to ZGC", "C. Lee", dt.date(2026, 2, 1), ActionStatus.DONE, taken),
        (first.id, "Synthetic score probe", "C. Lee", dt.date(2026, 2, 1), ActionStatus.DONE,
         taken),
        (second.id, "Feature TTL", "D. Kim", dt.date(2026, 6, 30), ActionStatus.IN_PROGRESS, ""),
    ]  # fmt: skip
    assert model.description == "Imported from vda.xlsx, sheet Form"


def simple_form(header: list[str], rows: list[list[object]], title: str = "DFMEA", start: int = 1):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for column, text in enumerate(header, start=1):
        sheet.cell(start, column, text)
    for offset, values in enumerate(rows, start=start + 1):
        for column, value in enumerate(values, start=1):
            sheet.cell(offset, column, value)
    return workbook


BASIC_HEADER = ["Component", "Function", "Failure Mode", "Effect", "Severity", "Cause",
                "Occurrence", "Detection"]  # fmt: skip


def test_short_aliases_and_detection_controls_text_is_not_the_score(tmp_path):
    header = ["SYSTEM ELEMENT", "failure  mode", "S", "Mechanism(s)", "(Current) Prevention "
              "Controls", "Probability", "Detection Controls", "D", "Recommended Actions",
              "Owner", "Due", "Status", "Actions Taken", "Notes"]  # fmt: skip
    rows = [["Redis", "Evicts hot keys", "9", "maxmemory too low", "Capacity plan", 6.0,
             "Eviction alert", " 2 ", "Raise maxmemory", "E. Ng", "01.09.2026", "Cancelled",
             None, "Known since 2025"]]  # fmt: skip
    model = import_book(simple_form(header, rows), tmp_path)
    (fm,) = model.failure_modes.values()
    assert (fm.failure_mode, fm.cause, fm.prevention_controls, fm.detection_controls) == (
        "Evicts hot keys",
        "maxmemory too low",
        "Capacity plan",
        "Eviction alert",
    )
    assert (fm.scores, fm.notes) == (Scores(9, 6, 2), "Known since 2025")
    (action,) = model.actions.values()
    assert (action.description, action.owner, action.due_date, action.status) == (
        "Raise maxmemory",
        "E. Ng",
        dt.date(2026, 9, 1),
        ActionStatus.CANCELLED,
    )


def test_header_below_a_title_block_up_to_row_30(tmp_path):
    rows = [["Auth", "Log in", "Token rejected", "Users logged out", 7, "Clock skew", 2, 3]]
    workbook = simple_form(BASIC_HEADER, rows, start=30)
    workbook.active["A1"] = "Failure mode analysis"
    workbook.active["A2"] = "Item: auth"
    model = import_book(workbook, tmp_path)
    assert [f.failure_mode for f in model.failure_modes.values()] == ["Token rejected"]


def test_header_below_row_30_is_not_found(tmp_path):
    workbook = simple_form(BASIC_HEADER, [["Auth", "Log in", "x", "y", 7, "z", 2, 3]], start=31)
    assert problems_of(workbook, tmp_path) == [
        "book.xlsx: no sheet has an FMEA header row in its first 30 rows (looking for columns "
        "such as Item, Failure Mode, Severity, Occurrence, Detection)"
    ]


def test_blank_rows_skipped_and_component_only_rows(tmp_path):
    rows = [
        ["Gateway", None, None, None, None, None, None, None],
        [None] * 8,
        ["Auth", "Log in", "Token rejected", "Users logged out", 7, "Clock skew", 2, 3],
        ["  ", None, "", None, None, None, None, None],
        ["CDN", "Serve assets"],
    ]
    model = import_book(simple_form(BASIC_HEADER, rows), tmp_path)
    assert [c.name for c in model.components.values()] == ["Gateway", "Auth", "CDN"]
    assert len(model.failure_modes) == 1


def test_first_sheet_with_a_header_is_read_and_sheet_option_picks_another(tmp_path):
    workbook = simple_form(BASIC_HEADER, [["A", "f", "m1", "e", 5, "c", 5, 5]], title="Old")
    second = workbook.create_sheet("New")
    for column, text in enumerate(BASIC_HEADER, start=1):
        second.cell(3, column, text)
    for column, value in enumerate(["B", "f", "m2", "e", 6, "c", 6, 6], start=1):
        second.cell(4, column, value)
    assert [f.failure_mode for f in import_book(workbook, tmp_path).failure_modes.values()] == [
        "m1"
    ]
    chosen = import_book(workbook, tmp_path, sheet="new")
    assert [f.failure_mode for f in chosen.failure_modes.values()] == ["m2"]
    assert chosen.description == "Imported from book.xlsx, sheet New"


def test_another_action_row_attaches_to_the_failure_mode_above(tmp_path):
    header = [*BASIC_HEADER, "Recommended Action", "Responsibility", "Target Date"]
    rows = [
        ["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 2, 3, "NTP alert",
         "F. Ode", dt.datetime(2026, 5, 1)],
        [None, None, None, None, None, None, None, None, "Leeway of 30 s", "F. Ode", None],
    ]  # fmt: skip
    model = import_book(simple_form(header, rows), tmp_path)
    (fm,) = model.failure_modes.values()
    assert [(a.failure_mode_id, a.description, a.due_date) for a in model.actions.values()] == [
        (fm.id, "NTP alert", dt.date(2026, 5, 1)),
        (fm.id, "Leeway of 30 s", None),
    ]


# ---- the Dependencies sheet ----------------------------------------------------------------


def with_dependencies(rows: list[list[object]], header=("Component", "Depends On", "Strength")):
    workbook = simple_form(
        BASIC_HEADER,
        [
            ["Checkout", "Take orders", "Fails", "No sales", 8, "Bug", 2, 2],
            ["Payments", None, None],
            ["Ledger", None, None],
        ],
    )
    sheet = workbook.create_sheet("Dependencies")
    sheet["A1"] = "Who depends on whom"
    for column, text in enumerate(header, start=1):
        sheet.cell(3, column, text)
    for row, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    return workbook


def test_dependencies_sheet_adds_dependencies(tmp_path):
    workbook = with_dependencies(
        [
            ["Checkout", "Payments", None, None, "Card payments"],
            [None, None, None],
            ["payments", "LEDGER", "Weak", "ledgers"],
        ],
        header=("Component", "Depends On", "Strength", "Redundancy Group", "Description"),
    )
    model = import_book(workbook, tmp_path)
    names = {c.id: c.name for c in model.components.values()}
    assert [
        (names[d.source_id], names[d.target_id], d.strength, d.group, d.description)
        for d in model.dependencies.values()
    ] == [
        ("Checkout", "Payments", Strength.STRONG, "", "Card payments"),
        ("Payments", "Ledger", Strength.WEAK, "ledgers", ""),
    ]


def test_dependency_problems_name_their_cells(tmp_path):
    workbook = with_dependencies(
        [
            ["Checkout", "Billing", None],
            ["Ledger", "Ledger", None],
            ["Checkout", "Payments", "medium"],
            [None, "Payments", None],
        ]
    )
    assert problems_of(workbook, tmp_path) == [
        "Dependencies!B4: unknown component 'Billing' (it is not an item in DFMEA)",
        "Dependencies!B5: component 'Ledger' cannot depend on itself",
        "Dependencies!C6: strength 'medium' is not one of: strong, weak",
        "Dependencies!A7: Component is empty",
    ]


def test_dependencies_sheet_without_its_columns(tmp_path):
    workbook = with_dependencies([["Checkout", "Payments"]], header=("From", "Needs"))
    assert problems_of(workbook, tmp_path) == [
        "Dependencies: no header row with Component and Depends On columns in its first 30 rows"
    ]


# ---- problems ------------------------------------------------------------------------------


def test_every_bad_score_is_reported_with_its_cell_and_value(tmp_path):
    rows = [
        ["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 0.8, 3],
        ["Auth", "Log in", "Lockout", "Users blocked", 11, "Bad config", 2, "high"],
        ["DB", "Store", "Full disk", "Writes fail", None, "Logs", 0, 10.0],
        ["DB", "Store", "Slow", "Timeouts", True, "Load", "7.5", -1],
    ]
    assert problems_of(simple_form(BASIC_HEADER, rows), tmp_path) == [
        "DFMEA!G2: likelihood 0.8 is not a whole number from 1 to 10",
        "DFMEA!E3: severity 11 is not a whole number from 1 to 10",
        "DFMEA!H3: detection 'high' is not a whole number from 1 to 10",
        "DFMEA!G4: likelihood 0 is not a whole number from 1 to 10",
        "DFMEA!E5: severity True is not a whole number from 1 to 10",
        "DFMEA!G5: likelihood '7.5' is not a whole number from 1 to 10",
        "DFMEA!H5: detection -1 is not a whole number from 1 to 10",
    ]


def test_blank_score_cells_are_not_rated_yet(tmp_path):
    rows = [
        ["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", None, "  "],
        ["DB", "Store", "Full disk", "Writes fail", None, "Logs", None, None],
        [None, None, None, None, None, "Backups", 3, 4],  # another cause: severity carries on
    ]
    model = import_book(simple_form(BASIC_HEADER, rows), tmp_path)
    scores = [(f.failure_mode, f.severity, f.likelihood, f.detection, f.rpn)
              for f in model.failure_modes.values()]  # fmt: skip
    assert scores == [
        ("Token rejected", 7, None, None, None),
        ("Full disk", None, None, None, None),
        ("Full disk", None, 3, 4, None),
    ]


def test_sheet_names_with_spaces_are_quoted_in_cell_references(tmp_path):
    rows = [["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 12, 3]]
    workbook = simple_form(BASIC_HEADER, rows, title="Design FMEA")
    assert problems_of(workbook, tmp_path) == [
        "'Design FMEA'!G2: likelihood 12 is not a whole number from 1 to 10"
    ]


def test_missing_score_columns_are_named_with_every_header_found(tmp_path):
    header = ["Item", "Function", "Failure Mode", "Severity", "Detection Controls"]
    assert problems_of(simple_form(header, [["a", "b", "c", 5, "d"]]), tmp_path) == [
        "DFMEA: found Severity but no Occurrence or Detection column; map it with "
        "--map COLUMN=FIELD",
        "DFMEA: headers found in row 1: A 'Item' = component; B 'Function' = function; "
        "C 'Failure Mode' = failure_mode; D 'Severity' = severity; "
        "E 'Detection Controls' = detection_controls",
    ]


def test_without_an_item_column_the_function_names_the_component(tmp_path):
    """Issue 12: forms without an Item column were refused; the function is the component."""
    header = ["Function", "Failure Mode", "Severity", "Occurrence", "Detection"]
    model = import_book(simple_form(header, [["Log in", "c", 5, 5, 5]]), tmp_path)
    assert [c.name for c in model.components.values()] == ["Log in"]
    assert [(f.function, f.failure_mode) for f in model.failure_modes.values()] == [("Log in", "c")]


def test_no_header_anywhere(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Shopping list"
    workbook.active["A2"] = "Item"
    workbook.create_sheet("Notes")["B3"] = "Severity"
    assert problems_of(workbook, tmp_path) == [
        "book.xlsx: no sheet has an FMEA header row in its first 30 rows (looking for columns "
        "such as Item, Failure Mode, Severity, Occurrence, Detection)"
    ]


def test_unknown_sheet_lists_the_sheets(tmp_path):
    workbook = with_dependencies([])
    assert problems_of(workbook, tmp_path, sheet="PFMEA") == [
        "book.xlsx: no sheet named 'PFMEA'; its sheets are 'DFMEA', 'Dependencies'"
    ]


def test_named_sheet_without_a_header(tmp_path):
    workbook = simple_form(BASIC_HEADER, [])
    workbook.create_sheet("Cover")["A1"] = "Payments DFMEA"
    assert problems_of(workbook, tmp_path, sheet="Cover") == [
        "Cover: no FMEA header row in its first 30 rows (give the header rows with "
        "--header-rows N-M, or name the columns with --map)"
    ]


def test_partial_revised_scores_in_a_row(tmp_path):
    header = [*BASIC_HEADER, "Actions Taken", "Sev", "Occ", "Det", "RPN"]
    rows = [
        ["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 2, 3, "NTP", 7, None,
         "n/a"],
        ["Auth", "Log in", "Lockout", "Blocked", 7, "Config", 2, 3, "Fixed", 7, 1, 0],
        ["Auth", "Log in", "Spoofing", "Fraud", 9, "Weak MFA", 2, 3, "-", "-", "-", "-"],
    ]  # fmt: skip
    assert problems_of(simple_form(header, rows), tmp_path) == [
        "DFMEA!K2: revised likelihood is missing (revised scores need all three or none)",
        "DFMEA!L2: revised detection is missing (revised scores need all three or none)",
        "DFMEA!L3: revised detection 0 is not a whole number from 1 to 10",
    ]


def test_partial_revised_score_columns(tmp_path):
    header = [*BASIC_HEADER, "Actions Taken", "Sev", "Det"]
    assert problems_of(simple_form(header, [["a", "f", "m", "e", 5, "c", 5, 5]]), tmp_path) == [
        "DFMEA!J1: the repeated (revised) score columns need all of Severity, Occurrence and "
        "Detection; found only Severity, Detection",
        "DFMEA: headers found in row 1: A 'Component' = component; B 'Function' = function; "
        "C 'Failure Mode' = failure_mode; D 'Effect' = effect; E 'Severity' = severity; "
        "F 'Cause' = cause; G 'Occurrence' = likelihood; H 'Detection' = detection; "
        "I 'Actions Taken' = action_taken; J 'Sev' = revised_severity; "
        "K 'Det' = revised_detection",
    ]


def test_bad_due_dates_and_statuses(tmp_path):
    header = [*BASIC_HEADER, "Recommended Action", "Target Date", "Status",
              "Responsibility & Target Completion Date"]  # fmt: skip
    rows = [
        ["A", "f", "m1", "e", 5, "c", 5, 5, "Act 1", "next week", None],
        ["A", "f", "m2", "e", 5, "c", 5, 5, "Act 2", "31-02-2026", "open"],
        ["A", "f", "m3", "e", 5, "c", 5, 5, "Act 3", 45000, "WIP-ish"],
        ["A", "f", "m4", "e", 5, "c", 5, 5, "Act 4", None, None, "G. Ray 2026-13-01"],
    ]
    formats = "(use a date cell, YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY)"
    assert problems_of(simple_form(header, rows), tmp_path) == [
        f"DFMEA!J2: due date 'next week' is not a date {formats}",
        f"DFMEA!J3: due date '31-02-2026' is not a date {formats}",
        f"DFMEA!J4: due date '45000' is not a date {formats}",
        "DFMEA!K4: status 'WIP-ish' is not one of: open, in progress, done, cancelled",
        f"DFMEA!L5: due date '2026-13-01' is not a date {formats}",
    ]


def test_rows_without_an_item_or_a_failure_mode(tmp_path):
    header = [*BASIC_HEADER, "Recommended Action"]
    rows = [
        [None, "f", "m", "e", 5, "c", 5, 5],
        ["B", None, None, None, None, "orphan cause", 4, 4],
        ["C", None, None, None, None, None, None, None, "orphan action"],
    ]
    assert problems_of(simple_form(header, rows), tmp_path) == [
        "DFMEA!A2: the row has no item (component) and there is none above it",
        "DFMEA!C3: failure mode is empty (the row has other entries and there is no failure "
        "mode above it)",
        "DFMEA!C4: the row has an action but no failure mode on it or above it",
    ]


def test_problems_from_the_form_and_the_dependencies_come_together(tmp_path):
    workbook = with_dependencies([["Checkout", "Nowhere"]])
    workbook["DFMEA"]["G2"] = 42
    assert problems_of(workbook, tmp_path) == [
        "DFMEA!G2: likelihood 42 is not a whole number from 1 to 10",
        "Dependencies!B4: unknown component 'Nowhere' (it is not an item in DFMEA)",
    ]


def test_a_refused_row_is_reported_once_not_again_on_the_rows_continuing_it(tmp_path):
    header = [*BASIC_HEADER, "Recommended Action"]
    rows = [
        ["Auth", "Log in", "Token rejected", "Logged out", 99, "Clock skew", 2, 3, "NTP alert"],
        [None, None, None, None, None, "Key rotation", 2, 3],
        [None, None, None, None, None, None, None, None, "Leeway of 30 s"],
        ["DB", "Store", "Full disk", "Writes fail", 8, "Logs", 11, 2],
        [None, None, None, None, None, "Backups", 3, 2],
    ]
    workbook = simple_form(header, rows)
    assert problems_of(workbook, tmp_path) == [
        "DFMEA!E2: severity 99 is not a whole number from 1 to 10",
        "DFMEA!G5: likelihood 11 is not a whole number from 1 to 10",
    ]


@pytest.mark.parametrize(
    "legend",
    [
        ["a1", "a2", "b", "c", "d", "f", "h", "j"],  # AIAG 4th edition column letters
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, 2, 3, 4, 5, 6, 7, 8],
    ],
)
def test_a_row_of_column_labels_under_the_header_is_not_data(tmp_path, legend):
    rows = [legend, ["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 2, 3]]
    model = import_book(simple_form(BASIC_HEADER, rows), tmp_path)
    assert [c.name for c in model.components.values()] == ["Auth"]
    assert [f.scores for f in model.failure_modes.values()] == [Scores(7, 2, 3)]


def test_title_block_labels_are_not_taken_for_the_header(tmp_path):
    workbook = simple_form(
        BASIC_HEADER, [["Auth", "Log in", "Token rejected", "Logged out", 7, "Skew", 2, 3]], start=4
    )
    for column, label in enumerate(["Item:", "Auth", "Owner:", "SRE", "Target date:", "Q3"], 1):
        workbook.active.cell(2, column, label)
    model = import_book(workbook, tmp_path)
    assert [c.name for c in model.components.values()] == ["Auth"]


def test_the_same_form_saved_by_libreoffice_imports_the_same(tmp_path):
    """A committed fixture written by LibreOffice Calc (make_libreoffice_form.py): it caches
    formula results, including an RPN of 0 on the row that continues a failure mode above."""
    fixture = Path(__file__).parent / "fixtures" / "aiag_dfmea_libreoffice.xlsx"
    loaded = openpyxl.load_workbook(fixture, data_only=True)
    assert loaded["DFMEA"]["L9"].value == 0  # what the form says; the import recomputes
    from_libreoffice = import_workbook(fixture)
    from_openpyxl = import_book(aiag_form(), tmp_path, name=fixture.name)
    assert from_libreoffice.content() == from_openpyxl.content()
    assert [f.rpn for f in from_libreoffice.failure_modes.values()] == [96, 240, 189, 36, 48]


def test_a_sheet_with_a_complete_header_wins_over_an_earlier_partial_one(tmp_path):
    summary = ["Item", "Failure Mode", "Severity", "RPN"]
    workbook = simple_form(summary, [["Auth", "Token rejected", 7, 42]], title="Summary")
    form = workbook.create_sheet("Worksheet")
    form.append(BASIC_HEADER)
    form.append(["Auth", "Log in", "Token rejected", "Logged out", 7, "Clock skew", 2, 3])
    model = import_book(workbook, tmp_path)
    assert model.description == "Imported from book.xlsx, sheet Worksheet"
    assert [f.scores for f in model.failure_modes.values()] == [Scores(7, 2, 3)]


def test_grouped_two_row_header_with_controls_under_one_label(tmp_path):
    """'Current Controls' over 'Prevention | Detection', 'Action Results' over the revised
    block; the other labels are merged down over both header rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PFMEA"
    top = ["Process Step", "Failure Mode", "Effect", "S", "Cause", "O", "Current Controls",
           None, "D", "Responsibility & Target Completion Date", "Action Results"]  # fmt: skip
    for column, text in enumerate(top, start=1):
        if text:
            sheet.cell(1, column, text)
    for column in (1, 2, 3, 4, 5, 6, 9, 10):
        sheet.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
    sheet.merge_cells("G1:H1")
    sheet.merge_cells("K1:N1")
    for column, text in {7: "Prevention", 8: "Detection", 11: "Actions Taken", 12: "S",
                         13: "O", 14: "D"}.items():  # fmt: skip
        sheet.cell(2, column, text)
    sheet.append(["Settle batch", "Batch late", "Merchants paid late", 6, "Job overruns", 4,
                  "Capacity plan", "Job SLA alert", 3, dt.datetime(2026, 7, 1), "Split job",
                  6, 2, 3])  # fmt: skip
    sheet.append([None, None, None, None, "Bank file rejected", 2, None, "Bank ack check", 2,
                  "H. Ito"])  # fmt: skip
    model = import_book(workbook, tmp_path)
    first, second = model.failure_modes.values()
    assert (first.prevention_controls, first.detection_controls) == (
        "Capacity plan",
        "Job SLA alert",
    )
    assert (first.scores, first.revised) == (Scores(6, 4, 3), Scores(6, 2, 3))
    assert (second.failure_mode, second.cause, second.scores) == (
        "Batch late",
        "Bank file rejected",
        Scores(6, 2, 2),
    )
    (action,) = model.actions.values()  # an action recorded only by what was done
    assert (action.description, action.owner, action.due_date, action.status) == (
        "Split job",
        "",
        dt.date(2026, 7, 1),
        ActionStatus.DONE,
    )
