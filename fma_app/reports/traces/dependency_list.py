"""Dependency lists: `[{"parent", "child", "callCount"}]` as Zipkin's /api/v2/dependencies and the
Jaeger UI give them (Zipkin adds `errorCount`), or the same wrapped in `{"data": ...}` (Jaeger's
API). They carry counts only: no latency, no times, no environment."""

from __future__ import annotations

from typing import Any

from fma_app.analysis.topology import TopologyBuilder
from fma_app.domain.model import MAX_COUNT
from fma_app.reports.traces.source import FormatProblemError


def is_dependency_link(item: object) -> bool:
    return isinstance(item, dict) and "parent" in item and "child" in item


def read_dependency_list(links: list[Any], builder: TopologyBuilder, prefix: str = "") -> None:
    for index, link in enumerate(links):
        at = f"{prefix}[{index}]"
        if not is_dependency_link(link):
            raise FormatProblemError(f"{at} is not a dependency with a parent and a child")
        parent, child = link["parent"], link["child"]
        if not isinstance(parent, str) or not parent.strip():
            raise FormatProblemError(f"{at}.parent must be a service name, not {parent!r:.40}")
        if not isinstance(child, str) or not child.strip():
            raise FormatProblemError(f"{at}.child must be a service name, not {child!r:.40}")
        calls = _count(link.get("callCount", 0), f"{at}.callCount")
        errors = link.get("errorCount")
        builder.add_dependency(
            parent.strip(),
            child.strip(),
            calls,
            None if errors is None else min(_count(errors, f"{at}.errorCount"), calls),
        )


def _count(value: object, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise FormatProblemError(f"{at} must be a whole number 0 or more, not {value!r:.40}")
    return value
