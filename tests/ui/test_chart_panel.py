"""The chart panel: same charts as the report, redrawn once edits pause, exported as PNG/SVG."""

from __future__ import annotations

import pytest

from fma_app.domain.commands import RenameModel, set_fields
from fma_app.domain.model import Model
from fma_app.reports import charts
from fma_app.ui.chart_panel import REFRESH_DELAY_MS, ChartPanel


@pytest.fixture
def panel(qtbot, context):
    widget = ChartPanel(context)
    qtbot.addWidget(widget)
    widget.resize(640, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bar_heights(panel: ChartPanel) -> list[float]:
    return [patch.get_height() for patch in panel.figure.axes[0].patches]


def test_it_offers_every_report_chart_and_shows_the_first(panel):
    items = [panel.chooser.itemText(i) for i in range(panel.chooser.count())]
    assert items == list(charts.CHARTS)
    assert "Pareto of RPN" in panel.figure.axes[0].get_title("left")
    assert bar_heights(panel) == [1000, 160, 36, 27, 18]


def test_edits_are_drawn_once_they_pause(qtbot, panel, document):
    before = panel.refresh_count
    disk_full = next(f for f in document.model.failure_modes.values() if f.rpn == 1000)
    for severity in (9, 8, 7):  # typing: three edits in a row
        document.push(set_fields(document.model, "failure_mode", disk_full.id, severity=severity))
    assert panel.refresh_count == before  # nothing drawn while edits keep coming
    qtbot.waitUntil(lambda: panel.refresh_count == before + 1, timeout=3000)
    qtbot.wait(REFRESH_DELAY_MS + 200)
    assert panel.refresh_count == before + 1  # one redraw for the three edits
    assert bar_heights(panel)[0] == 700


def test_a_replaced_model_is_drawn(qtbot, panel, document):
    document.replace(Model(name="Empty"), None)
    qtbot.waitUntil(lambda: charts.EMPTY_TEXT in [t.get_text() for t in panel.figure.texts],
                    timeout=3000)  # fmt: skip


def test_a_hidden_panel_waits_until_shown(qtbot, document, context_factory):
    hidden = ChartPanel(context_factory(document))
    qtbot.addWidget(hidden)
    first = hidden.refresh_count
    document.push(RenameModel("Renamed"))
    qtbot.wait(REFRESH_DELAY_MS + 200)
    assert hidden.refresh_count == first
    hidden.show()
    qtbot.waitUntil(lambda: hidden.refresh_count == first + 1, timeout=3000)


def test_choosing_a_chart_draws_it_at_once(panel):
    panel.chooser.setCurrentText("Risk matrix")
    assert "Risk matrix" in panel.figure.axes[0].get_title()
    panel.chooser.setCurrentText("Action Priority distribution")
    assert "before and after" in panel.figure.axes[0].get_title()


def test_export_png_and_svg(panel, tmp_path):
    messages = panel.interaction.messages
    panel.chooser.setCurrentText("Risk by component")
    assert panel.export_chart(tmp_path / "risk.png")
    assert panel.export_chart(tmp_path / "risk.svg")
    assert (tmp_path / "risk.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "risk.svg").read_text(encoding="utf-8")[:500]
    assert not panel.export_chart(tmp_path / "risk.pdf")
    assert messages == [("warning", "Export Chart", "charts save as .png or .svg, not .pdf.")]
    assert not panel.export_chart(tmp_path / "missing" / "risk.png")
    assert messages[-1][2].startswith(f"Cannot write {tmp_path / 'missing' / 'risk.png'}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["risk.png", "risk.svg"]
