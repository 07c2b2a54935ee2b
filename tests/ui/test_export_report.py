"""Export Report off the UI thread: written, cancelled (no file left), failed (message shown)."""

from __future__ import annotations

import openpyxl

from benchmarks.generate import generate_model
from fma_app.domain.commands import edit_model_properties
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import RANKING_TEXT, RankBy
from fma_app.ui.export_report import ReportExportJob, export_report_interactive, snapshot
from fma_app.ui.interaction import RecordingInteraction, WrittenChoice

RANKING_QUESTION = (
    "Export Report: Rank the failure modes by: "
    "RPN (severity \u00d7 likelihood \u00d7 detection) / Action Priority (AIAG-VDA H/M/L)"
)


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_job_writes_the_report_in_the_background(qapp, document, tmp_path):
    target = tmp_path / "review.xlsx"
    job = ReportExportJob(document.model, target)
    seen: list[tuple[int, int]] = []
    written: list[str] = []
    job.progressed.connect(lambda done, total: seen.append((done, total)))
    job.finished.connect(written.append)
    job.start()
    assert job.wait()
    assert (job.outcome, written) == ("finished", [str(target)])
    assert seen
    assert seen[-1][0] == seen[-1][1]
    assert import_workbook(target).content() == document.model.content()


def test_the_job_reports_the_model_as_it_was_when_export_began(qapp, document, tmp_path):
    target = tmp_path / "review.xlsx"
    job = ReportExportJob(document.model, target)
    document.model.name = "Renamed while exporting"
    next(iter(document.model.failure_modes.values())).severity = 1
    job.start()
    assert job.wait()
    assert job.outcome == "finished"
    workbook = openpyxl.load_workbook(target, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        assert workbook["Summary"]["B4"].value == "Shop"
    finally:
        workbook.close()


def test_cancel_leaves_no_file_and_keeps_the_old_one(qapp, tmp_path):
    target = tmp_path / "review.xlsx"
    target.write_bytes(b"last week's report")
    job = ReportExportJob(generate_model(200, 300, 4000, 500), target)
    cancelled: list[bool] = []
    job.cancelled.connect(lambda: cancelled.append(True))
    job.progressed.connect(lambda done, total: job.cancel())  # cancel at the first progress
    job.start()
    assert job.wait()
    assert (job.outcome, cancelled) == ("cancelled", [True])
    assert target.read_bytes() == b"last week's report"
    assert files_in(tmp_path) == ["review.xlsx"]


def test_a_failed_export_says_why(qapp, document, tmp_path):
    target = tmp_path / "gone" / "review.xlsx"
    job = ReportExportJob(document.model, target)
    messages: list[str] = []
    job.failed.connect(messages.append)
    job.start()
    assert job.wait()
    assert job.outcome == "failed"
    assert messages == [
        f"cannot write the report to {target}: folder {target.parent} does not exist"
    ]
    assert files_in(tmp_path) == []


def test_snapshot_is_an_independent_copy(document):
    copy = snapshot(document.model)
    assert copy.content() == document.model.content()
    next(iter(copy.failure_modes.values())).effect = "changed"
    assert copy.content() != document.model.content()


def test_interactive_export_writes_or_explains(qtbot, document, tmp_path):
    # Changed with the ranking choice and the "written to" offer: the first question is now
    # the ranking, and a written report is announced (Close: nothing opened).
    user = RecordingInteraction()
    assert export_report_interactive(None, document, user) is False  # the user closed the dialog
    assert user.questions == [("choice", RANKING_QUESTION), ("save_as", "Shop.xlsx")]
    user.save_path = str(tmp_path / "ok")
    assert export_report_interactive(None, document, user) is True  # ".xlsx" added
    assert user.questions[-1] == (
        "written",
        f"The report was written to ok.xlsx in the folder {tmp_path.resolve()}.",
    )
    assert user.opened == []
    user.save_path = str(tmp_path / "no" / "bad.xlsx")
    assert export_report_interactive(None, document, user) is False
    assert user.questions[-1] == ("save_as", "Shop.xlsx")  # a failure offers nothing to open
    assert user.messages == [(
        "critical",
        "Export Report",
        f"The report was not written: cannot write the report to {tmp_path / 'no' / 'bad.xlsx'}: "
        f"folder {tmp_path / 'no'} does not exist.",
    )]  # fmt: skip
    assert files_in(tmp_path) == ["ok.xlsx"]


def summary_values(path) -> dict[str, object]:
    """The Summary sheet's label -> value pairs (first two columns)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook["Summary"].iter_rows(max_col=2, values_only=True)
        return {row[0]: row[1] for row in rows if row[0]}
    finally:
        workbook.close()


def test_the_ranking_chosen_in_the_dialog_ranks_the_report(qtbot, document, tmp_path):
    user = RecordingInteraction(choice=1, save_path=str(tmp_path / "by-ap.xlsx"))
    assert export_report_interactive(None, document, user) is True
    assert summary_values(tmp_path / "by-ap.xlsx")["Ranked by"] == RANKING_TEXT[RankBy.AP]
    user = RecordingInteraction(choice=0, save_path=str(tmp_path / "by-rpn.xlsx"))
    assert export_report_interactive(None, document, user) is True
    assert summary_values(tmp_path / "by-rpn.xlsx")["Ranked by"] == RANKING_TEXT[RankBy.RPN]
    user = RecordingInteraction(choice=None, save_path=str(tmp_path / "never.xlsx"))
    assert export_report_interactive(None, document, user) is False  # cancelled the choice
    assert [kind for kind, _text in user.questions] == ["choice"]
    assert files_in(tmp_path) == ["by-ap.xlsx", "by-rpn.xlsx"]


def test_a_written_report_can_be_opened_or_its_folder(qtbot, document, tmp_path):
    target = tmp_path / "review.xlsx"
    user = RecordingInteraction(save_path=str(target), written=WrittenChoice.OPEN_FILE)
    assert export_report_interactive(None, document, user) is True
    user.written = WrittenChoice.OPEN_FOLDER
    assert export_report_interactive(None, document, user) is True
    assert user.opened == [target.resolve(), tmp_path.resolve()]


def test_the_report_from_the_app_carries_the_model_properties(qtbot, document, tmp_path):
    """The export snapshot once kept only the name and description: the Summary's FMEA
    header (scope, FMEA number, team, ...) came out blank from the app."""
    document.edit(lambda m: edit_model_properties(
        m, scope="Checkout", fmea_number="FMEA-7", team="Payments", revision="B",
        key_date="2027-03-31", prepared_by="Ana", approved_by="Bo",
    ))  # fmt: skip
    user = RecordingInteraction(save_path=str(tmp_path / "review.xlsx"))
    assert export_report_interactive(None, document, user) is True
    values = summary_values(tmp_path / "review.xlsx")
    assert (values["Scope"], values["FMEA number"], values["Team"]) == (
        "Checkout",
        "FMEA-7",
        "Payments",
    )
    assert (values["Revision"], values["Prepared by"], values["Approved by"]) == ("B", "Ana", "Bo")
    assert snapshot(document.model).properties == document.model.properties
