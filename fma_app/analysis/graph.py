"""The dependency graph of a model, in the shapes the analyses need.

Direction everywhere: an edge goes from the dependant (`Dependency.source_id`) to what it depends
on (`target_id`). `DependencyGraph` groups a component's dependencies into *requirements* (one
ungrouped dependency, or one any-of redundancy group) so a failure can be propagated in one pass
without looking at the model again; `digraph` gives the plain networkx view for cycles and layout.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import networkx as nx

from fma_app.domain.model import Model, Strength


class Requirement(NamedTuple):
    """What `source_id` needs: one target (ungrouped) or `needs` of a group's targets up.

    A redundancy group is strong when at least one of its dependencies is strong: the group
    protects the strong path, and a weak member does not make the whole need optional. It fails
    when more than `len(targets) - needs` of its targets are down (`tolerates`).
    A NamedTuple, not a frozen dataclass: a graph builds thousands of them, once per query.
    """

    source_id: int
    targets: tuple[int, ...]
    strong: bool
    group: str = ""
    needs: int = 1  # how many targets must be up: 1 is any-of, len(targets) is all-of

    @property
    def tolerates(self) -> int:
        """How many targets may be down before the requirement fails."""
        return len(self.targets) - self.needs


class DependencyGraph:
    """A read-only snapshot of a model's dependencies, indexed for repeated impact queries.

    Build it once (O(components + dependencies)) and query it many times; rebuild it after the
    model changes. Dependencies whose ends are not components of the model are ignored (the
    domain's remove commands take dependencies away with their component).
    """

    def __init__(self, model: Model):
        self.component_ids: tuple[int, ...] = tuple(model.components)
        self.entry_points: frozenset[int] = frozenset(
            c.id for c in model.components.values() if c.user_facing
        )
        self.requirements: tuple[Requirement, ...] = _requirements(model)
        needed_by: dict[int, list[int]] = defaultdict(list)
        requirements_of: dict[int, list[int]] = defaultdict(list)
        for index, requirement in enumerate(self.requirements):
            requirements_of[requirement.source_id].append(index)
            for target in requirement.targets:
                needed_by[target].append(index)
        # target id -> indexes of the requirements that list it; source id -> its requirements
        self.needed_by: dict[int, tuple[int, ...]] = {k: tuple(v) for k, v in needed_by.items()}
        self.requirements_of: dict[int, tuple[int, ...]] = {
            k: tuple(v) for k, v in requirements_of.items()
        }

    def dependants(self, component_id: int) -> set[int]:
        """Components with a dependency (strong or weak, grouped or not) on `component_id`."""
        return {self.requirements[i].source_id for i in self.needed_by.get(component_id, ())}


def _requirements(model: Model) -> tuple[Requirement, ...]:
    singles: list[Requirement] = []
    groups: dict[tuple[int, str], list[tuple[int, bool]]] = defaultdict(list)
    for dep in model.dependencies.values():
        if dep.source_id not in model.components or dep.target_id not in model.components:
            continue
        strong = dep.strength is Strength.STRONG
        if dep.group:
            groups[(dep.source_id, dep.group)].append((dep.target_id, strong))
        else:
            singles.append(Requirement(dep.source_id, (dep.target_id,), strong))
    needs = model.live_group_needs()
    grouped = [
        Requirement(
            source,
            tuple(t for t, _ in members),
            any(s for _, s in members),
            group,
            needs.get((source, group), 1),
        )
        for (source, group), members in groups.items()
    ]
    return tuple(singles + grouped)


def digraph(model: Model, *, strong_only: bool = False) -> nx.DiGraph[int]:
    """Components as nodes (attribute `name`), dependencies as edges dependant -> dependency.

    Edge attributes: `id`, `strength` (a `Strength`) and `group`. Nodes and edges are added in
    model order, so every networkx traversal over the result is deterministic.
    """
    graph: nx.DiGraph[int] = nx.DiGraph()
    for component in model.components.values():
        graph.add_node(component.id, name=component.name)
    for dep in model.dependencies.values():
        if strong_only and dep.strength is not Strength.STRONG:
            continue
        if dep.source_id in graph and dep.target_id in graph:
            graph.add_edge(
                dep.source_id, dep.target_id, id=dep.id, strength=dep.strength, group=dep.group
            )
    return graph
