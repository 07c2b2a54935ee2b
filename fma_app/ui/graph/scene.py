"""The dependency canvas as a `QGraphicsScene` over a `Document`: what is drawn.

The domain model is the truth; the scene keeps `component id -> NodeItem` and
`dependency id -> EdgeItem` maps, refreshes only the items a `Change` names, and rebuilds on
`reset`. It shares the selection with the other views and highlights the selected failure
mode's component. Edits are the controller's (`graph.controller`), the blast radius and
single points of failure are the overlays' (`graph.overlays`), files are `graph.export`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QToolTip,
)

from fma_app.domain.commands import Change
from fma_app.domain.model import Model
from fma_app.ui.document import Document
from fma_app.ui.graph.items import (
    GROUP_COLORS,
    EdgeItem,
    EdgeLayer,
    JunctionItem,
    NodeItem,
    NodeStats,
)
from fma_app.ui.graph.node_layer import NodeLayer

SCENE_MARGIN = 600.0  # room around the graph to scroll into and drop new components
MANY_MOVED = 50  # moving more nodes than this repositions every OR junction


def node_stats(model: Model, component_ids: Iterable[int] | None = None) -> dict[int, NodeStats]:
    """Failure mode count, worst Action Priority and highest RPN per component, in one pass;
    failure modes not rated yet count but give no AP (worst None when none is rated)."""
    wanted = None if component_ids is None else set(component_ids)
    count: dict[int, int] = defaultdict(int)
    worst: dict[int, int] = {}
    max_rpn: dict[int, int] = defaultdict(int)
    for fm in model.failure_modes.values():
        cid = fm.component_id
        if wanted is not None and cid not in wanted:
            continue
        count[cid] += 1
        ap, rpn = fm.ap, fm.rpn
        if ap is None or rpn is None:
            continue  # not rated yet: no AP to be worst, never counted as L
        worst[cid] = min(worst.get(cid, 3), ap.order)
        max_rpn[cid] = max(max_rpn[cid], rpn)
    ids = model.components if wanted is None else wanted
    return {
        cid: NodeStats(count[cid], "HML"[worst[cid]] if cid in worst else None, max_rpn[cid])
        if count[cid]
        else NodeStats()
        for cid in ids
    }


class GraphScene(QGraphicsScene):
    nodes_dropped = Signal()  # the left button was released: a drag may have moved nodes

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[int, EdgeItem] = {}
        self.junctions: dict[tuple[int, str], JunctionItem] = {}
        self.selected_edges: set[int] = set()
        self.layer = EdgeLayer(self.edges)  # draws every edge (see EdgeItem)
        self.node_layer = NodeLayer(self.nodes)  # draws every node (see node_layer.py)
        self._fm_component: dict[int, int] = {}  # to find the node of a removed failure mode
        self._syncing = False  # true while applying the shared selection to the items
        # True while a selection made on the canvas goes out to the document: the views that
        # reveal a selected component must not scroll the canvas under the user's pointer
        self.selecting_on_canvas = False
        self._highlighted = 0
        self.weigh_by_calls = False  # edge width by observed calls (the graph's toggle)
        self.setBackgroundBrush(QColor("#fafafa"))
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(self.rebuild)
        document.selection.components_selected.connect(self._select_from_document)
        document.selection.failure_mode_selected.connect(self._highlight_failure_mode)
        self.selectionChanged.connect(self._selection_to_document)
        self.selectionChanged.connect(self._repaint_nodes)
        self.rebuild()

    @property
    def model(self) -> Model:
        return self.document.model

    def rebuild(self) -> None:
        self._syncing = True
        try:
            self.clear()
            self.nodes, self.edges, self.junctions = {}, {}, {}
            self.selected_edges = set()
            self.layer = EdgeLayer(self.edges)
            self.addItem(self.layer)
            self.node_layer = NodeLayer(self.nodes)
            self.addItem(self.node_layer)
            self._highlighted = 0
            stats = node_stats(self.model)
            for component in self.model.components.values():
                self._add_node(component.id, stats[component.id])
            for dependency_id in self.model.dependencies:
                self._add_edge(dependency_id)
            self._regroup(self.nodes)
            self.layer.invalidate()
            self.node_layer.invalidate()
            self.fit_scene_rect()
            self._fm_component = {
                fm.id: fm.component_id for fm in self.model.failure_modes.values()
            }
        finally:
            self._syncing = False
        self._select_from_document(self.document.selection.component_ids)
        self._highlight_failure_mode(self.document.selection.failure_mode_id)

    def _add_node(self, component_id: int, stats: NodeStats) -> NodeItem:
        node = NodeItem(self.model.components[component_id], stats)
        node.layer = self.node_layer
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
        if self.weigh_by_calls:
            edge.weigh_by_calls(True)
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
            placed: dict[int, tuple[JunctionItem, QColor]] = {}
            for index, group in enumerate(sorted(groups)):
                color = GROUP_COLORS[index % len(GROUP_COLORS)]
                # at most the group's size (a group that lost members needs all it has)
                needs = min(self.model.group_needs.get((source_id, group), 1), len(groups[group]))
                junction = JunctionItem(node, group, color, needs)
                self.addItem(junction)
                self.junctions[(source_id, group)] = junction
                junction.edges = groups[group]
                placed.update((e.dependency_id, (junction, color)) for e in groups[group])
            for edge in outgoing:  # touch only edges whose junction or colour changed
                new_junction, new_color = placed.get(edge.dependency_id, (None, None))
                if new_junction is None and edge.junction is None and edge.group_color is None:
                    continue
                edge.junction, edge.group_color = new_junction, new_color
                edge.restyle()

                edge.adjust()
            for group in sorted(groups):
                self.junctions[(source_id, group)].reposition()

    def set_weigh_by_calls(self, on: bool) -> None:
        """Draw edges wider the more calls the traces saw (a log scale; see EdgeItem)."""
        self.weigh_by_calls = on
        for edge in self.edges.values():
            edge.weigh_by_calls(on)
        self.edges_touched()

    def edges_touched(self) -> None:
        """Edges are drawn by one layer item: repaint it after any edge changed."""
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
        moved = list(nodes)
        for node in moved:
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
        # A node put down on someone else's OR circle would hide it: that circle moves aside
        if len(moved) > MANY_MOVED:
            junctions.update(self.junctions.values())
        else:
            junctions.update(
                j
                for j in self.junctions.values()
                if any(j.covered_by(node.cx, node.cy) for node in moved)
            )
        for junction in junctions:
            junction.reposition()
        touched = [self.edges[d] for d in edges if d in self.edges]
        touched += [e for j in junctions for e in j.edges]
        self.layer.edges_moved(touched)  # a drag moves lines, it restyles none
        if moved:
            self.node_layer.invalidate()

    def node_centres_near(self, x: float, y: float, reach: float) -> list[tuple[float, float]]:
        """Centres of the nodes within `reach` of (x, y) on both axes (from the scene index)."""
        area = QRectF(x - reach, y - reach, 2 * reach, 2 * reach)
        return [
            (item.cx, item.cy)
            for item in self.items(area, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
            if isinstance(item, NodeItem)
        ]

    def nodes_dragged(self) -> None:
        """During a mouse drag Qt moves the selected nodes; their edges follow."""
        self.nodes_moved(i for i in self.selectedItems() if isinstance(i, NodeItem))

    def fit_scene_rect(self) -> None:
        """Scroll range = the graph plus room to grow; Qt's default only ever grows, so after
        a layout or a delete the scroll bars would reach into empty space. It always holds what
        the views show: a scene rect that no longer covers the view makes Qt re-centre it, and
        the graph would jump under the user's pointer (a component added by double-click would
        land away from where they clicked)."""
        rect = self.itemsBoundingRect()
        rect.adjust(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN)
        for view in self.views():
            rect = rect.united(view.mapToScene(view.viewport().rect()).boundingRect())
        self.setSceneRect(rect)

    def _on_changed(self, changes: list[Change]) -> None:
        ids: dict[tuple[str, str], set[int]] = defaultdict(set)
        for change in changes:
            ids[(change.kind, change.op)].update(change.ids)
        model = self.model
        stale_stats: set[int] = set()
        regroup: set[int] = set()
        added_nodes = []
        for cid in ids[("component", "added")]:
            if cid in model.components and cid not in self.nodes:
                added_nodes.append(self._add_node(cid, NodeStats()))
                stale_stats.add(cid)
        changed_nodes = [
            self.nodes[cid]
            for cid in ids[("component", "changed")]
            if cid in self.nodes and cid in model.components
        ]
        for node in changed_nodes:
            node.update_from(model.components[node.component_id])
        self.nodes_moved(changed_nodes + added_nodes)  # a new node may land on an OR circle
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
        self.edges_touched()
        if ids[("component", "added")] or ids[("component", "removed")] or changed_nodes:
            self.node_layer.invalidate()
            self.fit_scene_rect()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton and isinstance(
            self.mouseGrabberItem(), NodeItem
        ):
            self.nodes_dragged()

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
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

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        travel = event.screenPos() - event.buttonDownScreenPos(Qt.MouseButton.LeftButton)
        if travel.manhattanLength() < QApplication.startDragDistance():
            # A click: whatever moved a node under a still pointer (a scroll, a twitch of a
            # pixel) is not an edit the user made
            self.put_back_selected()
            return
        self.nodes_dropped.emit()  # the controller records a drag as one undo step

    def put_back_selected(self) -> None:
        """Selected nodes that Qt moved go back to where the model has them."""
        moved = [
            node
            for node in self.selectedItems()
            if isinstance(node, NodeItem)
            and node.component_id in self.model.components
            and (node.pos().x(), node.pos().y())
            != (
                self.model.components[node.component_id].x,
                self.model.components[node.component_id].y,
            )
        ]
        for node in moved:
            node.update_from(self.model.components[node.component_id])
        if moved:
            self.nodes_moved(moved)

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
        self.edges_touched()

    def _repaint_nodes(self) -> None:
        """Selection outlines are the node layer's to draw."""
        self.node_layer.update()

    def _selection_to_document(self) -> None:
        if not self._syncing:
            self.select_on_canvas(self.selected_component_ids())

    def select_on_canvas(self, ids: list[int]) -> None:
        """Select components as the canvas's own gesture (a click, a double-click add): the
        document and the other views follow, the canvas does not scroll."""
        self.selecting_on_canvas = True
        try:
            self.document.selection.select_components(ids)
        finally:
            self.selecting_on_canvas = False

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

    @contextmanager
    def selection_hidden(self) -> Iterator[None]:
        """Draw without the selection outline (an export shows the model, not the session),
        leaving the document's selection as it is."""
        selected, edges = self.selectedItems(), set(self.selected_edges)
        self._syncing = True
        try:
            self.clearSelection()
            self.select_edges([])
            yield
            for item in selected:
                item.setSelected(True)
            self.select_edges(edges)
        finally:
            self._syncing = False
