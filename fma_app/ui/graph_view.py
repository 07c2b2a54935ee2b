"""The canvas widgets: `GraphView` (zoom, pan, connect, rename, menus) and `GraphPanel`
(toolbar + view + a side list for blast radius, single points of failure and cycles).

The view turns gestures into calls on `GraphScene`; the scene turns them into domain commands.
Tests call the same methods the gestures call (`connect_components`, `begin_rename`,
`node_menu`, ...) instead of simulating drags.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLineF, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.model import ComponentKind, Strength
from fma_app.ui.context import AppContext
from fma_app.ui.graph_items import EdgeItem, NodeItem
from fma_app.ui.graph_scene import GraphScene
from fma_app.ui.interaction import Interaction

ZOOM_STEP = 1.2
EDGE_PICK_PIXELS = 5.0
MIN_SCALE, MAX_SCALE = 0.05, 4.0


class RenameEditor(QLineEdit):
    """The in-place name editor over a node: Enter commits, Escape cancels, leaving commits."""

    finished = Signal(bool)  # True to commit

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.finished.emit(False)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finished.emit(True)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.finished.emit(True)


class GraphView(QGraphicsView):
    def __init__(
        self, scene: GraphScene, interaction: Interaction, parent: QWidget | None = None
    ):
        super().__init__(scene, parent)
        self.graph = scene
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

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
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
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
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

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
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

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
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
        return self.graph.connect_components(source.component_id, target.component_id)

    # ---- keys ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.graph.delete_selected()
        elif key == Qt.Key.Key_F2:
            selected = self.graph.selected_component_ids()
            if len(selected) == 1:
                self.begin_rename(selected[0])
        elif key == Qt.Key.Key_Escape:
            self.finish_connect(None)
            self.graph.clear_overlay()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)  # space+drag pans
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ---- double-click: add or rename -------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
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
        component_id = self.graph.add_component_at(scene_pos)
        if component_id is None:
            return None
        self.graph.document.selection.select_components([component_id])
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
            return self.graph.rename_component(component_id, text)
        return None

    # ---- context menus ---------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
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
                lambda _=False, k=kind: self.graph.set_component_fields(component_id, kind=k)
            )
        entry = menu.addAction("Entry Point (user facing)")
        entry.setCheckable(True)
        entry.setChecked(component.user_facing)
        entry.triggered.connect(lambda: self.graph.toggle_entry_point(component_id))
        menu.addSeparator()
        menu.addAction("Show Blast Radius", lambda: self.graph.show_blast_radius(component_id))
        menu.addSeparator()
        selected = self.graph.selected_component_ids()
        ids = selected if component_id in selected else [component_id]
        label = "Delete Component" if len(ids) == 1 else f"Delete {len(ids)} Components"
        menu.addAction(label, lambda: self.graph.delete(ids, self.graph.selected_dependency_ids()))
        return menu

    def edge_menu(self, dependency_id: int) -> QMenu:
        dependency = self.graph.model.dependencies[dependency_id]
        menu = QMenu(self)
        weak = menu.addAction("Weak Dependency")
        weak.setCheckable(True)
        weak.setChecked(dependency.strength is Strength.WEAK)
        weak.triggered.connect(lambda: self.graph.toggle_strength(dependency_id))
        menu.addAction("Redundancy Group…", lambda: self.ask_group(dependency_id))
        menu.addSeparator()
        menu.addAction("Delete Dependency", lambda: self.graph.delete((), [dependency_id]))
        return menu

    def background_menu(self, scene_pos: QPointF) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Add Component Here", lambda: self.add_component_at(scene_pos))
        menu.addAction("Automatic Layout", self.graph.auto_layout)
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
            self.graph.set_group(dependency_id, text)


LEGEND = (
    "<small><b>Fill</b>: worst Action Priority "
    "<span style='background:#ef9a9a'>&nbsp;H&nbsp;</span> "
    "<span style='background:#ffcc80'>&nbsp;M&nbsp;</span> "
    "<span style='background:#a5d6a7'>&nbsp;L&nbsp;</span> "
    "<span style='background:#e0e0e0'>&nbsp;none&nbsp;</span>; thicker border = higher RPN.<br>"
    "<b>Arrows</b> point from a component to what it depends on: solid strong, dashed weak; "
    "<b>OR</b> joins a redundancy group. <b>ENTRY</b> marks user-facing components.<br>"
    "Double-click: add or rename · Shift+drag or Connect: depend on · Del: delete · "
    "Ctrl+wheel: zoom · middle-drag or Space+drag: pan</small>"
)


def _action(
    parent: QWidget, text: str, slot, shortcuts: tuple = (), tip: str = "", checkable=False
) -> QAction:
    action = QAction(text, parent)
    action.setShortcuts([QKeySequence(s) for s in shortcuts])
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip(tip or text)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    parent.addAction(action)
    return action


class GraphPanel(QWidget):
    """The graph tab: toolbar, canvas and the impact list beside it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        document = self.document = context.document
        self.interaction = context.interaction
        self.scene = GraphScene(document, self)
        self.view = GraphView(self.scene, self.interaction, self)
        self.toolbar = QToolBar("Graph", self)
        self.title = QLabel("Select a component and press Blast Radius, or show SPOFs.", self)
        self.title.setWordWrap(True)
        self.impact_list = QListWidget(self)
        self.impact_list.setWordWrap(True)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b71c1c;")
        self._build_actions()
        self._layout()
        document.refused.connect(self._show_refusal)
        self.scene.overlay_changed.connect(self._show_overlay_rows)
        self.scene.selectionChanged.connect(self._update_actions)
        document.selection.components_selected.connect(self._reveal)
        document.reset.connect(self._after_reset)
        self.impact_list.itemActivated.connect(self._select_row)
        self.impact_list.itemClicked.connect(self._select_row)
        self._shown_once = False
        self._update_actions()

    def _build_actions(self) -> None:
        v, s = self.view, self.scene
        self.connect_action = _action(
            self, "Connect", self._toggle_connect, ("C",),
            "Connect mode: drag from a component to what it depends on (or Shift+drag)", True,
        )  # fmt: skip
        self.layout_action = _action(self, "Auto Layout", s.auto_layout, ("Ctrl+L",))
        self.fit_action = _action(self, "Fit", v.fit, ("Ctrl+0",), "Fit to window (Ctrl+0)")
        self.zoom_in_action = _action(self, "Zoom In", v.zoom_in, ("Ctrl+=", "Ctrl++"))
        self.zoom_out_action = _action(self, "Zoom Out", v.zoom_out, ("Ctrl+-",))
        self.blast_action = _action(
            self, "Blast Radius", self.show_blast_radius, ("B",),
            "What goes down or degraded if the selected component fails",
        )  # fmt: skip
        self.spof_action = _action(
            self, "SPOFs", self._toggle_spof, (), "Mark single points of failure", True
        )
        self.cycles_action = _action(self, "Cycles", self.show_cycles, (), "Strong cycles")
        self.clear_action = _action(self, "Clear", self.clear_overlay, (), "Clear the overlay")
        self.png_action = _action(self, "Export PNG…", lambda: self._ask_export("png"))
        self.svg_action = _action(self, "Export SVG…", lambda: self._ask_export("svg"))
        for action in (self.connect_action, self.layout_action, self.fit_action,
                       self.zoom_in_action, self.zoom_out_action, None, self.blast_action,
                       self.spof_action, self.cycles_action, self.clear_action, None,
                       self.png_action, self.svg_action):  # fmt: skip
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)

    def _layout(self) -> None:
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        side_layout.addWidget(self.title)
        side_layout.addWidget(self.impact_list, 1)
        legend = QLabel(LEGEND, side)
        legend.setWordWrap(True)
        legend.setTextFormat(Qt.TextFormat.RichText)
        side_layout.addWidget(legend)
        side.setMinimumWidth(240)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    # ---- actions ---------------------------------------------------------------------------
    def _toggle_connect(self, on: bool) -> None:
        self.view.connect_mode = on
        self.view.setDragMode(
            QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.RubberBandDrag
        )

    def _update_actions(self) -> None:
        self.blast_action.setEnabled(len(self.scene.selected_component_ids()) == 1)

    def show_blast_radius(self) -> None:
        selected = self.scene.selected_component_ids()
        if len(selected) != 1:
            self.show_message("Select one component to see its blast radius.")
            return
        self.spof_action.setChecked(False)
        self.scene.show_blast_radius(selected[0])

    def _toggle_spof(self, on: bool) -> None:
        if on:
            self.scene.show_single_points_of_failure()
        else:
            self.scene.clear_overlay()

    def show_cycles(self) -> None:
        self._show_overlay_rows(*self.scene.strong_cycle_rows())

    def clear_overlay(self) -> None:
        self.spof_action.setChecked(False)
        self.scene.clear_overlay()

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    def _show_refusal(self, text: str, _title: str) -> None:
        """A refused edit, said again beside the canvas when the user is looking at it."""
        if self.isVisible():
            self.show_message(text)

    def _show_overlay_rows(self, title: str, rows: list) -> None:
        self.title.setText(title or "Select a component and press Blast Radius, or show SPOFs.")
        self.impact_list.clear()
        for component_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, component_id)
            self.impact_list.addItem(item)

    def _select_row(self, item: QListWidgetItem) -> None:
        self.document.selection.select_components([int(item.data(Qt.ItemDataRole.UserRole))])

    def _reveal(self, ids: list[int]) -> None:
        if ids and ids[0] in self.scene.nodes:
            self.view.ensureVisible(self.scene.nodes[ids[0]], 40, 40)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:  # the first look shows the whole graph
            self._shown_once = True
            self.view.fit()

    def _after_reset(self) -> None:
        self.spof_action.setChecked(False)
        self.status.clear()
        self.view.fit()

    # ---- export ----------------------------------------------------------------------------
    def export(self, path: Path | str) -> Path | None:
        """Export by file extension (.png or .svg); shows the message on failure."""
        path = Path(path)
        try:
            if path.suffix.lower() == ".svg":
                written = self.scene.export_svg(path)
            else:
                written = self.scene.export_png(path.with_suffix(".png"))
        except (OSError, ValueError) as error:
            self.show_message(str(error))
            return None
        self.show_message("")
        return written

    def _ask_export(self, kind: str) -> None:
        start = self.document.path.with_suffix(f".{kind}") if self.document.path else Path.home()
        name = self.interaction.choose_save_path(
            f"Export Graph as {kind.upper()}", str(start), f"{kind.upper()} (*.{kind})", kind
        )
        if name:
            path = Path(name)
            self.export(path if path.suffix.lower() == f".{kind}" else path.with_suffix(f".{kind}"))
