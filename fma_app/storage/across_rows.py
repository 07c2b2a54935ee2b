"""The rules across a model file's rows (references, unique ids and names, dates), in SQL, and
the error every broken rule raises. Imports no domain module: `rank` and `info` run these on
every read, and importing the model classes was a sixth of `rank`'s whole process."""

from __future__ import annotations

import datetime as dt
import sqlite3


class RowProblemError(Exception):
    """A row breaks a rule; the message names the table, the row and the problem."""


def shown_value(value: object) -> str:
    """A value as a message shows it: its repr, at most 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_shown = shown_value


# The tables whose ids share one number space, paired each with each (the first of a pair is
# probed in the second's key).
_ID_PAIRS = (
    ("components", "dependencies"), ("components", "failure_modes"), ("components", "actions"),
    ("dependencies", "failure_modes"), ("dependencies", "actions"), ("actions", "failure_modes"),
)  # fmt: skip


def check_across_rows(conn: sqlite3.Connection) -> None:
    """`check_model`'s rules in SQL, for readers that do not build the model (read_info)."""
    count = conn.execute("SELECT count(*) FROM model").fetchone()[0]
    if count != 1:
        raise RowProblemError(f"the model table holds {count} rows instead of one")
    for table, column, target, what in (
        ("dependencies", "source_id", "components", "component"),
        ("dependencies", "target_id", "components", "component"),
        ("failure_modes", "component_id", "components", "component"),
        ("actions", "failure_mode_id", "failure_modes", "failure mode"),
        ("component_aliases", "component_id", "components", "component"),
        ("observed_calls", "id", "dependencies", "dependency"),
        ("chaos_targets", "id", "components", "component"),
        ("resilience", "id", "failure_modes", "failure mode"),
    ):
        found = conn.execute(
            f"SELECT id, {column} FROM {table} WHERE {column} NOT IN (SELECT id FROM {target})"
            " ORDER BY id LIMIT 1"
        ).fetchone()
        if found is not None:
            raise RowProblemError(
                f"{table} row {found[0]}: {column} {_shown(found[1])} names no {what}"
            )
    for table in ("components", "dependencies", "failure_modes", "actions"):
        low = conn.execute(f"SELECT id FROM {table} WHERE id < 1 LIMIT 1").fetchone()
        if low is not None:
            raise RowProblemError(
                f"{table} row {low[0]}: id {low[0]} is not a positive whole number"
            )
    found = conn.execute(
        "SELECT id, source_id FROM redundancy_groups WHERE source_id NOT IN"
        " (SELECT id FROM components) ORDER BY id LIMIT 1"
    ).fetchone()
    if found is not None:
        raise RowProblemError(
            f"redundancy_groups row {found[0]}: source_id {_shown(found[1])} names no component"
        )
    found = conn.execute(
        "SELECT g.id, g.name, g.source_id, g.needs, (SELECT count(*) FROM dependencies d"
        ' WHERE d.source_id = g.source_id AND d."group" = g.name) AS size'
        " FROM redundancy_groups g WHERE needs > size ORDER BY g.id LIMIT 1"
    ).fetchone()
    if found is not None:
        raise RowProblemError(
            f"redundancy_groups row {found[0]}: group {found[1]!r} of component {found[2]} "
            f"needs {found[3]} of its {found[4]} dependencies"
        )
    twice = conn.execute(
        "SELECT max(id), source_id, name FROM redundancy_groups GROUP BY source_id, name"
        " HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
    ).fetchone()
    if twice is not None:
        raise RowProblemError(
            f"redundancy_groups row {twice[0]}: group {_shown(twice[2])} of component "
            f"{twice[1]} is listed twice"
        )
    twice = conn.execute(
        "SELECT max(id), source_id, target_id FROM dependencies GROUP BY source_id, target_id"
        " HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
    ).fetchone()
    if twice is not None:
        raise RowProblemError(
            f"dependencies row {twice[0]}: component {twice[1]} already depends on "
            f"component {twice[2]}"
        )
    # The smallest id two of the tables share. Each table's id is its primary key (the file's
    # tables were checked, open_model's _check_tables), so unique within it: probing each
    # smaller table's ids in the other tables' keys is a quarter of the cost of grouping all
    # 31,000 ids of a large model.
    shared = conn.execute(
        "SELECT min(id) FROM ("
        + " UNION ALL ".join(
            f"SELECT a.id FROM {a} AS a WHERE EXISTS (SELECT 1 FROM {b} AS b WHERE b.id = a.id)"
            for a, b in _ID_PAIRS
        )
        + ")"
    ).fetchone()
    if shared[0] is not None:
        raise RowProblemError(f"id {shared[0]} is used by more than one row")
    names: dict[str, int] = {}
    for row_id, name in conn.execute("SELECT id, name FROM components ORDER BY id"):
        key = name.strip().casefold()
        if key in names:
            raise RowProblemError(f"components row {row_id}: name {_shown(name)} is used twice")
        names[key] = row_id
    for row_id, text in conn.execute(
        "SELECT min(id), due_date FROM actions WHERE due_date IS NOT NULL GROUP BY due_date"
    ):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise RowProblemError(
                f"actions row {row_id}: due_date {text!r} is not a date"
            ) from None
    for (text,) in conn.execute("SELECT key_date FROM model WHERE key_date IS NOT NULL"):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise RowProblemError(f"model row 1: key_date {text!r} is not a date") from None
