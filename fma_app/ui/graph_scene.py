"""The dependency canvas as a `QGraphicsScene` over a `Document`.

The domain model is the truth; the scene keeps `component id -> NodeItem` and
`dependency id -> EdgeItem` maps, refreshes only the items a `Change` names, and rebuilds on
`reset`. Every edit goes through a domain command pushed on the document's undo stack; the
methods below are what the view (mouse, keys, menus) and the tests call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QToolTip,
)

from fma_app.analysis.impact import (
    BlastRadius,
    SinglePointOfFailure,
    blast_radius,
    single_points_of_failure,
    strong_cycles,
)
from fma_app.analysis.layout import auto_layout
from fma_app.domain.commands import (
    Change,
    Command,
    Macro,
    add_component,
    add_dependency,
    remove,
    set_fields,
)
from fma_app.domain.model import ComponentKind, Model, Strength
from fma_app.ui.document import Document
from fma_app.ui.graph_items import (
    GROUP_COLORS,
    OVERLAY_DEGRADED,
    OVERLAY_DOWN,
    OVERLAY_FAILED,
    OVERLAY_NONE,
    OVERLAY_SPOF,
    OVERLAY_SPOF_NO_FM,
    OVERLAY_UNAFFECTED,
    EdgeItem,
    EdgeLayer,
    JunctionItem,
    NodeItem,
    NodeStats,
)

EXPORT_MARGIN = 30.0
SCENE_MARGIN = 600.0  # room around the graph to scroll into and drop new components
MAX_EXPORT_SIDE = 16000  # pixels: keeps a PNG of a huge graph within memory


def node_stats(model: Model, component_ids: Iterable[int] | None = None) -> dict[int, NodeStats]:
    """Failure mode count, worst Action Priority and highest RPN per component, in one pass."""
    wanted = None if component_ids is None else set(component_ids)
    count: dict[int, int] = defaultdict(int)
    worst: dict[int, int] = {}
    max_rpn: dict[int, int] = defaultdict(int)
    for fm in model.failure_modes.values():
        cid = fm.component_id
        if wanted is not None and cid not in wanted:
            continue
        count[cid] += 1
        worst[cid] = min(worst.get(cid, 3), fm.ap.order)
        max_rpn[cid] = max(max_rpn[cid], fm.rpn)
    ids = model.components if wanted is None else wanted
    return {
        cid: NodeStats(count[cid], "HML"[worst[cid]], max_rpn[cid]) if count[cid] else NodeStats()
        for cid in ids
    }


def next_component_name(model: Model) -> str:
    """ "component N" with the smallest N not taken (names are unique, case-insensitively)."""
    taken = {c.name.casefold() for c in model.components.values()}
    number = len(model.components) + 1
    while f"component {number}" in taken:
        number += 1
    return f"component {number}"


def positions_command(
    model: Model, positions: dict[int, tuple[float, float]], text: str
) -> Command | None:
    """Move components to new centres as one command; None when none of them moves."""
    commands: list[Command] = []
    for cid, (x, y) in sorted(positions.items()):
        component = model.components.get(cid)
        if component is not None and (component.x, component.y) != (float(x), float(y)):
            commands.append(set_fields(model, "component", cid, x=x, y=y))
    return Macro(commands, text) if commands else None


class GraphScene(QGraphicsScene):
    overlay_changed = Signal(str, list)  # title, [(component id, text)] for the side list

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[int, EdgeItem] = {}
        self.junctions: dict[tuple[int, str], JunctionItem] = {}
        self.selected_edges: set[int] = set()
        self.layer = EdgeLayer(self.edges)  # draws every edge (see EdgeItem)
        self._fm_component: dict[int, int] = {}  # to find the node of a removed failure mode
        self._syncing = False  # true while applying the shared selection to the items
        self._highlighted = 0
        self._overlay: tuple[str, int] | None = None  # ("blast", component id) or ("spof", 0)
        self.setBackgroundBrush(QColor("#fafafa"))
        document.changed.connect(self._on_changed)
        document.reset.connect(self.rebuild)
        document.selection.components_selected.connect(self._select_from_document)
        document.selection.failure_mode_selected.connect(self._highlight_failure_mode)
        self.selectionChanged.connect(self._selection_to_document)
        self.rebuild()

    @property
    def model(self) -> Model:
        return self.document.model

    # ---- building and refreshing -----------------------------------------------------------
    def rebuild(self) -> None:
        self._syncing = True
        try:
            self.clear()
            self.nodes, self.edges, self.junctions = {}, {}, {}
            self.selected_edges = set()
            self.layer = EdgeLayer(self.edges)
            self.addItem(self.layer)
            self._highlighted = 0
            stats = node_stats(self.model)
            for component in self.model.components.values():
                self._add_node(component.id, stats[component.id])
            for dependency_id in self.model.dependencies:
                self._add_edge(dependency_id)
            self._regroup(self.nodes)
            self.layer.invalidate()
            self.fit_scene_rect()
            self._fm_component = {
                fm.id: fm.component_id for fm in self.model.failure_modes.values()
            }
        finally:
            self._syncing = False
        self._overlay = None
        self.overlay_changed.emit("", [])
        self._select_from_document(self.document.selection.component_ids)
        self._highlight_failure_mode(self.document.selection.failure_mode_id)

    def _add_node(self, component_id: int, stats: NodeStats) -> NodeItem:
        node = NodeItem(self.model.components[component_id], stats)
        self.addItem(node)
        self.nodes[component_id] = node
        return node

    def _add_edge(self, dependency_id: int) -> EdgeItem | None:
        dependency = self.model.dependencies[dependency_id]
        source = self.nodes.get(dependency.source_id)
        target = self.nodes.get(dependency.target_id)
        if source is None or target is None:
            return None
        edge = EdgeItem(dependency, source, target)
        self.edges[dependency_id] = edge
        source.edge_ids.add(dependency_id)
        target.edge_ids.add(dependency_id)
        return edge

    def _remove_edge(self, dependency_id: int) -> None:
        edge = self.edges.pop(dependency_id, None)
        if edge is None:
            return
        self.selected_edges.discard(dependency_id)
        edge.source.edge_ids.discard(dependency_id)
        edge.target.edge_ids.discard(dependency_id)
        if edge.junction is not None:
            edge.junction.edges.remove(edge)

    def _remove_node(self, component_id: int) -> set[int]:
        """Remove a node and its edges; returns the dependants whose OR junctions changed."""
        node = self.nodes.pop(component_id, None)
        if node is None:
            return set()
        sources = {self.edges[d].source.component_id for d in node.edge_ids}
        for dependency_id in list(node.edge_ids):
            self._remove_edge(dependency_id)
        for key in [k for k in self.junctions if k[0] == component_id]:
            self.removeItem(self.junctions.pop(key))
        self.removeItem(node)
        return sources - {component_id}

    def _regroup(self, source_ids: Iterable[int]) -> None:
        """Rebuild the OR junctions of these dependants from their outgoing edges."""
        for source_id in set(source_ids):
            for key in [k for k in self.junctions if k[0] == source_id]:
                self.removeItem(self.junctions.pop(key))
            node = self.nodes.get(source_id)
            if node is None:
                continue
            outgoing = [self.edges[d] for d in node.edge_ids if self.edges[d].source is node]
            groups: dict[str, list[EdgeItem]] = defaultdict(list)
            for edge in outgoing:
                if edge.group:
                    groups[edge.group].append(edge)
            placed: dict[int, tuple[JunctionItem | None, object]] = {}
            for index, group in enumerate(sorted(groups)):
                color = GROUP_COLORS[index % len(GROUP_COLORS)]
                junction = JunctionItem(node, group, color)
                self.addItem(junction)
                self.junctions[(source_id, group)] = junction
                junction.edges = groups[group]
                placed.update((e.dependency_id, (junction, color)) for e in groups[group])
            for edge in outgoing:  # touch only edges whose junction or colour changed
                junction, color = placed.get(edge.dependency_id, (None, None))
                if junction is None and edge.junction is None and edge.group_color is None:
                    continue
                edge.junction, edge.group_color = junction, color
                edge.restyle()

                edge.adjust()
            for key in sorted(groups):
                self.junctions[(source_id, key)].reposition()

    def _edges_touched(self) -> None:
        self.layer.invalidate()

    def edge_at(self, pos: QPointF, tolerance: float) -> EdgeItem | None:
        """The edge nearest pos within tolerance (scene units): edges are not Qt items."""
        best, best_distance = None, tolerance
        x, y = pos.x(), pos.y()
        for edge in self.edges.values():
            x1, y1, x2, y2 = edge.coords
            if not (min(x1, x2) - tolerance <= x <= max(x1, x2) + tolerance):
                continue
            if not (min(y1, y2) - tolerance <= y <= max(y1, y2) + tolerance):
                continue
            distance = edge.distance_to(x, y)
            if distance <= best_distance:
                best, best_distance = edge, distance
        return best

    def node_moved(self, node: NodeItem) -> None:
        self.nodes_moved([node])

    def nodes_moved(self, nodes: Iterable[NodeItem]) -> None:
        """Nodes changed position (a drag, undo, layout): re-attach each edge and OR junction
        once, however many of its ends moved."""
        edges: set[int] = set()
        for node in nodes:
            node.sync_pos()
            edges |= node.edge_ids
        junctions: set[JunctionItem] = set()
        for dependency_id in edges:
            edge = self.edges.get(dependency_id)
            if edge is None:
                continue
            if edge.junction is not None:
                junctions.add(edge.junction)
            else:
                edge.adjust()
        for junction in junctions:
            junction.reposition()
        self._edges_touched()

    def nodes_dragged(self) -> None:
        """During a mouse drag Qt moves the selected nodes; their edges follow."""
        self.nodes_moved(i for i in self.selectedItems() if isinstance(i, NodeItem))

    def fit_scene_rect(self) -> None:
        """Scroll range = the graph plus room to grow; Qt's default only ever grows, so after
        a layout or a delete the scroll bars would reach into empty space."""
        rect = self.itemsBoundingRect()
        self.setSceneRect(rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))

    def _on_changed(self, changes: list[Change]) -> None:
        ids: dict[tuple[str, str], set[int]] = defaultdict(set)
        for change in changes:
            ids[(change.kind, change.op)].update(change.ids)
        model = self.model
        stale_stats: set[int] = set()
        regroup: set[int] = set()
        for cid in ids[("component", "added")]:
            if cid in model.components and cid not in self.nodes:
                self._add_node(cid, NodeStats())
                stale_stats.add(cid)
        changed_nodes = [
            self.nodes[cid]
            for cid in ids[("component", "changed")]
            if cid in self.nodes and cid in model.components
        ]
        for node in changed_nodes:
            node.update_from(model.components[node.component_id])
        self.nodes_moved(changed_nodes)
        for did in ids[("dependency", "removed")] | ids[("dependency", "changed")]:
            edge = self.edges.get(did)
            if edge is not None:
                regroup.update((edge.source.component_id, edge.target.component_id))
                self._remove_edge(did)
        for did in ids[("dependency", "added")] | ids[("dependency", "changed")]:
            if did in model.dependencies and self._add_edge(did) is not None:
                regroup.add(model.dependencies[did].source_id)
        for cid in ids[("component", "removed")]:
            regroup |= self._remove_node(cid)
        regroup &= set(self.nodes)
        self._regroup(regroup)
        for op in ("added", "changed", "removed"):
            for fm_id in ids[("failure_mode", op)]:
                if fm_id in self._fm_component:
                    stale_stats.add(self._fm_component.pop(fm_id))
                fm = model.failure_modes.get(fm_id)
                if fm is not None:
                    self._fm_component[fm_id] = fm.component_id
                    stale_stats.add(fm.component_id)
        stale_stats &= set(self.nodes)
        if stale_stats:
            for cid, stats in node_stats(model, stale_stats).items():
                self.nodes[cid].set_stats(stats)
        if ids[("failure_mode", "changed")] | ids[("failure_mode", "removed")]:
            self._highlight_failure_mode(self.document.selection.failure_mode_id)
        if self._overlay is not None:  # stale after any edit: recompute (cheap, see benchmark)
            self._refresh_overlay()
        self._edges_touched()
        if ids[("component", "added")] or ids[("component", "removed")] or changed_nodes:
            self.fit_scene_rect()

    # ---- edits (each one undo step, through the document's gate) --------------------------
    def _edit(
        self, make_command: Callable[[Model], Command | None], refused_as: str = ""
    ) -> str | None:
        """Edit through the document's gate; the refusal text, or None."""
        return self.document.edit(make_command, refused_as=refused_as)

    def add_component_at(self, pos: QPointF, kind: ComponentKind | str = "service") -> int | None:
        """Add a component centred at pos, named "component N"; its id, or None if refused."""
        return self.document.add(
            lambda model: add_component(
                model, next_component_name(model), kind, x=pos.x(), y=pos.y()
            )
        )

    def rename_component(self, component_id: int, name: str) -> str | None:
        """Rename; returns the refusal message (empty or duplicate name) or None."""

        def rename(model: Model) -> Command | None:
            if model.components[component_id].name == name.strip():
                return None
            return set_fields(model, "component", component_id, name=name)

        return self._edit(rename, "Not renamed: ")

    def set_component_fields(self, component_id: int, **values: object) -> str | None:
        return self._edit(lambda model: set_fields(model, "component", component_id, **values))

    def toggle_entry_point(self, component_id: int) -> str | None:
        current = self.model.components[component_id].user_facing
        return self.set_component_fields(component_id, user_facing=not current)

    def toggle_strength(self, dependency_id: int) -> str | None:
        current = self.model.dependencies[dependency_id].strength
        new = Strength.WEAK if current is Strength.STRONG else Strength.STRONG
        return self._edit(
            lambda model: set_fields(model, "dependency", dependency_id, strength=new)
        )

    def set_group(self, dependency_id: int, group: str) -> str | None:
        if self.model.dependencies[dependency_id].group == group.strip():
            return None
        return self._edit(
            lambda model: set_fields(model, "dependency", dependency_id, group=group.strip())
        )

    def connect_components(
        self, source_id: int, target_id: int, strength: Strength | str = Strength.STRONG
    ) -> str | None:
        """Add "source depends on target"; returns the refusal message or None."""
        return self._edit(
            lambda model: add_dependency(model, source_id, target_id, strength=strength),
            "Not connected: ",
        )

    def delete(self, component_ids: Iterable[int] = (), dependency_ids: Iterable[int] = ()) -> bool:
        """Delete components (with their dependencies and failure modes) and dependencies."""
        components = [cid for cid in component_ids if cid in self.model.components]
        gone = set(components)
        dependencies = [
            did
            for did in dependency_ids
            if did in self.model.dependencies
            and not {self.model.dependencies[did].source_id, self.model.dependencies[did].target_id}
            & gone
        ]
        if not components and not dependencies:
            return False

        def removal(model: Model) -> Command:
            commands: list[Command] = []
            if dependencies:
                commands.append(remove(model, "dependency", dependencies))
            if components:
                commands.append(remove(model, "component", components))
            return commands[0] if len(commands) == 1 else Macro(commands, "Delete Selection")

        return self._edit(removal) is None

    def delete_selected(self) -> bool:
        return self.delete(self.selected_component_ids(), self.selected_dependency_ids())

    def commit_moves(self) -> bool:
        """After a drag: record every node whose position differs from the model as ONE command.

        `do()` writes the positions the items already have, and the `changed` refresh puts the
        items where they are, so undo/redo both go through the same path. A refused move puts
        the nodes back where the model has them.
        """
        moved = [
            item
            for item in self.selectedItems()
            if isinstance(item, NodeItem)
            and item.component_id in self.model.components
            and (item.pos().x(), item.pos().y())
            != (
                self.model.components[item.component_id].x,
                self.model.components[item.component_id].y,
            )
        ]
        if not moved:
            return False
        positions = {n.component_id: (n.pos().x(), n.pos().y()) for n in moved}
        text = "Move Component" if len(moved) == 1 else f"Move {len(moved)} Components"
        if self._edit(lambda model: positions_command(model, positions, text)) is None:
            return True
        for node in moved:
            node.update_from(self.model.components[node.component_id])
        self.nodes_moved(moved)
        return False

    def apply_positions(self, positions: dict[int, tuple[float, float]], text: str) -> bool:
        """Move many components as one undo step (automatic layout)."""
        command = self.document.apply(lambda model: positions_command(model, positions, text))
        return command is not None

    def auto_layout(self) -> bool:
        return self.apply_positions(auto_layout(self.model), "Automatic Layout")

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton and isinstance(
            self.mouseGrabberItem(), NodeItem
        ):
            self.nodes_dragged()

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802
        """Tooltips computed when asked, not stored on thousands of items."""
        found = next(
            (i for i in self.items(event.scenePos()) if isinstance(i, NodeItem | JunctionItem)),
            None,
        ) or self.edge_at(event.scenePos(), 5.0)
        if found is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.screenPos(), found.tooltip())
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    # ---- selection shared with the other views ---------------------------------------------
    def selected_component_ids(self) -> list[int]:
        return sorted(i.component_id for i in self.selectedItems() if isinstance(i, NodeItem))

    def selected_dependency_ids(self) -> list[int]:
        return sorted(self.selected_edges)

    def select_edges(self, ids: Iterable[int], add: bool = False) -> None:
        """Edges are not Qt-selectable (see EdgeItem); the scene keeps their selection."""
        wanted = {i for i in ids if i in self.edges} | (self.selected_edges if add else set())
        for dependency_id in self.selected_edges - wanted:
            self.edges[dependency_id].set_selected(False)
        for dependency_id in wanted - self.selected_edges:
            self.edges[dependency_id].set_selected(True)
        self.selected_edges = wanted
        self._edges_touched()

    def _selection_to_document(self) -> None:
        if not self._syncing:
            self.document.selection.select_components(self.selected_component_ids())

    def _select_from_document(self, ids: list[int]) -> None:
        if self._syncing or ids == self.selected_component_ids():
            return
        self._syncing = True
        try:
            self.clearSelection()
            for cid in ids:
                node = self.nodes.get(cid)
                if node is not None:
                    node.setSelected(True)
        finally:
            self._syncing = False

    def _highlight_failure_mode(self, failure_mode_id: int) -> None:
        fm = self.model.failure_modes.get(failure_mode_id)
        wanted = fm.component_id if fm is not None else 0
        if self._highlighted in self.nodes and self._highlighted != wanted:
            self.nodes[self._highlighted].set_highlighted(False)
        if wanted in self.nodes:
            self.nodes[wanted].set_highlighted(True)
        self._highlighted = wanted

    @property
    def highlighted_component(self) -> int:
        return self._highlighted

    # ---- impact overlays -------------------------------------------------------------------
    @property
    def overlay(self) -> tuple[str, int] | None:
        return self._overlay

    def show_blast_radius(self, component_id: int) -> BlastRadius:
        result = blast_radius(self.model, component_id)
        self._overlay = ("blast", component_id)
        for cid, node in self.nodes.items():
            if cid == result.failed:
                node.set_overlay(OVERLAY_FAILED)
            elif cid in result.down:
                node.set_overlay(OVERLAY_DOWN)
            elif cid in result.degraded:
                node.set_overlay(OVERLAY_DEGRADED)
            else:
                node.set_overlay(OVERLAY_UNAFFECTED)
        out = result.down | result.degraded
        for edge in self.edges.values():
            source, target = edge.source.component_id, edge.target.component_id
            impact = ""
            if target in result.down and source in out and source != result.failed:
                strong_path = edge.strength is Strength.STRONG and source in result.down
                impact = OVERLAY_DOWN if strong_path else OVERLAY_DEGRADED
            edge.set_impact(impact, dimmed=not impact)
        for junction in self.junctions.values():
            junction.setOpacity(1.0 if any(e.impact for e in junction.edges) else 0.35)
        self._edges_touched()
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
        for cid, node in self.nodes.items():
            spof = found.get(cid)
            if spof is None:
                node.set_overlay(OVERLAY_NONE)
            else:
                node.set_overlay(OVERLAY_SPOF if spof.has_failure_modes else OVERLAY_SPOF_NO_FM)
        for edge in self.edges.values():
            edge.set_impact("", dimmed=False)
        self._edges_touched()
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

    def strong_cycle_rows(self) -> tuple[str, list[tuple[int, str]]]:
        cycles = strong_cycles(self.model)
        rows = []
        for cycle in cycles:
            names = [self.model.components[cid].name for cid in cycle]
            rows.append((cycle[0], " → ".join([*names, names[0]])))
        return f"Strong dependency cycles: {len(cycles)}", rows

    def clear_overlay(self) -> None:
        self._overlay = None
        for node in self.nodes.values():
            node.set_overlay(OVERLAY_NONE)
        for edge in self.edges.values():
            edge.set_impact("", dimmed=False)
        for junction in self.junctions.values():
            junction.setOpacity(1.0)
        self._edges_touched()
        self.overlay_changed.emit("", [])

    def _refresh_overlay(self) -> None:
        kind, cid = self._overlay or ("", 0)
        if kind == "blast" and cid in self.model.components:
            self.show_blast_radius(cid)
        elif kind == "spof":
            self.show_single_points_of_failure()
        else:
            self.clear_overlay()

    # ---- export ----------------------------------------------------------------------------
    def export_rect(self) -> QRectF:
        rect = self.itemsBoundingRect()
        if rect.isEmpty():
            raise ValueError("The graph is empty: add components before exporting it.")
        return rect.adjusted(-EXPORT_MARGIN, -EXPORT_MARGIN, EXPORT_MARGIN, EXPORT_MARGIN)

    def _render(self, painter: QPainter, target: QRectF, source: QRectF) -> None:
        """Render without the selection outline (an export shows the model, not the session)."""
        selected, edges = self.selectedItems(), set(self.selected_edges)
        self._syncing = True
        try:
            self.clearSelection()
            self.select_edges([])
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.render(painter, target, source)
            for item in selected:
                item.setSelected(True)
            self.select_edges(edges)
        finally:
            self._syncing = False

    def export_png(self, path: Path | str, scale: float = 2.0) -> Path:
        source = self.export_rect()
        scale = min(scale, MAX_EXPORT_SIDE / max(source.width(), source.height()))
        size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            self._render(painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"Could not write the PNG file {path}.")
        return Path(path)

    def export_svg(self, path: Path | str) -> Path:
        source = self.export_rect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(source.size().toSize())
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(self.model.name)
        generator.setDescription("Dependency graph exported from FMA Workbench")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"Could not write the SVG file {path}.")
        try:
            self._render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            painter.end()
        if not Path(path).is_file():
            raise OSError(f"Could not write the SVG file {path}.")
        return Path(path)
