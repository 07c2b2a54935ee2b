"""What a reader sees on the charts' axes: whole-number ticks for counts and scores, bars clear
of the axes' edges, and long names that stay distinguishable when shortened."""

from __future__ import annotations

import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from report_support import build_model

from fma_app.domain.model import Model
from fma_app.reports import charts

SIMILAR = (
    "Payment authorisation gateway cluster, primary",
    "Payment authorisation gateway cluster, secondary",
    "Payment authorisation gateway cluster, standby",
)


def similar_names_model() -> Model:
    """Components whose long names differ only at the end, one or two failure modes each (so
    the counts are small: an automatic axis would tick 0.5, 1.5, ...)."""
    model = Model(name="Similar")
    for number, name in enumerate(SIMILAR):
        component = model.add_component(name, "service")
        for index in range(1 + number % 2):
            model.add_failure_mode(
                component.id, failure_mode=f"Timeout talking to the card network, case {index}",
                severity=2 + number, likelihood=1 + index, detection=1,
            )  # fmt: skip
    return model


def one_failure_mode_model() -> Model:
    """One failure mode of RPN 2: an automatic axis from 0 to 2 ticks every 0.25."""
    model = Model(name="One")
    component = model.add_component("Cache", "cache")
    model.add_failure_mode(component.id, failure_mode="Evicted", severity=2, likelihood=1,
                           detection=1)  # fmt: skip
    return model


MODELS = {
    "small": build_model,
    "similar names": similar_names_model,
    "one failure mode": one_failure_mode_model,
}


def bars(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() and p.get_height()]


def drawn(figure):
    figure.canvas.draw()  # ticks and limits settle when drawn
    return figure


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize(
    ("build", "count_axis"),
    [
        (charts.pareto_figure, "y"),  # RPN, a whole number
        (charts.ap_distribution_figure, "y"),  # failure modes
        (charts.risk_by_component_figure, "x"),  # sum of RPN
        (charts.risk_matrix_figure, "xy"),  # scores 1-10
    ],
)
def test_count_axes_tick_only_whole_numbers(build, count_axis, make):
    ax = drawn(build(make())).axes[0]
    for name in count_axis:
        low, high = ax.get_xlim() if name == "x" else ax.get_ylim()
        ticks = ax.get_xticks() if name == "x" else ax.get_yticks()
        shown = [t for t in ticks if min(low, high) <= t <= max(low, high)]
        assert len(shown) >= 2
        assert all(float(t).is_integer() for t in shown), (build.__name__, name, shown)


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize(
    "build",
    [charts.pareto_figure, charts.ap_distribution_figure, charts.risk_by_component_figure],
)
def test_no_bar_touches_the_edge_of_its_axes(build, make):
    """Every bar keeps a visible gap (2% of the axis) to each edge it points at or stands
    beside; only the baseline it grows from may touch (that is the axis itself)."""
    ax = drawn(build(make())).axes[0]
    found = bars(ax)
    assert found
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    gap_x, gap_y = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
    horizontal = build is charts.risk_by_component_figure
    for bar in found:
        left, right = sorted((bar.get_x(), bar.get_x() + bar.get_width()))
        bottom, top = sorted((bar.get_y(), bar.get_y() + bar.get_height()))
        if horizontal:  # grows from x = 0 to the right
            assert right <= x1 - gap_x
            assert bottom >= y0 + gap_y
            assert top <= y1 - gap_y
        else:  # grows from y = 0 upwards
            assert top <= y1 - gap_y
            assert left >= x0 + gap_x
            assert right <= x1 - gap_x


@pytest.mark.parametrize(
    ("build", "axis"),
    [(charts.risk_by_component_figure, "y"), (charts.pareto_figure, "x")],
)
def test_names_that_differ_only_at_the_end_stay_distinguishable(build, axis):
    ax = drawn(build(similar_names_model())).axes[0]
    labels = [t.get_text() for t in (ax.get_yticklabels() if axis == "y" else ax.get_xticklabels())]
    assert len(labels) == len(set(labels)) >= 3
    assert all("\u2026" in label for label in labels)  # shortened, in the middle
    if build is charts.risk_by_component_figure:
        assert {label[-7:] for label in labels} == {name[-7:] for name in SIMILAR}
        assert all(label.startswith("Payment") for label in labels)
