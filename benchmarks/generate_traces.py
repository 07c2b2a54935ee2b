"""OTLP JSON written by the real OpenTelemetry SDK, for the trace import tests and benchmarks.

One `TracerProvider` per service (its resource names the service and environment), an
in-memory exporter each, explicit times and seeded ids so every run gives the same file; the
finished spans are encoded with the OTLP exporter's own `encode_spans` and turned into OTLP/JSON
(hex trace and span ids, integer enums), which protobuf's default JSON mapping does not give.

    python -m benchmarks.generate_traces OUT.jsonl.gz    # the example's traces, JSON lines, gzip
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanKind, Status, StatusCode

START_NS = 1_764_547_200_000_000_000  # 2025-12-01T00:00:00Z


class SeededIds(IdGenerator):
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def generate_span_id(self) -> int:
        return self.random.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self.random.getrandbits(128) or 1


@dataclass
class Call:
    """One span of `service`, with the spans it causes. A SERVER or CONSUMER child of a CLIENT
    or PRODUCER span is started in the child's own service with the parent as a remote
    context, as a propagated request would be."""

    service: str
    kind: SpanKind
    name: str
    duration_ms: float
    attributes: Mapping[str, Any] = field(default_factory=dict)
    error: bool = False
    children: Sequence[Call] = ()


class Recorder:
    """Tracer providers and exporters, one per service."""

    def __init__(
        self,
        environments: Mapping[str, str] | None = None,
        seed: int = 1,
        http_attributes: bool = False,
    ) -> None:
        self.environments = dict(environments or {})
        self.ids = SeededIds(seed)
        self.http_attributes = http_attributes  # as HTTP instrumentations add to every span
        self.providers: dict[str, tuple[TracerProvider, InMemorySpanExporter]] = {}

    def tracer(self, service: str) -> trace.Tracer:
        if service not in self.providers:
            # A fixed instance id: the SDK's default is a random UUID, and the file must not
            # change from one run to the next.
            attributes = {"service.name": service, "service.instance.id": f"{service}-1"}
            if service in self.environments:
                attributes["deployment.environment.name"] = self.environments[service]
            provider = TracerProvider(resource=Resource.create(attributes), id_generator=self.ids)
            exporter = InMemorySpanExporter()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            self.providers[service] = (provider, exporter)
        return self.providers[service][0].get_tracer("fma-app.tests")

    def record(self, call: Call, start_ns: int, parent: trace.Span | None = None) -> None:
        remote = parent is not None and call.kind in (SpanKind.SERVER, SpanKind.CONSUMER)
        context = None
        if parent is not None:
            parent_context = parent.get_span_context()
            if remote:  # what a propagator hands the receiving service
                parent_context = trace.SpanContext(
                    parent_context.trace_id, parent_context.span_id, is_remote=True,
                    trace_flags=parent_context.trace_flags,
                )  # fmt: skip
            context = trace.set_span_in_context(NonRecordingSpan(parent_context))
        attributes = dict(call.attributes)
        if self.http_attributes and call.kind in (SpanKind.SERVER, SpanKind.CLIENT):
            attributes = {**http_attributes(call), **attributes}
        span = self.tracer(call.service).start_span(
            call.name, context=context, kind=call.kind, attributes=attributes,
            start_time=start_ns,
        )  # fmt: skip
        offset = start_ns + 100_000
        for child in call.children:
            self.record(child, offset, span)
            offset += int(child.duration_ms * 1e6) + 50_000
        if call.error:
            span.set_status(Status(StatusCode.ERROR, "failed"))
        span.end(end_time=start_ns + int(call.duration_ms * 1e6))

    def finished(self) -> list[ReadableSpan]:
        spans: list[ReadableSpan] = []
        for _provider, exporter in self.providers.values():
            spans.extend(exporter.get_finished_spans())
            exporter.clear()
        return spans


def http_attributes(call: Call) -> dict[str, Any]:
    """What OpenTelemetry's HTTP instrumentations (requests, Flask, ...) record on a span, by the
    current semantic conventions: real exports carry these on most spans."""
    method, _, route = call.name.partition(" ")
    common: dict[str, Any] = {
        "http.request.method": method or "GET",
        "http.response.status_code": 500 if call.error else 200,
        "network.protocol.version": "1.1",
        "server.port": 8080,
    }
    if call.kind == SpanKind.SERVER:
        return {**common, "http.route": route or "/", "url.path": route or "/",
                "url.scheme": "http", "client.address": "10.0.0.1",
                "user_agent.original": "python-requests/2.32.3"}  # fmt: skip
    return {**common, "url.full": f"http://{call.service}:8080{route or '/'}"}


def otlp_json(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """An ExportTraceServiceRequest as OTLP/JSON: hex ids, integer enums."""
    data = json_format.MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for resource_spans in data.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return data


# ---- the shop: every kind of span the import turns into a component or a dependency ----------


def shop_request(index: int) -> Call:
    """One request through a small web shop. Every fifth payment fails."""
    slow = 1 + (index % 10) / 10
    orders_db = Call("checkout", SpanKind.CLIENT, "INSERT orders", 3 * slow, {
        "db.system.name": "postgresql", "db.namespace": "orders",
        "server.address": "orders-db.internal",
    })  # fmt: skip
    session_cache = Call("payments", SpanKind.CLIENT, "GET", 0.5, {
        "db.system": "redis", "net.peer.name": "sessions-cache",  # older conventions
    })  # fmt: skip
    card_gateway = Call("payments", SpanKind.CLIENT, "POST /authorise", 40 * slow,
                        {"peer.service": "card-gateway"})  # fmt: skip
    payments = Call("payments", SpanKind.SERVER, "POST /pay", 50 * slow,
                    error=index % 5 == 0, children=[session_cache, card_gateway])  # fmt: skip
    pay = Call("checkout", SpanKind.CLIENT, "POST /pay", 55 * slow, children=[payments])
    consume = Call("shipping", SpanKind.CONSUMER, "orders process", 8, {
        "messaging.system": "kafka", "messaging.destination": "orders",  # older name
    })  # fmt: skip
    publish = Call("checkout", SpanKind.PRODUCER, "orders publish", 2, {
        "messaging.system": "kafka", "messaging.destination.name": "orders",
    }, children=[consume])  # fmt: skip
    checkout = Call("checkout", SpanKind.SERVER, "POST /checkout", 90 * slow,
                    children=[orders_db, pay, publish])  # fmt: skip
    call_checkout = Call("frontend", SpanKind.CLIENT, "POST /checkout", 95 * slow,
                         children=[checkout])  # fmt: skip
    return Call("frontend", SpanKind.SERVER, "GET /buy", 100 * slow, children=[call_checkout])


SHOP_ENVIRONMENTS = {s: "production" for s in ("frontend", "checkout", "payments", "shipping")}


def shop_spans(
    requests: int = 20, seed: int = 1, http_attributes: bool = False
) -> list[ReadableSpan]:
    recorder = Recorder(SHOP_ENVIRONMENTS, seed, http_attributes)
    for index in range(requests):
        recorder.record(shop_request(index), START_NS + index * 1_000_000_000)
    return recorder.finished()


def shop_otlp(requests: int = 20, seed: int = 1) -> dict[str, Any]:
    return otlp_json(shop_spans(requests, seed))


def json_lines(requests: int, per_line: int = 10, seed: int = 1) -> Iterator[str]:
    """The shop as the Collector's file exporter writes it: one request object per line."""
    spans = shop_spans(requests, seed)
    spans.sort(key=lambda span: span.start_time or 0)
    for first in range(0, len(spans), per_line):
        yield json.dumps(otlp_json(spans[first : first + per_line]), separators=(",", ":"))


def large_json_lines(
    path: Path, total_spans: int = 100_000, per_line: int = 100, http_attributes: bool = False
) -> int:
    """A JSON-lines file of about `total_spans` spans: an SDK-written batch, repeated with new
    trace ids (the SDK writes about 5,000 spans a second; this is for the benchmark)."""
    batch = shop_spans(requests=100, http_attributes=http_attributes)
    lines = [otlp_json(batch[i : i + per_line]) for i in range(0, len(batch), per_line)]
    written = 0
    with path.open("w") as out:
        round_ = 0
        while written < total_spans:
            for line in lines:
                text = json.dumps(line, separators=(",", ":"))
                out.write(text.replace('"traceId":"', f'"traceId":"{round_:06x}')[:]
                          + "\n")  # fmt: skip
                written += sum(len(s["spans"]) for r in line["resourceSpans"]
                               for s in r["scopeSpans"])  # fmt: skip
            round_ += 1
    return written


# ---- the example's traces: the payments platform of `fma-app demo`, as its services name
# themselves (the example model's aliases map these names to its components) ------------------


def payments_request(index: int) -> Call:
    """One card payment through the example platform. Every 25th acquirer call fails; fraud
    scoring asks a rules service the model does not have yet."""
    slow = 1 + (index % 20) / 20
    tokens_db = Call("tokenisation-vault", SpanKind.CLIENT, "SELECT token", 2 * slow, {
        "db.system.name": "postgresql", "db.namespace": "ledger",
    })  # fmt: skip
    vault = Call("tokenisation-vault", SpanKind.SERVER, "POST /tokens", 10 * slow,
                 children=[tokens_db])  # fmt: skip
    tokenise = Call("payment-authorisation", SpanKind.CLIENT, "POST /tokens", 12 * slow,
                    children=[vault])  # fmt: skip
    risk_rules = Call("risk-rules", SpanKind.SERVER, "GET /rules", 3 * slow)
    rules = Call("fraud-scoring", SpanKind.CLIENT, "GET /rules", 4 * slow, children=[risk_rules])
    features = Call("fraud-scoring", SpanKind.CLIENT, "HGETALL", 0.8, {
        "db.system": "redis", "server.address": "redis-cache",
    })  # fmt: skip
    score = Call("payment-authorisation", SpanKind.CLIENT, "POST /score", 25 * slow,
                 children=[Call("fraud-scoring", SpanKind.SERVER, "POST /score", 22 * slow,
                                children=[features, rules])])  # fmt: skip
    acquirer = Call("payment-authorisation", SpanKind.CLIENT, "POST /authorise", 180 * slow,
                    {"peer.service": "acquirer-a"}, error=index % 25 == 0)  # fmt: skip
    ledger = Call("payment-authorisation", SpanKind.CLIENT, "INSERT entries", 6 * slow, {
        "db.system": "postgresql", "db.name": "ledger",  # older conventions
    })  # fmt: skip
    notify = Call("notification-service", SpanKind.CONSUMER, "payments process", 5, {
        "messaging.system": "kafka", "messaging.destination.name": "payments",
    })  # fmt: skip
    publish = Call("payment-authorisation", SpanKind.PRODUCER, "payments publish", 2, {
        "messaging.system": "kafka", "messaging.destination.name": "payments",
    }, children=[notify])  # fmt: skip
    authorise = Call("payment-authorisation", SpanKind.SERVER, "POST /authorise", 240 * slow,
                     error=index % 25 == 0, children=[tokenise, score, acquirer, ledger,
                                                     publish])  # fmt: skip
    session = Call("payments-api", SpanKind.CLIENT, "GET", 0.6, {
        "db.system.name": "redis", "server.address": "redis-cache",
    })  # fmt: skip
    verify = Call("auth-service", SpanKind.SERVER, "POST /verify", 6 * slow)
    auth = Call("payments-api", SpanKind.CLIENT, "POST /verify", 8 * slow, children=[verify])
    call_authorise = Call("payments-api", SpanKind.CLIENT, "POST /authorise", 250 * slow,
                          children=[authorise])  # fmt: skip
    return Call("payments-api", SpanKind.SERVER, "POST /v1/payments", 270 * slow,
                children=[session, auth, call_authorise])  # fmt: skip


def payments_lines(requests: int = 50, per_line: int = 25, seed: int = 7) -> Iterator[str]:
    recorder = Recorder(seed=seed)
    for index in range(requests):
        recorder.record(payments_request(index), START_NS + index * 2_000_000_000)
    spans = sorted(recorder.finished(), key=lambda span: span.start_time or 0)
    for first in range(0, len(spans), per_line):
        yield json.dumps(otlp_json(spans[first : first + per_line]), separators=(",", ":"))


def main(argv: Sequence[str]) -> int:
    """Write the example's trace file (JSON lines, gzip): the one shipped in resources/example."""
    if len(argv) != 1:
        print("usage: python -m benchmarks.generate_traces OUT.jsonl.gz", file=sys.stderr)
        return 2
    # mtime 0: the same bytes every run, so regenerating it changes nothing in git
    with open(argv[0], "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as out:
        for line in payments_lines():
            out.write(line.encode() + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
