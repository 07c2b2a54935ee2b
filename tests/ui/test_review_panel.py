"""The Review panel: the same findings as `fma-app check`, kept up to date as the model changes,
and a click on a finding selects what it is about."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from fma_app.analysis import review as rv
from fma_app.analysis.review import ReviewInputs, review
from fma_app.domain.commands import add_failure_mode, set_fields
from fma_app.ui.document import Document
from fma_app.ui.review_panel import FindingsModel, ReviewPanel

AS_OF = dt.date(2026, 12, 1)


def with_findings(model):
    """The small model plus a not-rated failure mode and an entry point whose dependency has
    no failure mode (a single point of failure)."""
    api = model.component_by_name("api")
    cache = model.component_by_name("cache")
    model.add_failure_mode(api.id, failure_mode="Half rated", severity=6)
    api.user_facing = True
    model.add_dependency(api.id, cache.id, "strong")
    return model


@pytest.fixture
def panel(context_factory, small_model, qtbot):
    document = Document(with_findings(small_model))
    widget = ReviewPanel(context_factory(document), today=lambda: AS_OF)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(panel: ReviewPanel) -> list[tuple[str, str]]:
    return [
        (panel.finding_at(row).rule, panel.finding_at(row).message)
        for row in range(panel.proxy.rowCount())
    ]


def test_the_findings_model_passes_the_model_tester(qtmodeltester, small_model):
    model = FindingsModel()
    model.set_findings(review(ReviewInputs(with_findings(small_model), AS_OF)).findings)
    assert model.rowCount() >= 2
    qtmodeltester.check(model, force_py=True)


def test_the_panel_lists_what_check_finds(panel):
    expected = review(ReviewInputs(panel.document.model, AS_OF))
    assert shown(panel) == [(f.rule, f.message) for f in expected.findings]
    rules = {rule for rule, _ in shown(panel)}
    assert {rv.NOT_RATED, rv.SPOF} <= rules
    assert panel.summary.text().startswith(f"{len(expected.findings)} findings of ")
    assert "Not run: dependency-not-in-model" in panel.summary.text()
    cell = panel.proxy.index(0, 0).data()
    assert cell == shown(panel)[0][0]


def test_the_list_follows_edits_and_undo(panel, qtbot):
    document = panel.document
    half = next(f for f in document.model.failure_modes.values() if f.failure_mode == "Half rated")
    document.push(set_fields(document.model, "failure_mode", half.id, likelihood=2, detection=2))
    qtbot.waitUntil(lambda: (rv.NOT_RATED, "not rated yet: no likelihood, detection")
                    not in shown(panel), timeout=3000)  # fmt: skip
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: (rv.NOT_RATED, "not rated yet: no likelihood, detection")
                    in shown(panel), timeout=3000)  # fmt: skip


def test_a_hidden_panel_waits_until_shown(panel, qtbot):
    panel.hide()
    document = panel.document
    cache = document.model.component_by_name("cache")
    before = shown(panel)
    document.push(add_failure_mode(document.model, cache.id, failure_mode="Evicted"))
    QTest.qWait(600)
    assert shown(panel) == before  # not worked out while hidden
    panel.show()
    qtbot.waitExposed(panel)
    assert rv.SPOF not in {rule for rule, _ in shown(panel)}  # cache has a failure mode now
    assert len(shown(panel)) == len(before)  # SPOF gone, the new one is not rated


def click_row(panel: ReviewPanel, rule: str) -> None:
    row = next(r for r in range(panel.proxy.rowCount()) if panel.finding_at(r).rule == rule)
    rect = panel.view.visualRect(panel.proxy.index(row, 0))
    QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_clicking_a_finding_selects_its_failure_mode_or_component(panel):
    selection = panel.document.selection
    click_row(panel, rv.NOT_RATED)
    half = panel.document.model.failure_modes[selection.failure_mode_id]
    assert half.failure_mode == "Half rated"
    click_row(panel, rv.SPOF)
    assert selection.component_ids == [panel.document.model.component_by_name("cache").id]


def test_in_the_window_a_finding_shows_its_worksheet_row(main_window_factory, small_model):
    window = main_window_factory(Document(with_findings(small_model)))
    window.review_dock.show()
    window.review.today = lambda: AS_OF
    window.review.refresh()
    window.tabs.setCurrentIndex(1)  # the graph: the click brings the worksheet back
    window.worksheet.filter_edit.setText("Timeout")  # hides the row: the click clears it
    click_row(window.review, rv.NOT_RATED)
    assert window.tabs.currentWidget() is window.worksheet
    current = window.worksheet.view.currentIndex()
    fm_id = window.worksheet.proxy.failure_mode_id(current.row())
    assert window.document.model.failure_modes[fm_id].failure_mode == "Half rated"
    assert window.worksheet.filter_edit.text() == ""


def test_the_policy_beside_the_model_applies_and_a_bad_one_is_named(
    context_factory, small_model, tmp_path, qtbot
):
    (tmp_path / "fma-policy.toml").write_text("[rules.not-rated]\nenabled = false\n")
    document = Document(with_findings(small_model), tmp_path / "model.fma")
    widget = ReviewPanel(context_factory(document), today=lambda: AS_OF)
    qtbot.addWidget(widget)
    widget.refresh()
    assert rv.NOT_RATED not in {rule for rule, _ in shown(widget)}
    (tmp_path / "fma-policy.toml").write_text("[rules.not-rated]\nenabled = 'no'\n")
    document.set_path(tmp_path / "model.fma.copy")  # a new path reads the policy again
    widget.refresh()
    assert rv.NOT_RATED in {rule for rule, _ in shown(widget)}
    assert widget.summary.text().endswith(
        "fma-policy.toml: line 2, key rules.not-rated.enabled: must be true or false, not 'no'; "
        "the default rules apply"
    )


def test_the_exported_report_uses_the_policy_beside_the_model(tmp_path, small_model, qtbot):
    import openpyxl

    from fma_app.reports.xlsx_report import FINDINGS_SHEET
    from fma_app.ui.export_report import ReportExportJob
    from fma_app.ui.review_panel import read_policy

    (tmp_path / "fma-policy.toml").write_text("[rules.not-rated]\nenabled = false\n")
    policy, problem = read_policy(tmp_path / "model.fma")
    assert problem == ""
    job = ReportExportJob(with_findings(small_model), tmp_path / "r.xlsx", policy=policy)
    with qtbot.waitSignal(job.ended, timeout=60000):
        job.start()
    assert job.outcome == "finished"
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    rules = {row[0] for row in book[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True)}
    book.close()
    assert rv.SPOF in rules
    assert rv.NOT_RATED not in rules
