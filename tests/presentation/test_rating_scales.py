"""The 1-10 rating scales behind the score editors' tooltips."""

from __future__ import annotations

import pytest

from fma_app.presentation import rating_scales


@pytest.mark.parametrize("field", ["severity", "likelihood", "detection"])
def test_every_score_of_every_scale_has_a_meaning(field):
    assert sorted(rating_scales.SCALES[field]) == list(range(1, 11))
    assert all(
        rating_scales.meaning(field, score).startswith(f"{score}: ") for score in range(1, 11)
    )


def test_a_score_outside_the_scale_means_nothing():
    assert rating_scales.meaning("severity", 0) == ""
    assert rating_scales.meaning("detection", 11) == ""


def test_tooltip_lists_the_scale_highest_first_with_the_current_score_bold():
    tooltip = rating_scales.scale_tooltip("likelihood", 7)
    lines = tooltip.split("<br>")
    assert lines[0] == "<b>Likelihood</b> (1-10)"
    assert [line.removeprefix("<b>").split(":")[0] for line in lines[1:]] == [
        str(n) for n in range(10, 0, -1)
    ]
    assert lines[4] == "<b>7: High: several times a year</b>"
    assert tooltip.count("<b>") == 2  # the title and the current score only
    assert rating_scales.scale_tooltip("likelihood").count("<b>") == 1
