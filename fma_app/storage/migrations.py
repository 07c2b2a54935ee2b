"""Migrations between schema versions of the model file, one function per step.

Each step turns a database at version N into version N + 1. It runs on an in-memory copy of the
file, inside one transaction (`model_file._migrate_step`), and never sees the user's file. A step
holds its own DDL, frozen as that version defined it: a later change to the SQLModel classes must
not change what an old step produces, or the next step would start from the wrong tables.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
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


# Schema 6 (the model's identity, chaos targets, resilience) as `schema.py` defined it when
# schema 6 was current.
_RESILIENCE_TABLES_V6 = (
    """CREATE TABLE model_identity (
    id INTEGER NOT NULL, uuid TEXT NOT NULL, PRIMARY KEY (id), CHECK (id = 1),
    CHECK (length(uuid) = 36)
) STRICT""",
    """CREATE TABLE chaos_targets (
    id INTEGER NOT NULL, platform TEXT NOT NULL, namespace TEXT NOT NULL,
    selector TEXT NOT NULL, deployment TEXT NOT NULL, cluster TEXT NOT NULL, resource_type TEXT,
    resource_ids TEXT NOT NULL, proxy TEXT NOT NULL, PRIMARY KEY (id),
    CHECK (platform IN ('kubernetes', 'aws', 'toxiproxy')),
    CHECK (resource_type IS NULL OR resource_type IN ('ec2-instance', 'ecs-task', 'rds-cluster')),
    FOREIGN KEY(id) REFERENCES components (id)
) STRICT""",
    """CREATE TABLE resilience (
    id INTEGER NOT NULL, fault TEXT, fault_duration_s INTEGER, fault_magnitude INTEGER,
    hypothesis TEXT NOT NULL, probe TEXT, probe_url TEXT NOT NULL, probe_expected_status INTEGER,
    probe_timeout_s INTEGER, probe_query TEXT NOT NULL, probe_threshold REAL,
    mitigations TEXT NOT NULL, runbook TEXT NOT NULL, experiment_status TEXT NOT NULL,
    experiment_date TEXT, experiment_result TEXT NOT NULL, PRIMARY KEY (id),
    CHECK (fault IS NULL OR fault IN ('instance killed', 'scaled to zero',
        'dependency unreachable', 'latency', 'errors', 'cpu exhausted', 'memory exhausted',
        'disk exhausted', 'dns failure')),
    CHECK ((fault IS NULL) = (fault_duration_s IS NULL)),
    CHECK (probe IS NULL OR probe IN ('http', 'prometheus')),
    CHECK (experiment_status IN ('not planned', 'planned', 'passed', 'failed',
        'not concluded')),
    CHECK (experiment_date IS NULL OR date(experiment_date) IS experiment_date),
    FOREIGN KEY(id) REFERENCES failure_modes (id)
) STRICT""",
)
# Namespace of the identities given to models saved before they had one (uuid5 of their rows).
_LEGACY_IDENTITY = uuid.UUID("0b6f6c64-3c1e-5b8e-9a55-6d8f3f4b1a10")


def add_resilience_tables(conn: sqlite3.Connection) -> None:
    """The model gains an identity, components a chaos target, failure modes their resilience.

    The identity of an old model is derived from its rows (a uuid5 of the database's SQL dump):
    open migrates an in-memory copy each time and never writes the file, so a random UUID would
    change on every open until the model is saved, and a chaos draft written from the old file
    would not match the journal recorded later. Targets and resilience start empty (no rows)."""
    dump = "\n".join(conn.iterdump())
    identity = uuid.uuid5(_LEGACY_IDENTITY, hashlib.sha256(dump.encode("utf-8")).hexdigest())
    for create in _RESILIENCE_TABLES_V6:
        conn.execute(create)
    conn.execute("INSERT INTO model_identity (id, uuid) VALUES (1, ?)", (str(identity),))


# The tables of schema 6, in creation order: schema 7 gave each a row version.
_TABLES_V6 = (
    "model", "components", "dependencies", "redundancy_groups", "failure_modes", "actions",
    "component_aliases", "observed_calls", "model_identity", "chaos_targets", "resilience",
)  # fmt: skip
# The column as schema 7 defined it (a column constraint: ALTER TABLE cannot add a table one).
_ROW_VERSION_V7 = "row_version INTEGER DEFAULT 1 NOT NULL CHECK (row_version >= 1)"


def add_row_versions(conn: sqlite3.Connection) -> None:
    """Every row gains a version (team mode, issue 18: the same tables on PostgreSQL, where
    each committed change raises it). A file's rows are all at version 1."""
    for table in _TABLES_V6:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {_ROW_VERSION_V7}")


Migration = Callable[[sqlite3.Connection], None]
# from_version -> function that turns a database at from_version into from_version + 1. It runs
# inside one transaction on an in-memory copy; it never sees the user's file. Nothing here imports
# SQLAlchemy or SQLModel, so opening an older file costs no more imports than a current one.
MIGRATIONS: dict[int, Migration] = {
    1: schema_1_to_2,
    2: schema_2_to_3,
    3: schema_3_to_4,
    4: add_failure_mode_justification,
    5: add_resilience_tables,
    6: add_row_versions,
}
