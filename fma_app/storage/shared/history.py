"""The history of a shared model: who changed which field of which item, when, from what to what.

Entries are written by every writer in the transaction of its change (see `session.py` and
`edit_schema.py`), one per changed field, one per added or removed record. Values are stored as
the domain's plain JSON form (`records.plain`) and shown with `records.shown`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fma_app.domain.records import shown
from fma_app.storage.shared.change_set import KIND_LABELS, field_label


@dataclass(frozen=True)
class HistoryEntry:
    seq: int  # the commit's number within the model: entries of one commit share it
    at: dt.datetime  # when the commit's transaction ran (UTC)
    user: str
    step: str  # "do", "undo", "redo", "import-traces", "chaos-result", "push"
    step_text: str  # "Change Severity"
    collection: str  # "failure_modes"; "model" for the model's own properties
    item_id: int
    item: str  # the item as people know it: 'failure mode "Timeout on Payments"'
    component_id: int | None  # the component the item belongs to (None: the model's own)
    field: str | None  # None: the whole item was added, removed or (the model) replaced
    op: str  # "added", "removed", "changed", "replaced"
    old: Any  # plain JSON values (None where there was none)
    new: Any

    @property
    def field_label(self) -> str:
        return "" if self.field is None else field_label(self.collection, self.field)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.collection, self.collection)

    @property
    def old_text(self) -> str:
        return _value_text(self.old) if self.field is not None else ""

    @property
    def new_text(self) -> str:
        return _value_text(self.new) if self.field is not None else ""

    def describe(self) -> str:
        """One line: what happened to the item ('Severity: 5 -> 7', 'added', 'removed')."""
        if self.op == "replaced":
            return "the whole model was replaced"
        if self.field is None:
            return self.op
        return f"{self.field_label}: {self.old_text} -> {self.new_text}"


def _value_text(value: Any) -> str:
    text = shown(value)
    return text if len(text) <= 200 else text[:197] + "..."


_COLUMNS = (
    "seq, at, user_name, step, step_text, collection, item_id, item_label, component_id, field,"
    " op, old_value, new_value"
)


def read_history(
    conn: Any,
    model_key: str,
    *,
    since: dt.datetime | dt.date | None = None,
    component_id: int | None = None,
    user: str | None = None,
) -> list[HistoryEntry]:
    """The model's history, oldest first; `since` a time (or a date: from its midnight UTC)."""
    where = ["model_key = %s"]
    params: list[object] = [model_key]
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        elif since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        where.append("at >= %s")
        params.append(since)
    if component_id is not None:
        # The component's own records (component_id: a dependency's is its source), and the
        # dependencies that point at it: those there now, those added or removed pointing at
        # it (their values are in the row), those moved to or from it.
        where.append(
            "(component_id = %s OR (collection = 'dependencies' AND item_id IN ("
            " SELECT id FROM dependencies WHERE model_key = %s AND target_id = %s"
            " UNION SELECT item_id FROM edit_history WHERE model_key = %s"
            " AND collection = 'dependencies' AND field IS NULL"
            " AND coalesce(new_value, old_value) ->> 'target_id' = %s"
            " UNION SELECT item_id FROM edit_history WHERE model_key = %s"
            " AND collection = 'dependencies' AND field = 'target_id'"
            " AND (old_value = to_jsonb(%s::bigint) OR new_value = to_jsonb(%s::bigint)))))"
        )
        params += [component_id, model_key, component_id, model_key, str(component_id),
                   model_key, component_id, component_id]  # fmt: skip
    if user is not None:
        where.append("user_name = %s")
        params.append(user)
    sql = f"SELECT {_COLUMNS} FROM edit_history WHERE {' AND '.join(where)}"
    sql += " ORDER BY seq, collection, item_id, field NULLS FIRST"
    return [_entry(row) for row in conn.execute(sql, params).fetchall()]


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    seq, at, user, step, step_text, name, item_id, label, component, field, op, old, new = row
    return HistoryEntry(
        int(seq), at.astimezone(dt.UTC), user, step, step_text, name, int(item_id), label,
        None if component is None else int(component), field, op, old, new,
    )  # fmt: skip


def last_change(conn: Any, model_key: str, collection: str, item_id: int,
                field: str | None = None) -> Mapping[str, Any] | None:  # fmt: skip
    """Who last changed the item (the field, when given) and when: {"user", "at", "new"}."""
    sql = (
        "SELECT user_name, at, new_value, op FROM edit_history WHERE model_key = %s"
        " AND collection = %s AND item_id = %s"
    )
    params: list[object] = [model_key, collection, item_id]
    if field is not None:
        sql += " AND (field = %s OR field IS NULL)"
        params.append(field)
    row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", params).fetchone()
    if row is None:
        return None
    return {"user": row[0], "at": row[1].astimezone(dt.UTC), "new": row[2], "op": row[3]}


def when_text(moment: dt.datetime) -> str:
    """'10:42' today (UTC), '2026-11-30 10:42' another day: for refusal messages."""
    moment = moment.astimezone(dt.UTC)
    if moment.date() == dt.datetime.now(dt.UTC).date():
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


__all__ = ["HistoryEntry", "last_change", "read_history", "when_text"]
