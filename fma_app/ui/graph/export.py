"""The graph as a picture: PNG (scaled, within memory) or SVG, without the selection outline."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator

from fma_app.ui.graph.scene import GraphScene

EXPORT_MARGIN = 30.0
MAX_EXPORT_SIDE = 16000  # pixels: keeps a PNG of a huge graph within memory


def export_rect(scene: GraphScene) -> QRectF:
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        raise ValueError("The graph is empty: add components before exporting it.")
    return rect.adjusted(-EXPORT_MARGIN, -EXPORT_MARGIN, EXPORT_MARGIN, EXPORT_MARGIN)


def _render(scene: GraphScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    with scene.selection_hidden():
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, target, source)


def export_png(scene: GraphScene, path: Path | str, scale: float = 2.0) -> Path:
    source = export_rect(scene)
    scale = min(scale, MAX_EXPORT_SIDE / max(source.width(), source.height()))
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    finally:
        painter.end()
    # QImageWriter, not QImage.save: PySide6 6.11's save() refuses the bytes format its stub
    # asks for (and takes only a str).
    if not QImageWriter(str(path), b"PNG").write(image):
        raise OSError(f"Could not write the PNG file {path}.")
    return Path(path)


def export_svg(scene: GraphScene, path: Path | str) -> Path:
    source = export_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(scene.model.name)
    generator.setDescription("Dependency graph exported from FMA Workbench")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"Could not write the SVG file {path}.")
    try:
        _render(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise OSError(f"Could not write the SVG file {path}.")
    return Path(path)
