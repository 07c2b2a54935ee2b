"""Automatic layout of the dependency graph: positions for every component, no overlaps.

Each weakly connected part is laid out on its own and the parts are stacked top to bottom (largest
first), with components that have no dependency at all in a grid below them:

- an acyclic part is layered left to right: callers on the left, what they depend on to their
  right (every dependency sits at least one column right of its dependant); rows are ordered by
  barycentre sweeps to shorten and uncross edges;
- a part with a cycle (strong or weak) gets a force layout (Fruchterman-Reingold, fixed seed and
  a bounded number of iterations), snapped to a grid so no two nodes overlap.

Positions are scene coordinates on a grid whose pitch is at least a node (`NODE_WIDTH` x
`NODE_HEIGHT`) plus a gap, so nodes anchored the same way at each position (centre or corner)
never overlap. The result is deterministic for a given model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable

import networkx as nx
import numpy as np

from fma_app.analysis.graph import digraph
from fma_app.domain.model import Model

NODE_WIDTH, NODE_HEIGHT = 140.0, 60.0
COLUMN_PITCH = NODE_WIDTH + 90.0  # room for arrows between layers
ROW_PITCH = NODE_HEIGHT + 30.0
FORCE_PITCH = (NODE_WIDTH + 40.0, NODE_HEIGHT + 30.0)
PART_GAP = 2 * ROW_PITCH
ISOLATED_COLUMNS = 8
BARYCENTRE_SWEEPS = 4
FORCE_ITERATIONS = 60
FORCE_PAIR_BUDGET = 120_000_000  # node pairs over all iterations: 30 iterations at 2,000 nodes
FORCE_MIN_ITERATIONS = 15
FORCE_SPARSITY = 3.0  # grid cells per node in a force layout
FORCE_TEMPERATURE = 0.05  # largest first step, in unit-square lengths
SEED = 1

Positions = dict[int, tuple[float, float]]


def auto_layout(model: Model) -> Positions:
    """Component id -> (x, y) scene position for every component of the model."""
    graph = digraph(model)
    names = nx.get_node_attributes(graph, "name")
    parts = [p for p in nx.weakly_connected_components(graph) if len(p) > 1]
    parts.sort(key=lambda p: (-len(p), min(names[n].casefold() for n in p)))
    isolated = sorted((n for n in graph if graph.degree(n) == 0), key=lambda n: names[n].casefold())
    result: Positions = {}
    top = 0.0
    for part in parts:
        sub = graph.subgraph(sorted(part)).copy()  # a view would filter on every traversal
        local = layered_layout(sub) if nx.is_directed_acyclic_graph(sub) else force_layout(sub)
        top = _place(result, local, top) + PART_GAP
    _place(result, _grid(isolated), top)
    return result


def _place(result: Positions, local: Positions, top: float) -> float:
    """Copy `local` shifted to start at (0, top); return its bottom edge."""
    if not local:
        return top - PART_GAP
    min_x = min(x for x, _ in local.values())
    min_y = min(y for _, y in local.values())
    for node, (x, y) in local.items():
        result[node] = (x - min_x, y - min_y + top)
    return top + max(y for _, y in local.values()) - min_y + NODE_HEIGHT


def _grid(nodes: list[int]) -> Positions:
    return {
        node: ((i % ISOLATED_COLUMNS) * COLUMN_PITCH, (i // ISOLATED_COLUMNS) * ROW_PITCH)
        for i, node in enumerate(nodes)
    }


# ---- layered (acyclic) ------------------------------------------------------------------------
def layered_layout(graph: nx.DiGraph[int]) -> Positions:
    """Longest-path layers from the callers (no dependants) rightwards, barycentre row order."""
    names = nx.get_node_attributes(graph, "name")
    layers = [
        sorted(layer, key=lambda n: (names.get(n, "").casefold(), n))
        for layer in nx.topological_generations(graph)
    ]
    rank = _centred_ranks(layers)
    for sweep in range(BARYCENTRE_SWEEPS):
        if sweep % 2 == 0:  # left to right: order by the dependants already placed
            for layer in layers[1:]:
                _order_layer(layer, graph.predecessors, rank)
        else:  # right to left: order by the dependencies
            for layer in reversed(layers[:-1]):
                _order_layer(layer, graph.successors, rank)
    tallest = max(len(layer) for layer in layers)
    return {
        node: (column * COLUMN_PITCH, (row + (tallest - len(layer)) / 2) * ROW_PITCH)
        for column, layer in enumerate(layers)
        for row, node in enumerate(layer)
    }


def _centred_ranks(layers: list[list[int]]) -> dict[int, float]:
    return {node: i - (len(layer) - 1) / 2 for layer in layers for i, node in enumerate(layer)}


def _order_layer(
    layer: list[int], neighbours: Callable[[int], Iterable[int]], rank: dict[int, float]
) -> None:
    """Sort one layer in place by the mean rank of its neighbours; keep place when it has none."""

    def key(node: int) -> float:
        around = [rank[n] for n in neighbours(node)]
        return sum(around) / len(around) if around else rank[node]

    layer.sort(key=key)  # stable: ties keep their current order
    for i, node in enumerate(layer):
        rank[node] = i - (len(layer) - 1) / 2


# ---- force (cyclic) ---------------------------------------------------------------------------
def force_layout(graph: nx.DiGraph[int], iterations: int | None = None) -> Positions:
    """Fruchterman-Reingold in numpy, started from the layers of the graph with its cycles cut
    (so mostly-acyclic parts keep their left-to-right flow), scaled and snapped to a grid.

    Each iteration costs n^2: large parts get fewer iterations (`FORCE_PAIR_BUDGET`)."""
    nodes = list(graph)
    if iterations is None:
        affordable = FORCE_PAIR_BUDGET // max(len(nodes) ** 2, 1)
        iterations = max(FORCE_MIN_ITERATIONS, min(FORCE_ITERATIONS, affordable))
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.intp).reshape(-1, 2)
    layered = layered_layout(_without_back_edges(graph))
    start = np.array([layered[node] for node in nodes], dtype=np.float32)
    start -= start.min(axis=0)
    start /= max(float(start.max()), 1.0)  # one scale for both axes keeps the aspect
    # A little seeded jitter: forces cannot move nodes off a line they all start on.
    start += np.random.default_rng(SEED).uniform(-0.5, 0.5, start.shape) / len(nodes)
    unit = _fruchterman_reingold(start, edges, iterations)
    return _snap(nodes, unit)


def _without_back_edges(graph: nx.DiGraph[int]) -> nx.DiGraph[int]:
    """The graph minus the edges that point back in a dependencies-last order: a DAG."""
    condensed = nx.condensation(graph)
    order: dict[int, int] = {}
    for scc in nx.topological_sort(condensed):
        for node in sorted(condensed.nodes[scc]["members"]):
            order[node] = len(order)
    acyclic: nx.DiGraph[int] = nx.DiGraph()
    acyclic.add_nodes_from(graph.nodes(data=True))
    acyclic.add_edges_from((u, v) for u, v in graph.edges() if order[u] < order[v])
    return acyclic


def _fruchterman_reingold(pos: np.ndarray, edges: np.ndarray, iterations: int) -> np.ndarray:
    """Move `pos` (in the unit square) by attraction along edges and repulsion between all pairs.
    Dense repulsion in row blocks keeps memory bounded."""
    count = len(pos)
    pos = pos.copy()
    k2 = np.float32(1.0 / count)  # ideal distance squared
    k = math.sqrt(k2)
    temperature = FORCE_TEMPERATURE
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = _repulsion(pos, k2)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            pull = delta * (np.sqrt((delta * delta).sum(axis=1)) / k)[:, None]
            for axis in range(2):
                disp[:, axis] -= np.bincount(edges[:, 0], pull[:, axis], minlength=count)
                disp[:, axis] += np.bincount(edges[:, 1], pull[:, axis], minlength=count)
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    return pos


def _repulsion(pos: np.ndarray, k2: np.float32, block: int = 256) -> np.ndarray:
    """Sum over j of (p_i - p_j) * k^2 / |p_i - p_j|^2, in place on row blocks.

    Plain element-wise numpy, not BLAS products: OpenBLAS threads slow it down several times on
    a busy machine, and their summation order depends on the thread count.
    """
    disp = np.empty_like(pos)
    x, y = pos[:, 0], pos[:, 1]
    for start in range(0, len(pos), block):
        rows = slice(start, start + block)
        dx = x[rows, None] - x[None, :]
        dy = y[rows, None] - y[None, :]
        force = dx * dx
        force += dy * dy
        np.maximum(force, np.float32(1e-6), out=force)
        np.divide(k2, force, out=force)
        dx *= force
        dy *= force
        disp[rows, 0] = dx.sum(axis=1)
        disp[rows, 1] = dy.sum(axis=1)
    return disp


def _snap(nodes: list[int], unit: np.ndarray) -> Positions:
    """Scale to about FORCE_SPARSITY cells per node, then give each node the nearest free cell."""
    span = unit.max(axis=0) - unit.min(axis=0)
    span = np.maximum(span, max(float(span.max()), 1e-6) / 4)  # a line still gets some height
    cells = math.sqrt(FORCE_SPARSITY * len(nodes) / (span[0] * span[1]))
    pitch_x, pitch_y = FORCE_PITCH
    scaled = (unit - unit.min(axis=0)) * cells  # in cells; the layout keeps its aspect
    centre = scaled.mean(axis=0)
    order = np.argsort(((scaled - centre) ** 2).sum(axis=1), kind="stable")
    taken: set[tuple[int, int]] = set()
    result: Positions = {}
    for i in order:
        cell = _nearest_free(float(scaled[i, 0]), float(scaled[i, 1]), taken)
        taken.add(cell)
        result[nodes[i]] = (cell[0] * pitch_x, cell[1] * pitch_y)
    return result


def _nearest_free(x: float, y: float, taken: set[tuple[int, int]]) -> tuple[int, int]:
    cx, cy = round(x), round(y)
    for radius in range(0, 1 << 16):
        ring = [c for c in _ring(cx, cy, radius) if c not in taken]
        if ring:
            return min(ring, key=lambda c: ((c[0] - x) ** 2 + (c[1] - y) ** 2, c))
    raise AssertionError("unreachable: the grid is unbounded")


def _ring(cx: int, cy: int, radius: int) -> Iterable[tuple[int, int]]:
    if radius == 0:
        yield (cx, cy)
        return
    for d in range(-radius, radius + 1):
        yield from ((cx + d, cy - radius), (cx + d, cy + radius))
    for d in range(-radius + 1, radius):
        yield from ((cx - radius, cy + d), (cx + radius, cy + d))


# ---- placing new components beside the ones they depend on -------------------------------------


def place_near_neighbours(model: Model, new_ids: Collection[int]) -> Positions:
    """Positions for the components `new_ids` (already in the model) beside the components they
    share a dependency with: a dependant one column left of what it depends on, a dependency one
    column right, on the nearest free cell. The others keep their places. A new component with
    no placed neighbour starts a row below everything; a model of only new components gets the
    automatic layout."""
    wanted = set(new_ids)
    if all(component_id in wanted for component_id in model.components):
        return {node: xy for node, xy in auto_layout(model).items() if node in wanted}
    placed = {c.id: (c.x, c.y) for c in model.components.values() if c.id not in wanted}
    taken = {(round(x / COLUMN_PITCH), round(y / ROW_PITCH)) for x, y in placed.values()}
    links: dict[int, list[tuple[int, float]]] = {node: [] for node in wanted}
    for dependency in model.dependencies.values():
        if dependency.source_id in links:  # the new one depends on it: stand to its left
            links[dependency.source_id].append((dependency.target_id, -COLUMN_PITCH))
        if dependency.target_id in links:
            links[dependency.target_id].append((dependency.source_id, COLUMN_PITCH))
    result: Positions = {}
    remaining = sorted(wanted, key=lambda node: model.components[node].name.casefold())
    while remaining:
        anchored = [node for node in remaining if any(o in placed for o, _ in links[node])]
        if not anchored:  # nothing placed next to it yet: a fresh row below the rest
            bottom = max((cell[1] for cell in taken), default=-2) + 2
            anchored, ideal = [remaining[0]], {remaining[0]: (0.0, float(bottom))}
        else:
            ideal = {node: _mean_of_neighbours(links[node], placed) for node in anchored}
        for node in anchored:
            cell = _nearest_free(*ideal[node], taken)
            taken.add(cell)
            placed[node] = result[node] = (cell[0] * COLUMN_PITCH, cell[1] * ROW_PITCH)
        remaining = [node for node in remaining if node not in result]
    return result


def _mean_of_neighbours(links: list[tuple[int, float]], placed: Positions) -> tuple[float, float]:
    """The grid cell (fractional) a new node would like: beside the mean of its neighbours."""
    spots = [(placed[o][0] + dx, placed[o][1]) for o, dx in links if o in placed]
    x = sum(spot[0] for spot in spots) / len(spots)
    y = sum(spot[1] for spot in spots) / len(spots)
    return x / COLUMN_PITCH, y / ROW_PITCH
