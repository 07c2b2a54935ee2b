"""Read an FMEA table row by row into a model, collecting every problem with its cell.

- Merged cells count as their top-left value on every row they cover. A blank component cell
  continues the component above; a blank Function continues the function above within one
  component. A row with a blank Failure Mode but its own cause or scores is another cause of the
  failure mode above (its Effect and Severity continue too); a row with only action columns is
  another action of the failure mode above; a row with only a component creates just that.
- The table ends where the failure modes end: at the first footer row ("Prepared by",
  "Approved by", a revision history, signatures), a row merged across several of the table's
  columns, or a second header row. Nothing below it is read.
- A row's recommended action text creates an action with its owner, due date and status. A
  blank status is "done" when the row has actions taken and revised scores, else "open". Dates
  written as text are read in the column's own order: day-first or month-first as the column's
  other dates allow ("13/04/2026" settles it); when no date settles it, the import refuses.
- A text field found in several columns (two effect columns) is read from all of them, one line
  each.
- Columns whose header names no field but which hold whole numbers 1-10 are refused: they may
  be scores nobody recognised, and a score must never land in the wrong field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    Action,
    ActionStatus,
    Component,
    ComponentKind,
    FailureMode,
    Model,
    Scores,
    parse_enum,
)
from fma_app.domain.scoring import validate_score
from fma_app.reports import headers as h
from fma_app.reports.cells import (
    cell_ref,
    cell_text,
    column_letter,
    is_blank,
    is_placeholder,
    name_text,
    whole_score,
)
from fma_app.reports.errors import ImportCancelledError, ImportProblemsError
from fma_app.reports.form_layout import MergedFill, SheetLayout, is_header
from fma_app.reports.sheet_source import Row, SheetGrid

Progress = Callable[[int], None]  # rows read so far
Cancelled = Callable[[], bool]

MAX_TABLE_ROWS = 200_000  # a form is hundreds of rows; this bounds the model's memory
MAX_PROBLEMS = 200
IMPORTED_KIND = ComponentKind.OTHER
GRID_COLUMNS, GRID_DX, GRID_DY = 6, 220.0, 140.0
PROGRESS_EVERY = 256

STATUS_SYNONYMS = {
    "complete": "done", "completed": "done", "closed": "done", "implemented": "done",
    "ongoing": "in progress", "started": "in progress", "wip": "in progress",
    "inprogress": "in progress", "canceled": "cancelled", "rejected": "cancelled",
    "not started": "open", "planned": "open", "new": "open",
}  # fmt: skip
FM_TEXT_FIELDS = (
    h.FUNCTION, h.FAILURE_MODE, h.EFFECT, h.CAUSE, h.PREVENTION, h.DETECTION_CONTROLS, h.NOTES,
)  # fmt: skip
FM_CONTENT_FIELDS = (
    h.FAILURE_MODE, h.EFFECT, h.SEVERITY, h.CAUSE, h.PREVENTION, h.LIKELIHOOD,
    h.DETECTION_CONTROLS, h.DETECTION, h.NOTES,
)  # fmt: skip
_FOOTER = re.compile(
    r"\s*(?:(?:prepared|approved|reviewed|checked|verified|authori[sz]ed|released|created|"
    r"issued|compiled|signed)\s*by\b|revision\s*history|revision\s*(?:no\.?|number|level|date)?"
    r"\s*:|rev(?:\.|ision)?\s*(?:no\.?|#)\s*:?|signatures?\b|sign(?:ed)?\s*:|page\s+\d|"
    r"legend\s*:|document\s*(?:no|number)\b|doc\.?\s*no\b|core\s*team\b|team\s*members?\s*:|"
    r"copyright\b|\u00a9|all\s+rights\s+reserved|erstellt\s*(?:von|durch)|gepr[uü]ft\s*(?:von|durch)|freigegeben\s*(?:von|durch))",
    re.IGNORECASE,
)
_FOOTER_STARTS = frozenset(
    {"pr", "ap", "re", "ch", "ve", "au", "cr", "is", "co", "si", "pa", "le", "do", "te", "er",
     "ge", "fr", "al"}
)  # fmt: skip
_FOOTER_MERGE_COLUMNS = 3


def _may_be_footer(text: str) -> bool:
    start = text.lstrip()[:2].lower()
    return (
        start in _FOOTER_STARTS or start[:1] == "\u00a9"
    )  # a row merged across this many of the table's columns is a footer


# Dates written as text: ISO, numeric day/month in either order, or with a month name.
_ISO_DATE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_NAMED_DATE = re.compile(r"\b(\d{1,2})[-. ]([A-Za-z]{3,9})\.?[-., ]+(\d{4}|\d{2})\b")
_NAMED_DATE_US = re.compile(r"\b([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})\b")
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january", "januar"), ("feb", "february", "februar"),
            ("mar", "march", "mrz", "maerz", "marz"), ("apr", "april"), ("may", "mai"),
            ("jun", "june", "juni"), ("jul", "july", "juli"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
            ("nov", "november"), ("dec", "december", "dez", "dezember"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


class _Refused:
    """A cell whose problem is already reported: the row it is on is not imported."""


REFUSED = _Refused()


@dataclass
class _PendingDate:
    """A date written as day and month numbers, read once the column's order is known."""

    action: Action
    first: int
    second: int
    year: int
    ref: str
    text: str


@dataclass
class _DateColumn:
    pending: list[_PendingDate] = field(default_factory=list)


@dataclass
class _Row:
    """One worksheet row: its own values and the values merged cells give it."""

    number: int
    own: Row
    fill: MergedFill

    def raw(self, column: int | None) -> object:
        return None if column is None else self.own.get(column)

    def value(self, column: int | None) -> object:
        if column is None:
            return None
        value = self.own.get(column)  # `own` holds no blank cells
        return self.fill.get(self.number, column) if value is None else value


def too_many_rows(title: str) -> str:
    return (
        f"{title}: the table has more than {MAX_TABLE_ROWS:,} rows; FMA Workbench imports forms "
        f"of up to {MAX_TABLE_ROWS:,} rows"
    )


def _two_digit_year(year: int) -> int:
    return year if year >= 100 else (2000 + year if year < 70 else 1900 + year)


class FormReader:
    """Reads one sheet's table into the model."""

    def __init__(
        self,
        layout: SheetLayout,
        model: Model,
        components: dict[str, Component],
        problems: list[str],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ):
        self.layout = layout
        self.title = layout.sheet
        self.model = model
        self.components = components
        self.problems = problems
        self.progress = progress
        self.cancelled = cancelled
        self.columns = {
            name: layout.column_of(name)
            for name in (*h.USER_FIELDS, h.OWNER_AND_DUE)
            if layout.column_of(name) is not None
        }
        self.component_column = layout.component_column
        self.action_columns = layout.columns_of(h.ACTION)
        self.revised = {
            name: layout.column_of(h.REVISED_OF[name])
            for name in h.SCORE_FIELDS
            if layout.column_of(h.REVISED_OF[name]) is not None
        }
        self.component: Component | None = None
        self.function = ""
        self.previous: FailureMode | None = None  # the failure mode action-only rows extend
        # What a row with a blank Failure Mode continues: mode, effect and severity (None when
        # the severity above was refused); kept when the row above had problems, so one bad
        # cell is reported once, not again on every row below it.
        self.carry: tuple[str, str, int | None] | None = None
        self.previous_refused = False
        self.dates: dict[int, _DateColumn] = {}
        # Columns nobody recognised, watched for 1-10 numbers: column -> [scores, other values]
        self.unrecognised = {
            c.column: [0, 0]
            for c in layout.columns
            if c.field is None and c.detected is None and c.header and not c.mapped
        }
        self.rows_read = 0
        self.ended_at: int | None = None
        # Column lists of the hot path, worked out once.
        self.content_columns = [c for n in FM_CONTENT_FIELDS if (c := self.col(n)) is not None]
        self.revised_columns = [c for c in self.revised.values() if c is not None]
        self.text_columns = [(n, self.col(n)) for n in FM_TEXT_FIELDS]
        # A text field in several columns ("Technical Effect" and "Business Consequence"):
        # every column is read, one line each, so none is dropped.
        self.more_text_columns = {
            n: layout.columns_of(n)[1:] for n in FM_TEXT_FIELDS if len(layout.columns_of(n)) > 1
        }
        self.failure_mode_column = self.col(h.FAILURE_MODE)
        self.score_columns = [c for n in h.SCORE_FIELDS if (c := self.col(n)) is not None]
        taken = self.col(h.ACTION_TAKEN)
        self.action_text_columns = [*self.action_columns, *([taken] if taken else [])]

    def col(self, name: str) -> int | None:
        return self.columns.get(name)

    def ref(self, row: _Row, name: str) -> str:
        column = self.col(name) or self.revised.get(name) or self.component_column or 1
        return cell_ref(self.title, row.number, column)

    # -- the table --
    def read(self, grid: SheetGrid) -> None:
        used = sorted(
            {c.column for c in self.layout.columns if c.field not in (None, h.IGNORED)}
            | set(self.unrecognised)
            | ({self.component_column} if self.component_column else set())
        )
        if not used:
            return
        width = max(used)
        self._refuse_a_huge_table(grid)
        fill = MergedFill(grid.merged, used)
        footer_merges = self._footer_merges(grid, used)
        layout = self.layout
        for number, values in grid.rows(1, width):
            fill.see(number, values)
            if number < layout.data_first or number in layout.excluded_rows:
                continue
            own = {
                c: value
                for c in used
                if (value := values.get(c)) is not None
                and (type(value) is not str or value.strip())
            }
            if number in footer_merges or (not self._is_data(own) and self._is_footer(values)):
                self.ended_at = number
                break
            if not own:
                continue
            self.rows_read += 1
            if self.rows_read > MAX_TABLE_ROWS:
                raise ImportProblemsError([too_many_rows(self.title)])
            if self.rows_read % PROGRESS_EVERY == 0:
                self._tick()
            for column in self.unrecognised:
                self._watch(column, own.get(column))
            self.read_row(_Row(number, own, fill))
            if len(self.problems) >= MAX_PROBLEMS:
                break
        self._tick()
        self._resolve_dates()
        self._refuse_unrecognised_scores()

    def _refuse_a_huge_table(self, grid: SheetGrid) -> None:
        """A sheet that says it has more rows than a form can: count its rows with values
        first (from the bytes, no cell read), so a huge sheet is refused in seconds, not after
        building most of a model. The declared size alone is not trusted: files overstate it."""
        declared = grid.max_row
        if declared is None or declared - self.layout.data_first < MAX_TABLE_ROWS:
            return
        if grid.count_rows(self.layout.data_first, MAX_TABLE_ROWS + 1) > MAX_TABLE_ROWS:
            raise ImportProblemsError([too_many_rows(self.title)])

    def _tick(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelledError
        if self.progress is not None:
            self.progress(self.rows_read)

    def _footer_merges(self, grid: SheetGrid, used: list[int]) -> set[int]:
        """Rows where a merged range starts that spans several different fields' columns (a
        signature block; an "Actions Taken" cell merged over its own four columns is data)."""
        fields = {c.column: c.field for c in self.layout.columns if c.field is not None}
        return {
            merged.min_row
            for merged in grid.merged
            if merged.min_row >= self.layout.data_first
            and merged.max_col > merged.min_col
            and len({f for c, f in fields.items() if merged.min_col <= c <= merged.max_col})
            >= _FOOTER_MERGE_COLUMNS
        }

    def _is_footer(self, values: Row) -> bool:
        texts = [v for v in values.values() if type(v) is str]
        # The first letters decide cheaply whether the footer pattern is worth trying.
        if any(_may_be_footer(t) and _FOOTER.match(t) for t in texts):
            return True
        if len(texts) >= 4 and len(texts) == len(values) and self._names_a_field(values):
            fields = {h.exact_field(text) for text in texts} - {None, h.IGNORED}
            return len(fields) >= 4 and is_header(fields)  # a second table's header
        return False

    def _is_data(self, own: Row) -> bool:
        """A failure mode with a score 1-10 beside it: a table row, never a footer (the
        footer checks are skipped for it, which keeps large sheets fast)."""
        if self.failure_mode_column not in own:
            return False
        for column in self.score_columns:
            value = own.get(column)
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10:
                return True
        return False

    def _names_a_field(self, values: Row) -> bool:
        """The row's component or failure mode cell is a header's text ("Failure Mode")."""
        for column in (self.component_column, self.col(h.FAILURE_MODE)):
            text = values.get(column) if column is not None else None
            if isinstance(text, str) and len(text) < 40 and h.exact_field(text) is not None:
                return True
        return False

    def _watch(self, column: int, value: object) -> None:
        if is_blank(value):
            return
        counts = self.unrecognised[column]
        counts[0 if whole_score(value) is not None else 1] += 1

    def _refuse_unrecognised_scores(self) -> None:
        suspicious = [
            column
            for column, (scores, others) in self.unrecognised.items()
            if scores >= 2 and scores >= 4 * others
        ]
        if not suspicious:
            return
        described = ", ".join(
            f"{column_letter(c)} {self.layout.columns[c - 1].header!r}" for c in suspicious
        )
        example = column_letter(suspicious[0])
        self.problems.append(
            f"{self.title}: column{'s' if len(suspicious) > 1 else ''} {described} hold"
            f"{'' if len(suspicious) > 1 else 's'} numbers from 1 to 10 under a header that "
            f"names no field; they may be scores: {self.layout.words.map_each_score(example)}"
        )
        self.problems.append(self.layout.headers_found())

    # -- one row --
    def read_row(self, row: _Row) -> None:
        # One component named after the sheet: made with the first failure mode, not for a
        # stray note under the table.
        own = row.own
        fm_content = any(c in own for c in self.content_columns) or any(
            not is_placeholder(own.get(c)) for c in self.revised_columns
        )
        if self.component_column is None and self.component is None and not fm_content:
            return
        component = self.row_component(row)
        if component is None:
            return
        if component is not self.component:
            self.component, self.function = component, ""
            self.previous, self.carry, self.previous_refused = None, None, False
        function = cell_text(row.value(self.col(h.FUNCTION)))
        if function:
            self.function = function
        action_content = any(not is_placeholder(own.get(c)) for c in self.action_text_columns)
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

    def row_component(self, row: _Row) -> Component | None:
        if self.component_column is None:
            name = self.title
        else:
            name = name_text(row.value(self.component_column))
        if not name:
            if self.component is None:
                self.problems.append(
                    f"{cell_ref(self.title, row.number, self.component_column or 1)}: the row "
                    "has no item (component) and there is none above it"
                )
            return self.component
        key = name.casefold()
        if key not in self.components:
            index = len(self.components)
            try:
                self.components[key] = self.model.add_component(
                    name,
                    IMPORTED_KIND,
                    x=(index % GRID_COLUMNS) * GRID_DX,
                    y=(index // GRID_COLUMNS) * GRID_DY,
                )
            except (ModelError, ValidationError) as error:
                ref = cell_ref(self.title, row.number, self.component_column or 1)
                self.problems.append(f"{ref}: {error}")
                return None
        return self.components[key]

    # -- failure modes --
    def add_failure_mode(self, row: _Row, component: Component) -> FailureMode | None:
        texts = {name: cell_text(row.value(column)) for name, column in self.text_columns}
        for name, columns in self.more_text_columns.items():
            lines = [texts[name], *(cell_text(row.value(c)) for c in columns)]
            texts[name] = "\n".join(line for line in lines if line)
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
            # A blank score is not rated yet; anything else must be a whole number 1-10.
            scores[name] = score = self.score(name, value, row, name, required=False)
            ok = ok and (score is not None or is_blank(value))
        self.carry = (texts[h.FAILURE_MODE], texts[h.EFFECT], scores.get(h.SEVERITY))
        revised = self.revised_scores(row)
        if not ok or revised is REFUSED:
            return None
        try:
            return self.model.add_failure_mode(
                component.id,
                id=None,
                revised=revised,
                **scores,
                **texts,
            )
        except (ModelError, ValidationError) as error:
            self.problems.append(f"{self.ref(row, h.FAILURE_MODE)}: {error}")
            return None

    def score(
        self, label: str, value: object, row: _Row, field_name: str, required: bool
    ) -> int | None:
        """A score 1-10, None for blank; a problem naming the cell otherwise. `field_name` is
        the field whose column holds the value (the cell is named only on a problem)."""
        if type(value) is int and 1 <= value <= 10:
            return value  # the common case, kept fast for large sheets
        label = label.replace("_", " ")
        if is_blank(value):
            if required:
                self.problems.append(f"{self.cell(row, field_name)}: {label} is missing")
            return None
        try:
            return validate_score(label, value.strip() if isinstance(value, str) else value)
        except ValidationError as error:
            self.problems.append(f"{self.cell(row, field_name)}: {error}")
            return None

    def cell(self, row: _Row, field_name: str) -> str:
        if field_name.startswith("revised "):
            column = self.revised[field_name.removeprefix("revised ")] or 1
            return cell_ref(self.title, row.number, column)
        return self.ref(row, field_name)

    def revised_scores(self, row: _Row) -> Scores | _Refused | None:
        """Revised scores, None when the row has none, REFUSED after reporting a problem."""
        columns: dict[str, int] = {n: c for n, c in self.revised.items() if c is not None}
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
                        f"{cell_ref(self.title, row.number, columns[name])}: revised {name} "
                        "is missing (revised scores need all three or none)"
                    )
            return REFUSED
        severity, likelihood, detection = (
            self.score(f"revised {name}", values[name], row, f"revised {name}", required=True)
            for name in h.SCORE_FIELDS
        )
        if severity is None or likelihood is None or detection is None:
            return REFUSED
        return Scores(severity, likelihood, detection)

    # -- actions --
    def add_actions(self, row: _Row, failure_mode: FailureMode) -> None:
        descriptions = [
            cell_text(row.value(c)) for c in self.action_columns if not is_placeholder(row.value(c))
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
            action = self.model.add_action(
                failure_mode.id,
                description,
                owner=owner,
                due_date=due if isinstance(due, dt.date) else None,
                status=status,
                action_taken=taken,
            )
            if isinstance(due, _Later):
                self.dates.setdefault(due.column, _DateColumn()).pending.append(
                    _PendingDate(action, due.first, due.second, due.year, due.ref, due.text)
                )

    def owner_and_due(self, row: _Row) -> tuple[str, object]:
        """The owner, and the due date: a date, None, REFUSED, or a `_Later` date."""
        owner = name_text(row.value(self.col(h.OWNER)))
        due, _ = self.date_in(row, self.col(h.DUE), whole_cell=True)
        column = self.col(h.OWNER_AND_DUE)
        combined = row.value(column)
        if column is None or is_blank(combined):
            return owner, due
        if isinstance(combined, dt.date):
            return owner, (_as_date(combined) if due is None else due)
        text = name_text(combined)
        found, span = self.date_in(row, column, whole_cell=False)
        if span is None:
            return owner or text, due
        rest = (text[: span[0]] + " " + text[span[1] :]).strip(" ,;/-\u2013")
        return owner or " ".join(rest.split()), due if due is not None else found

    def date_in(
        self, row: _Row, column: int | None, whole_cell: bool
    ) -> tuple[object, tuple[int, int] | None]:
        """The date in a cell (a date, None, REFUSED or a `_Later`) and where it is in the
        cell's text."""
        if column is None:
            return None, None
        value = row.value(column)
        if is_placeholder(value):
            return None, None
        if isinstance(value, dt.date):
            return _as_date(value), None
        text = name_text(value)
        ref = cell_ref(self.title, row.number, column)
        found = _find_date(text)
        if found is None or (whole_cell and (found.span[0] > 0 or found.span[1] < len(text))):
            if not whole_cell:
                return None, None
            self.problems.append(_date_problem(ref, text))
            return REFUSED, None
        shown = text if whole_cell else text[found.span[0] : found.span[1]]
        if isinstance(found, _Later):
            if not _valid(found.year, found.second, found.first) and not _valid(
                found.year, found.first, found.second
            ):
                self.problems.append(_date_problem(ref, shown))
                return REFUSED, found.span
            found.ref, found.column, found.text = ref, column, shown
            return found, found.span
        if found.date is None:
            self.problems.append(_date_problem(ref, shown))
            return REFUSED, found.span
        return found.date, found.span

    def _resolve_dates(self) -> None:
        for column, pending in self.dates.items():
            entries = pending.pending
            day_first = all(_valid(e.year, e.second, e.first) for e in entries)
            month_first = all(_valid(e.year, e.first, e.second) for e in entries)
            undecided = [e for e in entries if e.first != e.second]
            if day_first and month_first and undecided:
                cells = ", ".join(f"{e.ref} {e.text!r}" for e in undecided[:3])
                more = f" and {len(undecided) - 3} more" if len(undecided) > 3 else ""
                self.problems.append(
                    f"{self.title}: the dates in column {column_letter(column)} could be "
                    f"day-first or month-first ({cells}{more}); write them as YYYY-MM-DD"
                )
                continue
            if not day_first and not month_first:
                self.problems.append(
                    f"{self.title}: the dates in column {column_letter(column)} mix day-first "
                    "and month-first; write them as YYYY-MM-DD"
                )
                continue
            for entry in entries:
                day, month = (
                    (entry.first, entry.second) if day_first else (entry.second, entry.first)
                )
                entry.action.due_date = dt.date(entry.year, month, day)

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


# ---- dates written as text -------------------------------------------------------------------


@dataclass
class _Found:
    span: tuple[int, int]
    date: dt.date | None


@dataclass
class _Later:
    """Day and month as numbers: which is which is decided by the whole column."""

    span: tuple[int, int]
    first: int
    second: int
    year: int
    ref: str = ""
    column: int = 0
    text: str = ""


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    return dt.date(year, month, day) if _valid(year, month, day) else None


def _find_date(text: str) -> _Found | _Later | None:
    iso = _ISO_DATE.search(text)
    if iso:
        return _Found(iso.span(), _date_or_none(int(iso[1]), int(iso[2]), int(iso[3])))
    named = _NAMED_DATE.search(text)
    if named and named[2].lower() in _MONTHS:
        month = _MONTHS[named[2].lower()]
        year = _two_digit_year(int(named[3]))
        return _Found(named.span(), _date_or_none(year, month, int(named[1])))
    named_us = _NAMED_DATE_US.search(text)
    if named_us and named_us[1].lower() in _MONTHS:
        month = _MONTHS[named_us[1].lower()]
        return _Found(named_us.span(), _date_or_none(int(named_us[3]), month, int(named_us[2])))
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        first, second = int(numeric[1]), int(numeric[2])
        year = _two_digit_year(int(numeric[3]))
        if "." in numeric[0]:  # 01.09.2026: dots are written day-first only
            return _Found(numeric.span(), _date_or_none(year, second, first))
        return _Later(numeric.span(), first, second, year)
    return None


def _date_problem(ref: str, text: str) -> str:
    return (
        f"{ref}: due date {text!r} is not a date "
        "(use a date cell, YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY)"
    )


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
