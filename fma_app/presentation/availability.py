"""How availability figures read wherever they are shown (Qt-free): the terminal, the desktop
Availability panel and the report's Availability sheet say the same thing in the same words."""

from __future__ import annotations

import math

SLO_MET_TEXT = "met"
SLO_MISSED_TEXT = "NOT met"
NO_SLO_TEXT = "no SLO"


def percent(fraction: float) -> str:
    """A fraction as a percent with four decimals, or more when it is that close to 100 %."""
    for decimals in range(4, 10):
        text = f"{fraction * 100:.{decimals}f}"
        if fraction >= 1.0 or not text.startswith("100."):
            return text.rstrip("0").rstrip(".") + " %" if decimals > 4 else text + " %"
    return f"{fraction * 100:.9f} %"


def target(fraction: float) -> str:
    """An SLO or an own availability as people write it: 99.9 %, 99.95 %."""
    return f"{fraction * 100:.10g} %"


def percent_number(fraction: float) -> str:
    """A fraction as the number a person types into a percent box: 0.9995 -> "99.95"."""
    return f"{fraction * 100:.10g}"


def verdict(meets_slo: bool | None) -> str:
    if meets_slo is None:
        return NO_SLO_TEXT
    return SLO_MET_TEXT if meets_slo else SLO_MISSED_TEXT


def days(window_days: float) -> str:
    return f"{window_days:g} days" if window_days != 1 else "1 day"


def gain_points(gain: float) -> str:
    """A contributor's gain in percentage points to four significant digits, never in
    exponent form (a reviewer reads +0.00009983 pp, not +9.983e-05 pp)."""
    points = gain * 100
    if points <= 0:
        return "+0 pp"
    decimals = min(max(3 - math.floor(math.log10(points)), 0), 12)
    return f"+{points:.{decimals}f} pp"
