"""Worksheet cells as tab-separated text, both ways, so rows move to and from Excel/LibreOffice.

Copy: cells are joined with tabs and newlines; a cell holding a tab, newline or quote is quoted
the way Excel does (a doubled quote inside quotes). A text that starts with `=`, `+`, `-` or
`@` would be run as a formula by a spreadsheet (CSV/formula injection), so copy prefixes it
with a single quote. Excel reads a leading quote as "this is text" and hides it; LibreOffice
keeps it visible in the cell but no longer runs the formula (it does run an unguarded one: see
the LibreOffice round-trip test). Paste strips the quote again, so round trips are exact.

Paste (decided here, documented in the Help's keyboard page):
- The block lands at the current cell, filling rows downwards in the order the worksheet shows
  them and columns to the right. Computed columns (RPN, AP, Actions, revised RPN/AP) are skipped,
  so whole rows copied from the worksheet paste back unchanged.
- Rows beyond the last shown row create new failure modes: in the component named in the
  pasted Component column (created when no component has that name), else in the current
  component. An empty score cell clears the score: not rated yet (a new row's stay unrated).
- One value pasted over a selection of several cells fills each of them.
- The whole paste is one undo step. If any cell is bad (a score outside 1-10, a block wider than
  the worksheet, no component for a new row) nothing changes and every problem is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fma_app.domain.commands import Command, Macro, add_component, add_failure_mode, set_fields
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import FailureMode, Model, Scores
from fma_app.domain.scoring import validate_score
from fma_app.presentation.worksheet import COLUMN_INDEX, COLUMNS, cell_changes, revised_field

# As the report and `rank` CSV: a leading tab or carriage return also hides a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STARTS = frozenset(FORMULA_STARTS)


# ---- text <-> cells -------------------------------------------------------------------------


def protect(text: str) -> str:
    """Stop a spreadsheet from reading a cell as a formula. A text that already starts with
    quotes before such a character gets one more, so paste (which strips one) is exact."""
    first = text[:1]
    if first in _STARTS or (first == "'" and text.lstrip("'")[:1] in _STARTS):
        return "'" + text
    return text


def unprotect(text: str) -> str:
    return text[1:] if text[:1] == "'" and text.lstrip("'")[:1] in _STARTS else text


def _quote(text: str) -> str:
    if "\t" in text or "\n" in text or "\r" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def to_tsv(rows: list[list[object]]) -> str:
    """Cells as TSV with a final newline, as spreadsheets put on the clipboard."""
    lines = []
    for row in rows:  # plain loops: a select-all copy is 360,000 cells
        cells = ["" if value is None else str(value) for value in row]
        lines.append("\t".join([_quote(protect(cell)) for cell in cells]))
    return "\n".join(lines) + "\n" if lines else ""


def parse_tsv(text: str) -> list[list[str]]:
    """TSV from Excel, LibreOffice or this app into rows of cells (quoted cells may hold
    tabs and newlines). A trailing newline and trailing empty lines are dropped."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    quoted, at_start = False, True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"' and i + 1 < n and text[i + 1] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and at_start:
            quoted = True
        elif ch == "\t":
            row.append("".join(cell))
            cell = []
            at_start = True
            i += 1
            continue
        elif ch in "\r\n":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
            at_start = True
            i += 1
            continue
        else:
            cell.append(ch)
        at_start = False
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    while rows and all(c == "" for c in rows[-1]):
        rows.pop()
    return [[unprotect(c) for c in r] for r in rows]


# ---- paste as one command -------------------------------------------------------------------


MAX_PROBLEMS_SHOWN = 12


class PasteRefusedError(ValidationError):
    """The paste would put bad values in the model; `problems` lists each, with its cell.

    A ValidationError, so the document's edit gate refuses it like any other bad value; the
    message lists the first problems, one a line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        more = len(self.problems) - len(shown)
        super().__init__("\n".join(shown) + (f"\n... and {more} more" if more > 0 else ""))


@dataclass(frozen=True)
class PasteTarget:
    """Where a paste lands: the failure modes shown from the current row down, in view order;
    the columns from the current one rightwards, in the order the view shows them (the user
    may have moved columns); and the component for rows beyond the end (None: none)."""

    row_ids: list[int]
    columns: tuple[int, ...]
    default_component_id: int | None

    @staticmethod
    def from_column(row_ids: list[int], column: int, component_id: int | None) -> PasteTarget:
        """Columns in their natural order from `column`, without the ID (hidden by default)."""
        columns = tuple(c for c in range(column, len(COLUMNS)) if COLUMNS[c].key != "id")
        return PasteTarget(row_ids, columns, component_id)


def _cell_name(row: int, column: int) -> str:
    return f"row {row + 1}, {COLUMNS[column].title}"


def _check_cells(block: list[list[str]], columns: tuple[int, ...]) -> list[str]:
    """Problems that need no model: width and score values."""
    problems = []
    width = max(len(r) for r in block)
    if width > len(columns):
        problems.append(
            f"the pasted block is {width} columns wide but only {len(columns)} fit from "
            f"column {COLUMNS[columns[0]].title}"
        )
        return problems
    for r, row in enumerate(block):
        for offset, value in enumerate(row):
            column = COLUMNS[columns[offset]]
            if column.kind in ("score", "revised") and value.strip():
                label = column.key.replace("_", " ")
                try:
                    validate_score(label, value)
                except ValidationError as error:
                    problems.append(f"{_cell_name(r, columns[offset])}: {error}")
    return problems


def _row_values(row: list[str], columns: tuple[int, ...]) -> dict[str, str]:
    """Editable column key -> pasted text, computed columns skipped."""
    values = {}
    for offset, value in enumerate(row):
        column = COLUMNS[columns[offset]]
        if column.kind != "computed":
            values[column.key] = value
    return values


def _revised(
    fm: FailureMode, values: dict[str, str], scores: Mapping[str, object]
) -> Scores | str | None:
    """The revised scores after the paste, or "keep" when no revised column was pasted.
    `scores` are the row's own after the paste, not checked yet: Scores.checked checks any it
    takes."""
    keys = [
        k for k in ("revised_severity", "revised_likelihood", "revised_detection") if k in values
    ]
    if not keys:
        return "keep"
    current = fm.revised
    merged: dict[str, int | None] = {}
    for key in ("revised_severity", "revised_likelihood", "revised_detection"):
        field = revised_field(key)
        if key in values:
            text = values[key].strip()
            merged[field] = validate_score(f"revised {field}", text) if text else None
        else:
            merged[field] = getattr(current, field) if current else None
    if all(v is None for v in merged.values()):
        return None
    filled = {f: v if v is not None else scores[f] for f, v in merged.items()}
    # Raises for a revised score missing where the failure mode itself is not rated yet.
    return Scores.checked(filled["severity"], filled["likelihood"], filled["detection"], "revised ")


def _row_changes(model: Model, fm: FailureMode, values: dict[str, str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    for key, text in values.items():
        column = COLUMNS[COLUMN_INDEX[key]]
        if column.kind == "score" and not text.strip():
            changes[key] = None  # an empty score cell pasted: not rated yet
            continue
        if column.kind == "revised" or (column.kind != "text" and not text.strip()):
            continue  # empty component cell: leave it as it is
        changes.update(cell_changes(model, fm, key, text))
    scores = {f: changes.get(f, getattr(fm, f)) for f in ("severity", "likelihood", "detection")}
    revised = _revised(fm, values, scores)
    if revised != "keep":
        changes["revised"] = revised
    return {k: v for k, v in changes.items() if getattr(fm, k) != v}


def _component_for(
    model: Model, values: dict[str, str], default: int | None, commands: list[Command]
) -> int:
    """The component a new row goes to; creates one named in the paste (the command is
    applied at once, so later rows find it)."""
    name = values.pop("component", "").strip()
    if name:
        existing = model.component_by_name(name)
        if existing is not None:
            return existing.id
        command = add_component(model, name)
        command.do(model)
        commands.append(command)
        return command.entities[0].id
    if default is None:
        raise ModelError("new rows need a component: select one first, or paste a Component column")
    return default


def _new_row(model: Model, values: dict[str, str], component_id: int) -> Command:
    probe = FailureMode(id=0, component_id=component_id)
    fields = _row_changes(model, probe, values)
    fields.pop("component_id", None)
    return add_failure_mode(model, component_id, **fields)


def build_paste(model: Model, block: list[list[str]], target: PasteTarget) -> Macro:
    """One command for the whole paste, or PasteRefusedError listing every problem.

    Each row's command is tried on the model as it is built (later rows may refer to a component
    an earlier row created) and every step is undone before returning: the model is left exactly
    as it was, and `Document.push` then applies the macro as one undo step.
    """
    block = block or [[""]]
    problems = _check_cells(block, target.columns)
    if problems:
        raise PasteRefusedError(problems)
    commands: list[Command] = []
    try:
        for r, row in enumerate(block):
            values = _row_values(row, target.columns)
            try:
                if r < len(target.row_ids):
                    fm = model.failure_modes[target.row_ids[r]]
                    if "component" in values and values["component"].strip():
                        _component_for(model, dict(values), None, commands)
                    changes = _row_changes(model, fm, values)
                    command: Command | None = (
                        set_fields(model, "failure_mode", fm.id, **changes) if changes else None
                    )
                else:
                    component_id = _component_for(
                        model, values, target.default_component_id, commands
                    )
                    command = _new_row(model, values, component_id)
            except (ValidationError, ModelError) as error:
                problems.append(f"row {r + 1}: {error}")
                continue
            if command is not None:
                command.do(model)
                commands.append(command)
    finally:
        for command in reversed(commands):
            command.undo(model)
    if problems:
        raise PasteRefusedError(problems)
    rows = len(block)
    return Macro(commands, f"Paste {rows} Row{'s' if rows != 1 else ''}")


def build_fill(model: Model, value: str, cells: list[tuple[int, int]]) -> Macro:
    """One value pasted into several selected cells (fm id, column) as one command, or
    PasteRefusedError: the spreadsheet "fill the selection" habit."""
    problems: list[str] = []
    by_row: dict[int, dict[str, str]] = {}
    for fm_id, column in cells:
        if COLUMNS[column].kind == "computed":
            continue
        by_row.setdefault(fm_id, {})[COLUMNS[column].key] = value
        if COLUMNS[column].kind in ("score", "revised") and value.strip():
            try:
                validate_score(COLUMNS[column].key.replace("_", " "), value)
            except ValidationError as error:
                if str(error) not in problems:
                    problems.append(str(error))
    commands: list[Command] = []
    for fm_id, values in by_row.items():
        try:
            changes = _row_changes(model, model.failure_modes[fm_id], values)
        except (ValidationError, ModelError) as error:
            if str(error) not in problems:
                problems.append(str(error))
            continue
        if changes:
            commands.append(set_fields(model, "failure_mode", fm_id, **changes))
    if problems:
        raise PasteRefusedError(problems)
    return Macro(commands, f"Paste into {len(cells)} Cells")
