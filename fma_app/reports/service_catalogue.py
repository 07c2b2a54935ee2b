"""The Components and Dependencies sheets: a service catalogue in a workbook.

A `Components` sheet declares components (including ones with no failure modes); a
`Dependencies` sheet links any declared or imported components. The columns are found by header
in the sheet's first 30 rows and read through the tables below, so the report's own sheets
("Name", "Entry Point", "Redundancy Group") and a hand-made catalogue ("Component", "User
facing", "Group") read the same way. A new column is one line in a table: its keyword argument
of `Model.add_component` / `Model.add_dependency`, its header spellings and its cell parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    Component,
    ComponentKind,
    Model,
    Strength,
    parse_enum,
    parse_fraction,
    parse_slo,
    parse_window_days,
)
from fma_app.reports import group_needs
from fma_app.reports import headers as h
from fma_app.reports.cells import cell_ref, cell_text, is_blank, name_text
from fma_app.reports.sheet_source import SheetGrid

COMPONENTS_SHEET = "components"
DEPENDENCIES_SHEET = "dependencies"
CATALOGUE_SHEETS = (COMPONENTS_SHEET, DEPENDENCIES_SHEET)
HEADER_SEARCH_ROWS = 30
GRID_COLUMNS, GRID_DX, GRID_DY = 6, 220.0, 140.0


def _kind(value: object) -> ComponentKind:
    if is_blank(value):
        return ComponentKind.OTHER  # a catalogue row that does not say claims nothing
    return parse_enum(ComponentKind, "kind", cell_text(value))


def _strength(value: object) -> Strength:
    return (
        Strength.STRONG if is_blank(value) else parse_enum(Strength, "strength", cell_text(value))
    )


_TRUE = frozenset({"yes", "y", "true", "1", "x", "\u2713", "\u2714", "ja", "entry", "entry point"})
_FALSE = frozenset({"no", "n", "false", "0", "", "-", "nein"})


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(f"{cell_text(value)!r} is not yes or no")


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(cell_text(value))
    except ValueError:
        raise ValidationError(f"{cell_text(value)!r} is not a number") from None


@dataclass(frozen=True)
class CatalogueColumn:
    """One column of a catalogue sheet."""

    key: str  # the keyword of Model.add_component / add_dependency ("name", "source", ...)
    headers: tuple[str, ...]  # header spellings, as `headers.normalise_header` writes them
    parse: Callable[[object], object]  # cell value -> argument; raises ValidationError
    label: str  # how problems name the column
    required: bool = False


COMPONENT_COLUMNS: tuple[CatalogueColumn, ...] = (
    CatalogueColumn("name", ("component", "name", "component name", "service"), name_text,
                    "Component", required=True),
    CatalogueColumn("kind", ("kind", "type", "component kind"), _kind, "Kind"),
    CatalogueColumn("owner", ("owner", "team", "owning team"), name_text, "Owner"),
    CatalogueColumn("description", ("description",), cell_text, "Description"),
    CatalogueColumn("user_facing", ("user facing", "entry point", "entrypoint"), _flag,
                    "User facing"),
    CatalogueColumn("availability", ("availability", "own availability"),
                    lambda v: parse_fraction("availability", v), "Availability"),
    CatalogueColumn("slo", ("slo", "slo target"), lambda v: parse_slo("SLO", v), "SLO"),
    CatalogueColumn("slo_window_days", ("slo window", "slo window days"),
                    lambda v: parse_window_days("SLO window", v), "SLO Window"),
    CatalogueColumn("x", ("x",), _number, "X"),
    CatalogueColumn("y", ("y",), _number, "Y"),
)  # fmt: skip
DEPENDENCY_COLUMNS: tuple[CatalogueColumn, ...] = (
    CatalogueColumn("source", ("component", "from", "source", "item", "service"), name_text,
                    "Component", required=True),
    CatalogueColumn("target", ("depends on", "dependson", "to", "target", "dependency",
                               "depends upon"), name_text, "Depends On", required=True),
    CatalogueColumn("strength", ("strength",), _strength, "Strength"),
    CatalogueColumn("group", ("redundancy group", "group", "any of group"), name_text, "Group"),
    CatalogueColumn("needs", tuple(sorted(group_needs.ALIASES)), lambda v: v, "Group Needs"),
    CatalogueColumn("description", ("description", "notes", "note", "comment", "comments",
                                    "remarks"), cell_text, "Description"),
)  # fmt: skip


def find_columns(
    grid: SheetGrid, table: tuple[CatalogueColumn, ...]
) -> tuple[int, dict[str, int]] | None:
    """(header row, key -> column) of the first row holding every required column."""
    for number, row in grid.head(HEADER_SEARCH_ROWS).items():
        columns: dict[str, int] = {}
        for column in sorted(row):
            text = h.normalise_header(row[column])
            for spec in table:
                if text in spec.headers and spec.key not in columns:
                    columns[spec.key] = column
                    break
        if all(spec.key in columns for spec in table if spec.required):
            return number, columns
    return None


def _cells(
    grid: SheetGrid, table: tuple[CatalogueColumn, ...], problems: list[str]
) -> Iterator[tuple[int, dict[str, int], dict[str, object], bool]]:
    """Each data row: (row number, key -> column, key -> parsed value, all cells parsed), in
    order. A cell that does not parse is a problem naming it."""
    found = find_columns(grid, table)
    if found is None:
        needed = " and ".join(spec.label for spec in table if spec.required)
        problems.append(
            f"{grid.title}: no header row with {needed} columns in its first "
            f"{HEADER_SEARCH_ROWS} rows"
        )
        return
    header_row, columns = found
    for number, row in grid.rows(header_row + 1, max(columns.values())):
        if all(is_blank(row.get(columns[s.key])) for s in table if s.required):
            continue
        parsed: dict[str, object] = {}
        ok = True
        for spec in table:
            if spec.key not in columns:
                continue
            try:
                parsed[spec.key] = spec.parse(row.get(columns[spec.key]))
            except ValidationError as error:
                problems.append(f"{cell_ref(grid.title, number, columns[spec.key])}: {error}")
                ok = False
        yield number, columns, parsed, ok


def read_components(
    grid: SheetGrid,
    model: Model,
    components: dict[str, Component],
    problems: list[str],
    refused: set[str],
) -> None:
    """Declare every component of a Components sheet; `refused` gets the casefolded names of
    rows with problems."""
    rows = _cells(grid, COMPONENT_COLUMNS, problems)
    for number, columns, values, ok in rows:
        name = str(values.pop("name", ""))
        ref = cell_ref(grid.title, number, columns["name"])
        if not ok:
            refused.add(name.casefold())  # reported once, not again by each dependency
            continue
        if not name:
            problems.append(f"{ref}: Component is empty")
            continue
        if name.casefold() in components:
            problems.append(f"{ref}: component {name!r} is listed twice")
            continue
        index = len(components)
        values.setdefault("x", (index % GRID_COLUMNS) * GRID_DX)
        values.setdefault("y", (index // GRID_COLUMNS) * GRID_DY)
        values.setdefault("kind", ComponentKind.OTHER)
        try:
            components[name.casefold()] = model.add_component(name, **values)  # type: ignore[arg-type]
        except (ModelError, ValidationError) as error:
            problems.append(f"{ref}: {error}")


def read_dependencies(
    grid: SheetGrid,
    model: Model,
    components: dict[str, Component],
    problems: list[str],
    declared_in: str,
    refused: set[str] | None = None,
) -> None:
    """Add every dependency of a Dependencies sheet; `declared_in` names where components come
    from, for the "unknown component" problem; a name in `refused` had its own problem."""
    refused = refused or set()
    needs = group_needs.GroupNeedsCells()  # applied once every dependency exists
    rows = _cells(grid, DEPENDENCY_COLUMNS, problems)
    for number, columns, values, ok in rows:
        needed = values.pop("needs", None)
        ends: list[Component] = []
        for key, label in (("source", "Component"), ("target", "Depends On")):
            name = str(values.pop(key, ""))
            ref = cell_ref(grid.title, number, columns[key])
            if not name:
                problems.append(f"{ref}: {label} is empty")
            elif name.casefold() in refused:
                pass  # its own row's problem is reported
            elif name.casefold() not in components:
                problems.append(f"{ref}: unknown component {name!r} ({declared_in})")
            else:
                ends.append(components[name.casefold()])
        if len(ends) < 2 or not ok:
            continue
        try:
            dependency = model.add_dependency(ends[0].id, ends[1].id, **values)  # type: ignore[arg-type]
        except (ModelError, ValidationError) as error:
            problems.append(f"{cell_ref(grid.title, number, columns['target'])}: {error}")
            continue
        if not is_blank(needed):
            ref = cell_ref(grid.title, number, columns["needs"])
            needs.add(ends[0].id, dependency.group, needed, ref, problems)
    needs.apply(model, problems)
