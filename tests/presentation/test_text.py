"""elide_middle: shortened names keep their start and their end."""

from __future__ import annotations

import pytest

from fma_app.presentation.text import elide_middle


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("payments", 20, "payments"),
        ("payments", 8, "payments"),
        ("Payment authorisation primary", 16, "Payment\u2026primary"),
        ("Payment authorisation secondary", 16, "Payment\u2026econdary"),
        ("abcdef", 1, "\u2026"),
        ("abcdef", 0, ""),
        ("abcdef", 2, "\u2026f"),
    ],
)
def test_elide_middle(text, width, expected):
    assert elide_middle(text, width) == expected


def test_a_terminal_without_the_ellipsis_character_gets_three_dots():
    assert elide_middle("Payment authorisation primary", 16, "...") == "Paymen...primary"
    assert elide_middle("abcdef", 2, "...") == ".."


def test_names_that_differ_at_the_end_stay_apart_and_fit():
    names = [f"Payment authorisation gateway cluster {end}" for end in ("primary", "secondary")]
    for width in range(3, 40):
        shortened = [elide_middle(name, width) for name in names]
        assert all(len(s) <= width for s in shortened)
        if width >= 12:
            assert shortened[0] != shortened[1]
