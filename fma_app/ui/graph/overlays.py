"""The graph's overlays: blast radius, single points of failure, strong cycles, and the
contributors to one entry point's availability (shown for the Availability panel).

One overlay at a time (showing one replaces the other) styles the scene's items and fills the
panel's side list through `overlay_changed`; it is recomputed after every edit (cheap, see
benchmarks/bench_graph_scene) and dropped when the model is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from fma_app.analysis.impact import (
    BlastRadius,
    SinglePointOfFailure,
    blast_radius,
    single_points_of_failure,
    strong_cycles,
)
from fma_app.domain.commands import Change
from fma_app.domain.model import Model, Strength
from fma_app.ui.document import Document
from fma_app.ui.graph.items import (
    OVERLAY_AVAILABILITY_ENTRY,
    OVERLAY_CONTRIBUTOR,
    OVERLAY_CYCLE,
    OVERLAY_DEGRADED,
    OVERLAY_DOWN,
    OVERLAY_FAILED,
    OVERLAY_NONE,
    OVERLAY_SPOF,
    OVERLAY_SPOF_NO_FM,
    OVERLAY_UNAFFECTED,
)
from fma_app.ui.graph.scene import GraphScene


class GraphOverlays(QObject):
    overlay_changed = Signal(str, list)  # title, [(component id, text)] for the side list

    def __init__(self, document: Document, scene: GraphScene, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.scene = document, scene
        # ("blast", component id), ("spof", 0), ("cycles", 0), ("availability", entry) or None
        self._overlay: tuple[str, int] | None = None
        self._contributors: tuple[int, ...] = ()  # of the availability overlay, costliest first
        # Connected after the scene's own slots, so the items are current when restyled.
        document.changed.connect(self._after_edit)
        document.model_replaced.connect(self._forget)

    @property
    def model(self) -> Model:
        return self.document.model

    def _after_edit(self, _changes: list[Change]) -> None:
        if self._overlay is not None:  # stale after any edit: recompute
            self._refresh_overlay()

    def _forget(self) -> None:
        self._overlay = None
        self.overlay_changed.emit("", [])

    @property
    def overlay(self) -> tuple[str, int] | None:
        return self._overlay

    @property
    def kind(self) -> str:
        """Which overlay is shown: "blast", "spof", "cycles", "availability" or "" for none."""
        return self._overlay[0] if self._overlay else ""

    def show_blast_radius(self, component_id: int) -> BlastRadius:
        result = blast_radius(self.model, component_id)
        self._overlay = ("blast", component_id)
        for cid, node in self.scene.nodes.items():
            if cid == result.failed:
                node.set_overlay(OVERLAY_FAILED)
            elif cid in result.down:
                node.set_overlay(OVERLAY_DOWN)
            elif cid in result.degraded:
                node.set_overlay(OVERLAY_DEGRADED)
            else:
                node.set_overlay(OVERLAY_UNAFFECTED)
        out = result.down | result.degraded
        for edge in self.scene.edges.values():
            source, target = edge.source.component_id, edge.target.component_id
            impact = ""
            if target in result.down and source in out and source != result.failed:
                strong_path = edge.strength is Strength.STRONG and source in result.down
                impact = OVERLAY_DOWN if strong_path else OVERLAY_DEGRADED
            edge.set_impact(impact, dimmed=not impact)
        for junction in self.scene.junctions.values():
            junction.setOpacity(1.0 if any(e.impact for e in junction.edges) else 0.35)
        self.scene.edges_touched()
        self.overlay_changed.emit(*self._blast_rows(result))
        return result

    def _blast_rows(self, result: BlastRadius) -> tuple[str, list[tuple[int, str]]]:
        name = self.model.components[result.failed].name
        entry = result.entry_points_lost

        def row(cid: int, state: str) -> tuple[int, str]:
            suffix = "  (entry point lost)" if cid in entry else ""
            return cid, f"{state}: {self.model.components[cid].name}{suffix}"

        def by_name(ids: Iterable[int]) -> list[int]:
            return sorted(ids, key=lambda c: (self.model.components[c].name.casefold(), c))

        rows = [row(result.failed, "failed")]
        rows += [row(cid, "down") for cid in by_name(result.down - {result.failed})]
        rows += [row(cid, "degraded") for cid in by_name(result.degraded)]
        title = (
            f"Blast radius of {name}: {len(result.down) - 1} down, {len(result.degraded)} "
            f"degraded, {len(entry)} entry point(s) lost"
        )
        return title, rows

    def show_single_points_of_failure(self) -> list[SinglePointOfFailure]:
        spofs = single_points_of_failure(self.model)
        self._overlay = ("spof", 0)
        found = {s.component_id: s for s in spofs}
        for cid, node in self.scene.nodes.items():
            spof = found.get(cid)
            if spof is None:
                node.set_overlay(OVERLAY_NONE)
            else:
                node.set_overlay(OVERLAY_SPOF if spof.has_failure_modes else OVERLAY_SPOF_NO_FM)
        for edge in self.scene.edges.values():
            edge.set_impact("", dimmed=False)
        for junction in self.scene.junctions.values():  # a blast radius before had faded them
            junction.setOpacity(1.0)
        self.scene.edges_touched()
        rows = []
        for spof in spofs:
            names = sorted(self.model.components[e].name for e in spof.entry_points)
            flag = "\n  ⚠ no failure modes recorded" if not spof.has_failure_modes else ""
            name = self.model.components[spof.component_id].name
            rows.append((spof.component_id, f"{name}: takes down {', '.join(names)}{flag}"))
        title = f"Single points of failure: {len(spofs)}"
        if not self.model.components or not any(
            c.user_facing for c in self.model.components.values()
        ):
            title += " (mark entry points to find them)"
        self.overlay_changed.emit(title, rows)
        return spofs

    def show_strong_cycles(self) -> list[list[int]]:
        """Mark the components and dependencies on strong cycles; the others fade when there
        is any cycle to see."""
        cycles = strong_cycles(self.model)
        self._overlay = ("cycles", 0)
        on_cycle = {cid for cycle in cycles for cid in cycle}
        fade = OVERLAY_UNAFFECTED if cycles else OVERLAY_NONE
        for cid, node in self.scene.nodes.items():
            node.set_overlay(OVERLAY_CYCLE if cid in on_cycle else fade)
        links = {
            (cycle[i], cycle[(i + 1) % len(cycle)]) for cycle in cycles for i in range(len(cycle))
        }
        for edge in self.scene.edges.values():
            link = (edge.source.component_id, edge.target.component_id)
            on = link in links and edge.strength is Strength.STRONG
            edge.set_impact(OVERLAY_CYCLE if on else "", dimmed=bool(cycles) and not on)
        for junction in self.scene.junctions.values():
            junction.setOpacity(
                1.0 if any(e.impact for e in junction.edges) or not cycles else 0.35
            )
        self.scene.edges_touched()
        self.overlay_changed.emit(*self.strong_cycle_rows(cycles))
        return cycles

    def strong_cycle_rows(
        self, cycles: list[list[int]] | None = None
    ) -> tuple[str, list[tuple[int, str]]]:
        cycles = strong_cycles(self.model) if cycles is None else cycles
        rows = []
        for cycle in cycles:
            names = [self.model.components[cid].name for cid in cycle]
            rows.append((cycle[0], " → ".join([*names, names[0]])))
        return f"Strong dependency cycles: {len(cycles)}", rows

    def show_availability(self, entry_point: int, contributors: Iterable[int]) -> None:
        """Mark an entry point and the components that cost it availability, ranked (#1 the
        costliest); the others fade. The Availability panel computes them and calls this again
        after each recompute, so the marks follow what-if edits."""
        ranked = tuple(cid for cid in contributors if cid in self.scene.nodes)
        self._overlay, self._contributors = ("availability", entry_point), ranked
        rank = {cid: index + 1 for index, cid in enumerate(ranked)}
        for cid, node in self.scene.nodes.items():
            if cid == entry_point:  # its own outages count too: its rank, if it has one
                own = f"COSTS #{rank[cid]}" if cid in rank else "THIS ONE"
                node.set_overlay(OVERLAY_AVAILABILITY_ENTRY, own)
            elif cid in rank:
                node.set_overlay(OVERLAY_CONTRIBUTOR, f"COSTS #{rank[cid]}")
            else:
                node.set_overlay(OVERLAY_UNAFFECTED)
        marked = set(rank) | {entry_point}
        for edge in self.scene.edges.values():
            on = edge.source.component_id in marked and edge.target.component_id in marked
            edge.set_impact("", dimmed=not on)
        for junction in self.scene.junctions.values():
            junction.setOpacity(1.0 if any(
                e.source.component_id in marked and e.target.component_id in marked
                for e in junction.edges) else 0.35)  # fmt: skip
        self.scene.edges_touched()
        name = (
            self.model.components[entry_point].name if entry_point in self.model.components else ""
        )
        rows = [(cid, f"#{rank[cid]} {self.model.components[cid].name}") for cid in ranked]
        title = f"{name}: {len(ranked)} component(s) cost it availability, costliest first"
        self.overlay_changed.emit(title, rows)

    @property
    def contributors(self) -> tuple[int, ...]:
        """The components the availability overlay marks, costliest first."""
        return self._contributors if self.kind == "availability" else ()

    def clear_overlay(self) -> None:
        self._overlay = None
        for node in self.scene.nodes.values():
            node.set_overlay(OVERLAY_NONE)
        for edge in self.scene.edges.values():
            edge.set_impact("", dimmed=False)
        for junction in self.scene.junctions.values():
            junction.setOpacity(1.0)
        self.scene.edges_touched()
        self.overlay_changed.emit("", [])

    def _refresh_overlay(self) -> None:
        kind, cid = self._overlay or ("", 0)
        if kind == "blast" and cid in self.model.components:
            self.show_blast_radius(cid)
        elif kind == "spof":
            self.show_single_points_of_failure()
        elif kind == "cycles":
            self.show_strong_cycles()
        elif kind == "availability" and cid in self.model.components:
            # the panel sends the new ranking after its recompute; until then keep the marks
            self.show_availability(
                cid, [c for c in self._contributors if c in self.model.components]
            )
        else:
            self.clear_overlay()
