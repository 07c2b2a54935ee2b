"""Impact analysis: what a component's failure takes down, single points of failure, cycles.

Rules (a dependant S, a failed component X; "down" spreads, "degraded" does not):

- X itself is down.
- S is DOWN when one of its strong, ungrouped dependencies is down, or when one of its strong
  redundancy groups has fewer members up than it needs (k of n; k = 1, any one, by default:
  then every member must be down). A group is strong when any of its dependencies is strong; a
  group of one dependency acts as a plain dependency, and a group that needs all n members acts
  as n plain dependencies.
- S is DEGRADED when it is not down but depends, in any way, on a down component: a weak
  dependency is down, some members of a strong group are down but it still has the k it needs
  (it lost redundancy), or any member of a weak group is down.
- Down spreads transitively to the dependants of every down component; degraded stops there: the
  dependants of a degraded component are not affected through it.
- Cycles terminate: a component goes down at most once (the result is the least fixed point).
- Entry points lost: the user-facing components that are down.

A single point of failure (SPOF) is a component whose failure alone takes down at least one entry
point other than itself. An entry point failing is trivially "lost", so it is listed only when
another entry point needs it. `SinglePointOfFailure.entry_points` equals the failure's
`BlastRadius.entry_points_lost` (so it includes the component itself when it is an entry point).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from fma_app.analysis.graph import DependencyGraph, digraph
from fma_app.domain.model import Model

DEFAULT_CYCLE_LIMIT = 1000


@dataclass(frozen=True)
class BlastRadius:
    failed: int
    down: frozenset[int]  # includes `failed`
    degraded: frozenset[int]  # disjoint from `down`
    entry_points_lost: frozenset[int]


@dataclass(frozen=True)
class SinglePointOfFailure:
    component_id: int
    entry_points: frozenset[int]  # the entry points its failure takes down
    has_failure_modes: bool


def blast_radius(
    model: Model, component_id: int, *, graph: DependencyGraph | None = None
) -> BlastRadius:
    """What the failure of `component_id` takes down and degrades (rules in the module doc).

    Pass a prebuilt `graph` to answer many queries on an unchanged model without rebuilding it.
    Raises `ModelError` for an unknown component.
    """
    model.component(component_id)
    return propagate(graph or DependencyGraph(model), component_id)


def propagate(graph: DependencyGraph, component_id: int) -> BlastRadius:
    """Breadth-first spread of "down" over `graph`, counting lost members per requirement."""
    down = {component_id}
    queue = deque(down)
    lost: dict[int, int] = {}  # requirement index -> how many of its targets are down
    while queue:
        target = queue.popleft()
        for index in graph.needed_by.get(target, ()):
            requirement = graph.requirements[index]
            if requirement.source_id in down:
                continue
            lost[index] = lost.get(index, 0) + 1
            if requirement.strong and lost[index] == requirement.tolerates + 1:
                down.add(requirement.source_id)
                queue.append(requirement.source_id)
    touched = {graph.requirements[index].source_id for index in lost}
    return BlastRadius(
        failed=component_id,
        down=frozenset(down),
        degraded=frozenset(touched - down),
        entry_points_lost=frozenset(down & graph.entry_points),
    )


def single_points_of_failure(
    model: Model, *, graph: DependencyGraph | None = None
) -> list[SinglePointOfFailure]:
    """Every single point of failure, sorted by component name (case-insensitive), then id."""
    graph = graph or DependencyGraph(model)
    takes_down = _takes_down(graph)
    lost_by: dict[int, set[int]] = {}
    for entry in graph.entry_points:
        for culprit in _members(takes_down[entry], graph.component_ids):
            lost_by.setdefault(culprit, set()).add(entry)
    with_modes = {fm.component_id for fm in model.failure_modes.values()}
    spofs = [
        SinglePointOfFailure(culprit, frozenset(entries), culprit in with_modes)
        for culprit, entries in lost_by.items()
        if entries - {culprit}
    ]
    return sorted(spofs, key=lambda s: _name_key(model, s.component_id))


def _takes_down(graph: DependencyGraph) -> dict[int, int]:
    """For each component v, the components whose single failure takes v down (v included),
    as a bit set over `graph.component_ids`.

    F(v) = {v} | union over strong requirements r of (the components in at least
    r.tolerates + 1 of the sets F(t), t in r.targets: an intersection for any-of, a union for
    all-of), as bit sets, solved by a worklist from the bottom up to the least fixed point. It
    is the same relation as `propagate` (v in F(x) iff v in blast radius of x) at the cost of
    one pass over the graph instead of one pass per component.
    """
    sets = {cid: 1 << index for index, cid in enumerate(graph.component_ids)}
    queue = deque(_dependencies_first(graph))
    queued = set(queue)
    while queue:
        cid = queue.popleft()
        queued.discard(cid)
        new = sets[cid] | _required_set(graph, cid, sets)
        if new != sets[cid]:
            sets[cid] = new
            for dependant in graph.dependants(cid) - queued:
                queue.append(dependant)
                queued.add(dependant)
    return sets


def _required_set(graph: DependencyGraph, cid: int, sets: dict[int, int]) -> int:
    result = 0
    for index in graph.requirements_of.get(cid, ()):
        requirement = graph.requirements[index]
        if requirement.strong:
            target_sets = [sets[t] for t in requirement.targets]
            result |= _in_at_least(requirement.tolerates + 1, target_sets)
    return result


def _in_at_least(count: int, bit_sets: list[int]) -> int:
    """The bits set in at least `count` of `bit_sets` (count >= 1)."""
    if count == len(bit_sets):
        common = -1  # all bits set: the identity of &
        for bits in bit_sets:
            common &= bits
        return common
    # at_least[j]: bits seen in at least j of the sets so far (a counter per bit, in bit slices)
    at_least = [-1] + [0] * count
    for bits in bit_sets:
        for j in range(count, 0, -1):
            at_least[j] |= at_least[j - 1] & bits
    return at_least[count]


def _dependencies_first(graph: DependencyGraph) -> list[int]:
    """Component ids with dependencies before dependants where the graph allows (fewer repeats)."""
    nx_graph: nx.DiGraph[int] = nx.DiGraph()
    nx_graph.add_nodes_from(graph.component_ids)
    for requirement in graph.requirements:
        nx_graph.add_edges_from((requirement.source_id, t) for t in requirement.targets)
    condensed = nx.condensation(nx_graph)
    order = reversed(list(nx.topological_sort(condensed)))
    return [cid for scc in order for cid in sorted(condensed.nodes[scc]["members"])]


def _members(bits: int, ids: tuple[int, ...]) -> Iterator[int]:
    while bits:
        low = bits & -bits
        yield ids[low.bit_length() - 1]
        bits ^= low


def strong_cycles(model: Model, *, limit: int = DEFAULT_CYCLE_LIMIT) -> list[list[int]]:
    """Each elementary cycle of strong dependencies, as component ids in dependency order.

    Every cycle starts at its component with the smallest name and cycles are sorted by length,
    then by names. Dense tangles can hold exponentially many cycles: at most `limit` are returned
    (which ones is deterministic for a given model); `strong_cycle_groups` is always complete.
    """
    names = {cid: _name_key(model, cid) for cid in model.components}
    found: list[list[int]] = []
    for cycle in nx.simple_cycles(digraph(model, strong_only=True)):
        start = min(range(len(cycle)), key=lambda i: names[cycle[i]])
        found.append(cycle[start:] + cycle[:start])
        if len(found) >= limit:
            break
    return sorted(found, key=lambda c: (len(c), [names[cid] for cid in c]))


def strong_cycle_groups(model: Model) -> list[list[int]]:
    """Sets of components tied together by strong cycles (strongly connected, 2+ members).

    Each group is sorted by name; groups are sorted by their first name.
    """
    groups = [
        sorted(scc, key=lambda cid: _name_key(model, cid))
        for scc in nx.strongly_connected_components(digraph(model, strong_only=True))
        if len(scc) > 1
    ]
    return sorted(groups, key=lambda g: _name_key(model, g[0]))


def _name_key(model: Model, component_id: int) -> tuple[str, int]:
    return (model.components[component_id].name.casefold(), component_id)


def names(model: Model, component_ids: Iterable[int]) -> list[str]:
    """Component names sorted case-insensitively, for lists shown to users."""
    ordered = sorted(component_ids, key=lambda cid: _name_key(model, cid))
    return [model.components[cid].name for cid in ordered]
