"""The canvas: `GraphView` turns gestures (zoom, pan, connect, rename in place, context menus)
into calls on the graph's controller and overlays.

Tests call the same methods the gestures call (`finish_connect`, `begin_rename`, `node_menu`,
...) instead of simulating drags.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QActionGroup,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsView,
    QLineEdit,
    QMenu,
    QWidget,
)

from fma_app.domain.model import ComponentKind, Strength
from fma_app.ui.graph.controller import GraphController
from fma_app.ui.graph.items import EdgeItem, NodeItem
from fma_app.ui.graph.overlays import GraphOverlays
from fma_app.ui.graph.scene import GraphScene
from fma_app.ui.interaction import Interaction

ZOOM_STEP = 1.2
EDGE_PICK_PIXELS = 5.0
MIN_SCALE, MAX_SCALE = 0.05, 4.0


class RenameEditor(QLineEdit):
    """The in-place name editor over a node: Enter commits, Escape cancels, leaving commits."""

    finished = Signal(bool)  # True to commit

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.finished.emit(False)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finished.emit(True)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.finished.emit(True)


class GraphView(QGraphicsView):
    library_requested = Signal(int)  # component id: Add from Library... on its node
    # The canvas's keys and gestures that are not actions (keyPressEvent and the mouse handlers
    # below); Help > Keyboard Shortcuts lists them, so a key added here is a key documented.
    KEY_HELP: tuple[tuple[str, str], ...] = (
        ("Del or Backspace", "Delete the selected components and dependencies"),
        ("F2 or double-click a component", "Rename it (Enter keeps, Esc cancels)"),
        ("Double-click the background", "Add a component there"),
        ("Shift+drag", "Connect: drag from a component to what it depends on"),
        ("Ctrl+click", "Add to or take from the selection"),
        ("Esc", "Stop connecting and clear the overlay"),
        ("Ctrl+wheel", "Zoom"),
        ("Space+drag or middle-drag", "Pan"),
    )

    def __init__(
        self,
        scene: GraphScene,
        edits: GraphController,
        overlays: GraphOverlays,
        interaction: Interaction,
        parent: QWidget | None = None,
    ):
        super().__init__(scene, parent)
        self.graph = scene
        self.edits, self.overlays = edits, overlays
        self.interaction = interaction
        self.connect_mode = False  # toolbar toggle; Shift+drag connects too
        self._connect_source: NodeItem | None = None
        self._connect_line: QGraphicsLineItem | None = None
        self._pan_origin: QPoint | None = None
        self.rename_editor: RenameEditor | None = None
        self._renaming = 0
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Scroll bars that come and go resize the viewport, and Qt re-centres the graph under
        # the pointer (an added component would land away from the click): always there
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

    # ---- zoom ------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        factor = max(MIN_SCALE / self.zoom, min(MAX_SCALE / self.zoom, factor))
        self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        rect = self.graph.itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.5:  # a few nodes should not fill the window at giant size
            self.zoom_by(1.5 / self.zoom)

    def auto_layout(self) -> bool:
        """Lay the graph out and show all of it (also when the layout was already in place)."""
        moved = self.edits.auto_layout()
        self.fit()
        return moved

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(ZOOM_STEP ** (event.angleDelta().y() / 120))
            event.accept()
            return
        super().wheelEvent(event)

    # ---- items under the cursor ------------------------------------------------------------
    def node_at(self, pos: QPoint) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def _item_at(self, pos: QPoint) -> NodeItem | EdgeItem | None:
        """The node under pos, else an edge within a few pixels (edges are thin)."""
        node = self.node_at(pos)
        if node is not None:
            return node
        return self.graph.edge_at(self.mapToScene(pos), EDGE_PICK_PIXELS / self.zoom)

    # ---- mouse: connect, pan -------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_origin = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        wants_connect = self.connect_mode or (event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        node = self.node_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and wants_connect and node is not None:
            self.start_connect(node)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            item = self._item_at(event.position().toPoint())
            add = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if isinstance(item, EdgeItem):  # edges are selected by the scene, not by Qt
                if not add:
                    self.graph.clearSelection()
                self.graph.select_edges([item.dependency_id], add=add)
                event.accept()
                return
            if not add:
                self.graph.select_edges([])
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_origin is not None:
            delta = event.position().toPoint() - self._pan_origin
            self._pan_origin = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._connect_line is not None and self._connect_source is not None:
            end = self.mapToScene(event.position().toPoint())
            self._connect_line.setLine(QLineF(self._connect_source.pos(), end))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_origin is not None:
            self._pan_origin = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._connect_source is not None:
            self.finish_connect(self.node_at(event.position().toPoint()))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def start_connect(self, source: NodeItem) -> None:
        self._connect_source = source
        line = QGraphicsLineItem(QLineF(source.pos(), source.pos()))
        line.setPen(QPen(QColor("#1e88e5"), 2, Qt.PenStyle.DashLine))
        line.setZValue(10)
        self.graph.addItem(line)
        self._connect_line = line

    def finish_connect(self, target: NodeItem | None) -> str | None:
        """Drop the rubber line: on a node it connects (source depends on target)."""
        source = self._connect_source
        if self._connect_line is not None:
            self.graph.removeItem(self._connect_line)
        self._connect_source, self._connect_line = None, None
        if source is None or target is None:
            return None
        return self.edits.connect_components(source.component_id, target.component_id)

    # ---- keys ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.edits.delete_selected()
        elif key == Qt.Key.Key_F2:
            selected = self.graph.selected_component_ids()
            if len(selected) == 1:
                self.begin_rename(selected[0])
        elif key == Qt.Key.Key_Escape:
            self.finish_connect(None)
            self.overlays.clear_overlay()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)  # space+drag pans
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ---- double-click: add or rename -------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        pos = event.position().toPoint()
        node = self.node_at(pos)
        if node is not None:
            self.begin_rename(node.component_id)
        elif self._item_at(pos) is None:
            self.add_component_at(self.mapToScene(pos))
        event.accept()

    def add_component_at(self, scene_pos: QPointF) -> int | None:
        """Add a component where asked and open its name for editing; None if refused."""
        component_id = self.edits.add_component_at(scene_pos)
        if component_id is None:
            return None
        self.graph.select_on_canvas([component_id])  # it is where the user looks: no scroll
        self.begin_rename(component_id)
        return component_id

    def begin_rename(self, component_id: int) -> RenameEditor:
        self.finish_rename(commit=True)
        node = self.graph.nodes[component_id]
        rect = self.mapFromScene(node.mapRectToScene(node.name_rect())).boundingRect()
        editor = RenameEditor(self.viewport())
        editor.setText(node.name)
        editor.selectAll()
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        editor.setGeometry(rect.adjusted(-6, -4, 6, 4))
        editor.finished.connect(self.finish_rename)
        editor.show()
        editor.setFocus()
        self.rename_editor, self._renaming = editor, component_id
        return editor

    def finish_rename(self, commit: bool = True) -> str | None:
        editor, component_id = self.rename_editor, self._renaming
        if editor is None:
            return None
        self.rename_editor, self._renaming = None, 0  # first: focus-out fires again on hide
        text = editor.text()
        editor.hide()
        editor.deleteLater()
        self.setFocus()
        if commit and component_id in self.graph.model.components:
            return self.edits.rename_component(component_id, text)
        return None

    # ---- context menus ---------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self._item_at(event.pos())
        if isinstance(item, NodeItem):
            if not item.isSelected():
                self.graph.clearSelection()
                item.setSelected(True)
            menu = self.node_menu(item.component_id)
        elif isinstance(item, EdgeItem):
            self.graph.clearSelection()
            self.graph.select_edges([item.dependency_id])
            menu = self.edge_menu(item.dependency_id)
        else:
            menu = self.background_menu(self.mapToScene(event.pos()))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def node_menu(self, component_id: int) -> QMenu:
        component = self.graph.model.components[component_id]
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.begin_rename(component_id))
        kinds = menu.addMenu("Kind")
        group = QActionGroup(kinds)
        for kind in ComponentKind:
            action = kinds.addAction(kind.value.capitalize())
            action.setCheckable(True)
            action.setChecked(kind is component.kind)
            action.setActionGroup(group)
            action.triggered.connect(
                lambda _=False, k=kind: self.edits.set_component_fields(component_id, kind=k)
            )
        entry = menu.addAction("Entry Point (user facing)")
        entry.setCheckable(True)
        entry.setChecked(component.user_facing)
        entry.triggered.connect(lambda: self.edits.toggle_entry_point(component_id))
        menu.addSeparator()
        menu.addAction("Show Blast Radius", lambda: self.overlays.show_blast_radius(component_id))
        menu.addAction("Add from Library…", lambda: self.library_requested.emit(component_id))
        menu.addSeparator()
        selected = self.graph.selected_component_ids()
        ids = selected if component_id in selected else [component_id]
        label = "Delete Component" if len(ids) == 1 else f"Delete {len(ids)} Components"
        menu.addAction(label, lambda: self.edits.delete(ids, self.graph.selected_dependency_ids()))
        return menu

    def edge_menu(self, dependency_id: int) -> QMenu:
        dependency = self.graph.model.dependencies[dependency_id]
        menu = QMenu(self)
        weak = menu.addAction("Weak Dependency")
        weak.setCheckable(True)
        weak.setChecked(dependency.strength is Strength.WEAK)
        weak.triggered.connect(lambda: self.edits.toggle_strength(dependency_id))
        menu.addAction("Redundancy Group…", lambda: self.ask_group(dependency_id))
        if dependency.group:
            menu.addAction("Group Needs…", lambda: self.ask_group_needs(dependency_id))
        menu.addSeparator()
        menu.addAction("Delete Dependency", lambda: self.edits.delete((), [dependency_id]))
        return menu

    def background_menu(self, scene_pos: QPointF) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Add Component Here", lambda: self.add_component_at(scene_pos))
        menu.addAction("Automatic Layout", self.auto_layout)
        menu.addAction("Fit to Window", self.fit)
        return menu

    def ask_group(self, dependency_id: int) -> None:
        dependency = self.graph.model.dependencies[dependency_id]
        text = self.interaction.ask_text(
            "Redundancy Group",
            "Dependencies of one component that share a group name are alternatives\n"
            "(it needs any one of them). Leave empty for none.",
            dependency.group,
        )
        if text is not None:
            self.edits.set_group(dependency_id, text)

    def ask_group_needs(self, dependency_id: int) -> None:
        """How many members of this dependency's group its component needs (k of n)."""
        model = self.graph.model
        dependency = model.dependencies[dependency_id]
        source, group = dependency.source_id, dependency.group
        size = len(model.group_members(source, group))
        text = self.interaction.ask_text(
            "Group Needs",
            f"How many of the {size} members of group {group!r} must be up for "
            f"{model.components[source].name} to work?\n1: any one of them; {size}: all of them.",
            str(model.needs_of(source, group)),
        )
        if text is not None:
            self.edits.set_group_needs(source, group, text)
