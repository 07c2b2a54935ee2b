"""Export Report off the UI thread: written, cancelled (no file left), failed (message shown)."""

from __future__ import annotations

import openpyxl

from benchmarks.generate import generate_model
from fma_app.reports.workbook_import import import_workbook
from fma_app.ui.export_report import ReportExportJob, export_report_interactive, snapshot
from fma_app.ui.interaction import RecordingInteraction


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
    book = openpyxl.load_workbook(target, read_only=True)
    try:  # a streamed workbook holds its file open until closed
        assert book["Summary"]["B4"].value == "Shop"
    finally:
        book.close()


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
    user = RecordingInteraction()
    assert export_report_interactive(None, document, user) is False  # the user closed the dialog
    assert user.questions == [("save_as", "Shop.xlsx")]
    user.save_path = str(tmp_path / "ok")
    assert export_report_interactive(None, document, user) is True  # ".xlsx" added
    user.save_path = str(tmp_path / "no" / "bad.xlsx")
    assert export_report_interactive(None, document, user) is False
    assert user.messages == [(
        "critical",
        "Export Report",
        f"The report was not written: cannot write the report to {tmp_path / 'no' / 'bad.xlsx'}: "
        f"folder {tmp_path / 'no'} does not exist.",
    )]  # fmt: skip
    assert files_in(tmp_path) == ["ok.xlsx"]
