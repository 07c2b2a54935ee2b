"""Graphics items of the dependency canvas: one node per component, one edge per dependency,
one "OR" junction per redundancy group.

Items hold only what they need to paint (a snapshot of the component's name, kind, scores) and
their ids; the topology lives in the domain model and `GraphScene` keeps the id -> item maps.
Text is painted directly (no child items) so building thousands of nodes stays cheap, and
skipped when zoomed far out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from fma_app.analysis.layout import NODE_HEIGHT, NODE_WIDTH
from fma_app.domain.model import Component, ComponentKind, Strength
from fma_app.presentation.style import AP_NAMES, NOT_RATED
from fma_app.ui.qt_style import AP_FILLS, NOT_RATED_FILL

if TYPE_CHECKING:
    from fma_app.domain.model import Dependency

HALO = 10.0  # room around the shape for selection, highlight and overlay outlines

# Keyed by the AP letter (NodeStats.worst_ap). None: no failure modes, or none of them rated
# yet (grey, never the L green); the label is only shown for a component with failure modes.
AP_FILL: dict[str | None, QColor] = {**AP_FILLS, None: NOT_RATED_FILL}
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

FAILED_COLOR = QColor("#212121")
DOWN_COLOR = QColor("#c62828")
DEGRADED_COLOR = QColor("#ef6c00")
SPOF_COLOR = QColor("#6a1b9a")
CYCLE_COLOR = QColor("#00695c")
ENTRY_COLOR = QColor("#1565c0")
HIGHLIGHT_COLOR = QColor("#fdd835")
SELECT_COLOR = QColor("#1e88e5")
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


NAME_METRICS = QFontMetricsF(NAME_FONT)


def shown_name(name: str, width: float) -> str:
    """The name as a node shows it: elided in the middle, since names of one family often
    differ only at the end ("payments-eu-1", "payments-eu-2"); the tooltip has it whole."""
    return NAME_METRICS.elidedText(name, Qt.TextElideMode.ElideMiddle, width)


TEXT_MIN_ZOOM = 0.35  # below this scale names are unreadable: draw shapes only
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
}

NODE_BOUNDS = QRectF(
    -NODE_WIDTH / 2 - HALO,
    -NODE_HEIGHT / 2 - HALO - 6,
    NODE_WIDTH + 2 * HALO,
    NODE_HEIGHT + 2 * HALO + 6,
)
NODE_SHAPE = QPainterPath()
NODE_SHAPE.addRect(QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT))


class NodeItem(QGraphicsObject):
    """One component. Position is the centre of the node, in scene coordinates."""

    def __init__(self, component: Component, stats: NodeStats):
        super().__init__()
        self.component_id = component.id
        self.name, self.kind, self.user_facing = "", ComponentKind.SERVICE, False
        self.stats = stats
        self.overlay = OVERLAY_NONE
        self.highlighted = False  # the component of the selected failure mode
        self.edge_ids: set[int] = set()
        self.cx = self.cy = 0.0  # the centre as floats, for edge geometry without Qt calls
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        )
        self.setZValue(1)
        self.update_from(component)

    # ---- data ------------------------------------------------------------------------------
    def update_from(self, component: Component) -> None:
        self.name, self.kind = component.name, component.kind
        self.user_facing = component.user_facing
        self.cx, self.cy = component.x, component.y
        self.setPos(component.x, component.y)
        self.update()

    def sync_pos(self) -> None:
        """Refresh the float centre after Qt moved the item (a mouse drag)."""
        pos = self.pos()
        self.cx, self.cy = pos.x(), pos.y()

    def set_stats(self, stats: NodeStats) -> None:
        if stats != self.stats:
            self.stats = stats
            self.update()

    def set_overlay(self, overlay: str) -> None:
        if overlay != self.overlay:
            self.overlay = overlay
            self.setOpacity(0.35 if overlay == OVERLAY_UNAFFECTED else 1.0)
            self.update()

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

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
    def boundingRect(self) -> QRectF:  # noqa: N802 (called several times per frame: constant)
        return NODE_BOUNDS

    def shape(self) -> QPainterPath:
        return NODE_SHAPE

    def name_rect(self) -> QRectF:
        """Where the name is drawn, in item coordinates (double-click there renames)."""
        return QRectF(-NODE_WIDTH / 2 + 5, -NODE_HEIGHT / 2 + 8, NODE_WIDTH - 10, 18)

    # ---- painting --------------------------------------------------------------------------
    def border_width(self) -> float:
        """RPN as a secondary cue: the border thickens with the highest RPN (1 to 1000)."""
        return 1.0 + 3.0 * min(self.stats.max_rpn, 1000) / 1000

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        # Runs for every visible node on every repaint: shared pens, few painter calls.
        outline = shape_for(self.kind)
        halos = []
        if self.highlighted:
            halos.append(HIGHLIGHT_PEN)
        if self.overlay in OVERLAY_PENS:
            halos.append(OVERLAY_PENS[self.overlay])
        if option.state & QStyle.StateFlag.State_Selected:
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
        if option.levelOfDetailFromTransform(painter.worldTransform()) < TEXT_MIN_ZOOM:
            return
        self._paint_text(painter)
        self._paint_tags(painter)

    def _border_pen(self) -> QPen:
        key = (round(self.border_width(), 1), self.kind is ComponentKind.EXTERNAL)
        if key not in BORDER_PENS:
            style = Qt.PenStyle.DashLine if key[1] else Qt.PenStyle.SolidLine
            BORDER_PENS[key] = QPen(BORDER_COLOR, key[0], style)
        return BORDER_PENS[key]

    def _paint_text(self, painter: QPainter) -> None:
        painter.setPen(QColor("#212121"))
        painter.setFont(NAME_FONT)
        name_rect = self.name_rect()
        if self.kind is ComponentKind.QUEUE:  # keep clear of the pipe's end cap
            name_rect.adjust(0, 0, -NODE_HEIGHT * 0.3, 0)
        name = shown_name(self.name, name_rect.width())
        top = -NODE_HEIGHT / 2 + (
            14 if self.kind in (ComponentKind.DATABASE, ComponentKind.EXTERNAL) else 8
        )
        name_rect.moveTop(top)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignCenter, name)
        s = self.stats
        detail = f"{s.count} FM · RPN {s.max_rpn} · {s.worst_ap}" if s.count else "no FM"
        if s.count and s.worst_ap is None:
            detail = f"{s.count} FM · {NOT_RATED.label}"
        painter.setFont(DETAIL_FONT)
        painter.setPen(QColor("#37474f"))
        painter.drawText(
            QRectF(name_rect.x(), top + 18, name_rect.width(), 14),
            Qt.AlignmentFlag.AlignCenter,
            detail,
        )

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


ARROW_SIZE = 11.0
_ARROW_SIN, _ARROW_COS = math.sin(math.pi / 6), math.cos(math.pi / 6)
EDGE_COLOR = QColor("#546e7a")
_PENS: dict[tuple, QPen] = {}


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
    """The "OR" of a redundancy group: a stem from the dependant to a small circle, from which
    the group's edges fan out to the alternatives."""

    def __init__(self, source: NodeItem, group: str, color: QColor):
        super().__init__()
        self.source, self.group, self.color = source, group, color
        self.edges: list[EdgeItem] = []
        self.cx = self.cy = 0.0
        self._stem = QLineF()
        self._bounds = QRectF()
        self.setZValue(0.5)

    def tooltip(self) -> str:
        return f"redundancy group {self.group!r}: {self.source.name} needs any one of these"

    def reposition(self) -> None:
        """Sit just outside the dependant, toward the middle of the alternatives, at the
        nearest spot clear of every node (under one, the OR would be hidden)."""
        if not self.edges:
            return
        mx = sum(e.target.cx for e in self.edges) / len(self.edges)
        my = sum(e.target.cy for e in self.edges) / len(self.edges)
        ox, oy = self.source.cx, self.source.cy
        scene = self.scene()
        near = scene.node_centres_near if scene is not None else None  # type: ignore[attr-defined]
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

    def boundingRect(self) -> QRectF:  # noqa: N802
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
            "OR",
        )
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= 0.5:
            painter.setPen(self.color)
            painter.drawText(
                QRectF(-60, JUNCTION_RADIUS + 2, 120, 14),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                self.group,
            )


def fast_pen(pen: QPen, lod: float) -> QPen:
    """For dense views: an aliased solid pen just over one device pixel wide at this zoom; a
    dashed pen becomes a half-transparent solid one (dashes cost as much as the line again).
    Qt's raster engine sends lines of one device pixel or less (and cosmetic pens) through a
    stroker about ten times slower than slightly wider ones."""
    color = QColor(pen.color())
    if pen.style() != Qt.PenStyle.SolidLine:
        color.setAlpha(min(color.alpha(), 110))
    return QPen(color, (2.5 if pen.widthF() > 2 else 1.25) / max(lod, 1e-6))


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
        self.group_color: QColor | None = None
        self.junction: JunctionItem | None = None
        # "down"/"degraded" when the overlay shows failure spreading along it, "cycle" on a
        # strong cycle
        self.impact = ""
        self.dimmed = False
        self.selected = False
        self.coords = (0.0, 0.0, 0.0, 0.0)  # from the source's outline to the arrow tip
        self.head: QPolygonF | None = None
        self.restyle()
        self.adjust()

    def update_from(self, dependency: Dependency) -> None:
        self.strength, self.group = dependency.strength, dependency.group
        self.restyle()

    def restyle(self) -> None:
        """Recompute the pens once per style change, not per frame."""
        self.pen = self.style_pen()
        self.dashed = self.strength is not Strength.STRONG

    def tooltip(self) -> str:
        text = f"{self.source.name} depends on {self.target.name} ({self.strength.value})"
        if self.group:
            text += f"\nredundancy group {self.group!r} (any one is enough)"
        return text

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
        width = 2.6 if self.emphasised else 1.6
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
        self.head = self.arrowhead()

    def line(self) -> QLineF:
        return QLineF(*self.coords)

    def arrowhead(self) -> QPolygonF | None:
        x1, y1, x2, y2 = self.coords
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 1:
            return None
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bx, by = x2 - ux * ARROW_SIZE * _ARROW_COS, y2 - uy * ARROW_SIZE * _ARROW_COS
        px, py = -uy * ARROW_SIZE * _ARROW_SIN, ux * ARROW_SIZE * _ARROW_SIN
        return QPolygonF([QPointF(x2, y2), QPointF(bx + px, by + py), QPointF(bx - px, by - py)])

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


ARROW_MIN_ZOOM = 0.2  # below this an arrowhead is a speck: skip it
AA_LINE_BUDGET = 400  # antialias edges only when at most this many are in view


class EdgeLayer(QGraphicsItem):
    """Draws every edge in one paint call: lines clipped to the exposed area, solid ones
    batched per style, dashed ones with the dash phase kept so panning does not make the
    dashes crawl, arrowheads as one filled path per colour. Emphasised edges (selected,
    impact) are drawn last, on top."""

    def __init__(self, edges: dict[int, EdgeItem]):
        super().__init__()
        self.edges = edges
        self._bounds = QRectF()
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def invalidate(self) -> None:
        """Edges moved or changed style: recompute the bounds and repaint."""
        coords = [edge.coords for edge in self.edges.values()]
        pad = ARROW_SIZE + 4
        if coords:
            xs = [x for x1, _, x2, _ in coords for x in (x1, x2)]
            ys = [y for _, y1, _, y2 in coords for y in (y1, y2)]
            bounds = QRectF(
                QPointF(min(xs) - pad, min(ys) - pad), QPointF(max(xs) + pad, max(ys) + pad)
            )
        else:
            bounds = QRectF()
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        exposed = option.exposedRect.adjusted(-4, -4, 4, 4)
        rect = (exposed.left(), exposed.top(), exposed.right(), exposed.bottom())
        plain = self._visible([e for e in self.edges.values() if not e.emphasised], rect)
        emphasised = self._visible([e for e in self.edges.values() if e.emphasised], rect)
        # Antialiased lines cost ~50 us per screen-crossing line in Qt's raster engine, aliased
        # ones a tenth: smooth when few lines are in view, fast when many are or zoomed out.
        # Dashes cost as much again: a dense view draws weak edges as faint solid lines
        # (`fast_pen`).
        smooth = lod >= TEXT_MIN_ZOOM and len(plain) + len(emphasised) <= AA_LINE_BUDGET
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)
        arrows = lod >= ARROW_MIN_ZOOM
        for segments in (plain, emphasised):  # emphasised on top
            self._draw(painter, segments, rect, arrows, None if smooth else lod)

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
            if arrows and edge.head is not None and left <= x2 <= right and top <= y2 <= bottom:
                color = edge.pen.color()
                heads.setdefault(color.rgba(), (color, QPainterPath()))[1].addPolygon(edge.head)
        for pen, lines in solid.values():
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setPen(Qt.PenStyle.NoPen)
        for color, path in heads.values():
            painter.fillPath(path, color)
