"""Merging an observed topology into a model people have worked on (analysis/trace_merge.py)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from benchmarks.generate_traces import shop_otlp
from fma_app.analysis.layout import COLUMN_PITCH
from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.analysis.topology import ObservedTopology, SpanKind, TopologyBuilder, describe_peer
from fma_app.analysis.trace_merge import merge_command, new_model_from, plan_merge
from fma_app.domain.model import ComponentKind, Model, ObservedCalls, Strength
from fma_app.reports.traces import read_trace_files

MS = 1_000_000


def worked_on_model() -> Model:
    """What a team typed: their own names, an alias, a strength they chose, failure modes."""
    model = Model(name="Shop")
    gateway = model.add_component("Storefront", user_facing=True, x=0, y=0,
                                  aliases=["frontend"], owner="web team")  # fmt: skip
    checkout = model.add_component("CHECKOUT", x=COLUMN_PITCH, y=0, description="typed by hand")
    payments = model.add_component("Payments", x=2 * COLUMN_PITCH, y=0)
    hsm = model.add_component("HSM", kind="host", x=3 * COLUMN_PITCH, y=0)
    model.add_dependency(gateway.id, checkout.id, "weak", description="we degrade", group="")
    model.add_dependency(payments.id, hsm.id, "strong")
    model.add_failure_mode(checkout.id, failure_mode="Timeout", severity=7, likelihood=4,
                           detection=3)  # fmt: skip
    model.add_failure_mode(payments.id, failure_mode="Declines", severity=9, likelihood=2,
                           detection=5)  # fmt: skip
    model.add_failure_mode(gateway.id, failure_mode="TLS expiry", severity=8)
    return model


@pytest.fixture(scope="module")
def shop_topology(tmp_path_factory) -> ObservedTopology:
    import json

    path = tmp_path_factory.mktemp("shop") / "shop.json"
    path.write_text(json.dumps(shop_otlp(requests=10)))
    return read_trace_files([path]).topology


def without_observed(model: Model) -> dict:
    content = model.content()
    content["dependencies"] = [dataclasses.replace(d, observed=None)
                               for d in content["dependencies"]]  # fmt: skip
    return content


def test_matches_by_name_case_insensitively_and_by_alias(shop_topology):
    plan = plan_merge(worked_on_model(), shop_topology)
    assert dict(plan.matched) == {"frontend": "Storefront", "checkout": "CHECKOUT",
                                  "payments": "Payments"}  # fmt: skip
    assert {c.name for c in plan.components_added} == {
        "shipping",
        "orders",
        "orders (kafka)",
        "sessions-cache",
        "card-gateway",
    }
    assert plan.entry_point_candidates == ("Storefront",)


def test_the_plan_lists_additions_replaced_statistics_and_what_was_not_seen(shop_topology):
    plan = plan_merge(worked_on_model(), shop_topology)
    added = {(d.source, d.target) for d in plan.dependencies_added}
    assert ("CHECKOUT", "Payments") in added
    assert ("Storefront", "CHECKOUT") not in added  # the model has it: statistics only
    assert [(u.source, u.target) for u in plan.statistics_updated] == [("Storefront", "CHECKOUT")]
    assert [(u.source, u.target) for u in plan.dependencies_not_seen] == [("Payments", "HSM")]
    # Seen in the traces with nothing analysed: the new ones, and none of the rated three.
    assert set(plan.components_without_failure_modes) == {c.name for c in plan.components_added}


def test_applying_changes_nothing_a_person_entered_and_keeps_every_rank(shop_topology):
    model = worked_on_model()
    before = copy.deepcopy(model)
    ranks = [(r.failure_mode.id, r.rank) for r in rank_failure_modes(model, RankBy.RPN)]
    ap_ranks = [r.failure_mode.id for r in rank_failure_modes(model, RankBy.AP)]
    merge_command(model, plan_merge(model, shop_topology)).do(model)
    for component_id, old in before.components.items():
        assert model.components[component_id] == old
    for dependency_id, old in before.dependencies.items():
        new = model.dependencies[dependency_id]
        assert dataclasses.replace(new, observed=None) == old  # strength "weak" kept
    assert model.failure_modes == before.failure_modes
    assert model.actions == before.actions
    hsm = model.component_by_name("HSM")
    (unseen,) = [d for d in model.dependencies.values() if d.target_id == hsm.id]
    assert unseen.observed is None  # Payments -> HSM: not seen, kept as it was
    assert [(r.failure_mode.id, r.rank) for r in rank_failure_modes(model, RankBy.RPN)] == ranks
    assert [r.failure_mode.id for r in rank_failure_modes(model, RankBy.AP)] == ap_ranks


def test_the_merge_is_one_undo_step(shop_topology):
    model = worked_on_model()
    before = copy.deepcopy(model).content()
    command = merge_command(model, plan_merge(model, shop_topology))
    command.do(model)
    assert model.content() != before
    command.undo(model)
    assert model.content() == before
    command.do(model)  # redo gives the same ids again
    assert plan_merge(model, shop_topology).changes_nothing


def test_reimporting_the_same_traces_plans_nothing(shop_topology):
    model = worked_on_model()
    merge_command(model, plan_merge(model, shop_topology)).do(model)
    snapshot = copy.deepcopy(model.content())
    again = plan_merge(model, shop_topology)
    assert again.changes_nothing
    merge_command(model, again).do(model)
    assert model.content() == snapshot


def test_new_statistics_replace_only_the_observed_part():
    model = worked_on_model()
    builder = TopologyBuilder()
    builder.add_dependency("frontend", "checkout", 5, 1)
    merge_command(model, plan_merge(model, builder.finish())).do(model)
    edge = next(d for d in model.dependencies.values() if d.description == "we degrade")
    assert edge.observed == ObservedCalls(5, 1)
    assert edge.strength == Strength.WEAK
    builder = TopologyBuilder()
    builder.add_dependency("FRONTEND", "Checkout", 9, None)
    merge_command(model, plan_merge(model, builder.finish())).do(model)
    assert edge.observed == ObservedCalls(9, None)


def test_new_components_stand_beside_their_neighbours():
    model = worked_on_model()
    builder = TopologyBuilder()
    peer = describe_peer({"db.system.name": "postgresql", "db.namespace": "ledger"})
    builder.add_span("t", "c1", "", "payments", SpanKind.CLIENT, 0, MS, False, peer)
    builder.add_span("t", "c2", "", "newcomer", SpanKind.CLIENT, 0, MS, False)
    builder.add_span("t", "s2", "c2", "checkout", SpanKind.SERVER, 0, MS, False)
    merge_command(model, plan_merge(model, builder.finish())).do(model)
    by_name = {c.name: c for c in model.components.values()}
    payments, checkout = by_name["Payments"], by_name["CHECKOUT"]
    ledger, newcomer = by_name["ledger"], by_name["newcomer"]
    assert ledger.kind == ComponentKind.DATABASE
    # A dependency one column right of its dependant, a dependant one column left.
    assert abs(ledger.x - (payments.x + COLUMN_PITCH)) <= COLUMN_PITCH
    assert abs(newcomer.x - (checkout.x - COLUMN_PITCH)) <= COLUMN_PITCH
    positions = [(c.x, c.y) for c in model.components.values()]
    assert len(set(positions)) == len(positions)  # nobody stacked on anybody


def test_accepting_only_some_of_the_plan():
    model = worked_on_model()
    builder = TopologyBuilder()
    builder.add_dependency("checkout", "fraud", 3, 0)
    builder.add_dependency("fraud", "rules", 3, 0)
    plan = plan_merge(model, builder.finish())
    merge_command(model, plan, accept_components={"fraud"}).do(model)
    names = {c.name for c in model.components.values()}
    assert "fraud" in names
    assert "rules" not in names  # not accepted, nor the dependency on it
    assert len(model.dependencies) == 3


def test_a_new_model_marks_entry_points_and_lays_everything_out(shop_topology):
    model = new_model_from(shop_topology, "Shop")
    by_name = {c.name: c for c in model.components.values()}
    assert by_name["frontend"].user_facing
    assert not by_name["checkout"].user_facing
    assert len(model.dependencies) == len(shop_topology.dependencies)
    positions = [(c.x, c.y) for c in model.components.values()]
    assert len(set(positions)) == len(positions)
