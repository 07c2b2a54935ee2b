"""Each trace format, read by content: OTLP JSON written by the real OpenTelemetry SDK (one
object, JSON lines, gzip, zstd), and hand-written Jaeger, Zipkin v2, dependency list and
servicegraph fixtures (tests/reports/fixtures/traces) from their documented formats."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
import zstandard

from benchmarks.generate_traces import json_lines, shop_otlp
from fma_app.domain.model import ComponentKind, Strength
from fma_app.reports.traces import read_trace_files

FIXTURES = Path(__file__).parent / "fixtures" / "traces"

SHOP_DEPENDENCIES = {
    ("frontend", "checkout"): Strength.STRONG,
    ("checkout", "payments"): Strength.STRONG,
    ("checkout", "orders"): Strength.STRONG,  # postgresql, db.namespace (current conventions)
    ("payments", "sessions-cache"): Strength.STRONG,  # redis, net.peer.name (older ones)
    ("payments", "card-gateway"): Strength.STRONG,  # peer.service
    ("checkout", "orders (kafka)"): Strength.WEAK,  # producer -> broker
    ("shipping", "orders (kafka)"): Strength.WEAK,  # consumer -> broker, not checkout -> shipping
}
SHOP_KINDS = {
    "frontend": ComponentKind.SERVICE, "checkout": ComponentKind.SERVICE,
    "payments": ComponentKind.SERVICE, "shipping": ComponentKind.SERVICE,
    "orders": ComponentKind.DATABASE, "sessions-cache": ComponentKind.CACHE,
    "card-gateway": ComponentKind.EXTERNAL, "orders (kafka)": ComponentKind.QUEUE,
}  # fmt: skip


def edges(reading) -> dict[tuple[str, str], object]:
    return {(d.source, d.target): d for d in reading.topology.dependencies}


def kinds(reading) -> dict[str, ComponentKind]:
    return {c.name: c.kind for c in reading.topology.components}


@pytest.fixture(scope="module")
def shop_lines() -> list[str]:
    return list(json_lines(requests=20, per_line=7))


def test_sdk_otlp_object_gives_every_kind_of_component_and_dependency(tmp_path):
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(shop_otlp(requests=20), indent=2))
    reading = read_trace_files([path])
    assert reading.formats == {str(path): "OTLP JSON"}
    assert {ends: d.strength for ends, d in edges(reading).items()} == SHOP_DEPENDENCIES
    assert kinds(reading) == SHOP_KINDS
    assert reading.topology.entry_points == ("frontend",)
    assert reading.topology.spans == 20 * 10


def test_counts_errors_latency_and_period_come_from_the_spans(tmp_path):
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(shop_otlp(requests=20)))
    found = edges(read_trace_files([path]))
    pay = found[("checkout", "payments")].observed
    # Every fifth payment fails on the server side: the call fails.
    assert (pay.calls, pay.errors) == (20, 4)
    # Client latency 55 ms x (1.0 .. 1.9): nearest rank p50 is the 10th of 20, p99 the 20th.
    latencies = sorted(55 * (1 + (i % 10) / 10) for i in range(20))
    assert pay.p50_ms == pytest.approx(latencies[9])
    assert pay.p99_ms == pytest.approx(latencies[19])
    # The first pay call starts after the 3 ms database insert of the first request (at 0.3 ms,
    # then 50 us between calls); the last one ends in the 20th request, 19 s later.
    assert pay.first_seen == dt.datetime(2025, 12, 1, 0, 0, 0, 3_350, tzinfo=dt.UTC)
    assert dt.timedelta(seconds=19) < pay.last_seen - pay.first_seen < dt.timedelta(seconds=20)
    assert found[("shipping", "orders (kafka)")].observed.p50_ms is None  # consumer: no latency


def test_json_lines_plain_gzip_and_zstd_read_the_same(tmp_path, shop_lines):
    text = "\n".join(shop_lines) + "\n"
    plain, gz, zst = tmp_path / "a.jsonl", tmp_path / "b.bin", tmp_path / "c.dat"
    plain.write_text(text)
    gz.write_bytes(gzip.compress(text.encode()))
    zst.write_bytes(zstandard.ZstdCompressor().compress(text.encode()))
    readings = [read_trace_files([path]) for path in (plain, gz, zst)]
    assert [next(iter(r.formats.values())) for r in readings] == ["OTLP JSON lines"] * 3
    assert readings[0].topology == readings[1].topology == readings[2].topology
    assert {ends: d.strength for ends, d in edges(readings[0]).items()} == SHOP_DEPENDENCIES


def test_pairing_does_not_depend_on_the_order_of_the_lines(tmp_path, shop_lines):
    forward, backward = tmp_path / "forward.jsonl", tmp_path / "backward.jsonl"
    forward.write_text("\n".join(shop_lines))
    backward.write_text("\n".join(reversed(shop_lines)))
    assert read_trace_files([forward]).topology == read_trace_files([backward]).topology


def test_client_and_server_spans_pair_across_files(tmp_path, shop_lines):
    half = len(shop_lines) // 2
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    first.write_text("\n".join(shop_lines[:half]))
    second.write_text("\n".join(shop_lines[half:]))
    whole = tmp_path / "whole.jsonl"
    whole.write_text("\n".join(shop_lines))
    assert read_trace_files([second, first]).topology == read_trace_files([whole]).topology


def test_environment_keeps_only_spans_whose_resource_says_so(tmp_path):
    path = FIXTURES / "jaeger_shop.json"
    everything = read_trace_files([path])
    production = read_trace_files([path], environment="production")
    assert "canary" in kinds(everything)
    assert "canary" not in kinds(production)
    assert ("frontend", "checkout") in edges(production)
    assert read_trace_files([path], environment="nowhere").topology.components == ()


def test_since_and_until_keep_spans_that_start_in_the_window(tmp_path):
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(shop_otlp(requests=20)))
    since = dt.datetime(2025, 12, 1, 0, 0, 5, tzinfo=dt.UTC)
    until = dt.datetime(2025, 12, 1, 0, 0, 10, tzinfo=dt.UTC)
    window = read_trace_files([path], since=since, until=until).topology
    assert edges_calls(window)[("frontend", "checkout")] == 5  # requests 5..9
    assert window.observed_from >= since
    assert window.observed_to < until + dt.timedelta(seconds=1)


def edges_calls(topology) -> dict[tuple[str, str], int]:
    return {(d.source, d.target): d.observed.calls for d in topology.dependencies}


def test_jaeger_trace_json():
    reading = read_trace_files([FIXTURES / "jaeger_shop.json"])
    assert next(iter(reading.formats.values())) == "Jaeger JSON"
    found = edges(reading)
    assert set(found) == {("frontend", "checkout"), ("checkout", "orders"),
                          ("checkout", "orders (rabbitmq)")}  # fmt: skip
    call = found[("frontend", "checkout")].observed
    assert (call.calls, call.errors, call.p50_ms) == (1, 1, 80.0)  # error=true on the server
    assert found[("checkout", "orders")].observed.errors == 1  # otel.status_code=ERROR
    assert found[("checkout", "orders (rabbitmq)")].strength == Strength.WEAK
    assert kinds(reading)["orders"] == ComponentKind.DATABASE
    assert reading.topology.entry_points == ("canary", "frontend")


def test_zipkin_v2_pairs_shared_server_spans_by_their_own_id():
    reading = read_trace_files([FIXTURES / "zipkin_shop.json"])
    assert next(iter(reading.formats.values())) == "Zipkin v2 JSON"
    found = edges(reading)
    assert set(found) == {("frontend", "checkout"), ("checkout", "mysql"),
                          ("checkout", "orders (kafka)"), ("shipping", "orders (kafka)"),
                          ("checkout", "card-gateway")}  # fmt: skip
    assert found[("frontend", "checkout")].observed.errors == 1  # the server's error tag
    assert kinds(reading)["mysql"] == ComponentKind.DATABASE  # a query, and a database's name
    assert kinds(reading)["card-gateway"] == ComponentKind.EXTERNAL
    assert reading.topology.entry_points == ("frontend",)


@pytest.mark.parametrize("name", ["dependencies_zipkin.json", "dependencies_jaeger.json"])
def test_dependency_lists_plain_and_wrapped_in_data(name):
    reading = read_trace_files([FIXTURES / name])
    assert next(iter(reading.formats.values())) == "dependency list"
    found = edges(reading)
    assert {ends: d.observed.calls for ends, d in found.items()} == {
        ("frontend", "checkout"): 120, ("checkout", "payments"): 118,
    }  # fmt: skip
    observed = found[("frontend", "checkout")].observed
    assert observed.errors == (6 if "zipkin" in name else None)  # Jaeger's list cannot say
    assert (observed.p50_ms, observed.p99_ms, observed.first_seen) == (None, None, None)
    assert reading.topology.observed_from is None


def test_servicegraph_prometheus_text():
    reading = read_trace_files([FIXTURES / "servicegraph.prom"])
    assert next(iter(reading.formats.values())) == "servicegraph metrics"
    found = edges(reading)
    assert {ends: (d.strength, d.observed.calls) for ends, d in found.items()} == {
        ("frontend", "checkout"): (Strength.STRONG, 120),
        ("checkout", "orders"): (Strength.STRONG, 240),
        ("checkout", "kafka"): (Strength.WEAK, 60),  # the broker, by messaging_system
        ("shipping", "kafka"): (Strength.WEAK, 60),
        ("checkout", "card-gateway"): (Strength.STRONG, 40),
    }
    call = found[("frontend", "checkout")].observed
    assert call.errors == 6
    # 60 of 120 within 0.1 s: the median is the bucket's upper bound; p99 interpolates in
    # (0.1, 1]: 0.1 + 0.9 * (118.8 - 60) / 60.
    assert call.p50_ms == pytest.approx(100.0)
    assert call.p99_ms == pytest.approx((0.1 + 0.9 * 58.8 / 60) * 1000)
    assert kinds(reading)["orders"] == ComponentKind.DATABASE
    assert kinds(reading)["kafka"] == ComponentKind.QUEUE
    assert reading.topology.entry_points == ("frontend",)  # client "user": a root span


def test_filters_on_formats_without_times_are_noted(tmp_path):
    reading = read_trace_files([FIXTURES / "dependencies_zipkin.json"], environment="prod")
    assert len(reading.notes) == 1
    assert "do not apply" in reading.notes[0]
    assert len(reading.topology.dependencies) == 2  # kept, as the note says


def test_the_format_comes_from_the_content_not_the_name(tmp_path):
    misnamed = tmp_path / "metrics.prom"
    misnamed.write_bytes((FIXTURES / "zipkin_shop.json").read_bytes())
    assert read_trace_files([misnamed]).formats == {str(misnamed): "Zipkin v2 JSON"}
