"""How availability figures read in the panel, the report and the terminal."""

from __future__ import annotations

import pytest

from fma_app.presentation.availability import gain_points, percent, percent_number, verdict


@pytest.mark.parametrize(
    ("gain", "text"),
    [
        (0.0004994, "+0.04994 pp"),
        (9.983e-07, "+0.00009983 pp"),  # never +9.983e-05 pp
        (0.0125, "+1.250 pp"),
        (0.25, "+25.00 pp"),
        (0.0, "+0 pp"),
    ],
)
def test_gains_read_as_percentage_points_without_exponents(gain, text):
    assert gain_points(gain) == text


def test_percents_as_shown_and_as_typed():
    assert percent(0.9983) == "99.8300 %"
    assert percent(0.99999999) == "99.999999 %"
    assert percent_number(0.9995) == "99.95"
    assert [verdict(v) for v in (True, False, None)] == ["met", "NOT met", "no SLO"]
