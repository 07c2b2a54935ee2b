"""Graphics items of the dependency canvas: one node per component, one edge per dependency,
one "OR" junction per redundancy group.

Items hold only what they need to paint (a snapshot of the component's name, kind, scores) and
their ids; the topology lives in the domain model and `GraphScene` keeps the id -> item maps.
Text is painted directly (no child items) so building thousands of nodes stays cheap, and
skipped when zoomed far out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shiboken6
from PySide6.QtCore import QByteArray, QDataStream, QLineF, QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGlyphRun,
    QGuiApplication,
    QPaintDevice,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTextLayout,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QStyleOptionGraphicsItem,
    QWidget,
)

from fma_app.analysis.layout import NODE_HEIGHT, NODE_WIDTH
from fma_app.domain.model import Component, ComponentKind, ObservedCalls, Strength
from fma_app.presentation.style import (
    AP_NAMES,
    AVAILABILITY_ENTRY_OUTLINE,
    CONTRIBUTOR_OUTLINE,
    NOT_RATED,
)
from fma_app.ui.qt_style import AP_FILLS, NOT_RATED_FILL

if TYPE_CHECKING:
    from fma_app.domain.model import Dependency
    from fma_app.ui.graph.node_layer import NodeLayer

HALO = 10.0  # room around the shape for selection, highlight and overlay outlines

# Keyed by the AP letter (NodeStats.worst_ap). None: no failure modes, or none of them rated
# yet (grey, never the L green); the label is only shown for a component with failure modes.
AP_FILL: dict[str | None, QColor] = {ap.value: fill for ap, fill in AP_FILLS.items()}
AP_FILL[None] = NOT_RATED_FILL
AP_LABEL: dict[str | None, str] = {
    **{ap: f"AP {name}" for ap, name in AP_NAMES.items()},
    None: f"{NOT_RATED.label} yet",
}

# Overlay states a node can be painted in (set by GraphScene from the impact analysis).
OVERLAY_NONE = ""
OVERLAY_FAILED = "failed"
OVERLAY_DOWN = "down"
OVERLAY_DEGRADED = "degraded"
OVERLAY_UNAFFECTED = "unaffected"
OVERLAY_SPOF = "spof"
OVERLAY_SPOF_NO_FM = "spof-no-fm"
OVERLAY_CYCLE = "cycle"  # on a strong dependency cycle
OVERLAY_AVAILABILITY_ENTRY = "availability-entry"  # the entry point the Availability panel shows
OVERLAY_CONTRIBUTOR = "contributor"  # costs that entry point availability (tag: its rank)

FAILED_COLOR = QColor("#212121")
DOWN_COLOR = QColor("#c62828")
DEGRADED_COLOR = QColor("#ef6c00")
SPOF_COLOR = QColor("#6a1b9a")
CYCLE_COLOR = QColor("#00695c")
ENTRY_COLOR = QColor("#1565c0")
HIGHLIGHT_COLOR = QColor("#fdd835")
SELECT_COLOR = QColor("#1e88e5")
CONTRIBUTOR_COLOR = QColor(CONTRIBUTOR_OUTLINE)
AVAILABILITY_ENTRY_COLOR = QColor(AVAILABILITY_ENTRY_OUTLINE)
GROUP_COLORS = [QColor(c) for c in ("#00838f", "#6d4c41", "#5e35b1", "#2e7d32", "#ad1457")]


@dataclass(frozen=True)
class NodeStats:
    """What a node shows about the failure modes of its component."""

    count: int = 0
    worst_ap: str | None = None  # "H", "M", "L"; None: no failure modes, or none rated yet
    max_rpn: int = 0


def kind_detail(kind: ComponentKind, rect: QRectF) -> QPainterPath:
    """Inner lines of a kind's symbol, stroked over the filled outline (not filled: as part
    of the outline they would cut holes in it)."""
    path = QPainterPath()
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    if kind is ComponentKind.DATABASE:  # the near half of the top rim
        e = h * 0.28
        path.moveTo(x, y + e / 2)
        path.arcTo(QRectF(x, y, w, e), 180, 180)
    elif kind is ComponentKind.QUEUE:  # the visible end of the pipe
        e = h * 0.5
        path.addEllipse(QRectF(x + w - e, y, e, h))
    elif kind is ComponentKind.HOST:  # drive bay band
        path.moveTo(x, y + h * 0.72)
        path.lineTo(x + w, y + h * 0.72)
    return path


def kind_path(kind: ComponentKind, rect: QRectF) -> QPainterPath:
    """The outline of a component of this kind, drawn inside rect."""
    path = QPainterPath()
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    if kind is ComponentKind.DATABASE:  # cylinder
        e = h * 0.28
        path.moveTo(x, y + e / 2)
        path.arcTo(QRectF(x, y, w, e), 180, -180)
        path.lineTo(x + w, y + h - e / 2)
        path.arcTo(QRectF(x, y + h - e, w, e), 0, -180)
        path.closeSubpath()
    elif kind is ComponentKind.QUEUE:  # lying cylinder (a pipe) with message slots
        e = h * 0.5
        path.moveTo(x + e / 2, y)
        path.lineTo(x + w - e / 2, y)
        path.arcTo(QRectF(x + w - e, y, e, h), 90, -180)
        path.lineTo(x + e / 2, y + h)
        path.arcTo(QRectF(x, y, e, h), 270, -180)
        path.closeSubpath()
    elif kind is ComponentKind.CACHE:  # hexagon
        d = h * 0.35
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(x + d, y),
                    QPointF(x + w - d, y),
                    QPointF(x + w, y + h / 2),
                    QPointF(x + w - d, y + h),
                    QPointF(x + d, y + h),
                    QPointF(x, y + h / 2),
                    QPointF(x + d, y),
                ]
            )
        )
    elif kind is ComponentKind.EXTERNAL:  # cloud: overlapping circles, outline dashed
        cloud = QPainterPath()
        cloud.addRoundedRect(QRectF(x, y + h * 0.3, w, h * 0.7), h * 0.35, h * 0.35)
        for cx, cy, rx, ry in (
            (0.3, 0.32, 0.2, 0.32),
            (0.58, 0.3, 0.24, 0.3),
            (0.82, 0.45, 0.16, 0.3),
        ):
            bump = QPainterPath()
            bump.addEllipse(QPointF(x + w * cx, y + h * cy), w * rx, h * ry)
            cloud = cloud.united(bump)
        path = cloud.simplified()
    elif kind is ComponentKind.NETWORK:  # ellipse
        path.addEllipse(rect)
    elif kind is ComponentKind.HOST:  # server box
        path.addRect(rect)
    elif kind is ComponentKind.OTHER:  # chamfered box
        c = h * 0.22
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(x + c, y),
                    QPointF(x + w - c, y),
                    QPointF(x + w, y + c),
                    QPointF(x + w, y + h - c),
                    QPointF(x + w - c, y + h),
                    QPointF(x + c, y + h),
                    QPointF(x, y + h - c),
                    QPointF(x, y + c),
                    QPointF(x + c, y),
                ]
            )
        )
    else:  # service
        path.addRoundedRect(rect, 12, 12)
    return path


_PATH_CACHE: dict[ComponentKind, tuple[QPainterPath, QPainterPath]] = {}
NODE_RECT = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)


def shape_for(kind: ComponentKind) -> QPainterPath:
    """Shared outline per kind (building a cloud per node would dominate scene build time)."""
    return _paths(kind)[0]


def detail_for(kind: ComponentKind) -> QPainterPath:
    return _paths(kind)[1]


def _paths(kind: ComponentKind) -> tuple[QPainterPath, QPainterPath]:
    if kind not in _PATH_CACHE:
        _PATH_CACHE[kind] = (kind_path(kind, NODE_RECT), kind_detail(kind, NODE_RECT))
    return _PATH_CACHE[kind]


def _font(point_size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


NAME_FONT = _font(8.5, bold=True)
DETAIL_FONT = _font(7.5)
TAG_FONT = _font(6.5, bold=True)


_RESOLVED: dict[int, tuple[QFont, QFontMetricsF]] = {}


def resolved(font: QFont) -> tuple[QFont, QFontMetricsF]:
    """The font with the application's defaults filled in, and its metrics. The fonts above
    are made when this module is imported, which may be before the application exists: then
    their family is empty, and a text layout would pick whatever font the system offers
    first (a TeX math font here), where a painter resolves them against the widget's font."""
    if id(font) not in _RESOLVED:
        full = font.resolve(QGuiApplication.font())
        _RESOLVED[id(font)] = (full, QFontMetricsF(full))
    return _RESOLVED[id(font)]


NAME_COLOR = QColor("#212121")
DETAIL_COLOR = QColor("#37474f")
# Node pictures (see NodeItem.paint): up to this zoom, and this many looks x zooms kept
PIXMAP_MAX_ZOOM = 3.0
# The pictures of the last few zooms shown: zooming back and forth draws none again. About
# 50 looks in a 500-node view, 55 KB a picture at zoom 1.
PICTURE_ZOOMS_KEPT = 8
# Everything a node's picture depends on but the selection and the zoom (NodeItem.look).
Look = tuple[object, ...]
NODE_PICTURES: dict[tuple[float, float], dict[Look, QPixmap]] = {}  # (zoom, dpr) -> look


def _pictures_at(scale: float, dpr: float) -> dict[Look, QPixmap]:
    """The pictures of one zoom; the zoom shown longest ago goes when too many are kept."""
    pictures = NODE_PICTURES.get((scale, dpr))
    if pictures is None:
        while len(NODE_PICTURES) >= PICTURE_ZOOMS_KEPT:
            del NODE_PICTURES[next(iter(NODE_PICTURES))]
        pictures = NODE_PICTURES[(scale, dpr)] = {}
    return pictures


# The name's lines, each with where it starts (top left); the glyph runs of all of them and
# where they are drawn from; the failure mode summary, its glyph runs and where they start.
NodeText = tuple[list[tuple[str, QPointF]], list[QGlyphRun], QPointF, str, list[QGlyphRun], QPointF]


def name_lines(name: str, width: float) -> list[str]:
    """The name as a node shows it: one line when it fits, else two, broken where the text
    allows it (after a space or a hyphen, or anywhere in a word too long for a line). Elided
    in the middle on one line, "Payment …risation" read badly. A second line still too long
    is elided in its middle: names of one family often differ only at the end
    ("payments-gateway-adapter-eu-1", "...-eu-2") and must stay apart on the canvas. The
    tooltip has the whole name."""
    full, metrics = resolved(NAME_FONT)
    if metrics.horizontalAdvance(name) <= width:  # most names fit: a quarter of the cost
        return [name]
    layout = QTextLayout(name, full)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(width)
    end = line.textStart() + line.textLength()  # in UTF-16 code units, as Qt counts
    layout.endLayout()
    utf16 = name.encode("utf-16-le")
    first = utf16[: 2 * end].decode("utf-16-le").rstrip()
    rest = utf16[2 * end :].decode("utf-16-le").strip()
    if not first or not rest:
        return [metrics.elidedText(name, Qt.TextElideMode.ElideRight, width)]
    return [first, metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width)]


def _glyphs(
    font: QFont, lines: list[str], rect: QRectF
) -> tuple[list[QGlyphRun], QPointF, list[QPointF]]:
    """The lines shaped in font, one under the other, each centred in rect's width and the
    block centred in its height: their glyph runs, the point to draw the runs from (the top
    left of the first line), and the top left of each line."""
    full, metrics = resolved(font)
    height = metrics.height()
    top = rect.top() + (rect.height() - height * len(lines)) / 2
    starts = [
        QPointF(rect.center().x() - metrics.horizontalAdvance(text) / 2, top + number * height)
        for number, text in enumerate(lines)
    ]
    runs: list[QGlyphRun] = []
    for text, start in zip(lines, starts, strict=True):
        layout = QTextLayout(text, full)
        layout.beginLayout()
        layout.createLine().setPosition(start - starts[0])
        layout.endLayout()
        runs += layout.glyphRuns()
    return runs, starts[0], starts


TEXT_MIN_ZOOM = 0.35  # below this scale names are unreadable: draw shapes only
# Below this scale the failure mode summary under the name (7.5 pt) is 3-4 pixels high, a grey
# smudge rather than text (looked at under Xvfb): the name alone is drawn.
DETAIL_MIN_ZOOM = 0.5
# Below this scale the canvas is an overview: nodes and edges are drawn simplified, in a few
# batched calls (`NodeLayer`, `EdgeLayer`), without text, arrowheads or dashes.
OVERVIEW_ZOOM = TEXT_MIN_ZOOM
BACKGROUND = QColor("#fafafa")


def opaque(color: QColor, share: float = 1.0) -> QColor:
    """The colour as it shows over the canvas background, without transparency: `share` of
    it over the background (its own alpha included). Qt's raster engine blends every pixel
    of a translucent line, several times the cost of an opaque one."""
    share *= color.alphaF()
    return QColor.fromRgbF(
        BACKGROUND.redF() + (color.redF() - BACKGROUND.redF()) * share,
        BACKGROUND.greenF() + (color.greenF() - BACKGROUND.greenF()) * share,
        BACKGROUND.blueF() + (color.blueF() - BACKGROUND.blueF()) * share,
    )


BORDER_COLOR = QColor("#37474f")
BORDER_PENS: dict[tuple[float, bool], QPen] = {}
HIGHLIGHT_PEN = QPen(HIGHLIGHT_COLOR, 14)
SELECT_PEN = QPen(SELECT_COLOR, 8)
DOWN_HATCH = QBrush(DOWN_COLOR, Qt.BrushStyle.BDiagPattern)
OVERLAY_PENS = {
    OVERLAY_FAILED: QPen(FAILED_COLOR, 8),
    OVERLAY_DOWN: QPen(DOWN_COLOR, 7),
    OVERLAY_DEGRADED: QPen(DEGRADED_COLOR, 6, Qt.PenStyle.DashLine),
    OVERLAY_SPOF: QPen(SPOF_COLOR, 7),
    OVERLAY_SPOF_NO_FM: QPen(SPOF_COLOR, 7, Qt.PenStyle.DashLine),
    OVERLAY_CYCLE: QPen(CYCLE_COLOR, 7),
    OVERLAY_AVAILABILITY_ENTRY: QPen(AVAILABILITY_ENTRY_COLOR, 8),
    OVERLAY_CONTRIBUTOR: QPen(CONTRIBUTOR_COLOR, 7),
}

NODE_BOUNDS = QRectF(
    -NODE_WIDTH / 2 - HALO,
    -NODE_HEIGHT / 2 - HALO - 6,
    NODE_WIDTH + 2 * HALO,
    NODE_HEIGHT + 2 * HALO + 6,
)
NODE_SHAPE = QPainterPath()
NODE_SHAPE.addRect(QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT))


def _box_at(cx: float, cy: float) -> QRectF:
    return QRectF(cx - NODE_WIDTH / 2, cy - NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)


class NodeItem(QGraphicsObject):
    """One component. Position is the centre of the node, in scene coordinates."""

    def __init__(self, component: Component, stats: NodeStats):
        super().__init__()
        self.component_id = component.id
        self.name, self.kind, self.user_facing = "", ComponentKind.SERVICE, False
        self.stats = stats
        self.overlay = OVERLAY_NONE
        self.overlay_note = ""
        self.highlighted = False  # the component of the selected failure mode
        self.edge_ids: set[int] = set()
        self.cx = self.cy = 0.0  # the centre as floats, for edge geometry without Qt calls
        # The node's rectangle in the scene, kept (not made per frame: thousands of new Qt
        # objects a frame make Python's collector scan the whole model every few frames)
        self.box = QRectF()
        self.layer: NodeLayer | None = None  # the scene's, which draws every node
        self._text: NodeText | None = None  # see _lay_out_text
        self._look: Look | None = None  # what its picture depends on, see look()
        # Qt only finds nodes (clicks, drags, rubber band, tooltips); the scene's node layer
        # draws them all in one pass (see node_layer.py)
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
        )
        self.setZValue(1)
        self.update_from(component)

    # ---- data ------------------------------------------------------------------------------
    def update_from(self, component: Component) -> None:
        self._text = None
        self.name, self.kind = component.name, component.kind
        self.user_facing = component.user_facing
        self.cx, self.cy = component.x, component.y
        self.box = _box_at(self.cx, self.cy)
        self.setPos(component.x, component.y)
        self.refresh()

    def sync_pos(self) -> None:
        """Refresh the float centre after Qt moved the item (a mouse drag)."""
        pos = self.pos()
        self.cx, self.cy = pos.x(), pos.y()
        self.box = _box_at(self.cx, self.cy)

    def set_stats(self, stats: NodeStats) -> None:
        if stats != self.stats:
            self.stats = stats
            self._text = None
            self.refresh()

    def set_overlay(self, overlay: str, note: str = "") -> None:
        """`note` is the overlay's own tag text where it varies (a contributor's rank)."""
        if overlay != self.overlay or note != self.overlay_note:
            self.overlay = overlay
            self.overlay_note = note
            self.setOpacity(0.35 if overlay == OVERLAY_UNAFFECTED else 1.0)
            self.refresh()

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.refresh()

    def refresh(self) -> None:
        """Repaint after a change: the node layer draws the node (Qt does not repaint an item
        without contents)."""
        self._look = None
        if self.layer is not None:
            self.layer.update(NODE_BOUNDS.translated(self.cx, self.cy))

    def tooltip(self) -> str:
        s = self.stats
        lines = [f"{self.name} ({self.kind.value})"]
        if self.user_facing:
            lines.append("entry point (user facing)")
        if s.count:
            lines.append(
                f"{s.count} failure modes, worst {AP_LABEL[s.worst_ap]}, max RPN {s.max_rpn}"
            )
        else:
            lines.append("no failure modes recorded")
        return "\n".join(lines)

    # ---- geometry --------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return NODE_BOUNDS

    def shape(self) -> QPainterPath:
        return NODE_SHAPE

    def name_rect(self) -> QRectF:
        """Where the name is drawn, in item coordinates (double-click there renames)."""
        return QRectF(-NODE_WIDTH / 2 + 5, -NODE_HEIGHT / 2 + 8, NODE_WIDTH - 10, 18)

    # ---- painting --------------------------------------------------------------------------
    def border_width(self) -> float:
        """RPN as a secondary cue: the border thickens with the highest RPN (1 to 1000), in
        half-unit steps: finer steps hardly show and multiply the node pictures to draw at
        each new zoom (143 instead of 40-odd in a 500-node view)."""
        return round(2 * (1.0 + 3.0 * min(self.stats.max_rpn, 1000) / 1000)) / 2

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Never called (the item has no contents): `paint_full` and the pictures are drawn by
        the node layer."""

    def look(self) -> Look:
        """Everything its picture depends on but the selection and the zoom."""
        if self._look is None:
            self._look = (
                self.kind, self.stats.worst_ap, self._border_key(), self.overlay,
                self.highlighted, self.user_facing,
            )  # fmt: skip
        return self._look

    def picture(self, scale: float, dpr: float, selected: bool, tags: bool) -> QPixmap:
        """The node without its text at this zoom, from the pictures shared by every node that
        looks the same: one blit instead of antialiased paths (about 100 us a node)."""
        picture = self.drawn_picture(scale, dpr, selected, tags)
        if picture is None:
            key = (self.look(), selected, tags)
            picture = _pictures_at(scale, dpr)[key] = self._render_picture(
                scale, dpr, selected, tags
            )
        return picture

    def drawn_picture(self, scale: float, dpr: float, selected: bool, tags: bool) -> QPixmap | None:
        """The picture at this zoom if one is drawn already, else None."""
        return _pictures_at(scale, dpr).get((self.look(), selected, tags))

    def stand_in(
        self, scale: float, dpr: float, selected: bool, tags: bool
    ) -> tuple[QPixmap, float] | None:
        """The same look's picture at the nearest zoom drawn before, and that zoom: shown
        scaled for a frame or two while the pictures of a new zoom are drawn a few at a time."""
        key = (self.look(), selected, tags)
        found = [
            (abs(math.log(zoom / scale)), pictures[key], zoom)
            for (zoom, ratio), pictures in NODE_PICTURES.items()
            if ratio == dpr and key in pictures and zoom != scale
        ]
        if not found:
            return None
        _distance, picture, zoom = min(found, key=lambda f: f[0])
        return picture, zoom

    def _render_picture(self, scale: float, dpr: float, selected: bool, tags: bool) -> QPixmap:
        size = NODE_BOUNDS.size() * scale * dpr
        picture = QPixmap(math.ceil(size.width()) + 1, math.ceil(size.height()) + 1)
        picture.setDevicePixelRatio(dpr)
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.scale(scale, scale)
        painter.translate(-NODE_BOUNDS.left(), -NODE_BOUNDS.top())
        self._paint_shapes(painter, selected)
        if tags:
            self._paint_tags(painter)
        painter.end()
        return picture

    def paint_full(self, painter: QPainter, selected: bool, with_text: bool) -> None:
        """Paths and plain text, in item coordinates: for exports (sharp at any scale, text as
        text in an SVG) and for zooms closer than the pictures go."""
        self._paint_shapes(painter, selected)
        if with_text:
            self._paint_tags(painter)
            name, _, _, detail, _, detail_at = self.text()
            painter.setPen(NAME_COLOR)
            painter.setFont(NAME_FONT)
            for line, start in name:
                painter.drawText(start + QPointF(0, resolved(NAME_FONT)[1].ascent()), line)
            painter.setPen(DETAIL_COLOR)
            painter.setFont(DETAIL_FONT)
            painter.drawText(detail_at + QPointF(0, resolved(DETAIL_FONT)[1].ascent()), detail)

    def _paint_shapes(self, painter: QPainter, selected: bool) -> None:
        outline = shape_for(self.kind)
        halos = []
        if self.highlighted:
            halos.append(HIGHLIGHT_PEN)
        if self.overlay in OVERLAY_PENS:
            halos.append(OVERLAY_PENS[self.overlay])
        if selected:
            halos.append(SELECT_PEN)
        if halos:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for pen in halos:
                painter.setPen(pen)
                painter.drawPath(outline)
        painter.setPen(self._border_pen())
        painter.setBrush(AP_FILL[self.stats.worst_ap])
        painter.drawPath(outline)
        detail = detail_for(self.kind)
        if not detail.isEmpty():
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(detail)
        if self.overlay == OVERLAY_DOWN:  # hatched: clearly "out" even in greyscale prints
            painter.setBrush(DOWN_HATCH)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPath(outline)

    def _border_key(self) -> tuple[float, bool]:
        return (self.border_width(), self.kind is ComponentKind.EXTERNAL)

    def _border_pen(self) -> QPen:
        key = self._border_key()
        if key not in BORDER_PENS:
            style = Qt.PenStyle.DashLine if key[1] else Qt.PenStyle.SolidLine
            BORDER_PENS[key] = QPen(BORDER_COLOR, key[0], style)
        return BORDER_PENS[key]

    def paint_text(self, painter: QPainter, with_detail: bool = True) -> None:
        """The name and (`with_detail`) the summary as glyph runs, in item coordinates."""
        _, name, name_at, _, detail, detail_at = self.text()
        painter.setPen(NAME_COLOR)
        for run in name:
            painter.drawGlyphRun(name_at, run)
        if with_detail:
            painter.setPen(DETAIL_COLOR)
            for run in detail:
                painter.drawGlyphRun(detail_at, run)

    def has_text(self) -> bool:
        """Whether the text is laid out (see `text`)."""
        return self._text is not None

    def text(self) -> NodeText:
        if self._text is None:
            self._text = self._lay_out_text()
        return self._text

    def _lay_out_text(self) -> NodeText:
        """The name (elided) and the failure mode summary, shaped once per change into glyph
        runs placed to sit centred in their lines: drawing glyph runs is about three times
        cheaper than drawing text, which shapes it again on every frame."""
        name_rect = self.name_rect()
        if self.kind is ComponentKind.QUEUE:  # keep clear of the pipe's end cap
            name_rect.adjust(0, 0, -NODE_HEIGHT * 0.3, 0)
        lines = name_lines(self.name, name_rect.width())
        more = (len(lines) - 1) * resolved(NAME_FONT)[1].height()  # a second line's height
        top = -NODE_HEIGHT / 2 + (
            14 if self.kind in (ComponentKind.DATABASE, ComponentKind.EXTERNAL) else 8
        )
        top -= more / 3  # two lines and the summary still sit inside the shape
        name_rect.moveTop(top)
        name_rect.setHeight(name_rect.height() + more)
        s = self.stats
        detail = f"{s.count} FM · RPN {s.max_rpn} · {s.worst_ap}" if s.count else "no FM"
        if s.count and s.worst_ap is None:
            detail = f"{s.count} FM · {NOT_RATED.label}"
        detail_rect = QRectF(name_rect.x(), name_rect.bottom(), name_rect.width(), 14)
        name_runs, name_at, starts = _glyphs(NAME_FONT, lines, name_rect)
        detail_runs, detail_at, _ = _glyphs(DETAIL_FONT, [detail], detail_rect)
        return (list(zip(lines, starts, strict=True)), name_runs, name_at,
                detail, detail_runs, detail_at)  # fmt: skip

    def _paint_tags(self, painter: QPainter) -> None:
        """Small labels above the node: entry point, impact state, single point of failure."""
        tags: list[tuple[str, QColor]] = []
        if self.user_facing:
            tags.append(("ENTRY", ENTRY_COLOR))
        overlay_tags = {
            OVERLAY_FAILED: ("FAILED", FAILED_COLOR),
            OVERLAY_DOWN: ("DOWN", DOWN_COLOR),
            OVERLAY_DEGRADED: ("DEGRADED", DEGRADED_COLOR),
            OVERLAY_SPOF: ("SPOF", SPOF_COLOR),
            OVERLAY_SPOF_NO_FM: ("SPOF · NO FM!", SPOF_COLOR),
            OVERLAY_CYCLE: ("CYCLE", CYCLE_COLOR),
            OVERLAY_AVAILABILITY_ENTRY: (
                self.overlay_note or "AVAILABILITY",
                AVAILABILITY_ENTRY_COLOR,
            ),
            OVERLAY_CONTRIBUTOR: (self.overlay_note or "COSTS", CONTRIBUTOR_COLOR),
        }
        if self.overlay in overlay_tags:
            tags.append(overlay_tags[self.overlay])
        metrics = QFontMetricsF(TAG_FONT)
        x = -NODE_WIDTH / 2 + 6
        painter.setFont(TAG_FONT)
        for text, color in tags:
            width = metrics.horizontalAdvance(text) + 8
            rect = QRectF(x, -NODE_HEIGHT / 2 - 8, width, 12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += width + 4


ROUND_KINDS = (ComponentKind.NETWORK, ComponentKind.EXTERNAL)
HALF_W, HALF_H = NODE_WIDTH / 2 + 2, NODE_HEIGHT / 2 + 2


def clip_xy(
    cx: float, cy: float, tx: float, ty: float, kind: ComponentKind = ComponentKind.SERVICE
) -> tuple[float, float]:
    """Where the line from a node's centre (cx, cy) toward (tx, ty) leaves the node's outline:
    its box, or its ellipse for round kinds. Plain floats: it runs twice per edge per move."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    if kind in ROUND_KINDS:
        scale = 1 / math.hypot(dx / HALF_W, dy / HALF_H)
    else:
        scale = min(HALF_W / abs(dx) if dx else math.inf, HALF_H / abs(dy) if dy else math.inf)
    scale = min(scale, 1.0)
    return cx + dx * scale, cy + dy * scale


def painted_rect(painter: QPainter, option: QStyleOptionGraphicsItem) -> QRectF:
    """The part of the scene this paint call can show: the exposed rect within the painted
    device. `QGraphicsView.render` exposes the whole item (the view's own paints expose only
    the update region), and a layer that drew all of it would draw the whole graph."""
    device: QPaintDevice | None = painter.device()  # None while the painter is not active
    inverse, invertible = painter.worldTransform().inverted()
    exposed = option.exposedRect
    if device is None or not invertible:
        return exposed
    return exposed.intersected(inverse.mapRect(QRectF(0, 0, device.width(), device.height())))


ARROW_SIZE = 11.0
_ARROW_SIN, _ARROW_COS = math.sin(math.pi / 6), math.cos(math.pi / 6)
EDGE_COLOR = QColor("#546e7a")
_PENS: dict[tuple[int, float, bool], QPen] = {}


def edge_pen(color: QColor, width: float, dashed: bool) -> QPen:
    """Shared pens: thousands of edges use a handful of styles."""
    key = (color.rgba(), width, dashed)
    if key not in _PENS:
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        # Flat caps: round caps send every long line through the slow generic stroker (15x)
        _PENS[key] = QPen(color, width, style, Qt.PenCapStyle.FlatCap, Qt.PenJoinStyle.MiterJoin)
    return _PENS[key]


JUNCTION_RADIUS = 11.0
JUNCTION_GAP = 34.0  # from the dependant's outline to the OR circle's centre, when clear
JUNCTION_CLEARANCE = 6.0  # between the circle and any node
# Where the OR may go: gap from the outline, and turn (degrees) away from the alternatives'
# middle; cheapest first, so it stays close and points the right way when it can.
_JUNCTION_TRIES = sorted(
    ((gap, turn) for gap in (34.0, 60.0, 90.0, 130.0, 180.0) for turn in range(-180, 180, 15)),
    key=lambda t: t[0] + 1.5 * abs(t[1]),
)
# How far from the dependant's centre a node can be and still cover a tried spot.
JUNCTION_REACH = math.hypot(NODE_WIDTH, NODE_HEIGHT) + 180.0 + JUNCTION_RADIUS * 2


def _clear_of(centre: tuple[float, float], x: float, y: float) -> bool:
    cx, cy = centre
    room = JUNCTION_RADIUS + JUNCTION_CLEARANCE
    return abs(x - cx) >= NODE_WIDTH / 2 + room or abs(y - cy) >= NODE_HEIGHT / 2 + room


def junction_spot(
    ox: float,
    oy: float,
    kind: ComponentKind,
    toward_x: float,
    toward_y: float,
    nodes: Iterable[tuple[float, float]],
) -> tuple[float, float, float, float]:
    """Where the OR circle of a dependant centred at (ox, oy) goes: (x, y) of the circle and
    (x, y) where its stem leaves the dependant's outline. The first spot of `_JUNCTION_TRIES`
    clear of every node centred at `nodes`; the plain spot when none is."""
    base = math.atan2(toward_y - oy, toward_x - ox) if (toward_x, toward_y) != (ox, oy) else 0.0
    centres = list(nodes)
    first = None
    for gap, turn in _JUNCTION_TRIES:
        angle = base + math.radians(turn)
        ux, uy = math.cos(angle), math.sin(angle)
        ex, ey = clip_xy(ox, oy, ox + ux * 1000, oy + uy * 1000, kind)
        spot = (ex + ux * gap, ey + uy * gap, ex, ey)
        first = first or spot
        if all(_clear_of(c, spot[0], spot[1]) for c in centres):
            return spot
    assert first is not None
    return first


class JunctionItem(QGraphicsItem):
    """The "OR" of a redundancy group (or "2/3" for one that needs 2 of its 3 members): a stem
    from the dependant to a small circle, from which the group's edges fan out to the
    alternatives."""

    def __init__(self, source: NodeItem, group: str, color: QColor, needs: int = 1):
        super().__init__()
        # group_name, not group: QGraphicsItem.group() is a method of its own
        self.source, self.group_name, self.color = source, group, color
        self.needs = needs  # how many members must be up; 1: any one
        self.edges: list[EdgeItem] = []
        self.cx = self.cy = 0.0
        self._stem = QLineF()
        self._bounds = QRectF()
        self.setZValue(0.5)

    def tooltip(self) -> str:
        wanted = (
            "any one of these" if self.needs <= 1 else f"{self.needs} of these {len(self.edges)}"
        )
        return f"redundancy group {self.group_name!r}: {self.source.name} needs {wanted}"

    @property
    def symbol(self) -> str:
        """In the circle: OR for any one, k/n for k of n."""
        return "OR" if self.needs <= 1 else f"{self.needs}/{len(self.edges)}"

    @property
    def caption(self) -> str:
        """Under the circle: the group's name, and "2 of 3" when it needs more than one."""
        if self.needs <= 1:
            return self.group_name
        return f"{self.group_name} ({self.needs} of {len(self.edges)})"

    def reposition(self) -> None:
        """Sit just outside the dependant, toward the middle of the alternatives, at the
        nearest spot clear of every node (under one, the OR would be hidden)."""
        if not self.edges:
            return
        mx = sum(e.target.cx for e in self.edges) / len(self.edges)
        my = sum(e.target.cy for e in self.edges) / len(self.edges)
        ox, oy = self.source.cx, self.source.cy
        # The scene's node index (GraphScene.node_centres_near); none before it joins one.
        near: Callable[[float, float, float], list[tuple[float, float]]] | None = getattr(
            self.scene(), "node_centres_near", None
        )
        self.cx, self.cy, ex, ey = junction_spot(
            ox, oy, self.source.kind, mx, my, near(ox, oy, JUNCTION_REACH) if near else ()
        )
        self.prepareGeometryChange()
        self.setPos(self.cx, self.cy)
        self._stem = QLineF(ex - self.cx, ey - self.cy, 0, 0)
        r = JUNCTION_RADIUS + 2
        box = QRectF(-r, -r, 2 * r, 2 * r).united(QRectF(-60, r, 120, 14))
        self._bounds = box.united(QRectF(self._stem.p1(), self._stem.p2()).normalized())
        for edge in self.edges:
            edge.adjust()

    def covered_by(self, cx: float, cy: float) -> bool:
        """Whether a node centred at (cx, cy) would cover this OR circle."""
        return not _clear_of((cx, cy), self.cx, self.cy)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setPen(QPen(self.color, 2.2))
        painter.drawLine(self._stem)
        painter.setBrush(QColor("white"))
        painter.drawEllipse(QPointF(0, 0), JUNCTION_RADIUS, JUNCTION_RADIUS)
        painter.setFont(TAG_FONT)
        painter.drawText(
            QRectF(-JUNCTION_RADIUS, -JUNCTION_RADIUS, 2 * JUNCTION_RADIUS, 2 * JUNCTION_RADIUS),
            Qt.AlignmentFlag.AlignCenter,
            self.symbol,
        )
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= 0.5:
            painter.setPen(self.color)
            painter.drawText(
                QRectF(-60, JUNCTION_RADIUS + 2, 120, 14),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                self.caption,
            )


def fast_pen(pen: QPen, lod: float) -> QPen:
    """For dense views: an aliased solid opaque pen just over one device pixel wide at this
    zoom (2 px for emphasised edges); a dashed pen becomes a paler solid one (dashes cost as
    much as the line again). Qt's raster engine sends lines of one device pixel or less (and
    cosmetic pens) through a stroker about ten times slower than slightly wider ones, and
    blends translucent ones pixel by pixel (`opaque`)."""
    share = 1.0 if pen.style() == Qt.PenStyle.SolidLine else 0.45
    width = (2.5 if pen.widthF() > 2 else 1.25) / max(lod, 1e-6)
    return QPen(
        opaque(pen.color(), share),
        width,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.FlatCap,
        Qt.PenJoinStyle.MiterJoin,
    )


def observed_text(observed: ObservedCalls) -> str:
    """What traces saw of a dependency, for its tooltip (sampled: what the sample held)."""
    parts = [f"{observed.calls:,} call{'' if observed.calls == 1 else 's'}"]
    if observed.errors is not None:
        parts.append(f"{observed.errors:,} error{'' if observed.errors == 1 else 's'}")
    if observed.p50_ms is not None and observed.p99_ms is not None:
        parts.append(f"p50 {observed.p50_ms:g} ms, p99 {observed.p99_ms:g} ms")
    text = "traces saw " + ", ".join(parts)
    if observed.first_seen is not None and observed.last_seen is not None:
        first = observed.first_seen.strftime("%Y-%m-%d %H:%M:%S")
        last = observed.last_seen.strftime("%Y-%m-%d %H:%M:%S UTC")
        text += f"\nobserved from {first} to {last}"
    return text + "\n(counts are what the sampled traces saw)"


def calls_width_factor(observed: ObservedCalls | None) -> float:
    """Edge width by observed calls on a log scale: 1x for none or one call, 2x at 100,
    at most 3x (10,000 and more). Absolute, so one edge's width never depends on another's."""
    if observed is None or observed.calls <= 1:
        return 1.0
    return 1.0 + min(2.0, math.log10(observed.calls) / 2.0)


class EdgeItem:
    """One dependency, drawn from the dependant (source) to the dependency (target).

    Not a QGraphicsItem: 6,000 line items cost Qt a painter set-up each per frame, and Qt
    strokes every long antialiased line over its full length. `EdgeLayer` draws all edges in
    one pass, clipped to what is exposed; this object holds one edge's geometry and style.
    """

    def __init__(self, dependency: Dependency, source: NodeItem, target: NodeItem):
        self.dependency_id = dependency.id
        self.source, self.target = source, target
        self.strength, self.group = dependency.strength, dependency.group
        self.observed = dependency.observed
        self.width_factor = 1.0  # > 1 when the view weighs edges by observed calls
        self.group_color: QColor | None = None
        self.junction: JunctionItem | None = None
        # "down"/"degraded" when the overlay shows failure spreading along it, "cycle" on a
        # strong cycle
        self.impact = ""
        self.dimmed = False
        self.selected = False
        self.coords = (0.0, 0.0, 0.0, 0.0)  # from the source's outline to the arrow tip
        self.qline = QLineF()  # the same, for the edge layer's batches (updated in place)
        self._head_points: tuple[float, float, float, float, float, float] | None = None
        self._head_stale = True  # see head_points
        self.restyle()
        self.adjust()

    def update_from(self, dependency: Dependency) -> None:
        self.strength, self.group = dependency.strength, dependency.group
        self.observed = dependency.observed
        self.restyle()

    def restyle(self) -> None:
        """Recompute the pens once per style change, not per frame."""
        self.pen = self.style_pen()
        self.head_key = self.pen.color().rgba()  # arrowheads are batched by colour
        self.dashed = self.strength is not Strength.STRONG

    def tooltip(self) -> str:
        text = f"{self.source.name} depends on {self.target.name} ({self.strength.value})"
        if self.group:
            text += f"\nredundancy group {self.group!r} (any one is enough)"
        if self.observed is not None:
            text += "\n" + observed_text(self.observed)
        return text

    def weigh_by_calls(self, on: bool) -> None:
        factor = calls_width_factor(self.observed) if on else 1.0
        if factor != self.width_factor:
            self.width_factor = factor
            self.restyle()

    def set_impact(self, impact: str, dimmed: bool) -> None:
        if (impact, dimmed) != (self.impact, self.dimmed):
            self.impact, self.dimmed = impact, dimmed
            self.restyle()

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.restyle()

    @property
    def emphasised(self) -> bool:
        return self.selected or bool(self.impact)

    def style_pen(self) -> QPen:
        color = self.group_color or EDGE_COLOR
        if self.impact == OVERLAY_DOWN:
            color = DOWN_COLOR
        elif self.impact == OVERLAY_DEGRADED:
            color = DEGRADED_COLOR
        elif self.impact == OVERLAY_CYCLE:
            color = CYCLE_COLOR
        if self.selected:
            color = SELECT_COLOR
        if self.dimmed:
            color = QColor(color)
            color.setAlpha(64)
        width = (2.6 if self.emphasised else 1.6) * self.width_factor
        return edge_pen(color, width, self.strength is not Strength.STRONG)

    def adjust(self) -> None:
        """Recompute the line after either end (or the junction) moved."""
        tx, ty = self.target.cx, self.target.cy
        if self.junction is not None:  # leave the OR circle at its rim, toward the target
            jx, jy = self.junction.cx, self.junction.cy
            length = max(math.hypot(tx - jx, ty - jy), 1.0)
            step = min(1.0, JUNCTION_RADIUS / length)
            x1, y1 = jx + (tx - jx) * step, jy + (ty - jy) * step
        else:
            x1, y1 = clip_xy(self.source.cx, self.source.cy, tx, ty, self.source.kind)
        x2, y2 = clip_xy(tx, ty, x1, y1, self.target.kind)
        self.coords = (x1, y1, x2, y2)
        self.qline.setLine(x1, y1, x2, y2)
        self._head_stale = True

    @property
    def head(self) -> QPolygonF | None:
        """The arrowhead as a polygon (for the few edges drawn smooth)."""
        points = self.head_points()
        if points is None:
            return None
        x0, y0, x1, y1, x2, y2 = points
        return QPolygonF([QPointF(x0, y0), QPointF(x1, y1), QPointF(x2, y2)])

    def head_points(self) -> tuple[float, float, float, float, float, float] | None:
        """The arrowhead's corners (tip first), worked out when first drawn: a rebuild, a
        layout or its undo moves 6,000 edges, of which a few hundred tips are in view."""
        if self._head_stale:
            self._head_points, self._head_stale = self.arrowhead(), False
        return self._head_points

    def line(self) -> QLineF:
        return QLineF(*self.coords)

    def arrowhead(self) -> tuple[float, float, float, float, float, float] | None:
        x1, y1, x2, y2 = self.coords
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 1:
            return None
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bx, by = x2 - ux * ARROW_SIZE * _ARROW_COS, y2 - uy * ARROW_SIZE * _ARROW_COS
        px, py = -uy * ARROW_SIZE * _ARROW_SIN, ux * ARROW_SIZE * _ARROW_SIN
        return (x2, y2, bx + px, by + py, bx - px, by - py)

    def distance_to(self, x: float, y: float) -> float:
        x1, y1, x2, y2 = self.coords
        dx, dy = x2 - x1, y2 - y1
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / span))
        return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def clip_line(
    x1: float, y1: float, x2: float, y2: float, rect: tuple[float, float, float, float]
) -> tuple[float, float, float, float, float] | None:
    """Liang-Barsky: the part of a segment inside rect (left, top, right, bottom), with the
    parameter where it starts (for the dash phase); None when it misses the rect."""
    left, top, right, bottom = rect
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    return x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy, t0


AA_LINE_BUDGET = 400  # antialias edges only when at most this many are in view


class Layer(QGraphicsItem):
    """An item that draws many things of one kind in one pass (`EdgeLayer`, `NodeLayer`):
    it takes no clicks, is asked for the exposed rectangle, and bounds what it draws."""

    def __init__(self, z: float):
        super().__init__()
        self._bounds = QRectF()
        self.setZValue(z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_bounds(self, bounds: QRectF) -> None:
        """New bounds (Qt is told before they change) and a repaint."""
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def update_later(self) -> None:
        """A repaint asked for from a timer (the rest of a frame's work, in the next frame).
        A rebuild in the meantime removes the layer from its scene, or deletes it (Qt deletes
        the items of a cleared scene): then there is nothing to repaint."""
        if shiboken6.isValid(self) and self.scene() is not None:
            self.update()


# A QPainterPath as QDataStream writes it (little-endian here): per element its type (0 move
# to, 1 line to) and its point. Arrowheads go into a path as bytes made by numpy, about a tenth
# of the cost of a moveTo and three lineTo calls per head from Python.
PATH_ELEMENT = np.dtype([("type", "<i4"), ("x", "<f8"), ("y", "<f8")])
_HEAD_TYPES = np.array([0, 1, 1, 1], dtype="<i4")  # tip, two corners, back to the tip
_WINDING_FILL = 1  # Qt.FillRule.WindingFill: overlapping heads (all turned alike) stay filled


def triangles_path(elements: np.ndarray) -> QPainterPath:
    """A path of closed triangles from their PATH_ELEMENT rows (4 a triangle, see heads)."""
    path = QPainterPath()
    count = len(elements)
    if count == 0:
        return path
    data = QByteArray(
        np.array([count], "<i4").tobytes()
        + elements.tobytes()
        + np.array([count - 4, _WINDING_FILL], "<i4").tobytes()  # last subpath start, fill
    )
    stream = QDataStream(data)
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    stream >> path
    return path


def arrowheads(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The arrowhead of each line (x1, y1, x2, y2 rows) as 4 PATH_ELEMENT rows, as
    `EdgeItem.arrowhead` makes it, and which lines have one (not those shorter than 1)."""
    x1, y1, x2, y2 = coords.T
    length = np.hypot(x2 - x1, y2 - y1)
    has_head = length >= 1
    safe = np.where(has_head, length, 1.0)
    ux, uy = (x2 - x1) / safe, (y2 - y1) / safe
    bx, by = x2 - ux * ARROW_SIZE * _ARROW_COS, y2 - uy * ARROW_SIZE * _ARROW_COS
    px, py = -uy * ARROW_SIZE * _ARROW_SIN, ux * ARROW_SIZE * _ARROW_SIN
    elements = np.empty((len(coords), 4), dtype=PATH_ELEMENT)
    elements["type"] = _HEAD_TYPES
    elements["x"] = np.stack([x2, bx + px, bx - px, x2], axis=1)
    elements["y"] = np.stack([y2, by + py, by - py, y2], axis=1)
    return elements, has_head


def bands_around(outer: QRect, inner: QRect) -> list[QRect]:
    """The parts of `outer` outside `inner`: up to four bands (above, below, left, right)."""
    inner = inner.intersected(outer)
    if inner.isEmpty():
        return [outer]
    bands = [
        QRect(outer.left(), outer.top(), outer.width(), inner.top() - outer.top()),
        QRect(outer.left(), inner.bottom() + 1, outer.width(), outer.bottom() - inner.bottom()),
        QRect(outer.left(), inner.top(), inner.left() - outer.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), outer.right() - inner.right(), inner.height()),
    ]
    return [band for band in bands if not band.isEmpty()]


@dataclass(eq=False)
class EdgePicture:
    """The edges as drawn at one zoom over the whole viewport, kept while nothing about them
    changes (`EdgeLayer` counts changes in `version`)."""

    pixmap: QPixmap
    scale: float
    origin: QPointF  # the scene point at the picture's top left
    scene: QRectF  # the part of the scene it shows
    version: int


# Stretched past this, an older zoom's picture of the edges looks too coarse to stand in.
STAND_IN_STRETCH = 1.5


class EdgeLayer(Layer):
    """Draws every edge in one paint call. Emphasised edges (selected, impact) last, on top.

    The layer keeps every edge's line (its own `QLineF`, which moves with it: a drag changes no
    batch), the coordinates as one numpy array and the rows of each style, so a frame does no
    Python work per edge but pick the lines in view. Zoomed out (below `OVERVIEW_ZOOM`) or with
    many lines in view: the lines that cross the exposed area, batched by style, aliased,
    opaque, no dashes; arrowheads of the tips in view from the overview zoom on. Few lines in
    view: antialiased, clipped to the exposed area, dashed ones with the dash phase kept so
    panning does not make the dashes crawl.
    """

    def __init__(self, edges: dict[int, EdgeItem]):
        super().__init__(z=0)  # below the nodes
        self.edges = edges
        self._batches: list[tuple[QPen, np.ndarray]] = []  # pen, its rows; plain styles first
        self._order: list[EdgeItem] = []  # the edges in the rows of _coords
        self._lines: list[QLineF] = []  # their lines, by row
        self._rows: dict[int, int] = {}  # dependency id -> row
        self._coords = np.zeros((0, 4))  # x1, y1, x2, y2 per edge (the view picks edges)
        self._head_colours: list[QColor] = []  # what arrowheads are filled with
        self._head_colour = np.zeros(0, dtype=int)  # index into _head_colours, by row
        self._heads: tuple[np.ndarray, np.ndarray] | None = None  # see arrowheads; None: stale
        self.version = 0  # counts the changes of any edge (style, geometry, which there are)
        self.picture: EdgePicture | None = None  # the dense view's edges, see _paint_picture
        self._stood_in_at = 0.0  # the zoom whose frame showed an older picture stretched
        self._whole_paint_version = -1  # the version at the last paint of the whole view

    def invalidate(self) -> None:
        """Edges came, went or changed style: regroup them, recompute the bounds, repaint."""
        self._order = list(self.edges.values())
        self._lines = [edge.qline for edge in self._order]
        self._rows = {edge.dependency_id: row for row, edge in enumerate(self._order)}
        groups: dict[tuple[bool, int], tuple[QPen, list[int]]] = {}
        colours: dict[int, int] = {}  # head_key -> index into _head_colours
        self._head_colours = []
        head_colour = []
        for row, edge in enumerate(self._order):
            groups.setdefault((edge.emphasised, id(edge.pen)), (edge.pen, []))[1].append(row)
            index = colours.get(edge.head_key)
            if index is None:
                index = colours[edge.head_key] = len(self._head_colours)
                self._head_colours.append(opaque(edge.pen.color()))
            head_colour.append(index)
        self._batches = [
            (pen, np.array(rows, dtype=int))
            for pen, rows in (groups[key] for key in sorted(groups, key=lambda k: k[0]))
        ]
        self._head_colour = np.array(head_colour, dtype=int)
        self._coords = np.array([e.coords for e in self._order], dtype=float).reshape(-1, 4)
        self._refit()

    def edges_moved(self, edges: Iterable[EdgeItem]) -> None:
        """Edges moved (their lines are already updated): only the coordinates and bounds."""
        for edge in edges:
            row = self._rows.get(edge.dependency_id)
            if row is not None:
                self._coords[row] = edge.coords
        self._refit()

    def _refit(self) -> None:
        self._heads = None  # worked out again when next drawn
        self.version += 1  # the picture of the edges is out of date
        coords, pad = self._coords, ARROW_SIZE + 4
        if len(coords):
            xs, ys = coords[:, 0::2], coords[:, 1::2]
            bounds = QRectF(
                QPointF(float(xs.min()) - pad, float(ys.min()) - pad),
                QPointF(float(xs.max()) + pad, float(ys.max()) + pad),
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
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        exposed = painted_rect(painter, option).adjusted(-4, -4, 4, 4)
        if widget is not None and self._paint_picture(painter, widget, lod, exposed):
            return
        self._paint_lines(painter, lod, exposed)

    # ---- the picture of a dense view -------------------------------------------------------
    # A dense view (zoomed out, or hundreds of lines in view) costs 10-20 ms of line drawing
    # a frame, whatever else changed. Its edges are drawn once into a picture of the viewport
    # at that zoom, and frames that change no edge (the node pictures and names of the next
    # frames, a selection, a tooltip, a repaint) copy the exposed part of it. Any change of
    # an edge (`_refit`, `invalidate`) makes it out of date, and the first whole frame after
    # a change draws the lines directly (a drag changes edges every frame); a pan copies what
    # the picture has and draws the uncovered strip itself. The first frame at a new zoom shows
    # the picture of the last zoom stretched (as node pictures stand in, see node_layer.py)
    # and asks for the next frame, which draws the edges at the new zoom.

    def _paint_picture(
        self, painter: QPainter, widget: QWidget, lod: float, exposed: QRectF
    ) -> bool:
        """Paint from the picture (or a new one); False when the lines are drawn directly:
        a view with few lines (smooth, dashed), a transform with rotation or shear, a small
        exposed part and no picture for it."""
        transform = painter.worldTransform()
        inverse, invertible = transform.inverted()
        if not invertible or transform.m12() or transform.m21() or lod > PIXMAP_MAX_ZOOM:
            return False
        viewport = QRectF(widget.rect())
        view = inverse.mapRect(viewport)
        view_edges = (view.left(), view.top(), view.right(), view.bottom())
        if lod >= OVERVIEW_ZOOM and np.count_nonzero(self._hit(view_edges)) <= AA_LINE_BUDGET:
            return False
        picture = self.picture
        if picture is not None and picture.version != self.version:
            picture = self.picture = None
        if picture is not None and picture.scale == lod:
            offset = transform.map(picture.origin)
            x, y = round(offset.x()), round(offset.y())
            aligned = abs(offset.x() - x) < 1e-6 and abs(offset.y() - y) < 1e-6
            if aligned and picture.scene.contains(exposed.intersected(view)):
                self._copy(painter, picture, QPointF(x, y), transform.mapRect(exposed))
                return True
        if not exposed.adjusted(-1, -1, 1, 1).contains(view.intersected(self._bounds)):
            return False  # a part of the view: its lines, as before
        if self._whole_paint_version != self.version:
            # The first whole frame after a change: edges that change frame after frame (a
            # drag) would cost a picture each and never be copied from
            self._whole_paint_version = self.version
            return False
        if (
            picture is not None
            and picture.scale != lod
            and self._stood_in_at != lod
            and 1 / STAND_IN_STRETCH <= picture.scale / lod <= STAND_IN_STRETCH
        ):
            self._stand_in(painter, picture, lod, view, transform)
            return True
        self.picture = self._draw_picture(painter, widget, lod, view)
        self._copy(painter, self.picture, QPointF(0, 0), viewport)
        return True

    def _draw_picture(
        self, painter: QPainter, widget: QWidget, lod: float, view: QRectF
    ) -> EdgePicture:
        ratio = widget.devicePixelRatioF()
        size = (round(widget.width() * ratio), round(widget.height() * ratio))
        old = self.picture
        if old is not None and (old.pixmap.width(), old.pixmap.height()) == size:
            pixmap = old.pixmap  # out of date: its pixels are drawn anew (no 5 MB allocation)
        else:
            pixmap = QPixmap(*size)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        drawing = QPainter(pixmap)
        drawing.setRenderHints(painter.renderHints())
        drawing.setWorldTransform(painter.worldTransform())
        self._paint_lines(drawing, lod, view.adjusted(-4, -4, 4, 4))
        drawing.end()
        return EdgePicture(pixmap, lod, view.topLeft(), view, self.version)

    @staticmethod
    def _copy(painter: QPainter, picture: EdgePicture, offset: QPointF, target: QRectF) -> None:
        """The part of the picture under `target` (viewport pixels), the picture's top left
        being at `offset` there; pixel for pixel."""
        area = target.toAlignedRect().intersected(
            QRectF(offset, picture.pixmap.deviceIndependentSize()).toAlignedRect()
        )
        if area.isEmpty():
            return
        ratio = picture.pixmap.devicePixelRatio()
        source = QRectF(area.translated(-round(offset.x()), -round(offset.y())))
        source = QRectF(source.topLeft() * ratio, source.size() * ratio)
        transform = painter.worldTransform()
        painter.setWorldTransform(QTransform())
        painter.drawPixmap(QRectF(area), picture.pixmap, source)
        painter.setWorldTransform(transform)

    def _stand_in(
        self,
        painter: QPainter,
        picture: EdgePicture,
        lod: float,
        view: QRectF,
        transform: QTransform,
    ) -> None:
        """The first frame at a new zoom: the last zoom's picture stretched over the part of
        the view it shows, the lines drawn where it shows nothing (zooming out), the edges at
        this zoom in the next frame."""
        painter.drawPixmap(picture.scene, picture.pixmap, QRectF(picture.pixmap.rect()))
        shown = transform.mapRect(picture.scene).toAlignedRect()
        viewport = transform.mapRect(view).toAlignedRect()
        inverse = transform.inverted()[0]
        for band in bands_around(viewport, shown):
            area = inverse.mapRect(QRectF(band))
            painter.save()
            painter.setClipRect(area)
            self._paint_lines(painter, lod, area.adjusted(-4, -4, 4, 4))
            painter.restore()
        self._stood_in_at = lod
        QTimer.singleShot(0, self.update_later)

    def _paint_lines(self, painter: QPainter, lod: float, exposed: QRectF) -> None:
        """The edges in `exposed` (scene coordinates), drawn as lines."""
        rect = (exposed.left(), exposed.top(), exposed.right(), exposed.bottom())
        hit = self._hit(rect)
        if lod < OVERVIEW_ZOOM:
            self._paint_batches(painter, lod, hit)
            return
        # Antialiased lines cost ~50 us per screen-crossing line in Qt's raster engine, aliased
        # ones a tenth: smooth when few lines are in view, fast when many are.
        # Dashes cost as much again: a dense view draws weak edges as pale solid lines
        # (`fast_pen`).
        if np.count_nonzero(hit) > AA_LINE_BUDGET:
            self._paint_batches(painter, lod, hit)
            self._paint_heads(painter, rect)
            return
        order = self._order
        shown = [order[i] for i in np.flatnonzero(hit)]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        plain = self._visible([e for e in shown if not e.emphasised], rect)
        emphasised = self._visible([e for e in shown if e.emphasised], rect)
        for segments in (plain, emphasised):  # emphasised on top
            self._draw(painter, segments, rect, True, None)

    def _hit(self, rect: tuple[float, float, float, float]) -> np.ndarray:
        """Which rows' bounding boxes meet rect (left, top, right, bottom), in one numpy pass:
        a Python loop over 6,000 edges cost more than drawing them."""
        left, top, right, bottom = rect
        x1, y1, x2, y2 = self._coords.T
        hit = (np.maximum(x1, x2) >= left) & (np.minimum(x1, x2) <= right)
        hit &= (np.maximum(y1, y2) >= top) & (np.minimum(y1, y2) <= bottom)
        return hit

    def _paint_heads(self, painter: QPainter, rect: tuple[float, float, float, float]) -> None:
        """Arrowheads of the tips in rect, one filled path per colour, made by numpy."""
        if self._heads is None:
            self._heads = arrowheads(self._coords)
        elements, has_head = self._heads
        left, top, right, bottom = rect
        x2, y2 = self._coords[:, 2], self._coords[:, 3]
        inside = has_head & (x2 >= left) & (x2 <= right) & (y2 >= top) & (y2 <= bottom)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, colour in enumerate(self._head_colours):
            rows = inside & (self._head_colour == index)
            if rows.any():
                painter.fillPath(triangles_path(elements[rows].reshape(-1)), colour)

    def _paint_batches(self, painter: QPainter, lod: float, hit: np.ndarray) -> None:
        """The lines whose bounding boxes meet the exposed area, batched by style: Qt strokes
        every line it is given before it clips, so the lines out of view are left out."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        lines = self._lines
        for pen, rows in self._batches:
            shown = rows[hit[rows]]
            if len(shown):
                painter.setPen(fast_pen(pen, lod))
                painter.drawLines([lines[row] for row in shown])

    @staticmethod
    def _visible(
        edges: list[EdgeItem], rect: tuple[float, float, float, float]
    ) -> list[tuple[EdgeItem, tuple[float, float, float, float, float]]]:
        left, top, right, bottom = rect
        shown = []
        for edge in edges:
            x1, y1, x2, y2 = edge.coords
            if (
                max(x1, x2) < left
                or min(x1, x2) > right
                or max(y1, y2) < top
                or min(y1, y2) > bottom
            ):
                continue
            clipped = clip_line(x1, y1, x2, y2, rect)
            if clipped is not None:
                shown.append((edge, clipped))
        return shown

    @staticmethod
    def _draw(
        painter: QPainter,
        segments: list[tuple[EdgeItem, tuple[float, float, float, float, float]]],
        rect: tuple[float, float, float, float],
        arrows: bool,
        dense_lod: float | None,
    ) -> None:
        """Draw visible segments; `dense_lod` (the zoom) when many are in view: fast pens."""
        solid: dict[int, tuple[QPen, list[QLineF]]] = {}
        heads: dict[int, tuple[QColor, QPainterPath]] = {}
        fast: dict[int, QPen] = {}
        left, top, right, bottom = rect
        for edge, (cx1, cy1, cx2, cy2, start) in segments:
            pen = edge.pen
            if dense_lod is not None:
                if id(pen) not in fast:
                    fast[id(pen)] = fast_pen(pen, dense_lod)
                pen = fast[id(pen)]
            if dense_lod is not None or not edge.dashed:
                solid.setdefault(id(pen), (pen, []))[1].append(QLineF(cx1, cy1, cx2, cy2))
            else:  # keep the dash phase of the whole line
                x1, y1, x2, y2 = edge.coords
                phased = QPen(pen)
                length = math.hypot(x2 - x1, y2 - y1)
                phased.setDashOffset(start * length / max(pen.widthF(), 1.0))
                painter.setPen(phased)
                painter.drawLine(QLineF(cx1, cy1, cx2, cy2))
            x2, y2 = edge.coords[2], edge.coords[3]
            head = edge.head if arrows and left <= x2 <= right and top <= y2 <= bottom else None
            if head is not None:
                color = edge.pen.color()
                heads.setdefault(color.rgba(), (color, QPainterPath()))[1].addPolygon(head)
        for pen, lines in solid.values():
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setPen(Qt.PenStyle.NoPen)
        for color, path in heads.values():
            painter.fillPath(path, color)
