"""The tables of a model file, defined once as SQLModel classes, and the schema version.

The SQLModel classes are the single definition of the file format: the DDL, the INSERT and the
SELECT statements are compiled from them. Row I/O itself goes through the sqlite3 connection
with tuples (see `model_file.py`): one ORM object per row is several times slower for a model of
20,000 failure modes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import REAL, CheckConstraint, Integer, Table, Text, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable
from sqlmodel import Field, SQLModel

from fma_app.domain.model import ActionStatus, ComponentKind, Strength
from fma_app.domain.scoring import SCORE_MAX, SCORE_MIN
from fma_app.storage import migrations

# Bump SCHEMA_VERSION with every change to the tables below, and register a migration from the
# previous version in MIGRATIONS (plus a fixture file of the old version and a test).
SCHEMA_VERSION = 2
APPLICATION_ID = 0x464D4157  # "FMAW", in PRAGMA application_id (header offset 68)

# The longest text or blob one value may hold, enforced on save and on open (SQLITE_LIMIT_LENGTH),
# so a hostile file cannot make the reader allocate without bound.
MAX_VALUE_BYTES = 16 * 1024 * 1024

Migration = Callable[[sqlite3.Connection], None]
# from_version -> function that turns a database at from_version into from_version + 1. It runs
# inside one transaction on an in-memory copy; it never sees the user's file.
MIGRATIONS: dict[int, Migration] = {1: migrations.schema_1_to_2}


def _in(column: str, enum_type: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum_type)
    return CheckConstraint(f"{column} IN ({values})")


def _score(column: str) -> CheckConstraint:
    """A score is NULL (not rated yet) or a whole number 1-10."""
    return CheckConstraint(f"{column} IS NULL OR {column} BETWEEN {SCORE_MIN} AND {SCORE_MAX}")


def _text(**kwargs: Any) -> Any:
    return Field(sa_type=Text, **kwargs)


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
        CheckConstraint("key_date IS NULL OR date(key_date) IS key_date"),  # YYYY-MM-DD
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


class ComponentRow(SQLModel, table=True):
    __tablename__ = "components"
    __table_args__ = (
        CheckConstraint("trim(name) != ''"),
        _in("kind", ComponentKind),
        CheckConstraint(f"x {_FINITE} AND y {_FINITE}"),
        CheckConstraint("user_facing IN (0, 1)"),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    name: str = _text()
    kind: str = _text()
    description: str = _text()
    owner: str = _text()
    x: float = Field(sa_type=REAL)
    y: float = Field(sa_type=REAL)
    user_facing: bool = Field(sa_type=Integer)


class DependencyRow(SQLModel, table=True):
    __tablename__ = "dependencies"
    __table_args__ = (CheckConstraint("source_id != target_id"), _in("strength", Strength), _STRICT)
    id: int = Field(primary_key=True)
    source_id: int = Field(foreign_key="components.id")
    target_id: int = Field(foreign_key="components.id")
    strength: str = _text()
    description: str = _text()
    group: str = _text()  # redundancy group: an any-of group of dependencies of one source


class FailureModeRow(SQLModel, table=True):
    __tablename__ = "failure_modes"
    __table_args__ = (
        *(_score(name) for name in ("severity", "likelihood", "detection")),
        *(_score(f"revised_{name}") for name in ("severity", "likelihood", "detection")),
        CheckConstraint(  # revised scores: all three or none
            "(revised_severity IS NULL) = (revised_likelihood IS NULL)"
            " AND (revised_likelihood IS NULL) = (revised_detection IS NULL)"
        ),
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


class ActionRow(SQLModel, table=True):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("due_date IS NULL OR date(due_date) IS due_date"),  # YYYY-MM-DD
        _in("status", ActionStatus),
        _STRICT,
    )
    id: int = Field(primary_key=True)
    failure_mode_id: int = Field(foreign_key="failure_modes.id")
    description: str = _text()
    owner: str = _text()
    due_date: str | None = _text(default=None)
    status: str = _text()
    action_taken: str = _text()


def _table(row_class: type[SQLModel]) -> Table:
    return row_class.__table__  # type: ignore[attr-defined, return-value]


# In creation order: a table comes after the tables its foreign keys name.
TABLES: tuple[Table, ...] = tuple(
    _table(row) for row in (ModelRow, ComponentRow, DependencyRow, FailureModeRow, ActionRow)
)
TABLE_NAMES: tuple[str, ...] = tuple(table.name for table in TABLES)
_DIALECT = sqlite_dialect.dialect()


@cache
def columns(table_name: str) -> tuple[str, ...]:
    return tuple(column.name for column in _by_name(table_name).columns)


def _by_name(table_name: str) -> Table:
    return next(table for table in TABLES if table.name == table_name)


@cache  # compiling through SQLAlchemy costs a millisecond or more each time
def create_sql(table_name: str) -> str:
    return str(CreateTable(_by_name(table_name)).compile(dialect=_DIALECT)).strip()


@cache
def insert_sql(table_name: str) -> str:
    """INSERT with one `?` per column, in table column order."""
    return str(insert(_by_name(table_name)).compile(dialect=_DIALECT))


@cache
def select_sql(table_name: str) -> str:
    """SELECT of every column in table column order, by id."""
    table = _by_name(table_name)
    return str(select(*table.columns).order_by(table.c.id).compile(dialect=_DIALECT))


@cache
def violated_checks_sql(table_name: str) -> str:
    """A query for the first row that breaks one of the table's CHECK constraints (a CHECK
    fails only when false, not when NULL). `PRAGMA quick_check` verifies NOT NULL and STRICT
    types on a read-only connection, but skips CHECK constraints there."""
    table = _by_name(table_name)
    checks = sorted(
        f"ifnull(({constraint.sqltext}), 1)"
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    )
    return f"SELECT rowid FROM {table_name} WHERE NOT ({' AND '.join(checks)}) LIMIT 1"


@cache
def expected_columns(table_name: str) -> tuple[tuple[str, str, bool], ...]:
    """(name, declared type, is primary key) per column, as PRAGMA table_info reports them."""
    table = _by_name(table_name)
    return tuple(
        (column.name, column.type.compile(dialect=_DIALECT), bool(column.primary_key))
        for column in table.columns
    )
