"""The tables of a model file, defined once as SQLModel classes, and the schema version.

The SQLModel classes are the single definition of the file format. `compile_sql.py` compiles the
DDL, INSERT and SELECT statements from them ahead of time into `compiled_sql.py`, which is all
that storage imports to read and write a model file: importing SQLAlchemy and SQLModel costs
about half a second, more than reading a model of 20,000 failure modes. Row I/O goes through the
sqlite3 connection with tuples (see `model_file.py`): one ORM object per row is several times
slower. Only the generator and (later) the PostgreSQL engine import this module;
the migrations of older files hold their own frozen DDL (`migrations.py`).

After any change here run `python -m fma_app.storage.compile_sql`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import DOUBLE_PRECISION, REAL, CheckConstraint, Integer, Table, Text, inspect, text
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

from fma_app.domain.model import MAX_SLO_WINDOW_DAYS, ActionStatus, ComponentKind, Strength
from fma_app.domain.resilience import (
    AwsResourceType,
    ExperimentStatus,
    FaultKind,
    Platform,
    ProbeKind,
)
from fma_app.domain.scoring import SCORE_MAX, SCORE_MIN

# Bump SCHEMA_VERSION with every change to the tables below, register a migration from the
# previous version in migrations.MIGRATIONS (plus a fixture file of the old version and a
# test), and regenerate compiled_sql.py.
SCHEMA_VERSION = 7
APPLICATION_ID = 0x464D4157  # "FMAW", in PRAGMA application_id (header offset 68)

# The longest text or blob one value may hold, enforced on save and on open (SQLITE_LIMIT_LENGTH),
# so a hostile file cannot make the reader allocate without bound.
MAX_VALUE_BYTES = 16 * 1024 * 1024


def _in(column: str, enum_type: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum_type)
    return CheckConstraint(f"{column} IN ({values})")


def _score(column: str) -> CheckConstraint:
    """A score is NULL (not rated yet) or a whole number 1-10."""
    return CheckConstraint(f"{column} IS NULL OR {column} BETWEEN {SCORE_MIN} AND {SCORE_MAX}")


def _text(**kwargs: Any) -> Any:
    return Field(sa_type=Text, **kwargs)


# SQLite's REAL is 8 bytes; PostgreSQL's REAL is 4 (a coordinate or an availability of
# 0.99995 would not come back as saved): there the same column is DOUBLE PRECISION.
_DOUBLE: TypeEngine[float] = REAL().with_variant(DOUBLE_PRECISION(), "postgresql")


def _real(**kwargs: Any) -> Any:
    return Field(sa_type=_DOUBLE, **kwargs)


def _only(dialect: str, rule: str) -> CheckConstraint:
    """A CHECK written in one engine's SQL: created only there (`info` tells the PostgreSQL
    schema builder, which copies the tables, which rules are its own)."""
    check = CheckConstraint(rule, info={"dialect": dialect})
    return check.ddl_if(dialect=dialect)


def _date_check(column: str) -> tuple[CheckConstraint, CheckConstraint]:
    """NULL or a real date written YYYY-MM-DD, in each engine's SQL."""
    return (
        _only("sqlite", f"{column} IS NULL OR date({column}) IS {column}"),
        _only(
            "postgresql",
            f"{column} IS NULL OR ({column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
            f" AND to_char(to_date({column}, 'YYYY-MM-DD'), 'YYYY-MM-DD') = {column})",
        ),
    )


def _time_check(column: str) -> tuple[CheckConstraint, CheckConstraint]:
    """NULL or an ISO 8601 time, in each engine's SQL."""
    return (
        _only("sqlite", f"{column} IS NULL OR julianday({column}) IS NOT NULL"),
        _only("postgresql", f"{column} IS NULL OR {column}::timestamptz IS NOT NULL"),
    )


ROW_VERSION = "row_version"


def _row_version() -> Any:
    """Every row's version (schema 7): 1 when written, raised by each change a team member
    commits to a shared model (optimistic concurrency: an UPDATE names the version it read).
    A model file keeps the column so that both engines have the same tables; a save writes 1."""
    return Field(default=1, sa_type=Integer, sa_column_kwargs={"server_default": text("1")})


def _versioned() -> CheckConstraint:
    return CheckConstraint("row_version >= 1")


# STRICT tables with CHECK constraints: SQLite enforces every per-row rule on save, and
# `PRAGMA quick_check` verifies them all in one pass in C when a file is opened.
_STRICT = {"sqlite_strict": True}
_FINITE = "BETWEEN -1e300 AND 1e300"


class ModelRow(SQLModel, table=True):
    """The one row of model metadata (id is always 1) and the FMEA form's header (schema 2)."""

    __tablename__ = "model"
    __table_args__ = (
        CheckConstraint("id = 1"),
        CheckConstraint("next_id >= 1"),
        *_date_check("key_date"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    name: str = _text()
    description: str = _text()
    next_id: int
    scope: str = _text()
    fmea_number: str = _text()
    team: str = _text()
    revision: str = _text()
    key_date: str | None = _text(default=None)
    prepared_by: str = _text()
    approved_by: str = _text()
    row_version: int = _row_version()


class ComponentRow(SQLModel, table=True):
    """A component; since schema 3 its own availability and, for an entry point, its SLO."""

    __tablename__ = "components"
    __table_args__ = (
        CheckConstraint("trim(name) != ''"),
        _in("kind", ComponentKind),
        CheckConstraint(f"x {_FINITE} AND y {_FINITE}"),
        CheckConstraint("user_facing IN (0, 1)"),
        CheckConstraint("availability IS NULL OR availability BETWEEN 0 AND 1"),
        CheckConstraint("slo IS NULL OR (slo > 0 AND slo < 1)"),
        CheckConstraint(f"slo_window_days BETWEEN 1 AND {MAX_SLO_WINDOW_DAYS}"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    name: str = _text()
    kind: str = _text()
    description: str = _text()
    owner: str = _text()
    x: float = _real()
    y: float = _real()
    user_facing: bool = Field(sa_type=Integer)
    availability: float | None = _real(default=None)  # a fraction; NULL: unknown
    slo: float | None = _real(default=None)  # a fraction; NULL: none
    slo_window_days: int
    row_version: int = _row_version()


class DependencyRow(SQLModel, table=True):
    __tablename__ = "dependencies"
    __table_args__ = (
        CheckConstraint("source_id != target_id"),
        _in("strength", Strength),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    source_id: int = Field(foreign_key="components.id")
    target_id: int = Field(foreign_key="components.id")
    strength: str = _text()
    description: str = _text()
    group: str = _text()  # redundancy group: alternatives among the dependencies of one source
    row_version: int = _row_version()


class RedundancyGroupRow(SQLModel, table=True):
    """How many members of one redundancy group its source needs up (schema 3). A group is
    named by the `group` text of its dependencies; only groups that need more than one member
    (any one is the default) have a row. `id` numbers the rows; it is not a model id."""

    __tablename__ = "redundancy_groups"
    __table_args__ = (
        CheckConstraint("trim(name) != ''"),
        CheckConstraint("needs >= 1"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    source_id: int = Field(foreign_key="components.id")
    name: str = _text()
    needs: int
    row_version: int = _row_version()


class FailureModeRow(SQLModel, table=True):
    __tablename__ = "failure_modes"
    __table_args__ = (
        *(_score(name) for name in ("severity", "likelihood", "detection")),
        *(_score(f"revised_{name}") for name in ("severity", "likelihood", "detection")),
        CheckConstraint(  # revised scores: all three or none
            "(revised_severity IS NULL) = (revised_likelihood IS NULL)"
            " AND (revised_likelihood IS NULL) = (revised_detection IS NULL)"
        ),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    component_id: int = Field(foreign_key="components.id")
    function: str = _text()
    failure_mode: str = _text()
    effect: str = _text()
    severity: int | None = None  # NULL: not rated yet
    cause: str = _text()
    likelihood: int | None = None
    prevention_controls: str = _text()
    detection_controls: str = _text()
    detection: int | None = None
    notes: str = _text()
    revised_severity: int | None = None
    revised_likelihood: int | None = None
    revised_detection: int | None = None
    justification: str = _text()  # why the current controls suffice (schema 5)
    row_version: int = _row_version()


class ActionRow(SQLModel, table=True):
    __tablename__ = "actions"
    __table_args__ = (
        *_date_check("due_date"),
        _in("status", ActionStatus),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    failure_mode_id: int = Field(foreign_key="failure_modes.id")
    description: str = _text()
    owner: str = _text()
    due_date: str | None = _text(default=None)
    status: str = _text()
    action_taken: str = _text()
    row_version: int = _row_version()


class ComponentAliasRow(SQLModel, table=True):
    """Other names of a component (service names in traces), in order (schema 4)."""

    __tablename__ = "component_aliases"
    __table_args__ = (
        CheckConstraint("trim(alias) != ''"),
        CheckConstraint("alias NOT LIKE '%,%'"),  # the report joins aliases with commas
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)  # the alias's place in the file: aliases keep their order
    component_id: int = Field(foreign_key="components.id")
    alias: str = _text()
    row_version: int = _row_version()


class ObservedCallsRow(SQLModel, table=True):
    """What the last trace import saw of a dependency (schema 4); no row if never seen."""

    __tablename__ = "observed_calls"
    __table_args__ = (
        CheckConstraint("calls >= 0"),
        CheckConstraint("errors IS NULL OR errors BETWEEN 0 AND calls"),
        CheckConstraint("p50_ms IS NULL OR p50_ms BETWEEN 0 AND 1e15"),
        CheckConstraint("p99_ms IS NULL OR p99_ms BETWEEN 0 AND 1e15"),
        *_time_check("first_seen"),
        *_time_check("last_seen"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True, foreign_key="dependencies.id")  # the dependency's id
    calls: int
    errors: int | None = None  # NULL: the input could not say (a dependency list)
    p50_ms: float | None = _real(default=None)
    p99_ms: float | None = _real(default=None)
    first_seen: str | None = _text(default=None)  # ISO 8601, UTC
    last_seen: str | None = _text(default=None)
    row_version: int = _row_version()


class ModelIdentityRow(SQLModel, table=True):
    """The model's UUID (schema 5), made once and kept by copies: chaos drafts carry it."""

    __tablename__ = "model_identity"
    __table_args__ = (
        CheckConstraint("id = 1"),
        CheckConstraint("length(uuid) = 36"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    uuid: str = _text()
    row_version: int = _row_version()


def _nullable_in(column: str, enum_type: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum_type)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({values})")


class ChaosTargetRow(SQLModel, table=True):
    """Where chaos experiments inject faults into a component (schema 5); id is the
    component's id. Only components with a target have a row."""

    __tablename__ = "chaos_targets"
    __table_args__ = (
        _in("platform", Platform),
        _nullable_in("resource_type", AwsResourceType),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True, foreign_key="components.id")
    platform: str = _text()
    namespace: str = _text()
    selector: str = _text()
    deployment: str = _text()
    cluster: str = _text()
    resource_type: str | None = _text(default=None)
    resource_ids: str = _text()  # comma-separated
    proxy: str = _text()
    row_version: int = _row_version()


class ResilienceRow(SQLModel, table=True):
    """A failure mode's fault, hypothesis, probe, mitigations, runbook and experiment record
    (schema 5); id is the failure mode's id. Only failure modes with any of it have a row."""

    __tablename__ = "resilience"
    __table_args__ = (
        _nullable_in("fault", FaultKind),
        CheckConstraint("(fault IS NULL) = (fault_duration_s IS NULL)"),
        _nullable_in("probe", ProbeKind),
        _in("experiment_status", ExperimentStatus),
        *_date_check("experiment_date"),
        _versioned(),
        _STRICT,
    )
    id: int = Field(primary_key=True, foreign_key="failure_modes.id")
    fault: str | None = _text(default=None)
    fault_duration_s: int | None = None
    fault_magnitude: int | None = None
    hypothesis: str = _text()
    probe: str | None = _text(default=None)
    probe_url: str = _text()
    probe_expected_status: int | None = None
    probe_timeout_s: int | None = None
    probe_query: str = _text()
    probe_threshold: float | None = _real(default=None)
    mitigations: str = _text()  # "circuit breaker (in place); retry with backoff (planned)"
    runbook: str = _text()
    experiment_status: str = _text()
    experiment_date: str | None = _text(default=None)
    experiment_result: str = _text()
    row_version: int = _row_version()


def _table(row_class: type[SQLModel]) -> Table:
    table = inspect(row_class).local_table
    assert isinstance(table, Table), row_class  # a class of its own table, not a join
    return table


# In creation order: a table comes after the tables its foreign keys name.
TABLES: tuple[Table, ...] = tuple(
    _table(row)
    for row in (
        ModelRow,
        ComponentRow,
        DependencyRow,
        RedundancyGroupRow,
        FailureModeRow,
        ActionRow,
        ComponentAliasRow,
        ObservedCallsRow,
        ModelIdentityRow,
        ChaosTargetRow,
        ResilienceRow,
    )
)
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in TABLES)
