"""Style tokens: the one place that says which colour means what.

The worksheet, the detail panel, the graph, the charts, the Excel report and the terminal all
read these, so an H looks the same in the app, in the review meeting's workbook and on paper.
Colours are "#RRGGBB" strings; each reader converts them to its own type (QColor, openpyxl's
"RRGGBB", matplotlib takes them as they are). No module but this one defines an AP colour:
`tests/presentation/test_style.py` fails when one does.

The AP palette is Excel's own "light fill, dark text" pair for bad, neutral and good: reviewers
know it, it prints legibly in greyscale, and its dark text reads on the light fill in every
reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fma_app.domain.scoring import ActionPriority


@dataclass(frozen=True)
class Swatch:
    """How one kind of value is shown wherever it appears."""

    label: str  # words for it ("High", "not rated")
    fill: str  # background: worksheet and report cells, graph nodes, chart bars and zones
    text: str  # text on the fill, and outlines of marks drawn with it
    ansi: str  # SGR parameters for a terminal ("1;31" bold red)


AP_STYLES: dict[ActionPriority, Swatch] = {
    ActionPriority.HIGH: Swatch("High", fill="#FFC7CE", text="#9C0006", ansi="1;31"),
    ActionPriority.MEDIUM: Swatch("Medium", fill="#FFEB9C", text="#7F6000", ansi="33"),
    ActionPriority.LOW: Swatch("Low", fill="#C6EFCE", text="#006100", ansi="32"),
}
# ActionPriority is a StrEnum, so these dicts also answer to "H", "M" and "L".
AP_NAMES: dict[ActionPriority, str] = {ap: style.label for ap, style in AP_STYLES.items()}

# Something without scores to rank it (a component without failure modes, a failure mode not
# scored yet): a neutral grey that no AP colour could be mistaken for.
NOT_RATED = Swatch("not rated", fill="#E0E0E0", text="#616161", ansi="2")

# An action past its due date: the alarm of an H, so it reads as "act now".
OVERDUE = Swatch(
    "overdue",
    fill=AP_STYLES[ActionPriority.HIGH].fill,
    text=AP_STYLES[ActionPriority.HIGH].text,
    ansi=AP_STYLES[ActionPriority.HIGH].ansi,
)
CLOSED_TEXT = "#7F7F7F"  # done or cancelled actions: still there, out of the way
# A score a library suggests, shown in an empty score cell until someone rates it.
SCORE_HINT_TEXT = "#9E9E9E"

# An entry point's SLO verdict: met reads like an L, missed like an H (the same light fill and
# dark text, so the panel, the report and paper agree), no SLO like something not rated.
SLO_MET = Swatch(
    "met",
    fill=AP_STYLES[ActionPriority.LOW].fill,
    text=AP_STYLES[ActionPriority.LOW].text,
    ansi=AP_STYLES[ActionPriority.LOW].ansi,
)
SLO_MISSED = Swatch(
    "NOT met",
    fill=AP_STYLES[ActionPriority.HIGH].fill,
    text=AP_STYLES[ActionPriority.HIGH].text,
    ansi=AP_STYLES[ActionPriority.HIGH].ansi,
)
# An unknown availability makes a figure an upper bound: a caution, not an alarm.
UPPER_BOUND = Swatch(
    "upper bound",
    fill=AP_STYLES[ActionPriority.MEDIUM].fill,
    text=AP_STYLES[ActionPriority.MEDIUM].text,
    ansi=AP_STYLES[ActionPriority.MEDIUM].ansi,
)
# The graph's mark for the components that cost the selected entry point availability, and
# for the entry point itself: apart from the blast radius's red and the SPOF purple.
CONTRIBUTOR_OUTLINE = "#0277BD"
AVAILABILITY_ENTRY_OUTLINE = "#212121"


def slo_style(meets_slo: bool | None) -> Swatch:
    if meets_slo is None:
        return NOT_RATED
    return SLO_MET if meets_slo else SLO_MISSED


def rgb(colour: str) -> str:
    """A "#RRGGBB" colour as "RRGGBB", the way openpyxl takes it."""
    return colour.removeprefix("#").upper()


def mix(start: str, end: str, share: float) -> str:
    """The colour `share` (0..1) of the way from `start` to `end`, as "#RRGGBB"."""
    a, b = _channels(start), _channels(end)
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(a, b, strict=True))


def _channels(colour: str) -> tuple[int, int, int]:
    digits = rgb(colour)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


# RPN shading: from near white (RPN 1) to salmon (RPN 1000), square-root scaled so mid values
# show.
RPN_SHADE_LOW = "#FFFFFF"
RPN_SHADE_HIGH = "#FF8C80"
RPN_TEXT = "#1A1A1A"  # text on any shade
RPN_MAX = 1000


def rpn_strength(rpn: int) -> float:
    """How far along the shading an RPN is: sqrt(RPN / 1000), from 0.03 at RPN 1 to 1.0."""
    return min(1.0, math.sqrt(max(rpn, 1) / RPN_MAX))


def rpn_shade(rpn: int) -> str:
    """The RPN's cell colour as "#RRGGBB"."""
    return mix(RPN_SHADE_LOW, RPN_SHADE_HIGH, rpn_strength(rpn))


# Three points of the shading for a spreadsheet's colour scale (which interpolates linearly):
# with a mid point at 250 (strength 0.5) it follows the square root closely.
RPN_SCALE_POINTS: tuple[tuple[int, str], ...] = tuple(
    (rpn, rpn_shade(rpn)) for rpn in (1, RPN_MAX // 4, RPN_MAX)
)


def ap_style(ap: ActionPriority | str | None) -> Swatch:
    """The swatch of an AP ("H", "M", "L" or the enum), or NOT_RATED for None or ""."""
    return AP_STYLES[ActionPriority(ap)] if ap else NOT_RATED


def ansi(swatch: Swatch, text: str) -> str:
    """Text in the swatch's terminal colour (the caller decides whether colour is wanted)."""
    return f"\033[{swatch.ansi}m{text}\033[0m"
