"""Availability of entry points: hand-checked cases from issue 13, and the exact method against
brute-force enumeration of every up/down state on random graphs.

Graphs are drawn in the diagram language of conftest.py ("a -> b [g/2]": a needs 2 of group g).
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.analysis.availability import (
    AvailabilityAnalysis,
    EntryPointAvailability,
    entry_point_availability,
)
from fma_app.analysis.impact import strong_cycle_groups
from fma_app.domain.model import Model, Strength


def with_availability(model: Model, **figures: float | None) -> Model:
    """Set the named components' own availabilities (others stay unknown)."""
    for name, figure in figures.items():
        component = model.component_by_name(name)
        assert component is not None, name
        component.availability = figure
    return model


def only(model: Model, **options) -> EntryPointAvailability:
    (result,) = entry_point_availability(model, **options)
    return result


def name_of(model: Model, cid: int) -> str:
    return model.components[cid].name


# ---- hand-checked cases ----------------------------------------------------------------------
def test_services_in_series_multiply(build):
    model = with_availability(build("*api -> auth\nauth -> db"), api=0.999, auth=0.9995, db=0.9999)
    result = only(model)
    assert result.availability == pytest.approx(0.999 * 0.9995 * 0.9999, abs=1e-15)
    assert result.unknown_components == ()
    assert result.method == "exact"


def test_two_redundant_members_fail_together_only(build):
    model = with_availability(build("*shop -> a [pay]\n*shop -> b [pay]"), shop=1, a=0.99, b=0.99)
    assert only(model).availability == pytest.approx(1 - 0.01**2, abs=1e-15)  # 99.99 %


def test_two_regions_sharing_one_database_count_it_once(build):
    model = with_availability(
        build("*shop -> r1 [regions]\n*shop -> r2 [regions]\nr1 -> db\nr2 -> db"),
        shop=1, r1=0.99, r2=0.99, db=0.999,
    )  # fmt: skip
    exact = 0.999 * (1 - 0.01**2)  # the database once, in series with the pair of regions
    counted_twice = 1 - (1 - 0.99 * 0.999) ** 2  # what series-parallel formulas give
    result = only(model)
    assert result.availability == pytest.approx(exact, abs=1e-15)
    assert 1 - counted_twice < (1 - exact) / 5  # it would promise a fifth of the downtime
    gains = {name_of(model, c.component_id): c.gain for c in result.contributors}
    assert list(gains) == ["db", "r1", "r2"]  # the shared database gains most
    assert gains["db"] == pytest.approx((1 - 0.01**2) - exact, abs=1e-15)


def test_two_of_three_at_99_percent_gives_99_9702_percent(build):
    model = with_availability(
        build("*shop -> r1 [regions/2]\n*shop -> r2 [regions]\n*shop -> r3 [regions]"),
        shop=1, r1=0.99, r2=0.99, r3=0.99,
    )  # fmt: skip
    result = only(model)
    assert result.availability == pytest.approx(3 * 0.99**2 - 2 * 0.99**3, abs=1e-15)
    assert round(result.availability * 100, 4) == 99.9702
    # one member that never failed leaves "any one of the other two"
    assert [c.gain for c in result.contributors] == pytest.approx([0.9999 - 0.999702] * 3)


def test_a_weak_dependency_has_no_effect(build):
    model = with_availability(build("*web ~> search\n*web -> api"), web=0.999, search=0.5, api=0.99)
    result = only(model)
    assert result.availability == pytest.approx(0.999 * 0.99, abs=1e-15)
    assert {name_of(model, c.component_id) for c in result.contributors} == {"web", "api"}


def test_a_strong_cycle_is_down_when_any_member_fails(build):
    model = with_availability(build("*e -> a\na -> b\nb -> a"), e=1, a=0.99, b=0.98)
    assert only(model).availability == pytest.approx(0.99 * 0.98, abs=1e-15)


def test_a_cycle_through_a_group_holds_itself_up_as_blast_radius_says(build):
    # a needs b or x; b needs a. With x down and a, b up, no failure reaches a or b: both up.
    model = with_availability(
        build("*e -> a\na -> b [g]\na -> x [g]\nb -> a"), e=1, a=0.9, b=0.8, x=0.7
    )
    assert only(model).availability == pytest.approx(0.9 * (1 - 0.2 * 0.3), abs=1e-15)


def test_unknown_availabilities_count_as_100_percent_and_are_listed(build):
    model = with_availability(build("*api -> cache\ncache -> db\n*api ~> mail"), api=0.999, db=0.99)
    result = only(model)
    assert result.availability == pytest.approx(0.999 * 0.99, abs=1e-15)
    assert [name_of(model, cid) for cid in result.unknown_components] == ["cache"]  # mail: weak


def test_slo_verdict_downtime_and_error_budget(build):
    model = with_availability(build("*api -> db"), api=0.999, db=0.9995)
    api = model.component_by_name("api")
    api.slo, api.slo_window_days = 0.999, 30
    result = only(model)
    availability = 0.999 * 0.9995
    assert result.downtime_minutes == pytest.approx((1 - availability) * 30 * 1440)  # 64.78
    assert result.budget_minutes == pytest.approx(0.001 * 30 * 1440)  # 43.2 minutes
    assert result.budget_consumed == pytest.approx((1 - availability) / 0.001)  # 150 %
    assert result.meets_slo is False
    api.slo = 0.99
    relaxed = only(model, window_days=7)
    assert relaxed.meets_slo is True
    assert relaxed.budget_minutes == pytest.approx(0.01 * 7 * 1440)
    assert relaxed.window_days == 7


def test_no_slo_means_no_verdict_and_no_budget(build):
    result = only(with_availability(build("*api"), api=0.99))
    assert (result.meets_slo, result.budget_minutes, result.budget_consumed) == (None, None, None)
    assert result.downtime_minutes == pytest.approx(0.01 * 30 * 1440)


def test_contributors_rank_by_gain_and_leave_out_components_that_never_fail(build):
    model = with_availability(build("*api -> db\n*api -> cdn"), api=0.999, db=0.9995, cdn=1.0)
    result = only(model)
    ranked = [(name_of(model, c.component_id), c.gain) for c in result.contributors]
    assert [name for name, _ in ranked] == ["api", "db"]
    assert ranked[0][1] == pytest.approx(0.9995 - result.availability, abs=1e-15)
    assert ranked[1][1] == pytest.approx(0.999 - result.availability, abs=1e-15)


def test_entry_points_are_listed_by_name_and_share_what_they_share(build):
    model = with_availability(build("*web -> db\n*Api -> db"), web=0.99, Api=0.98, db=0.9)
    results = entry_point_availability(model)
    assert [name_of(model, r.entry_point) for r in results] == ["Api", "web"]
    assert [r.availability for r in results] == pytest.approx([0.98 * 0.9, 0.99 * 0.9])


def test_out_of_reach_exact_gives_a_sampled_estimate_that_says_so(build):
    model = with_availability(
        build("*shop -> r1 [regions]\n*shop -> r2 [regions]\nr1 -> db\nr2 -> db"),
        shop=0.9, r1=0.8, r2=0.7, db=0.95,
    )  # fmt: skip
    exact = only(model).availability
    sampled = only(model, max_nodes=3, samples=50_000, seed=7)
    assert sampled.method == "sampled"
    assert sampled.samples == 50_000
    assert sampled.contributors == ()
    low, high = sampled.interval
    assert low <= exact <= high
    assert abs(sampled.availability - exact) < 5 * sampled.standard_error
    assert 0 < sampled.standard_error < 0.01


def test_entry_points_that_need_what_did_not_fit_are_sampled_the_others_stay_exact(build):
    model = with_availability(
        build(
            "*a-shop -> r1 [regions]\n*a-shop -> r2 [regions]\nr1 -> db\nr2 -> db\n"
            "*b-shop -> a-shop\n*c-solo"
        ),
        r1=0.8, r2=0.7, db=0.95, **{"a-shop": 0.9, "b-shop": 0.5, "c-solo": 0.99},
    )  # fmt: skip
    exact = {model.components[r.entry_point].name: r for r in entry_point_availability(model)}
    analysis = AvailabilityAnalysis(model, max_nodes=4)  # room for c-solo's one variable only
    assert {model.components[e].name for e in analysis.out_of_reach} == {"a-shop", "b-shop"}
    results = {model.components[r.entry_point].name: r for r in analysis.results(model, seed=2)}
    assert results["c-solo"].method == "exact"
    assert results["c-solo"].availability == pytest.approx(0.99, abs=1e-15)
    for name in ("a-shop", "b-shop"):
        sampled = results[name]
        assert (sampled.method, sampled.samples, sampled.contributors) == ("sampled", 200_000, ())
        low, high = sampled.interval
        assert low <= exact[name].availability <= high
    # one set of sampled states for both: b-shop is up only where a-shop is
    assert results["b-shop"].availability < results["a-shop"].availability


def test_a_sampled_entry_point_that_never_failed_keeps_1_inside_its_interval(build):
    model = with_availability(build("*e -> a [g]\n*e -> b [g]"), e=1.0, a=0.9999, b=0.9999)
    (sampled,) = entry_point_availability(model, max_nodes=2, samples=1000)
    assert sampled.availability == 1.0  # no sample had both members down
    assert sampled.interval[1] == 1.0
    assert 0.99 < sampled.interval[0] < 1.0  # yet the interval says 1,000 samples prove little


def test_what_if_recomputes_without_rebuilding(build):
    model = with_availability(build("*api -> db"), api=0.999, db=0.99)
    analysis = AvailabilityAnalysis(model)
    before = analysis.results(model)[0].availability
    model.component_by_name("db").availability = 0.9999
    after = analysis.results(model)[0].availability
    assert before == pytest.approx(0.999 * 0.99)
    assert after == pytest.approx(0.999 * 0.9999)


def test_k_of_n_after_a_member_left_needs_what_is_left(build):
    model = with_availability(
        build("*s -> a [g/3]\n*s -> b [g]"), s=1, a=0.9, b=0.8
    )  # needs 3 of a group of 2: both
    assert only(model).availability == pytest.approx(0.9 * 0.8, abs=1e-15)


# ---- the exact method against brute force ----------------------------------------------------
def rules(model: Model) -> dict[int, list[tuple[list[int], int]]]:
    """Per component, straight from its dependencies: (targets, how many must be up) for each
    strong dependency outside a group and each strong group (weak ones never take it down)."""
    found: dict[int, list[tuple[list[int], int]]] = {cid: [] for cid in model.components}
    for cid in model.components:
        deps = [d for d in model.dependencies.values() if d.source_id == cid]
        for dep in deps:
            if not dep.group and dep.strength is Strength.STRONG:
                found[cid].append(([dep.target_id], 1))
        for group in {d.group for d in deps if d.group}:
            members = [d for d in deps if d.group == group]
            if any(d.strength is Strength.STRONG for d in members):
                found[cid].append(([d.target_id for d in members], model.needs_of(cid, group)))
    return found


def down_after(needs: dict[int, list[tuple[list[int], int]]], failed: set[int]) -> set[int]:
    """Down spreads from the failed components until nothing changes (least fixed point)."""
    down, changed = set(failed), True
    while changed:
        changed = False
        for cid in set(needs) - down:
            if any(sum(t not in down for t in targets) < k for targets, k in needs[cid]):
                down.add(cid)
                changed = True
    return down


def brute_force(model: Model, own: dict[int, float]) -> dict[int, tuple[float, dict[int, float]]]:
    """Per entry point, by enumerating every up/down state of every component: its availability
    and, per component, the availability it would have if that component never failed."""
    ids = sorted(model.components)
    needs = rules(model)
    entries = [cid for cid in ids if model.components[cid].user_facing]
    terms: dict[int, list[float]] = {e: [] for e in entries}
    perfect_terms: dict[int, dict[int, list[float]]] = {e: {c: [] for c in ids} for e in entries}
    for state in itertools.product((True, False), repeat=len(ids)):
        down = down_after(needs, {cid for cid, up in zip(ids, state, strict=True) if not up})
        factors = [own[c] if up else 1 - own[c] for c, up in zip(ids, state, strict=True)]
        for entry in (e for e in entries if e not in down):
            terms[entry].append(math.prod(factors))
            for index, cid in enumerate(ids):
                if state[index]:  # with cid perfect, this state has cid's factor 1
                    perfect_terms[entry][cid].append(
                        math.prod(factors[:index] + factors[index + 1 :])
                    )
    return {
        entry: (
            math.fsum(terms[entry]),
            {cid: math.fsum(values) for cid, values in perfect_terms[entry].items()},
        )
        for entry in entries
    }


FIGURES = [None, 0.5, 0.9, 0.99, 0.999, 0.95, 0.8, 1.0, 0.0, 0.3]


@st.composite
def random_models(draw) -> Model:
    count = draw(st.integers(1, 12))
    model = Model()
    for index in range(count):
        model.add_component(
            f"c{index}",
            user_facing=draw(st.booleans()),
            availability=draw(st.sampled_from(FIGURES)),
        )
    pairs = [(s, t) for s in range(1, count + 1) for t in range(1, count + 1) if s != t]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3 * count)) if pairs else []
    for source, target in edges:  # any direction: cycles included
        model.add_dependency(
            source,
            target,
            draw(st.sampled_from([Strength.STRONG, Strength.STRONG, Strength.WEAK])),
            group=draw(st.sampled_from(["", "", "g", "h"])),
        )
    for source, group in sorted({(d.source_id, d.group) for d in model.dependencies.values()}):
        members = len(model.group_members(source, group))
        if members > 1:
            model.group_needs[(source, group)] = draw(st.integers(1, members))
    return model


@pytest.mark.slow  # about 6 s
@settings(max_examples=150, deadline=None)
@given(random_models())
def test_exact_availability_and_gains_match_brute_force_enumeration(model):
    assert_matches_brute_force(model)


def twelve_components(seed: int) -> Model:
    """A seeded random graph of exactly 12 components, the largest the enumeration covers:
    about three dependencies each in any direction, groups with k of n, weak edges."""
    rng = random.Random(seed)
    model = Model()
    for index in range(12):
        model.add_component(
            f"c{index}", user_facing=rng.random() < 0.4, availability=rng.choice(FIGURES)
        )
    pairs = rng.sample([(s, t) for s in range(1, 13) for t in range(1, 13) if s != t], 36)
    for source, target in pairs:
        strength = Strength.WEAK if rng.random() < 0.25 else Strength.STRONG
        model.add_dependency(source, target, strength, group=rng.choice(["", "", "g", "h"]))
    for source, group in sorted({(d.source_id, d.group) for d in model.dependencies.values()}):
        members = len(model.group_members(source, group))
        if members > 1:
            model.group_needs[(source, group)] = rng.randint(1, members)
    return model


@pytest.mark.parametrize("seed", range(4))
def test_twelve_component_graphs_match_brute_force_enumeration(seed):
    model = twelve_components(seed)
    assert any(c.user_facing for c in model.components.values())
    assert any(needs > 1 for needs in model.live_group_needs().values())
    assert strong_cycle_groups(model)
    assert_matches_brute_force(model)


def assert_matches_brute_force(model: Model) -> None:
    own = {cid: 1.0 if c.availability is None else c.availability
           for cid, c in model.components.items()}  # fmt: skip
    expected = brute_force(model, own)
    for result in entry_point_availability(model):
        availability, if_perfect = expected[result.entry_point]
        assert result.method == "exact"
        assert abs(result.availability - availability) <= 1e-12
        gains = {c.component_id: c.gain for c in result.contributors}
        for cid in model.components:
            perfect = if_perfect[cid] - availability
            assert abs(gains.get(cid, 0.0) - perfect) <= 1e-12, model.components[cid].name
