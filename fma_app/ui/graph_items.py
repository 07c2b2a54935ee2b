"""Graphics items of the dependency canvas: one node per component, one edge per dependency,
one "OR" junction per redundancy group.

Items hold only what they need to paint (a snapshot of the component's name, kind, scores) and
their ids; the topology lives in the domain model and `GraphScene` keeps the id -> item maps.
Text is painted directly (no child items) so building thousands of nodes stays cheap, and
skipped when zoomed far out.
"""

from __future__ import annotations

import math
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
    QPainterPathStroker,
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

from fma_app.domain.model import Component, ComponentKind, Strength

if TYPE_CHECKING:
    from fma_app.domain.model import Dependency

NODE_WIDTH = 140.0  # the size fma_app.analysis.layout spaces its grid for
NODE_HEIGHT = 60.0
HALO = 10.0  # room around the shape for selection, highlight and overlay outlines

AP_FILL = {
    "H": QColor("#ef9a9a"),
    "M": QColor("#ffcc80"),
    "L": QColor("#a5d6a7"),
    None: QColor("#e0e0e0"),
}
AP_LABEL = {"H": "AP High", "M": "AP Medium", "L": "AP Low", None: "no failure modes"}

# Overlay states a node can be painted in (set by GraphScene from the impact analysis).
OVERLAY_NONE = ""
OVERLAY_FAILED = "failed"
OVERLAY_DOWN = "down"
OVERLAY_DEGRADED = "degraded"
OVERLAY_UNAFFECTED = "unaffected"
OVERLAY_SPOF = "spof"
OVERLAY_SPOF_NO_FM = "spof-no-fm"

FAILED_COLOR = QColor("#212121")
DOWN_COLOR = QColor("#c62828")
DEGRADED_COLOR = QColor("#ef6c00")
SPOF_COLOR = QColor("#6a1b9a")
ENTRY_COLOR = QColor("#1565c0")
HIGHLIGHT_COLOR = QColor("#fdd835")
SELECT_COLOR = QColor("#1e88e5")
GROUP_COLORS = [QColor(c) for c in ("#00838f", "#6d4c41", "#5e35b1", "#2e7d32", "#ad1457")]


@dataclass(frozen=True)
class NodeStats:
    """What a node shows about the failure modes of its component."""

    count: int = 0
    worst_ap: str | None = None  # "H", "M", "L" or None without failure modes
    max_rpn: int = 0


def kind_path(kind: ComponentKind, rect: QRectF) -> QPainterPath:
    """The outline of a component of this kind, drawn inside rect."""
    path = QPainterPath()
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    if kind is ComponentKind.DATABASE:  # cylinder: body plus the visible top rim
        e = h * 0.28
        path.moveTo(x, y + e / 2)
        path.arcTo(QRectF(x, y, w, e), 180, -180)
        path.lineTo(x + w, y + h - e / 2)
        path.arcTo(QRectF(x, y + h - e, w, e), 0, -180)
        path.closeSubpath()
        path.moveTo(x, y + e / 2)
        path.arcTo(QRectF(x, y, w, e), 180, 180)
    elif kind is ComponentKind.QUEUE:  # lying cylinder (a pipe) with message slots
        e = h * 0.5
        path.moveTo(x + e / 2, y)
        path.lineTo(x + w - e / 2, y)
        path.arcTo(QRectF(x + w - e, y, e, h), 90, -180)
        path.lineTo(x + e / 2, y + h)
        path.arcTo(QRectF(x, y, e, h), 270, -180)
        path.closeSubpath()
        path.addEllipse(QRectF(x + w - e, y, e, h))
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
    elif kind is ComponentKind.HOST:  # server box with a drive bay band
        path.addRect(rect)
        path.moveTo(x, y + h * 0.72)
        path.lineTo(x + w, y + h * 0.72)
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
    path.setFillRule(Qt.FillRule.WindingFill)  # inner rims (cylinder tops) filled, not holes
    return path


_PATH_CACHE: dict[ComponentKind, QPainterPath] = {}


def shape_for(kind: ComponentKind) -> QPainterPath:
    """Shared outline per kind (building a cloud per node would dominate scene build time)."""
    if kind not in _PATH_CACHE:
        rect = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)
        _PATH_CACHE[kind] = kind_path(kind, rect)
    return _PATH_CACHE[kind]


def _font(point_size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


NAME_FONT = _font(9.5, bold=True)
DETAIL_FONT = _font(7.5)
TAG_FONT = _font(6.5, bold=True)


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
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(False)
        self.setZValue(1)
        self.update_from(component)

    # ---- data ------------------------------------------------------------------------------
    def update_from(self, component: Component) -> None:
        self.name, self.kind = component.name, component.kind
        self.user_facing = component.user_facing
        self.setPos(component.x, component.y)
        self.setToolTip(self.tooltip())
        self.update()

    def set_stats(self, stats: NodeStats) -> None:
        if stats != self.stats:
            self.stats = stats
            self.setToolTip(self.tooltip())
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
    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF(
            -NODE_WIDTH / 2 - HALO,
            -NODE_HEIGHT / 2 - HALO - 6,
            NODE_WIDTH + 2 * HALO,
            NODE_HEIGHT + 2 * HALO + 6,
        )

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT))
        return path

    def name_rect(self) -> QRectF:
        """Where the name is drawn, in item coordinates (double-click there renames)."""
        return QRectF(-NODE_WIDTH / 2 + 10, -NODE_HEIGHT / 2 + 8, NODE_WIDTH - 20, 18)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            scene = self.scene()
            if scene is not None and hasattr(scene, "node_moved"):
                scene.node_moved(self)
        return super().itemChange(change, value)

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
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        outline = shape_for(self.kind)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if self.highlighted:
            painter.setPen(QPen(HIGHLIGHT_COLOR, 14, Qt.PenStyle.SolidLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)
        self._paint_overlay_halo(painter, outline)
        if selected:
            painter.setPen(QPen(SELECT_COLOR, 8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)
        pen = QPen(QColor("#37474f"), self.border_width())
        if self.kind is ComponentKind.EXTERNAL:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(AP_FILL[self.stats.worst_ap])
        painter.drawPath(outline)
        if self.overlay == OVERLAY_DOWN:  # hatched: clearly "out" even in greyscale prints
            painter.setBrush(QBrush(DOWN_COLOR, Qt.BrushStyle.BDiagPattern))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPath(outline)
        if lod < 0.35:
            return
        self._paint_text(painter)
        self._paint_tags(painter)

    def _paint_overlay_halo(self, painter: QPainter, outline: QPainterPath) -> None:
        styles = {
            OVERLAY_FAILED: QPen(FAILED_COLOR, 8),
            OVERLAY_DOWN: QPen(DOWN_COLOR, 7),
            OVERLAY_DEGRADED: QPen(DEGRADED_COLOR, 6, Qt.PenStyle.DashLine),
            OVERLAY_SPOF: QPen(SPOF_COLOR, 7),
            OVERLAY_SPOF_NO_FM: QPen(SPOF_COLOR, 7, Qt.PenStyle.DashLine),
        }
        pen = styles.get(self.overlay)
        if pen is not None:
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)

    def _paint_text(self, painter: QPainter) -> None:
        painter.setPen(QColor("#212121"))
        painter.setFont(NAME_FONT)
        name_rect = self.name_rect()
        if self.kind is ComponentKind.QUEUE:  # keep clear of the pipe's end cap
            name_rect.adjust(0, 0, -NODE_HEIGHT * 0.3, 0)
        name = QFontMetricsF(NAME_FONT).elidedText(
            self.name, Qt.TextElideMode.ElideRight, name_rect.width()
        )
        top = -NODE_HEIGHT / 2 + (
            14 if self.kind in (ComponentKind.DATABASE, ComponentKind.EXTERNAL) else 8
        )
        name_rect.moveTop(top)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignCenter, name)
        s = self.stats
        detail = f"{s.count} FM · RPN {s.max_rpn} · {s.worst_ap}" if s.count else "no FM"
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


def clip_to_node(
    center: QPointF, toward: QPointF, kind: ComponentKind = ComponentKind.SERVICE
) -> QPointF:
    """Where the line from a node's centre toward a point leaves the node's outline
    (its box, or its ellipse for round kinds: analytic, so cheap for thousands of edges)."""
    dx, dy = toward.x() - center.x(), toward.y() - center.y()
    if dx == 0 and dy == 0:
        return QPointF(center)
    half_w, half_h = NODE_WIDTH / 2 + 2, NODE_HEIGHT / 2 + 2
    if kind in ROUND_KINDS:
        scale = 1 / math.hypot(dx / half_w, dy / half_h)
    else:
        scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    scale = min(scale, 1.0)
    return QPointF(center.x() + dx * scale, center.y() + dy * scale)


ARROW_SIZE = 11.0


class EdgeItem(QGraphicsItem):
    """One dependency, drawn from the dependant (source) to the dependency (target)."""

    def __init__(self, dependency: Dependency, source: NodeItem, target: NodeItem):
        super().__init__()
        self.dependency_id = dependency.id
        self.source, self.target = source, target
        self.strength, self.group = dependency.strength, dependency.group
        self.group_color: QColor | None = None
        self.junction: JunctionItem | None = None
        self.impact = ""  # "down"/"degraded" when the overlay shows failure spreading along it
        self.dimmed = False
        self._line = QLineF()
        self._bounds = QRectF()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.adjust()

    def update_from(self, dependency: Dependency) -> None:
        self.strength, self.group = dependency.strength, dependency.group
        self.setToolTip(self.tooltip())
        self.update()

    def tooltip(self) -> str:
        text = f"{self.source.name} depends on {self.target.name} ({self.strength.value})"
        return text + (
            f"\nredundancy group {self.group!r} (any one is enough)" if self.group else ""
        )

    def set_impact(self, impact: str, dimmed: bool) -> None:
        if (impact, dimmed) != (self.impact, self.dimmed):
            self.impact, self.dimmed = impact, dimmed
            self.setOpacity(0.25 if dimmed else 1.0)
            self.update()

    def adjust(self) -> None:
        """Recompute the line after either end (or the junction) moved."""
        start_center = self.junction.pos() if self.junction else self.source.pos()
        end_center = self.target.pos()
        if self.junction:  # leave the OR circle at its rim, toward the target
            spoke = QLineF(start_center, end_center)
            start = spoke.pointAt(min(1.0, JUNCTION_RADIUS / max(spoke.length(), 1.0)))
        else:
            start = clip_to_node(start_center, end_center, self.source.kind)
        end = clip_to_node(end_center, start_center, self.target.kind)
        self.prepareGeometryChange()
        self._line = QLineF(start, end)
        pad = ARROW_SIZE + 4
        self._bounds = QRectF(start, end).normalized().adjusted(-pad, -pad, pad, pad)

    def line(self) -> QLineF:
        return QLineF(self._line)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._line.p1())
        path.lineTo(self._line.p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(path)

    def pen(self, selected: bool) -> QPen:
        color = QColor("#546e7a")
        if self.group_color is not None:
            color = self.group_color
        if self.impact == OVERLAY_DOWN:
            color = DOWN_COLOR
        elif self.impact == OVERLAY_DEGRADED:
            color = DEGRADED_COLOR
        if selected:
            color = SELECT_COLOR
        width = 2.6 if selected or self.impact else 1.6
        style = Qt.PenStyle.SolidLine if self.strength is Strength.STRONG else Qt.PenStyle.DashLine
        return QPen(color, width, style, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        line = self._line
        if line.length() < 1:
            return
        pen = self.pen(bool(option.state & QStyle.StateFlag.State_Selected))
        painter.setPen(pen)
        painter.drawLine(line)
        angle = math.atan2(-line.dy(), line.dx())
        tip = line.p2()
        left = tip - QPointF(
            math.sin(angle + math.pi / 3) * ARROW_SIZE, math.cos(angle + math.pi / 3) * ARROW_SIZE
        )
        right = tip - QPointF(
            math.sin(angle + math.pi - math.pi / 3) * ARROW_SIZE,
            math.cos(angle + math.pi - math.pi / 3) * ARROW_SIZE,
        )
        pen.setStyle(Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.setBrush(pen.color())
        painter.drawPolygon(QPolygonF([tip, left, right]))


JUNCTION_RADIUS = 11.0


class JunctionItem(QGraphicsItem):
    """The "OR" of a redundancy group: a stem from the dependant to a small circle, from which
    the group's edges fan out to the alternatives."""

    def __init__(self, source: NodeItem, group: str, color: QColor):
        super().__init__()
        self.source, self.group, self.color = source, group, color
        self.edges: list[EdgeItem] = []
        self._stem = QLineF()
        self.setZValue(0.5)
        self.setToolTip(f"redundancy group {group!r}: {source.name} needs any one of these")

    def reposition(self) -> None:
        """Sit just outside the dependant, toward the middle of the alternatives."""
        if not self.edges:
            return
        cx = sum(e.target.pos().x() for e in self.edges) / len(self.edges)
        cy = sum(e.target.pos().y() for e in self.edges) / len(self.edges)
        origin = self.source.pos()
        exit_point = clip_to_node(origin, QPointF(cx, cy), self.source.kind)
        dx, dy = exit_point.x() - origin.x(), exit_point.y() - origin.y()
        length = math.hypot(dx, dy) or 1.0
        pos = QPointF(exit_point.x() + dx / length * 34, exit_point.y() + dy / length * 34)
        self.prepareGeometryChange()
        self.setPos(pos)
        self._stem = QLineF(self.mapFromScene(exit_point), QPointF(0, 0))
        for edge in self.edges:
            edge.adjust()

    def boundingRect(self) -> QRectF:  # noqa: N802
        r = JUNCTION_RADIUS + 2
        box = QRectF(-r, -r, 2 * r, 2 * r)
        label = QRectF(-60, r, 120, 14)
        return box.united(QRectF(self._stem.p1(), self._stem.p2()).normalized()).united(label)

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
