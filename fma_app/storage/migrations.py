"""Migrations between schema versions of the model file, one function per step.

Each step turns a database at version N into version N + 1. It runs on an in-memory copy of the
file, inside one transaction (`model_file._migrate_step`), and never sees the user's file. A step
holds its own DDL, frozen as that version defined it: a later change to the SQLModel classes must
not change what an old step produces, or the next step would start from the wrong tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# Schema 2 (not rated scores, the FMEA header) as `schema.py` defined it when schema 2 was current.
_MODEL_V2 = """CREATE TABLE model (
    id INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    next_id INTEGER NOT NULL, scope TEXT NOT NULL, fmea_number TEXT NOT NULL, team TEXT NOT NULL,
    revision TEXT NOT NULL, key_date TEXT, prepared_by TEXT NOT NULL, approved_by TEXT NOT NULL,
    PRIMARY KEY (id), CHECK (id = 1), CHECK (next_id >= 1),
    CHECK (key_date IS NULL OR date(key_date) IS key_date)
) STRICT"""

_FAILURE_MODES_V2 = """CREATE TABLE failure_modes (
    id INTEGER NOT NULL, component_id INTEGER NOT NULL, function TEXT NOT NULL,
    failure_mode TEXT NOT NULL, effect TEXT NOT NULL, severity INTEGER, cause TEXT NOT NULL,
    likelihood INTEGER, prevention_controls TEXT NOT NULL, detection_controls TEXT NOT NULL,
    detection INTEGER, notes TEXT NOT NULL, revised_severity INTEGER,
    revised_likelihood INTEGER, revised_detection INTEGER, PRIMARY KEY (id),
    CHECK (severity IS NULL OR severity BETWEEN 1 AND 10),
    CHECK (likelihood IS NULL OR likelihood BETWEEN 1 AND 10),
    CHECK (detection IS NULL OR detection BETWEEN 1 AND 10),
    CHECK (revised_severity IS NULL OR revised_severity BETWEEN 1 AND 10),
    CHECK (revised_likelihood IS NULL OR revised_likelihood BETWEEN 1 AND 10),
    CHECK (revised_detection IS NULL OR revised_detection BETWEEN 1 AND 10),
    CHECK ((revised_severity IS NULL) = (revised_likelihood IS NULL)
           AND (revised_likelihood IS NULL) = (revised_detection IS NULL)),
    FOREIGN KEY(component_id) REFERENCES components (id)
) STRICT"""

_FAILURE_MODE_COLUMNS = (
    "id, component_id, function, failure_mode, effect, severity, cause, likelihood,"
    " prevention_controls, detection_controls, detection, notes, revised_severity,"
    " revised_likelihood, revised_detection"
)


def _rebuild(conn: sqlite3.Connection, table: str, create: str, insert_from_old: str) -> None:
    """SQLite cannot change a column's NOT NULL or add CHECKs in place: build the table anew.

    The old table is renamed away with legacy_alter_table ON, so the foreign keys of the other
    tables keep naming `table` rather than following the rename."""
    conn.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
    conn.execute(create)
    conn.execute(insert_from_old.format(old=f"{table}_old"))
    conn.execute(f"DROP TABLE {table}_old")


def schema_1_to_2(conn: sqlite3.Connection) -> None:
    """Scores may be NULL (not rated yet); the model row gains the FMEA form's header fields.

    Every schema 1 failure mode was rated (schema 1 had no other state), so its scores are kept
    as they are; the header fields start empty."""
    (legacy,) = conn.execute("PRAGMA legacy_alter_table").fetchone()
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        _rebuild(
            conn,
            "model",
            _MODEL_V2,
            "INSERT INTO model (id, name, description, next_id, scope, fmea_number, team,"
            " revision, key_date, prepared_by, approved_by)"
            " SELECT id, name, description, next_id, '', '', '', '', NULL, '', '' FROM {old}",
        )
        _rebuild(
            conn,
            "failure_modes",
            _FAILURE_MODES_V2,
            f"INSERT INTO failure_modes ({_FAILURE_MODE_COLUMNS})"
            f" SELECT {_FAILURE_MODE_COLUMNS} FROM {{old}}",
        )
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")


# Schema 3 (availability, SLOs, redundancy groups that need k of n) as `schema.py` defined it
# when schema 3 was current.
_COMPONENTS_V3 = """CREATE TABLE components (
    id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL,
    owner TEXT NOT NULL, x REAL NOT NULL, y REAL NOT NULL, user_facing INTEGER NOT NULL,
    availability REAL, slo REAL, slo_window_days INTEGER NOT NULL, PRIMARY KEY (id),
    CHECK (trim(name) != ''),
    CHECK (kind IN ('service', 'database', 'queue', 'cache', 'external', 'network', 'host',
                    'other')),
    CHECK (x BETWEEN -1e300 AND 1e300 AND y BETWEEN -1e300 AND 1e300),
    CHECK (user_facing IN (0, 1)),
    CHECK (availability IS NULL OR availability BETWEEN 0 AND 1),
    CHECK (slo IS NULL OR (slo > 0 AND slo < 1)),
    CHECK (slo_window_days BETWEEN 1 AND 3660)
) STRICT"""

_REDUNDANCY_GROUPS_V3 = """CREATE TABLE redundancy_groups (
    id INTEGER NOT NULL, source_id INTEGER NOT NULL, name TEXT NOT NULL, needs INTEGER NOT NULL,
    PRIMARY KEY (id), CHECK (trim(name) != ''), CHECK (needs >= 1),
    FOREIGN KEY(source_id) REFERENCES components (id)
) STRICT"""

_COMPONENT_COLUMNS_V2 = "id, name, kind, description, owner, x, y, user_facing"


def schema_2_to_3(conn: sqlite3.Connection) -> None:
    """Components gain their own availability and an SLO with its window; redundancy groups
    gain a table for how many of their members they need.

    Schema 2 knew neither: availability and SLO start unknown (NULL), every window at the
    default 30 days, and every group needs any one of its members, as it did (no rows)."""
    (legacy,) = conn.execute("PRAGMA legacy_alter_table").fetchone()
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        _rebuild(
            conn,
            "components",
            _COMPONENTS_V3,
            f"INSERT INTO components ({_COMPONENT_COLUMNS_V2}, availability, slo,"
            f" slo_window_days) SELECT {_COMPONENT_COLUMNS_V2}, NULL, NULL, 30 FROM {{old}}",
        )
        conn.execute(_REDUNDANCY_GROUPS_V3)
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")


# Schema 4 (trace import: aliases, observed call statistics) as `schema.py` defined it when
# schema 4 was current, as SQLAlchemy compiles it (so a migrated file's tables are exactly ours).
_COMPONENT_ALIASES_V4 = (
    "CREATE TABLE component_aliases (\n"
    "\tid INTEGER NOT NULL, \n"
    "\tcomponent_id INTEGER NOT NULL, \n"
    "\talias TEXT NOT NULL, \n"
    "\tPRIMARY KEY (id), \n"
    "\tCHECK (trim(alias) != ''), \n"
    "\tCHECK (instr(alias, ',') = 0), \n"
    "\tFOREIGN KEY(component_id) REFERENCES components (id)\n"
    ")\n"
    " STRICT"
)

_OBSERVED_CALLS_V4 = (
    "CREATE TABLE observed_calls (\n"
    "\tid INTEGER NOT NULL, \n"
    "\tcalls INTEGER NOT NULL, \n"
    "\terrors INTEGER, \n"
    "\tp50_ms REAL, \n"
    "\tp99_ms REAL, \n"
    "\tfirst_seen TEXT, \n"
    "\tlast_seen TEXT, \n"
    "\tPRIMARY KEY (id), \n"
    "\tCHECK (calls >= 0), \n"
    "\tCHECK (errors IS NULL OR errors BETWEEN 0 AND calls), \n"
    "\tCHECK (p50_ms IS NULL OR p50_ms BETWEEN 0 AND 1e15), \n"
    "\tCHECK (p99_ms IS NULL OR p99_ms BETWEEN 0 AND 1e15), \n"
    "\tCHECK (first_seen IS NULL OR julianday(first_seen) IS NOT NULL), \n"
    "\tCHECK (last_seen IS NULL OR julianday(last_seen) IS NOT NULL), \n"
    "\tFOREIGN KEY(id) REFERENCES dependencies (id)\n"
    ")\n"
    " STRICT"
)


def schema_3_to_4(conn: sqlite3.Connection) -> None:
    """Components gain aliases and dependencies the statistics a trace import observed, each
    in a table of its own. An older file has neither: no aliases, nothing observed."""
    conn.execute(_COMPONENT_ALIASES_V4)
    conn.execute(_OBSERVED_CALLS_V4)


# failure_modes with the justification column (issue 15), as `schema.py` defined it when it was
# added.
_FAILURE_MODES_WITH_JUSTIFICATION = """CREATE TABLE failure_modes (
    id INTEGER NOT NULL, component_id INTEGER NOT NULL, function TEXT NOT NULL,
    failure_mode TEXT NOT NULL, effect TEXT NOT NULL, severity INTEGER, cause TEXT NOT NULL,
    likelihood INTEGER, prevention_controls TEXT NOT NULL, detection_controls TEXT NOT NULL,
    detection INTEGER, notes TEXT NOT NULL, revised_severity INTEGER,
    revised_likelihood INTEGER, revised_detection INTEGER, justification TEXT NOT NULL,
    PRIMARY KEY (id),
    CHECK (severity IS NULL OR severity BETWEEN 1 AND 10),
    CHECK (likelihood IS NULL OR likelihood BETWEEN 1 AND 10),
    CHECK (detection IS NULL OR detection BETWEEN 1 AND 10),
    CHECK (revised_severity IS NULL OR revised_severity BETWEEN 1 AND 10),
    CHECK (revised_likelihood IS NULL OR revised_likelihood BETWEEN 1 AND 10),
    CHECK (revised_detection IS NULL OR revised_detection BETWEEN 1 AND 10),
    CHECK ((revised_severity IS NULL) = (revised_likelihood IS NULL)
           AND (revised_likelihood IS NULL) = (revised_detection IS NULL)),
    FOREIGN KEY(component_id) REFERENCES components (id)
) STRICT"""


def add_failure_mode_justification(conn: sqlite3.Connection) -> None:
    """Failure modes gain `justification` (why the current controls suffice, issue 15), empty
    for every failure mode of an older file: nobody had recorded one."""
    (legacy,) = conn.execute("PRAGMA legacy_alter_table").fetchone()
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        _rebuild(
            conn,
            "failure_modes",
            _FAILURE_MODES_WITH_JUSTIFICATION,
            f"INSERT INTO failure_modes ({_FAILURE_MODE_COLUMNS}, justification)"
            f" SELECT {_FAILURE_MODE_COLUMNS}, '' FROM {{old}}",
        )
    finally:
        conn.execute(f"PRAGMA legacy_alter_table = {int(legacy)}")


Migration = Callable[[sqlite3.Connection], None]
# from_version -> function that turns a database at from_version into from_version + 1. It runs
# inside one transaction on an in-memory copy; it never sees the user's file. Nothing here imports
# SQLAlchemy or SQLModel, so opening an older file costs no more imports than a current one.
MIGRATIONS: dict[int, Migration] = {
    1: schema_1_to_2,
    2: schema_2_to_3,
    3: schema_3_to_4,
    4: add_failure_mode_justification,
}
