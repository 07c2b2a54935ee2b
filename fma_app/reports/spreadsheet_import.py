"""Importing spreadsheets (.xlsx, .xlsm, .xls, .csv): the one API the command line and the
desktop dialog drive. Qt-free.

    with SpreadsheetImport.open(path) as source:          # ImportProblemsError: unreadable
        source.sheet_names                                 # every sheet, in workbook order
        source.fmea_sheets()                               # the sheets with a detected table
        layout = source.detect("PFMEA", mapping)           # SheetLayout | None
        layout.header_rows, layout.data_first, layout.columns  # ColumnLayout: letter, header,
                                                           #   detected, field, mapped
        layout.problems, layout.notes                      # refusals / summary remarks
        source.preview("PFMEA", mapping, limit=50)         # [PreviewRow]: cells as text
        result = source.import_model(mapping, progress=..., cancelled=...)
        result.model, result.notes                         # ImportProblemsError with every
                                                           #   problem and its cell; or
                                                           #   ImportCancelledError

`Mapping` is the caller's last word, and what `--map`, `--header-rows`, `--sheet`,
`--all-sheets` and `--mapping FILE` build; `Mapping.to_json()` is what `--save-mapping` writes.
A report exported by FMA Workbench is rebuilt exactly when no mapping is given. A problem's cell
is found again with `problem_location`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from fma_app.domain.model import Component, Model
from fma_app.reports import form_reader
from fma_app.reports import headers as h
from fma_app.reports.cells import cell_text, column_index
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.form_layout import (
    HEADER_SEARCH_ROWS,
    MAX_HEADER_ROWS,
    ColumnLayout,
    MergedFill,
    Overrides,
    SheetLayout,
    detect_layout,
)
from fma_app.reports.form_reader import MAX_PROBLEMS, FormReader
from fma_app.reports.mapping_words import COMMAND_LINE, MappingWords
from fma_app.reports.service_catalogue import (
    CATALOGUE_SHEETS,
    COMPONENTS_SHEET,
    DEPENDENCIES_SHEET,
    read_components,
    read_dependencies,
)
from fma_app.reports.sheet_source import (
    DAMAGED_WORKBOOK,
    RememberedHead,
    RowLimit,
    SheetGrid,
    Spreadsheet,
    XlsxSpreadsheet,
    damaged,
    open_spreadsheet,
)

__all__ = [
    "FIELDS",
    "ColumnLayout",
    "ImportResult",
    "Mapping",
    "PreviewRow",
    "ProblemLocation",
    "SheetLayout",
    "SpreadsheetImport",
    "import_spreadsheet",
    "problem_location",
]

FIELDS = h.USER_FIELDS  # what a column may be mapped to
MAPPING_VERSION = 1
Progress = Callable[[int, int | None], None]  # (rows read, rows expected or None)
Cancelled = Callable[[], bool]
_HEADER_ROWS = re.compile(r"\s*(\d{1,4})\s*(?:[-:\u2013]\s*(\d{1,4}))?\s*")


@dataclass
class Mapping:
    """How to read a spreadsheet, beyond what detection finds. Empty means "detect everything".

    - `sheet`: the sheet to read (None: the first with an FMEA table).
    - `all_sheets`: every sheet with an FMEA table, into one model.
    - `header_rows`: (first, last) header rows, 1-based, instead of the detected ones.
    - `columns`: column -> field, where a column is a letter ("F": one to three capital
      letters) or header text ("Occurance", any case); fields are `FIELDS`.
    - `excluded_rows`: sheet name -> row numbers not to import.
    """

    sheet: str | None = None
    all_sheets: bool = False
    header_rows: tuple[int, int] | None = None
    columns: dict[str, str] = field(default_factory=dict)
    excluded_rows: dict[str, list[int]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self == Mapping()

    def overrides(self, sheet: str) -> Overrides:
        return Overrides(
            header_rows=self.header_rows,
            columns=dict(self.columns),
            excluded_rows=frozenset(self.excluded_rows.get(sheet, ())),
        )

    def to_json(self) -> str:
        data: dict[str, object] = {"fma_spreadsheet_mapping": MAPPING_VERSION}
        data["sheet"] = self.sheet
        data["all_sheets"] = self.all_sheets
        data["header_rows"] = list(self.header_rows) if self.header_rows else None
        data["columns"] = dict(self.columns)
        data["excluded_rows"] = {k: sorted(v) for k, v in self.excluded_rows.items()}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "mapping") -> Mapping:
        """Parse a saved mapping; raise ImportProblemsError naming what is wrong."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ImportProblemsError([f"{source}: not a JSON mapping ({error})"]) from None
        if not isinstance(data, dict) or data.get("fma_spreadsheet_mapping") != MAPPING_VERSION:
            raise ImportProblemsError(
                [f"{source}: not a spreadsheet mapping saved by fma-app (--save-mapping)"]
            )
        problems: list[str] = []
        sheet = data.get("sheet")
        if sheet is not None and not isinstance(sheet, str):
            problems.append(f"{source}: sheet must be a name or null")
        rows = data.get("header_rows")
        header_rows: tuple[int, int] | None = None
        if rows is not None:
            if (
                isinstance(rows, list)
                and len(rows) == 2
                and all(isinstance(r, int) and not isinstance(r, bool) for r in rows)
            ):
                header_rows = check_header_rows(rows[0], rows[1], source, problems)
            else:
                problems.append(f"{source}: header_rows must be [first, last] or null")
        columns = data.get("columns") or {}
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            problems.append(f"{source}: columns must map column names to field names")
            columns = {}
        for key, value in columns.items():
            if value.strip().lower() not in FIELDS:
                problems.append(
                    f"{source}: column {key!r}: {value!r} is not a field; the fields are "
                    + ", ".join(FIELDS)
                )
        excluded = data.get("excluded_rows") or {}
        if not isinstance(excluded, dict) or not all(
            isinstance(k, str)
            and isinstance(v, list)
            and all(isinstance(r, int) and not isinstance(r, bool) and r > 0 for r in v)
            for k, v in excluded.items()
        ):
            problems.append(f"{source}: excluded_rows must map sheet names to row numbers")
            excluded = {}
        if problems:
            raise ImportProblemsError(problems)
        return cls(
            sheet=sheet,
            all_sheets=bool(data.get("all_sheets", False)),
            header_rows=header_rows,
            columns={k: v.strip().lower() for k, v in columns.items()},
            excluded_rows={k: list(v) for k, v in excluded.items()},
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImportProblemsError(
                [f"{Path(path).name}: cannot read the mapping ({error})"]
            ) from None
        return cls.from_json(text, Path(path).name)


def check_header_rows(
    first: int, last: int, source: str, problems: list[str]
) -> tuple[int, int] | None:
    if not (1 <= first <= last) or last - first >= 20:
        problems.append(
            f"{source}: header rows {first}-{last} must be 1-based, first <= last, at most 20 rows"
        )
        return None
    return (first, last)


def parse_header_rows(text: str) -> tuple[int, int]:
    """ "6-10" or "6" -> (6, 10) / (6, 6); raise ImportProblemsError."""
    found = _HEADER_ROWS.fullmatch(text)
    problems: list[str] = []
    if found is None:
        raise ImportProblemsError([f"--header-rows {text!r}: write the rows as N-M, e.g. 6-10"])
    first = int(found[1])
    last = int(found[2] or found[1])
    rows = check_header_rows(first, last, "--header-rows", problems)
    if rows is None:
        raise ImportProblemsError(problems)
    return rows


def parse_map_option(text: str) -> tuple[str, str]:
    """ "COLUMN=field" -> (column, field); raise ImportProblemsError."""
    column, equals, name = text.rpartition("=")
    if not equals or not column.strip() or not name.strip():
        raise ImportProblemsError(
            [f"--map {text!r}: write COLUMN=FIELD, e.g. --map F=severity or --map Prob=likelihood"]
        )
    name = name.strip().lower()
    if name not in FIELDS:
        raise ImportProblemsError(
            [f"--map {text!r}: {name!r} is not a field; the fields are {', '.join(FIELDS)}"]
        )
    return column.strip(), name


@dataclass(frozen=True)
class PreviewRow:
    """A row as the preview shows it: each layout column's text (merged cells filled in)."""

    number: int
    cells: tuple[str, ...]  # one per `SheetLayout.columns`
    excluded: bool


@dataclass
class ImportResult:
    model: Model
    sheets: list[str]  # the sheets read
    notes: list[str]  # what the summary should say (not rated, where components came from)


@dataclass(frozen=True)
class ProblemLocation:
    sheet: str
    row: int
    column: int


_PROBLEM_CELL = re.compile(r"^(?:'((?:[^']|'')+)'|([^\s!:']+))!([A-Z]{1,3})(\d+):")


def sheet_row_limit() -> RowLimit:
    """More rows with values than a form's table can have (form_reader.MAX_TABLE_ROWS), with
    the rows above a table: its header starts in the first rows searched, is at most
    MAX_HEADER_ROWS tall and may have two rows of column labels under it."""
    above = HEADER_SEARCH_ROWS + MAX_HEADER_ROWS + 2
    return RowLimit(form_reader.MAX_TABLE_ROWS + above, form_reader.too_many_rows)


def problem_location(problem: str) -> ProblemLocation | None:
    """The cell a problem names (`'My Sheet'!F7: ...`), or None."""
    found = _PROBLEM_CELL.match(problem)
    if found is None:
        return None
    sheet = found[1].replace("''", "'") if found[1] is not None else found[2]
    return ProblemLocation(sheet, int(found[4]), column_index(found[3]))


class SpreadsheetImport:
    """An opened spreadsheet: detection, preview and import. Close it when done.

    One thread at a time: it reads through one open file. A dialog that imports in the
    background opens a second `SpreadsheetImport` of the same path for the worker."""

    def __init__(self, spreadsheet: Spreadsheet, words: MappingWords = COMMAND_LINE):
        self.spreadsheet = spreadsheet
        self.name = spreadsheet.name
        self.words = words  # how problems say to change the mapping
        self._sheets: dict[str, SheetGrid] = {}

    @classmethod
    def open(cls, path: str | Path, words: MappingWords = COMMAND_LINE) -> SpreadsheetImport:
        """Open the file; a workbook with a sheet certainly beyond a form's size is refused
        before it is parsed (see `sheet_source.RowLimit`)."""
        return cls(open_spreadsheet(path, sheet_row_limit()), words)

    def close(self) -> None:
        self.spreadsheet.close()

    def __enter__(self) -> SpreadsheetImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sheet_names(self) -> list[str]:
        return self.spreadsheet.sheet_names

    def is_report(self) -> bool:
        """A report exported by FMA Workbench (rebuilt exactly, without a mapping)."""
        if not isinstance(self.spreadsheet, XlsxSpreadsheet):
            return False
        from fma_app.reports import report_import

        return report_import.is_report(self.spreadsheet.workbook)

    def detect(self, sheet: str, mapping: Mapping | None = None) -> SheetLayout | None:
        """The sheet's table, with the mapping applied; None when no header is found."""
        name = self._sheet_name(sheet)
        mapping = mapping or Mapping()
        return detect_layout(self.sheet(name), mapping.overrides(name), words=self.words)

    def sheet(self, name: str) -> SheetGrid:
        """The sheet, its first rows kept once read: the dialog detects again at each change of
        the mapping, and reading those rows was nearly all of detection's time."""
        if name not in self._sheets:
            self._sheets[name] = RememberedHead(self.spreadsheet.sheet(name))
        return self._sheets[name]

    def fmea_sheets(self, mapping: Mapping | None = None) -> list[str]:
        """The sheets with an FMEA table (the Components and Dependencies sheets are not)."""
        return [
            name
            for name in self.sheet_names
            if name.strip().casefold() not in CATALOGUE_SHEETS
            and self.detect(name, mapping) is not None
        ]

    def preview(
        self,
        sheet: str,
        mapping: Mapping | None = None,
        limit: int = 50,
        *,
        layout: SheetLayout | None = None,
    ) -> list[PreviewRow]:
        """The first `limit` rows below the header, as text, with merged cells filled in.
        `layout`: the sheet's, already detected under `mapping` (not detected again)."""
        layout = layout if layout is not None else self.detect(sheet, mapping)
        if layout is None:
            return []
        grid = self.sheet(layout.sheet)
        columns = [c.column for c in layout.columns]
        fill = MergedFill(grid.merged, columns)
        found: list[PreviewRow] = []
        for number, row in grid.rows(1, max(columns, default=1)):
            fill.see(number, row)
            if number < layout.data_first:
                continue
            cells = tuple(cell_text(row[c] if c in row else fill.get(number, c)) for c in columns)
            found.append(PreviewRow(number, cells, number in layout.excluded_rows))
            if len(found) >= limit:
                break
        return found

    def import_model(
        self,
        mapping: Mapping | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportResult:
        """Build a model; raise ImportProblemsError listing every problem (nothing is built),
        or ImportCancelledError when `cancelled()` turns true."""
        mapping = mapping or Mapping()
        if mapping.is_empty and self.is_report():
            return self._import_report()
        model = Model(name=PurePath(self.name).stem or "Imported model")
        problems: list[str] = []
        components: dict[str, Component] = {}
        notes: list[str] = []
        declared = self.spreadsheet.find_sheet("Components")
        refused: set[str] = set()
        if declared is not None:
            read_components(self.sheet(declared), model, components, problems, refused)
        layouts = self._layouts(mapping, catalogue=declared is not None)
        expected = self._expected_rows(layouts)
        done = 0
        for layout in layouts:
            if layout.problems:
                problems.extend(layout.problems)
                continue
            base = done

            def tick(rows: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + rows, expected)

            reader = FormReader(
                layout, model, components, problems, progress=tick, cancelled=cancelled
            )
            reader.read(self.sheet(layout.sheet))
            done += reader.rows_read
            notes.extend(layout.notes)
            if reader.ended_at is not None:
                notes.append(f"{layout.sheet}: the table ends at row {reader.ended_at - 1}")
            if len(problems) >= MAX_PROBLEMS:
                break
        sheets = [layout.sheet for layout in layouts]
        dependencies = self.spreadsheet.find_sheet("Dependencies")
        if dependencies is not None and dependencies not in sheets:
            where = [s for s in ([declared] if declared else []) + sheets]
            read_dependencies(
                self.sheet(dependencies),
                model,
                components,
                problems,
                declared_in=_declared_in(where, declared is not None),
                refused=refused,
            )
            sheets.append(dependencies)
        if declared is not None:
            sheets.insert(0, declared)
        if problems:
            raise ImportProblemsError(problems[:MAX_PROBLEMS])
        model.description = (
            f"Imported from {self.name}, sheet{'s' if len(sheets) > 1 else ''} " + ", ".join(sheets)
        )
        if not layouts:
            notes.append(
                f"{self.name}: a service catalogue (components and dependencies, no failure modes)"
            )
        return ImportResult(model, sheets, notes)

    # -- helpers --
    def _sheet_name(self, sheet: str) -> str:
        found = self.spreadsheet.find_sheet(sheet)
        if found is None:
            available = ", ".join(repr(s) for s in self.sheet_names)
            raise ImportProblemsError(
                [f"{self.name}: no sheet named {sheet!r}; its sheets are {available}"]
            )
        return found

    def _layouts(self, mapping: Mapping, catalogue: bool) -> list[SheetLayout]:
        if mapping.sheet is not None:
            name = self._sheet_name(mapping.sheet)
            layout = self.detect(name, mapping)
            if layout is None:
                raise ImportProblemsError(
                    [f"{name}: no FMEA header row in its first 30 rows "
                     f"({self.words.no_header()})"]
                )  # fmt: skip
            return [layout]
        found: list[SheetLayout] = []
        for name in self.sheet_names:
            if name.strip().casefold() in CATALOGUE_SHEETS:
                continue
            layout = self.detect(name, mapping)
            if layout is None:
                continue
            found.append(layout)
            if not mapping.all_sheets and not layout.problems:
                return [layout]
        if found:
            return found if mapping.all_sheets else found[:1]
        if catalogue:
            return []  # a service catalogue: components and dependencies only
        raise ImportProblemsError(
            [
                f"{self.name}: no sheet has an FMEA header row in its first 30 rows (looking "
                "for columns such as Item, Failure Mode, Severity, Occurrence, Detection)"
            ]
        )

    def _expected_rows(self, layouts: list[SheetLayout]) -> int | None:
        total = 0
        for layout in layouts:
            sheet = self.sheet(layout.sheet)
            rows = sheet.max_row
            if rows is None:
                return None
            total += max(rows - layout.data_first + 1, 0)
        return total

    def _import_report(self) -> ImportResult:
        from fma_app.reports import report_import

        assert isinstance(self.spreadsheet, XlsxSpreadsheet)
        try:
            model = report_import.import_report(self.spreadsheet.workbook, source_name=self.name)
        except ImportProblemsError:
            raise
        except DAMAGED_WORKBOOK as error:
            # A streamed sheet is parsed only now; a damaged one fails here, not at load.
            raise damaged(self.name, error) from None
        return ImportResult(model, list(self.sheet_names), [])


def _declared_in(sheets: list[str], has_components: bool) -> str:
    if not sheets:
        return "no sheet declares components"
    if has_components and len(sheets) == 1:
        return f"it is not in {sheets[0]}"
    if has_components:
        return f"it is not in {sheets[0]} or an item in {', '.join(sheets[1:])}"
    return f"it is not an item in {', '.join(sheets)}"


def import_spreadsheet(
    path: str | Path,
    mapping: Mapping | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportResult:
    """Open, import and close: what `fma-app import` does."""
    with SpreadsheetImport.open(path) as source:
        return source.import_model(mapping, progress=progress, cancelled=cancelled)


# The Dependencies sheet is never an FMEA sheet; kept for callers that name it.
DEPENDENCIES = DEPENDENCIES_SHEET
COMPONENTS = COMPONENTS_SHEET
