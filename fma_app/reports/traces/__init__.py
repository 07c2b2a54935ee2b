"""Trace files in: OTLP JSON (one object or JSON lines), Jaeger trace JSON, dependency lists,
Zipkin v2 JSON and the servicegraph connector's Prometheus text, plain, gzip or zstd.

The format is recognised by content, never by extension. `read_trace_files` gives the observed
topology (`fma_app.analysis.topology`); any problem raises `TraceFileError`, one line naming the
file and the problem. No Qt, no SQL: the command line and the desktop app both build on this.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fma_app.analysis.topology import ObservedTopology, TooManyComponentsError, TopologyBuilder
from fma_app.gc_pause import paused_gc
from fma_app.reports.traces.dependency_list import is_dependency_link, read_dependency_list
from fma_app.reports.traces.jaeger import is_jaeger_trace, read_jaeger
from fma_app.reports.traces.otlp import is_otlp, read_otlp
from fma_app.reports.traces.servicegraph import looks_like_prometheus, read_servicegraph
from fma_app.reports.traces.source import (
    BOM,
    MAX_DOCUMENT_BYTES,
    FormatProblemError,
    TraceFileError,
    decompression_problem,
    describe_start,
    iter_lines,
    open_decompressed,
    parse_json,
    read_limited,
)
from fma_app.reports.traces.zipkin import is_zipkin_span, read_zipkin

__all__ = ["TraceFileError", "TraceReading", "read_trace_files"]

# Formats that carry neither times nor an environment: the filters cannot apply to them.
_COUNTS_ONLY = ("dependency list", "servicegraph metrics")


@dataclass
class TraceReading:
    """What was read: the topology, the format of each file, and notes for the user."""

    topology: ObservedTopology
    formats: dict[str, str] = field(default_factory=dict)  # file -> format name
    notes: list[str] = field(default_factory=list)


def read_trace_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    environment: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> TraceReading:
    """Read every file into one topology: client and server spans pair across files too."""
    builder = TopologyBuilder(since_ns=_unix_ns(since), until_ns=_unix_ns(until))
    formats: dict[str, str] = {}
    notes: list[str] = []
    for path in paths:
        name = str(path)
        with paused_gc():  # JSON makes no cycles; collections would only rescan the builder
            formats[name] = _read_file(Path(path), builder, environment)
        if formats[name] in _COUNTS_ONLY and (environment or since or until):
            notes.append(
                f"{name}: a {formats[name]} has no environment or span times;"
                " --environment, --since and --until do not apply to it"
            )
    try:
        topology = builder.finish()
    except TooManyComponentsError as error:
        raise TraceFileError(", ".join(formats), str(error)) from None
    return TraceReading(topology, formats, notes)


def _unix_ns(moment: dt.datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1_000_000) * 1000


def _read_file(path: Path, builder: TopologyBuilder, environment: str | None) -> str:
    try:
        if path.is_dir():
            raise FormatProblemError("is a folder, not a trace file")
        with open_decompressed(path) as stream:
            return _read_stream(stream, builder, environment)
    except FormatProblemError as problem:
        raise TraceFileError(path, str(problem)) from None
    except TooManyComponentsError as error:
        raise TraceFileError(path, str(error)) from None
    except FileNotFoundError:
        raise TraceFileError(path, "no such file") from None
    except PermissionError:
        raise TraceFileError(path, "permission denied") from None
    except MemoryError:
        raise TraceFileError(path, "too large to read into memory") from None
    except Exception as error:
        raise _file_error(path, error) from None


def _file_error(path: Path, error: Exception) -> Exception:
    """The one-line error for a failure of decompression or of the file system; else `error`."""
    problem = decompression_problem(error)
    if problem is None and isinstance(error, OSError):
        problem = f"cannot be read ({error.strerror or error})"
    return error if problem is None else TraceFileError(path, problem)


def _read_stream(stream: IO[bytes], builder: TopologyBuilder, environment: str | None) -> str:
    head = stream.peek(64 * 1024)[: 64 * 1024]  # type: ignore[attr-defined]
    if head.startswith(BOM):
        stream.read(len(BOM))
        head = head[len(BOM) :]
    start = head.lstrip()[:1]
    if not head.strip():
        raise FormatProblemError("the file is empty")
    if start in (b"{", b"["):
        return _read_json(stream, builder, environment)
    if looks_like_prometheus(head):
        if not read_servicegraph(iter_lines(stream), builder):
            raise FormatProblemError(
                "Prometheus text without traces_service_graph_request_total samples"
            )
        return "servicegraph metrics"
    raise FormatProblemError(f"not a trace file: {describe_start(head.lstrip())}")


def _read_json(stream: IO[bytes], builder: TopologyBuilder, environment: str | None) -> str:
    """JSON lines when the first line is a whole OTLP object and more follow; else one document."""
    first = stream.readline(MAX_DOCUMENT_BYTES + 1)
    try:
        document = parse_json(first)
    except FormatProblemError:
        document = parse_json(
            first + read_limited(stream, MAX_DOCUMENT_BYTES - len(first), "a JSON document")
        )
        return _read_document(document, builder, environment)
    lines = iter_lines(stream, first_number=2)
    if not is_otlp(document):
        for number, line in lines:
            if line.strip():
                raise FormatProblemError(
                    f"line {number}: more JSON after the first line, which is not an OTLP object"
                )
        return _read_document(document, builder, environment)
    read_otlp(document, builder, environment, "line 1: ")
    count = 1
    for number, line in lines:
        if line.strip():
            line_document = parse_json(line, f"line {number}: ")
            if not is_otlp(line_document):
                raise FormatProblemError(f"line {number}: not an OTLP object (no resourceSpans)")
            read_otlp(line_document, builder, environment, f"line {number}: ")
            count += 1
    return "OTLP JSON lines" if count > 1 else "OTLP JSON"


def _read_document(document: Any, builder: TopologyBuilder, environment: str | None) -> str:
    if is_otlp(document):
        read_otlp(document, builder, environment)
        return "OTLP JSON"
    if isinstance(document, dict) and "data" in document:
        data = document["data"]
        if not isinstance(data, list):
            raise FormatProblemError("data is not a list of traces or dependencies")
        if data and is_dependency_link(data[0]):
            read_dependency_list(data, builder, "data")
            return "dependency list"
        if not data or is_jaeger_trace(data[0]):
            read_jaeger(data, builder, environment)
            return "Jaeger JSON"
        raise FormatProblemError(
            f"data[0] is neither a Jaeger trace nor a dependency: {_keys(data[0])}"
        )
    if is_jaeger_trace(document):
        read_jaeger([document], builder, environment)
        return "Jaeger JSON"
    if isinstance(document, list):
        return _read_list(document, builder, environment)
    raise FormatProblemError(f"not a trace file: a JSON {_keys(document)}")


def _read_list(items: list[Any], builder: TopologyBuilder, environment: str | None) -> str:
    if not items:
        raise FormatProblemError("an empty JSON list: no spans or dependencies")
    first = items[0]
    if is_dependency_link(first):
        read_dependency_list(items, builder)
        return "dependency list"
    if is_zipkin_span(first):
        read_zipkin(items, builder, environment)
        return "Zipkin v2 JSON"
    if isinstance(first, list) and all(isinstance(trace, list) for trace in items):
        spans = [span for trace in items for span in trace]  # Zipkin's list of traces
        if spans and is_zipkin_span(spans[0]):
            read_zipkin(spans, builder, environment)
            return "Zipkin v2 JSON"
    if is_jaeger_trace(first):
        read_jaeger(items, builder, environment)
        return "Jaeger JSON"
    raise FormatProblemError(f"not a trace file: a JSON list of {_keys(first)}")


def _keys(value: object) -> str:
    if isinstance(value, dict):
        keys = ", ".join(repr(key)[:30] for key in list(value)[:4])
        return f"object with keys {keys}" if keys else "empty object"
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false"}.get(
        type(value), "null"
    )
