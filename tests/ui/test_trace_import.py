"""File > Import Traces...: the example's trace file chosen, read off the UI thread, previewed
with check boxes, the checked part added as one undo step; bad files and read-only models get a
message; the graph's edge tooltip and width show what the traces saw."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtTest import QTest

from fma_app.analysis.trace_merge import apply_plan, plan_merge
from fma_app.cli.demo import load_example
from fma_app.domain.model import Model, ObservedCalls
from fma_app.reports.traces import read_trace_files
from fma_app.resources import example_traces_path
from fma_app.ui.document import Document
from fma_app.ui.interaction import RecordingInteraction, SaveChoice
from fma_app.ui.trace_import_dialog import SAMPLED_NOTE, PreviewModel, TraceImportDialog


def window_on(qtbot, context_factory, model: Model, paths: list[str], read_only: bool = False):
    from fma_app.ui.app import build_window

    interaction = RecordingInteraction(save=SaveChoice.DISCARD, open_paths=paths)
    document = Document(model, read_only=read_only)
    window = build_window(context_factory(document, interaction))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, document, interaction


def choose_in_file_menu(qtbot, window) -> None:
    """Trigger File > Import Traces... as a person would: through the menu's own action."""
    action = next(a for a in window.file_menu.actions() if a.text() == "Import &Traces...")
    assert action.isEnabled()
    action.trigger()


def settle(condition, timeout_s: float = 30.0) -> None:
    """Process events until `condition()` holds. Not qtbot.waitUntil: once a test has called
    QApplication.exit() (test_smoke does), qtbot's waits return without processing events."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QCoreApplication.processEvents()
        time.sleep(0.01)


def preview_of(qtbot, window) -> TraceImportDialog:
    controller = window.trace_import
    settle(lambda: controller.dialog is not None and controller.dialog.isVisible())
    return controller.dialog


def row_of(model: PreviewModel, text: str) -> int:
    return next(r for r in range(model.rowCount()) if model.index(r, 0).data() == text)


def click_check_box(qtbot, dialog: TraceImportDialog, row: int) -> None:
    view = dialog.table
    rect = view.visualRect(dialog.model.index(row, 0))
    # the check box sits at the cell's left edge, vertically centred
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 12,
                     rect.center().y()))  # fmt: skip


def ends(model: Model) -> set[tuple[str, str]]:
    names = {c.id: c.name for c in model.components.values()}
    return {(names[d.source_id], names[d.target_id]) for d in model.dependencies.values()}


def test_choose_uncheck_accept_and_undo(qtbot, context_factory):
    example = load_example()
    before_ends = ends(example)
    before_names = {c.name for c in example.components.values()}
    window, document, interaction = window_on(
        qtbot, context_factory, example, [str(example_traces_path())]
    )
    choose_in_file_menu(qtbot, window)
    dialog = preview_of(qtbot, window)
    preview = dialog.model
    assert [preview.index(r, 0).data() for r in range(preview.rowCount())] == [
        "component risk-rules (service)",
        "Fraud scoring \u2192 risk-rules (strong)",
        "Tokenisation vault \u2192 Ledger primary (strong)",
    ]
    vault = row_of(preview, "Tokenisation vault \u2192 Ledger primary (strong)")
    assert [preview.index(vault, c).data() for c in range(1, 5)] == ["50", "0", "2.8", "3.9"]
    assert SAMPLED_NOTE in dialog.summary.text()
    assert "900 spans" in dialog.summary.text()
    assert "replaced" in dialog.summary.text()
    assert "10 dependencies" in dialog.summary.text()
    assert dialog.not_seen.count() == len(plan_merge(example, _example_topology())
                                          .dependencies_not_seen) > 0  # fmt: skip

    click_check_box(qtbot, dialog, row_of(preview, "component risk-rules (service)"))
    fraud = row_of(preview, "Fraud scoring \u2192 risk-rules (strong)")
    assert preview.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    # its dependency cannot be added without it: unchecked and disabled, and it says why
    assert preview.index(fraud, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert not preview.flags(preview.index(fraud, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert "risk-rules" in preview.index(fraud, 0).data(Qt.ItemDataRole.ToolTipRole)

    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    model = document.model
    assert {c.name for c in model.components.values()} == before_names  # risk-rules left out
    assert ends(model) == before_ends | {("Tokenisation vault", "Ledger primary")}
    added = next(d for d in model.dependencies.values()
                 if ends_of(model, d) == ("Tokenisation vault", "Ledger primary"))  # fmt: skip
    assert added.observed is not None
    assert added.observed.calls == 50
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Import Traces"
    assert interaction.messages == []

    document.undo()
    assert ends(document.model) == before_ends
    assert all(d.observed == example.dependencies[d.id].observed
               for d in document.model.dependencies.values())  # fmt: skip


def ends_of(model: Model, dependency) -> tuple[str, str]:
    return (model.components[dependency.source_id].name,
            model.components[dependency.target_id].name)  # fmt: skip


def _example_topology():
    return read_trace_files([example_traces_path()]).topology


def test_a_bad_file_gives_the_readers_one_line(qtbot, context_factory, tmp_path):
    bad = tmp_path / "spans.json.gz"
    bad.write_bytes(gzip.compress(b'{"resourceSpans": [')[:-6])  # damaged gzip
    example = load_example()
    window, document, interaction = window_on(qtbot, context_factory, example, [str(bad)])
    choose_in_file_menu(qtbot, window)
    settle(lambda: bool(interaction.messages))
    level, title, text = interaction.messages[0]
    assert (level, title) == ("critical", "Import Traces")
    assert text.startswith(f"The traces were not imported: {bad}: ")
    assert "\n" not in text
    assert window.trace_import.dialog is None
    assert document.undo_stack.count() == 0


def test_a_read_only_model_refuses_before_asking_for_files(qtbot, context_factory):
    window, _document, interaction = window_on(
        qtbot, context_factory, load_example(), [str(example_traces_path())], read_only=True
    )
    choose_in_file_menu(qtbot, window)
    assert interaction.questions == []  # no file chooser
    assert interaction.messages[0][0] == "warning"
    assert "read-only" in interaction.messages[0][2]


def test_cancelling_the_reading_shows_no_preview(qtbot, context_factory):
    window, document, _ = window_on(
        qtbot, context_factory, load_example(), [str(example_traces_path())]
    )
    job = window.trace_import.read([str(example_traces_path())])
    job.cancel()
    assert job.wait()
    for _ in range(5):  # let the thread's late answer arrive: it must be dropped
        QCoreApplication.processEvents()
    assert window.trace_import.dialog is None
    assert document.undo_stack.count() == 0


def test_the_preview_model_passes_the_model_tester(qtmodeltester):
    plan = plan_merge(Model(), _example_topology())  # a new model: 11 components
    preview = PreviewModel(plan)
    assert preview.rowCount() == len(plan.components_added) + len(plan.dependencies_added)
    qtmodeltester.check(preview, force_py=True)
    first = preview.index(0, 0)
    assert preview.setData(first, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    qtmodeltester.check(preview, force_py=True)
    name = plan.components_added[0].name
    assert name not in preview.accepted_components()
    assert all(name not in pair for pair in preview.accepted_dependencies())


def test_the_edge_tooltip_shows_what_the_traces_saw():
    import datetime as dt

    from fma_app.ui.graph.items import calls_width_factor, observed_text

    observed = ObservedCalls(
        50, 2, 5.6, 7.8,
        dt.datetime(2025, 12, 1, 0, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2025, 12, 1, 0, 1, 38, tzinfo=dt.UTC),
    )  # fmt: skip
    assert observed_text(observed) == (
        "traces saw 50 calls, 2 errors, p50 5.6 ms, p99 7.8 ms\n"
        "observed from 2025-12-01 00:00:00 to 2025-12-01 00:01:38 UTC\n"
        "(counts are what the sampled traces saw)"
    )
    assert observed_text(ObservedCalls(1)) == (  # a dependency list: counts only
        "traces saw 1 call\n(counts are what the sampled traces saw)"
    )
    assert calls_width_factor(None) == 1.0
    assert calls_width_factor(ObservedCalls(100)) == pytest.approx(2.0)
    assert calls_width_factor(ObservedCalls(10**6)) == 3.0


def test_the_graph_shows_and_weighs_imported_edges(qtbot, context_factory):
    window, _document, _ = window_on(
        qtbot, context_factory, load_example(), [str(example_traces_path())]
    )
    choose_in_file_menu(qtbot, window)
    dialog = preview_of(qtbot, window)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    graph = window.graph
    edge = next(e for e in graph.scene.edges.values()
                if (e.source.name, e.target.name) == ("Fraud scoring", "risk-rules"))  # fmt: skip
    tip = edge.tooltip()
    assert tip.startswith("Fraud scoring depends on risk-rules (strong)\ntraces saw 50 calls")
    assert "p50 5.6 ms, p99 7.8 ms" in tip
    assert "observed from 2025-12-01" in tip
    thin = edge.pen.widthF()
    graph.calls_width_action.trigger()
    assert graph.calls_width_action.isChecked()
    assert edge.pen.widthF() == pytest.approx(thin * calls_width_factor_of(50))
    unobserved = [e for e in graph.scene.edges.values() if e.observed is None]
    assert unobserved
    assert all(e.width_factor == 1.0 for e in unobserved)
    graph.calls_width_action.trigger()
    assert edge.pen.widthF() == pytest.approx(thin)


def calls_width_factor_of(calls: int) -> float:
    from fma_app.ui.graph.items import calls_width_factor

    return calls_width_factor(ObservedCalls(calls))


def test_the_file_chooser_offers_trace_files(qtbot, context_factory):
    window, _, interaction = window_on(qtbot, context_factory, load_example(), [])
    choose_in_file_menu(qtbot, window)  # cancelled: nothing read
    assert interaction.questions == [("open_many", str(Path.home()))]
    assert window.trace_import.job is None


def test_the_view_menu_toggle_follows_the_graph_toolbar(qtbot, context_factory):
    example = load_example()
    apply_plan(example, plan_merge(example, _example_topology()))  # edges with observed calls
    window, _, _ = window_on(qtbot, context_factory, example, [])
    menu_action = window.calls_width_action
    assert menu_action in window.view_menu.actions()
    assert not menu_action.isChecked()
    menu_action.trigger()  # builds the graph if its tab was never shown
    graph = window.graph
    assert graph.calls_width_action.isChecked()
    assert graph.scene.weigh_by_calls
    observed = [e for e in graph.scene.edges.values() if e.observed is not None]
    assert observed
    assert all(e.width_factor > 1.0 for e in observed if e.observed.calls > 1)
    graph.calls_width_action.trigger()  # off from the toolbar: the menu follows
    assert not menu_action.isChecked()
    assert not graph.scene.weigh_by_calls
