"""The tables of editing together, on PostgreSQL only (a model file has none of them).

- `edit_heads`: one row per model holding the number of its last commit. Every writer bumps it
  first thing in its transaction, so the row's lock puts the commits of one model in one order
  and a commit's number is visible only after every smaller one: a session that has applied
  commits up to N fetches `seq > N` and misses none.
- `edit_history`: every change, field by field: who, when, which step, which record (with a
  label people recognise and the component it belongs to, for filtering), old and new value as
  JSON. Written in the same transaction as the change, so it is exactly as complete.
- `edit_presence`: the sessions that have a model open, with their server process; a row whose
  process is gone (a crash, a lost network) is simply not joined in pg_stat_activity any more.

They live in the shared schema `fma` beside pgcore's tables (sessions put it first on the
search path). pgcore's schema creation (push into an empty database, `db upgrade`) runs
`EDIT_SCHEMA_DDL`; `ensure_edit_schema` runs it too, for a database created before it did.
"""

from __future__ import annotations

from typing import Any

EDIT_SCHEMA_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS fma.edit_heads (
        model_key text PRIMARY KEY,
        seq bigint NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS fma.edit_history (
        model_key text NOT NULL,
        seq bigint NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        user_name text NOT NULL,
        session_id text NOT NULL,
        step text NOT NULL,
        step_text text NOT NULL DEFAULT '',
        collection text NOT NULL,
        item_id bigint NOT NULL,
        item_label text NOT NULL DEFAULT '',
        component_id bigint,
        field text,
        op text NOT NULL CHECK (op IN ('added', 'removed', 'changed', 'replaced')),
        old_value jsonb,
        new_value jsonb
    )""",
    "CREATE INDEX IF NOT EXISTS edit_history_by_seq ON fma.edit_history (model_key, seq)",
    "CREATE INDEX IF NOT EXISTS edit_history_by_item"
    " ON fma.edit_history (model_key, collection, item_id, seq)",
    """CREATE TABLE IF NOT EXISTS fma.edit_presence (
        session_id text PRIMARY KEY,
        model_key text NOT NULL,
        user_name text NOT NULL,
        backend_pid integer NOT NULL,
        backend_start timestamptz NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now()
    )""",
)
# payload: {"model": KEY, "seq": N} for a commit, {"model": KEY, "presence": "opened"|"closed"}
# when a session opens or closes the model (the "Also open" of the others' windows)
NOTIFY_CHANNEL = "fma_model_changes"


def ensure_edit_schema(conn: Any) -> None:
    """Create the tables if they are missing (idempotent), in the caller's transaction. Two
    first sessions at once would both create them: the schema lock (pgcore's, the same a
    push takes) makes the second wait and then find them."""
    if _edit_tables_exist(conn):
        return
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('fma-app schema'))")
    if not _edit_tables_exist(conn):
        for statement in EDIT_SCHEMA_DDL:
            conn.execute(statement)


def _edit_tables_exist(conn: Any) -> bool:
    return bool(conn.execute("SELECT to_regclass('fma.edit_presence') IS NOT NULL").fetchone()[0])


def next_commit_seq(conn: Any, model_key: str) -> int:
    """Take the model's commit lock (until the transaction ends) and the commit's number."""
    row = conn.execute(
        "INSERT INTO fma.edit_heads AS h (model_key, seq) VALUES (%s, 1) ON CONFLICT (model_key)"
        " DO UPDATE SET seq = h.seq + 1 RETURNING seq",
        (model_key,),
    ).fetchone()
    return int(row[0])


def record_replacement(conn: Any, model_key: str, user: str, *, session_id: str = "") -> int:
    """For push --force: the model was replaced as a whole; open sessions reload it. In the
    caller's transaction; returns the commit's number."""
    ensure_edit_schema(conn)
    seq = next_commit_seq(conn, model_key)
    conn.execute(
        "INSERT INTO fma.edit_history (model_key, seq, user_name, session_id, step, step_text,"
        " collection, item_id, item_label, op) VALUES (%s, %s, %s, %s, 'push', 'Replace Model',"
        " 'model', 0, 'the model', 'replaced')",
        (model_key, seq, user, session_id or f"push:{user}"),
    )
    notify(conn, model_key, seq)
    return seq


def notify(conn: Any, model_key: str, seq: int) -> None:
    import json

    conn.execute(
        "SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, json.dumps({"model": model_key, "seq": seq}))
    )


def notify_presence(conn: Any, model_key: str, what: str) -> None:
    """Tell the sessions listening that one opened or closed the model (`what`)."""
    import json

    conn.execute(
        "SELECT pg_notify(%s, %s)",
        (NOTIFY_CHANNEL, json.dumps({"model": model_key, "presence": what})),
    )
