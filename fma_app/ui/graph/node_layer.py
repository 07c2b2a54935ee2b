"""Every node of the canvas drawn by one item, in one pass, at a level of detail set by the zoom.

A node item per component still takes the clicks, drags, rubber band and tooltips, but has no
contents: with 2,000 nodes, Qt calling 2,000 Python `paint()` methods cost about 50 ms a frame
before anything was drawn (benchmarks/bench_graph_scene.py). `NodeLayer` draws instead:

- zoomed out (below `OVERVIEW_ZOOM`): plain boxes in their Action Priority fill, batched by
  look into a few `drawRects` calls, with the outlines that matter at a distance (selection,
  current failure mode, blast radius, SPOF, cycle); no text;
- closer: each node's picture (shape, fill, border, outlines, tags at this zoom, shared by every
  node that looks the same) blitted, and its name as pre-shaped glyph runs (and its failure
  mode summary from `DETAIL_MIN_ZOOM` on);
- closer than pictures go, and in exports: paths and text (sharp at any scale, text in SVG).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from fma_app.ui.graph.items import (
    AP_FILL,
    BORDER_COLOR,
    DETAIL_MIN_ZOOM,
    HIGHLIGHT_COLOR,
    NODE_BOUNDS,
    OVERLAY_PENS,
    OVERLAY_UNAFFECTED,
    OVERVIEW_ZOOM,
    PIXMAP_MAX_ZOOM,
    SELECT_COLOR,
    TEXT_MIN_ZOOM,
    Layer,
    NodeItem,
    opaque,
    painted_rect,
)

# Names laid out per frame (0.15-0.3 ms each): a zoom step into a 660-node view lays out some
# at once and the rest over the next frames. 40 a frame took 11-13 ms of frames that also draw
# the new zoom's edges and node pictures (45-72 ms in all, benchmarks/bench_graph_scene.py).
TEXT_LAYOUTS_PER_FRAME = 24
# Node pictures drawn per frame at a new zoom (about 0.25 ms each); the others show their
# picture of the nearest zoom drawn before, scaled (or a plain box in their AP fill when there
# is none), until theirs are drawn in the next frames.
# A zoom step in a 500-node view needed 40-50 new pictures, which made its first frame the
# slowest of all (53-82 ms).
PICTURES_PER_FRAME = 12
FADED_OPACITY = 0.35  # an unaffected node while a blast radius shows
OUTLINE_PIXELS = 3.0  # an overview outline stays this wide on screen however far out the zoom


class NodeLayer(Layer):
    """Draws every node; the scene keeps it current (`invalidate` after moves, the nodes'
    own `refresh` after a change of look, a repaint after a change of selection). Clicks are
    the node items' own."""

    def __init__(self, nodes: dict[int, NodeItem]):
        super().__init__(z=1)  # with the node items: above edges and OR junctions
        self.nodes = nodes

    def invalidate(self) -> None:
        """Nodes moved, came or went: recompute the bounds and repaint."""
        if self.nodes:
            xs = [node.cx for node in self.nodes.values()]
            ys = [node.cy for node in self.nodes.values()]
            bounds = QRectF(
                QPointF(min(xs) + NODE_BOUNDS.left(), min(ys) + NODE_BOUNDS.top()),
                QPointF(max(xs) + NODE_BOUNDS.right(), max(ys) + NODE_BOUNDS.bottom()),
            )
        else:
            bounds = QRectF()
        self.set_bounds(bounds)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        transform = painter.worldTransform()
        lod = option.levelOfDetailFromTransform(transform)
        nodes = self._exposed(painted_rect(painter, option))
        opacity = painter.opacity()
        upright = transform.m12() == 0 and transform.m21() == 0  # a view never rotates
        if widget is None or lod > PIXMAP_MAX_ZOOM or not upright:
            self._paint_full(painter, nodes, transform, lod >= TEXT_MIN_ZOOM)
        elif lod < OVERVIEW_ZOOM:
            self._paint_boxes(painter, nodes, lod)
        else:
            self._paint_pictures(painter, nodes, transform, lod)
        painter.setOpacity(opacity)

    def _exposed(self, exposed: QRectF) -> list[NodeItem]:
        left, right = exposed.left() - NODE_BOUNDS.right(), exposed.right() - NODE_BOUNDS.left()
        top, bottom = exposed.top() - NODE_BOUNDS.bottom(), exposed.bottom() - NODE_BOUNDS.top()
        return [
            node
            for node in self.nodes.values()
            if left <= node.cx <= right and top <= node.cy <= bottom
        ]

    @staticmethod
    def _paint_full(
        painter: QPainter, nodes: list[NodeItem], transform: QTransform, with_text: bool
    ) -> None:
        base = painter.opacity()
        for node in nodes:
            painter.setOpacity(base * _opacity(node))
            painter.setWorldTransform(QTransform.fromTranslate(node.cx, node.cy) * transform)
            node.paint_full(painter, node.isSelected(), with_text)
        painter.setWorldTransform(transform)

    def _paint_pictures(
        self, painter: QPainter, nodes: list[NodeItem], transform: QTransform, lod: float
    ) -> None:
        """Per node: its picture blitted at its place in device pixels (no scaling, no
        resampling), then its text in scene coordinates. A node's text is laid out the first
        time it is drawn (about 0.1 ms); zooming in on 600 nodes at once would lay out all
        of them in one frame, so a frame lays out at most `TEXT_LAYOUTS_PER_FRAME` and asks
        for another. Likewise a frame draws at most `PICTURES_PER_FRAME` new pictures and
        shows the others' pictures of a nearby zoom, stretched, or plain boxes, until the
        next frames."""
        base = painter.opacity()
        dpr = painter.device().devicePixelRatioF()
        scale = round(lod, 4)  # one set of pictures per zoom, not per rounding error
        sx, dx, dy = transform.m11(), transform.dx(), transform.dy()
        with_text = lod >= TEXT_MIN_ZOOM
        with_detail = lod >= DETAIL_MIN_ZOOM
        device = QTransform()
        shown = base
        layouts, unwritten = TEXT_LAYOUTS_PER_FRAME, False
        drawings = PICTURES_PER_FRAME
        boxed: list[NodeItem] = []
        for node in nodes:
            wanted = base * _opacity(node)
            if wanted != shown:
                painter.setOpacity(wanted)
                shown = wanted
            selected = node.isSelected()
            x = round((node.cx + NODE_BOUNDS.left()) * sx + dx)
            y = round((node.cy + NODE_BOUNDS.top()) * sx + dy)
            painter.setWorldTransform(device)
            picture = node.drawn_picture(scale, dpr, selected, with_text)
            if picture is not None:
                painter.drawPixmap(x, y, picture)
            elif drawings > 0:
                drawings -= 1
                painter.drawPixmap(x, y, node.picture(scale, dpr, selected, with_text))
            else:  # its own picture in a next frame; until then a stand-in, or a plain box
                unwritten = True
                stand_in = node.stand_in(scale, dpr, selected, with_text)
                if stand_in is None:
                    boxed.append(node)
                    continue
                _draw_scaled(painter, x, y, *stand_in, scale)
            if not with_text:
                continue
            if not node.has_text():
                if layouts == 0:  # the rest in the next frames: none of them waits long
                    unwritten = True
                    continue
                layouts -= 1
            painter.setWorldTransform(QTransform.fromTranslate(node.cx, node.cy) * transform)
            node.paint_text(painter, with_detail)
        painter.setWorldTransform(transform)
        if boxed:
            antialiased = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_boxes(painter, boxed, lod)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)
        if unwritten:
            QTimer.singleShot(0, self.update_later)

    @staticmethod
    def _paint_boxes(painter: QPainter, nodes: list[NodeItem], lod: float) -> None:
        fills: dict[int, tuple[Box, list[QRectF]]] = {}
        outlines: dict[int, tuple[Outline, list[QRectF]]] = {}
        for node in nodes:
            box = _box(node)
            fills.setdefault(id(box), (box, []))[1].append(node.box)
            for outline in _outlines(node):
                outlines.setdefault(id(outline), (outline, []))[1].append(node.box)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # widest first: a node with several outlines shows each as a band around the next
        for outline, rects in sorted(outlines.values(), key=lambda o: -o[0].pixels):
            painter.setPen(QPen(outline.color, outline.pixels / max(lod, 1e-6)))
            painter.drawRects(rects)
        for box, rects in fills.values():
            painter.setPen(QPen(box.border, 0))  # cosmetic: one pixel, the fastest line there is
            painter.setBrush(box.fill)
            painter.drawRects(rects)


def _draw_scaled(
    painter: QPainter, x: int, y: int, picture: QPixmap, zoom: float, scale: float
) -> None:
    """A picture drawn at `zoom`, stretched to `scale` (nearest pixel: it shows for a frame)."""
    stretch = scale / zoom
    size = picture.deviceIndependentSize()
    target = QRectF(x, y, size.width() * stretch, size.height() * stretch)
    painter.drawPixmap(target, picture, QRectF(picture.rect()))


def _opacity(node: NodeItem) -> float:
    return FADED_OPACITY if node.overlay == OVERLAY_UNAFFECTED else 1.0


@dataclass(frozen=True, eq=False)
class Box:
    fill: QColor
    border: QColor


@dataclass(frozen=True, eq=False)
class Outline:
    color: QColor
    pixels: float  # on screen, whatever the zoom


_BOXES: dict[tuple[str | None, bool], Box] = {}
_OVERLAY_OUTLINES = {
    overlay: Outline(opaque(pen.color()), OUTLINE_PIXELS + 1.5)
    for overlay, pen in OVERLAY_PENS.items()
}
_SELECTED = Outline(SELECT_COLOR, OUTLINE_PIXELS)
_HIGHLIGHTED = Outline(HIGHLIGHT_COLOR, OUTLINE_PIXELS + 3)


def _box(node: NodeItem) -> Box:
    """A node's box: its worst AP fill; paler (opaque: cheaper) when a blast radius fades it."""
    key = (node.stats.worst_ap, node.overlay == OVERLAY_UNAFFECTED)
    if key not in _BOXES:
        share = FADED_OPACITY if key[1] else 1.0
        _BOXES[key] = Box(opaque(AP_FILL[key[0]], share), opaque(BORDER_COLOR, share))
    return _BOXES[key]


def _outlines(node: NodeItem) -> list[Outline]:
    found = []
    if node.highlighted:
        found.append(_HIGHLIGHTED)
    if node.overlay in _OVERLAY_OUTLINES:
        found.append(_OVERLAY_OUTLINES[node.overlay])
    if node.isSelected():
        found.append(_SELECTED)
    return found
