"""Jaeger trace JSON as the Jaeger UI downloads it: `{"data": [{"traceID", "spans",
"processes"}]}` (also a bare list of traces or one trace). Times are microseconds; the span kind
is the `span.kind` tag; an error is the `error=true` tag or `otel.status_code=ERROR`."""

from __future__ import annotations

from typing import Any

from fma_app.analysis.topology import (
    ENVIRONMENT_ATTRIBUTES,
    PEER_ATTRIBUTES,
    SpanKind,
    TopologyBuilder,
    describe_peer,
)
from fma_app.reports.traces.source import FormatProblemError

_KINDS = {
    "server": SpanKind.SERVER,
    "client": SpanKind.CLIENT,
    "producer": SpanKind.PRODUCER,
    "consumer": SpanKind.CONSUMER,
    "internal": SpanKind.INTERNAL,
}


def is_jaeger_trace(item: object) -> bool:
    return isinstance(item, dict) and "spans" in item and ("traceID" in item or "processes" in item)


def read_jaeger(traces: list[Any], builder: TopologyBuilder, environment: str | None) -> None:
    for i, trace in enumerate(traces):
        at = f"data[{i}]"
        if not isinstance(trace, dict) or not isinstance(trace.get("spans"), list):
            raise FormatProblemError(f"{at} is not a Jaeger trace with a list of spans")
        processes = trace.get("processes") or {}
        if not isinstance(processes, dict):
            raise FormatProblemError(f"{at}.processes is not an object")
        services = {
            key: _process(value, f"{at}.processes.{key}") for key, value in processes.items()
        }
        for k, span in enumerate(trace["spans"]):
            try:
                _span(span, services, builder, environment)
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                raise FormatProblemError(f"{at}.spans[{k}]: {_problem(span, error)}") from None


def _process(process: object, at: str) -> tuple[str, str | None]:
    """(service name, environment) of one process."""
    if not isinstance(process, dict) or not isinstance(process.get("serviceName"), str):
        raise FormatProblemError(f"{at} has no serviceName")
    try:
        tags = _tags(process.get("tags"), set(ENVIRONMENT_ATTRIBUTES))
    except TypeError as error:
        raise FormatProblemError(f"{at}.tags: {error}") from None
    environment = next((str(tags[k]) for k in ENVIRONMENT_ATTRIBUTES if k in tags), None)
    return process["serviceName"].strip() or "unknown_service", environment


def _span(
    span: dict[str, Any],
    services: dict[str, tuple[str, str | None]],
    builder: TopologyBuilder,
    environment: str | None,
) -> None:
    process = span.get("process")
    if process is not None:  # the UI's own form carries the process inline
        service, span_environment = _process(process, "process")
    else:
        service, span_environment = services[span["processID"]]
    if environment is not None and span_environment != environment:
        return
    tags = _tags(span.get("tags"), {"span.kind", "error", "otel.status_code", *PEER_ATTRIBUTES})
    kind = _KINDS.get(str(tags.get("span.kind", "")).lower(), SpanKind.UNSPECIFIED)
    error = str(tags.get("error", "")).lower() == "true" or tags.get("otel.status_code") == "ERROR"
    peer = describe_peer(tags) if kind >= SpanKind.CLIENT else None
    start = int(span["startTime"]) * 1000
    end = start + int(span.get("duration", 0)) * 1000
    trace_id, span_id = span["traceID"], span["spanID"]
    if not isinstance(trace_id, str) or not isinstance(span_id, str):
        raise TypeError("traceID and spanID must be text")
    builder.add_span(trace_id, span_id, _parent(span), service, kind, start, end, error, peer)


def _parent(span: dict[str, Any]) -> str:
    references = span.get("references") or []
    for reference in references:
        if reference.get("refType", "CHILD_OF") == "CHILD_OF":
            return str(reference["spanID"])
    for reference in references:  # FOLLOWS_FROM only: still the span that started this one
        return str(reference["spanID"])
    return str(span.get("parentSpanID") or "")


def _tags(tags: object, keys: set[str]) -> dict[str, object]:
    if not tags:
        return {}
    if not isinstance(tags, list):
        raise TypeError("tags must be a list")
    if not all(isinstance(tag, dict) and isinstance(tag.get("key"), str) for tag in tags):
        raise TypeError("each tag must be an object with a text key")
    return {tag["key"]: tag.get("value") for tag in tags if tag["key"] in keys}


def _problem(span: object, error: Exception) -> str:
    if not isinstance(span, dict):
        return "a span must be an object"
    if isinstance(error, KeyError):
        name = error.args[0] if error.args else "?"
        if span.get("processID") == name:
            return f"processID {name!r} is not in the trace's processes"
        return f"{name} is missing"
    if isinstance(error, ValueError):
        return "startTime and duration must be whole numbers of microseconds"
    return str(error) if str(error) else "a field has the wrong type"
