"""Zipkin v2 JSON: an array of spans (or of traces, each an array of spans) with
`localEndpoint`/`remoteEndpoint`, times in microseconds, an error as the `error` tag.

A SERVER span marked `shared: true` has the same id as its CLIENT span (Zipkin's B3 single-span
RPC), so it names its caller by its own id; any other server span by its `parentId`."""

from __future__ import annotations

from typing import Any

from fma_app.analysis.topology import (
    ENVIRONMENT_ATTRIBUTES,
    SpanKind,
    TopologyBuilder,
    describe_peer,
)
from fma_app.reports.traces.source import FormatProblemError

_KINDS = {
    "SERVER": SpanKind.SERVER,
    "CLIENT": SpanKind.CLIENT,
    "PRODUCER": SpanKind.PRODUCER,
    "CONSUMER": SpanKind.CONSUMER,
}


def is_zipkin_span(item: object) -> bool:
    return isinstance(item, dict) and "traceId" in item and "id" in item


def read_zipkin(spans: list[Any], builder: TopologyBuilder, environment: str | None) -> None:
    for k, span in enumerate(spans):
        try:
            _span(span, builder, environment)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise FormatProblemError(f"span [{k}]: {_problem(span, error)}") from None


def _span(span: dict[str, Any], builder: TopologyBuilder, environment: str | None) -> None:
    tags = span.get("tags") or {}
    if not isinstance(tags, dict):
        raise TypeError("tags must be an object")
    if environment is not None:
        found = next((tags[key] for key in ENVIRONMENT_ATTRIBUTES if key in tags), None)
        if found != environment:
            return
    local = span.get("localEndpoint") or {}
    remote = span.get("remoteEndpoint") or {}
    service = str(local.get("serviceName") or "").strip() or "unknown_service"
    kind = _KINDS.get(span.get("kind") or "", SpanKind.UNSPECIFIED)
    span_id, trace_id = span["id"], span["traceId"]
    if not isinstance(span_id, str) or not isinstance(trace_id, str):
        raise TypeError("traceId and id must be hex text")
    caller = span_id if kind == SpanKind.SERVER and span.get("shared") else span.get("parentId")
    peer = None
    if kind >= SpanKind.CLIENT:
        peer = describe_peer(tags, str(remote.get("serviceName") or ""))
    start = int(span.get("timestamp") or 0) * 1000
    end = start + int(span.get("duration") or 0) * 1000
    builder.add_span(
        trace_id, span_id, str(caller or ""), service, kind, start, end, "error" in tags, peer
    )


def _problem(span: object, error: Exception) -> str:
    if not isinstance(span, dict):
        return "a span must be an object"
    if isinstance(error, ValueError):
        return "timestamp and duration must be whole numbers of microseconds"
    if isinstance(error, AttributeError):
        return "localEndpoint and remoteEndpoint must be objects"
    return str(error) if str(error) else "a field has the wrong type"
