"""The ranked Excel report: Summary, Worksheet, Actions, Components, Dependencies, Findings,
Availability.

The report is for review meetings (it must look right on screen and on paper) and it carries the
whole model, so `report_import` can rebuild it exactly. Cells hold values only; every user text is
written as a text cell (and text that a spreadsheet would read as a formula also gets the
quote-prefix style), so opening a shared report never runs anything.

Written with openpyxl in write-only mode, which streams rows to disk: memory stays flat on large
models. The file appears at its path only when complete (temporary file + rename).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from fma_app import __version__
from fma_app.analysis.ranking import RankBy, RankedFailureMode, rank_failure_modes
from fma_app.analysis.review import Policy, Review, ReviewInputs, review
from fma_app.domain.model import Action, FailureMode, Model, ObservedCalls
from fma_app.domain.resilience import format_mitigations
from fma_app.domain.scoring import ActionPriority
from fma_app.presentation.style import (
    AP_NAMES,
    AP_STYLES,
    CLOSED_TEXT,
    NOT_RATED,
    OVERDUE,
    RPN_SCALE_POINTS,
    SLO_MET,
    SLO_MISSED,
    UPPER_BOUND,
    rgb,
)
from fma_app.reports import charts
from fma_app.reports.errors import ReportCancelledError, ReportError

if TYPE_CHECKING:
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.indexed_list import IndexedList
    from openpyxl.workbook.child import _WorkbookChild
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.page import PrintOptions, PrintPageSetup
    from openpyxl.worksheet.pagebreak import RowBreak
    from openpyxl.worksheet.properties import WorksheetProperties

# ---- the layout, shared with report_import ----------------------------------------------------
SHEET_NAMES = ("Summary", "Worksheet", "Actions", "Components", "Dependencies")
# After the sheets that carry the model: what `fma-app check` finds, for the review meeting.
# Derived, so report_import does not read it (a report without it still imports).
FINDINGS_SHEET = "Findings"
MARKER_TEXT = "FMA Workbench report"
MARKER_NAME = "FMA_Workbench_Report"
FORMAT_VERSION = 1
MAX_CELL_TEXT = 32767  # Excel's limit; a longer cell makes Excel "repair" the file

# (header, width in characters) per sheet, in column order.
WORKSHEET_COLUMNS = (
    ("Rank", 6), ("ID", 7), ("Component", 16), ("Function", 18), ("Failure Mode", 20),
    ("Effect", 22), ("S", 4.5), ("Cause", 20), ("L", 4.5), ("Prevention Controls", 18),
    ("Detection Controls", 18), ("D", 4.5), ("RPN", 6), ("AP", 5), ("Actions", 30),
    ("Revised S", 8), ("Revised L", 8), ("Revised D", 8), ("Revised RPN", 8.5),
    ("Revised AP", 8), ("Notes", 18), ("Justification", 24),
)  # fmt: skip
ACTION_COLUMNS = (
    ("Priority", 8), ("Action ID", 8), ("Failure Mode ID", 9), ("Component", 16),
    ("Failure Mode", 22), ("AP", 5), ("RPN", 6), ("Action", 34), ("Owner", 14),
    ("Due Date", 12), ("Status", 12), ("Overdue", 10), ("Action Taken", 28),
)  # fmt: skip
COMPONENT_COLUMNS = (
    ("ID", 7), ("Name", 22), ("Kind", 11), ("Owner", 16), ("Description", 44),
    ("Entry Point", 8), ("Availability", 11), ("SLO", 9), ("SLO Window (days)", 9), ("X", 10),
    ("Y", 10), ("Failure Modes", 9), ("Highest RPN", 9), ("Aliases", 22),
)  # fmt: skip
# The observed columns: what the last trace import saw (blank if never seen; times ISO UTC).
OBSERVED_COLUMNS = (
    ("Calls", 9), ("Errors", 8), ("p50 ms", 9), ("p99 ms", 9), ("First Seen", 24),
    ("Last Seen", 24),
)  # fmt: skip
DEPENDENCY_COLUMNS = (
    ("ID", 7), ("Component", 22), ("Depends On", 22), ("Strength", 10),
    ("Redundancy Group", 16), ("Group Needs", 9), ("Description", 44), *OBSERVED_COLUMNS,
)  # fmt: skip
ALIAS_SEPARATOR = ", "  # aliases hold no comma (domain.model.checked_aliases)
FINDING_COLUMNS = (
    ("Rule", 26), ("Component", 18), ("Failure Mode ID", 9), ("Failure Mode", 26),
    ("Dependency", 22), ("Finding", 60), ("Waiver", 34),
)  # fmt: skip
# The resilience sheets, after Findings and Availability (a report without them still imports).
RESILIENCE_SHEETS = ("Resilience", "Chaos Targets")
RESILIENCE_COLUMNS = (
    ("Failure Mode ID", 9), ("Component", 16), ("Failure Mode", 22), ("Fault", 14),
    ("Duration (s)", 9), ("Magnitude", 9), ("Hypothesis", 34), ("Probe", 9), ("Probe URL", 26),
    ("Expected Status", 8), ("Probe Timeout (s)", 8), ("Prometheus Query", 26),
    ("Threshold", 9), ("Mitigations", 26), ("Runbook", 26), ("Experiment", 12),
    ("Experiment Date", 11), ("Experiment Result", 24),
)  # fmt: skip
TARGET_COLUMNS = (
    ("Component ID", 9), ("Component", 20), ("Platform", 11), ("Namespace", 14),
    ("Selector", 22), ("Deployment", 16), ("Cluster", 14), ("Resource Type", 13),
    ("Resource IDs", 22), ("Proxy", 14),
)  # fmt: skip
SUMMARY_WIDTHS = (16, 24, 34, 6, 6, 6, 7, 6)
TOP_COUNT = 10
CHART_DPI = 150
CHART_SIZE_PX = (720, 432)  # displayed size: the PNG has more pixels for a sharp print
CHART_ROWS = 23  # rows of default height one chart covers, plus a gap
LINE_HEIGHT = 15.0  # points per line of 11 pt text

RANKING_TEXT = {
    RankBy.RPN: "RPN (severity \u00d7 likelihood \u00d7 detection), highest first",
    RankBy.AP: "Action Priority (AIAG-VDA): H, M, L; then severity, then RPN",
}
LEGEND = (
    "S severity, L likelihood (occurrence), D detection, each 1-10 (10 worst). "
    "RPN = S \u00d7 L \u00d7 D. AP = AIAG-VDA Action Priority: H high, M medium, L low. "
    "A blank score is not rated yet: RPN and AP need all three. "
    "Revised scores are those expected after the actions."
)
NOT_RATED_YET = f"{NOT_RATED.label.capitalize()} yet"  # the Summary's row of them
# The FMEA form's header on the Summary, label -> model field; report_import reads them back.
PROPERTY_ROWS = (
    ("Scope", "scope"), ("FMEA number", "fmea_number"), ("Team", "team"),
    ("Revision", "revision"), ("Key date", "key_date"), ("Prepared by", "prepared_by"),
    ("Approved by", "approved_by"),
)  # fmt: skip

# ---- text safety ------------------------------------------------------------------------------
# Characters XML cannot carry (or would normalise, like CR) use Excel's own _xHHHH_ escape; a
# literal "_xHHHH_" in user text is protected by escaping its underscore, as Excel does.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def unescape_text(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


class _TooLongError(Exception):
    def __init__(self, length: int):
        self.length = length


# ---- styles -----------------------------------------------------------------------------------
def _font(
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    size: float = 11,
    color: str | None = None,
) -> Font:
    """A font that names the default face: without a name LibreOffice falls back to a serif."""
    return Font(name="Calibri", size=size, bold=bold, italic=italic, color=color)


def _solid(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


_TOP = Alignment(vertical="top")
_BASES: dict[str, dict[str, object]] = {
    "text": {"alignment": Alignment(wrap_text=True, vertical="top")},
    "num": {"alignment": Alignment(horizontal="center", vertical="top")},
    "value": {"alignment": Alignment(horizontal="left", vertical="top", wrap_text=True)},
    "date": {"alignment": Alignment(horizontal="center", vertical="top"),
             "number_format": "yyyy-mm-dd"},
    "dateleft": {"alignment": Alignment(horizontal="left", vertical="top"),
                 "number_format": "yyyy-mm-dd"},
    # a fraction shown as a percent with the nines it has: 99.95%, 99.9702%
    "percent": {"alignment": Alignment(horizontal="center", vertical="top"),
                "number_format": "0.00##%"},
    # an availability as the panel and the CLI show it: four decimals
    "availability": {"alignment": Alignment(horizontal="center", vertical="top"),
                     "number_format": "0.0000%"},
    "share": {"alignment": Alignment(horizontal="center", vertical="top"), "number_format": "0%"},
    "minutes": {"alignment": Alignment(horizontal="right", vertical="top"),
                "number_format": "#,##0.0"},
    "header": {"font": _font(bold=True, color="FFFFFF"), "fill": _solid("44546A"),
               "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
    "title": {"font": _font(bold=True, size=16), "alignment": _TOP},
    "section": {"font": _font(bold=True, size=12, color="1F3864"), "alignment": _TOP},
    "label": {"font": _font(bold=True), "alignment": _TOP},
    "marker": {"font": _font(italic=True, size=9, color="595959"), "alignment": _TOP},
    "note": {"font": _font(italic=True, size=9, color="595959"),
             "alignment": Alignment(vertical="top", wrap_text=True)},
}  # fmt: skip
_VARIANTS: dict[str, dict[str, object]] = {
    **{
        ap.value: {"fill": _solid(rgb(style.fill)), "font": _font(bold=True, color=rgb(style.text))}
        for ap, style in AP_STYLES.items()
    },
    "overdue": {
        "fill": _solid(rgb(OVERDUE.fill)),
        "font": _font(bold=True, color=rgb(OVERDUE.text)),
    },
    # not rated yet: grey, never an AP colour
    "none": {
        "fill": _solid(rgb(NOT_RATED.fill)),
        "font": _font(italic=True, color=rgb(NOT_RATED.text)),
    },
    "closed": {"font": _font(color=rgb(CLOSED_TEXT))},
    # an SLO met or not, and a figure that is an upper bound (the Availability sheet)
    **{
        key: {"fill": _solid(rgb(style.fill)), "font": _font(bold=True, color=rgb(style.text))}
        for key, style in (("met", SLO_MET), ("missed", SLO_MISSED), ("upper", UPPER_BOUND))
    },
}


class _Styles:
    """Style ids by key ("base" or "base:variant"), built once per workbook and shared by cells:
    assigning openpyxl style objects (or even looking a style up) cell by cell costs more than
    writing the cell."""

    def __init__(self, workbook: _ReportWorkbook, sheet: _ReportSheet):
        self._workbook, self._sheet = workbook, sheet
        self._cache: dict[tuple[str, bool], int] = {}

    def id(self, key: str, quote: bool = False) -> int:
        found = self._cache.get((key, quote))
        if found is None:
            base, _, variant = key.partition(":")
            attributes = {**_BASES[base], **(_VARIANTS[variant] if variant else {})}
            scratch = _StyledCell(self._sheet, row=1, column=1)
            for name, value in attributes.items():
                setattr(scratch, name, value)
            if quote:
                scratch.quotePrefix = True
            found = self._workbook._cell_styles.add(scratch._style)
            self._cache[(key, quote)] = found
        return found


# ---- streaming sheets -------------------------------------------------------------------------
# The classes below use private parts of openpyxl; their annotations (no run-time effect) type
# what openpyxl sets up at run time but its stubs leave out.
class _ReportWorkbook(Workbook):
    """A write-only workbook (`_ReportWorkbook(write_only=True)`)."""

    _cell_styles: IndexedList[StyleArray]  # the workbook's table of cell styles

    if TYPE_CHECKING:

        def _add_sheet(self, sheet: _WorkbookChild, index: int | None = None) -> None: ...


class _StyledCell(Cell):
    __slots__ = ()
    _style: StyleArray  # the style ids of font, fill, alignment... (a slot of StyleableObject)
    _value: Value  # what the writer writes (a slot of Cell)


class _StreamCell(_StyledCell):
    """A reusable cell of one column that knows its column letter and style id: openpyxl's
    writer asks every cell for both, and working them out costs as much as writing the cell."""

    __slots__ = ("letter", "sid")
    letter: str
    sid: int

    @property
    def style_id(self) -> int:
        return self.sid

    @property
    def has_style(self) -> bool:
        return True

    @property
    def coordinate(self) -> str:
        return f"{self.letter}{self.row}"


class _ReportSheet(WriteOnlyWorksheet):
    """A write-only sheet fed with ready cells.

    openpyxl's own row conversion sniffs each value's type (turning "=..." text into a formula)
    and, for styled cells, goes through an exception per cell; skipping it makes a fully styled
    sheet as fast as a plain one.
    """

    # What a write-only sheet borrows from Worksheet at run time (Worksheet._setup); the stubs
    # list these on Worksheet only. Row heights go in as plain dicts: see _Sheet.append.
    column_dimensions: DimensionHolder[str, ColumnDimension]
    row_dimensions: dict[int, dict[str, str]]
    merged_cells: MultiCellRange
    auto_filter: AutoFilter
    conditional_formatting: ConditionalFormattingList
    page_setup: PrintPageSetup
    page_margins: PageMargins
    print_options: PrintOptions
    sheet_properties: WorksheetProperties
    row_breaks: RowBreak

    if TYPE_CHECKING:

        def add_image(self, img: Image, anchor: str | None = None) -> None: ...

    def _values_to_row(
        self, values: Iterable[_StreamCell | None], row_idx: int
    ) -> Iterator[_StreamCell]:
        for cell in values:
            if cell is not None:
                cell.row = row_idx
                yield cell


Value = str | int | float | dt.date | None
Entry = tuple[Value, str] | None  # (value, style key)
_EXCEL_FIRST_DATE = dt.date(1900, 3, 1)


class _Sheet:
    """One sheet of the report: column set-up and rows of (value, style) pairs."""

    def __init__(self, workbook: _ReportWorkbook, title: str, styles: _Styles | None = None):
        self.ws = _ReportSheet(parent=workbook, title=title)
        workbook._add_sheet(self.ws)
        self.styles = styles or _Styles(workbook, self.ws)
        self._pool: list[_StreamCell] = []
        self._capacity: list[float] = []
        self.rows = 0

    def widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def fit_rows(self, widths: Sequence[float]) -> None:
        """Give each following row a height that shows its wrapped text: neither Excel nor
        LibreOffice grows rows of a generated file by themselves."""
        # Characters a line holds: measured in LibreOffice's fallback font, wider than Calibri.
        self._capacity = [max(width * 1.2 - 2, 1) for width in widths]

    def _grow_pool(self, size: int) -> None:
        while len(self._pool) < size:
            cell = _StreamCell(self.ws, row=1, column=len(self._pool) + 1)
            cell.letter = get_column_letter(cell.column)
            self._pool.append(cell)

    def append(self, entries: Sequence[Entry], height: float | None = None) -> None:
        if len(self._pool) < len(entries):
            self._grow_pool(len(entries))
        capacity = self._capacity
        lines, cells = 1, list[_StreamCell | None]()
        for index, entry in enumerate(entries):
            if entry is None or entry[0] is None or entry[0] == "":
                cells.append(None)
                continue
            value = entry[0]
            cells.append(self._fill(self._pool[index], value, entry[1]))
            if (
                capacity
                and type(value) is str
                and index < len(capacity)
                and (len(value) > capacity[index] or "\n" in value)
            ):
                # Paragraphs plus wrapped lines, rounded up: a slightly tall row beats clipped
                # text, and is far cheaper than laying out words.
                lines = max(lines, int(len(value) / capacity[index]) + value.count("\n") + 1)
        if height is None and lines > 1:
            height = min(LINE_HEIGHT * lines + 2, 409)
        row = self.rows + 1
        if height is not None:
            # The writer only copies these attributes; a plain dict, dropped once the row is
            # written, keeps openpyxl from holding a RowDimension per row.
            self.ws.row_dimensions[row] = {"ht": f"{height:g}", "customHeight": "1"}
        self.ws.append(cells)
        if height is not None:
            del self.ws.row_dimensions[row]
        self.rows = row

    def _fill(self, cell: _StreamCell, value: Value, style: str) -> _StreamCell:
        quote = False
        if type(value) is str:
            value, data_type = escape_text(value), "s"
            if len(value) > MAX_CELL_TEXT:
                raise _TooLongError(len(value))
            quote = value.startswith(FORMULA_STARTS)
        elif type(value) is int:
            data_type = "n"
        elif isinstance(value, dt.date):
            if value < _EXCEL_FIRST_DATE:  # before Excel's calendar: keep as ISO text
                value, data_type, style = value.isoformat(), "s", "num"
            else:
                base, colon, variant = style.partition(":")
                data_type = "d"
                style = ("dateleft" if base == "value" else "date") + colon + variant
        elif isinstance(value, float):
            # repr keeps every digit (openpyxl would write 16); not-a-number stays readable text
            data_type = "n" if math.isfinite(value) else "s"
            value = repr(value)
        else:
            data_type = "n"
        cell._value, cell.data_type = value, data_type
        cell.sid = self.styles.id(style, quote)
        return cell


def _header(sheet: _Sheet, columns: Sequence[tuple[str, float]], freeze: str = "A2") -> None:
    """Widths, frozen panes and the header row: a streamed sheet takes its set-up before its
    first row."""
    sheet.widths([width for _, width in columns])
    sheet.ws.freeze_panes = freeze
    sheet.ws.print_title_rows = "1:1"
    sheet.append([(name, "header") for name, _ in columns], height=32)
    sheet.fit_rows([width for _, width in columns])


def _finish_table(sheet: _Sheet, columns: Sequence[tuple[str, float]]) -> None:
    last = get_column_letter(len(columns))
    sheet.ws.auto_filter.ref = f"A1:{last}{max(sheet.rows, 1)}"


def _one_line(text: str, limit: int) -> str:
    """Text for places that cannot hold control characters or length (page header, title)."""
    flat = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _header_footer_text(text: str, limit: int = 80) -> str:
    return _one_line(text, limit).replace("&", "&&")


def _print_setup(sheet: _Sheet, model: Model, today: dt.date, landscape: bool = True) -> None:
    ws = sheet.ws
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3,
                                  footer=0.3)  # fmt: skip
    ws.print_options.gridLines = ws.title != "Summary"
    header, footer = HeaderFooterItem(), HeaderFooterItem()
    header.left.text = _header_footer_text(model.name)
    header.center.text = _header_footer_text(_form_id(model))
    header.right.text = ws.title
    footer.left.text = f"FMA Workbench report, {today.isoformat()}"
    footer.right.text = "Page &P of &N"
    for part in (header.left, header.center, header.right, footer.left, footer.right):
        part.size = 9
    ws.oddHeader, ws.oddFooter = header, footer


def _form_id(model: Model) -> str:
    """ "FMEA FM-7, revision C" for the page header: the form's number and revision."""
    parts = []
    if model.fmea_number.strip():
        parts.append(f"FMEA {model.fmea_number.strip()}")
    if model.revision.strip():
        parts.append(f"revision {model.revision.strip()}")
    return ", ".join(parts)


# ---- progress and cancellation ----------------------------------------------------------------
class _Progress:
    """Reports (done, total) at most about 200 times and checks for cancellation often."""

    def __init__(
        self,
        total: int,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ):
        self.total, self.done = max(total, 1), 0
        self._progress, self._cancelled = progress, cancelled
        self._next_report = 0
        self._step = max(self.total // 200, 1)

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelledError("the report export was cancelled")

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total)
        if self.done >= self._next_report:
            self._next_report = self.done + self._step
            self.check()
            if self._progress is not None:
                self._progress(self.done, self.total)


# ---- the sheets -------------------------------------------------------------------------------
def _ap_style(ap: str | None) -> str:
    return f"num:{ap}" if ap else "num"


def _ap_entry(fm: FailureMode) -> Entry:
    """The AP cell of a failure mode: its AP, or "not rated" in grey (never L)."""
    ap = charts.ap_of(fm)
    return (ap, f"num:{ap}") if ap else (NOT_RATED.label, "num:none")


def _action_line(action: Action) -> str:
    details = [action.owner] if action.owner else []
    if action.due_date:
        details.append(f"due {action.due_date.isoformat()}")
    details.append(action.status.value)
    return f"\u2022 {action.description or '(no description)'} ({'; '.join(details)})"


def _actions_summary(actions: list[Action], limit: int = 2000) -> str:
    ordered = sorted(actions, key=lambda a: (a.status.is_closed, a.due_date or dt.date.max, a.id))
    text = "\n".join(_action_line(a) for a in ordered)
    if len(text) > limit:  # derived text: shorten rather than refuse (Actions has them all)
        text = text[:limit].rsplit("\n", 1)[0] + "\n\u2026 (all actions on the Actions sheet)"
    return text


def _worksheet_row(item: RankedFailureMode[FailureMode], actions: list[Action]) -> list[Entry]:
    fm, revised = item.failure_mode, item.failure_mode.revised
    revised_ap = charts.revised_ap_of(fm)
    if revised:
        new = (revised.severity, revised.likelihood, revised.detection)
        revised_entries: list[Entry] = [(new[0], "num"), (new[1], "num"), (new[2], "num"),
                                        (new[0] * new[1] * new[2], "num")]  # fmt: skip
    else:
        revised_entries = [None, None, None, None]
    return [
        (item.rank, "num"), (fm.id, "num"), (item.component, "text"), (fm.function, "text"),
        (fm.failure_mode, "text"), (fm.effect, "text"), (fm.severity, "num"), (fm.cause, "text"),
        (fm.likelihood, "num"), (fm.prevention_controls, "text"),
        (fm.detection_controls, "text"), (fm.detection, "num"),  # blank: not rated yet
        (fm.rpn, "num"), _ap_entry(fm),
        (_actions_summary(actions) if actions else None, "text"), *revised_entries,
        (revised_ap, _ap_style(revised_ap)), (fm.notes, "text"), (fm.justification, "text"),
    ]  # fmt: skip


def _write_worksheet(
    sheet: _Sheet,
    ranked: list[RankedFailureMode[FailureMode]],
    actions_by_fm: dict[int, list[Action]],
    progress: _Progress,
) -> None:
    # Rank, ID and Component stay in view when scrolling right.
    _header(sheet, WORKSHEET_COLUMNS, freeze="D2")
    for item in ranked:
        try:
            sheet.append(_worksheet_row(item, actions_by_fm.get(item.failure_mode.id, [])))
        except _TooLongError as error:
            raise _too_long("Worksheet", f"failure mode {item.failure_mode.id}", error) from None
        progress.advance()
    _finish_table(sheet, WORKSHEET_COLUMNS)
    n = sheet.rows
    (low, low_colour), (mid, mid_colour), (high, high_colour) = RPN_SCALE_POINTS
    for column in ("M", "S"):  # RPN and Revised RPN, shaded as in the app
        sheet.ws.conditional_formatting.add(
            f"{column}2:{column}{max(n, 2)}",
            ColorScaleRule(start_type="num", start_value=low, start_color=rgb(low_colour),
                           mid_type="num", mid_value=mid, mid_color=rgb(mid_colour),
                           end_type="num", end_value=high, end_color=rgb(high_colour)),
        )  # fmt: skip


def _too_long(sheet: str, what: str, error: _TooLongError) -> ReportError:
    return ReportError(
        f"cannot write the report: a text of {what} on the {sheet} sheet is "
        f"{error.length:,} characters long; a spreadsheet cell holds at most {MAX_CELL_TEXT:,}"
    )


def _overdue_days(action: Action, today: dt.date) -> int:
    return action.days_overdue(today)


def _ordered_actions(model: Model, rank_of: dict[int, int]) -> list[Action]:
    """Open actions first, by the rank of their failure mode then due date; closed ones after."""
    return sorted(
        model.actions.values(),
        key=lambda a: (a.status.is_closed, rank_of[a.failure_mode_id],
                       a.due_date or dt.date.max, a.id),
    )  # fmt: skip


def _action_row(
    action: Action, item: RankedFailureMode[FailureMode], today: dt.date
) -> list[Entry]:
    fm, days = item.failure_mode, _overdue_days(action, today)
    text = "text:closed" if action.status.is_closed else "text"
    num = "num:closed" if action.status.is_closed else "num"
    due = "date:overdue" if days else ("date:closed" if action.status.is_closed else "date")
    overdue = (f"{days} day{'s' if days != 1 else ''}", "num:overdue") if days else None
    return [
        (item.rank, num), (action.id, num), (fm.id, num), (item.component, text),
        (fm.failure_mode, text), _ap_entry(fm), (fm.rpn, num),
        (action.description, text), (action.owner, text), (action.due_date, due),
        (action.status.value, num), overdue, (action.action_taken, text),
    ]  # fmt: skip


def _write_actions(
    sheet: _Sheet,
    model: Model,
    ranked: list[RankedFailureMode[FailureMode]],
    today: dt.date,
    progress: _Progress,
) -> None:
    _header(sheet, ACTION_COLUMNS)
    item_of = {item.failure_mode.id: item for item in ranked}
    rank_of = {fm_id: item.rank for fm_id, item in item_of.items()}
    for action in _ordered_actions(model, rank_of):
        try:
            sheet.append(_action_row(action, item_of[action.failure_mode_id], today))
        except _TooLongError as error:
            raise _too_long("Actions", f"action {action.id}", error) from None
        progress.advance()
    _finish_table(sheet, ACTION_COLUMNS)


def _write_components(sheet: _Sheet, model: Model, progress: _Progress) -> None:
    _header(sheet, COMPONENT_COLUMNS)
    counts: dict[int, int] = {}
    highest: dict[int, int] = {}
    for fm in model.failure_modes.values():
        counts[fm.component_id] = counts.get(fm.component_id, 0) + 1
        if fm.rpn is not None:  # not rated yet has no RPN to be highest
            highest[fm.component_id] = max(highest.get(fm.component_id, 0), fm.rpn)
    for c in sorted(model.components.values(), key=lambda c: (c.name.casefold(), c.id)):
        row: list[Entry] = [
            (c.id, "num"), (c.name, "text"), (c.kind.value, "num"), (c.owner, "text"),
            (c.description, "text"), ("yes" if c.user_facing else "no", "num"),
            (c.availability, "percent"), (c.slo, "percent"), (c.slo_window_days, "num"),
            (c.x, "num"), (c.y, "num"), (counts.get(c.id, 0), "num"), (highest.get(c.id), "num"),
            (ALIAS_SEPARATOR.join(c.aliases), "text"),
        ]  # fmt: skip
        try:
            sheet.append(row)
        except _TooLongError as error:
            raise _too_long("Components", f"component {c.id}", error) from None
        progress.advance()
    _finish_table(sheet, COMPONENT_COLUMNS)


def _write_dependencies(sheet: _Sheet, model: Model, progress: _Progress) -> None:
    _header(sheet, DEPENDENCY_COLUMNS)
    names = {c.id: c.name for c in model.components.values()}
    ordered = sorted(
        model.dependencies.values(),
        key=lambda d: (names[d.source_id].casefold(), names[d.target_id].casefold(), d.id),
    )
    needs = model.live_group_needs()
    for d in ordered:
        group_needs = needs.get((d.source_id, d.group), 1) if d.group else None
        row: list[Entry] = [
            (d.id, "num"), (names[d.source_id], "text"), (names[d.target_id], "text"),
            (d.strength.value, "num"), (d.group, "num"), (group_needs, "num"),
            (d.description, "text"),
            *_observed_entries(d.observed),
        ]  # fmt: skip
        try:
            sheet.append(row)
        except _TooLongError as error:
            raise _too_long("Dependencies", f"dependency {d.id}", error) from None
        progress.advance()
    _finish_table(sheet, DEPENDENCY_COLUMNS)


def _observed_entries(observed: ObservedCalls | None) -> list[Entry]:
    if observed is None:
        return [(None, "num")] * len(OBSERVED_COLUMNS)
    return [
        (observed.calls, "num"), (observed.errors, "num"), (observed.p50_ms, "num"),
        (observed.p99_ms, "num"), (iso_utc(observed.first_seen), "num"),
        (iso_utc(observed.last_seen), "num"),
    ]  # fmt: skip


def iso_utc(moment: dt.datetime | None) -> str | None:
    """A time as ISO 8601 text in UTC with a Z: text, so it reads back to the microsecond."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _resilience_row(model: Model, fm: FailureMode) -> list[Entry]:
    r = fm.resilience
    fault, probe, record = r.fault, r.probe, r.experiment
    return [
        (fm.id, "num"), (model.component(fm.component_id).name, "text"),
        (fm.failure_mode, "text"), (fault.kind.value if fault else None, "num"),
        (fault.duration_s if fault else None, "num"), (fault.magnitude if fault else None, "num"),
        (r.hypothesis, "text"), (probe.kind.value if probe else None, "num"),
        (probe.url if probe else None, "text"), (probe.expected_status if probe else None, "num"),
        (probe.timeout_s if probe else None, "num"), (probe.query if probe else None, "text"),
        (probe.threshold if probe else None, "num"), (format_mitigations(r.mitigations), "text"),
        (r.runbook, "text"), (record.status.value, "num"), (record.date, "date"),
        (record.result, "text"),
    ]  # fmt: skip


def _write_resilience(sheet: _Sheet, model: Model, progress: _Progress) -> None:
    """One row per failure mode that has any resilience, by component then failure mode id."""
    _header(sheet, RESILIENCE_COLUMNS, freeze="D2")
    names = {c.id: c.name.casefold() for c in model.components.values()}
    chosen = sorted(
        (fm for fm in model.failure_modes.values() if not fm.resilience.is_empty),
        key=lambda fm: (names[fm.component_id], fm.id),
    )
    for fm in chosen:
        try:
            sheet.append(_resilience_row(model, fm))
        except _TooLongError as error:
            raise _too_long("Resilience", f"failure mode {fm.id}", error) from None
        progress.advance()
    _finish_table(sheet, RESILIENCE_COLUMNS)


def _write_targets(sheet: _Sheet, model: Model, progress: _Progress) -> None:
    _header(sheet, TARGET_COLUMNS, freeze="C2")
    for c in sorted(model.components.values(), key=lambda c: (c.name.casefold(), c.id)):
        t = c.chaos_target
        if t is None:
            continue
        row: list[Entry] = [
            (c.id, "num"), (c.name, "text"), (t.platform.value, "num"), (t.namespace, "text"),
            (t.selector, "text"), (t.deployment, "text"), (t.cluster, "text"),
            (t.resource_type.value if t.resource_type else None, "num"),
            (", ".join(t.resource_ids), "text"), (t.proxy, "text"),
        ]  # fmt: skip
        try:
            sheet.append(row)
        except _TooLongError as error:
            raise _too_long("Chaos Targets", f"component {c.id}", error) from None
        progress.advance()
    _finish_table(sheet, TARGET_COLUMNS)


def _write_findings(sheet: _Sheet, result: Review, progress: _Progress) -> None:
    """Violations by rule (in the order of the rules), then waived ones with their waiver, then
    the rules that did not run and why."""
    _header(sheet, FINDING_COLUMNS)
    waived = [(finding, waiver) for finding, waiver in result.waived]
    rows = [(finding, None) for finding in result.findings] + waived
    for finding, waiver in rows:
        note = None
        if waiver is not None:
            note = f"waived by {waiver.owner} until {waiver.expires.isoformat()}: {waiver.reason}"
        try:
            sheet.append([
                (finding.rule, "num"), (finding.component, "text"),
                (finding.failure_mode_id, "num"), (finding.failure_mode, "text"),
                (finding.dependency, "text"), (finding.message, "text"), (note, "text"),
            ])  # fmt: skip
        except _TooLongError as error:
            raise _too_long(FINDINGS_SHEET, f"a finding of {finding.rule}", error) from None
        progress.advance()
    for skipped in result.skipped:
        sheet.append([(skipped.rule.id, "num"), *[None] * 4, (f"not run: {skipped.skipped}",
                                                             "note")])  # fmt: skip
    if not rows:
        sheet.append([(None, "num"), *[None] * 4, (
            f"No rule broken as of {result.as_of.isoformat()}", "note")])  # fmt: skip
    _finish_table(sheet, FINDING_COLUMNS)


def _text_height(text: str, width_chars: float, line_height: float = 15.0) -> float | None:
    """Row height for wrapped text in a merged cell, which spreadsheets do not fit by
    themselves; None for one line."""
    lines = sum(max(1, math.ceil(len(part) / max(width_chars * 0.95, 1))) for part in
                text.split("\n"))  # fmt: skip
    return min(line_height * lines + 3, 409) if lines > 1 else None


def _write_summary(
    sheet: _Sheet,
    model: Model,
    ranked: list[RankedFailureMode[FailureMode]],
    by: RankBy,
    today: dt.date,
    progress: _Progress,
) -> None:
    ws = sheet.ws
    sheet.widths(SUMMARY_WIDTHS)
    wide = sum(SUMMARY_WIDTHS[1:])
    sheet.append([(model.name, "title")], height=24)
    ws.merged_cells.add("A1:H1")
    sheet.append([(f"{MARKER_TEXT}, format {FORMAT_VERSION}, FMA Workbench {__version__}",
                   "marker")])  # fmt: skip
    ws.merged_cells.add("A2:H2")
    sheet.append([])
    sheet.append([("Model", "label"), (model.name, "value")], _text_height(model.name, wide))
    ws.merged_cells.add(f"B{sheet.rows}:H{sheet.rows}")
    sheet.append([("Description", "label"), (model.description, "value")],
                 _text_height(model.description, wide))  # fmt: skip
    ws.merged_cells.add(f"B{sheet.rows}:H{sheet.rows}")
    for label, name in PROPERTY_ROWS:
        value = getattr(model, name)
        height = _text_height(value, wide) if isinstance(value, str) else None
        sheet.append([(label, "label"), (value, "value")], height)
        ws.merged_cells.add(f"B{sheet.rows}:H{sheet.rows}")
    sheet.append([("Report date", "label"), (today, "value")])
    sheet.append([("Ranked by", "label"), (RANKING_TEXT[by], "value")])
    ws.merged_cells.add(f"B{sheet.rows}:H{sheet.rows}")
    _summary_counts(sheet, model, today)
    _summary_top(sheet, ranked, by)
    sheet.append([])
    sheet.append([(LEGEND, "note")], height=32)
    ws.merged_cells.add(f"A{sheet.rows}:H{sheet.rows}")
    ws.row_breaks.append(Break(id=sheet.rows))  # charts start on a page of their own
    sheet.append([("Charts", "section")])
    _summary_charts(sheet, model, progress)


def _summary_counts(sheet: _Sheet, model: Model, today: dt.date) -> None:
    open_actions = [a for a in model.actions.values() if not a.status.is_closed]
    overdue = sum(1 for a in open_actions if _overdue_days(a, today))
    sheet.append([])
    sheet.append([("Counts", "section")])
    for label, count in (
        ("Components", len(model.components)),
        ("Dependencies", len(model.dependencies)),
        ("Failure modes", len(model.failure_modes)),
        (NOT_RATED_YET, sum(1 for fm in model.failure_modes.values() if fm.rpn is None)),
        ("Actions", len(model.actions)),
        ("Open actions", len(open_actions)),
        ("Overdue actions", overdue),
    ):
        style = "value:overdue" if label == "Overdue actions" and count else "value"
        sheet.append([(label, "label"), (count, style)])
    before, after = charts.ap_counts(model)
    sheet.append([])
    sheet.append([("Action Priority", "header"), ("Before actions", "header"),
                  ("After actions (revised where scored)", "header")], height=32)  # fmt: skip
    for ap in ActionPriority:
        sheet.append([(f"{AP_NAMES[ap]} ({ap})", f"num:{ap}"), (before[ap], "num"),
                      (after[ap], "num")])  # fmt: skip
    sheet.append([(NOT_RATED_YET, "num:none"), (before[None], "num"), (after[None], "num")])


def _summary_top(sheet: _Sheet, ranked: list[RankedFailureMode[FailureMode]], by: RankBy) -> None:
    sheet.append([])
    label = "RPN" if by is RankBy.RPN else "Action Priority"
    sheet.append([(f"Top {TOP_COUNT} by {label}", "section")])
    headers = ("Rank", "Component", "Failure Mode", "S", "L", "D", "RPN", "AP")
    sheet.append([(h, "header") for h in headers])
    sheet.fit_rows(SUMMARY_WIDTHS)
    for item in ranked[:TOP_COUNT]:
        fm = item.failure_mode
        try:
            sheet.append([
                (item.rank, "num"), (item.component, "text"), (fm.failure_mode, "text"),
                (fm.severity, "num"), (fm.likelihood, "num"), (fm.detection, "num"),
                (fm.rpn, "num"), _ap_entry(fm),
            ])  # fmt: skip
        except _TooLongError as error:
            raise _too_long("Summary", f"failure mode {fm.id}", error) from None
    if not ranked:
        sheet.append([(None, "num"), ("No failure modes", "note")])
    sheet.fit_rows([])


def _summary_charts(sheet: _Sheet, model: Model, progress: _Progress) -> None:
    first_row = sheet.rows + 1
    for index, build in enumerate(charts.CHARTS.values()):
        progress.check()
        png = charts.figure_png(build(model), dpi=CHART_DPI)
        image = Image(io.BytesIO(png))
        image.width, image.height = CHART_SIZE_PX
        sheet.ws.add_image(image, f"A{first_row + index * CHART_ROWS}")
        if index == 1:  # two charts a page: never one cut in half
            sheet.ws.row_breaks.append(Break(id=first_row + (index + 1) * CHART_ROWS - 1))
        progress.advance(CHART_COST)


# ---- the whole report -------------------------------------------------------------------------
CHART_COST = 1500  # progress units per chart: drawing one takes about as long as 1,500 rows


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise ReportError(f"cannot write the report to {path}: it is a folder")
    if not path.parent.is_dir():
        raise ReportError(f"cannot write the report to {path}: folder {path.parent} does not exist")


def write_report(
    model: Model,
    path: str | os.PathLike[str],
    by: RankBy | str = "rpn",
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    policy: Policy | None = None,
) -> None:
    """Write the ranked report of `model` to `path` (.xlsx), complete or not at all. The
    Findings sheet holds the review rules' findings under `policy` (default: the defaults) as
    of `today`.

    Raises ReportCancelledError when `cancelled()` turns true, ReportError for a model or path that
    cannot make a report, OSError for a failed write; in every case an existing file at `path`
    is left as it was and no partial file remains.
    """
    try:
        rank_by = RankBy(str(by).lower())
    except ValueError:
        raise ReportError(f"cannot rank by {by!r}: use rpn or ap") from None
    target = Path(path)
    _check_target(target)
    today = today or dt.date.today()
    rows = len(model.failure_modes) + len(model.actions) + len(model.components)
    rows += len(model.dependencies)
    steps = _Progress(rows * 5 // 4 + CHART_COST * len(charts.CHARTS), progress, cancelled)
    steps.check()
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                         dir=target.parent)  # fmt: skip
    os.close(handle)
    temp = Path(temp_name)
    workbook = _ReportWorkbook(write_only=True)
    try:
        _build(workbook, model, rank_by, today, steps, policy)
        steps.check()
        workbook.save(temp)
        steps.check()
        _publish(temp, target)
    except BaseException:
        _discard(workbook)
        temp.unlink(missing_ok=True)
        raise
    if progress is not None:  # no cancellation check here: the file is already in place
        progress(steps.total, steps.total)


def _build(
    workbook: _ReportWorkbook,
    model: Model,
    by: RankBy,
    today: dt.date,
    steps: _Progress,
    policy: Policy | None = None,
) -> None:
    workbook.properties.title = _one_line(model.name, 200)
    workbook.properties.creator = f"FMA Workbench {__version__}"
    # The model's identity travels in the document properties (dc:identifier), so the round
    # trip keeps it without a cell a reviewer could edit by accident.
    workbook.properties.identifier = model.uuid
    summary = _Sheet(workbook, SHEET_NAMES[0])
    names = (*SHEET_NAMES[1:], FINDINGS_SHEET)
    sheets = [summary] + [_Sheet(workbook, name, summary.styles) for name in names]
    for sheet in sheets:
        _print_setup(sheet, model, today, landscape=sheet is not summary)
    workbook.defined_names[MARKER_NAME] = DefinedName(MARKER_NAME, attr_text="Summary!$A$2")
    ranked = rank_failure_modes(model, by)
    actions_by_fm: dict[int, list[Action]] = {}
    for action in model.actions.values():
        actions_by_fm.setdefault(action.failure_mode_id, []).append(action)
    try:
        _write_summary(summary, model, ranked, by, today, steps)
    except _TooLongError as error:  # the top-10 rows name their failure mode; this is the model
        raise _too_long("Summary", "the model name or description", error) from None
    _write_worksheet(sheets[1], ranked, actions_by_fm, steps)
    _write_actions(sheets[2], model, ranked, today, steps)
    _write_components(sheets[3], model, steps)
    _write_dependencies(sheets[4], model, steps)
    _write_findings(sheets[5], review(ReviewInputs(model, today), policy), steps)
    from fma_app.reports.availability_sheet import write_availability_sheet  # imports this module

    write_availability_sheet(workbook, model, today, summary.styles)
    # Created after Availability, so they come last: sheets keep the order of their creation.
    resilience, targets = (_Sheet(workbook, name, summary.styles) for name in RESILIENCE_SHEETS)
    for sheet in (resilience, targets):
        _print_setup(sheet, model, today, landscape=True)
    _write_resilience(resilience, model, steps)
    _write_targets(targets, model, steps)


def _publish(temp: Path, target: Path) -> None:
    """fsync the complete file, give it normal permissions, rename it over the target."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    with open(temp, "rb") as written:
        os.fsync(written.fileno())
    os.replace(temp, target)
    try:
        directory = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


def _discard(workbook: Workbook) -> None:
    """Finish the streams of an abandoned write-only workbook (left open, they would fail when
    garbage-collected) and delete their temporary files."""
    for ws in workbook.worksheets:
        try:
            if not ws.closed:
                ws.close()
        except (OSError, ValueError, RuntimeError, StopIteration):
            pass
        writer = getattr(ws, "_writer", None)
        if writer is not None and os.path.exists(writer.out):
            with contextlib.suppress(OSError, ValueError):
                writer.cleanup()
