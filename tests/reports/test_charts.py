"""Risk charts: what each figure shows, empty models, PNG/SVG export, no pyplot state."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib.figure import Figure
from report_support import build_model

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.domain.model import Model
from fma_app.reports import charts


def texts_of(fig: Figure) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_title("left")]
    return found


@pytest.mark.parametrize("build", list(charts.CHARTS.values()))
def test_an_empty_model_says_so(build):
    fig = build(Model())
    assert isinstance(fig, Figure)
    assert charts.EMPTY_TEXT in texts_of(fig)
    assert not fig.axes


def test_pareto_bars_are_the_highest_rpns_with_their_cumulative_share():
    model = build_model()
    fig = charts.pareto_figure(model)
    bars_axis, share_axis = fig.axes
    heights = [patch.get_height() for patch in bars_axis.patches]
    ranked = rank_failure_modes(model, "rpn")
    assert heights == [r.failure_mode.rpn for r in ranked]
    colours = {patch.get_facecolor()[:3] for patch in bars_axis.patches}
    assert len(colours) == 2  # H and M failure modes
    line = share_axis.lines[0].get_ydata()
    assert line[-1] == pytest.approx(100.0)
    assert line[0] == pytest.approx(100.0 * ranked[0].failure_mode.rpn / sum(heights))


def test_pareto_of_a_large_model_shows_the_top_thirty():
    model = Model()
    component = model.add_component("c")
    for index in range(45):
        model.add_failure_mode(
            component.id,
            failure_mode=f"fm {index}",
            severity=index % 10 + 1,
            likelihood=1,
            detection=1,
        )
    fig = charts.pareto_figure(model)
    assert len(fig.axes[0].patches) == charts.PARETO_LIMIT
    assert "top 30 of 45 failure modes" in fig.axes[0].get_title("left")


def test_risk_matrix_counts_every_failure_mode_in_its_cell():
    model = build_model()
    ax = charts.risk_matrix_figure(model).axes[0]
    cells = {(t.get_position()[1], t.get_position()[0]): int(t.get_text()) for t in ax.texts}
    assert sum(cells.values()) == len(model.failure_modes)
    for fm in model.failure_modes.values():
        assert cells[(fm.severity, fm.likelihood)] >= 1


def test_ap_distribution_before_and_after_actions():
    model = build_model()
    ax = charts.ap_distribution_figure(model).axes[0]
    heights = [int(p.get_height()) for p in ax.patches]
    before = [sum(1 for f in model.failure_modes.values() if f.ap.value == ap) for ap in "HML"]
    after = [sum(1 for f in model.failure_modes.values() if (f.revised_ap or f.ap).value == ap)
             for ap in "HML"]  # fmt: skip
    assert heights == before + after
    assert before != after  # revised scores moved some failure modes


def test_risk_by_component_orders_components_by_total_rpn():
    model = build_model()
    ax = charts.risk_by_component_figure(model).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    totals: dict[str, int] = {}
    for fm in model.failure_modes.values():
        name = model.components[fm.component_id].name
        totals[name] = totals.get(name, 0) + fm.rpn
    assert labels == sorted(totals, key=lambda n: -totals[n])


def test_odd_names_are_drawn_literally(tmp_path):
    model = Model()
    component = model.add_component("$cost$ \x07 \u6570\u636e " + "x" * 80)
    model.add_failure_mode(
        component.id, failure_mode="$5 and $6 \\frac", severity=9, likelihood=1, detection=1
    )
    for build in charts.CHARTS.values():
        charts.save_figure(build(model), tmp_path / "odd.png")
    ax = charts.risk_by_component_figure(model).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # Shortened in the middle (since names that differ only at the end must stay apart).
    assert labels[0].startswith(r"\$cost\$")
    assert labels[0].endswith("xxx")
    assert "\u2026" in labels[0]


def test_save_png_and_svg_by_extension(tmp_path):
    fig = charts.risk_matrix_figure(build_model())
    charts.save_figure(fig, tmp_path / "m.png")
    charts.save_figure(fig, tmp_path / "m.SVG")
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "m.SVG").read_text(encoding="utf-8")[:500]
    with pytest.raises(ValueError, match=r"charts save as \.png or \.svg, not \.pdf"):
        charts.save_figure(fig, tmp_path / "m.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.SVG", "m.png"]


def test_redrawing_into_the_same_figure_replaces_the_chart():
    fig = charts.pareto_figure(build_model())
    same = charts.risk_matrix_figure(build_model(), figure=fig)
    assert same is fig
    assert len(fig.axes) == 1
    assert "Risk matrix" in fig.axes[0].get_title()


def test_charts_never_touch_pyplot():
    code = (
        "import sys; from fma_app.reports import charts; from fma_app.domain.model import Model;"
        "m = Model(); c = m.add_component('a'); m.add_failure_mode(c.id, severity=5);"
        "[charts.figure_png(f(m)) for f in charts.CHARTS.values()];"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def with_not_rated() -> Model:
    model = Model()
    component = model.add_component("c").id
    model.add_failure_mode(component, failure_mode="rated", severity=9, likelihood=4, detection=3)
    model.add_failure_mode(component, failure_mode="blank")
    model.add_failure_mode(component, failure_mode="severity only", severity=10)
    return model


def test_rpn_charts_draw_only_rated_failure_modes_and_say_how_many_are_left_out():
    model = with_not_rated()
    pareto = charts.pareto_figure(model).axes[0]
    assert [p.get_height() for p in pareto.patches] == [108]
    assert "2 not rated yet, not shown" in pareto.get_title("left")
    matrix = charts.risk_matrix_figure(model).axes[0]
    assert [t.get_text() for t in matrix.texts] == ["1"]
    assert "2 not rated yet" in matrix.get_title()
    by_component = charts.risk_by_component_figure(model).axes[0]
    assert sum(p.get_width() for p in by_component.patches) == 108


def test_ap_distribution_has_a_not_rated_bar_and_never_counts_it_as_low():
    ax = charts.ap_distribution_figure(with_not_rated()).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["High (H)", "Medium (M)", "Low (L)", "Not rated yet"]
    heights = [int(p.get_height()) for p in ax.patches]
    assert heights == [1, 0, 0, 2] * 2  # before, then after (no revised scores)


def test_a_model_with_nothing_rated_says_so():
    model = Model()
    model.add_failure_mode(model.add_component("c").id, severity=5)
    fig = charts.pareto_figure(model)
    assert not fig.axes
    assert "No rated failure modes (1 not rated yet)" in [t.get_text() for t in fig.texts]
