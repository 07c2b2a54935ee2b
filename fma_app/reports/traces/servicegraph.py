"""Prometheus text from the OpenTelemetry Collector's servicegraph connector.

`traces_service_graph_request_total{client, server, connection_type}` counts calls and
`traces_service_graph_request_failed_total` the failed ones; the p50 and p99 come from the
`traces_service_graph_request_client_seconds` histogram where it is there (interpolated within
a bucket, as PromQL's histogram_quantile does). `connection_type` says what the server is:
empty for an instrumented service, `database`, `messaging_system` (client: the producer,
server: the consumer; both then depend weakly on the broker, named by a `messaging_system`
label or else by the connection type), `virtual_node` (an uninstrumented peer, or the client
"user" for root spans: the server is then an entry point candidate).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

from fma_app.analysis.topology import TopologyBuilder, broker_name
from fma_app.domain.model import MAX_COUNT, ComponentKind, Strength
from fma_app.reports.traces.source import FormatProblemError

METRIC = "traces_service_graph_request"
_SAMPLE = re.compile(
    r"^(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)(?:\s+-?\d+)?\s*$"
)
_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
VIRTUAL_CLIENT = "user"  # the connector's name for the caller of a root span

Key = tuple[str, str, str, str]  # client, server, connection_type, messaging_system


class _Edges:
    def __init__(self) -> None:
        self.calls: dict[Key, float] = defaultdict(float)
        self.failed: dict[Key, float] = defaultdict(float)
        self.buckets: dict[Key, dict[float, float]] = defaultdict(dict)


def looks_like_prometheus(head: bytes) -> bool:
    """Prometheus text: its first line that is not a comment is a sample, or a HELP or TYPE
    comment says so (a Markdown file also starts with '#', and is not)."""
    text = head.decode("utf-8", "replace")
    if "# TYPE " in text or "# HELP " in text:
        return True
    lines = (line.strip() for line in text.splitlines())
    first = next((line for line in lines if line and not line.startswith("#")), "")
    return bool(_SAMPLE.match(first))


def read_servicegraph(lines: Iterable[tuple[int, bytes]], builder: TopologyBuilder) -> int:
    """Every servicegraph edge in the text into the builder; returns how many were found."""
    edges = _Edges()
    for number, raw in lines:
        line = raw.decode("utf-8", "replace").strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match is None:
            raise FormatProblemError(f"line {number} is not a Prometheus sample: {line[:40]!r}")
        name = match["name"]
        if METRIC not in name:
            continue
        labels = _labels(match["labels"] or "", number)
        value = _value(match["value"], number)
        key = (
            labels.get("client", "").strip(),
            labels.get("server", "").strip(),
            labels.get("connection_type", ""),
            labels.get("messaging_system", "").strip(),
        )
        if name.endswith(METRIC + "_total"):
            edges.calls[key] += value
        elif name.endswith(METRIC + "_failed_total"):
            edges.failed[key] += value
        elif name.endswith(METRIC + "_client_seconds_bucket") and "le" in labels:
            bound = math.inf if labels["le"] == "+Inf" else _value(labels["le"], number)
            buckets = edges.buckets[key]
            buckets[bound] = buckets.get(bound, 0.0) + value
    for key, calls in edges.calls.items():
        _add(builder, key, round(calls), round(edges.failed.get(key, 0.0)), edges.buckets.get(key))
    return len(edges.calls)


def _add(
    builder: TopologyBuilder, key: Key, calls: int, failed: int, buckets: dict[float, float] | None
) -> None:
    client, server, connection_type, messaging = key
    if not client or not server:
        return
    p50 = _quantile(buckets, 0.5) if buckets else None
    p99 = _quantile(buckets, 0.99) if buckets else None
    errors = min(failed, calls)
    if connection_type == "messaging_system":
        broker = broker_name(messaging or connection_type, "")
        for service in (client, server):
            builder.add_dependency(
                service,
                broker,
                calls,
                errors,
                strength=Strength.WEAK,
                target_kind=ComponentKind.QUEUE,
            )
        return
    if connection_type == "virtual_node" and client == VIRTUAL_CLIENT:
        builder.add_entry_point(server)
        return
    target_kind = {
        "database": ComponentKind.DATABASE,
        "virtual_node": ComponentKind.EXTERNAL,
    }.get(connection_type, ComponentKind.SERVICE)
    builder.add_dependency(
        client, server, calls, errors, target_kind=target_kind, p50_ms=p50, p99_ms=p99
    )


def _labels(text: str, number: int) -> dict[str, str]:
    labels: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _LABEL.match(text, position)
        if match is None:
            raise FormatProblemError(f'line {number}: labels {text[:40]!r} are not name="value"')
        labels[match[1]] = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], match[2])
        position = match.end()
    return labels


def _value(text: str, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FormatProblemError(f"line {number}: {text[:40]!r} is not a number") from None
    if not 0 <= value <= MAX_COUNT:  # also NaN and infinity
        raise FormatProblemError(f"line {number}: {text[:40]!r} is not a count")
    return value


def _quantile(buckets: dict[float, float], fraction: float) -> float | None:
    """histogram_quantile over cumulative buckets, in milliseconds."""
    bounds = sorted(buckets)
    if not bounds or bounds[-1] != math.inf:
        return None
    total = buckets[math.inf]
    if total <= 0:
        return None
    wanted = fraction * total
    lower_bound, lower_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= wanted:
            if bound == math.inf:
                return round(lower_bound * 1000, 3)  # beyond the last finite bucket
            share = (wanted - lower_count) / (count - lower_count) if count > lower_count else 1
            return round((lower_bound + (bound - lower_bound) * share) * 1000, 3)
        lower_bound, lower_count = bound, count
    return None
