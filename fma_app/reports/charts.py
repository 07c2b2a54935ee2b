"""Risk charts as matplotlib Figures, shared by the Excel report and the in-app chart panel.

Every function builds on a plain `Figure()` (never pyplot, so no global state and safe in a worker
thread) and accepts an existing figure to redraw into, which the Qt panel uses to keep one canvas.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.domain.model import FailureMode, Model
from fma_app.domain.scoring import ActionPriority, action_priority
from fma_app.presentation.style import AP_NAMES, AP_STYLES, NOT_RATED, ap_style
from fma_app.presentation.text import elide_middle

if TYPE_CHECKING:  # matplotlib loads on the first chart: importing a workbook never needs it
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

# Bars and zones wear the AP swatch as cells do (light fill); bars get its dark text colour as an
# outline so neighbouring bars stay apart.
AP_FILLS = {ap.value: style.fill for ap, style in AP_STYLES.items()}
AP_EDGES = {ap.value: style.text for ap, style in AP_STYLES.items()}
BAR_EDGE_WIDTH = 0.8
NOT_RATED_YET = f"{NOT_RATED.label} yet"  # in titles and axis labels, from the one style token
BEFORE_COLOUR, AFTER_COLOUR = "#5B7DB1", "#9CC3E6"
FIGSIZE = (8.0, 4.8)
MARGINS = {"left": 0.09, "right": 0.97, "bottom": 0.12, "top": 0.9}
EMPTY_TEXT = "No failure modes"
PARETO_LIMIT = 30
COMPONENT_LIMIT = 15
BAR_HEADROOM = 0.08  # share of the axis left free beyond the longest bar

# AP of every score combination, looked up rather than recomputed for each of many failure modes.
AP_TABLE: dict[tuple[int, int, int], str] = {
    (s, o, d): action_priority(s, o, d).value
    for s in range(1, 11)
    for o in range(1, 11)
    for d in range(1, 11)
}


def ap_of(fm: FailureMode) -> str | None:
    """ "H", "M" or "L"; None while any of the three scores is not rated yet."""
    severity, likelihood, detection = fm.severity, fm.likelihood, fm.detection
    if severity is None or likelihood is None or detection is None:
        return None
    return AP_TABLE[severity, likelihood, detection]


def _with_notes(title: str, *notes: str) -> str:
    shown = [note for note in notes if note]
    return f"{title} ({'; '.join(shown)})" if shown else title


def _not_rated_note(model: Model) -> str:
    unrated = sum(1 for fm in model.failure_modes.values() if fm.rpn is None)
    return f"{unrated} {NOT_RATED_YET}, not shown" if unrated else ""


def revised_ap_of(fm: FailureMode) -> str | None:
    revised = fm.revised
    return AP_TABLE[revised.severity, revised.likelihood, revised.detection] if revised else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _label(text: str, limit: int = 28) -> str:
    """Single-line text that matplotlib shows literally ('$' would start mathtext), shortened
    in the middle: names that differ only at the end ("... primary", "... secondary") stay
    apart."""
    flat = _CONTROL.sub(" ", text).strip() or "(unnamed)"
    return elide_middle(flat, limit).replace("$", r"\$")


def _whole_number_ticks(axis: Axis) -> None:
    """Counts and RPNs are whole numbers: no tick at 0.5 of a failure mode."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _figure(figure: Figure | None, **margins: float) -> Figure:
    """A new or cleared figure with fixed margins: a layout engine would cost an extra
    drawing pass per render, which the report of a large model pays four times."""
    if figure is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=FIGSIZE)
    else:
        figure.clear()
        figure.set_layout_engine("none")
    figure.subplots_adjust(**{**MARGINS, **margins})
    return figure


def _empty(figure: Figure, title: str, text: str = EMPTY_TEXT) -> Figure:
    figure.suptitle(title)
    figure.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, color="#666666")
    return figure


def _not_rated_empty(model: Model) -> str:
    """What an RPN-based chart says when nothing it could draw is rated yet."""
    if not model.failure_modes:
        return EMPTY_TEXT
    count = len(model.failure_modes)
    return f"No rated failure modes ({count} {NOT_RATED_YET})"


def pareto_figure(model: Model, *, figure: Figure | None = None) -> Figure:
    """Bars of the highest RPNs (coloured by AP) with the cumulative share of the total RPN."""
    fig = _figure(figure, left=0.12, bottom=0.32, right=0.9, top=0.88)
    title = "Pareto of RPN"
    # Only rated failure modes have an RPN; ranking puts the others last.
    rated = [
        (r, rpn)
        for r in rank_failure_modes(model, RankBy.RPN)
        if (rpn := r.failure_mode.rpn) is not None
    ]
    if not rated:
        return _empty(fig, title, _not_rated_empty(model))
    ranked, rpns = [r for r, _ in rated], [rpn for _, rpn in rated]
    total = sum(rpns)
    shown = ranked[:PARETO_LIMIT]
    unrated = _not_rated_note(model)
    what = "rated failure modes" if unrated else "failure modes"
    top = f"top {len(shown)} of {len(ranked)} {what}" if len(ranked) > len(shown) else ""
    title = _with_notes(title, top, unrated)
    ax = fig.add_subplot()
    positions = range(len(shown))
    ax.bar(
        positions,
        rpns[: len(shown)],
        # Only rated failure modes reach here; ap_style would paint any other in NOT_RATED.
        color=[ap_style(ap_of(r.failure_mode)).fill for r in shown],
        edgecolor=[ap_style(ap_of(r.failure_mode)).text for r in shown],
        linewidth=BAR_EDGE_WIDTH,
    )
    ax.set_xticks(
        list(positions),
        # Each part shortened on its own: "Payme…rimary: Time…ase 1" keeps both ends.
        [f"{_label(r.component, 12)}: {_label(r.failure_mode.failure_mode, 10)}" for r in shown],
        rotation=60,
        ha="right",
        fontsize=7,
    )
    ax.set_ylabel("RPN")
    _whole_number_ticks(ax.yaxis)
    ax.set_xlim(-0.6, len(shown) - 0.4)
    share = ax.twinx()
    running, cumulative = 0, []
    for rpn in rpns[: len(shown)]:
        running += rpn
        cumulative.append(100.0 * running / total)
    share.plot(list(positions), cumulative, color="#222222", marker="o", markersize=3)
    share.axhline(80, color="#888888", linestyle="--", linewidth=0.8)
    share.set_ylim(0, 105)
    share.set_ylabel("Cumulative share of total RPN (%)")
    ax.legend(handles=_ap_handles(), loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7,
              ncols=3, frameon=False)  # fmt: skip
    ax.set_title(title, loc="left", fontsize=10)
    return fig


def _ap_handles(suffix: str = "", edges: bool = True) -> list[Patch]:
    from matplotlib.patches import Patch

    return [
        Patch(facecolor=AP_FILLS[ap], edgecolor=AP_EDGES[ap] if edges else AP_FILLS[ap],
              linewidth=BAR_EDGE_WIDTH, label=f"AP {AP_NAMES[ap]}{suffix}")
        for ap in ActionPriority
    ]  # fmt: skip


def risk_matrix_figure(model: Model, *, figure: Figure | None = None) -> Figure:
    """Counts of failure modes per severity x likelihood cell over the Action Priority zones.

    AP also depends on detection, so the zones show the AP with poor detection (7-10): the
    priority a cell reaches when the failure is hard to detect.
    """
    fig = _figure(figure, left=0.08, right=0.72)
    title = "Risk matrix: severity \u00d7 likelihood"
    rated = [scores for fm in model.failure_modes.values() if (scores := fm.scores) is not None]
    if not rated:
        return _empty(fig, title, _not_rated_empty(model))
    counts = Counter((scores.severity, scores.likelihood) for scores in rated)
    title = _with_notes(title, _not_rated_note(model))
    zone_index = {"L": 0, "M": 1, "H": 2}
    zones = [
        [zone_index[action_priority(s, o, 10).value] for o in range(1, 11)] for s in range(1, 11)
    ]
    ax = fig.add_subplot()
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([AP_FILLS[ap] for ap in "LMH"])
    ax.imshow(zones, cmap=cmap, vmin=0, vmax=2, origin="lower", extent=(0.5, 10.5, 0.5, 10.5))
    for (severity, likelihood), count in counts.items():
        ax.text(likelihood, severity, str(count), ha="center", va="center", fontsize=8,
                fontweight="bold")  # fmt: skip
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.set_xticks([x + 0.5 for x in range(0, 11)], minor=True)
    ax.set_yticks([y + 0.5 for y in range(0, 11)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("Likelihood (occurrence)")
    ax.set_ylabel("Severity")
    ax.legend(
        handles=_ap_handles(" zone", edges=False),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=8,
        title="Zones at detection 7-10",
        title_fontsize=8,
    )
    ax.set_title(title)
    return fig


def ap_counts(model: Model) -> tuple[Counter[str | None], Counter[str | None]]:
    """Failure modes per AP before actions and after them (revised scores where given); the
    key None counts those not rated yet."""
    before = Counter(ap_of(fm) for fm in model.failure_modes.values())
    after = Counter(revised_ap_of(fm) or ap_of(fm) for fm in model.failure_modes.values())
    return before, after


def ap_distribution_figure(model: Model, *, figure: Figure | None = None) -> Figure:
    """Failure modes per Action Priority, before and after actions."""
    fig = _figure(figure)
    title = "Action Priority before and after actions"
    if not model.failure_modes:
        return _empty(fig, title)
    before, after = ap_counts(model)
    ax = fig.add_subplot()
    width = 0.38
    order: list[ActionPriority | None] = list(ActionPriority)
    if before[None] or after[None]:
        order.append(None)  # a bar of its own: never counted as L
    xs = range(len(order))
    bars_before = ax.bar([x - width / 2 for x in xs], [before[ap] for ap in order], width,
                         label="Before actions", color=BEFORE_COLOUR)  # fmt: skip
    bars_after = ax.bar([x + width / 2 for x in xs], [after[ap] for ap in order], width,
                        label="After actions (revised scores where given)",
                        color=AFTER_COLOUR)  # fmt: skip
    ax.bar_label(bars_before, fontsize=8)
    ax.bar_label(bars_after, fontsize=8)
    labels = [f"{AP_NAMES[ap]} ({ap})" if ap else NOT_RATED_YET.capitalize() for ap in order]
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("Failure modes")
    _whole_number_ticks(ax.yaxis)
    ax.set_ylim(0, max(max(before.values()), max(after.values())) * 1.15 + 1)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def risk_by_component_figure(model: Model, *, figure: Figure | None = None) -> Figure:
    """Total RPN per component (highest first), split by the AP of its failure modes."""
    fig = _figure(figure, left=0.27, top=0.9, bottom=0.19)
    title = "Risk by component (total RPN)"
    if not model.failure_modes:
        return _empty(fig, title)
    totals: dict[int, Counter[str]] = {}
    for fm in model.failure_modes.values():
        ap, rpn = ap_of(fm), fm.rpn
        if ap is not None and rpn is not None:  # not rated yet adds no RPN
            totals.setdefault(fm.component_id, Counter())[ap] += rpn
    if not totals:
        return _empty(fig, title, _not_rated_empty(model))

    ordered = sorted(
        totals.items(),
        key=lambda item: (-item[1].total(), model.components[item[0]].name.casefold()),
    )
    shown = ordered[:COMPONENT_LIMIT]
    top = f"top {len(shown)} of {len(ordered)} components" if len(ordered) > len(shown) else ""
    title = _with_notes(title, top, _not_rated_note(model))
    ax = fig.add_subplot()
    ys = list(range(len(shown)))
    left = [0] * len(shown)
    for ap in ActionPriority:
        values = [counter[ap] for _, counter in shown]
        ax.barh(ys, values, left=left, color=AP_FILLS[ap], edgecolor=AP_EDGES[ap],
                linewidth=BAR_EDGE_WIDTH, label=f"AP {AP_NAMES[ap]}")  # fmt: skip
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(ys, [_label(model.components[cid].name, 30) for cid, _ in shown], fontsize=8)
    ax.invert_yaxis()
    # The longest bar ends clear of the right edge (set by hand: an empty stacked segment at the
    # end of a bar is a sticky edge that would pin the autoscaled limit to it).
    ax.set_xlim(0, max(left) * (1 + BAR_HEADROOM))
    _whole_number_ticks(ax.xaxis)
    ax.set_xlabel("Sum of RPN of its failure modes")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3,
              frameon=False)  # fmt: skip
    ax.set_title(title, fontsize=10)
    return fig


CHARTS: dict[str, Callable[..., Figure]] = {
    "Pareto of RPN": pareto_figure,
    "Risk matrix": risk_matrix_figure,
    "Action Priority distribution": ap_distribution_figure,
    "Risk by component": risk_by_component_figure,
}


def _quiet_render(render: Callable[[], None]) -> None:
    """Render with matplotlib's missing-glyph warnings silenced: a name in a script the font
    lacks shows as boxes, which must not fail an export."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        render()


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> None:
    """Save as PNG or SVG, chosen by the file extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"charts save as .png or .svg, not {suffix or 'a file without extension'}")
    _quiet_render(lambda: fig.savefig(path, format=suffix[1:], dpi=dpi))


def figure_png(fig: Figure, *, dpi: int = 96) -> bytes:
    """The figure as PNG bytes (for embedding in the report)."""
    buffer = io.BytesIO()
    _quiet_render(lambda: fig.savefig(buffer, format="png", dpi=dpi))
    return buffer.getvalue()
