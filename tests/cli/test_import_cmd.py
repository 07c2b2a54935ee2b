"""`fma-app import`: real workbooks in, real model files out, nothing written on a problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from fma_app.cli import main
from fma_app.storage import open_model

HEADER = ["Item", "Function", "Potential Failure Mode", "Potential Effect(s) of Failure", "Sev",
          "Potential Cause(s)", "Occ", "Detection Controls", "Det", "RPN", "Recommended Action",
          "Owner", "Due", "Actions Taken", "Sev", "Occ", "Det", "RPN"]  # fmt: skip
ROWS = [
    ["API gateway", "Route requests", "Drops requests", "Checkout unavailable", 9, "Bad deploy",
     3, "Canary", 4, "=E3*G3*I3", "Automated rollback", "SRE", "2026-03-01", "Rollback in CD",
     9, 2, 2, "=O3*P3*Q3"],
    [None, None, None, None, None, "Certificate expiry", 2, "Expiry alert", 2, "=E4*G4*I4"],
    ["Payments", "Authorise", "Slow", "Timeouts", 6, "Pool exhaustion", 4, "p99 alert", 3],
    ["Ledger"],
]  # fmt: skip


def write_workbook(path: Path, bad_cells: dict[str, object] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "DFMEA"
    sheet["A1"] = "Design FMEA: payments"
    for column, text in enumerate(HEADER, start=1):
        sheet.cell(2, column, text)
    for row, values in enumerate(ROWS, start=3):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    dependencies = workbook.create_sheet("Dependencies")
    dependencies.append(["Component", "Depends On", "Strength"])
    dependencies.append(["API gateway", "Payments", "strong"])
    dependencies.append(["Payments", "Ledger", "weak"])
    for ref, value in (bad_cells or {}).items():
        sheet_name, cell = ref.split("!")
        workbook[sheet_name][cell] = value
    workbook.save(path)
    return path


def run_import(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_writes_a_model_and_prints_a_summary(tmp_path, capsys):
    book = write_workbook(tmp_path / "payments.xlsx")
    out = tmp_path / "payments.fma"

    code, stdout, stderr = run_import(capsys, str(book), "-o", str(out))

    assert (code, stderr) == (0, "")
    assert stdout == (
        f"imported 3 components, 2 dependencies, 3 failure modes and 1 action into {out}\n"
    )
    model = open_model(out)
    assert model.name == "payments"
    assert [c.name for c in model.components.values()] == ["API gateway", "Payments", "Ledger"]
    assert sorted(f.rpn for f in model.failure_modes.values()) == [36, 72, 108]
    assert [f.revised_rpn for f in model.failure_modes.values()] == [36, None, None]
    (action,) = model.actions.values()
    assert (action.description, action.owner, str(action.due_date), action.status) == (
        "Automated rollback",
        "SRE",
        "2026-03-01",
        "done",
    )


def test_problems_are_all_printed_with_cells_and_nothing_is_written(tmp_path, capsys):
    book = write_workbook(
        tmp_path / "payments.xlsx",
        {"DFMEA!G3": 0.8, "DFMEA!E5": 11, "Dependencies!B3": "Billing"},
    )
    out = tmp_path / "payments.fma"

    code, stdout, stderr = run_import(capsys, str(book), "-o", str(out))

    assert (code, stdout) == (2, "")
    assert stderr.splitlines() == [
        "fma-app: error: 3 problems in payments.xlsx; nothing was written",
        "fma-app: error: DFMEA!G3: likelihood 0.8 is not a whole number from 1 to 10",
        "fma-app: error: DFMEA!E5: severity 11 is not a whole number from 1 to 10",
        "fma-app: error: Dependencies!B3: unknown component 'Billing' (it is not an item in DFMEA)",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payments.xlsx"]


def test_problems_leave_an_existing_model_untouched_even_with_force(tmp_path, capsys):
    out = tmp_path / "payments.fma"
    out.write_bytes(b"previous model bytes")
    book = write_workbook(tmp_path / "payments.xlsx", {"DFMEA!I3": "low"})

    code, _, stderr = run_import(capsys, str(book), "-o", str(out), "--force")

    assert code == 2
    assert stderr == (
        "fma-app: error: DFMEA!I3: detection 'low' is not a whole number from 1 to 10\n"
    )
    assert out.read_bytes() == b"previous model bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payments.fma", "payments.xlsx"]


def test_an_existing_model_is_replaced_only_with_force(tmp_path, capsys):
    out = tmp_path / "payments.fma"
    out.write_bytes(b"previous model bytes")
    book = write_workbook(tmp_path / "payments.xlsx")

    code, stdout, stderr = run_import(capsys, str(book), "-o", str(out))
    assert (code, stdout) == (2, "")
    assert stderr == f"fma-app: error: {str(out)!r} already exists; use --force to replace it\n"
    assert out.read_bytes() == b"previous model bytes"

    code, stdout, stderr = run_import(capsys, str(book), "-o", str(out), "--force")
    assert (code, stderr) == (0, "")
    assert len(open_model(out).failure_modes) == 3


def test_sheet_option_and_unknown_sheet(tmp_path, capsys):
    book = write_workbook(tmp_path / "payments.xlsx")
    out = tmp_path / "m.fma"

    code, _, stderr = run_import(capsys, str(book), "-o", str(out), "--sheet", "PFMEA")
    assert code == 2
    assert stderr == (
        "fma-app: error: payments.xlsx: no sheet named 'PFMEA'; "
        "its sheets are 'DFMEA', 'Dependencies'\n"
    )
    assert not out.exists()

    code, _, stderr = run_import(capsys, str(book), "-o", str(out), "--sheet", "dfmea")
    assert (code, stderr) == (0, "")
    assert len(open_model(out).components) == 3


def test_unreadable_and_missing_workbooks(tmp_path, capsys):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("this is not a workbook")
    out = tmp_path / "m.fma"

    code, _, stderr = run_import(capsys, str(fake), "-o", str(out))
    assert code == 2
    assert stderr.startswith("fma-app: error: notes.xlsx: not a readable .xlsx workbook (")
    assert len(stderr.splitlines()) == 1

    code, _, stderr = run_import(capsys, str(tmp_path / "gone.xlsx"), "-o", str(out))
    assert (code, stderr) == (2, "fma-app: error: gone.xlsx: no such file\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.xlsx"]


def test_refuses_to_write_over_the_workbook_or_into_a_missing_folder(tmp_path, capsys):
    book = write_workbook(tmp_path / "payments.xlsx")
    before = book.read_bytes()

    code, _, stderr = run_import(capsys, str(book), "-o", str(book), "--force")
    assert code == 2
    assert stderr == (
        f"fma-app: error: {str(book)!r} is the workbook being imported; choose another MODEL\n"
    )
    assert book.read_bytes() == before

    missing = tmp_path / "no-such-folder" / "m.fma"
    code, _, stderr = run_import(capsys, str(book), "-o", str(missing))
    assert code == 2
    assert stderr == (
        f"fma-app: error: cannot write {str(missing)!r}: "
        f"folder {str(missing.parent)!r} does not exist\n"
    )


def test_output_option_is_required(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["import", str(tmp_path / "x.xlsx")])
    assert exited.value.code == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err


def test_console_script_reports_problems_without_a_traceback(tmp_path):
    book = write_workbook(tmp_path / "payments.xlsx", {"DFMEA!E3": "nine"})
    out = tmp_path / "m.fma"
    result = subprocess.run(
        [sys.executable, "-m", "fma_app", "import", str(book), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "fma-app: error: DFMEA!E3: severity 'nine' is not a whole number from 1 to 10\n"
    )
    assert not out.exists()


def test_output_that_is_a_folder_is_refused(tmp_path, capsys):
    book = write_workbook(tmp_path / "payments.xlsx")
    folder = tmp_path / "models"
    folder.mkdir()
    code, _, stderr = run_import(capsys, str(book), "-o", str(folder), "--force")
    assert code == 2
    assert stderr == (
        f"fma-app: error: {str(folder)!r} is a folder; give a file name such as model.fma\n"
    )
    assert list(folder.iterdir()) == []


# ---- mapping options (issue 12) --------------------------------------------------------------

RENAMED = ["Step", "What breaks", "Badness", "Chance", "Spotting", "Recommended Action"]


def write_renamed(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Risks"
    sheet.append(RENAMED)
    sheet.append(["Weld", "Crack", 8, 3, 5, "X-ray"])
    sheet.append(["Paint", "Peels", 4, 6, 2, None])
    workbook.save(path)
    return path


def test_map_options_import_a_form_with_headers_nobody_recognised(tmp_path, capsys):
    source = write_renamed(tmp_path / "renamed.xlsx")
    out = tmp_path / "out.fma"
    code, _, err = run_import(capsys, str(source), "-o", str(out))
    assert code == 2
    assert err.splitlines() == [
        "fma-app: error: renamed.xlsx: no sheet has an FMEA header row in its first 30 rows "
        "(looking for columns such as Item, Failure Mode, Severity, Occurrence, Detection)"
    ]
    assert not out.exists()
    code, _, err = run_import(
        capsys, str(source), "-o", str(out), "--header-rows", "1",
        "--map", "What breaks=failure_mode",
        "--map", "badness=severity", "--map", "D=likelihood", "--map", "Spotting=detection",
        "--save-mapping", str(tmp_path / "layout.json"),
    )  # fmt: skip
    assert (code, err) == (0, "")
    model = open_model(out)
    assert [(f.failure_mode, f.severity, f.likelihood, f.detection) for f in
            model.failure_modes.values()] == [("Crack", 8, 3, 5), ("Peels", 4, 6, 2)]  # fmt: skip
    assert [c.name for c in model.components.values()] == ["Weld", "Paint"]
    # The saved mapping imports the same layout the same way again.
    again = tmp_path / "again.fma"
    code, stdout, _ = run_import(
        capsys, str(source), "-o", str(again), "--mapping", str(tmp_path / "layout.json")
    )
    assert code == 0
    assert open_model(again).content() == model.content()
    assert "components from column A 'Step' (the sheet has no item column)" in stdout


def test_bad_mapping_options_are_refused_before_anything_is_read(tmp_path, capsys):
    source = write_renamed(tmp_path / "renamed.xlsx")
    out = str(tmp_path / "out.fma")
    for args, message in [
        (["--map", "F"], "--map 'F': write COLUMN=FIELD, e.g. --map F=severity or --map "
                         "Prob=likelihood"),
        (["--header-rows", "3-1"], "--header-rows: header rows 3-1 must be 1-based, first <= "
                                   "last, at most 20 rows"),
        (["--sheet", "Risks", "--all-sheets"], "--sheet and --all-sheets cannot be used together"),
        (["--mapping", str(tmp_path / "none.json")], "none.json: cannot read the mapping"),
    ]:  # fmt: skip
        code, _, err = run_import(capsys, str(source), "-o", out, *args)
        assert code == 2
        assert err.startswith(f"fma-app: error: {message}"), err
    assert not Path(out).exists()


def test_all_sheets_reads_every_fmea_sheet_and_prints_the_notes(tmp_path, capsys):
    workbook = openpyxl.Workbook()
    for index, title in enumerate(("Line 1", "Line 2")):
        sheet = workbook.active if index == 0 else workbook.create_sheet(title)
        sheet.title = title
        sheet.append(["Item", "Failure Mode", "Effect", "Cause"])
        sheet.append([f"Station {index}", "Jams", "Stops", "Dust"])
    source = tmp_path / "lines.xlsx"
    workbook.save(source)
    out = tmp_path / "out.fma"
    code, stdout, _ = run_import(capsys, str(source), "-o", str(out), "--all-sheets")
    assert code == 0
    assert stdout.splitlines() == [
        f"imported 2 components, 0 dependencies, 2 failure modes and 0 actions into {out}",
        "  Line 1: no score columns, so every failure mode is not rated yet",
        "  Line 2: no score columns, so every failure mode is not rated yet",
    ]
    assert len(open_model(out).failure_modes) == 2
