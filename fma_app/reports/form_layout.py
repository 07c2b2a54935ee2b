"""Where a sheet's FMEA table is: its header rows, each column's field, where the data starts.

Detection looks at the sheet's first rows only (the rows are streamed; the table's end is found
while reading, see `form_reader`):
- The header starts at the first row that, alone or with the rows below it, names a failure mode
  column and two more known columns. It grows downwards over the rows its merged cells cover
  (a "Severity" cell merged over five rows), rows of stacked one-letter labels ("S", "e", "v"),
  and sub-header rows that split a group ("CURRENT PROCESS CONTROLS" over "PREVENTION" and
  "DETECTION"); at most `MAX_HEADER_ROWS` rows. A row of column labels under it ("a1 a2 b c",
  "(1) (2) (3)") is skipped.
- A column's field comes from its header texts, top to bottom: the bottom text when it names a
  field ("Action Results" over "Sev" is a severity), except where the group label above changes
  its meaning ("Current Controls" over "Detection" is the detection controls text).
- Scores before the first action column are the initial ones, scores after it (or headed
  "Revised", "New", "Resulting") the revised ones. A revised block without an initial one, a
  partial block, or two columns claiming one score is refused with the columns named.
- The component is the item column; a process FMEA without one uses its process step, failing
  that the function; the layout says which.
The caller's `Mapping` overrides any of it: the header rows, a column's field, excluded rows.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

from fma_app.reports import headers as h
from fma_app.reports.cells import (
    cell_ref,
    cell_text,
    column_index,
    column_letter,
    is_blank,
    is_number,
)
from fma_app.reports.mapping_words import COMMAND_LINE, MappingWords
from fma_app.reports.sheet_source import MergedRange, Row, SheetGrid

HEADER_SEARCH_ROWS = 30  # the header starts in one of the first 30 rows
MAX_HEADER_ROWS = 8  # a tall header block: merged labels plus stacked letters
_REFERENCE_LABEL = re.compile(r"\(?([a-z]?)(\d{0,2})([a-z]?)\)?\.?")
_COLUMN_LETTERS = re.compile(r"[A-Z]{1,3}")
# Fields that make a row a header (a title block's "Item:" and "Owner:" labels do not).
_CORE_FIELDS = frozenset(
    {h.FAILURE_MODE, h.EFFECT, h.CAUSE, h.SEVERITY, h.LIKELIHOOD, h.DETECTION,
     h.PREVENTION, h.DETECTION_CONTROLS}
)  # fmt: skip
# A group label above these changes what the bottom text means.
_GROUP_DECIDES = frozenset({h.PREVENTION, h.DETECTION_CONTROLS, h.ACTION, h.OWNER_AND_DUE})


@dataclass(frozen=True)
class ColumnLayout:
    """One column of the table: its header text, the field detected and the field used."""

    column: int  # 1-based
    header: str  # the header rows' texts, top to bottom, joined by " / "
    detected: str | None  # what the header names (None: not recognised)
    field: str | None  # what the import reads it as (None: not read); `detected` or the mapping
    mapped: bool = False  # the field was given by the mapping, not detected

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    def describe(self) -> str:
        """`E 'Sev' = severity`: a column as the refusal lists it."""
        header = repr(self.header) if self.header else "(no header)"
        shown = self.field if self.field else "not recognised"
        return f"{self.letter} {header} = {shown}{' (mapped)' if self.mapped else ''}"


@dataclass
class SheetLayout:
    """What detection (plus the mapping) found on one sheet."""

    sheet: str
    header_first: int
    header_last: int
    data_first: int
    columns: list[ColumnLayout]
    notes: list[str] = field(default_factory=list)  # said in the import summary
    problems: list[str] = field(default_factory=list)  # each refuses the import
    excluded_rows: frozenset[int] = frozenset()
    # Where component names come from: the item column, else the process step or function
    # column (said in `notes`); None: one component named after the sheet.
    component_column: int | None = None
    # how problems say to change the mapping: the command line's options or the dialog's controls
    words: MappingWords = field(default=COMMAND_LINE, repr=False, compare=False)

    @property
    def header_rows(self) -> tuple[int, int]:
        return (self.header_first, self.header_last)

    def column_of(self, field_key: str) -> int | None:
        """The first column read as `field_key`."""
        return next((c.column for c in self.columns if c.field == field_key), None)

    def columns_of(self, field_key: str) -> list[int]:
        return [c.column for c in self.columns if c.field == field_key]

    def headers_found(self) -> str:
        """Every header and its field, for a refusal (one line)."""
        rows = (
            f"row {self.header_first}"
            if self.header_first == self.header_last
            else f"rows {self.header_first}-{self.header_last}"
        )
        listed = "; ".join(c.describe() for c in self.columns if c.header or c.field)
        return f"{self.sheet}: headers found in {rows}: {listed}"

    @property
    def rated(self) -> bool:
        return any(self.column_of(name) for name in h.SCORE_FIELDS)


# ---- merged cells ----------------------------------------------------------------------------


class MergedFill:
    """The value a merged range gives each cell it covers (its top-left value), learnt while
    rows stream past (`see`), kept per column as row intervals: a range over a whole column
    costs one entry."""

    def __init__(self, ranges: Iterable[MergedRange], columns: Iterable[int]):
        wanted = set(columns)
        self._ranges = [r for r in ranges if any(r.min_col <= c <= r.max_col for c in wanted)]
        self._values: list[object] = [None] * len(self._ranges)
        self._starting: dict[int, list[int]] = {}
        by_column: dict[int, list[tuple[int, int]]] = {}
        for index, merged in enumerate(self._ranges):
            self._starting.setdefault(merged.min_row, []).append(index)
            for column in wanted:
                if merged.min_col <= column <= merged.max_col:
                    by_column.setdefault(column, []).append((merged.min_row, index))
        self._by_column = {c: sorted(found) for c, found in by_column.items()}
        self._starts = {c: [start for start, _ in found] for c, found in self._by_column.items()}

    def see(self, number: int, row: Row) -> None:
        for index in self._starting.get(number, ()):
            self._values[index] = row.get(self._ranges[index].min_col)

    def covering(self, number: int, column: int) -> MergedRange | None:
        starts = self._starts.get(column)
        if not starts:
            return None
        position = bisect.bisect_right(starts, number) - 1
        if position < 0:
            return None
        merged = self._ranges[self._by_column[column][position][1]]
        return merged if number <= merged.max_row else None

    def get(self, number: int, column: int) -> object:
        """The merged value at a cell, None for a range's own top-left cell and outside ranges."""
        starts = self._starts.get(column)
        if not starts:
            return None
        position = bisect.bisect_right(starts, number) - 1
        if position < 0:
            return None
        index = self._by_column[column][position][1]
        merged = self._ranges[index]
        if number > merged.max_row or (number == merged.min_row and column == merged.min_col):
            return None
        return self._values[index]

    def has_columns(self) -> bool:
        return bool(self._by_column)


# ---- the caller's last word ------------------------------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """What the mapping says about one sheet (see `spreadsheet_import.Mapping`)."""

    header_rows: tuple[int, int] | None = None
    columns: MappingType[str, str] = field(default_factory=dict)  # letter or header -> field
    excluded_rows: frozenset[int] = frozenset()


# ---- detection -------------------------------------------------------------------------------


def _texts(head: dict[int, Row], fill: MergedFill, row: int, width: int) -> list[object]:
    """A header row's texts with merged cells (group labels, tall labels) filled in."""
    own = head.get(row, {})
    return [
        own.get(c) if not is_blank(own.get(c)) else fill.get(row, c) for c in range(1, width + 1)
    ]


def _fold_letters(texts: list[str]) -> list[str]:
    """Consecutive one-letter texts stacked down a column become one word: S, e, v -> "Sev"."""
    folded: list[str] = []
    run: list[str] = []
    for text in [*texts, ""]:
        stripped = text.strip()
        if (len(stripped) == 1 or (run and len(stripped) == 2)) and stripped.isalpha():
            run.append(stripped)  # "O" then "cc" on the next row spell "Occ" too
            continue
        if run:
            folded.append("".join(run))
            run = []
        if stripped:
            folded.append(stripped)
    return folded


def column_texts(
    head: dict[int, Row], fill: MergedFill, first: int, last: int, column: int
) -> list[str]:
    """A column's distinct header texts from `first` to `last`, top to bottom."""
    texts: list[str] = []
    for row in range(first, last + 1):
        value = head.get(row, {}).get(column)
        merged = is_blank(value)
        text = cell_text(fill.get(row, column) if merged else value)
        # A merged label repeats on every row it covers: once is enough. Own cells stay, so
        # "O", "c", "c" stacked down a column still spell "Occ".
        if text and not (merged and texts and texts[-1] == text):
            texts.append(text)
    return _fold_letters(texts)


def classify(texts: Sequence[str]) -> str | None:
    """A column's field from its header texts, top to bottom."""
    if not texts:
        return None
    last = h.match_header(texts[-1])
    if len(texts) == 1:
        return last
    joined = h.match_header(" ".join(texts))
    abbreviated_score = last in h.SCORE_FIELDS and len(h.normalise_header(texts[-1])) <= 4
    if joined in _GROUP_DECIDES and not abbreviated_score:
        return joined  # "Current Controls" over "Detection": the controls, not the score
    if last == h.ACTION and any("result" in text.lower() for text in texts[:-1]):
        return h.ACTION_TAKEN  # "Results" over "Corrective Action": what was done
    if last is not None:
        return last
    if joined is not None:
        return joined
    for text in reversed(texts[:-1]):
        found = h.match_header(text)
        if found is not None and found not in _GROUP_DECIDES:
            return found
    return None


def _known(fields: Iterable[str | None]) -> set[str]:
    return {f for f in fields if f and f != h.IGNORED}


def is_header(fields: Iterable[str | None]) -> bool:
    """A failure mode column and two more known columns, or four core columns (a form whose
    failure mode header nobody recognised still gets a refusal naming its headers)."""
    known = _known(fields)
    core = known & _CORE_FIELDS
    if h.FAILURE_MODE in known:
        return len(known) >= 3 and len(core) >= 2
    return len(core) >= 4


def _header_like(text: str) -> bool:
    stripped = text.strip()
    if h.match_header(stripped) is not None:
        return True
    letters = re.sub(r"[^A-Za-z]", "", stripped)
    return 0 < len(letters) <= 3 and len(stripped) <= 8  # "S", "Sev", "8 - O"


def _continues_header(
    head: dict[int, Row], fill: MergedFill, first: int, row: int, width: int
) -> bool:
    """Row `row` still belongs to the header that starts at `first`."""
    for column in range(1, width + 1):
        merged = fill.covering(row, column)
        if merged is not None and first <= merged.min_row < row:
            return True  # a header cell merged down over this row
    own = {c: v for c, v in head.get(row, {}).items() if c <= width and not is_blank(v)}
    if not own or any(not isinstance(v, str) for v in own.values()):
        return False  # blank rows and rows with numbers or dates end the header
    for column, value in own.items():
        above = fill.covering(row - 1, column)
        if above is not None and above.max_col > above.min_col and above.min_row >= first:
            continue  # under a label spanning several columns: a sub-header
        if not _header_like(str(value)):
            return False
    return True


def _is_reference_row(values: Sequence[object], min_cells: int) -> bool:
    """A row of column labels under the header, as printed forms have ("a1 a2 b c d", "(1)")."""
    present = [v for v in values if not is_blank(v)]
    labels = [_REFERENCE_LABEL.fullmatch(cell_text(v).lower()) for v in present]
    if len(labels) < min_cells or not all(labels):
        return False
    keys = [(label[1], int(label[2] or 0), label[3]) for label in labels if label]
    return all(a < b for a, b in itertools.pairwise(keys))  # labels count up


def find_header(
    head: dict[int, Row], fill: MergedFill, width: int
) -> tuple[int, int, list[str | None]] | None:
    """(first row, last row, each column's field) of the header in the first rows, or None."""
    for first in range(1, HEADER_SEARCH_ROWS + 1):
        if first not in head:
            continue
        single = [
            classify([cell_text(t)] if not is_blank(t) else [])
            for t in _texts(head, fill, first, width)
        ]
        if not _known(single):
            continue
        last = first
        min_cells = max(3, sum(map(bool, single)) // 2)
        while (
            last - first + 1 < MAX_HEADER_ROWS
            and not _is_reference_row(_own_values(head, last + 1, width), min_cells)
            and _continues_header(head, fill, first, last + 1, width)
        ):
            last += 1
        fields = [classify(column_texts(head, fill, first, last, c)) for c in range(1, width + 1)]
        if is_header(fields):
            return first, last, fields
        if is_header(single):
            return first, first, single
    return None


def _own_values(head: dict[int, Row], row: int, width: int) -> list[object]:
    values = head.get(row, {})
    return [values.get(c) for c in range(1, width + 1)]


def _continued_from_left(
    fill: MergedFill, head: dict[int, Row], first: int, last: int, column: int
) -> bool:
    """The column's lowest header text is a label merged in from a column to its left (an
    "Actions Taken" cell spanning four columns): the field belongs to the leftmost column."""
    for row in range(last, first - 1, -1):
        if not is_blank(head.get(row, {}).get(column)):
            return False
        merged = fill.covering(row, column)
        if merged is not None and fill.get(row, column) is not None:
            return merged.min_col < column and merged.min_row <= row
    return False


def _data_first(head: dict[int, Row], last: int, width: int, fields: Sequence[str | None]) -> int:
    """The first row after the header and any rows of column labels under it."""
    min_cells = max(3, sum(map(bool, fields)) // 2)
    start = last + 1
    for _ in range(2):
        row = head.get(start, {})
        if not _is_reference_row([row.get(c) for c in range(1, width + 1)], min_cells):
            break
        start += 1
    return start


def detect_layout(
    grid: SheetGrid,
    overrides: Overrides | None = None,
    head_rows: int | None = None,
    words: MappingWords = COMMAND_LINE,
) -> SheetLayout | None:
    """The sheet's table, or None when no header is found (and none is given)."""
    overrides = overrides or Overrides()
    search = head_rows or HEADER_SEARCH_ROWS + MAX_HEADER_ROWS + 3
    if overrides.header_rows:
        search = max(search, overrides.header_rows[1] + 3)
    head = grid.head(search)
    width = max((max(row) for row in head.values() if row), default=0)
    width = max(width, *(_mapped_letters(overrides)), 1)
    fill = MergedFill(grid.merged, range(1, width + 1))
    for number in range(1, search + 1):
        fill.see(number, head.get(number, {}))
    if overrides.header_rows:
        first, last = overrides.header_rows
        fields = [classify(column_texts(head, fill, first, last, c)) for c in range(1, width + 1)]
    else:
        found = find_header(head, fill, width)
        if found is None:
            if not overrides.columns:
                return None
            first = last = 1  # every column named by the mapping; the data starts at row 2
            fields = [None] * width
        else:
            first, last, fields = found
    fields = [
        None if _continued_from_left(fill, head, first, last, c) else fields[c - 1]
        for c in range(1, width + 1)
    ]
    columns = [
        ColumnLayout(
            c, " / ".join(column_texts(head, fill, first, last, c)), fields[c - 1], fields[c - 1]
        )
        for c in range(1, width + 1)
    ]
    layout = SheetLayout(
        grid.title,
        first,
        last,
        _data_first(head, last, width, fields),
        columns,
        excluded_rows=overrides.excluded_rows,
        words=words,
    )
    _assign_blocks(layout)
    _second_item_is_the_function(layout)
    _apply_mapping(layout, overrides.columns)
    _check(layout)
    return layout


def _mapped_letters(overrides: Overrides) -> list[int]:
    return [
        column_index(key) for key in overrides.columns if _COLUMN_LETTERS.fullmatch(key.strip())
    ]


def _assign_blocks(layout: SheetLayout) -> None:
    """Initial scores before the actions, revised after them; a second claim is refused."""
    action_start = next(
        (c.column for c in layout.columns if c.field in h.ACTION_BLOCK_FIELDS), None
    )
    for index, column in enumerate(layout.columns):
        name = column.field
        after_actions = action_start is not None and column.column > action_start
        if after_actions and name in (h.PREVENTION, h.DETECTION_CONTROLS):
            # "Action Results / Implemented Controls": what was done about it
            layout.columns[index] = ColumnLayout(
                column.column, column.header, h.ACTION_TAKEN, h.ACTION_TAKEN
            )
            continue
        if name not in h.SCORE_FIELDS:
            continue
        if after_actions or h.says_revised(column.header):
            name = h.REVISED_OF[name]
        layout.columns[index] = ColumnLayout(column.column, column.header, name, name)


def _second_item_is_the_function(layout: SheetLayout) -> None:
    """ "1 - Item" then "2 - Item Function(s)": the second item column is the function."""
    items = layout.columns_of(h.ITEM)
    if len(items) < 2 or layout.column_of(h.FUNCTION) is not None:
        return
    for column in items[1:]:
        found = layout.columns[column - 1]
        if "function" in found.header.lower():
            layout.columns[column - 1] = ColumnLayout(
                found.column, found.header, h.FUNCTION, h.FUNCTION
            )
            return


def _apply_mapping(layout: SheetLayout, mapped: MappingType[str, str]) -> None:
    for key, wanted in mapped.items():
        target = wanted.strip().lower()
        if target not in h.USER_FIELDS:
            layout.problems.append(
                f"{layout.words.entry(key, wanted)}: {wanted!r} is not a field; the fields are "
                + ", ".join(h.USER_FIELDS)
            )
            continue
        found = resolve_column(layout, key)
        if isinstance(found, str):
            layout.problems.append(found)
            continue
        index = found - 1
        if index >= len(layout.columns):
            layout.columns.extend(
                ColumnLayout(c, "", None, None) for c in range(len(layout.columns) + 1, found + 1)
            )
        column = layout.columns[index]
        layout.columns[index] = ColumnLayout(
            column.column,
            column.header,
            column.detected,
            None if target == h.IGNORED else target,
            True,
        )


def resolve_column(layout: SheetLayout, key: str) -> int | str:
    """The column a mapping key names (a letter such as "F", or header text), or a problem."""
    key = key.strip()
    if _COLUMN_LETTERS.fullmatch(key):
        return column_index(key)
    wanted = " ".join(key.split()).casefold()
    exact = [c.column for c in layout.columns if " ".join(c.header.split()).casefold() == wanted]
    if not exact:
        exact = [
            c.column
            for c in layout.columns
            if wanted in (" ".join(part.split()).casefold() for part in c.header.split(" / "))
        ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        letters = ", ".join(column_letter(c) for c in exact)
        return (
            f"{layout.sheet}: {layout.words.entry(key)}: the header is in columns {letters}; "
            "name the column by its letter"
        )
    return (
        f"{layout.sheet}: {layout.words.entry(key)}: no column has that header or letter; "
        + layout.headers_found()
    )


def _check(layout: SheetLayout) -> None:
    """Refuse what cannot be read right; note what the summary should say."""
    title = layout.sheet
    problems = layout.problems
    for name in (*h.SCORE_FIELDS, *h.REVISED_FIELDS, h.FAILURE_MODE):
        claims = layout.columns_of(name)
        if len(claims) > 1:
            letters = " and ".join(column_letter(c) for c in claims)
            problems.append(
                f"{title}: columns {letters} are both read as {name}; "
                + layout.words.which_is_which(column_letter(claims[-1]), f"revised_{name}")
                if name in h.SCORE_FIELDS
                else f"{title}: columns {letters} are both read as {name}; map one of them "
                "to another field or to ignore"
            )
    if layout.column_of(h.FAILURE_MODE) is None:
        problems.append(f"{title}: no Failure Mode column (header rows {_rows(layout)})")
    initial = [n for n in h.SCORE_FIELDS if layout.column_of(n)]
    revised = [n for n in h.REVISED_FIELDS if layout.column_of(n)]
    if revised and not initial:
        found = ", ".join(f"{column_letter(layout.column_of(n) or 0)} ({n})" for n in revised)
        problems.append(
            f"{title}: revised scores in {found} after the actions, but no initial Severity, "
            f"Occurrence and Detection columns before them; {layout.words.map_initial_scores()}"
        )
    elif 0 < len(initial) < len(h.SCORE_FIELDS):
        absent = [n for n in h.SCORE_FIELDS if n not in initial]
        missing = [h.DISPLAY_NAMES[n] for n in absent]
        problems.append(
            f"{title}: found {', '.join(h.DISPLAY_NAMES[n] for n in initial)} but no "
            f"{' or '.join(missing)} column; {layout.words.map_missing(absent)}"
        )
    if 0 < len(revised) < len(h.REVISED_FIELDS):
        first = min(layout.column_of(n) or 0 for n in revised)
        have = ", ".join(h.DISPLAY_NAMES[n] for n in h.SCORE_FIELDS if h.REVISED_OF[n] in revised)
        problems.append(
            f"{cell_ref(title, layout.header_first, first)}: the repeated (revised) score columns "
            f"need all of Severity, Occurrence and Detection; found only {have}"
        )
    if not initial and not revised:
        layout.notes.append(f"{title}: no score columns, so every failure mode is not rated yet")
    _choose_component(layout)
    if problems:
        problems.append(layout.headers_found())


def _rows(layout: SheetLayout) -> str:
    if layout.header_first == layout.header_last:
        return str(layout.header_first)
    return f"{layout.header_first}-{layout.header_last}"


def _choose_component(layout: SheetLayout) -> None:
    """The component column: the item, else the process step, else the function."""
    layout.component_column = layout.column_of(h.ITEM)
    if layout.component_column is not None:
        return
    for source in (h.PROCESS_STEP, h.FUNCTION):
        column = layout.column_of(source)
        if column is None:
            continue
        found = layout.columns[column - 1]
        layout.component_column = column
        layout.notes.append(
            f"{layout.sheet}: components from column {found.letter} {found.header!r} "
            "(the sheet has no item column)"
        )
        return
    layout.notes.append(
        f"{layout.sheet}: no item, process step or function column; every failure mode "
        f"belongs to one component named {layout.sheet!r}"
    )


def is_numeric_cell(value: object) -> bool:
    return is_number(value)
