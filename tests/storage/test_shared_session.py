"""Editing a shared model together, against a real PostgreSQL server (tests/pg_server.py).

Each test puts a model on a fresh database and opens two sessions on it, as two people's
windows would; steps go through the same sequence as the desktop's edit gate (domain first,
then the session's commit, rolled back in memory when refused)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import signal
import threading
import time

import psycopg
import pytest
from pg_server import PASSWORD, PASSWORD_ROLE, PgServer
from shared_helpers import grant_team_access, push_for_tests
from storage_helpers import full_model

from fma_app.domain.commands import (
    Change,
    Command,
    add_component,
    add_dependency,
    add_failure_mode,
    edit_model_properties,
    edit_resilience,
    remove,
    set_chaos_target,
    set_fields,
)
from fma_app.domain.model import Model
from fma_app.domain.records import clone_model
from fma_app.domain.resilience import ChaosTarget
from fma_app.storage.shared import parse_location
from fma_app.storage.shared import session as session_module
from fma_app.storage.shared.edit_schema import record_replacement
from fma_app.storage.shared.errors import ServerUnavailable, SharedStoreError
from fma_app.storage.shared.session import CONNECTION_LOST, IdsUnavailableError, SharedSession
from fma_app.storage.shared.store import list_models, push, upgrade


def shareable_model() -> Model:
    """The storage tests' full model without NUL characters, which PostgreSQL text cannot hold
    (pgcore's push decides what to do with them)."""
    model = full_model()
    for component in model.components.values():
        component.description = component.description.replace("\x00", "")
    for record in model.iter_entities():
        for name, value in vars(record).items():
            if isinstance(value, str) and "\x00" in value:
                setattr(record, name, value.replace("\x00", ""))
    return model


def do(session: SharedSession, command: Command) -> str | None:
    changes = command.do(session.model)
    refusal = session.commit("do", command, changes)
    if refusal is not None:
        session.restore(changes)  # as the desktop's edit gate does (Document.restore_step)
    return refusal


def undo(session: SharedSession, command: Command) -> str | None:
    changes = command.undo(session.model)
    refusal = session.commit("undo", command, changes)
    if refusal is not None:
        session.restore(changes)
    return refusal


@pytest.fixture
def shared(pg_url: str) -> str:
    return push_for_tests(pg_url, shareable_model(), "checkout")


@pytest.fixture
def alice(shared: str):
    session = SharedSession.open(shared, user="alice")
    yield session
    session.close()


@pytest.fixture
def bob(shared: str):
    session = SharedSession.open(shared, user="bob")
    yield session
    session.close()


def fresh(url: str) -> Model:
    session = SharedSession.open(url, user="reader")
    try:
        return session.model
    finally:
        session.close()


def first_failure_mode(model: Model) -> int:
    return min(model.failure_modes)


def test_open_reads_the_model_as_pushed(shared: str, alice: SharedSession) -> None:
    assert alice.model.content() == shareable_model().content()
    assert alice.model.uuid == shareable_model().uuid or alice.model.uuid


def test_edits_of_different_rows_both_land(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    first, second = sorted(alice.model.failure_modes)[:2]
    assert do(alice, set_fields(alice.model, "failure_mode", first, severity=5)) is None
    assert do(bob, set_fields(bob.model, "failure_mode", second, severity=2)) is None
    server = fresh(shared)
    assert server.failure_modes[first].severity == 5
    assert server.failure_modes[second].severity == 2


def test_different_fields_of_one_row_both_land(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    assert do(bob, set_fields(bob.model, "failure_mode", fm, notes="bob's note")) is None
    server = fresh(shared).failure_modes[fm]
    assert (server.severity, server.notes) == (5, "bob's note")


def test_same_field_second_is_refused_and_sees_the_first(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    refusal = do(bob, set_fields(bob.model, "failure_mode", fm, severity=3))
    assert refusal is not None
    assert refusal.startswith("Not saved: Severity of failure mode")
    assert "changed by alice at" in refusal
    assert refusal.endswith("to 5")
    bob.fetch_remote_changes()
    assert bob.model.failure_modes[fm].severity == 5
    assert fresh(shared).failure_modes[fm].severity == 5


def test_a_refusal_shortens_a_long_name_at_a_word_end(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    long_text = "Retry storm floods the payment gateway when upstream traffic spikes after it"
    fm = first_failure_mode(alice.model)
    assert do(alice, set_fields(alice.model, "failure_mode", fm, failure_mode=long_text)) is None
    bob.fetch_remote_changes()
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    refusal = do(bob, set_fields(bob.model, "failure_mode", fm, severity=3))
    assert refusal is not None
    shown = refusal.split("failure mode '", 1)[1].split(" on ", 1)[0]
    assert shown == "Retry storm floods the payment gateway when upstream\u2026"
    assert len(shown) <= 60


def test_undo_after_someone_else_changed_the_row_is_refused(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    assert do(bob, set_fields(bob.model, "failure_mode", fm, notes="bob was here")) is None
    alice.fetch_remote_changes()
    refusal = undo(alice, mine)
    assert refusal is not None
    assert "bob changed failure mode" in refusal
    assert alice.model.failure_modes[fm].severity == 5
    server = fresh(shared).failure_modes[fm]
    assert (server.severity, server.notes) == (5, "bob was here")


def test_undo_of_own_step_stands_when_nobody_else_touched_it(
    shared: str, alice: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    before = alice.model.failure_modes[fm].severity
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    assert undo(alice, mine) is None
    assert fresh(shared).failure_modes[fm].severity == before


def test_remote_changes_are_fetched_in_place(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    model_object = bob.model
    fm = first_failure_mode(alice.model)
    component = alice.model.failure_modes[fm].component_id
    added = add_failure_mode(alice.model, component, failure_mode="Disk full", severity=7)
    assert do(alice, added) is None
    assert do(alice, set_fields(alice.model, "failure_mode", fm, effect="changed")) is None
    assert bob.wait_for_notification(5.0)
    changes = bob.fetch_remote_changes()
    assert bob.model is model_object
    assert bob.model.content() == fresh(shared).content()
    new_id = added.entities[0].id
    assert any(c.kind == "failure_mode" and c.op == "added" and new_id in c.ids for c in changes)
    assert any(c.kind == "failure_mode" and c.op == "changed" and fm in c.ids for c in changes)
    assert bob.fetch_remote_changes() == []


def test_two_people_adding_at_once_both_land(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    component = next(iter(alice.model.components))
    from_alice = add_failure_mode(alice.model, component, failure_mode="A")
    from_bob = add_failure_mode(bob.model, component, failure_mode="B")
    assert from_alice.entities[0].id != from_bob.entities[0].id
    assert do(alice, from_alice) is None
    assert do(bob, from_bob) is None
    texts = {fm.failure_mode for fm in fresh(shared).failure_modes.values()}
    assert {"A", "B"} <= texts


def test_removal_refused_when_someone_added_beneath_it(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    component = next(iter(alice.model.components))
    assert do(bob, add_failure_mode(bob.model, component, failure_mode="new")) is None
    refusal = do(alice, remove(alice.model, "component", [component]))
    assert refusal is not None
    assert "added by bob" in refusal
    assert component in fresh(shared).components


def test_killed_connection_mid_transaction_writes_nothing(
    shared: str, pg_url: str, alice: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    before = fresh(shared)

    def kill() -> None:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            pid = alice._connections.work.info.backend_pid  # type: ignore[union-attr]
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))

    alice.before_commit = kill
    component = alice.model.failure_modes[fm].component_id
    refusal = do(alice, add_failure_mode(alice.model, component, failure_mode="half"))
    assert refusal == CONNECTION_LOST
    assert not alice.is_connected
    after = fresh(shared)
    assert after.content() == before.content()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM fma.edit_history").fetchone() == (0,)
    alice.before_commit = None
    assert alice.reconnect()
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=1)) is None


def test_history_records_who_what_and_values(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    old = alice.model.failure_modes[fm].severity
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    assert do(bob, set_fields(bob.model, "failure_mode", fm, notes="n")) is None
    entries = alice.history()
    assert [(e.user, e.field, e.old, e.new) for e in entries] == [
        ("alice", "severity", old, 5),
        ("bob", "notes", shareable_model().failure_modes[fm].notes, "n"),
    ]
    assert entries[0].describe() == f"Severity: {old} -> 5"
    assert entries[0].item.startswith("failure mode ")
    assert entries[0].component_id == alice.model.failure_modes[fm].component_id
    assert [e.user for e in alice.history(user="bob")] == ["bob"]


def test_others_lists_who_else_has_it_open(alice: SharedSession, bob: SharedSession) -> None:
    assert alice.others() == ["bob"]
    assert bob.others() == ["alice"]
    bob.close()
    assert alice.others() == []


def test_opening_and_closing_notify_the_others_at_once(shared: str, alice: SharedSession) -> None:
    """ "Also open" was refreshed by a 5 s poll only: a session opening or closing the model
    now notifies the others on the model's channel, as a commit does."""
    bob = SharedSession.open(shared, user="bob")
    try:
        assert alice.wait_for_notification(5.0)
        assert alice.presence_changed()
        assert not alice.presence_changed()  # told once
        assert alice.others() == ["bob"]
        assert not bob.wait_for_notification(0.2)  # bob's own opening is not news to him
    finally:
        bob.close()
    assert alice.wait_for_notification(5.0)
    assert alice.fetch_remote_changes() == []  # no commit came, only the closing
    assert alice.presence_changed()
    assert alice.others() == []


def redo(session: SharedSession, command: Command) -> str | None:
    changes = command.do(session.model)
    refusal = session.commit("redo", command, changes)
    if refusal is not None:
        session.restore(changes)
    return refusal


def test_redo_after_someone_else_changed_the_row_is_refused(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    assert undo(alice, mine) is None
    bob.fetch_remote_changes()
    assert do(bob, set_fields(bob.model, "failure_mode", fm, effect="bob's effect")) is None
    refusal = redo(alice, mine)
    assert refusal is not None
    assert refusal.startswith("Cannot redo Change Severity: bob changed failure mode")
    assert fresh(shared).failure_modes[fm].severity == shareable_model().failure_modes[fm].severity


def test_a_removal_reaches_the_other_session(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    actions = [a.id for a in alice.model.actions_of(fm)]
    assert do(alice, remove(alice.model, "failure_mode", [fm])) is None
    changes = bob.fetch_remote_changes()
    assert fm not in bob.model.failure_modes
    assert Change("failure_mode", "removed", (fm,)) in changes
    if actions:
        assert Change("action", "removed", tuple(actions)) in changes
    assert bob.model.content() == fresh(shared).content()


def test_model_properties_merge_by_field_and_conflict_on_the_same(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    assert do(alice, edit_model_properties(alice.model, name="Checkout v2")) is None
    assert do(bob, edit_model_properties(bob.model, team="payments team")) is None
    refusal = do(bob, edit_model_properties(bob.model, name="Bob's name"))
    assert refusal is not None
    assert "Name of the model was changed by alice" in refusal
    assert refusal.endswith('to "Checkout v2"')
    bob.fetch_remote_changes()
    assert (bob.model.name, bob.model.team) == ("Checkout v2", "payments team")
    server = fresh(shared)
    assert (server.name, server.team) == ("Checkout v2", "payments team")


def test_rows_beside_the_record_travel_with_it(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Aliases, chaos targets, resilience and group needs live in tables of their own."""
    component = min(alice.model.components)
    fm = first_failure_mode(alice.model)
    assert (
        do(alice, set_fields(alice.model, "component", component, aliases=("a-1", "a-2"))) is None
    )
    assert (
        do(bob, set_fields(bob.model, "component", min(bob.model.components) + 2, aliases=("b",)))
        is None
    )
    target = ChaosTarget.checked("kubernetes", namespace="shop", selector="app=api")
    assert do(alice, set_chaos_target(alice.model, component, target)) is None
    assert do(alice, edit_resilience(alice.model, fm, hypothesis="stays up", runbook="r")) is None
    assert do(alice, edit_resilience(alice.model, fm, hypothesis="stays up, really")) is None
    bob.fetch_remote_changes()
    alice.fetch_remote_changes()
    server = fresh(shared)
    assert server.components[component].aliases == ("a-1", "a-2")
    assert server.failure_modes[fm].resilience.hypothesis == "stays up, really"
    assert bob.model.content() == server.content() == alice.model.content()


def test_a_replaced_model_is_reloaded_in_place(
    shared: str, pg_url: str, alice: SharedSession
) -> None:
    model_object = alice.model
    # A replacement recorded in the history only (push --force also makes a new created_at:
    # test_push_force_while_sessions_are_open); the history row alone must reload too.
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE fma.model SET name = 'Replaced' WHERE model_key = 'checkout'")
        conn.execute("DELETE FROM fma.actions WHERE model_key = 'checkout'")
        record_replacement(conn, "checkout", "carol")
    fm = first_failure_mode(alice.model)
    refusal = do(alice, set_fields(alice.model, "failure_mode", fm, severity=5))
    assert refusal is not None
    assert refusal.startswith("Not saved: the whole model was replaced by carol at")
    changes = alice.fetch_remote_changes()
    assert alice.model is model_object
    assert alice.model.name == "Replaced"
    assert alice.model.actions == {}
    assert Change("model", "changed") in changes
    assert any(c.kind == "action" and c.op == "removed" for c in changes)
    assert alice.model.content() == fresh(shared).content()


@pytest.mark.slow
def test_after_the_server_went_away_a_session_reconnects(
    pg_server: PgServer, shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    pg_server.stop_server()
    try:
        refusal = do(alice, set_fields(alice.model, "failure_mode", fm, severity=5))
        assert refusal == CONNECTION_LOST
        assert not alice.is_connected
        assert not alice.reconnect()
        component = alice.model.failure_modes[fm].component_id
        with pytest.raises(IdsUnavailableError):
            add_failure_mode(alice.model, component)
    finally:
        pg_server.restart()
    assert alice.reconnect()
    assert bob.reconnect()
    assert do(bob, set_fields(bob.model, "failure_mode", fm, notes="while alice was away")) is None
    assert alice.fetch_remote_changes() == [Change("failure_mode", "changed", (fm,))]
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    assert alice.others() == ["bob"]
    assert alice.model.content() == fresh(shared).content()


def test_a_waiting_thread_sees_the_notification(alice: SharedSession, bob: SharedSession) -> None:
    fm = first_failure_mode(alice.model)
    assert not bob.wait_for_notification(0.05)
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(bob.wait_for_notification(10.0)))
    waiter.start()
    assert do(alice, set_fields(alice.model, "failure_mode", fm, notes="ping")) is None
    waiter.join(10.0)
    assert woke == [True]
    assert bob.fetch_remote_changes() == [Change("failure_mode", "changed", (fm,))]
    assert bob.model.failure_modes[fm].notes == "ping"


def test_a_merged_record_stays_checked_until_fetched(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Merged records keep being checked until fetched: a later step of the same session on
    a field someone else changed meanwhile is still refused (no silent overwrite)."""
    fm = first_failure_mode(alice.model)
    assert do(bob, set_fields(bob.model, "failure_mode", fm, notes="bob 1")) is None
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    refusal = do(alice, set_fields(alice.model, "failure_mode", fm, notes="alice"))
    assert refusal is not None
    assert "Notes of failure mode" in refusal
    assert "changed by bob" in refusal
    assert fresh(shared).failure_modes[fm].notes == "bob 1"


def test_two_people_adding_one_name_or_one_dependency_the_second_is_refused(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Rules across rows that each step kept alone: unique names, one dependency per pair."""
    assert do(alice, add_component(alice.model, "Search")) is None
    refusal = do(bob, add_component(bob.model, "search "))
    assert refusal is not None
    assert refusal.startswith("Not saved: a component named 'Search' was added by alice at")
    source, target = sorted(alice.model.components)[-2:]
    bob.fetch_remote_changes()
    existing = {(d.source_id, d.target_id) for d in alice.model.dependencies.values()}
    assert (source, target) not in existing
    assert do(alice, add_dependency(alice.model, source, target)) is None
    refusal = do(bob, add_dependency(bob.model, source, target))
    assert refusal is not None
    assert "the same dependency" in refusal
    assert "was added by alice" in refusal
    server = fresh(shared)
    assert [c.name.casefold() for c in server.components.values()].count("search") == 1
    assert [(d.source_id, d.target_id) for d in server.dependencies.values()].count(
        (source, target)
    ) == 1


def test_push_force_while_sessions_are_open(shared: str, alice: SharedSession) -> None:
    fm = first_failure_mode(alice.model)
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    replacement = shareable_model()
    replacement.name = "Pushed again"
    replacement.failure_modes[fm].severity = 1
    push(replacement, parse_location(shared), force=True)
    refusal = do(alice, set_fields(alice.model, "failure_mode", fm, notes="lost?"))
    assert refusal is not None
    assert refusal.startswith("Not saved: the whole model was replaced (pushed again at")
    model_object = alice.model
    changes = alice.fetch_remote_changes()
    assert alice.model is model_object
    assert Change("model", "changed") in changes
    assert alice.model.content() == replacement.content()
    refusal = undo(alice, mine)
    assert refusal == "Cannot undo Change Severity: the whole model was replaced since"
    assert do(alice, set_fields(alice.model, "failure_mode", fm, notes="after")) is None
    assert fresh(shared).failure_modes[fm].notes == "after"


def test_a_session_whose_connection_died_is_no_longer_listed(
    pg_url: str, alice: SharedSession, bob: SharedSession
) -> None:
    assert alice.others() == ["bob"]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        for conn in (bob._connections.work, bob._connections.listen):  # type: ignore[union-attr]
            # With a timeout it returns once the process has gone (else it only signals it).
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", (conn.info.backend_pid,))
    assert alice.others() == []


def test_the_model_list_shows_the_last_change_and_who(shared: str, alice: SharedSession) -> None:
    fm = first_failure_mode(alice.model)
    assert do(alice, set_fields(alice.model, "failure_mode", fm, severity=5)) is None
    (info,) = list_models(parse_location(shared))
    assert info.changed_by == "alice"
    assert (dt.datetime.now(dt.UTC) - info.changed_at).total_seconds() < 60


def test_a_copy_of_the_shared_model_is_a_model_of_its_own(
    pg_url: str, alice: SharedSession
) -> None:
    def server_counter() -> int:
        with psycopg.connect(pg_url) as conn:
            row = conn.execute("SELECT next_id FROM fma.model WHERE model_key = 'checkout'")
            return int(row.fetchone()[0])  # type: ignore[index]

    copied = copy.deepcopy(alice.model)  # shares the allocator, never the connections
    assert copied.content() == alice.model.content()
    before = server_counter()
    cloned = clone_model(alice.model)  # a Save As copy: its own counter
    assert [cloned.new_id() for _ in range(100)] == list(range(before, before + 100))
    assert server_counter() == before
    component = min(alice.model.components)
    added = add_failure_mode(alice.model, component)  # the session's ids: from the server
    assert added.entities[0].id >= before
    assert server_counter() > before


def test_a_value_the_server_refuses_is_a_refusal_not_an_outage(
    shared: str, alice: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    before = alice.model.failure_modes[fm].notes
    refusal = do(alice, set_fields(alice.model, "failure_mode", fm, notes="nul \x00 here"))
    assert refusal is not None
    assert refusal.startswith("Not saved: the server refused it (")
    assert "NUL" in refusal
    assert alice.is_connected
    assert alice.model.failure_modes[fm].notes == before
    assert do(alice, set_fields(alice.model, "failure_mode", fm, notes="fine")) is None
    assert fresh(shared).failure_modes[fm].notes == "fine"


def test_a_member_with_the_readme_grants_edits_together(
    pg_server: PgServer, pg_url: str, shared: str
) -> None:
    """The grants README gives a team member (no CREATE): the first push made every table,
    editing together's too, before anyone opened a session."""
    grant_team_access(pg_url, PASSWORD_ROLE)
    database = pg_url.rsplit("/", 1)[1]
    member_url = f"{pg_server.password_url(database)}?model=checkout"
    member = SharedSession.open(member_url, password=PASSWORD, user="carol")
    alice = SharedSession.open(shared, user="alice")
    try:
        fm = first_failure_mode(member.model)
        assert do(member, set_fields(member.model, "failure_mode", fm, severity=5)) is None
        assert do(member, add_component(member.model, "New service")) is None
        assert alice.others() == ["carol"]
        alice.fetch_remote_changes()
        assert alice.model.content() == member.model.content()
        assert [e.user for e in alice.history()] == ["carol", "carol"]
    finally:
        member.close()
        alice.close()


def test_db_upgrade_creates_the_edit_tables_of_a_database_pushed_before_them(
    pg_server: PgServer, pg_url: str, shared: str
) -> None:
    """A database pushed before the first push made editing together's tables: a member with
    README's two GRANT lines (no CREATE, no default privileges) cannot open a session until the
    owner runs `db upgrade`, which creates them in its transaction with the members' rights."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DROP TABLE fma.edit_heads, fma.edit_history, fma.edit_presence")
    grant_team_access(pg_url, PASSWORD_ROLE)
    database = pg_url.rsplit("/", 1)[1]
    member_url = f"{pg_server.password_url(database)}?model=checkout"
    with pytest.raises(SharedStoreError, match="permission denied for schema fma"):
        SharedSession.open(member_url, password=PASSWORD, user="carol")
    assert upgrade(pg_url) == (7, 7)
    member = SharedSession.open(member_url, password=PASSWORD, user="carol")
    try:
        fm = first_failure_mode(member.model)
        assert do(member, set_fields(member.model, "failure_mode", fm, severity=4)) is None
        assert [(e.user, e.field) for e in member.history()] == [("carol", "severity")]
    finally:
        member.close()
    assert fresh(shared).failure_modes[fm].severity == 4


@pytest.fixture
def quick_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interactive session's limits (guard.py), shortened so the tests wait 1 s + 1 s."""
    monkeypatch.setattr(session_module, "STATEMENT_TIMEOUT_S", 1.0)
    monkeypatch.setattr(session_module, "WATCHDOG_GRACE_S", 1.0)


@pytest.mark.slow
def test_a_server_that_stops_answering_is_a_lost_connection_within_seconds(
    pg_server: PgServer, shared: str, quick_limits: None
) -> None:
    """SIGSTOP on the server (its kernel still acknowledges: keepalives cannot tell): the
    watchdog cuts the connection, the commit is refused as lost, nothing was written, and the
    session reconnects once the server runs again."""
    session = SharedSession.open(shared, user="alice", interactive=True)
    try:
        fm = first_failure_mode(session.model)
        before = session.model.failure_modes[fm].severity
        backend = session._live().work.info.backend_pid
        stopped = [pg_server.postmaster_pid, backend]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            refusal = do(session, set_fields(session.model, "failure_mode", fm, severity=2))
            waited = time.monotonic() - started
        finally:
            for pid in stopped:
                os.kill(pid, signal.SIGCONT)
        assert refusal == CONNECTION_LOST
        assert 1.5 < waited < 5.0
        assert not session.is_connected
        assert session.model.failure_modes[fm].severity == before
        assert session.reconnect()
        session.fetch_remote_changes()
        assert fresh(shared).failure_modes[fm].severity == before  # nothing half-written
        assert do(session, set_fields(session.model, "failure_mode", fm, severity=2)) is None
    finally:
        session.close()


def test_a_fetch_from_a_server_that_stops_answering_raises_unavailable(
    pg_server: PgServer, shared: str, quick_limits: None
) -> None:
    session = SharedSession.open(shared, user="alice", interactive=True)
    try:
        stopped = [pg_server.postmaster_pid, session._live().work.info.backend_pid]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(ServerUnavailable, match="was lost"):
                session.fetch_remote_changes()
        finally:
            for pid in stopped:
                os.kill(pid, signal.SIGCONT)
    finally:
        session.close()


def test_a_commit_waiting_on_a_lock_is_refused_after_the_statement_timeout(
    pg_url: str, shared: str, quick_limits: None
) -> None:
    """A server that answers but is held (another writer has the model's commit lock): the
    server cancels the statement, the step is refused, and the session stays online."""
    session = SharedSession.open(shared, user="alice", interactive=True)
    try:
        fm = first_failure_mode(session.model)
        with psycopg.connect(pg_url) as writer:
            writer.execute("SELECT 1 FROM fma.edit_heads FOR UPDATE")
            writer.execute(
                "INSERT INTO fma.edit_heads (model_key, seq) VALUES ('checkout', 0)"
                " ON CONFLICT (model_key) DO UPDATE SET seq = fma.edit_heads.seq"
            )
            refusal = do(session, set_fields(session.model, "failure_mode", fm, severity=2))
        assert refusal == (
            "Not saved: the server did not finish within 1 s (someone's import may hold the "
            "model); nothing was written, try again"
        )
        assert session.is_connected
        assert do(session, set_fields(session.model, "failure_mode", fm, severity=2)) is None
    finally:
        session.close()


def test_connections_get_tcp_keepalives_unless_the_url_sets_them(shared: str) -> None:
    session = SharedSession.open(shared + "&keepalives_idle=30", user="alice")
    try:
        params = session._live().work.info.get_parameters()
        assert (params["keepalives"], params["keepalives_idle"]) == ("1", "30")
        assert (params["keepalives_interval"], params["tcp_user_timeout"]) == ("2", "10000")
        timeout = session._live().work.execute("SHOW statement_timeout").fetchone()
        assert timeout == ("0",)  # the command line's writers wait for each other
    finally:
        session.close()
    window = SharedSession.open(shared, user="alice", interactive=True)
    try:
        assert window._live().work.execute("SHOW statement_timeout").fetchone() == ("5s",)
    finally:
        window.close()
    mine = SharedSession.open(
        shared + "&options=-c%20statement_timeout%3D7000", user="alice", interactive=True
    )
    try:
        assert mine._live().work.execute("SHOW statement_timeout").fetchone() == ("7s",)
    finally:
        mine.close()


def test_history_of_a_component_includes_the_dependencies_pointing_at_it(
    alice: SharedSession,
) -> None:
    model = alice.model
    dependency = next(iter(model.dependencies.values()))
    target, source = dependency.target_id, dependency.source_id
    assert do(alice, set_fields(model, "dependency", dependency.id, description="via VPN")) is None
    linked = {(d.source_id, d.target_id) for d in model.dependencies.values()}
    other = next(c for c in model.components if c != target and (c, target) not in linked)
    added = add_dependency(model, other, target)
    assert do(alice, added) is None
    new_id = max(model.dependencies)
    assert do(alice, remove(model, "dependency", [new_id])) is None  # gone from the table
    unrelated = next(fm for fm in model.failure_modes.values() if fm.component_id != target)
    assert do(alice, set_fields(model, "failure_mode", unrelated.id, severity=2)) is None

    entries = alice.history(component_id=target)
    assert [(e.collection, e.item_id, e.op) for e in entries] == [
        ("dependencies", dependency.id, "changed"),
        ("dependencies", new_id, "added"),
        ("dependencies", new_id, "removed"),
    ]
    assert ("dependencies", dependency.id) in {
        (e.collection, e.item_id) for e in alice.history(component_id=source)
    }


@pytest.mark.parametrize("fma_user", [None, "erin"])
def test_one_user_name_for_history_presence_models_and_the_connection(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, fma_user: str | None
) -> None:
    """$FMA_USER, else the database role (the URL's user, here postgres), whatever the login
    name: the same in the history, who has it open, the models' "changed by" and
    pg_stat_activity's application_name."""
    if fma_user is None:
        monkeypatch.delenv("FMA_USER", raising=False)
        monkeypatch.setenv("USER", "someone-else")  # the login name is not the role
    else:
        monkeypatch.setenv("FMA_USER", fma_user)
    expected = fma_user or "postgres"
    url = pg_url + "?model=names"
    push(shareable_model(), url)
    assert [m.changed_by for m in list_models(url)] == [expected]
    session = SharedSession.open(url)
    watcher = SharedSession.open(url, user="watcher")
    try:
        assert session.user == expected
        fm = first_failure_mode(session.model)
        assert do(session, set_fields(session.model, "failure_mode", fm, severity=3)) is None
        assert [e.user for e in session.history()] == [expected]
        assert watcher.others() == [expected]
        assert [m.changed_by for m in list_models(url)] == [expected]
        with psycopg.connect(pg_url) as admin:
            names = admin.execute(
                "SELECT DISTINCT application_name FROM pg_stat_activity"
                " WHERE application_name LIKE 'fma-app:%' AND datname = current_database()"
                " ORDER BY 1"
            ).fetchall()
        assert names == [(f"fma-app:{expected}",), ("fma-app:watcher",)]
    finally:
        session.close()
        watcher.close()


def test_members_of_other_roles_see_each_other_open(
    pg_server: PgServer, pg_url: str, shared: str
) -> None:
    """pg_stat_activity hides other roles' backend_start from a member without
    pg_read_all_stats: the member must neither drop alice's presence nor miss her."""
    grant_team_access(pg_url, PASSWORD_ROLE)
    database = pg_url.rsplit("/", 1)[1]
    alice = SharedSession.open(shared, user="alice")
    member = SharedSession.open(
        f"{pg_server.password_url(database)}?model=checkout", password=PASSWORD, user="carol"
    )
    try:
        assert member.others() == ["alice"]
        assert alice.others() == ["carol"]
    finally:
        member.close()
    assert alice.others() == []
    alice.close()


def test_a_refused_undo_leaves_the_model_as_the_server_has_it(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Review of issue 18, finding 1: rolling a refused undo back by redoing the step put
    alice's 5 back in her model while the server held bob's 7, and her next edit of another
    field of the row wrote the 5 over bob's 7 without a word."""
    fm = first_failure_mode(alice.model)
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    bob.fetch_remote_changes()
    assert do(bob, set_fields(bob.model, "failure_mode", fm, severity=7)) is None
    alice.fetch_remote_changes()
    assert undo(alice, mine) is not None
    alice.fetch_remote_changes()  # what the window does after a refusal
    assert alice.model.content() == fresh(shared).content()
    assert do(alice, set_fields(alice.model, "failure_mode", fm, notes="alice's note")) is None
    server = fresh(shared).failure_modes[fm]
    assert (server.severity, server.notes) == (7, "alice's note")


def test_a_refused_redo_leaves_the_model_as_the_server_has_it(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    fm = first_failure_mode(alice.model)
    mine = set_fields(alice.model, "failure_mode", fm, severity=5)
    assert do(alice, mine) is None
    assert undo(alice, mine) is None
    bob.fetch_remote_changes()
    assert do(bob, set_fields(bob.model, "failure_mode", fm, severity=7)) is None
    alice.fetch_remote_changes()
    assert redo(alice, mine) is not None
    alice.fetch_remote_changes()
    assert alice.model.content() == fresh(shared).content()
    assert do(alice, set_fields(alice.model, "failure_mode", fm, notes="alice's note")) is None
    assert fresh(shared).failure_modes[fm].severity == 7


def test_a_refused_undo_of_model_properties_keeps_the_others_property(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Finding 2 (refused half): the whole properties came back with the refused undo, and
    alice's next, unrelated edit wrote bob's scope away."""
    step = edit_model_properties(alice.model, name="Alice's name")
    assert do(alice, step) is None
    bob.fetch_remote_changes()
    assert do(bob, edit_model_properties(bob.model, scope="bob's scope")) is None
    alice.fetch_remote_changes()
    assert undo(alice, step) is not None
    assert (alice.model.name, alice.model.scope) == ("Alice's name", "bob's scope")
    alice.fetch_remote_changes()
    assert alice.model.content() == fresh(shared).content()
    component = min(alice.model.components)
    assert do(alice, set_fields(alice.model, "component", component, description="x")) is None
    assert fresh(shared).scope == "bob's scope"


def test_undoing_a_property_edit_keeps_a_property_someone_else_changed_before(
    shared: str, alice: SharedSession, bob: SharedSession
) -> None:
    """Finding 2 (undo that stands): bob's scope landed before alice's rename, her rename
    merged beside it; her undo must put back the name only, not her stale scope."""
    original_name = alice.model.name
    assert do(bob, edit_model_properties(bob.model, scope="bob's scope")) is None
    step = edit_model_properties(alice.model, name="Alice's name")
    assert do(alice, step) is None
    alice.fetch_remote_changes()
    assert undo(alice, step) is None
    server = fresh(shared)
    assert (server.name, server.scope) == (original_name, "bob's scope")


def test_push_force_notifies_open_sessions_and_is_in_the_history(
    shared: str, alice: SharedSession
) -> None:
    """Review of issue 18, finding 6: push --force wrote no history and sent no NOTIFY, so
    open windows showed the old model until their next poll and History did not show it."""
    replacement = shareable_model()
    replacement.name = "Pushed again"
    push(replacement, parse_location(shared), force=True)
    assert alice.wait_for_notification(5.0)
    pushes = [e for e in alice.history() if e.step == "push"]
    assert [(e.op, e.item) for e in pushes] == [("replaced", "the model")]
    assert pushes[0].user == parse_location(shared).user
    alice.fetch_remote_changes()
    assert alice.model.name == "Pushed again"


def test_new_ids_the_server_refuses_are_a_refusal_naming_the_grant(
    pg_server: PgServer, pg_url: str, shared: str
) -> None:
    """A member who may not UPDATE the model row cannot reserve new ids: adding is refused in
    one line that names what to grant (a domain refusal, so the edit gate shows it), not a
    traceback, and the session stays connected."""
    grant_team_access(pg_url, PASSWORD_ROLE)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"REVOKE UPDATE ON fma.model FROM {PASSWORD_ROLE}")
    database = pg_url.rsplit("/", 1)[1]
    member = SharedSession.open(
        f"{pg_server.password_url(database)}?model=checkout", password=PASSWORD, user="carol"
    )
    try:
        component = min(member.model.components)
        with pytest.raises(IdsUnavailableError, match=r"reserve new ids on .*GRANT") as raised:
            add_failure_mode(member.model, component)
        assert PASSWORD not in str(raised.value)
        assert member.is_connected
    finally:
        member.close()
