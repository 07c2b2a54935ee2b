"""What each 1-10 rating means, for the score editors' tooltips.

Wording follows the AIAG-VDA FMEA Handbook's scales, adapted from products to software systems
(occurrence is called likelihood in this app). Pure data: no Qt here, so reports may reuse it.
"""

from __future__ import annotations

SEVERITY: dict[int, str] = {
    10: "Hazardous: safety, legal or regulatory breach, without warning",
    9: "Hazardous: safety, legal or regulatory breach, with warning",
    8: "Very high: core service down for all users, data loss",
    7: "High: core service down for some users, or badly degraded for all",
    6: "Moderate: secondary function lost",
    5: "Moderate: secondary function degraded",
    4: "Low: noticeable degradation, workaround exists",
    3: "Low: minor nuisance noticed by most users",
    2: "Very low: noticed by discriminating users only",
    1: "None: no discernible effect",
}

LIKELIHOOD: dict[int, str] = {
    10: "Extremely high: happens every day, no prevention",
    9: "Very high: happens every week",
    8: "Very high: happens every month",
    7: "High: several times a year",
    6: "High: about once a year",
    5: "Moderate: once every few years",
    4: "Moderate: seen in similar systems, rarely here",
    3: "Low: isolated incidents in similar systems",
    2: "Very low: prevention controls make it very unlikely",
    1: "Extremely low: eliminated by design",
}

DETECTION: dict[int, str] = {
    10: "Absolutely uncertain: no detection, users find it",
    9: "Very remote: detection unlikely before users notice",
    8: "Remote: manual checks or ad-hoc log reading",
    7: "Very low: detected only after significant impact",
    6: "Low: dashboards someone has to watch",
    5: "Moderate: alert on symptoms, slow or noisy",
    4: "Moderately high: alert on symptoms within minutes",
    3: "High: targeted alert on the cause within minutes",
    2: "Very high: automated detection before impact",
    1: "Almost certain: prevented or caught automatically before release",
}

SCALES: dict[str, dict[int, str]] = {
    "severity": SEVERITY,
    "likelihood": LIKELIHOOD,
    "detection": DETECTION,
}

TITLES: dict[str, str] = {
    "severity": "Severity",
    "likelihood": "Likelihood",
    "detection": "Detection",
}


def meaning(field: str, score: int) -> str:
    """One line for a score: `7: High: several times a year`, or "" outside 1-10."""
    text = SCALES[field].get(score)
    return f"{score}: {text}" if text else ""


def scale_tooltip(field: str, current: int | None = None) -> str:
    """The whole scale as rich text, highest first, with the current score in bold."""
    lines = [f"<b>{TITLES[field]}</b> (1-10)"]
    for score in range(10, 0, -1):
        line = meaning(field, score)
        lines.append(f"<b>{line}</b>" if score == current else line)
    return "<br>".join(lines)


def hinted_scale_tooltip(field: str, suggested: int) -> str:
    """The scale's tooltip under the library's suggestion, for an empty score. Rich text from
    its first character: Qt shows a text as rich only when it starts like markup, and a plain
    first line made the scale's tags show as typed."""
    return (
        f"<p>The library suggests {suggested}; not rated until you set it.</p>"
        f"{scale_tooltip(field)}"
    )
