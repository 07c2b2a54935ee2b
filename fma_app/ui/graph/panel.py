"""The graph tab: toolbar, canvas and the impact list beside it, over the app context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QGraphicsView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from fma_app.presentation.style import ap_style
from fma_app.ui.context import AppContext
from fma_app.ui.graph.controller import GraphController, LayoutCommand
from fma_app.ui.graph.export import export_png, export_svg
from fma_app.ui.graph.items import HIGHLIGHT_COLOR, SELECT_COLOR
from fma_app.ui.graph.overlays import GraphOverlays
from fma_app.ui.graph.scene import GraphScene
from fma_app.ui.graph.view import GraphView
from fma_app.ui.library_chooser import open_library_chooser

LEGEND = (
    "<small><b>Fill</b>: worst Action Priority "
    + " ".join(
        f"<span style='background:{ap_style(ap).fill}'>&nbsp;{ap or 'none'}&nbsp;</span>"
        for ap in ("H", "M", "L", None)
    )
    + "; thicker border = higher RPN.<br>"
    + f"<span style='background:{HIGHLIGHT_COLOR.name()}'>&nbsp;yellow ring&nbsp;</span>: the "
    "component of the current failure mode; "
    f"<span style='color:{SELECT_COLOR.name()}'><b>blue outline</b></span>: selected.<br>"
    "<b>Arrows</b> point from a component to what it depends on: solid strong, dashed weak; "
    "<b>OR</b> joins a redundancy group. <b>ENTRY</b> marks user-facing components.<br>"
    "Double-click: add or rename · Shift+drag or Connect: depend on · Del: delete · "
    "Ctrl+wheel: zoom · middle-drag or Space+drag: pan</small>"
)


def _action(
    parent: QWidget,
    text: str,
    slot: Callable[[], object] | Callable[[bool], object],  # bool: checked
    shortcuts: tuple[str, ...] = (),
    tip: str = "",
    checkable: bool = False,
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

    KEY_HELP = GraphView.KEY_HELP  # the canvas's keys that are not actions, for Help

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        document = self.document = context.document
        self.interaction = context.interaction
        self.scene = GraphScene(document, self)
        self.edits = GraphController(document, self.scene, self)
        self.overlays = GraphOverlays(document, self.scene, self)
        self.view = GraphView(self.scene, self.edits, self.overlays, self.interaction, self)
        self.view.library_requested.connect(
            lambda component_id: open_library_chooser(context, component_id, self)
        )
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
        self.overlays.overlay_changed.connect(self._show_overlay_rows)
        self.scene.selectionChanged.connect(self._update_actions)
        document.selection.components_selected.connect(self._reveal)
        document.model_replaced.connect(self._after_reset)
        self.impact_list.itemActivated.connect(self._select_row)
        self.impact_list.itemClicked.connect(self._select_row)
        self._shown_once = False
        self._stack_index = document.undo_stack.index()
        document.undo_stack.indexChanged.connect(self._step_taken)
        self._update_actions()

    def _build_actions(self) -> None:
        v = self.view
        self.connect_action = _action(
            self, "Connect", self._toggle_connect, ("C",),
            "Connect mode: drag from a component to what it depends on (or Shift+drag)", True,
        )  # fmt: skip
        self.layout_action = _action(self, "Auto Layout", v.auto_layout, ("Ctrl+L",))
        self.fit_action = _action(self, "Fit", v.fit, ("Ctrl+0",), "Fit to window (Ctrl+0)")
        self.zoom_in_action = _action(self, "Zoom In", v.zoom_in, ("Ctrl+=", "Ctrl++"))
        self.zoom_out_action = _action(self, "Zoom Out", v.zoom_out, ("Ctrl+-",))
        # One overlay at a time: each button shows whether its overlay is on, pressing another
        # replaces it, pressing the lit one turns it off (`_sync_overlay_actions`).
        self.blast_action = _action(
            self, "Blast Radius", self._toggle_blast, ("B",),
            "What goes down or degraded if the selected component fails", True,
        )  # fmt: skip
        self.spof_action = _action(
            self, "SPOFs", self._toggle_spof, (), "Mark single points of failure", True
        )
        self.cycles_action = _action(
            self, "Cycles", self._toggle_cycles, (), "Mark strong dependency cycles", True
        )
        self.clear_action = _action(self, "Clear", self.clear_overlay, (), "Clear the overlay")
        self.calls_width_action = _action(
            self, "Width by Calls", self.scene.set_weigh_by_calls, (),
            "Draw each dependency wider the more calls the traces saw", True,
        )  # fmt: skip
        self.png_action = _action(self, "Export PNG…", lambda: self._ask_export("png"))
        self.svg_action = _action(self, "Export SVG…", lambda: self._ask_export("svg"))
        for action in (self.connect_action, self.layout_action, self.fit_action,
                       self.zoom_in_action, self.zoom_out_action, None, self.blast_action,
                       self.spof_action, self.cycles_action, self.clear_action, None,
                       self.calls_width_action, self.png_action, self.svg_action):  # fmt: skip
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
        legend = self.legend = QLabel(LEGEND, side)
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
        one = len(self.scene.selected_component_ids()) == 1
        self.blast_action.setEnabled(one or self.overlays.kind == "blast")  # on: can go off

    def _sync_overlay_actions(self) -> None:
        kind = self.overlays.kind
        for action, shows in (
            (self.blast_action, "blast"),
            (self.spof_action, "spof"),
            (self.cycles_action, "cycles"),
        ):
            action.setChecked(kind == shows)
        self._update_actions()

    def _toggle_blast(self) -> None:
        """Blast radius of the selected component; off when it is the one already shown."""
        selected = self.scene.selected_component_ids()
        if self.overlays.overlay == ("blast", selected[0] if len(selected) == 1 else 0):
            self.overlays.clear_overlay()
        else:
            self.show_blast_radius()
        self._sync_overlay_actions()  # also when nothing changed: undo Qt's own toggle

    def show_blast_radius(self) -> None:
        selected = self.scene.selected_component_ids()
        if len(selected) != 1:
            self.show_message("Select one component to see its blast radius.")
            return
        self.overlays.show_blast_radius(selected[0])

    def _toggle_spof(self) -> None:
        if self.overlays.kind == "spof":
            self.overlays.clear_overlay()
        else:
            self.overlays.show_single_points_of_failure()

    def _toggle_cycles(self) -> None:
        if self.overlays.kind == "cycles":
            self.overlays.clear_overlay()
        else:
            self.overlays.show_strong_cycles()

    def clear_overlay(self) -> None:
        self.overlays.clear_overlay()

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    def _show_refusal(self, text: str, _title: str) -> None:
        """A refused edit, said again beside the canvas when the user is looking at it."""
        if self.isVisible():
            self.show_message(text)

    def _show_overlay_rows(self, title: str, rows: list[tuple[int, str]]) -> None:
        self._sync_overlay_actions()
        self.title.setText(title or "Select a component and press Blast Radius, or show SPOFs.")
        self.impact_list.clear()
        for component_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, component_id)
            self.impact_list.addItem(item)

    def _select_row(self, item: QListWidgetItem) -> None:
        self.document.selection.select_components([int(item.data(Qt.ItemDataRole.UserRole))])

    def _reveal(self, ids: list[int]) -> None:
        """Show a component selected elsewhere (the list, the worksheet). Never for a selection
        made on the canvas: scrolling under a pressed button makes Qt drag the node along."""
        if self.scene.selecting_on_canvas:
            return
        if ids and ids[0] in self.scene.nodes:
            self.view.ensureVisible(self.scene.nodes[ids[0]], 40, 40)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:  # the first look shows the whole graph
            self._shown_once = True
            self.view.fit()

    def _step_taken(self, index: int) -> None:
        """A layout done, undone or redone moves the whole graph: fit it in view. Deferred to
        the event loop: the stack announces the step before or after the items have moved,
        depending on who moved it."""
        stack, before = self.document.undo_stack, self._stack_index
        self._stack_index = index
        if index == before or not shiboken6.isValid(stack):  # the stack's own end clears it
            return
        entry = stack.command(min(index, before))  # the step between the two indexes
        if isinstance(getattr(entry, "command", None), LayoutCommand):
            QTimer.singleShot(0, self.view, self.view.fit)

    def _after_reset(self) -> None:
        self.status.clear()
        self.view.fit()

    # ---- export ----------------------------------------------------------------------------
    def export(self, path: Path | str) -> Path | None:
        """Export by file extension (.png or .svg); shows the message on failure."""
        path = Path(path)
        try:
            if path.suffix.lower() == ".svg":
                written = export_svg(self.scene, path)
            else:
                written = export_png(self.scene, path.with_suffix(".png"))
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
