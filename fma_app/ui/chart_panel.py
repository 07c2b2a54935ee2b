"""The chart panel: the report's risk charts, live in the app.

The charts are drawn by the same `fma_app.reports.charts` functions as the Excel report, into one
figure on a `backend_qtagg` canvas. Edits arrive as `Document.changed`; the panel waits until they
pause (a restarting single-shot timer) so typing in the worksheet never waits for a redraw, and a
hidden panel only notes that it is out of date.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fma_app.reports import charts
from fma_app.ui.context import AppContext
from fma_app.ui.interaction import Level

REFRESH_DELAY_MS = 300
CHART_FILE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


class ChartPanel(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        document = self.document = context.document
        self.interaction = context.interaction
        self.refresh_count = 0  # redraws done; lets tests see the debounce at work
        self._stale = True
        self.chooser = QComboBox()
        self.chooser.addItems(list(charts.CHARTS))
        self.chooser.setToolTip("Which chart to show")
        self.export_button = QPushButton("Export Chart\u2026")
        self.export_button.setToolTip("Save the chart shown as a PNG image or an SVG drawing")
        self.figure = Figure(figsize=charts.FIGSIZE)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(320, 200)
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        document.changed.connect(self.schedule_refresh)
        document.model_replaced.connect(self.schedule_refresh)
        self.chooser.currentIndexChanged.connect(self.refresh)
        self.export_button.clicked.connect(lambda: self.export_chart())
        self.refresh()

    @property
    def chart_name(self) -> str:
        return self.chooser.currentText()

    def schedule_refresh(self, *_changes: object) -> None:
        """Redraw once edits have paused: every call restarts the wait."""
        self._stale = True
        self._timer.start()

    def refresh(self) -> None:
        self._timer.stop()
        if not self.isVisible() and self.refresh_count:
            self._stale = True  # drawn when shown (the first draw happens even when hidden)
            return
        charts.CHARTS[self.chart_name](self.document.model, figure=self.figure)
        self.canvas.draw_idle()
        self.refresh_count += 1
        self._stale = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def export_chart(self, path: str | Path | None = None) -> bool:
        """Save the chart shown as PNG or SVG (asks for the path when none is given)."""
        if path is None:
            suggestion = f"{self.chart_name.lower().replace(' ', '-')}.png"
            chosen = self.interaction.choose_save_path(
                "Export Chart", suggestion, CHART_FILE_FILTER, "png"
            )
            if not chosen:
                return False
            path = chosen
        figure = charts.CHARTS[self.chart_name](self.document.model)
        try:
            charts.save_figure(figure, path)
        except ValueError as error:
            self.interaction.show_message("Export Chart", f"{error}.", Level.WARNING)
            return False
        except OSError as error:
            message = f"Cannot write {path}: {error.strerror or error}."
            self.interaction.show_message("Export Chart", message, Level.WARNING)
            return False
        return True
