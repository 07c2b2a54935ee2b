"""The report's Availability sheet: each entry point's figures as the panel and `fma-app
availability` give them, for the review meeting.

One row per entry point: availability (exact, or sampled with its 95 % interval), SLO, window,
verdict, expected downtime and error budget in minutes per window, the share of the budget the
architecture alone uses, the components whose availability is unknown (the figure is then an
upper bound) and the costliest contributors. Derived from the model, so `report_import` does not
read it back (a report without it still imports).
"""

from __future__ import annotations

import datetime as dt
import math

from fma_app.analysis.availability import EntryPointAvailability, entry_point_availability
from fma_app.domain.model import Model
from fma_app.presentation.availability import gain_points, percent, verdict
from fma_app.reports import xlsx_report as report

AVAILABILITY_SHEET = "Availability"
TOP_CONTRIBUTORS = 8  # a cell a reviewer can read; the panel and the CLI have them all
AVAILABILITY_COLUMNS = (
    ("Entry Point", 22), ("Availability", 12), ("Method", 16), ("SLO", 9),
    ("Window (days)", 9), ("Verdict", 9), ("Downtime (min)", 11), ("Budget (min)", 11),
    ("Budget Used", 9), ("Unknown Availability (upper bound)", 24),
    ("Costliest Components (gain if it never failed)", 50),
)  # fmt: skip
NOTE = (
    "Availability: the probability the entry point is up, from the components' own "
    "availabilities through the strong dependencies and redundancy groups (a shared component "
    "counts once). Downtime and Budget (the error budget) are minutes per SLO window; "
    "Budget Used is the share of the error budget the architecture alone uses up. "
    "Components without an availability count as 100 %, so a figure with any is an upper "
    "bound. A gain is the availability the entry point would gain, in percentage points, "
    "if that component never failed."
)
NO_ENTRY_POINTS = "No entry points: mark the user-facing components to compute their availability."


def write_availability_sheet(
    workbook: report._ReportWorkbook, model: Model, today: dt.date, styles: report._Styles
) -> None:
    sheet = report._Sheet(workbook, AVAILABILITY_SHEET, styles)
    report._print_setup(sheet, model, today)
    report._header(sheet, AVAILABILITY_COLUMNS, freeze="B2")
    sheet.fit_rows([])  # each row's height is worked out below: lists of names wrap
    results = entry_point_availability(model)
    for result in results:
        row = availability_row(model, result)
        sheet.append(row, height=_height(row))
    report._finish_table(sheet, AVAILABILITY_COLUMNS)
    sheet.append([])
    sheet.append([(NOTE if results else NO_ENTRY_POINTS, "note")], height=report.LINE_HEIGHT * 4)
    sheet.ws.merged_cells.add(f"A{sheet.rows}:K{sheet.rows}")


def _height(row: list[report.Entry]) -> float | None:
    """Lines the wrapped cells need (in LibreOffice's fallback font, wider than Calibri)."""
    lines = 1
    for entry, (_title, width) in zip(row, AVAILABILITY_COLUMNS, strict=True):
        if entry is not None and isinstance(entry[0], str):
            per_line = max(width * 1.2 - 2, 1)
            lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line)
                                   for part in entry[0].split("\n")))  # fmt: skip
    return report.LINE_HEIGHT * lines + 2 if lines > 1 else None


def availability_row(model: Model, result: EntryPointAvailability) -> list[report.Entry]:
    name = model.components.__getitem__
    met = result.meets_slo
    verdict_style = "num" if met is None else ("num:met" if met else "num:missed")
    share_style = "share" if met is None else ("share:met" if met else "share:missed")
    method = "exact"
    if result.method == "sampled" and result.interval:
        low, high = result.interval
        method = f"sampled, 95 % {percent(low)} to {percent(high)}"
    unknown = ", ".join(name(cid).name for cid in result.unknown_components)
    shown = result.contributors[:TOP_CONTRIBUTORS]
    lines = [
        f"{rank}. {name(c.component_id).name} {gain_points(c.gain)} "
        f"({c.gain * result.window_minutes:,.1f} min)"
        for rank, c in enumerate(shown, start=1)
    ]
    if len(result.contributors) > len(shown):
        lines.append(f"and {len(result.contributors) - len(shown)} more")
    return [
        (name(result.entry_point).name, "text"), (result.availability, "availability"),
        (method, "text"), (result.slo, "percent"), (result.window_days, "num"),
        (verdict(met) if met is not None else None, verdict_style),
        (result.downtime_minutes, "minutes"), (result.budget_minutes, "minutes"),
        (result.budget_consumed, share_style), (unknown, "text:upper" if unknown else "text"),
        ("\n".join(lines), "text"),
    ]  # fmt: skip
