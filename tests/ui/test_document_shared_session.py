"""The document's commit step on a shared session (the seam pgui wires into the window): the
edit gate commits each undo step through `SharedSession.commit`, a refused step leaves model,
undo stack and views as they were, and the next fetch shows the other person's value."""

from __future__ import annotations

import pytest
from shared_helpers import push_for_tests

from fma_app.domain.commands import Change, set_fields
from fma_app.domain.model import Model
from fma_app.storage.shared.session import SharedSession


def two_failure_modes() -> Model:
    model = Model(name="Shop")
    db = model.add_component("db")
    model.add_failure_mode(db.id, failure_mode="Disk full", severity=4)
    model.add_failure_mode(db.id, failure_mode="Slow", severity=3)
    return model


@pytest.fixture
def sessions(pg_url: str):
    url = push_for_tests(pg_url, two_failure_modes(), "shop")
    alice, bob = SharedSession.open(url, user="alice"), SharedSession.open(url, user="bob")
    yield alice, bob
    alice.close()
    bob.close()


def document_of(session: SharedSession):  # type: ignore[no-untyped-def]
    from fma_app.ui.document import Document, Step

    def commit(step: Step) -> str | None:
        return session.commit(step.kind, step.command, step.changes)

    document = Document(session.model, commit_step=commit)
    document.restore_step = lambda step: session.restore(step.changes)  # as the window does
    return document


def test_a_refused_step_leaves_the_document_as_it_was(qapp, sessions) -> None:
    alice, bob = sessions
    mine, theirs = document_of(alice), document_of(bob)
    fm = min(alice.model.failure_modes)
    assert mine.edit(lambda m: set_fields(m, "failure_mode", fm, severity=8)) is None
    seen: list[list[object]] = []
    theirs.changed.connect(seen.append)
    refusal = theirs.edit(lambda m: set_fields(m, "failure_mode", fm, severity=2))
    assert refusal is not None
    assert "changed by alice" in refusal
    assert theirs.undo_stack.count() == 0
    # The restore re-announces the record it put back (as before the step: 4), nothing else.
    assert seen == [[Change("failure_mode", "changed", (fm,))]]
    seen.clear()
    assert bob.model.failure_modes[fm].severity == 4  # rolled back, not yet fetched
    changes = bob.fetch_remote_changes()
    assert bob.model.failure_modes[fm].severity == 8
    theirs.changed.emit(changes)
    assert seen == [changes]


def test_undo_through_the_document_is_refused_after_someone_else_changed_the_row(
    qapp, sessions
) -> None:
    alice, bob = sessions
    mine, theirs = document_of(alice), document_of(bob)
    fm = min(alice.model.failure_modes)
    assert mine.edit(lambda m: set_fields(m, "failure_mode", fm, severity=8)) is None
    bob.fetch_remote_changes()
    assert theirs.edit(lambda m: set_fields(m, "failure_mode", fm, effect="data loss")) is None
    alice.fetch_remote_changes()
    refusal = mine.undo()
    assert refusal is not None
    assert refusal.startswith("Cannot undo Change Severity: bob changed failure mode")
    assert mine.undo_stack.index() == 1  # still undoable later, nothing moved
    assert alice.model.failure_modes[fm].severity == 8
    assert theirs.undo() is None  # bob's own step, nobody changed it since
    assert bob.model.failure_modes[fm].effect == ""


def test_a_refused_undo_through_the_document_shows_and_keeps_the_servers_value(
    qapp, sessions
) -> None:
    """Review of issue 18, finding 1, through the edit gate the window uses: after the refused
    undo the model holds bob's value (not alice's step again), and alice's next edit of
    another field leaves bob's value on the server."""
    alice, bob = sessions
    mine, theirs = document_of(alice), document_of(bob)
    fm = min(alice.model.failure_modes)
    assert mine.edit(lambda m: set_fields(m, "failure_mode", fm, severity=5)) is None
    bob.fetch_remote_changes()
    assert theirs.edit(lambda m: set_fields(m, "failure_mode", fm, severity=7)) is None
    mine.announce(alice.fetch_remote_changes())
    refusal = mine.undo()
    assert refusal is not None
    assert refusal.startswith("Cannot undo Change Severity: bob changed failure mode")
    assert alice.model.failure_modes[fm].severity == 7
    assert mine.edit(lambda m: set_fields(m, "failure_mode", fm, notes="checked")) is None
    bob.fetch_remote_changes()
    assert (bob.model.failure_modes[fm].severity, bob.model.failure_modes[fm].notes) == (
        7,
        "checked",
    )
    assert mine.undo_stack.index() == 2  # the refused step is still there, undoable later
