"""The Resilience tab of the details: typing a fault, target, probe, mitigations, runbook and
experiment record makes undoable edits, bad values are refused with the stored values shown
again, runbook links open only for http, https and file; File > Export Chaos Experiments...
writes the drafts; the worksheet's optional resilience columns."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from fma_app.domain.resilience import ExperimentStatus, FaultKind
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui.export_chaos import export_chaos_interactive
from fma_app.ui.interaction import RecordingInteraction
from fma_app.ui.resilience_section import ResilienceSection


@pytest.fixture
def section(qtbot, context):
    widget = ResilienceSection(context)
    qtbot.addWidget(widget)
    widget.show()
    fm = next(
        f for f in context.document.model.failure_modes.values() if f.failure_mode == "Timeout"
    )
    context.document.selection.select_failure_mode(fm.id)
    return widget


def type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, text)
    QTest.keyClick(box, Qt.Key.Key_Return)


def test_choosing_a_fault_and_typing_its_magnitude_are_undoable_edits(qtbot, section):
    doc = section.document
    fm = section.current()
    section.fault_kind.setCurrentText("latency")
    section.fault_kind.activated.emit(section.fault_kind.currentIndex())
    assert fm.resilience.fault.kind is FaultKind.LATENCY
    assert fm.resilience.fault.magnitude == 500  # a default to start from
    type_into(qtbot, section.magnitude, "1500")
    assert fm.resilience.fault.magnitude == 1500
    assert doc.undo_stack.undoText() == "Change Fault"
    doc.undo()
    assert section.current().resilience.fault.magnitude == 500
    assert section.magnitude.text() == "500"


def test_a_bad_value_is_refused_and_the_stored_one_shown_again(qtbot, section):
    refused: list[str] = []
    section.document.refused.connect(lambda *args: refused.append(" ".join(map(str, args))))
    section.fault_kind.setCurrentText("errors")
    section.fault_kind.activated.emit(section.fault_kind.currentIndex())
    type_into(qtbot, section.magnitude, "250")
    assert section.current().resilience.fault.magnitude == 10
    assert section.magnitude.text() == "10"
    assert any("error rate (%) '250' is not a whole number from 1 to 100" in r for r in refused)


def test_target_probe_mitigations_and_experiment(qtbot, section):
    fm = section.current()
    component = section.document.model.components[fm.component_id]
    type_into(qtbot, section.target, "kubernetes namespace=shop selector=app=api")
    assert component.chaos_target.namespace == "shop"
    section.probe_kind.setCurrentText("http")
    section.probe_kind.activated.emit(section.probe_kind.currentIndex())
    assert fm.resilience.probe is None  # waits for the URL
    type_into(qtbot, section.probe_url, "https://api.example/health")
    assert fm.resilience.probe.url == "https://api.example/health"
    type_into(qtbot, section.mitigations, "circuit breaker; retry with backoff (planned)")
    assert [m.describe() for m in fm.resilience.mitigations] == [
        "circuit breaker (in place)",
        "retry with backoff (planned)",
    ]
    section.experiment.setCurrentText("passed")
    section.experiment.activated.emit(section.experiment.currentIndex())
    type_into(qtbot, section.experiment_date, "2026-11-30")
    assert fm.resilience.experiment.status is ExperimentStatus.PASSED
    assert fm.resilience.experiment.date.isoformat() == "2026-11-30"


@pytest.mark.parametrize(
    ("link", "opened"),
    [
        ("https://runbooks.example/a", "https://runbooks.example/a"),
        ("file:///srv/runbooks/a.md", "file:///srv/runbooks/a.md"),
        ("/srv/runbooks/a.md", "file:///srv/runbooks/a.md"),
        ("javascript:alert(1)", None),
        ("smb://host/share/a.md", None),
    ],
)
def test_runbook_links_open_only_for_http_https_and_file(qtbot, context, section, link, opened):
    type_into(qtbot, section.runbook, link)
    assert section.current().resilience.runbook == link
    assert section.open_runbook.isEnabled() is (opened is not None)
    interaction = context.interaction
    assert section.open_link() is (opened is not None)
    if opened:
        assert interaction.links == [opened]
    else:
        assert interaction.links == []
        assert "is not opened" in interaction.messages[-1][2]


def test_export_chaos_experiments_writes_the_drafts(qtbot, context_factory, tmp_path):
    from fma_app.cli.demo import load_example
    from fma_app.ui.document import Document

    interaction = RecordingInteraction(choice=0, directory=str(tmp_path / "drafts"))
    context = context_factory(Document(load_example()), interaction)
    written = export_chaos_interactive(context.document, interaction)
    assert len(written) == 12
    assert all(json.loads(p.read_text())["version"] == "1.0.0" for p in written)
    level, _title, text = interaction.messages[-1]
    assert level == "warning"
    assert text.startswith("Wrote 12 Chaos Toolkit draft(s)")
    assert "Skipped 4:" in text


def test_export_without_faults_says_how_to_set_one(context):
    assert export_chaos_interactive(context.document, context.interaction) == []
    assert "No failure mode has a fault" in context.interaction.messages[-1][2]


def test_the_resilience_tab_and_columns_in_the_window(main_window_factory):
    window = main_window_factory()
    tabs = window.details_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Failure Mode",
        "Resilience",
        "Component",
    ]
    sheet = window.worksheet
    column = COLUMN_INDEX["mitigations"]
    assert sheet.view.isColumnHidden(column)
    sheet.show_resilience_action.setChecked(True)
    assert not sheet.view.isColumnHidden(column)
    assert not sheet.view.isColumnHidden(COLUMN_INDEX["experiment"])
    # Walking the rows keeps the Resilience tab up.
    tabs.setCurrentWidget(window.resilience)
    fm_id = next(iter(window.document.model.failure_modes))
    window.document.selection.select_failure_mode(fm_id)
    assert tabs.currentWidget() is window.resilience
    assert window.resilience.failure_mode_id == fm_id


def test_the_resilience_tab_fits_1366x768_without_scrolling(main_window_factory):
    from PySide6.QtWidgets import QApplication, QScrollArea

    window = main_window_factory(first_open=True)
    fm_id = next(iter(window.document.model.failure_modes))
    window.document.selection.select_failure_mode(fm_id)
    window.details_tabs.setCurrentWidget(window.resilience)
    window.resize(1366, 768)
    for _ in range(3):
        QApplication.processEvents()
    scroll = window.resilience.findChild(QScrollArea)
    assert scroll.verticalScrollBar().maximum() == 0, "the Resilience tab needs scrolling"
    viewport = scroll.viewport()
    for box in (window.resilience.experiment_result, window.resilience.open_runbook):
        assert box.isVisible()
        top_left = box.mapTo(viewport, box.rect().topLeft())
        assert viewport.rect().contains(top_left)
