"""Blast radius, single points of failure and strong cycles on graphs whose answer is known by hand.

Every graph is drawn in the diagram language of conftest.py ("a -> b": a depends strongly on b).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.analysis.graph import DependencyGraph
from fma_app.analysis.impact import (
    blast_radius,
    names,
    propagate,
    single_points_of_failure,
    strong_cycle_groups,
    strong_cycles,
)
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model, Strength


def radius(model: Model, failed: str) -> tuple[set[str], set[str], set[str]]:
    """(down, degraded, entry points lost) as sets of names."""
    result = blast_radius(model, model.component_by_name(failed).id)
    assert result.failed == model.component_by_name(failed).id

    def as_names(ids):
        return {model.components[i].name for i in ids}

    return as_names(result.down), as_names(result.degraded), as_names(result.entry_points_lost)


def spofs(model: Model) -> list[tuple[str, list[str], bool]]:
    return [
        (model.components[s.component_id].name, names(model, s.entry_points), s.has_failure_modes)
        for s in single_points_of_failure(model)
    ]


# ---- blast radius -----------------------------------------------------------------------------
def test_chain_goes_down_to_the_top_and_loses_the_entry_point(build):
    model = build("*web -> api\napi -> db")
    assert radius(model, "db") == ({"db", "api", "web"}, set(), {"web"})
    assert radius(model, "api") == ({"api", "web"}, set(), {"web"})
    assert radius(model, "web") == ({"web"}, set(), {"web"})


def test_diamond_goes_down_through_both_sides_and_a_side_only_through_itself(build):
    model = build("app -> left\napp -> right\nleft -> db\nright -> db")
    assert radius(model, "db") == ({"db", "left", "right", "app"}, set(), set())
    assert radius(model, "left") == ({"left", "app"}, set(), set())


def test_weak_dependency_degrades_and_does_not_spread(build):
    model = build("*mobile -> web\nweb ~> search\nsearch -> index")
    assert radius(model, "index") == ({"index", "search"}, {"web"}, set())
    assert radius(model, "search") == ({"search"}, {"web"}, set())


def test_degraded_and_down_at_once_counts_as_down(build):
    model = build("web ~> cache\nweb -> cache-host\ncache -> cache-host")
    assert radius(model, "cache-host") == ({"cache-host", "cache", "web"}, set(), set())


def test_redundancy_group_is_down_only_when_every_member_is_down(build):
    model = build(
        """
        *shop -> checkout
        checkout -> pay-a [pay]
        checkout -> pay-b [pay]
        pay-a -> vault
        pay-b -> vault
        pay-a -> region-a
        """
    )
    assert radius(model, "pay-a") == ({"pay-a"}, {"checkout"}, set())
    assert radius(model, "region-a") == ({"region-a", "pay-a"}, {"checkout"}, set())
    assert radius(model, "vault") == (
        {"vault", "pay-a", "pay-b", "checkout", "shop"},
        set(),
        {"shop"},
    )


def test_group_with_one_strong_member_is_strong(build):
    model = build("app -> primary [db]\napp ~> replica [db]\nprimary -> disk\nreplica -> disk")
    assert radius(model, "disk") == ({"disk", "primary", "replica", "app"}, set(), set())


def test_weak_group_only_degrades_even_when_all_members_are_down(build):
    model = build("app ~> cdn-a [cdn]\napp ~> cdn-b [cdn]\ncdn-a -> dns\ncdn-b -> dns")
    assert radius(model, "dns") == ({"dns", "cdn-a", "cdn-b"}, {"app"}, set())
    assert radius(model, "cdn-a") == ({"cdn-a"}, {"app"}, set())


def test_groups_of_one_source_are_separate(build):
    model = build("app -> db-a [db]\napp -> db-b [db]\napp -> mq-a [mq]\napp -> mq-b [mq]")
    assert radius(model, "db-a") == ({"db-a"}, {"app"}, set())
    with_shared = build(
        "app -> db-a [db]\napp -> db-b [db]\napp -> mq-a [mq]\napp -> mq-b [mq]\n"
        "db-a -> rack\nmq-a -> rack"
    )
    # rack takes one member of each group: both groups lose redundancy, neither is fully down
    assert radius(with_shared, "rack") == ({"rack", "db-a", "mq-a"}, {"app"}, set())


def test_same_group_name_on_different_sources_is_not_shared(build):
    model = build("a -> x [g]\na -> y [g]\nb -> x [g]\nb -> z [g]\nx -> host\ny -> host")
    assert radius(model, "host") == ({"host", "x", "y", "a"}, {"b"}, set())


def test_strong_cycle_goes_down_together_and_terminates(build):
    model = build("a -> b\nb -> c\nc -> a\n*top -> a\nc -> leaf")
    assert radius(model, "leaf") == ({"leaf", "a", "b", "c", "top"}, set(), {"top"})
    assert radius(model, "b") == ({"a", "b", "c", "top"}, set(), {"top"})


def test_cycle_closed_by_a_weak_edge(build):
    model = build("a -> b\nb ~> a")
    assert radius(model, "b") == ({"a", "b"}, set(), set())
    assert radius(model, "a") == ({"a"}, {"b"}, set())


def test_mutual_redundancy_through_a_cycle_is_the_least_fixed_point(build):
    # a needs b or x; b needs a or y. Losing x leaves a running on b and b running on y:
    # "a down because b down because a down" must not be concluded.
    model = build("*e -> a\na -> b [g]\na -> x [g]\nb -> a [h]\nb -> y [h]")
    assert radius(model, "x") == ({"x"}, {"a"}, set())
    assert radius(model, "a") == ({"a", "e"}, {"b"}, {"e"})


def test_disconnected_parts_do_not_see_each_other(build):
    model = build("*web -> db\n*admin -> ledger\nlonely")
    assert radius(model, "db") == ({"db", "web"}, set(), {"web"})
    assert radius(model, "lonely") == ({"lonely"}, set(), set())


def test_prebuilt_graph_gives_the_same_answer(build):
    model = build("*web -> api\napi ~> cache\napi -> db [d]\napi -> db2 [d]\ndb -> disk")
    graph = DependencyGraph(model)
    for cid in model.components:
        assert blast_radius(model, cid, graph=graph) == blast_radius(model, cid)


def test_unknown_component_is_refused(build):
    model = build("a -> b")
    with pytest.raises(ModelError, match="there is no component with id 999"):
        blast_radius(model, 999)


# ---- single points of failure -----------------------------------------------------------------
def test_spofs_of_a_chain_with_two_entry_points(build):
    model = build("*web -> api\napi -> db\n*admin -> db")
    assert spofs(model) == [("api", ["web"], False), ("db", ["admin", "web"], False)]


def test_entry_point_alone_is_not_a_spof_but_one_needed_by_another_is(build):
    model = build("*mobile -> web\n*web -> api\n*alone")
    assert spofs(model) == [("api", ["mobile", "web"], False), ("web", ["mobile", "web"], False)]


def test_redundant_members_are_not_spofs_but_what_they_share_is(build):
    model = build("*shop -> pay-a [pay]\n*shop -> pay-b [pay]\npay-a -> vault\npay-b -> vault")
    assert spofs(model) == [("vault", ["shop"], False)]


def test_weak_dependencies_make_no_spof(build):
    model = build("*web ~> search\nsearch -> index")
    assert spofs(model) == []


def test_spof_flags_whether_failure_modes_are_recorded(build):
    model = build("*web -> api\napi -> db")
    model.add_failure_mode(model.component_by_name("db").id, failure_mode="Disk full")
    assert spofs(model) == [("api", ["web"], False), ("db", ["web"], True)]


def test_spofs_are_sorted_by_name_ignoring_case(build):
    model = build("*web -> Zeta\n*web -> alpha\n*web -> Beta")
    assert [name for name, _, _ in spofs(model)] == ["alpha", "Beta", "Zeta"]


def test_spofs_in_a_cycle_and_the_least_fixed_point(build):
    assert spofs(build("*web -> a\na -> b\nb -> web")) == [
        ("a", ["web"], False),
        ("b", ["web"], False),
    ]
    mutual = build("*e -> a\na -> b [g]\na -> x [g]\nb -> a [h]\nb -> y [h]")
    assert spofs(mutual) == [("a", ["e"], False)]


def test_no_entry_points_means_no_spofs(build):
    assert single_points_of_failure(build("a -> b\nb -> c")) == []


# ---- k of n redundancy groups -----------------------------------------------------------------
TWO_OF_THREE = """
*shop -> r1 [regions]
*shop -> r2 [regions]
*shop -> r3 [regions/2]
"""


def test_a_two_of_three_group_survives_one_member_and_only_degrades(build):
    model = build(TWO_OF_THREE)
    assert radius(model, "r1") == ({"r1"}, {"shop"}, set())


def test_a_two_of_three_group_goes_down_with_two_members_down(build):
    model = build(TWO_OF_THREE + "r1 -> zone\nr2 -> zone")
    assert radius(model, "zone") == ({"zone", "r1", "r2", "shop"}, set(), {"shop"})
    # with any one of three, the same shared zone leaves r3 to carry the load
    any_of = build(TWO_OF_THREE.replace("[regions/2]", "[regions]") + "r1 -> zone\nr2 -> zone")
    assert radius(any_of, "zone") == ({"zone", "r1", "r2"}, {"shop"}, set())


def test_a_group_that_needs_every_member_makes_each_member_a_spof(build):
    model = build("*shop -> a [pair/2]\n*shop -> b [pair]\n*shop -> c")
    assert radius(model, "a") == ({"a", "shop"}, set(), {"shop"})
    assert spofs(model) == [
        ("a", ["shop"], False), ("b", ["shop"], False), ("c", ["shop"], False)
    ]  # fmt: skip
    any_of = build("*shop -> a [pair]\n*shop -> b [pair]\n*shop -> c")
    assert spofs(any_of) == [("c", ["shop"], False)]


def test_a_shared_dependency_below_two_of_three_is_a_spof_and_one_member_is_not(build):
    model = build(TWO_OF_THREE + "r1 -> zone\nr2 -> zone\nr3 -> other")
    assert spofs(model) == [("zone", ["shop"], False)]


def test_a_group_that_lost_a_member_needs_at_most_what_it_has(build):
    model = build("*shop -> a [pair]\n*shop -> b [pair/3]")
    assert model.needs_of(model.component_by_name("shop").id, "pair") == 2
    assert radius(model, "a") == ({"a", "shop"}, set(), {"shop"})


# ---- the fast SPOF pass agrees with a blast radius per component, on any graph ----------------
@st.composite
def random_models(draw) -> Model:
    count = draw(st.integers(1, 8))
    model = Model()
    for index in range(count):
        model.add_component(f"c{index}", user_facing=draw(st.booleans()))
    pairs = [(s, t) for s in range(1, count + 1) for t in range(1, count + 1) if s != t]
    for source, target in draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []:
        strength = draw(st.sampled_from(list(Strength)))
        model.add_dependency(
            source, target, strength, group=draw(st.sampled_from(["", "", "g", "h"]))
        )
    for source, group in sorted({(d.source_id, d.group) for d in model.dependencies.values()}):
        members = len(model.group_members(source, group))
        if members > 1:  # k of n, k from 1 (any one) to n (every member)
            model.group_needs[(source, group)] = draw(st.integers(1, members))
    return model


def reference_radius(model: Model, failed: int) -> tuple[set[int], set[int]]:
    """The rules restated as a plain fixed point over the model (no graph index, no queue)."""
    down, changed = {failed}, True
    while changed:
        changed = False
        for cid in set(model.components) - down:
            deps = [d for d in model.dependencies.values() if d.source_id == cid]
            groups = {d.group for d in deps if d.group}
            single = any(
                not d.group and d.strength == "strong" and d.target_id in down for d in deps
            )
            grouped = any(
                any(d.strength == "strong" for d in deps if d.group == g)
                and sum(d.target_id not in down for d in deps if d.group == g)
                < model.needs_of(cid, g)
                for g in groups
            )
            if single or grouped:
                down.add(cid)
                changed = True
    degraded = {d.source_id for d in model.dependencies.values() if d.target_id in down} - down
    return down, degraded


@settings(max_examples=300, deadline=None)
@given(random_models())
def test_blast_radius_and_spofs_match_the_rules_on_random_graphs(model):
    graph = DependencyGraph(model)
    expected_spofs = {}
    for cid in model.components:
        result = propagate(graph, cid)
        assert (set(result.down), set(result.degraded)) == reference_radius(model, cid)
        if result.entry_points_lost - {cid}:
            expected_spofs[cid] = result.entry_points_lost
    found = {s.component_id: s.entry_points for s in single_points_of_failure(model)}
    assert found == expected_spofs


# ---- strong cycles ----------------------------------------------------------------------------
def test_strong_cycles_start_at_the_smallest_name_and_skip_weak_ones(build):
    model = build("c -> a\na -> b\nb -> c\nx -> y\ny ~> x\nd -> a")
    assert [names_in_order(model, c) for c in strong_cycles(model)] == [["a", "b", "c"]]


def test_overlapping_cycles_are_each_reported_shortest_first(build):
    model = build("a -> b\nb -> a\nb -> c\nc -> d\nd -> b")
    cycles = [names_in_order(model, c) for c in strong_cycles(model)]
    assert cycles == [["a", "b"], ["b", "c", "d"]]
    assert [names(model, g) for g in strong_cycle_groups(model)] == [["a", "b", "c", "d"]]


def test_cycle_listing_is_capped_but_groups_are_complete(build):
    model = build("a -> b\nb -> a\nc -> d\nd -> c\ne -> f\nf -> e")
    assert len(strong_cycles(model, limit=2)) == 2
    assert len(strong_cycles(model)) == 3
    assert [names(model, g) for g in strong_cycle_groups(model)] == [
        ["a", "b"],
        ["c", "d"],
        ["e", "f"],
    ]


def test_acyclic_model_has_no_strong_cycles(build):
    model = build("a -> b\nb -> c\na -> c\nc ~> a")
    assert strong_cycles(model) == []
    assert strong_cycle_groups(model) == []


def names_in_order(model: Model, cycle: list[int]) -> list[str]:
    return [model.components[cid].name for cid in cycle]
