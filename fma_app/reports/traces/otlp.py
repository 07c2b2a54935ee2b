"""OTLP JSON: a `TracesData` / `ExportTraceServiceRequest` object (`resourceSpans` of
`scopeSpans` of `spans`), one per file or one per line as the Collector's file exporter writes.

OTLP/JSON has hex trace and span ids and integer enums; the enum names that protobuf's default
JSON mapping writes ("SPAN_KIND_SERVER", "STATUS_CODE_ERROR") are accepted too. Each span costs
one pass over its attributes, and only for spans whose kind can name a peer.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from fma_app.analysis.topology import (
    ENVIRONMENT_ATTRIBUTES,
    PEER_ATTRIBUTES,
    Peer,
    SpanRow,
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


_REQUIRED = itemgetter("traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano")


def _read_spans(spans: Any, service: str, builder: TopologyBuilder, at: str) -> None:
    # The hot loop of a large import: one C call for the required fields, plain look-ups for the
    # rest, no call per span but appending its row (and _peer, cached, for spans that can call
    # a peer). Anything unexpected is diagnosed afterwards.
    rows: list[SpanRow] = []
    add = rows.append
    for span in spans:
        try:
            trace_id, span_id, start, end = _REQUIRED(span)
            get = span.get
            kind = get("kind", 0)
            if kind.__class__ is not int:
                kind = _KIND_NAMES[kind]
            status = get("status")
            error = status.get("code") in _ERROR_CODES if status else False
            peer = None
            if kind >= 3:
                attributes = get("attributes")
                if attributes:
                    peer = _peer(attributes)
            parent = get("parentSpanId") or ""
            if not (trace_id.__class__ is span_id.__class__ is parent.__class__ is str):
                raise TypeError
            add((trace_id, span_id, parent, service, kind, int(start), int(end), error, peer))
        except (TypeError, ValueError, KeyError, AttributeError, FormatProblemError):
            index = next(i for i, item in enumerate(spans) if item is span)
            raise FormatProblemError(f"{at}.spans[{index}]: {_diagnose(span)}") from None
    builder.add_spans(rows)


_PEERS: dict[tuple[tuple[str, object], ...], Peer | None] = {}
_MAX_CACHED_PEERS = 10_000


def _peer(attributes: list[Any]) -> Peer | None:
    """The peer a span's attributes name; the same attributes give the same peer, so it is
    worked out once per distinct set (a few hundred in a large file, not once per span)."""
    pairs = []
    for item in attributes:  # a loop: a generator costs more per span in Python 3.11
        key = item["key"]
        if key in PEER_ATTRIBUTES:
            pairs.append((key, item["value"].get("stringValue")))
    if not pairs:
        return None
    found = tuple(pairs)
    peer = _PEERS.get(found, _UNKNOWN)
    if peer is _UNKNOWN:
        if len(_PEERS) >= _MAX_CACHED_PEERS:
            _PEERS.clear()
        peer = _PEERS[found] = describe_peer(dict(found))
    return peer  # type: ignore[return-value]


_UNKNOWN = object()


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
    for key in ("startTimeUnixNano", "endTimeUnixNano"):
        if key not in span:
            return f"{key} is missing"
    kind = span.get("kind", 0)
    if not (isinstance(kind, int) or (isinstance(kind, str) and kind in _KIND_NAMES)):
        return f"kind must be a span kind (0-5), not {_short(kind)}"
    if not isinstance(span.get("status") or {}, dict):
        return f"status must be an object, not {_short(span.get('status'))}"
    if not isinstance(span.get("attributes") or [], list):
        return f"attributes must be a list, not {_short(span.get('attributes'))}"
    return "attributes must each be an object with a key and a value"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
