"""`rank` paints AP letters with the terminal colours of the style tokens."""

from __future__ import annotations

from dataclasses import replace

from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.cli.rank import format_table
from fma_app.domain.model import Model
from fma_app.domain.scoring import ActionPriority
from fma_app.presentation import style


def test_rank_letters_take_their_colour_from_the_style_tokens(monkeypatch):
    model = Model()
    api = model.add_component("api")
    model.add_failure_mode(api.id, failure_mode="Outage", severity=10, likelihood=10, detection=10)
    model.add_failure_mode(api.id, failure_mode="Typo", severity=1, likelihood=1, detection=1)
    ranked = rank_failure_modes(model, RankBy.RPN)
    high = style.AP_STYLES[ActionPriority.HIGH]
    monkeypatch.setitem(style.AP_STYLES, ActionPriority.HIGH, replace(high, ansi="35"))
    table = format_table(ranked, total=2, by=RankBy.RPN, colour=True)
    assert "\033[35mH\033[0m " in table  # padded to the two-letter column
    assert "\033[32mL\033[0m " in table
    plain = format_table(ranked, total=2, by=RankBy.RPN, colour=False)
    assert "\033[" not in plain
