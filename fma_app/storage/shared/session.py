"""Editing a shared model together: one session per open window.

`SharedSession.open` reads the whole model once. The document's commit step (`ui/document.py`)
calls `commit` after the domain applied each undo step to `session.model`; the session turns the
step into one transaction: the records the step touched, compared with the session's shadow of
the server (`change_set.py`), are written field by field, with their history, and a NOTIFY. A
field someone else changed since this session read it is refused, naming who and when, and the
step is rolled back by the document; changes to other fields of the same record stand side by
side. Undo and redo are refused when someone else changed a record of the step since it was
done. Others' commits arrive through LISTEN: `fetch_remote_changes` applies them to the model in
place (the undo stack keeps working) and returns the domain `Change`s for the views.

New ids come from the server's counter in blocks (`Model.set_id_source`), so two people adding
rows at once never take the same id. Each commit first takes the model's commit lock
(`edit_heads`), so commits of one model are numbered in the order they become visible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
import uuid
import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fma_app.domain.commands import Change, Command
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model
from fma_app.domain.records import (
    MODEL,
    REFERENCES,
    clone,
    clone_model,
    collection,
    collections,
    plain,
    shown,
)
from fma_app.storage.shared.change_set import (
    KIND_LABELS,
    KIND_OF_COLLECTION,
    MODEL_RECORD,
    Conflict,
    RecordChange,
    RecordKey,
    change_set,
    component_of,
    edited_model_fields,
    field_label,
    find_conflicts,
    item_label,
    record_values,
    touched_records,
)
from fma_app.storage.shared.edit_schema import (
    NOTIFY_CHANNEL,
    ensure_edit_schema,
    next_commit_seq,
    notify,
    notify_presence,
)
from fma_app.storage.shared.errors import (
    ModelNotFound,
    ServerUnavailable,
    SharedStoreError,
)
from fma_app.storage.shared.guard import (
    STATEMENT_TIMEOUT_S,
    WATCHDOG_GRACE_S,
    answer_within,
    set_statement_timeout,
)
from fma_app.storage.shared.history import HistoryEntry, last_change, read_history, when_text
from fma_app.storage.shared.location import SharedLocation, parse_location
from fma_app.storage.shared.rows import (
    MAIN_TABLE,
    MODEL_PROPERTY_COLUMNS,
    NUMBERED_ROWS,
    SATELLITES,
    column_list,
    domain_columns,
    model_column_value,
    quoted,
    read_model_record,
    read_records,
    read_versions,
    record_rows,
)
from fma_app.storage.shared.store import is_connection_lost, query_error

if TYPE_CHECKING:
    import psycopg

# A presence row's server process is still the session's. pg_stat_activity shows a role without
# pg_read_all_stats only the pid and application_name of other roles' processes (backend_start
# is NULL): compared alone, a member deleted colleagues' rows and never listed them.
_SAME_BACKEND = (
    "a.pid = p.backend_pid AND (a.backend_start = p.backend_start"
    " OR (a.backend_start IS NULL AND a.application_name LIKE 'fma-app:%%'))"
)
ID_BLOCK = 32  # ids reserved per round trip; unused ones are simply never used
UNKNOWN_VERSION = -1  # the shadow lacks someone else's change to the record: always compare
NOT_SAVED = "Not saved: "
CONNECTION_LOST = "Not saved: the connection to the server was lost; nothing was written"


class IdsUnavailableError(ServerUnavailable, ModelError):
    """No new id could be had from the server: a domain refusal too, so the document's edit
    gate shows it as one ("Not changed: ...") instead of failing."""


class _RefusedError(Exception):
    """A step the server cannot take; the message is what the user reads."""


class _NothingToDoError(Exception):
    """Ends a writer's transaction without writing (rolled back: the commit number too)."""


@dataclass
class _Connections:
    work: psycopg.Connection[Any]
    listen: psycopg.Connection[Any]

    def close(self) -> None:
        for conn in (self.work, self.listen):
            with contextlib.suppress(Exception):
                conn.close()


def current_user(location: SharedLocation) -> str:
    """Who edits: $FMA_USER, else the database role (store.user_name: one name for history,
    presence, the models' "changed by" and the connection's application_name)."""
    from fma_app.storage.shared.store import user_name

    return user_name(location)


def connect(
    location: SharedLocation,
    *,
    password: str | None,
    statement_timeout: float | None = None,
    user: str | None = None,
) -> psycopg.Connection[Any]:
    """pgcore's connection (its errors, its application_name), in autocommit (a session's
    transactions are explicit) and with the shared schema first on the search path;
    `statement_timeout` (seconds) unless the URL sets one."""
    from fma_app.storage.shared import store

    conn = store.connect(location, password=password, user=user)
    try:
        conn.autocommit = True
        conn.execute(f"SET search_path TO {store.SCHEMA_NAME}")
        set_statement_timeout(conn, location, statement_timeout)
    except Exception as error:
        conn.close()
        raise store.query_error(location, "open", error) from None
    return conn


class SharedSession:
    """One open shared model (see the module's doc). Not thread-safe: one thread uses it."""

    def __init__(
        self,
        location: SharedLocation,
        connections: _Connections,
        loaded: _Loaded,
        *,
        user: str,
        password: str | None,
        statement_timeout: float | None = None,
    ) -> None:
        self.location = location
        # An interactive session's limits (guard.py); None (the command line): wait for ever.
        self._statement_timeout = statement_timeout
        self._watchdog = None if statement_timeout is None else statement_timeout + WATCHDOG_GRACE_S
        self.model = model = loaded.model
        self.user = user
        self.session_id = uuid.uuid4().hex
        self._password = password
        self._connections: _Connections | None = connections
        self._shadow = clone_model(model)
        self._versions = loaded.versions
        self._applied_seq = loaded.head  # every commit up to this one is in the model
        self._opened_seq = loaded.head
        self._created = loaded.created  # the model as pushed; a push --force makes another
        self._generation_seq = 0  # steps committed before this were on a replaced model
        self._own_seqs: set[int] = set()  # this session's commits after _applied_seq
        self._step_seqs: weakref.WeakKeyDictionary[Command, int] = weakref.WeakKeyDictionary()
        self._free_ids: list[int] = []
        self._waiting = False  # a thread is blocked in wait_for_notification
        self._presence_news = False  # someone opened or closed the model: see presence_changed
        self.before_commit: Callable[[], None] | None = None  # tests: break the connection here
        model.set_id_source(_IdSource(self._new_id))
        self._register_presence()

    # ---- open / close ----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        location: SharedLocation | str,
        *,
        password: str | None = None,
        user: str | None = None,
        interactive: bool = False,
    ) -> SharedSession:
        """Open the model the location names; raises SharedStoreError subclasses.
        `interactive` (a window): the server cancels a statement after STATEMENT_TIMEOUT_S and
        a server that does not answer at all is a lost connection a little later (guard.py);
        the command line's writers wait for each other as long as it takes."""
        place = parse_location(location) if isinstance(location, str) else location
        if place.model_key is None:
            raise ModelNotFound(f"{place.display} names no model (add ?model=KEY)")
        who = user or current_user(place)
        statement_timeout = STATEMENT_TIMEOUT_S if interactive else None
        connections = _open_connections(place, password, user=who)
        try:
            loaded = _load(connections.work, place.model_key, place)
            # After the load: reading a big model over a slow link may take longer than a step.
            _limit_statements(connections, place, statement_timeout)
            return cls(
                place, connections, loaded, user=who, password=password,
                statement_timeout=statement_timeout,
            )  # fmt: skip
        except BaseException:
            connections.close()
            raise

    @property
    def model_key(self) -> str:
        assert self.location.model_key is not None
        return self.location.model_key

    @property
    def is_connected(self) -> bool:
        c = self._connections
        return c is not None and not (c.work.closed or c.work.broken or c.listen.closed)

    def close(self) -> None:
        if self._connections is not None:
            # The row goes with the server process anyway (others() joins pg_stat_activity).
            listen = self._connections.listen
            with contextlib.suppress(Exception), answer_within(listen, self._watchdog):
                if self.is_connected:
                    listen.execute(
                        "DELETE FROM edit_presence WHERE session_id = %s", (self.session_id,)
                    )
                    notify_presence(listen, self.model_key, "closed")
            self._connections.close()
            self._connections = None

    def reconnect(self) -> bool:
        """Connect again after the server went away; True when connected. Call
        `fetch_remote_changes` next: what others committed meanwhile is applied then."""
        if self._connections is not None:
            self._connections.close()
            self._connections = None
        try:
            self._connections = _open_connections(
                self.location, self._password, self._statement_timeout, user=self.user
            )
            self._register_presence()
        except SharedStoreError:
            if self._connections is not None:
                self._connections.close()
            self._connections = None
            return False
        return True

    def notification_socket(self) -> int:
        """The LISTEN connection's file descriptor: readable when a notification arrived."""
        return self._live().listen.fileno()

    def wait_for_notification(self, timeout: float) -> bool:
        """Block up to `timeout` seconds for a change of this model; True if one came."""
        import psycopg

        self._waiting = True
        try:
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                for note in self._live().listen.notifies(timeout=left, stop_after=1):
                    if _names_model(note.payload, self.model_key):
                        self._presence_news |= _is_presence(note.payload)
                        return True
        except psycopg.Error as error:
            raise self._lost(error) from None
        finally:
            self._waiting = False
        return False

    # ---- commit ----------------------------------------------------------------------------
    def commit(self, step_kind: str, command: Command, changes: list[Change]) -> str | None:
        """Commit one undo step the domain applied to `self.model`: None when it stands, or the
        refusal text (then the document rolls the step back). A lost connection refuses too
        (`is_connected` is then False): nothing of the step was written."""
        import psycopg

        records = change_set(self._shadow, self.model, touched_records(changes))
        if not records:
            return None
        try:
            with answer_within(self._live().work, self._watchdog):
                merged, seq = self._commit_records(step_kind, command, records)
        except _RefusedError as refusal:
            return str(refusal)
        except ServerUnavailable:
            self._drop_connection()
            return CONNECTION_LOST
        except psycopg.Error as error:  # rolled back: nothing of the step was written
            if is_connection_lost(error) or not self.is_connected:
                self._drop_connection()
                return CONNECTION_LOST
            if isinstance(error, psycopg.errors.QueryCanceled) and self._statement_timeout:
                return (
                    f"{NOT_SAVED}the server did not finish within {self._statement_timeout:g} s "
                    "(someone's import may hold the model); nothing was written, try again"
                )
            return f"{NOT_SAVED}the server refused it ({_first_line(error)})"
        self._own_seqs.add(seq)
        self._step_seqs[command] = seq
        self._update_shadow(records, merged)
        return None

    def restore(self, changes: list[Change]) -> list[Change]:
        """After a refused step: put the records the step touched back as this session knows
        the server holds them (its shadow), and return the Changes for the views. Running the
        command's opposite is not enough: an undo refused because someone else changed the
        field would be "rolled back" by redoing the step, which writes this user's old value
        into the model, and the next step would send it to the server."""
        return restore_from_shadow(self.model, self._shadow, changes)

    def _commit_records(
        self, step_kind: str, command: Command, records: list[RecordChange]
    ) -> tuple[set[RecordKey], int]:
        conn = self._live().work
        with conn.transaction():
            seq = next_commit_seq(conn, self.model_key)
            self._refuse_if_replaced(conn)
            if step_kind in ("undo", "redo"):
                self._refuse_if_changed_since(conn, step_kind, command, records)
            merged = self._check_conflicts(conn, records)
            self._check_references(conn, records)
            self._write(conn, records)
            self._check_unique(conn, records)
            self._write_history(conn, seq, step_kind, command.text, records)
            notify(conn, self.model_key, seq)
            if self.before_commit is not None:
                self.before_commit()
        return merged, seq

    def _refuse_if_replaced(self, conn: Any) -> None:
        """A model replaced as a whole (push --force) since this session read it: its row
        versions start again, so no step may stand before the session has the new model.
        Marks the model changed by this user (rolled back with a refused step)."""
        found = conn.execute(
            "UPDATE shared_models SET changed_at = now(), changed_by = %s WHERE key = %s"
            " RETURNING created_at",
            (self.user, self.model_key),
        ).fetchone()
        if found is None:
            raise _RefusedError(f"{NOT_SAVED}the model is no longer on the server")
        if found[0] != self._created:
            raise _RefusedError(
                f"{NOT_SAVED}the whole model was replaced (pushed again at "
                f"{when_text(found[0])}) since this session read it"
            )
        row = conn.execute(
            "SELECT user_name, at FROM edit_history WHERE model_key = %s AND seq > %s"
            " AND op = 'replaced' ORDER BY seq DESC LIMIT 1",
            (self.model_key, self._applied_seq),
        ).fetchone()
        if row is not None:
            raise _RefusedError(
                f"{NOT_SAVED}the whole model was replaced by {row[0]} at {when_text(row[1])}"
                " since this session read it"
            )

    def _refuse_if_changed_since(
        self, conn: Any, step_kind: str, command: Command, records: list[RecordChange]
    ) -> None:
        since = self._step_seqs.get(command, self._opened_seq)
        if since < self._generation_seq:
            raise _RefusedError(
                f"Cannot {step_kind} {command.text}: the whole model was replaced since"
            )
        names = [r.collection for r in records]
        ids = [r.id for r in records]
        row = conn.execute(
            "SELECT user_name, at, collection, item_id FROM edit_history WHERE model_key = %s"
            " AND seq > %s AND session_id <> %s AND (op = 'replaced' OR (collection, item_id) IN"
            " (SELECT * FROM unnest(%s::text[], %s::bigint[]))) ORDER BY seq DESC LIMIT 1",
            (self.model_key, since, self.session_id, names, ids),
        ).fetchone()
        if row is None:
            return
        who, at, name, item_id = row
        key = (name, int(item_id))
        label = item_label(self.model, key) if name != MODEL else "the model"
        raise _RefusedError(
            f"Cannot {step_kind} {command.text}: {who} changed {label} at {when_text(at)} since"
        )

    def _check_conflicts(self, conn: Any, records: list[RecordChange]) -> set[RecordKey]:
        """Refuse what collides with others' changes; the records others changed meanwhile
        in other fields only (merged: this step's fields written beside theirs)."""
        by_collection: dict[str, list[RecordChange]] = defaultdict(list)
        for record in records:
            by_collection[record.collection].append(record)
        merged: set[RecordKey] = set()
        conflicts: list[Conflict] = []
        for name, group in by_collection.items():
            if name == MODEL:
                versions = _model_version(conn, self.model_key)
            else:
                versions = read_versions(
                    conn, self.model_key, name, [r.id for r in group], lock=True
                )
            stale = [
                r for r in group
                if versions.get(r.id) is None or r.op == "added"
                or versions[r.id] != self._versions.get(r.key, UNKNOWN_VERSION)
            ]  # fmt: skip
            if not stale:
                continue
            if name == MODEL:
                current: Mapping[int, Mapping[str, Any]] = {}
                server_model = read_model_record(conn, self.model_key)
                if server_model is not None:
                    current = {0: server_model}
            else:
                records_now = read_records(conn, self.model_key, name, [r.id for r in stale])
                current = {i: collection(name).values(r) for i, r in records_now.items()}
            for record in stale:
                found = find_conflicts(record, current.get(record.id))
                if found:
                    conflicts += found
                elif record.op != "added" and record.id in versions:
                    merged.add(record.key)
        if conflicts:
            raise _RefusedError(self._conflict_text(conn, conflicts[0]))
        return merged

    def _conflict_text(self, conn: Any, conflict: Conflict) -> str:
        name, record_id = conflict.key
        label = item_label(self.model, conflict.key)
        if name != MODEL:
            shadow_record = collection(name).records(self._shadow).get(record_id)
            if shadow_record is not None:
                label = item_label(self._shadow, conflict.key)
        last = last_change(conn, self.model_key, name, record_id, conflict.field)
        who = f" by {last['user']} at {when_text(last['at'])}" if last else ""
        if conflict.field is None:
            state = "removed" if conflict.current is None else "changed"
            return f"{NOT_SAVED}{label} was {state}{who}"
        value = shown(plain(conflict.current))
        what = field_label(name, conflict.field)
        return f"{NOT_SAVED}{what} of {label} was changed{who} to {value}"

    def _check_references(self, conn: Any, records: list[RecordChange]) -> None:
        """Removals must not orphan rows others added; additions and moves must point at
        records that still exist on the server."""
        removed: dict[str, set[int]] = defaultdict(set)
        for r in records:
            if r.op == "removed":
                removed[r.collection].add(r.id)
        for (child, field_name), parent in REFERENCES.items():
            gone = removed.get(parent)
            if not gone:
                continue
            row = conn.execute(
                f"SELECT id FROM {MAIN_TABLE[child]} WHERE model_key = %s"
                f" AND {quoted(field_name)} = ANY(%s) AND NOT id = ANY(%s) LIMIT 1",
                (self.model_key, sorted(gone), sorted(removed.get(child, set()))),
            ).fetchone()
            if row is not None:
                key = (child, int(row[0]))
                last = last_change(conn, self.model_key, child, key[1])
                who = f" by {last['user']} at {when_text(last['at'])}" if last else ""
                what = KIND_LABELS[child]
                raise _RefusedError(f"{NOT_SAVED}a {what} was added{who} to what this step removes")
        pointed: dict[str, set[int]] = defaultdict(set)
        added: dict[str, set[int]] = defaultdict(set)
        for r in records:
            if r.op == "added":
                added[r.collection].add(r.id)
            if r.op == "removed" or r.collection == MODEL:
                continue
            for (child, field_name), parent in REFERENCES.items():
                if child == r.collection and field_name in r.fields:
                    pointed[parent].add(int(r.new[field_name]))
        for parent, ids in pointed.items():
            wanted = ids - added.get(parent, set())
            if not wanted:
                continue
            found = read_versions(conn, self.model_key, parent, wanted, lock=True)
            missing = sorted(wanted - set(found))
            if missing:
                last = last_change(conn, self.model_key, parent, missing[0])
                who = f" by {last['user']} at {when_text(last['at'])}" if last else ""
                raise _RefusedError(
                    f"{NOT_SAVED}the {KIND_LABELS[parent]} it needs was removed{who}"
                )

    def _check_unique(self, conn: Any, records: list[RecordChange]) -> None:
        """The rules across rows that two steps can break together though each kept them:
        component names are unique (in any case) and a component depends on another once.
        Checked after this step's rows are written, under the commit lock."""
        names: dict[str, int] = {}
        pairs: dict[tuple[int, int], int] = {}
        for r in records:
            if r.op == "removed":
                continue
            if r.collection == "components" and "name" in r.fields:
                names[str(r.new["name"]).strip().casefold()] = r.id
            if r.collection == "dependencies" and {"source_id", "target_id"} & set(r.fields):
                pairs[(int(r.new["source_id"]), int(r.new["target_id"]))] = r.id
        if names:
            rows = conn.execute(
                "SELECT id, name FROM components WHERE model_key = %s"
                " AND lower(btrim(name)) = ANY(%s) AND NOT id = ANY(%s)",
                (self.model_key, [n.lower() for n in names], list(names.values())),
            ).fetchall()
            for other_id, name in rows:
                if str(name).strip().casefold() in names:
                    who = self._who(conn, "components", int(other_id), "name")
                    raise _RefusedError(f"{NOT_SAVED}a component named {name!r} was added{who}")
        if pairs:
            row = conn.execute(
                "SELECT id, source_id, target_id FROM dependencies WHERE model_key = %s"
                " AND (source_id, target_id) IN (SELECT * FROM unnest(%s::bigint[], %s::bigint[]))"
                " AND NOT id = ANY(%s) LIMIT 1",
                (
                    self.model_key, [s for s, _t in pairs], [t for _s, t in pairs],
                    list(pairs.values()),
                ),
            ).fetchone()  # fmt: skip
            if row is not None:
                who = self._who(conn, "dependencies", int(row[0]))
                label = item_label(self._shadow, ("dependencies", int(row[0])),
                                   {"source_id": row[1], "target_id": row[2]})  # fmt: skip
                raise _RefusedError(f"{NOT_SAVED}the same {label} was added{who}")

    def _who(self, conn: Any, name: str, record_id: int, field: str | None = None) -> str:
        """' by alice at 10:42 UTC' from the history, or '' when it has nothing."""
        last = last_change(conn, self.model_key, name, record_id, field)
        return f" by {last['user']} at {when_text(last['at'])}" if last else ""

    # ---- writing rows ----------------------------------------------------------------------
    def _write(self, conn: Any, records: list[RecordChange]) -> None:
        """The step's rows, in the change set's order; runs of one statement go to the server
        as one batch (a layout of 2,000 components is 2,000 updates)."""
        out = _Batches(conn)
        groups = next(
            (r for r in records if r.collection == MODEL and "group_needs" in r.fields), None
        )
        if groups is not None:  # its rows name components: gone before removals, back after adds
            out.add("DELETE FROM redundancy_groups WHERE model_key = %s", (self.model_key,))
        for record in records:
            if record.collection == MODEL:
                self._write_model(out, record)
            elif record.op == "removed":
                self._delete(out, record.collection, record.id)
            elif record.op == "added":
                current = collection(record.collection).records(self.model)[record.id]
                self._insert(out, record.collection, record_rows(record.collection, [current]))
            else:
                self._update(out, record)
        if groups is not None:
            needs: Mapping[tuple[int, str], int] = groups.new["group_needs"]
            rows: list[tuple[object, ...]] = [
                (0, source, group, count) for (source, group), count in needs.items()
            ]
            self._insert_rows(out, "redundancy_groups", rows)
        out.flush()

    def _delete(self, out: _Batches, name: str, record_id: int) -> None:
        for satellite, column in SATELLITES[name]:
            out.add(
                f"DELETE FROM {satellite} WHERE model_key = %s AND {quoted(column)} = %s",
                (self.model_key, record_id),
            )
        out.add(
            f"DELETE FROM {MAIN_TABLE[name]} WHERE model_key = %s AND id = %s",
            (self.model_key, record_id),
        )

    def _insert(
        self, out: _Batches, name: str, rows: Mapping[str, list[tuple[object, ...]]]
    ) -> None:
        for table in (MAIN_TABLE[name], *(t for t, _column in SATELLITES[name])):
            self._insert_rows(out, table, rows.get(table, []))

    def _insert_rows(self, out: _Batches, table: str, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        if table in NUMBERED_ROWS:  # row numbers, unique in the model: fresh ones, in order
            first = _reserve_ids(out.conn, self.model_key, len(rows))
            rows = [(first + i, *row[1:]) for i, row in enumerate(rows)]
        marks = ", ".join(["%s"] * (len(rows[0]) + 1))
        sql = f"INSERT INTO {table} (model_key, {column_list(table)}) VALUES ({marks})"
        for row in rows:
            out.add(sql, (self.model_key, *row))

    def _update(self, out: _Batches, record: RecordChange) -> None:
        name = record.collection
        old_record = collection(name).records(self._shadow)[record.id]
        new_record = collection(name).records(self.model)[record.id]
        old_rows, new_rows = record_rows(name, [old_record]), record_rows(name, [new_record])
        main = MAIN_TABLE[name]
        columns = domain_columns(main)
        changed = [
            (column, new)
            for column, old, new in zip(columns, old_rows[main][0], new_rows[main][0], strict=True)
            if old != new or type(old) is not type(new)
        ]
        sets = "".join(f"{quoted(column)} = %s, " for column, _new in changed)
        out.add(
            f"UPDATE {main} SET {sets}row_version = row_version + 1"
            " WHERE model_key = %s AND id = %s",
            (*(new for _column, new in changed), self.model_key, record.id),
        )
        for satellite, column in SATELLITES[name]:
            if old_rows[satellite] == new_rows[satellite]:
                continue
            out.add(
                f"DELETE FROM {satellite} WHERE model_key = %s AND {quoted(column)} = %s",
                (self.model_key, record.id),
            )
            self._insert_rows(out, satellite, new_rows[satellite])

    def _write_model(self, out: _Batches, record: RecordChange) -> None:
        properties = [f for f in record.fields if f in MODEL_PROPERTY_COLUMNS]
        sets = "".join(f"{quoted(name)} = %s, " for name in properties)
        out.add(
            f"UPDATE model SET {sets}row_version = row_version + 1 WHERE model_key = %s",
            (*(model_column_value(n, record.new[n]) for n in properties), self.model_key),
        )

    def _write_history(
        self, conn: Any, seq: int, step_kind: str, text: str, records: list[RecordChange]
    ) -> None:
        """One history row per changed field, one per added or removed record, by COPY (a
        big step writes thousands)."""
        rows: list[tuple[object, ...]] = []
        for r in records:
            values = r.old if r.op == "removed" else r.new
            known = self._shadow if r.op == "removed" else self.model
            label = item_label(known, r.key, values)
            component = component_of(known, r.key, values)
            base = (self.model_key, seq, self.user, self.session_id, step_kind, text,
                    r.collection, r.id, label, component)  # fmt: skip
            if r.op == "changed":
                for name in r.fields:
                    rows.append((*base, name, "changed", _json(r.old[name]), _json(r.new[name])))
            elif r.op == "added":
                rows.append((*base, None, "added", None, _json(dict(r.new))))
            else:
                rows.append((*base, None, "removed", _json(dict(r.old)), None))
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY edit_history (model_key, seq, user_name, session_id, step, step_text,"
                " collection, item_id, item_label, component_id, field, op, old_value, new_value)"
                " FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _update_shadow(self, records: list[RecordChange], merged: set[RecordKey]) -> None:
        for r in records:
            if r.collection == MODEL:
                _copy_model_record(self.model, self._shadow)
            else:
                table = collection(r.collection).records(self._shadow)
                if r.op == "removed":
                    table.pop(r.id, None)
                    self._versions.pop(r.key, None)
                    continue
                table[r.id] = clone(collection(r.collection).records(self.model)[r.id])
            if r.key in merged or (r.op == "added" and r.collection != MODEL):
                # Merged: the server row also holds others' fields this session has not read.
                self._versions[r.key] = UNKNOWN_VERSION if r.key in merged else 1
            else:
                old = self._versions.get(r.key, UNKNOWN_VERSION)
                self._versions[r.key] = UNKNOWN_VERSION if old == UNKNOWN_VERSION else old + 1
        self._shadow.invalidate_names()

    # ---- command-line writers ----------------------------------------------------------------
    def apply_exclusively(
        self, step: str, make_command: Callable[[Model], Command | None]
    ) -> Command | None:
        """For a command-line writer (`import-traces --merge`, `chaos-result`): take the model's
        commit lock, bring the model up to date under it, build the command on that state, apply
        and commit it, all in one transaction. Two writers run one after the other, each seeing
        what the other wrote. Returns the command, or None when it had nothing to do. Raises
        ServerUnavailable (nothing written) and the domain's errors (nothing written)."""
        import psycopg

        conn = self._live().work
        try:
            with conn.transaction():
                seq = next_commit_seq(conn, self.model_key)  # the lock, first
                self._fetch_in(conn, seq - 1)
                command = make_command(self.model)
                if command is None:
                    raise _NothingToDoError
                changes = command.do(self.model)
                try:
                    records = change_set(self._shadow, self.model, touched_records(changes))
                    if not records:
                        raise _NothingToDoError
                    self._check_references(conn, records)
                    self._write(conn, records)
                    self._check_unique(conn, records)
                    self._write_history(conn, seq, step, command.text, records)
                    _mark_changed(conn, self.model_key, self.user)
                    notify(conn, self.model_key, seq)
                except BaseException:
                    command.undo(self.model)
                    raise
        except _NothingToDoError:
            return None
        except _RefusedError as refusal:
            raise SharedStoreError(str(refusal), reason="conflict") from None
        except psycopg.Error as error:  # rolled back: nothing was written
            raise self._lost(error, "change") from None
        self._applied_seq = max(self._applied_seq, seq)
        self._update_shadow(records, set())
        return command

    # ---- others' changes -------------------------------------------------------------------
    def fetch_remote_changes(self) -> list[Change]:
        """Apply what others committed since the last call to `self.model`, in place; the
        domain Changes for the views (empty when nothing came)."""
        import psycopg

        try:
            self._drain_notifications()
            with answer_within(self._live().work, self._watchdog):
                return self._fetch()
        except psycopg.Error as error:
            raise self._lost(error) from None

    def _drain_notifications(self) -> None:
        """Read the notifications waiting on the LISTEN socket (so a socket notifier does not
        fire again for them); a thread blocked in `wait_for_notification` reads them itself."""
        if self._waiting:
            return
        for note in self._live().listen.notifies(timeout=0):
            if _names_model(note.payload, self.model_key):
                self._presence_news |= _is_presence(note.payload)

    def presence_changed(self) -> bool:
        """Whether a session opened or closed this model since the last call, as far as the
        notifications read so far (by `fetch_remote_changes` or `wait_for_notification`) say:
        `others()` is then worth asking again."""
        news, self._presence_news = self._presence_news, False
        return news

    def _fetch(self) -> list[Change]:
        conn = self._live().work
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return self._fetch_in(conn, _head(conn, self.model_key))

    def _fetch_in(self, conn: Any, head: int) -> list[Change]:
        """Apply others' commits up to `head`, read in the caller's transaction."""
        created = _created_at(conn, self.model_key)
        if created is None:
            raise ModelNotFound(f"{self.location.display}: the model is no longer on the server")
        if created != self._created:  # pushed anew (push --force): take the whole new one
            changes = self._replace_all(_load_in(conn, self.model_key, self.location), head)
            self._created = created
            return changes
        if head <= self._applied_seq:
            return []
        rows = conn.execute(
            "SELECT DISTINCT collection, item_id, op FROM edit_history WHERE model_key = %s"
            " AND seq > %s AND seq <= %s AND NOT seq = ANY(%s)",
            (self.model_key, self._applied_seq, head, sorted(self._own_seqs)),
        ).fetchall()
        if any(op == "replaced" for _name, _id, op in rows):
            return self._replace_all(_load_in(conn, self.model_key, self.location), head)
        keys = sorted({(str(name), int(item)) for name, item, _op in rows})
        changes = self._reload(conn, keys)
        self._applied_seq = head
        self._own_seqs = {seq for seq in self._own_seqs if seq > head}
        return changes

    def _reload(self, conn: Any, keys: list[RecordKey]) -> list[Change]:
        by_collection: dict[str, list[int]] = defaultdict(list)
        for name, record_id in keys:
            by_collection[name].append(record_id)
        changes: list[Change] = []
        if MODEL in by_collection:
            server = read_model_record(conn, self.model_key)
            version = _model_version_plain(conn, self.model_key)
            if server is not None and server != record_values(self.model, MODEL_RECORD):
                for target in (self.model, self._shadow):
                    _set_model_record(target, server)
                changes.append(Change("model", "changed"))
            self._versions[MODEL_RECORD] = version
        # Parents first, so an added failure mode finds its added component in the model.
        for found in collections():
            ids = by_collection.get(found.name)
            if not ids:
                continue
            server_records = read_records(conn, self.model_key, found.name, ids)
            versions = read_versions(conn, self.model_key, found.name, ids)
            changes += self._apply_records(found.name, ids, server_records, versions)
        return changes

    def _apply_records(
        self, name: str, ids: list[int], server: Mapping[int, Any], versions: Mapping[int, int]
    ) -> list[Change]:
        kind = KIND_OF_COLLECTION[name]
        found = collection(name)
        mine, shadow = found.records(self.model), found.records(self._shadow)
        ops: dict[str, list[int]] = defaultdict(list)
        for record_id in ids:
            record = server.get(record_id)
            if record is None:
                shadow.pop(record_id, None)
                self._versions.pop((name, record_id), None)
                if mine.pop(record_id, None) is not None:
                    ops["removed"].append(record_id)
                continue
            self._versions[(name, record_id)] = versions[record_id]
            shadow[record_id] = clone(record)
            current = mine.get(record_id)
            if current is None:
                mine[record_id] = record
                ops["added"].append(record_id)
            elif found.values(current) != found.values(record):
                for field_name, value in found.values(record).items():
                    setattr(current, field_name, value)  # in place: views may hold the object
                ops["changed"].append(record_id)
        if name == "components":
            self.model.invalidate_names()
            self._shadow.invalidate_names()
        return [Change(kind, op, tuple(ids)) for op, ids in ops.items()]  # type: ignore[arg-type]

    def _replace_all(self, loaded: _Loaded, head: int) -> list[Change]:
        """The model was replaced as a whole (push --force): take the new one in place; steps
        done before can no longer be undone."""
        model, versions = loaded.model, loaded.versions
        self._applied_seq = head
        self._generation_seq = head + 1  # every later commit has a greater number
        self._own_seqs = set()
        changes: list[Change] = []
        for found in collections():
            old, new = found.records(self.model), found.records(model)
            kind = KIND_OF_COLLECTION[found.name]
            for op, ids in (
                ("removed", [i for i in old if i not in new]),
                ("added", [i for i in new if i not in old]),
                ("changed", [i for i in new if i in old]),
            ):
                if ids:
                    changes.append(Change(kind, op, tuple(ids)))  # type: ignore[arg-type]
            setattr(self.model, found.name, new)
        _copy_model_record(model, self.model)
        self.model.uuid = model.uuid
        self.model._next_id = max(self.model._next_id, model._next_id)
        self.model.invalidate_names()
        self._shadow = clone_model(self.model)
        self._versions = versions
        return [Change("model", "changed"), *changes]

    # ---- ids -------------------------------------------------------------------------------
    def _new_id(self) -> int:
        import psycopg

        if not self._free_ids:
            try:
                first = _reserve_ids(self._live().work, self.model_key, ID_BLOCK)
            except psycopg.Error as error:  # lost, or refused (a member without UPDATE)
                raise IdsUnavailableError(str(self._lost(error, "reserve new ids on"))) from None
            except ServerUnavailable as error:
                raise IdsUnavailableError(str(error)) from None
            self._free_ids = list(range(first + ID_BLOCK - 1, first - 1, -1))
        return self._free_ids.pop()

    # ---- presence and history --------------------------------------------------------------
    def _register_presence(self) -> None:
        import psycopg

        conn = self._live().listen
        try:
            conn.execute(
                "DELETE FROM edit_presence p WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
                f" WHERE {_SAME_BACKEND})"
            )
            conn.execute(
                "INSERT INTO edit_presence (session_id, model_key, user_name, backend_pid,"
                " backend_start) SELECT %s, %s, %s, pid, backend_start FROM pg_stat_activity"
                " WHERE pid = pg_backend_pid()"
                " ON CONFLICT (session_id) DO UPDATE SET backend_pid = excluded.backend_pid,"
                " backend_start = excluded.backend_start",
                (self.session_id, self.model_key, self.user),
            )
            # Before LISTEN, so that only the others hear it (autocommit: sent at once).
            notify_presence(conn, self.model_key, "opened")
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as error:
            raise self._lost(error) from None

    def others(self) -> list[str]:
        """Who else has the model open now (user names, sorted, without this user)."""
        import psycopg

        try:
            work = self._live().work
            with answer_within(work, self._watchdog):
                rows = work.execute(
                    "SELECT DISTINCT p.user_name FROM edit_presence p JOIN pg_stat_activity a"
                    f" ON {_SAME_BACKEND}"
                    " WHERE p.model_key = %s AND p.session_id <> %s ORDER BY 1",
                    (self.model_key, self.session_id),
                ).fetchall()
        except psycopg.Error as error:
            raise self._lost(error) from None
        return [row[0] for row in rows if row[0] != self.user]

    def history(
        self,
        *,
        since: dt.datetime | dt.date | None = None,
        component_id: int | None = None,
        user: str | None = None,
    ) -> list[HistoryEntry]:
        import psycopg

        try:
            work = self._live().work
            with answer_within(work, self._watchdog):
                return read_history(
                    work, self.model_key, since=since, component_id=component_id, user=user
                )
        except psycopg.Error as error:
            raise self._lost(error) from None

    # ---- connection state ------------------------------------------------------------------
    def _live(self) -> _Connections:
        if self._connections is None or not self.is_connected:
            raise ServerUnavailable(f"the connection to {self.location.server} was lost")
        return self._connections

    def _drop_connection(self) -> None:
        if self._connections is not None:
            self._connections.close()
            self._connections = None

    def _lost(self, error: Exception, verb: str = "read") -> SharedStoreError:
        """The error to raise for a psycopg error: ServerUnavailable (and the connections
        dropped) when the connection is gone, else one line naming what the server refused."""
        if not is_connection_lost(error) and self.is_connected:
            return query_error(self.location, verb, error)
        self._drop_connection()
        return ServerUnavailable(
            f"the connection to {self.location.server} was lost ({_first_line(error)})"
        )


# ---- helpers ---------------------------------------------------------------------------------


class _IdSource:
    """The session's allocator as a model's id source. A copy of the model (copy.deepcopy)
    shares it rather than copying the session and its connections."""

    def __init__(self, allocate: Callable[[], int]) -> None:
        self._allocate = allocate

    def __call__(self) -> int:
        return self._allocate()

    def __copy__(self) -> _IdSource:
        return self

    def __deepcopy__(self, _memo: dict[int, object]) -> _IdSource:
        return self


class _Batches:
    """Statements in order; consecutive ones with the same SQL are sent as one batch."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._sql = ""
        self._params: list[tuple[object, ...]] = []

    def add(self, sql: str, params: tuple[object, ...]) -> None:
        if sql != self._sql:
            self.flush()
            self._sql = sql
        self._params.append(params)

    def flush(self) -> None:
        if len(self._params) == 1:
            self.conn.execute(self._sql, self._params[0])
        elif self._params:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._sql, self._params)
        self._sql, self._params = "", []


def restore_from_shadow(model: Model, shadow: Model, changes: list[Change]) -> list[Change]:
    """Put the records `changes` name (and the model's own record) back in `model` as they are
    in `shadow`, in place; the Changes for the views (what differed)."""
    restored: dict[tuple[str, str], list[int]] = defaultdict(list)
    for key in touched_records(changes):
        name, record_id = key
        if name == MODEL:
            if record_values(model, key) != record_values(shadow, key):
                _copy_model_record(shadow, model)
                restored[(MODEL, "changed")] = []
            continue
        found = collection(name)
        mine, kept = found.records(model), found.records(shadow).get(record_id)
        current = mine.get(record_id)
        if kept is None:
            if mine.pop(record_id, None) is not None:
                restored[(name, "removed")].append(record_id)
        elif current is None:
            mine[record_id] = clone(kept)
            restored[(name, "added")].append(record_id)
        elif found.values(current) != found.values(kept):
            for field_name, value in found.values(clone(kept)).items():
                setattr(current, field_name, value)  # in place: views may hold the object
            restored[(name, "changed")].append(record_id)
    model.invalidate_names()
    model.invalidate_indexes()
    return [
        Change("model", "changed")
        if name == MODEL
        else Change(KIND_OF_COLLECTION[name], op, tuple(ids))  # type: ignore[arg-type]
        for (name, op), ids in restored.items()
    ]


def _open_connections(
    location: SharedLocation,
    password: str | None,
    statement_timeout: float | None = None,
    *,
    user: str | None = None,
) -> _Connections:
    import psycopg

    from fma_app.storage.shared import store

    work = connect(location, password=password, statement_timeout=statement_timeout, user=user)
    try:
        listen = connect(
            location, password=password, statement_timeout=statement_timeout, user=user
        )
    except BaseException:
        work.close()
        raise
    try:
        with work.transaction():
            ensure_edit_schema(work)
    except BaseException as error:
        work.close()
        listen.close()
        if isinstance(error, psycopg.Error):
            raise store.query_error(location, "open", error) from None
        raise
    return _Connections(work, listen)


def _limit_statements(
    connections: _Connections, location: SharedLocation, seconds: float | None
) -> None:
    import psycopg

    from fma_app.storage.shared import store

    try:
        for conn in (connections.work, connections.listen):
            set_statement_timeout(conn, location, seconds)
    except psycopg.Error as error:
        raise store.query_error(location, "open", error) from None


def _reserve_ids(conn: Any, model_key: str, count: int) -> int:
    """The first of `count` new ids from the model's counter (row-locked: unique to us)."""
    row = conn.execute(
        "UPDATE model SET next_id = next_id + %s WHERE model_key = %s RETURNING next_id",
        (count, model_key),
    ).fetchone()
    if row is None:
        raise ServerUnavailable(f"the model {model_key!r} is no longer on the server")
    return int(row[0]) - count


@dataclass(frozen=True)
class _Loaded:
    model: Model
    versions: dict[RecordKey, int]
    head: int  # the last commit the model includes
    created: object  # shared_models.created_at: a push --force makes the model anew


def _created_at(conn: Any, model_key: str) -> object:
    row = conn.execute(
        "SELECT created_at FROM shared_models WHERE key = %s", (model_key,)
    ).fetchone()
    return None if row is None else row[0]


def _mark_changed(conn: Any, model_key: str, user: str) -> None:
    """The model's last change and who made it, as `fma-app models` lists them."""
    conn.execute(
        "UPDATE shared_models SET changed_at = now(), changed_by = %s WHERE key = %s",
        (user, model_key),
    )


def _head(conn: Any, model_key: str) -> int:
    row = conn.execute("SELECT seq FROM edit_heads WHERE model_key = %s", (model_key,)).fetchone()
    return 0 if row is None else int(row[0])


def _model_version(conn: Any, model_key: str) -> dict[int, int]:
    row = conn.execute(
        "SELECT row_version FROM model WHERE model_key = %s FOR UPDATE", (model_key,)
    ).fetchone()
    return {} if row is None else {0: int(row[0])}


def _load(conn: Any, model_key: str, location: SharedLocation) -> _Loaded:
    """The whole model, each record's row version and the commit number it includes, from one
    snapshot."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _load_in(conn, model_key, location)


def _load_in(conn: Any, model_key: str, location: SharedLocation) -> _Loaded:
    """`_load` in the caller's transaction: pgcore's reader, and the commit it includes."""
    from fma_app.storage.checks import RowProblemError
    from fma_app.storage.shared import store

    if store.check_schema(conn, location) is None:
        raise ModelNotFound(
            f"cannot open {location.display}: the database holds no FMA Workbench models yet"
        )
    try:
        model, row_versions = store.load_rows(conn, model_key)
    except ModelNotFound:
        raise ModelNotFound(
            f"cannot open {location.display}: the database holds no model '{model_key}'"
        ) from None
    except RowProblemError as error:
        raise SharedStoreError(
            f"cannot open {location.display}: {error}", reason="invalid"
        ) from None
    head = _head(conn, model_key)
    created = _created_at(conn, model_key)
    versions: dict[RecordKey, int] = {
        (name, int(record_id)): int(version)
        for name, table in MAIN_TABLE.items()
        for record_id, version in row_versions.get(table, {}).items()
    }
    versions[MODEL_RECORD] = int(row_versions.get("model", {}).get(1, UNKNOWN_VERSION))
    return _Loaded(model, versions, head, created)


def _model_version_plain(conn: Any, model_key: str) -> int:
    row = conn.execute(
        "SELECT row_version FROM model WHERE model_key = %s", (model_key,)
    ).fetchone()
    return UNKNOWN_VERSION if row is None else int(row[0])


def _copy_model_record(source: Model, target: Model) -> None:
    for name in edited_model_fields():
        value = getattr(source, name)
        setattr(target, name, dict(value) if isinstance(value, dict) else value)


def _set_model_record(target: Model, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(target, name, dict(value) if isinstance(value, dict) else value)


def _json(value: object) -> str:
    """A field value as the history's JSON text (COPY hands jsonb columns text)."""
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True)


def _is_presence(payload: str) -> bool:
    try:
        return "presence" in json.loads(payload)
    except (ValueError, TypeError):
        return False


def _names_model(payload: str, model_key: str) -> bool:
    try:
        return bool(json.loads(payload).get("model") == model_key)
    except (ValueError, AttributeError):
        return False


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split("\n")[0].split())


def read_model_history(
    location: SharedLocation,
    *,
    password: str | None = None,
    since: dt.datetime | dt.date | None = None,
    component: str | None = None,
    user: str | None = None,
) -> list[HistoryEntry]:
    """A shared model's history without opening a session (`fma-app history`); `component`
    by name, case-insensitively. Raises SharedStoreError naming the problem."""
    import psycopg

    if location.model_key is None:
        raise ModelNotFound(f"{location.display} names no model (add ?model=KEY)")
    conn = connect(location, password=password)
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _require_model(conn, location.model_key, location)
            component_id = None
            if component is not None:
                row = conn.execute(
                    "SELECT id FROM components WHERE model_key = %s AND lower(name) = lower(%s)",
                    (location.model_key, component.strip()),
                ).fetchone()
                if row is None:
                    raise SharedStoreError(
                        f"{location.display} has no component named {component!r}"
                    )
                component_id = int(row[0])
            if not _table_exists(conn, "edit_history"):
                return []
            return read_history(
                conn, location.model_key, since=since, component_id=component_id, user=user
            )
    except psycopg.Error as error:  # a lost connection, or what the server refused
        raise query_error(location, "read the history of", error) from None
    finally:
        conn.close()


def _table_exists(conn: Any, table: str) -> bool:
    return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0])


def _require_model(conn: Any, model_key: str, location: SharedLocation) -> None:
    row = None
    if _table_exists(conn, "shared_models"):
        row = conn.execute("SELECT 1 FROM shared_models WHERE key = %s", (model_key,)).fetchone()
    if row is None:
        raise ModelNotFound(f"{location.display}: the database holds no model {model_key!r}")


__all__ = [
    "HistoryEntry",
    "IdsUnavailableError",
    "SharedSession",
    "connect",
    "current_user",
    "read_model_history",
    "restore_from_shadow",
]
