"""Rules every model file's rows must keep, checked in SQL before a row becomes a domain object.

Each table has a list of checks; one query per table ORs them all (one scan, in C). Only when it
finds a bad row is that row examined check by check to say exactly what is wrong. Save runs the
same checks on the new file before it replaces the old one, so every saved file opens again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any

from fma_app.domain.model import MAX_SLO_WINDOW_DAYS, ActionStatus, ComponentKind, Model, Strength
from fma_app.domain.resilience import (
    AwsResourceType,
    ExperimentStatus,
    FaultKind,
    Platform,
    ProbeKind,
)
from fma_app.domain.scoring import SCORE_MAX, SCORE_MIN
from fma_app.storage.across_rows import RowProblemError, check_across_rows
from fma_app.storage.across_rows import shown_value as _shown

__all__ = ["RowProblemError", "check_across_rows", "check_model", "check_rows"]


@dataclass(frozen=True)
class Check:
    column: str  # SQL expression whose value the message shows
    bad: str  # SQL condition true for a bad row
    problem: str  # format string with {column}, {value} and {type}


def _text(column: str) -> Check:
    return Check(column, f"typeof({column}) != 'text'", "{column} is {type}, not text")


def _score(column: str, nullable: bool = False) -> Check:
    bad = f"typeof({column}) != 'integer' OR {column} NOT BETWEEN {SCORE_MIN} AND {SCORE_MAX}"
    if nullable:
        bad = f"{column} IS NOT NULL AND ({bad})"
    return Check(column, bad, "{column} {value} is not a whole number from 1 to 10")


def _one_of(column: str, enum_type: type[StrEnum]) -> Check:
    values = ", ".join(f"'{member.value}'" for member in enum_type)
    allowed = ", ".join(member.value for member in enum_type)
    return Check(
        column,
        f"typeof({column}) != 'text' OR {column} NOT IN ({values})",
        "{column} {value} is not one of: " + allowed,
    )


def _one_of_or_null(column: str, enum_type: type[StrEnum]) -> Check:
    check = _one_of(column, enum_type)
    return Check(column, f"{column} IS NOT NULL AND ({check.bad})", check.problem)


def _number(column: str) -> Check:
    return Check(
        column,
        f"typeof({column}) NOT IN ('integer', 'real') OR abs({column}) > 1e300",
        "{column} {value} is not a finite number",
    )


def _date(column: str) -> Check:
    return Check(
        column,
        f"{column} IS NOT NULL AND (typeof({column}) != 'text' OR date({column}) IS NOT {column})",
        "{column} {value} is not a date written YYYY-MM-DD",
    )


def _refers(column: str, table: str, what: str) -> Check:
    return Check(
        column,
        f"typeof({column}) != 'integer' OR {column} NOT IN (SELECT id FROM {table})",
        "{column} {value} names no " + what,
    )


_ID = Check("id", "typeof(id) != 'integer' OR id < 1", "id {value} is not a positive whole number")
_REVISED = "revised_severity, revised_likelihood, revised_detection"

CHECKS: dict[str, list[Check]] = {
    "model": [
        _ID,
        Check("id", "id IS NOT 1", "id {value} is not 1 (the one row of model metadata)"),
        _text("name"),
        _text("description"),
        Check(
            "next_id",
            "typeof(next_id) != 'integer' OR next_id < 1",
            "next_id {value} is not a positive whole number",
        ),
        *(_text(name) for name in ("scope", "fmea_number", "team", "revision")),
        _date("key_date"),
        _text("prepared_by"),
        _text("approved_by"),
    ],
    "components": [
        _ID,
        _text("name"),
        Check("name", "trim(name) = ''", "name is empty"),
        _one_of("kind", ComponentKind),
        _text("description"),
        _text("owner"),
        _number("x"),
        _number("y"),
        Check("user_facing", "user_facing NOT IN (0, 1)", "user_facing {value} is not 0 or 1"),
        Check(
            "availability",
            "availability IS NOT NULL AND (typeof(availability) NOT IN ('integer', 'real')"
            " OR availability NOT BETWEEN 0 AND 1)",
            "availability {value} is not a fraction from 0 to 1",
        ),
        Check(
            "slo",
            "slo IS NOT NULL AND (typeof(slo) NOT IN ('integer', 'real') OR slo <= 0 OR slo >= 1)",
            "slo {value} is not a fraction above 0 and below 1",
        ),
        Check(
            "slo_window_days",
            "typeof(slo_window_days) != 'integer'"
            f" OR slo_window_days NOT BETWEEN 1 AND {MAX_SLO_WINDOW_DAYS}",
            f"slo_window_days {{value}} is not a whole number from 1 to {MAX_SLO_WINDOW_DAYS}",
        ),
    ],
    "dependencies": [
        _ID,
        _refers("source_id", "components", "component"),
        _refers("target_id", "components", "component"),
        Check("source_id", "source_id = target_id", "component {value} depends on itself"),
        _one_of("strength", Strength),
        _text("description"),
        _text('"group"'),
    ],
    "redundancy_groups": [
        _ID,
        _refers("source_id", "components", "component"),
        _text("name"),
        Check("name", "trim(name) = ''", "name is empty"),
        Check(
            "needs",
            "typeof(needs) != 'integer' OR needs < 1",
            "needs {value} is not a positive whole number",
        ),
    ],
    "failure_modes": [
        _ID,
        _refers("component_id", "components", "component"),
        *(_text(name) for name in ("function", "failure_mode", "effect", "cause")),
        *(_text(name) for name in ("prevention_controls", "detection_controls", "notes")),
        _text("justification"),
        _score("severity", nullable=True),  # NULL: not rated yet
        _score("likelihood", nullable=True),
        _score("detection", nullable=True),
        _score("revised_severity", nullable=True),
        _score("revised_likelihood", nullable=True),
        _score("revised_detection", nullable=True),
        Check(
            f"coalesce({_REVISED})",
            "(revised_severity IS NULL) + (revised_likelihood IS NULL)"
            " + (revised_detection IS NULL) NOT IN (0, 3)",
            "revised severity, likelihood and detection must be all three or none",
        ),
    ],
    "actions": [
        _ID,
        _refers("failure_mode_id", "failure_modes", "failure mode"),
        _text("description"),
        _text("owner"),
        _date("due_date"),
        _one_of("status", ActionStatus),
        _text("action_taken"),
    ],
    "component_aliases": [
        _ID,
        _refers("component_id", "components", "component"),
        _text("alias"),
        Check(
            "alias",
            "trim(alias) = '' OR instr(alias, ',') > 0",
            "alias {value} is empty or holds a comma",
        ),
    ],
    "observed_calls": [
        _ID,
        _refers("id", "dependencies", "dependency"),
        Check(
            "calls",
            "typeof(calls) != 'integer' OR calls < 0",
            "calls {value} is not a whole number 0 or more",
        ),
        Check(
            "errors",
            "errors IS NOT NULL AND (typeof(errors) != 'integer' OR errors < 0 OR errors > calls)",
            "errors {value} is not a whole number from 0 to calls",
        ),
        *(
            Check(
                column,
                f"{column} IS NOT NULL AND (typeof({column}) NOT IN ('integer',"
                f" 'real') OR {column} NOT BETWEEN 0 AND 1e15)",
                "{column} {value} is not a number of milliseconds",
            )
            for column in ("p50_ms", "p99_ms")
        ),
        *(
            Check(
                column,
                f"{column} IS NOT NULL AND (typeof({column}) != 'text'"
                f" OR julianday({column}) IS NULL)",
                "{column} {value} is not a time",
            )
            for column in ("first_seen", "last_seen")
        ),
    ],
    "model_identity": [
        Check("id", "id IS NOT 1", "id {value} is not 1"),
        _text("uuid"),
        Check("uuid", "length(uuid) != 36", "uuid {value} is not a UUID"),
    ],
    "chaos_targets": [
        _refers("id", "components", "component"),
        _one_of("platform", Platform),
        *(_text(name) for name in ("namespace", "selector", "deployment", "cluster")),
        _one_of_or_null("resource_type", AwsResourceType),
        _text("resource_ids"),
        _text("proxy"),
    ],
    "resilience": [
        _refers("id", "failure_modes", "failure mode"),
        _one_of_or_null("fault", FaultKind),
        Check(
            "fault_duration_s",
            "(fault IS NULL) != (fault_duration_s IS NULL)",
            "fault_duration_s {value} does not go with the fault (both or neither)",
        ),
        _text("hypothesis"),
        _one_of_or_null("probe", ProbeKind),
        *(_text(name) for name in ("probe_url", "probe_query", "mitigations", "runbook")),
        _one_of("experiment_status", ExperimentStatus),
        _date("experiment_date"),
        _text("experiment_result"),
    ],
}

# Every row's version (schema 7): a positive whole number, 1 in a file.
_ROW_VERSION = Check(
    "row_version",
    "typeof(row_version) != 'integer' OR row_version < 1",
    "row_version {value} is not a positive whole number",
)
for _checks in CHECKS.values():
    _checks.append(_ROW_VERSION)


def _first_bad_row(conn: sqlite3.Connection, table: str) -> None:
    checks = CHECKS[table]
    where = " OR ".join(f"({check.bad})" for check in checks)
    row = conn.execute(f"SELECT rowid FROM {table} WHERE {where} LIMIT 1").fetchone()
    if row is None:
        return
    for check in checks:
        found = conn.execute(
            f"SELECT id, {check.column}, typeof({check.column}) FROM {table}"
            f" WHERE rowid = ? AND ({check.bad})",
            (row[0],),
        ).fetchone()
        if found is not None:
            row_id, value, type_name = found
            problem = check.problem.format(
                column=check.column.strip('"'), value=_shown(value), type=type_name
            )
            raise RowProblemError(f"{table} row {_shown(row_id)}: {problem}")
    raise RowProblemError(f"{table} row {row[0]} breaks the file's rules")  # pragma: no cover


def check_rows(conn: sqlite3.Connection) -> None:
    """Raise RowProblemError for the first row that breaks a per-row rule of the model file.

    Needed when the tables are not exactly ours (a migrated copy, another writer), or to name
    the row behind a quick_check complaint; our own STRICT tables enforce the same rules.
    """
    count = conn.execute("SELECT count(*) FROM model").fetchone()[0]
    if count != 1:
        raise RowProblemError(f"the model table holds {count} rows instead of one")
    for table in CHECKS:
        _first_bad_row(conn, table)


def check_model(model: Model) -> None:
    """The rules across rows: references resolve, ids and component names are unique."""
    components, failure_modes = model.components, model.failure_modes
    _references("dependencies", model.dependencies.values(), "source_id", components, "component")
    _references("dependencies", model.dependencies.values(), "target_id", components, "component")
    _references("failure_modes", failure_modes.values(), "component_id", components, "component")
    _references("actions", model.actions.values(), "failure_mode_id", failure_modes, "failure mode")
    pairs: set[tuple[int, int]] = set()
    for dep in model.dependencies.values():
        if dep.source_id == dep.target_id:
            raise RowProblemError(
                f"dependencies row {dep.id}: component {dep.source_id} depends on itself"
            )
        if (dep.source_id, dep.target_id) in pairs:
            raise RowProblemError(
                f"dependencies row {dep.id}: component {dep.source_id} already depends on "
                f"component {dep.target_id}"
            )
        pairs.add((dep.source_id, dep.target_id))
    kinds = (components, model.dependencies, failure_modes, model.actions)
    if len(set().union(*kinds)) != sum(len(kind) for kind in kinds):
        seen: set[int] = set()
        for entity_id in (key for kind in kinds for key in kind):
            if entity_id in seen:
                raise RowProblemError(f"id {entity_id} is used by more than one row")
            seen.add(entity_id)
    names: dict[str, int] = {}
    for component in components.values():
        key = component.name.strip().casefold()  # the domain's rule (Model.component_by_name)
        if key in names:
            raise RowProblemError(
                f"components row {component.id}: name {_shown(component.name)} is used twice"
            )
        names[key] = component.id


def _references(
    table: str, rows: Iterable[Any], column: str, targets: dict[int, Any], what: str
) -> None:
    if set(map(attrgetter(column), rows)) <= targets.keys():
        return
    for row in rows:
        if getattr(row, column) not in targets:
            value = getattr(row, column)
            raise RowProblemError(f"{table} row {row.id}: {column} {_shown(value)} names no {what}")
