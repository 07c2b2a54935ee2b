"""A corpus of FMEA forms in the shapes teams really fill in (issue 12), built with openpyxl.

Every form carries the same four failure modes (`ROWS`), laid out in its own way: its own
header rows, merges, column order, spelling, footers. The tests import each and compare every
imported cell with `ROWS`, so a score in the wrong field, a header or footer taken for data, or
a lost action shows up as a difference. Scores differ within each row (S != L != D) so that a
swap cannot pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fma_app.domain.model import Model, Scores


@dataclass(frozen=True)
class Failure:
    component: str
    function: str
    mode: str
    effect: str
    severity: int
    cause: str
    likelihood: int
    prevention: str
    detection_controls: str
    detection: int
    action: str | None = None
    owner: str = ""
    due: dt.date | None = None
    taken: str = ""
    revised: Scores | None = None


ROWS = (
    Failure("Coolant pump", "Move coolant", "Seal leaks", "Coolant loss", 8, "Worn seal", 4,
            "Seal specification", "Pressure test", 6, "Add a leak sensor", "A. Weber",
            dt.date(2026, 3, 31), "Sensor fitted", Scores(8, 2, 3)),
    Failure("Coolant pump", "Move coolant", "Bearing seizes", "Pump stops", 9, "No grease", 3,
            "Grease schedule", "Vibration check", 5),
    Failure("Mixing valve", "Regulate flow", "Sticks open", "Overheating", 7, "Debris", 5,
            "Inlet filter", "Flow meter", 4, "Add a strainer", "B. Li", dt.date(2026, 4, 15)),
    Failure("Mixing valve", "Regulate flow", "Sticks closed", "No flow", 10, "Corrosion", 2,
            "Coated body", "Low-flow alarm", 3),
)  # fmt: skip

# Column keys a form lays out; `cell_value` gives each row's value for a key.
Key = str


def cell_value(failure: Failure, key: Key, *, date_style: str = "dmy") -> object:
    """The value a form writes for `key` on a failure's row (None: blank)."""
    due = failure.due
    shown_due = ""
    if due is not None:
        shown_due = {
            "dmy": f"{due.day:02d}/{due.month:02d}/{due.year}",
            "mdy": f"{due.month}/{due.day}/{due.year}",
            "iso": due.isoformat(),
            "dots": f"{due.day:02d}.{due.month:02d}.{due.year}",
        }[date_style]
    revised = failure.revised
    values: dict[str, object] = {
        "component": failure.component,
        "function": failure.function,
        "mode": failure.mode,
        "effect": failure.effect,
        "S": failure.severity,
        "cause": failure.cause,
        "L": failure.likelihood,
        "prevention": failure.prevention,
        "detection_controls": failure.detection_controls,
        "D": failure.detection,
        "rpn": failure.severity * failure.likelihood * failure.detection,
        "class": None,
        "action": failure.action,
        "owner": failure.owner or None,
        "due": due,
        "due_text": shown_due or None,
        "owner_due": f"{failure.owner} {shown_due}".strip() or None,
        "taken": failure.taken or None,
        "rS": revised.severity if revised else None,
        "rL": revised.likelihood if revised else None,
        "rD": revised.detection if revised else None,
        "rrpn": revised.rpn if revised else None,
        "blank": None,
        "number": None,
    }
    return values[key]


@dataclass
class Layout:
    """How one form lays out `ROWS`: the column keys from column A, where the data starts, and
    whether the component column is written only on a component's first row and merged down."""

    keys: Sequence[Key]
    first_row: int
    merge_components: bool = True
    date_style: str = "dmy"
    as_text: bool = False  # CSV: every value written as text
    numbering: Callable[[int], object] | None = None  # the value of the "number" key


def write_rows(sheet: Worksheet, layout: Layout) -> int:
    """Write `ROWS` in the layout; returns the row after the last one written."""
    row = layout.first_row
    starts: dict[str, int] = {}
    for index, failure in enumerate(ROWS):
        for column, key in enumerate(layout.keys, start=1):
            value = cell_value(failure, key, date_style=layout.date_style)
            if key == "number" and layout.numbering is not None:
                value = layout.numbering(index)
            if key == "component" and layout.merge_components:
                if failure.component in starts:
                    value = None
                else:
                    starts[failure.component] = row
            if value is not None:
                sheet.cell(row, column, str(value) if layout.as_text else value)
        row += 1
    if layout.merge_components and "component" in layout.keys:
        column = list(layout.keys).index("component") + 1
        letter = get_column_letter(column)
        ends = {}
        for offset, failure in enumerate(ROWS):
            ends[failure.component] = layout.first_row + offset
        for name, start in starts.items():
            if ends[name] > start:
                sheet.merge_cells(f"{letter}{start}:{letter}{ends[name]}")
    return row


def put(sheet: Worksheet, row: int, values: Sequence[object], first_column: int = 1) -> None:
    for column, value in enumerate(values, start=first_column):
        if value is not None:
            sheet.cell(row, column, value)


@dataclass
class Expected:
    """What importing a corpus form must give."""

    component_of: Callable[[Failure], str] = lambda f: f.component
    revised: bool = False
    actions: bool = False
    owners: bool = True  # the form has owner/date columns
    rated: bool = True
    notes: list[str] = field(default_factory=list)  # fragments the notes must contain


def failure_rows(model: Model) -> list[tuple[object, ...]]:
    names = {c.id: c.name for c in model.components.values()}
    return [
        (names[f.component_id], f.function, f.failure_mode, f.effect, f.cause,
         f.prevention_controls, f.detection_controls, f.severity, f.likelihood, f.detection,
         f.revised)
        for f in model.failure_modes.values()
    ]  # fmt: skip


def expected_failure_rows(expected: Expected) -> list[tuple[object, ...]]:
    return [
        (expected.component_of(f), f.function, f.mode, f.effect, f.cause, f.prevention,
         f.detection_controls,
         f.severity if expected.rated else None,
         f.likelihood if expected.rated else None,
         f.detection if expected.rated else None,
         f.revised if expected.revised else None)
        for f in ROWS
    ]  # fmt: skip


def action_rows(model: Model) -> list[tuple[object, ...]]:
    modes = {f.id: f.failure_mode for f in model.failure_modes.values()}
    return [
        (modes[a.failure_mode_id], a.description, a.owner, a.due_date, a.action_taken)
        for a in model.actions.values()
    ]


def expected_action_rows(expected: Expected) -> list[tuple[object, ...]]:
    if not expected.actions:
        return []
    return [
        (f.mode, f.action, f.owner if expected.owners else "",
         f.due if expected.owners else None, f.taken if expected.revised else "")
        for f in ROWS
        if f.action
    ]  # fmt: skip


def save(workbook: openpyxl.Workbook, folder: Path, name: str) -> Path:
    path = folder / name
    workbook.save(path)
    return path
