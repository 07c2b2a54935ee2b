"""Ranking by RPN and by Action Priority, with the tie-breaks the README's `rank` section states.

Every expected order here is worked out by hand from the scores (RPN = S x L x D; AP from the
AIAG-VDA table), written as literals, so a change to the ranking rules shows up as a diff.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.domain.model import FailureMode, Model

Score = int | None


def build(rows: list[tuple[str, str, Score, Score, Score]]) -> Model:
    """A model from (component, failure mode, S, L, D) rows, components made on first mention."""
    model = Model()
    for component, failure_mode, severity, likelihood, detection in rows:
        found = model.component_by_name(component) or model.add_component(component)
        model.add_failure_mode(
            found.id,
            failure_mode=failure_mode,
            severity=severity,
            likelihood=likelihood,
            detection=detection,
        )
    return model


def order(model: Model, by: RankBy | str) -> list[tuple[str, str]]:
    return [(r.component, r.failure_mode.failure_mode) for r in rank_failure_modes(model, by)]


# ---- by RPN: RPN desc, then S, L, D desc, then component and failure mode names ---------------


def test_rpn_ties_are_broken_by_severity_then_likelihood_then_detection():
    model = build(
        [
            ("Api", "s2 l5 d10", 2, 5, 10),  # RPN 100, lowest severity of the 100s
            ("Api", "s5 l4 d5", 5, 4, 5),  # RPN 100, S 5, L 4
            ("Api", "s5 l5 d4", 5, 5, 4),  # RPN 100, S 5, L 5: above s5 l4 d5
            ("Api", "s4 l5 d5", 4, 5, 5),  # RPN 100, S 4
            ("Api", "s1 l1 d1", 1, 1, 1),  # RPN 1
            ("Api", "s4 l5 d6", 4, 5, 6),  # RPN 120: the highest
        ]
    )
    assert order(model, "rpn") == [
        ("Api", "s4 l5 d6"),
        ("Api", "s5 l5 d4"),
        ("Api", "s5 l4 d5"),
        ("Api", "s4 l5 d5"),
        ("Api", "s2 l5 d10"),
        ("Api", "s1 l1 d1"),
    ]


def test_equal_scores_are_ordered_by_component_then_failure_mode_name_ignoring_case():
    model = build(
        [
            ("Gamma", "disk full", 5, 5, 5),
            ("Alpha", "timeout", 5, 5, 5),
            ("beta", "crash", 5, 5, 5),
            ("Alpha", "Crash", 5, 5, 5),
            ("Alpha", "backlog", 5, 5, 5),
        ]
    )
    expected = [
        ("Alpha", "backlog"),
        ("Alpha", "Crash"),  # "crash" < "timeout" although "C" sorts after "b" in ASCII
        ("Alpha", "timeout"),
        ("beta", "crash"),
        ("Gamma", "disk full"),  # after "beta" although "G" sorts before "b" in ASCII
    ]
    assert order(model, "rpn") == expected
    assert order(model, "ap") == expected  # all AP L (S 4-6, O 4-5: MLLL, D 5-6 -> L)


def test_identical_rows_keep_the_order_they_were_added_in_through_their_ids():
    model = build([("Api", "timeout", 3, 3, 3)] * 3)
    ranked = rank_failure_modes(model, RankBy.RPN)
    assert [r.failure_mode.id for r in ranked] == sorted(model.failure_modes)
    assert [r.rank for r in ranked] == [1, 2, 3]


# ---- by AP: H, M, L, then severity desc, then RPN desc, then names -----------------------------


def ap_model() -> Model:
    # AP worked out from the AIAG-VDA table (row: severity band x occurrence band; letter: the
    # detection band 7-10, 5-6, 2-4, 1):
    return build(
        [
            ("Db", "s3 l10 d10", 3, 10, 10),  # RPN 300; S 2-3, O 8-10: MMLL, D 7-10 -> M
            ("Db", "s1 l10 d10", 1, 10, 10),  # RPN 100; S 1: always L
            ("Db", "s10 l4 d2", 10, 4, 2),  # RPN 80; S 9-10, O 4-5: HHHM, D 2-4 -> H
            ("Db", "s9 l8 d7", 9, 8, 7),  # RPN 504; S 9-10, O 8-10: HHHH -> H
            ("Db", "s9 l3 d7", 9, 3, 7),  # RPN 189; S 9-10, O 2-3: HMLL, D 7-10 -> H
            ("Db", "s9 l2 d2", 9, 2, 2),  # RPN 36; S 9-10, O 2-3: HMLL, D 2-4 -> L
            ("Db", "s7 l6 d5", 7, 6, 5),  # RPN 210; S 7-8, O 6-7: HHHM, D 5-6 -> H
            ("Db", "s5 l4 d10", 5, 4, 10),  # RPN 200; S 4-6, O 4-5: MLLL, D 7-10 -> M
        ]
    )


def test_ap_ranks_h_then_m_then_l_then_severity_then_rpn():
    assert order(ap_model(), RankBy.AP) == [
        ("Db", "s10 l4 d2"),  # H, S 10: first although its RPN (80) is the lowest H
        ("Db", "s9 l8 d7"),  # H, S 9, RPN 504
        ("Db", "s9 l3 d7"),  # H, S 9, RPN 189
        ("Db", "s7 l6 d5"),  # H, S 7
        ("Db", "s5 l4 d10"),  # M, S 5
        ("Db", "s3 l10 d10"),  # M, S 3: the highest RPN of all, still after every H
        ("Db", "s9 l2 d2"),  # L, S 9
        ("Db", "s1 l10 d10"),  # L, S 1
    ]


def test_the_same_model_by_rpn_is_a_different_order():
    assert order(ap_model(), RankBy.RPN) == [
        ("Db", "s9 l8 d7"),  # 504
        ("Db", "s3 l10 d10"),  # 300
        ("Db", "s7 l6 d5"),  # 210
        ("Db", "s5 l4 d10"),  # 200
        ("Db", "s9 l3 d7"),  # 189
        ("Db", "s1 l10 d10"),  # 100
        ("Db", "s10 l4 d2"),  # 80
        ("Db", "s9 l2 d2"),  # 36
    ]


def test_records_carry_the_ap_and_rpn_worked_out_above():
    records = {r.failure_mode.failure_mode: r.as_record() for r in rank_failure_modes(ap_model())}
    assert {name: (rec["rpn"], rec["ap"]) for name, rec in records.items()} == {
        "s3 l10 d10": (300, "M"),
        "s1 l10 d10": (100, "L"),
        "s10 l4 d2": (80, "H"),
        "s9 l8 d7": (504, "H"),
        "s9 l3 d7": (189, "H"),
        "s9 l2 d2": (36, "L"),
        "s7 l6 d5": (210, "H"),
        "s5 l4 d10": (200, "M"),
    }


def test_rank_by_accepts_the_command_line_words_and_refuses_others():
    model = ap_model()
    assert order(model, "ap") == order(model, RankBy.AP)
    assert order(model, "rpn") == order(model, RankBy.RPN)
    with pytest.raises(ValueError, match="'severity' is not a valid RankBy"):
        rank_failure_modes(model, "severity")


def test_an_empty_model_ranks_nothing():
    assert rank_failure_modes(Model(), RankBy.AP) == []


# ---- not rated yet: after every rated one, by what is rated so far ----------------------------


def not_rated_model() -> Model:
    return build(
        [
            ("Beta", "blank", None, None, None),
            ("Alpha", "low rated", 1, 1, 1),
            ("Alpha", "severity only", 10, None, None),
            ("Alpha", "high rated", 9, 8, 7),
            ("Alpha", "blank", None, None, None),
            ("Beta", "severity and detection", 10, None, 2),
            ("Beta", "likelihood only", None, 10, None),
        ]
    )


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_not_rated_come_after_the_rated_ones_in_a_fixed_order(by):
    ranked = rank_failure_modes(not_rated_model(), by)
    assert [(r.component, r.failure_mode.failure_mode) for r in ranked] == [
        ("Alpha", "high rated"),
        ("Alpha", "low rated"),  # RPN 1, AP L: still above every unknown risk
        ("Beta", "severity and detection"),  # what is rated so far, highest first: S 10, D 2
        ("Alpha", "severity only"),  # S 10, nothing else
        ("Beta", "likelihood only"),  # S blank counts as lowest, so after any severity
        ("Alpha", "blank"),
        ("Beta", "blank"),
    ]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6, 7]


def test_a_not_rated_record_has_nulls_and_the_stable_id():
    model = not_rated_model()
    records = {r.failure_mode.failure_mode: r.as_record() for r in rank_failure_modes(model)}
    partly = records["severity and detection"]
    assert (partly["severity"], partly["likelihood"], partly["detection"]) == (10, None, 2)
    assert (partly["rpn"], partly["ap"]) == (None, None)
    assert partly["id"] == next(
        fm.id for fm in model.failure_modes.values() if fm.failure_mode == "severity and detection"
    )
    assert (records["high rated"]["rpn"], records["high rated"]["ap"]) == (504, "H")


# ---- revised scores: shown beside, never used to rank ------------------------------------------


def revised_model() -> Model:
    model = Model()
    api = model.add_component("Api").id
    # RPN 504 H, revised to 9 x 2 x 2 = 36, AP L (S 9-10, O 2-3: HMLL, D 2-4 -> L)
    model.add_failure_mode(
        api, failure_mode="mitigated", severity=9, likelihood=8, detection=7, revised=(9, 2, 2)
    )
    model.add_failure_mode(api, failure_mode="open", severity=3, likelihood=10, detection=10)
    return model


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_revised_scores_do_not_change_the_rank(by):
    # By its revised scores (36, L) "mitigated" would rank below "open" (300, M).
    assert order(revised_model(), by) == [("Api", "mitigated"), ("Api", "open")]


def test_records_carry_revised_scores_or_nulls_without_them():
    records = {
        r.failure_mode.failure_mode: r.as_record() for r in rank_failure_modes(revised_model())
    }
    mitigated, still_open = records["mitigated"], records["open"]
    assert (mitigated["rpn"], mitigated["ap"]) == (504, "H")
    assert (
        mitigated["revised_severity"],
        mitigated["revised_likelihood"],
        mitigated["revised_detection"],
    ) == (9, 2, 2)
    assert (mitigated["revised_rpn"], mitigated["revised_ap"]) == (36, "L")
    revised_keys = [key for key in still_open if key.startswith("revised_")]
    assert len(revised_keys) == 5
    assert all(still_open[key] is None for key in revised_keys)


# ---- the documented order, spelled out, against the packed keys ----------------------------------


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


# ---- properties over random models ---------------------------------------------------------------

rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "B", "c"]), st.text("xyXY", max_size=3), scores, scores, scores
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows)
def test_by_rpn_rated_come_first_with_rpn_never_rising(rows):
    ranked = rank_failure_modes(build(rows), RankBy.RPN)
    rated = [r.failure_mode.rpn for r in ranked if r.failure_mode.is_rated]
    assert [r.failure_mode.is_rated for r in ranked] == [True] * len(rated) + [False] * (
        len(ranked) - len(rated)
    )
    assert rated == sorted(rated, reverse=True)
    assert [r.rank for r in ranked] == list(range(1, len(rows) + 1))


@settings(max_examples=60, deadline=None)
@given(rows=rows)
def test_by_ap_rated_come_first_with_priority_then_severity_never_rising(rows):
    ranked = rank_failure_modes(build(rows), RankBy.AP)
    rated = [r.failure_mode for r in ranked if r.failure_mode.is_rated]
    assert [r.failure_mode.is_rated for r in ranked] == [True] * len(rated) + [False] * (
        len(ranked) - len(rated)
    )
    keys = [(fm.ap.order, -(fm.severity or 0), -(fm.rpn or 0)) for fm in rated if fm.ap]
    assert len(keys) == len(rated)
    assert keys == sorted(keys)
    assert len({r.failure_mode.id for r in ranked}) == len(rows)
