"""Ranking puts failure modes that are not rated yet after every rated one, in a fixed order."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.domain.model import FailureMode, Model


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


def documented_order(model: Model, by: str) -> list[int]:
    """The order `rank_failure_modes` documents, spelled out as plain tuples (the function packs
    the scores into one int to sort faster; this is what it must come to)."""

    def key(fm: FailureMode) -> tuple:
        names = (model.components[fm.component_id].name.casefold(), fm.failure_mode.casefold())
        if fm.rpn is None or fm.ap is None:
            scores = (-(fm.severity or 0), -(fm.likelihood or 0), -(fm.detection or 0))
            return (1, *scores, *names, fm.id)
        if by == "rpn":
            return (0, -fm.rpn, -fm.severity, -fm.likelihood, -fm.detection, *names, fm.id)
        return (0, fm.ap.order, -fm.severity, -fm.rpn, *names, fm.id)

    return [fm.id for fm in sorted(model.failure_modes.values(), key=key)]


scores = st.one_of(st.none(), st.integers(1, 10))
names = st.sampled_from(["a", "A", "b", "Straße", "STRASSE", "é", "É", ""])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), names, scores, scores, scores), min_size=1, max_size=40),
    st.sampled_from(["rpn", "ap"]),
)
def test_the_ranking_is_the_documented_order(rows, by):
    model = Model()
    components = [model.add_component(name).id for name in ("Beta", "alpha", "ALPHA2")]
    for component, name, severity, likelihood, detection in rows:
        model.add_failure_mode(
            components[component], failure_mode=name, severity=severity,
            likelihood=likelihood, detection=detection,
        )  # fmt: skip
    ranked = rank_failure_modes(model, by)
    assert [r.failure_mode.id for r in ranked] == documented_order(model, by)
    assert [r.rank for r in ranked] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_every_combination_of_scores_ranks_in_the_documented_order(by):
    model = Model()
    component = model.add_component("One").id
    for severity, likelihood, detection in itertools.product([None, *range(1, 11)], repeat=3):
        model.add_failure_mode(
            component, failure_mode="same", severity=severity,
            likelihood=likelihood, detection=detection,
        )  # fmt: skip
    ranked = rank_failure_modes(model, by)
    assert [r.failure_mode.id for r in ranked] == documented_order(model, by)
