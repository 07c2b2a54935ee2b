"""Ranking puts failure modes that are not rated yet after every rated one, in a fixed order."""

from __future__ import annotations

import pytest

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.domain.model import Model


def build() -> Model:
    model = Model()
    a = model.add_component("Alpha").id
    b = model.add_component("Beta").id
    model.add_failure_mode(b, failure_mode="blank")
    model.add_failure_mode(a, failure_mode="low rated", severity=1, likelihood=1, detection=1)
    model.add_failure_mode(a, failure_mode="severity only", severity=10)
    model.add_failure_mode(a, failure_mode="high rated", severity=9, likelihood=8, detection=7)
    model.add_failure_mode(a, failure_mode="blank")
    model.add_failure_mode(b, failure_mode="severity and detection", severity=10, detection=2)
    return model


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_not_rated_come_after_the_rated_ones_in_a_fixed_order(by):
    ranked = rank_failure_modes(build(), by)
    assert [(r.component, r.failure_mode.failure_mode) for r in ranked] == [
        ("Alpha", "high rated"),
        ("Alpha", "low rated"),  # RPN 1, AP L: still above every unknown risk
        ("Beta", "severity and detection"),  # what is rated so far, highest first
        ("Alpha", "severity only"),
        ("Alpha", "blank"),
        ("Beta", "blank"),
    ]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6]


def test_a_not_rated_record_has_nulls_and_the_stable_id():
    model = build()
    records = {r.failure_mode.failure_mode: r.as_record() for r in rank_failure_modes(model)}
    partly = records["severity and detection"]
    assert (partly["severity"], partly["likelihood"], partly["detection"]) == (10, None, 2)
    assert (partly["rpn"], partly["ap"]) == (None, None)
    assert partly["id"] == next(
        fm.id for fm in model.failure_modes.values() if fm.failure_mode == "severity and detection"
    )
    assert (records["high rated"]["rpn"], records["high rated"]["ap"]) == (504, "H")
