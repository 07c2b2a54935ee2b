"""Models for the graph analyses, written as small diagrams.

One line per dependency or component:
    web -> api          web depends strongly on api
    web ~> search       web depends weakly on search
    shop -> pay-a [pay] a dependency in shop's redundancy group "pay"
    shop -> pay-b [pay/2] ... and the group needs 2 of its members up (any one by default)
    *web                web is an entry point (user-facing); a star works inside edges too
    lonely              a component with no dependency
Components are created in order of first mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from fma_app.domain.model import Model

LINE = re.compile(r"^(\*?[\w.-]+)(?:\s+(->|~>)\s+(\*?[\w.-]+)(?:\s+\[([\w-]+)(?:/(\d+))?\])?)?$")


def diagram(text: str) -> Model:
    model = Model(name="diagram")

    def component(token: str) -> int:
        name = token.lstrip("*")
        existing = model.component_by_name(name)
        found = existing or model.add_component(name)
        found.user_facing = found.user_facing or token.startswith("*")
        return found.id

    for raw in text.strip().splitlines():
        match = LINE.match(raw.strip())
        assert match, f"bad diagram line {raw!r}"
        source, arrow, target, group, needs = match.groups()
        source_id = component(source)
        if arrow:
            strength = "strong" if arrow == "->" else "weak"
            model.add_dependency(source_id, component(target), strength, group=group or "")
        if needs:
            model.group_needs[(source_id, group)] = int(needs)
    return model


@pytest.fixture
def build() -> Callable[[str], Model]:
    return diagram


def ids(model: Model, names: str) -> frozenset[int]:
    """'a b c' -> the ids of those components."""
    return frozenset(model.component_by_name(n).id for n in names.split())


@pytest.fixture
def by_name() -> Callable[[Model, str], frozenset[int]]:
    return ids
