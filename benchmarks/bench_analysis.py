"""Print how long the impact analyses and the automatic layout take on a large model.

Targets (issue 4) on 2,000 components / 6,000 dependencies: blast radius < 50 ms, full single
point of failure pass < 2 s, automatic layout < 5 s.
Run: `.venv/bin/python -m benchmarks.bench_analysis`.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from benchmarks.generate import generate_model
from fma_app.analysis.graph import DependencyGraph
from fma_app.analysis.impact import (
    blast_radius,
    propagate,
    single_points_of_failure,
    strong_cycle_groups,
    strong_cycles,
)
from fma_app.analysis.layout import auto_layout
from fma_app.domain.model import Model


def build_model() -> Model:
    """The generated model (1 in 97 components user-facing), with every fifth component that has
    two or more dependencies putting its first two in a redundancy group."""
    model = generate_model(components=2000, dependencies=6000, failure_modes=2000, actions=0)
    by_source = defaultdict(list)
    for dep in model.dependencies.values():
        by_source[dep.source_id].append(dep)
    for index, deps in enumerate(by_source.values()):
        if index % 5 == 0 and len(deps) >= 2:
            deps[0].group = deps[1].group = "redundant"
    return model


def timed(label: str, function: Callable[[], object], repeat: int = 1) -> object:
    """Run `function`, print its wall time (median when repeated) and the process CPU time per
    run: when other work shares the machine, the CPU figure is the one to trust."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_ms, cpu_ms = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
    figures = f"{wall_ms:9.1f} ms wall {cpu_ms:9.1f} ms cpu"
    detail = f"  (median of {repeat}, worst wall {max(walls) * 1000:.1f} ms)" if repeat > 1 else ""
    print(f"{label:<40} {figures}{detail}")
    return result


def main() -> None:
    model = timed("generate model", build_model)
    groups = sum(1 for d in model.dependencies.values() if d.group) // 2
    entries = sum(1 for c in model.components.values() if c.user_facing)
    print(
        f"model: {len(model.components)} components, {len(model.dependencies)} dependencies, "
        f"{groups} redundancy groups, {entries} entry points"
    )
    graph = DependencyGraph(model)
    widest = max(model.components, key=lambda cid: len(propagate(graph, cid).down))
    radius = timed("blast radius, widest", lambda: blast_radius(model, widest), repeat=20)
    print(f"  -> {len(radius.down)} down, {len(radius.degraded)} degraded")
    leaf = list(model.components)[-1]  # nothing depends on the last component
    timed("blast radius, a leaf", lambda: blast_radius(model, leaf), repeat=20)
    timed("  of which: build DependencyGraph", lambda: DependencyGraph(model), repeat=20)
    timed("  widest on a prebuilt graph", lambda: propagate(graph, widest), repeat=20)
    spofs = timed("single points of failure, full pass", lambda: single_points_of_failure(model))
    unflagged = sum(1 for s in spofs if not s.has_failure_modes)
    print(f"  -> {len(spofs)} single points of failure, {unflagged} without failure modes")
    naive = timed("  (naive: blast radius per component)", lambda: _naive_spofs(graph))
    print(f"  -> naive pass agrees: {naive == {s.component_id for s in spofs}}")
    cycles = timed("strong cycles (limit 1000)", lambda: strong_cycles(model))
    tangles = timed("strong cycle groups", lambda: strong_cycle_groups(model))
    print(f"  -> {len(cycles)} cycles listed, {len(tangles)} groups")
    positions = timed("automatic layout", lambda: auto_layout(model))
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    print(f"  -> {len(positions)} positions, extent {max(xs):.0f} x {max(ys):.0f}")


def _naive_spofs(graph: DependencyGraph) -> set[int]:
    found = set()
    for cid in graph.component_ids:
        if propagate(graph, cid).entry_points_lost - {cid}:
            found.add(cid)
    return found


if __name__ == "__main__":
    main()
