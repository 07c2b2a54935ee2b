"""Rebuild a model from a report that `xlsx_report` wrote.

The report may come back from a review meeting edited and re-saved by Excel or LibreOffice, so
columns are found by their header, rows may be reordered, and a row with an empty ID is a new
entity. Every problem is collected with its cell reference; nothing is built unless all is well.
Columns the report derives (rank, RPN, AP, the actions summary, counts) are not read. A blank
S, L or D cell is a score not rated yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TypeVar

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    ActionStatus,
    ComponentKind,
    Model,
    ObservedCalls,
    Scores,
    Strength,
    checked_aliases,
    parse_date,
    parse_enum,
    parse_fraction,
    parse_slo,
    parse_window_days,
)
from fma_app.domain.resilience import (
    ChaosTarget,
    ExperimentRecord,
    Fault,
    Mitigation,
    Resilience,
    SteadyStateProbe,
    checked_uuid,
    parse_mitigations,
)
from fma_app.domain.scoring import validate_optional_score, validate_score
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.group_needs import HEADER as GROUP_NEEDS
from fma_app.reports.group_needs import GroupNeedsCells
from fma_app.reports.xlsx_report import (
    MARKER_NAME,
    MARKER_TEXT,
    OBSERVED_COLUMNS,
    PROPERTY_ROWS,
    RESILIENCE_COLUMNS,
    RESILIENCE_SHEETS,
    SHEET_NAMES,
    TARGET_COLUMNS,
    unescape_text,
)

MAX_PROBLEMS = 200
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

# The columns read back, per sheet (all must be present; others are ignored).
READ_COLUMNS: dict[str, tuple[str, ...]] = {
    "Components": ("ID", "Name", "Kind", "Owner", "Description", "Entry Point", "X", "Y"),
    "Dependencies": ("ID", "Component", "Depends On", "Strength", "Redundancy Group",
                     "Description"),
    "Worksheet": ("ID", "Component", "Function", "Failure Mode", "Effect", "S", "Cause", "L",
                  "Prevention Controls", "Detection Controls", "D", "Revised S", "Revised L",
                  "Revised D", "Notes"),
    "Actions": ("Action ID", "Failure Mode ID", "Action", "Owner", "Due Date", "Status",
                "Action Taken"),
    # Optional: reports written before the resilience sheets have neither.
    "Resilience": tuple(name for name, _width in RESILIENCE_COLUMNS),
    "Chaos Targets": tuple(name for name, _width in TARGET_COLUMNS),
}  # fmt: skip
# Columns read when present: reports written before schema 3 do not have the availability ones,
# reports written before trace import (schema 4) not the aliases and observed calls.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "Components": ("Availability", "SLO", "SLO Window (days)", "Aliases"),
    "Dependencies": (GROUP_NEEDS, *(name for name, _width in OBSERVED_COLUMNS)),
    "Worksheet": ("Justification",),
}
ID_COLUMN = {"Components": "ID", "Dependencies": "ID", "Worksheet": "ID", "Actions": "Action ID"}
FAILURE_MODE_TEXTS = {
    "function": "Function", "failure_mode": "Failure Mode", "effect": "Effect", "cause": "Cause",
    "prevention_controls": "Prevention Controls", "detection_controls": "Detection Controls",
    "notes": "Notes", "justification": "Justification",
}  # fmt: skip


def is_report(workbook: Workbook) -> bool:
    """A workbook FMA Workbench exported: the five sheets in order and our marker."""
    names = list(workbook.sheetnames)
    if names[: len(SHEET_NAMES)] != list(SHEET_NAMES):
        return False
    try:
        if MARKER_NAME in workbook.defined_names:
            return True
    except TypeError:
        pass
    for row in workbook["Summary"].iter_rows(min_row=1, max_row=5, max_col=1, values_only=True):
        if isinstance(row[0], str) and row[0].startswith(MARKER_TEXT):
            return True
    return False


class _CellError(Exception):
    """A bad cell value; the message is shown after the cell reference."""


@dataclass
class _Row:
    sheet: str
    number: int
    values: tuple[object, ...]
    columns: dict[str, int]

    def get(self, header: str) -> object:
        index = self.columns.get(header)
        if index is None:  # an optional column the sheet does not have
            return None
        value = self.values[index] if index < len(self.values) else None
        return None if value == "" else value

    def ref(self, header: str) -> str:
        return f"{self.sheet}!{get_column_letter(self.columns[header] + 1)}{self.number}"


class _Cells:
    """Parses the cells of one row, adding each bad one to the problems; `ok` until one is."""

    def __init__(self, row: _Row, problems: _Problems) -> None:
        self.row, self.problems, self.ok = row, problems, True

    def parse(self, header: str, parse: Callable[[object], T], instead: T) -> T:
        """The parsed cell, or `instead` (never used: `ok` is False then) after a problem."""
        try:
            return parse(self.row.get(header))
        except (_CellError, ValidationError, ModelError) as error:
            self.problems.add(self.row.ref(header), str(error))
            self.ok = False
            return instead


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.lines)

    def error(self) -> ImportProblemsError:
        shown = self.lines[:MAX_PROBLEMS]
        if len(self.lines) > MAX_PROBLEMS:
            shown.append(f"... and {len(self.lines) - MAX_PROBLEMS} more problems")
        return ImportProblemsError(shown)


def _normal(header: object) -> str:
    return " ".join(str(header).split()).casefold() if header is not None else ""


def _read_table(ws: Worksheet, sheet: str, problems: _Problems) -> list[_Row]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    found = {_normal(value): index for index, value in enumerate(header) if value is not None}
    columns: dict[str, int] = {}
    missing = []
    for name in READ_COLUMNS[sheet]:
        if _normal(name) in found:
            columns[name] = found[_normal(name)]
        else:
            missing.append(name)
    if missing:
        problems.add(f"{sheet}!1", f"missing column(s): {', '.join(missing)}")
        return []
    for name in OPTIONAL_COLUMNS.get(sheet, ()):
        if _normal(name) in found:
            columns[name] = found[_normal(name)]
    # Only the columns read: a streamed sheet fills every row up to its last column, so one
    # stray cell at XFD1048576 made 17 billion empty cells (about ten minutes).
    width = max(columns.values()) + 1
    rows = ws.iter_rows(min_row=2, max_col=width, values_only=True)
    return [
        _Row(sheet, number, tuple(values), columns)
        for number, values in enumerate(rows, start=2)
        if any(value is not None and value != "" for value in values)
    ]


# ---- cell values ------------------------------------------------------------------------------
def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _whole(value: object, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 1:
        raise _CellError(f"{what} {_shown(value)} is not a whole number from 1 up")
    return number


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _score(value: object, field: str) -> int:
    if value is None:
        raise _CellError(f"{field} is empty; it must be a whole number from 1 to 10")
    try:
        return validate_score(field, value)
    except ValidationError as error:
        raise _CellError(str(error)) from None


def _optional_score(value: object, field: str) -> int | None:
    """A failure mode's own score: a blank cell is not rated yet, anything else must be 1-10."""
    try:
        return validate_optional_score(field, value)
    except ValidationError as error:
        raise _CellError(str(error)) from None


def _number(value: object, what: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise _CellError(f"{what} {_shown(value)} is not a number") from None


YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


def _flag(value: object, what: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _text(value).strip().casefold()
    if text in YES or text in NO:
        return text in YES
    raise _CellError(f"{what} {_shown(value)} is not yes or no")


def _date(value: object, what: str = "due date") -> dt.date | None:
    try:
        return parse_date(what, value)
    except ValidationError:  # the report names the cell, so its own wording
        raise _CellError(f"{what} {_shown(value)} is not a date (YYYY-MM-DD)") from None


def _enum(enum_type: type[E], value: object, what: str) -> E:
    try:
        return parse_enum(enum_type, what, _text(value))
    except ValidationError as error:
        raise _CellError(str(error)) from None


# ---- ids --------------------------------------------------------------------------------------
class _Ids:
    """Ids as the report gives them (unique across all kinds, as in a model); a row without one
    gets a fresh id above every id in the report."""

    def __init__(self, tables: dict[str, list[_Row]], problems: _Problems):
        self.of: dict[tuple[str, int], int] = {}
        seen: dict[int, str] = {}
        pending = []
        for sheet, rows in tables.items():
            header = ID_COLUMN[sheet]
            for row in rows:
                try:
                    number = _whole(row.get(header), "id")
                except _CellError as problem:
                    problems.add(row.ref(header), str(problem))
                    continue
                if number is None:
                    pending.append((sheet, row.number))
                elif number in seen:
                    problems.add(row.ref(header), f"id {number} is already used by {seen[number]}")
                else:
                    seen[number] = row.ref(header)
                    self.of[(sheet, row.number)] = number
        next_id = max(seen, default=0) + 1
        for key in pending:
            self.of[key], next_id = next_id, next_id + 1

    def __call__(self, row: _Row) -> int | None:
        return self.of.get((row.sheet, row.number))


# ---- the sheets -------------------------------------------------------------------------------
def _summary(ws: Worksheet, source_name: str, problems: _Problems) -> Model:
    """A model holding the Summary's name, description and FMEA header properties."""
    labels: dict[str, tuple[int, object]] = {}
    title = None
    for number, row in enumerate(ws.iter_rows(max_row=40, max_col=2, values_only=True), 1):
        if number == 1:
            title = row[0]
        if row and isinstance(row[0], str) and len(row) > 1:
            labels.setdefault(row[0].strip().casefold(), (number, row[1]))
    if "model" in labels:
        name = _text(labels["model"][1])
    else:
        name = _text(title) if title is not None else Path(source_name).stem
    model = Model(name=name, description=_text(labels.get("description", (0, None))[1]))
    for label, field in PROPERTY_ROWS:
        number, value = labels.get(label.casefold(), (0, None))
        if field == "key_date":
            try:
                model.key_date = _date(value, "key date")
            except _CellError as problem:
                problems.add(f"Summary!B{number}", str(problem))
        else:
            setattr(model, field, _text(value))
    return model


def _components(model: Model, rows: list[_Row], ids: _Ids, problems: _Problems) -> None:
    for row in rows:
        entity_id = ids(row)
        if entity_id is None:
            continue
        cells = _Cells(row, problems)
        name = cells.parse("Name", lambda v: model.check_component_name(_text(v)), "")
        kind = cells.parse("Kind", lambda v: _enum(ComponentKind, v, "kind"), ComponentKind.OTHER)
        x = cells.parse("X", lambda v: _number(v, "x"), 0.0)
        y = cells.parse("Y", lambda v: _number(v, "y"), 0.0)
        user_facing = cells.parse("Entry Point", lambda v: _flag(v, "entry point"), False)
        availability = cells.parse(
            "Availability", lambda v: parse_fraction("availability", v), None
        )
        slo = cells.parse("SLO", lambda v: parse_slo("SLO", v), None)
        window = cells.parse("SLO Window (days)", lambda v: parse_window_days("SLO window", v), 30)
        no_aliases: tuple[str, ...] = ()
        aliases = cells.parse("Aliases", lambda v: _aliases(_text(v)), no_aliases)
        if cells.ok:
            model.add_component(
                name,
                kind,
                id=entity_id,
                description=_text(row.get("Description")),
                owner=_text(row.get("Owner")),
                x=x,
                y=y,
                user_facing=user_facing,
                availability=availability,
                slo=slo,
                slo_window_days=window,
                aliases=aliases,
            )


def _aliases(text: str) -> tuple[str, ...]:
    try:
        return checked_aliases(text)
    except ValidationError as error:
        raise _CellError(str(error)) from None


def _observed(row: _Row) -> ObservedCalls | None:
    """The observed statistics of a dependency row: None when Calls is blank."""
    values = [row.get(name) for name, _width in OBSERVED_COLUMNS]
    if values[0] is None:
        if any(value is not None for value in values[1:]):
            raise _CellError("observed statistics need the Calls column")
        return None
    try:
        return ObservedCalls.checked(*values)
    except ValidationError as error:
        raise _CellError(str(error)) from None


def _component_id(model: Model, row: _Row, header: str) -> int:
    name = _text(row.get(header))
    component = model.component_by_name(name) if name.strip() else None
    if component is None:
        if not name.strip():
            raise _CellError("the component name is empty")
        raise _CellError(f"no component named {name!r} on the Components sheet")
    return component.id


def _dependencies(model: Model, rows: list[_Row], ids: _Ids, problems: _Problems) -> None:
    needs = GroupNeedsCells()
    needs_problems: list[str] = []
    for row in rows:
        entity_id = ids(row)
        ends = {}
        for header in ("Component", "Depends On"):
            try:
                ends[header] = _component_id(model, row, header)
            except _CellError as problem:
                problems.add(row.ref(header), str(problem))
        try:
            strength = _enum(Strength, row.get("Strength"), "strength")
        except _CellError as problem:
            problems.add(row.ref("Strength"), str(problem))
            continue
        try:
            observed = _observed(row)
        except _CellError as problem:
            problems.add(row.ref("Calls"), str(problem))
            continue
        if entity_id is None or len(ends) < 2:
            continue
        try:
            model.add_dependency(
                ends["Component"], ends["Depends On"], strength, id=entity_id,
                description=_text(row.get("Description")),
                group=_text(row.get("Redundancy Group")), observed=observed,
            )  # fmt: skip
        except (ModelError, ValidationError) as error:
            problems.add(row.ref("Component"), str(error))
            continue
        if row.get(GROUP_NEEDS) is not None:
            group = _text(row.get("Redundancy Group")).strip()
            source = ends["Component"]
            needs.add(source, group, row.get(GROUP_NEEDS), row.ref(GROUP_NEEDS), needs_problems)
    needs.apply(model, needs_problems)
    problems.lines += needs_problems


def _revised(row: _Row, problems: _Problems) -> tuple[bool, Scores | None]:
    headers = ("Revised S", "Revised L", "Revised D")
    fields = ("revised severity", "revised likelihood", "revised detection")
    values = [row.get(h) for h in headers]
    if all(v is None for v in values):
        return True, None
    scores, ok = [], True
    for header, field, value in zip(headers, fields, values, strict=True):
        try:
            scores.append(_score(value, field))
        except _CellError as problem:
            message = str(problem)
            if value is None:
                message = "revised scores need all three of S, L and D, or none"
            problems.add(row.ref(header), message)
            ok = False
    return ok, Scores(*scores) if ok else None


def _failure_modes(model: Model, rows: list[_Row], ids: _Ids, problems: _Problems) -> None:
    for row in rows:
        entity_id, ok = ids(row), True
        try:
            component_id = _component_id(model, row, "Component")
        except _CellError as problem:
            problems.add(row.ref("Component"), str(problem))
            ok = False
        scores = {}
        for field, header in (("severity", "S"), ("likelihood", "L"), ("detection", "D")):
            try:
                scores[field] = _optional_score(row.get(header), field)
            except _CellError as problem:
                problems.add(row.ref(header), str(problem))
                ok = False
        revised_ok, revised = _revised(row, problems)
        if not (ok and revised_ok) or entity_id is None:
            continue
        texts = {field: _text(row.get(header)) for field, header in FAILURE_MODE_TEXTS.items()}
        model.add_failure_mode(component_id, id=entity_id, revised=revised, **scores, **texts)


def _actions(model: Model, rows: list[_Row], ids: _Ids, problems: _Problems) -> None:
    for row in rows:
        entity_id, ok = ids(row), True
        failure_mode_id = None
        try:
            failure_mode_id = _whole(row.get("Failure Mode ID"), "failure mode id")
            if failure_mode_id is None:
                raise _CellError("an action needs the ID of its failure mode")
            if failure_mode_id not in model.failure_modes:
                raise _CellError(f"no failure mode with ID {failure_mode_id} on the Worksheet")
        except _CellError as problem:
            problems.add(row.ref("Failure Mode ID"), str(problem))
            ok = False
        cells = _Cells(row, problems)
        due_date = cells.parse("Due Date", _date, None)
        status = cells.parse(
            "Status", lambda v: _enum(ActionStatus, v, "status"), ActionStatus.OPEN
        )
        if ok and cells.ok and entity_id is not None and failure_mode_id is not None:
            model.add_action(
                failure_mode_id, _text(row.get("Action")), id=entity_id,
                owner=_text(row.get("Owner")), action_taken=_text(row.get("Action Taken")),
                due_date=due_date, status=status,
            )  # fmt: skip


def import_report(workbook: Workbook, source_name: str) -> Model:
    """The model the report describes; raises ImportProblemsError listing every bad cell."""
    problems = _Problems()
    tables = {
        sheet: _read_table(workbook[sheet], sheet, problems)
        for sheet in READ_COLUMNS
        if sheet not in RESILIENCE_SHEETS or sheet in workbook.sheetnames
    }
    if problems:
        raise problems.error()
    ids = _Ids({sheet: tables[sheet] for sheet in ID_COLUMN}, problems)
    model = _summary(workbook["Summary"], source_name, problems)
    _components(model, tables["Components"], ids, problems)
    _dependencies(model, tables["Dependencies"], ids, problems)
    _failure_modes(model, tables["Worksheet"], ids, problems)
    _actions(model, tables["Actions"], ids, problems)
    _targets(model, tables.get("Chaos Targets", []), problems)
    _resilience(model, tables.get("Resilience", []), problems)
    identity = workbook.properties.identifier
    if identity:
        try:
            model.uuid = checked_uuid(identity)
        except ValidationError as error:
            problems.add("the workbook's identifier property", str(error))
    if problems:
        raise problems.error()
    return model


# ---- the resilience sheets ----------------------------------------------------------------------
def _owner_id(row: _Row, header: str, table: Mapping[int, object], what: str) -> int:
    number = _whole(row.get(header), header.lower())
    if number is None:
        raise _CellError(f"a row needs the {header}")
    if number not in table:
        raise _CellError(f"no {what} with ID {number}")
    return number


def _targets(model: Model, rows: list[_Row], problems: _Problems) -> None:
    for row in rows:
        try:
            component_id = _owner_id(row, "Component ID", model.components, "component")
        except _CellError as problem:
            problems.add(row.ref("Component ID"), str(problem))
            continue
        cells = _Cells(row, problems)
        target = cells.parse("Platform", partial(_target_of, row), None)
        if cells.ok:
            model.components[component_id].chaos_target = target


def _target_of(row: _Row, platform: object) -> ChaosTarget:
    ids = [part.strip() for part in _text(row.get("Resource IDs")).split(",") if part.strip()]
    return ChaosTarget.checked(
        _text(platform),
        namespace=_text(row.get("Namespace")),
        selector=_text(row.get("Selector")),
        deployment=_text(row.get("Deployment")),
        cluster=_text(row.get("Cluster")),
        resource_type=_text(row.get("Resource Type")) or None,
        resource_ids=ids,
        proxy=_text(row.get("Proxy")),
    )


def _resilience(model: Model, rows: list[_Row], problems: _Problems) -> None:
    for row in rows:
        try:
            fm_id = _owner_id(row, "Failure Mode ID", model.failure_modes, "failure mode")
        except _CellError as problem:
            problems.add(row.ref("Failure Mode ID"), str(problem))
            continue
        resilience = _resilience_of(row, problems)
        if resilience is not None:
            model.failure_modes[fm_id].resilience = resilience


def _fault_of(row: _Row, kind: object) -> Fault | None:
    if kind is None:
        return None
    return Fault.checked(_text(kind), row.get("Duration (s)"), row.get("Magnitude"))


def _probe_of(row: _Row, kind: object) -> SteadyStateProbe | None:
    if kind is None:
        return None
    return SteadyStateProbe.checked(
        _text(kind),
        _text(row.get("Probe URL")),
        expected_status=row.get("Expected Status") or 200,
        timeout_s=row.get("Probe Timeout (s)") or 5,
        query=_text(row.get("Prometheus Query")),
        threshold=row.get("Threshold"),
    )


def _record_of(row: _Row, status: object) -> ExperimentRecord:
    return ExperimentRecord.checked(
        _text(status) or "not planned",
        _date(row.get("Experiment Date"), "experiment date"),
        _text(row.get("Experiment Result")),
    )


def _resilience_of(row: _Row, problems: _Problems) -> Resilience | None:
    """The row's resilience, or None after adding each bad cell to the problems."""
    cells = _Cells(row, problems)
    fault = cells.parse("Fault", lambda v: _fault_of(row, v), None)
    probe = cells.parse("Probe", lambda v: _probe_of(row, v), None)
    none: tuple[Mitigation, ...] = ()
    mitigations = cells.parse("Mitigations", lambda v: parse_mitigations(_text(v)), none)
    experiment = cells.parse("Experiment", lambda v: _record_of(row, v), ExperimentRecord())
    runbook = cells.parse("Runbook", _text, "")
    if not cells.ok:
        return None
    try:
        return Resilience.checked(
            fault=fault,
            hypothesis=_text(row.get("Hypothesis")),
            probe=probe,
            mitigations=mitigations,
            runbook=runbook,
            experiment=experiment,
        )
    except ValidationError as error:
        problems.add(row.ref("Runbook"), str(error))
        return None
