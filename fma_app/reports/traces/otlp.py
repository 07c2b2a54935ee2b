"""OTLP JSON: a `TracesData` / `ExportTraceServiceRequest` object (`resourceSpans` of
`scopeSpans` of `spans`), one per file or one per line as the Collector's file exporter writes.

OTLP/JSON has hex trace and span ids and integer enums; the enum names that protobuf's default
JSON mapping writes ("SPAN_KIND_SERVER", "STATUS_CODE_ERROR") are accepted too. Each span costs
one pass over its attributes, and only for spans whose kind can name a peer.
"""

from __future__ import annotations

from typing import Any

from fma_app.analysis.topology import (
    ENVIRONMENT_ATTRIBUTES,
    PEER_ATTRIBUTES,
    TopologyBuilder,
    describe_peer,
)
from fma_app.reports.traces.source import FormatProblemError

_KIND_NAMES = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_ERROR_CODES = (2, "STATUS_CODE_ERROR")
_RESOURCE_ATTRIBUTES = frozenset({"service.name", *ENVIRONMENT_ATTRIBUTES})
UNKNOWN_SERVICE = "unknown_service"  # what the SDKs call a service that did not name itself


def is_otlp(document: object) -> bool:
    return isinstance(document, dict) and "resourceSpans" in document


def read_otlp(
    document: dict[str, Any], builder: TopologyBuilder, environment: str | None, where: str = ""
) -> None:
    """Every span of one OTLP object into the builder; `where` prefixes problems ("line 7: ")."""
    resource_spans = document.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise FormatProblemError(f"{where}resourceSpans is not a list")
    for i, resource_span in enumerate(resource_spans):
        at = f"{where}resourceSpans[{i}]"
        if not isinstance(resource_span, dict):
            raise FormatProblemError(f"{at} is not an object")
        resource = resource_span.get("resource") or {}
        if not isinstance(resource, dict):
            raise FormatProblemError(f"{at}.resource is not an object")
        attributes = _attributes(resource.get("attributes"), _RESOURCE_ATTRIBUTES, at + ".resource")
        if environment is not None and environment_of(attributes) != environment:
            continue
        service = attributes.get("service.name")
        service = service.strip() if isinstance(service, str) and service.strip() else None
        scopes = resource_span.get("scopeSpans", resource_span.get("instrumentationLibrarySpans"))
        if not isinstance(scopes, list | None):
            raise FormatProblemError(f"{at}.scopeSpans is not a list")
        for j, scope in enumerate(scopes or ()):
            spans = scope.get("spans") if isinstance(scope, dict) else ()
            if not isinstance(spans, list | None):
                raise FormatProblemError(f"{at}.scopeSpans[{j}].spans is not a list")
            _read_spans(spans or (), service or UNKNOWN_SERVICE, builder, f"{at}.scopeSpans[{j}]")


def environment_of(attributes: dict[str, object]) -> str | None:
    for key in ENVIRONMENT_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str):
            return value
    return None


def _read_spans(spans: Any, service: str, builder: TopologyBuilder, at: str) -> None:
    add = builder.add_span
    for k, span in enumerate(spans):
        try:
            kind = span.get("kind", 0)
            if kind.__class__ is not int:
                kind = _KIND_NAMES[kind]
            status = span.get("status")
            error = bool(status) and status.get("code") in _ERROR_CODES
            peer = None
            if kind >= 3 and (attributes := span.get("attributes")):
                peer = describe_peer(_attributes(attributes, PEER_ATTRIBUTES, ""))
            start = int(span["startTimeUnixNano"])
            end = int(span.get("endTimeUnixNano", start))
            trace_id, span_id = span["traceId"], span["spanId"]
            parent = span.get("parentSpanId") or ""
            if not (trace_id.__class__ is span_id.__class__ is parent.__class__ is str):
                raise TypeError
        except (TypeError, ValueError, KeyError, AttributeError, FormatProblemError):
            raise FormatProblemError(f"{at}.spans[{k}]: {_diagnose(span)}") from None
        add(trace_id, span_id, parent, service, kind, start, end, error, peer)


def _attributes(attributes: object, keys: frozenset[str], at: str) -> dict[str, object]:
    """The values of the named keys in an OTLP attribute list ([{"key", "value": AnyValue}])."""
    if not attributes:
        return {}
    if not isinstance(attributes, list):
        raise FormatProblemError(f"{at}.attributes is not a list" if at else "attributes")
    found: dict[str, object] = {}
    for item in attributes:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise FormatProblemError(f"{at}.attributes holds {_short(item)}, not a key and value")
        key = item["key"]
        if key in keys:
            value = item.get("value")
            if isinstance(value, dict) and value:
                found[key] = value.get("stringValue", next(iter(value.values())))
    return found


def _diagnose(span: object) -> str:
    """What is wrong with a span the fast path refused, in the user's words."""
    if not isinstance(span, dict):
        return f"a span must be an object, not {_short(span)}"
    for key in ("traceId", "spanId"):
        if not isinstance(span.get(key), str):
            return f"{key} must be a hex string, not {_short(span.get(key))}"
    if not isinstance(span.get("parentSpanId", ""), str):
        return f"parentSpanId must be a hex string, not {_short(span.get('parentSpanId'))}"
    for key in ("startTimeUnixNano", "endTimeUnixNano"):
        value = span.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | str):
            return f"{key} must be a number of nanoseconds, not {_short(value)}"
        try:
            int(value)
        except ValueError:
            return f"{key} must be a number of nanoseconds, not {_short(value)}"
    if "startTimeUnixNano" not in span:
        return "startTimeUnixNano is missing"
    kind = span.get("kind", 0)
    if not (isinstance(kind, int) or kind in _KIND_NAMES):
        return f"kind must be a span kind (0-5), not {_short(kind)}"
    if not isinstance(span.get("status") or {}, dict):
        return f"status must be an object, not {_short(span.get('status'))}"
    if not isinstance(span.get("attributes") or [], list):
        return f"attributes must be a list, not {_short(span.get('attributes'))}"
    return "attributes must each be an object with a key and a value"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
