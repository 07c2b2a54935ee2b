"""The span -> dependency rules, format-independent (analysis/topology.py)."""

from __future__ import annotations

import pytest

from fma_app.analysis.topology import (
    LATENCY_SAMPLES,
    SpanKind,
    TopologyBuilder,
    describe_peer,
)
from fma_app.domain.model import ComponentKind, Strength

MS = 1_000_000


def calls(topology) -> dict[tuple[str, str], int]:
    return {(d.source, d.target): d.observed.calls for d in topology.dependencies}


def test_a_client_span_pairs_with_the_server_span_that_names_it_as_parent():
    builder = TopologyBuilder()
    builder.add_span("t1", "c1", "root", "web", SpanKind.CLIENT, 0, 10 * MS, False)
    builder.add_span("t1", "s1", "c1", "api", SpanKind.SERVER, 1 * MS, 9 * MS, False)
    builder.add_span("t2", "s2", "c1", "other", SpanKind.SERVER, 0, 1, False)  # other trace
    topology = builder.finish()
    assert calls(topology) == {("web", "api"): 1}
    assert topology.dependencies[0].observed.p50_ms == 10.0  # the client's latency
    assert topology.unpaired_client_spans == 0


def test_the_server_span_may_come_first():
    builder = TopologyBuilder()
    builder.add_span("t1", "s1", "c1", "api", SpanKind.SERVER, 1 * MS, 9 * MS, True)
    builder.add_span("t1", "c1", "", "web", SpanKind.CLIENT, 0, 10 * MS, False)
    (dependency,) = builder.finish().dependencies
    assert (dependency.source, dependency.target, dependency.observed.errors) == ("web", "api", 1)


def test_a_root_server_span_is_an_entry_point_and_a_child_server_span_is_not():
    builder = TopologyBuilder()
    builder.add_span("t1", "s1", "", "web", SpanKind.SERVER, 0, 1, False)
    builder.add_span("t1", "s2", "x", "api", SpanKind.SERVER, 0, 1, False)
    assert builder.finish().entry_points == ("web",)


@pytest.mark.parametrize(
    ("attributes", "remote", "expected"),
    [
        ({"db.system.name": "postgresql", "db.namespace": "orders"}, "", ("orders", "database")),
        ({"db.system": "mysql", "db.name": "users"}, "", ("users", "database")),
        ({"db.system": "postgresql", "server.address": "pg-1"}, "", ("pg-1", "database")),
        ({"db.system": "redis", "net.peer.name": "cache-1"}, "", ("cache-1", "cache")),
        ({"db.system.name": "mongodb"}, "", ("mongodb", "database")),
        ({"peer.service": "stripe"}, "", ("stripe", "external")),
        ({"server.address": "api.example.com"}, "", ("api.example.com", "external")),
        ({"net.peer.name": "legacy-host"}, "", ("legacy-host", "external")),
        ({}, "billing", ("billing", "external")),
        ({}, "mysql", ("mysql", "database")),
        ({"sql.query": "select 1"}, "app_db", ("app_db", "database")),
        ({"messaging.system": "kafka", "messaging.destination.name": "orders"}, "",
         ("orders (kafka)", "queue")),
        ({"messaging.system": "rabbitmq", "messaging.destination": "jobs"}, "",
         ("jobs (rabbitmq)", "queue")),
        ({"kafka.topic": "events"}, "kafka", ("events (kafka)", "queue")),
        ({}, "rabbitmq", ("rabbitmq", "queue")),
    ],
)  # fmt: skip
def test_peers_by_current_and_older_semantic_conventions(attributes, remote, expected):
    peer = describe_peer(attributes, remote)
    assert peer is not None
    assert (peer.name, peer.kind.value) == expected


def test_nothing_to_name_a_peer():
    assert describe_peer({"http.method": "GET"}) is None


def test_an_unanswered_client_span_goes_to_its_peer_or_is_counted_unpaired():
    builder = TopologyBuilder()
    peer = describe_peer({"db.system.name": "postgresql", "db.namespace": "orders"})
    builder.add_span("t", "c1", "", "api", SpanKind.CLIENT, 0, 2 * MS, False, peer)
    builder.add_span("t", "c2", "", "api", SpanKind.CLIENT, 0, 2 * MS, False, None)
    topology = builder.finish()
    assert calls(topology) == {("api", "orders"): 1}
    assert {c.name: c.kind for c in topology.components} == {
        "api": ComponentKind.SERVICE, "orders": ComponentKind.DATABASE,
    }  # fmt: skip
    assert topology.unpaired_client_spans == 1


def test_an_answered_client_span_goes_to_the_instrumented_server_not_the_peer():
    builder = TopologyBuilder()
    peer = describe_peer({"peer.service": "payments-lb"})
    builder.add_span("t", "c1", "", "api", SpanKind.CLIENT, 0, 2 * MS, False, peer)
    builder.add_span("t", "s1", "c1", "payments", SpanKind.SERVER, 0, 1 * MS, False)
    assert calls(builder.finish()) == {("api", "payments"): 1}


def test_producer_and_consumer_both_depend_weakly_on_the_broker():
    builder = TopologyBuilder()
    topic = describe_peer({"messaging.system": "kafka", "messaging.destination.name": "orders"})
    builder.add_span("t", "p1", "", "checkout", SpanKind.PRODUCER, 0, MS, False, topic)
    builder.add_span("t", "k1", "p1", "shipping", SpanKind.CONSUMER, 0, MS, True, topic)
    topology = builder.finish()
    assert {(d.source, d.target): (d.strength, d.observed.errors)
            for d in topology.dependencies} == {
        ("checkout", "orders (kafka)"): (Strength.WEAK, 0),
        ("shipping", "orders (kafka)"): (Strength.WEAK, 1),
    }  # fmt: skip
    assert ("checkout", "shipping") not in calls(topology)
    assert topology.entry_points == ()  # a consumer span is not a root server span


def test_a_service_that_emitted_spans_stays_a_service_whatever_callers_guessed():
    builder = TopologyBuilder()
    peer = describe_peer({"peer.service": "billing"})
    builder.add_span("t", "c1", "", "api", SpanKind.CLIENT, 0, MS, False, peer)
    builder.add_span("t", "s9", "", "billing", SpanKind.SERVER, 0, MS, False)
    kinds = {c.name: c.kind for c in builder.finish().components}
    assert kinds["billing"] == ComponentKind.SERVICE


def test_percentiles_are_nearest_rank_of_the_client_latencies():
    builder = TopologyBuilder()
    for i in range(1, 101):  # 1..100 ms
        builder.add_span("t", f"c{i}", "", "a", SpanKind.CLIENT, 0, i * MS, i == 7)
        builder.add_span("t", f"s{i}", f"c{i}", "b", SpanKind.SERVER, 0, 1, False)
    observed = builder.finish().dependencies[0].observed
    assert (observed.calls, observed.errors, observed.p50_ms, observed.p99_ms) == (100, 1, 50, 99)


def test_latency_memory_is_bounded_by_a_reservoir():
    builder = TopologyBuilder()
    for i in range(LATENCY_SAMPLES * 2):
        builder.add_span("t", f"c{i}", "", "a", SpanKind.CLIENT, 0, MS, False)
        builder.add_span("t", f"s{i}", f"c{i}", "b", SpanKind.SERVER, 0, 1, False)
    edge = builder._edges[("a", "b")]
    assert len(edge.latencies_ns) == LATENCY_SAMPLES
    assert edge.calls == LATENCY_SAMPLES * 2


def test_spans_waiting_for_a_partner_are_bounded():
    builder = TopologyBuilder(max_pending=10)
    peer = describe_peer({"peer.service": "far"})
    for i in range(100):
        builder.add_span("t", f"c{i}", "", "a", SpanKind.CLIENT, 0, MS, False, peer)
        builder.add_span("t", f"s{i}", f"never{i}", "b", SpanKind.SERVER, 0, MS, False)
        assert len(builder._clients) <= 10
        assert len(builder._servers) <= 10
    # The clients that gave up waiting still count, as calls to their peer.
    assert calls(builder.finish())[("a", "far")] == 100


def test_a_call_to_itself_is_no_dependency():
    builder = TopologyBuilder()
    builder.add_span("t", "c1", "", "a", SpanKind.CLIENT, 0, MS, False)
    builder.add_span("t", "s1", "c1", "a", SpanKind.SERVER, 0, MS, False)
    assert builder.finish().dependencies == ()
