"""Build a model from a team's own FMEA worksheet (AIAG 4th edition, AIAG-VDA or home-made forms).

How a form is read:
- The FMEA sheet is the named one, or the first sheet whose first 30 rows hold a header row (a
  row naming at least three known columns, see `headers`). A second header row right below it
  (for example "Action Results" over "Actions Taken | Sev | Occ | Det | RPN") is read with it.
- Score columns that appear a second time (the AIAG "Action Results" block, the AIAG-VDA
  optimisation block) hold the revised scores. RPN and AP columns are never read: RPN is
  recomputed from the scores, AP from the handbook table.
- Merged cells count as their top-left value on every row they cover. A blank Item continues
  the component above; a blank Function continues the function above within one component. A
  row with a blank Failure Mode but its own cause or scores is another cause of the failure mode
  above (its Effect and Severity continue too); a row with only action columns is another action
  of the failure mode above; a row with only an Item (and Function) creates just the component.
- Components are created in first-seen order with kind "other": a form does not say whether an
  item is a service, a database or a host, and "other" claims nothing. They are placed on a grid
  so the graph view shows them apart.
- A row's recommended action text (including the AIAG-VDA "Prevention Action" and "Detection
  Action" columns: one action each) creates an action with its owner, due date (a date cell, or
  text as YYYY-MM-DD or DD-MM-YYYY) and status. A blank status is "done" when the row has
  actions taken and revised scores, else "open".
- A sheet named Dependencies (columns Component, Depends On, optional Strength, Description,
  Redundancy Group) adds dependencies between the imported components.
Every problem is collected with its cell reference and raised together as `ImportProblemsError`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import PurePath
from typing import Literal

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    ActionStatus,
    Component,
    ComponentKind,
    FailureMode,
    Model,
    Scores,
    Strength,
    parse_enum,
)
from fma_app.domain.scoring import validate_score
from fma_app.reports import group_needs
from fma_app.reports import headers as h
from fma_app.reports.errors import ImportProblemsError

HEADER_SEARCH_ROWS = 30


class _Refused(Enum):
    """A cell whose problem is already reported: the row it is on is not imported."""

    CELL = "refused"


REFUSED = _Refused.CELL
MIN_HEADER_FIELDS = 3  # distinct known columns (two of them required) make a header row
IMPORTED_KIND = ComponentKind.OTHER
DEPENDENCIES_SHEET = "dependencies"
GRID_COLUMNS, GRID_DX, GRID_DY = 6, 220.0, 140.0

# Cell text that means "nothing here" in action and revised-score columns.
PLACEHOLDERS = frozenset({"-", "--", "\u2013", "\u2014", "n/a", "na", "none", "nil", "/"})
STATUS_SYNONYMS = {
    "complete": "done", "completed": "done", "closed": "done", "implemented": "done",
    "ongoing": "in progress", "started": "in progress", "wip": "in progress",
    "inprogress": "in progress", "canceled": "cancelled", "rejected": "cancelled",
    "not started": "open", "planned": "open", "new": "open",
}  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_REFERENCE_LABEL = re.compile(r"\(?([a-z]?)(\d{0,2})([a-z]?)\)?\.?")
_ANY_DATE = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\b")

FM_TEXT_FIELDS = (
    h.FUNCTION, h.FAILURE_MODE, h.EFFECT, h.CAUSE, h.PREVENTION, h.DETECTION_CONTROLS, h.NOTES,
)  # fmt: skip
ACTION_FIELDS = (h.ACTION, h.OWNER, h.DUE, h.OWNER_AND_DUE, h.ACTION_TAKEN, h.STATUS)
FM_CONTENT_FIELDS = (
    h.FAILURE_MODE, h.EFFECT, h.SEVERITY, h.CAUSE, h.PREVENTION, h.LIKELIHOOD,
    h.DETECTION_CONTROLS, h.DETECTION, h.NOTES,
)  # fmt: skip


def import_fmea_workbook(workbook: Workbook, source_name: str, sheet: str | None) -> Model:
    """Build a model from the workbook's FMEA sheet; raise ImportProblemsError listing every
    problem."""
    layout = choose_layout(workbook, source_name, sheet)
    model = Model(
        name=PurePath(source_name).stem or "Imported model",
        description=f"Imported from {source_name}, sheet {layout.sheet.title}",
    )
    problems: list[str] = []
    reader = _FormReader(layout, model, problems)
    reader.read()
    dependencies = _find_sheet(workbook, DEPENDENCIES_SHEET)
    if dependencies is not None and dependencies is not layout.sheet:
        _read_dependencies(dependencies, layout.sheet.title, reader.components, model, problems)
    if problems:
        raise ImportProblemsError(problems)
    return model


# ---- cells ---------------------------------------------------------------------------------


def cell_ref(sheet: Worksheet, row: int, column: int) -> str:
    """`DFMEA!F7`, quoted the way Excel does when the sheet name has spaces or punctuation."""
    title = sheet.title
    if not re.fullmatch(r"\w+", title):
        title = "'" + title.replace("'", "''") + "'"
    return f"{title}!{get_column_letter(column)}{row}"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """Text of a cell as a person reads it: numbers without a spurious ".0", dates as ISO."""
    if value is None:
        return ""
    if type(value) is str and "\r" not in value and "\n" not in value:
        return value.strip()  # the common case, kept fast for large sheets
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def name_text(value: object) -> str:
    """A component name: one line, single spaces."""
    return " ".join(cell_text(value).split())


def is_placeholder(value: object) -> bool:
    return is_blank(value) or cell_text(value).casefold() in PLACEHOLDERS


class MergedValues:
    """`get((row, column))`: the top-left value of the merged range covering a cell (None for
    the top-left cell itself and for cells outside every range).

    Ranges are kept per column as row intervals, never expanded cell by cell: a range such as
    A1:XFD1048576 costs one entry per column up to `max_col`, not 17 billion.
    """

    def __init__(self, sheet: Worksheet, max_col: int, max_row: int | None = None):
        by_column: dict[int, list[tuple[int, int, int, object]]] = {}
        for merged in sheet.merged_cells.ranges:
            if max_row is not None and merged.min_row > max_row:
                continue
            value = sheet.cell(merged.min_row, merged.min_col).value
            for column in range(merged.min_col, min(merged.max_col, max_col) + 1):
                entry = (merged.min_row, merged.max_row, merged.min_col, value)
                by_column.setdefault(column, []).append(entry)
        self._by_column = {column: sorted(found) for column, found in by_column.items()}
        self._starts = {column: [e[0] for e in found] for column, found in self._by_column.items()}

    def get(self, key: tuple[int, int], default: object = None) -> object:
        row, column = key
        found = self._by_column.get(column)
        if not found:
            return default
        index = bisect.bisect_right(self._starts[column], row) - 1
        if index < 0:
            return default
        first, last, first_column, value = found[index]
        if row > last or (row, column) == (first, first_column):
            return default
        return value


def merged_values(sheet: Worksheet, max_col: int, max_row: int | None = None) -> MergedValues:
    return MergedValues(sheet, max_col, max_row)


def used_width(sheet: Worksheet, max_row: int | None = None) -> int:
    """The last column holding a cell (in the first `max_row` rows), at least 1."""
    columns = [c for (r, c) in sheet._cells if max_row is None or r <= max_row]
    return max(columns, default=1)


def sheet_rows(
    sheet: Worksheet, min_row: int, max_col: int, max_row: int | None = None
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values of columns 1..max_col) for each row that holds a cell, in order.

    openpyxl's iter_rows creates a cell at every position it passes, so one stray cell in row
    1,048,576 cost minutes and gigabytes; this visits only the cells the file has (openpyxl's
    own `_cells` store, read only).
    """
    rows: dict[int, dict[int, object]] = {}
    for (row, column), cell in sheet._cells.items():
        if row >= min_row and column <= max_col and (max_row is None or row <= max_row):
            rows.setdefault(row, {})[column] = cell.value
    for row in sorted(rows):
        found = rows[row]
        yield row, tuple(found.get(column) for column in range(1, max_col + 1))


def parse_date_text(text: str) -> dt.date | None:
    """A date written as YYYY-MM-DD or DD-MM-YYYY (also with / or .), else None."""
    text = text.strip()
    iso = _ISO_DATE.fullmatch(text)
    dmy = _DMY_DATE.fullmatch(text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return dt.date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        return None
    return None


def date_problem(ref: str, value: object) -> str:
    return (
        f"{ref}: due date {cell_text(value)!r} is not a date "
        "(use a date cell, YYYY-MM-DD or DD-MM-YYYY)"
    )


# ---- the header ----------------------------------------------------------------------------


@dataclass
class Layout:
    """Where a sheet's FMEA table is: its header row(s) and which column holds which field."""

    sheet: Worksheet
    header_row: int  # the first header row
    data_start: int  # the first row after the header (and its second row, when it has one)
    columns: dict[str, int] = field(default_factory=dict)  # field -> first column (1-based)
    revised: dict[str, int] = field(default_factory=dict)  # score field -> repeated column
    action_columns: list[int] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [name for name in h.REQUIRED_FIELDS if name not in self.columns]

    def problems(self) -> list[str]:
        """Header problems: required columns missing, a repeated score block that is partial."""
        title = self.sheet.title
        found: list[str] = []
        if self.missing:
            names = ", ".join(h.DISPLAY_NAMES[name] for name in self.missing)
            plural = "s" if len(self.missing) > 1 else ""
            found.append(
                f"{title}: missing required column{plural} {names} (header row {self.header_row})"
            )
        if self.revised and len(self.revised) < len(h.SCORE_FIELDS):
            first = min(self.revised.values())
            have = ", ".join(h.DISPLAY_NAMES[n] for n in h.SCORE_FIELDS if n in self.revised)
            found.append(
                f"{cell_ref(self.sheet, self.header_row, first)}: the repeated (revised) score "
                f"columns need all of Severity, Occurrence and Detection; found only {have}"
            )
        return found


def _header_texts(rows: Sequence[Sequence[object]], merged: MergedValues, row: int) -> list[object]:
    """Row `row`'s header texts, with merged header cells (group labels) filled in."""
    values = rows[row - 1]
    return [
        values[col - 1] if not is_blank(values[col - 1]) else merged.get((row, col))
        for col in range(1, len(values) + 1)
    ]


def _classify(candidates: Iterable[Sequence[object]]) -> list[str | None]:
    """Each column's field: the first of its candidate texts that names one."""
    fields: list[str | None] = []
    for texts in candidates:
        found = None
        for text in texts:
            found = h.match_header(text) if not is_blank(text) else None
            if found:
                break
        fields.append(found)
    return fields


def _is_header_row(fields: Sequence[str | None]) -> bool:
    """Three known columns, two of them required ones: a title block's "Item:" and "Owner:"
    labels are not a header."""
    known = {f for f in fields if f and f not in (h.RPN, h.IGNORED)}
    return len(known) >= MIN_HEADER_FIELDS and len(known & set(h.REQUIRED_FIELDS)) >= 2


def _is_reference_row(values: Sequence[object], min_cells: int) -> bool:
    """A row of column labels under the header, as printed forms have ("a1 a2 b c d", "(1)")."""
    labels = [_REFERENCE_LABEL.fullmatch(cell_text(v).lower()) for v in values if not is_blank(v)]
    if len(labels) < min_cells or not all(labels):
        return False
    keys = [(label[1], int(label[2] or 0), label[3]) for label in labels if label]
    return all(a < b for a, b in itertools.pairwise(keys))  # labels count up


def _is_sub_header(values: Sequence[object]) -> bool:
    """A second header row holds only text (a data row has scores)."""
    return not any(isinstance(v, int | float | dt.date) and not isinstance(v, bool) for v in values)


def find_layout(sheet: Worksheet) -> Layout | None:
    """The FMEA header in the sheet's first 30 rows, or None when there is none."""
    last = min(sheet.max_row, HEADER_SEARCH_ROWS)
    # The header search rows, the row below the last, and two possible label rows under it.
    width = used_width(sheet, last + 3)
    found = dict(sheet_rows(sheet, 1, width, max_row=last + 3))
    rows = [found.get(row, (None,) * width) for row in range(1, last + 4)]
    merged = merged_values(sheet, width, max_row=last + 1)
    for row in range(1, last + 1):
        top = _header_texts(rows, merged, row)
        single = _classify([text] for text in top)
        if not _is_header_row(single):
            continue
        below = rows[row]  # the next row's own values (merged continuations are None)
        min_cells = max(3, sum(map(bool, single)) // 2)
        layout = _layout(sheet, row, row + 1, single)
        if _is_sub_header(below) and not _is_reference_row(below, min_cells):
            joined = _classify(
                [f"{t} {b}", b, t] if not is_blank(t) and not is_blank(b) else [b, t]
                for t, b in zip(top, below, strict=True)
            )
            if sum(map(bool, joined)) > sum(map(bool, single)):
                layout = _layout(sheet, row, row + 2, joined)
        for values in rows[layout.data_start - 1 : layout.data_start + 1]:
            if not _is_reference_row(values, min_cells):
                break
            layout.data_start += 1
        return layout
    return None


def _layout(sheet: Worksheet, header_row: int, data_start: int, fields: list[str | None]) -> Layout:
    layout = Layout(sheet, header_row, data_start)
    for column, name in enumerate(fields, start=1):
        if name is None or name in (h.RPN, h.IGNORED):
            continue
        if name == h.ACTION:
            layout.action_columns.append(column)
        if name in h.SCORE_FIELDS and name in layout.columns:
            layout.revised.setdefault(name, column)
        else:
            layout.columns.setdefault(name, column)
    return layout


def _find_sheet(workbook: Workbook, title: str) -> Worksheet | None:
    for sheet in workbook.worksheets:
        if sheet.title == title:
            return sheet
    for sheet in workbook.worksheets:
        if sheet.title.strip().casefold() == title.strip().casefold():
            return sheet
    return None


def choose_layout(workbook: Workbook, source_name: str, sheet_name: str | None) -> Layout:
    """The named sheet's header, or the first sheet with a complete one; raise
    ImportProblemsError."""
    if sheet_name is not None:
        sheet = _find_sheet(workbook, sheet_name)
        if sheet is None:
            available = ", ".join(repr(s.title) for s in workbook.worksheets)
            raise ImportProblemsError(
                [f"{source_name}: no sheet named {sheet_name!r}; its sheets are {available}"]
            )
        layout = find_layout(sheet)
        if layout is None:
            raise ImportProblemsError(
                [f"{sheet.title}: no FMEA header row in its first {HEADER_SEARCH_ROWS} rows"]
            )
    else:
        layouts = [
            found
            for sheet in workbook.worksheets
            if sheet.title.strip().casefold() != DEPENDENCIES_SHEET
            and (found := find_layout(sheet)) is not None
        ]
        if not layouts:
            raise ImportProblemsError(
                [
                    f"{source_name}: no sheet has an FMEA header row in its first "
                    f"{HEADER_SEARCH_ROWS} rows (looking for columns such as Item, "
                    "Failure Mode, Severity, Occurrence, Detection)"
                ]
            )
        layout = next((found for found in layouts if not found.missing), layouts[0])
    if layout.problems():
        raise ImportProblemsError(layout.problems())
    return layout


# ---- the rows ------------------------------------------------------------------------------


@dataclass
class _Row:
    """One worksheet row: its own values and the values merged cells give it."""

    number: int
    own: dict[int, object]
    merged: MergedValues

    def raw(self, column: int | None) -> object:
        return None if column is None else self.own.get(column)

    def value(self, column: int | None) -> object:
        if column is None:
            return None
        value = self.own.get(column)
        return self.merged.get((self.number, column)) if is_blank(value) else value


class _FormReader:
    """Reads an FMEA table row by row into the model, collecting problems."""

    def __init__(self, layout: Layout, model: Model, problems: list[str]):
        self.layout = layout
        self.sheet = layout.sheet
        self.model = model
        self.problems = problems
        self.components: dict[str, Component] = {}  # casefolded name -> component
        self.component: Component | None = None
        self.function = ""
        self.previous: FailureMode | None = None  # the failure mode action-only rows extend
        # What a row with a blank Failure Mode continues: mode, effect and severity (None when
        # the severity above was refused); kept when the row above had problems, so one bad
        # cell is reported once, not again on every row below it.
        self.carry: tuple[str, str, int | None] | None = None
        self.previous_refused = False

    def col(self, name: str) -> int | None:
        return self.layout.columns.get(name)

    def ref(self, row: _Row, name: str) -> str:
        column = self.col(name) or self.layout.revised.get(name) or 1
        return cell_ref(self.sheet, row.number, column)

    def read(self) -> None:
        used = sorted(
            set(self.layout.columns.values())
            | set(self.layout.revised.values())
            | set(self.layout.action_columns)
        )
        merged = merged_values(self.sheet, max(used))
        for number, values in sheet_rows(self.sheet, self.layout.data_start, max(used)):
            own = {c: values[c - 1] for c in used if c <= len(values)}
            if all(is_blank(v) for v in own.values()):
                continue
            self.read_row(_Row(number, own, merged))

    # -- one row --
    def read_row(self, row: _Row) -> None:
        component = self.row_component(row)
        if component is None:
            return
        if component is not self.component:
            self.component, self.function = component, ""
            self.previous, self.carry, self.previous_refused = None, None, False
        function = cell_text(row.value(self.col(h.FUNCTION)))
        if function:
            self.function = function
        fm_content = any(not is_blank(row.raw(self.col(n))) for n in FM_CONTENT_FIELDS) or any(
            not is_placeholder(row.raw(c)) for c in self.layout.revised.values()
        )
        action_content = any(not is_placeholder(row.raw(c)) for c in self.action_text_columns())
        if fm_content:
            self.previous = self.add_failure_mode(row, component)
            self.previous_refused = self.previous is None
            if self.previous is not None:
                self.add_actions(row, self.previous)
        elif action_content and not self.previous_refused:
            if self.previous is None:
                self.problems.append(
                    f"{self.ref(row, h.FAILURE_MODE)}: the row has an action "
                    "but no failure mode on it or above it"
                )
            else:
                self.add_actions(row, self.previous)

    def action_text_columns(self) -> list[int]:
        extra = [self.col(h.ACTION_TAKEN)]
        return [c for c in [*self.layout.action_columns, *extra] if c is not None]

    def row_component(self, row: _Row) -> Component | None:
        name = name_text(row.value(self.col(h.ITEM)))
        if not name:
            if self.component is None:
                self.problems.append(
                    f"{self.ref(row, h.ITEM)}: the row has no item (component) "
                    "and there is none above it"
                )
            return self.component
        key = name.casefold()
        if key not in self.components:
            index = len(self.components)
            self.components[key] = self.model.add_component(
                name,
                IMPORTED_KIND,
                x=(index % GRID_COLUMNS) * GRID_DX,
                y=(index // GRID_COLUMNS) * GRID_DY,
            )
        return self.components[key]

    # -- failure modes --
    def add_failure_mode(self, row: _Row, component: Component) -> FailureMode | None:
        texts = {name: cell_text(row.value(self.col(name))) for name in FM_TEXT_FIELDS}
        texts[h.FUNCTION] = self.function
        severity_value = row.value(self.col(h.SEVERITY))
        ok = True
        if not texts[h.FAILURE_MODE]:
            if self.carry is None:
                self.problems.append(
                    f"{self.ref(row, h.FAILURE_MODE)}: failure mode is empty "
                    "(the row has other entries and there is no failure mode above it)"
                )
                return None
            # Another cause of the failure mode above: its mode, effect and severity carry on.
            texts[h.FAILURE_MODE] = self.carry[0]
            texts[h.EFFECT] = texts[h.EFFECT] or self.carry[1]
            if is_blank(severity_value):
                severity_value = self.carry[2]  # None: not rated above, or refused there
        scores: dict[str, int | None] = {}
        for name in h.SCORE_FIELDS:
            value = severity_value if name == h.SEVERITY else row.value(self.col(name))
            cell = self.ref(row, name)
            # A blank score is not rated yet; anything else must be a whole number 1-10.
            scores[name] = score = self.score(row, name, value, cell, required=False)
            ok = ok and (score is not None or is_blank(value))
        self.carry = (texts[h.FAILURE_MODE], texts[h.EFFECT], scores.get(h.SEVERITY))
        revised = self.revised_scores(row)
        if not ok or revised is REFUSED:
            return None
        try:
            return self.model.add_failure_mode(
                component.id, id=None, revised=revised, **scores, **texts
            )
        except (ModelError, ValidationError) as error:
            self.problems.append(f"{self.ref(row, h.FAILURE_MODE)}: {error}")
            return None

    def score(self, row: _Row, name: str, value: object, ref: str, required: bool) -> int | None:
        label = name.replace("_", " ")
        if is_blank(value):
            if required:
                self.problems.append(f"{ref}: {label} is missing")
            return None
        try:
            return validate_score(label, value.strip() if isinstance(value, str) else value)
        except ValidationError as error:
            self.problems.append(f"{ref}: {error}")
            return None

    def revised_scores(self, row: _Row) -> Scores | Literal[_Refused.CELL] | None:
        """Revised scores, None when the row has none, REFUSED after reporting a problem."""
        columns = self.layout.revised
        if not columns:
            return None
        values = {name: row.value(columns[name]) for name in h.SCORE_FIELDS}
        given = [name for name in h.SCORE_FIELDS if not is_placeholder(values[name])]
        if not given:
            return None
        if len(given) < len(h.SCORE_FIELDS):
            for name in h.SCORE_FIELDS:
                if name not in given:
                    self.problems.append(
                        f"{cell_ref(self.sheet, row.number, columns[name])}: revised {name} "
                        "is missing (revised scores need all three or none)"
                    )
            return REFUSED
        severity, likelihood, detection = (
            self.score(
                row,
                f"revised {name}",
                values[name],
                cell_ref(self.sheet, row.number, columns[name]),
                required=True,
            )
            for name in h.SCORE_FIELDS
        )
        if severity is None or likelihood is None or detection is None:
            return REFUSED
        return Scores(severity, likelihood, detection)

    # -- actions --
    def add_actions(self, row: _Row, failure_mode: FailureMode) -> None:
        descriptions = [
            cell_text(row.value(c))
            for c in self.layout.action_columns
            if not is_placeholder(row.value(c))
        ]
        taken_value = row.value(self.col(h.ACTION_TAKEN))
        taken = "" if is_placeholder(taken_value) else cell_text(taken_value)
        if not descriptions and taken:
            descriptions = [taken]  # an action recorded only by what was done
        if not descriptions:
            return
        owner, due = self.owner_and_due(row)
        status = self.status(row, failure_mode, taken)
        if status is None or due is REFUSED:
            return
        for description in descriptions:
            self.model.add_action(
                failure_mode.id,
                description,
                owner=owner,
                due_date=due,
                status=status,
                action_taken=taken,
            )

    def owner_and_due(self, row: _Row) -> tuple[str, dt.date | Literal[_Refused.CELL] | None]:
        owner = name_text(row.value(self.col(h.OWNER)))
        due = self.due_date(row, self.col(h.DUE))
        combined = row.value(self.col(h.OWNER_AND_DUE))
        if is_blank(combined):
            return owner, due
        if isinstance(combined, dt.date):
            return owner, _as_date(combined) if due is None else due
        text = name_text(combined)
        found = _ANY_DATE.search(text)
        if found is None:
            return owner or text, due
        parsed = parse_date_text(found[1])
        if parsed is None:
            self.problems.append(date_problem(self.ref(row, h.OWNER_AND_DUE), found[1]))
            due = REFUSED
        rest = (text[: found.start()] + " " + text[found.end() :]).strip(" ,;/-\u2013")
        return owner or " ".join(rest.split()), due if due is not None else parsed

    def due_date(self, row: _Row, column: int | None) -> dt.date | Literal[_Refused.CELL] | None:
        if column is None:
            return None
        value = row.value(column)
        if is_placeholder(value):
            return None
        if isinstance(value, dt.date):
            return _as_date(value)
        parsed = parse_date_text(cell_text(value)) if isinstance(value, str) else None
        if parsed is None:
            self.problems.append(date_problem(cell_ref(self.sheet, row.number, column), value))
            return REFUSED
        return parsed

    def status(self, row: _Row, failure_mode: FailureMode, taken: str) -> ActionStatus | None:
        value = row.value(self.col(h.STATUS))
        if is_blank(value):
            closed = bool(taken) and failure_mode.revised is not None
            return ActionStatus.DONE if closed else ActionStatus.OPEN
        text = " ".join(cell_text(value).casefold().replace("-", " ").replace("_", " ").split())
        try:
            return parse_enum(ActionStatus, "status", STATUS_SYNONYMS.get(text, text))
        except ValidationError:
            allowed = ", ".join(member.value for member in ActionStatus)
            self.problems.append(
                f"{self.ref(row, h.STATUS)}: status {cell_text(value)!r} is not one of: {allowed}"
            )
            return None


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# ---- the Dependencies sheet ----------------------------------------------------------------

_DEPENDENCY_ALIASES = {
    "source": {"component", "from", "source", "item", "service"},
    "target": {"depends on", "dependson", "to", "target", "dependency", "depends upon"},
    "strength": {"strength"},
    "group": {"redundancy group", "group", "any of group"},
    "needs": set(group_needs.ALIASES),
    "description": {"description", "notes", "note", "comment", "comments", "remarks"},
}


def _dependency_columns(sheet: Worksheet) -> tuple[int, dict[str, int]] | None:
    width = used_width(sheet, HEADER_SEARCH_ROWS)
    for number, values in sheet_rows(sheet, 1, width, max_row=HEADER_SEARCH_ROWS):
        columns: dict[str, int] = {}
        for column, value in enumerate(values, start=1):
            text = h.normalise_header(value)
            for key, aliases in _DEPENDENCY_ALIASES.items():
                if text in aliases:
                    columns.setdefault(key, column)
        if "source" in columns and "target" in columns:
            return number, columns
    return None


def _read_dependencies(
    sheet: Worksheet,
    fmea_title: str,
    components: dict[str, Component],
    model: Model,
    problems: list[str],
) -> None:
    found = _dependency_columns(sheet)
    if found is None:
        problems.append(
            f"{sheet.title}: no header row with Component and Depends On columns "
            f"in its first {HEADER_SEARCH_ROWS} rows"
        )
        return
    header_row, columns = found
    needs = group_needs.GroupNeedsCells()
    for number, values in sheet_rows(sheet, header_row + 1, max(columns.values())):
        cells = {key: values[c - 1] if c <= len(values) else None for key, c in columns.items()}
        if is_blank(cells["source"]) and is_blank(cells["target"]):
            continue

        def ref(key: str, row: int = number) -> str:
            return cell_ref(sheet, row, columns[key])

        ends: list[Component] = []
        for key, label in (("source", "Component"), ("target", "Depends On")):
            name = name_text(cells[key])
            if not name:
                problems.append(f"{ref(key)}: {label} is empty")
            elif name.casefold() not in components:
                problems.append(
                    f"{ref(key)}: unknown component {name!r} (it is not an item in {fmea_title})"
                )
            else:
                ends.append(components[name.casefold()])
        strength = cells.get("strength")
        try:
            parsed = (
                Strength.STRONG
                if is_blank(strength)
                else parse_enum(Strength, "strength", cell_text(strength))
            )
        except ValidationError as error:
            problems.append(f"{ref('strength')}: {error}")
            continue
        if len(ends) < 2:
            continue
        try:
            dependency = model.add_dependency(
                ends[0].id,
                ends[1].id,
                parsed,
                description=cell_text(cells.get("description")),
                group=name_text(cells.get("group")),
            )
        except (ModelError, ValidationError) as error:
            problems.append(f"{ref('target')}: {error}")
            continue
        if not is_blank(cells.get("needs")):
            needs.add(ends[0].id, dependency.group, cells["needs"], ref("needs"), problems)
    needs.apply(model, problems)
