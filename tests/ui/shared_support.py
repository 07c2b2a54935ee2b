"""A stand-in for a shared session, for the window's logic without a server: it commits into
its own copy of the model (the "server"), refuses or goes away when told, and notifies through
a real socket so the window's QSocketNotifier is the one that fires. The tests against a real
PostgreSQL (test_shared_server.py) cover the real session."""

from __future__ import annotations

import copy
import datetime as dt
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from fma_app.domain.commands import Change, Command
from fma_app.domain.model import Model
from fma_app.domain.records import clone_model
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.storage.shared.errors import (
    PasswordRejected,
    PasswordRequired,
    ServerUnavailable,
    SharedStoreError,
)
from fma_app.storage.shared.location import SharedLocation
from fma_app.storage.shared.session import restore_from_shadow
from fma_app.storage.shared.store import SharedModelInfo

SECRET = "hunter2-Secret"
URL_WITH_PASSWORD = f"postgresql://alice:{SECRET}@db.example.com:5432/fma?model=shop"
URL = "postgresql://alice@db.example.com:5432/fma?model=shop"


@dataclass(frozen=True)
class Entry:
    """As fma_app.storage.shared.history.HistoryEntry shows itself."""

    user: str
    at: dt.datetime
    item: str
    field_label: str
    old_text: str
    new_text: str
    component_id: int
    op: str = "changed"
    old: object = None
    new: object = None


class FakeSession:
    def __init__(self, model: Model, location: SharedLocation, user: str = "alice"):
        self.model, self.location, self.user = model, location, user
        self.shadow = clone_model(model)  # the "server" as this session knows it
        self.refusals: dict[str, str] = {}  # step kind -> refusal text
        self.available = True
        self.lose_during_commit = False
        self.refuse_reads: str | None = None  # fetch and others raise SharedStoreError(this)
        self.reconnects = 0
        self.reconnect_gate: threading.Event | None = None
        self.closed = False
        self.committed: list[tuple[str, str]] = []
        self.others_open: list[str] = []
        self.history_calls: list[tuple[int | None, str | None]] = []
        self.entries: list[Entry] = []
        self._pending: list[Callable[[Model], list[Change]]] = []
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)

    @property
    def is_connected(self) -> bool:
        return self.available

    def _check(self) -> None:
        if not self.available:
            raise ServerUnavailable(f"the connection to {self.location.server} was lost")

    def _check_read(self) -> None:
        self._check()
        if self.refuse_reads is not None:
            raise SharedStoreError(self.refuse_reads)

    def commit(self, step_kind: str, command: Command, changes: list[Change]) -> str | None:
        self._check()
        if self.lose_during_commit:  # as the real session: it refuses and is disconnected
            self.available = False
            return "Not saved: the connection to the server was lost; nothing was written"
        if step_kind in self.refusals:
            return self.refusals.pop(step_kind)
        self.committed.append((step_kind, command.text))
        self.shadow = clone_model(self.model)
        return None

    def restore(self, changes: list[Change]) -> list[Change]:
        return restore_from_shadow(self.model, self.shadow, changes)

    def someone_else(self, edit: Callable[[Model], list[Change]]) -> None:
        """Another person commits `edit`; the notification goes out on the socket."""
        self._pending.append(edit)
        self._writer.send(b"!")

    def fetch_remote_changes(self) -> list[Change]:
        self._check_read()
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass
        changes: list[Change] = []
        while self._pending:
            changes += self._pending.pop(0)(self.model)
        self.shadow = clone_model(self.model)
        return changes

    def notification_socket(self) -> int:
        self._check()
        return self._reader.fileno()

    def others(self) -> list[str]:
        self._check_read()
        return list(self.others_open)

    def presence_changed(self) -> bool:
        return False  # who is open changes only at a poll here

    def history(self, *, component_id: int | None = None, user: str | None = None) -> list[Entry]:
        self._check()
        self.history_calls.append((component_id, user))
        return [
            entry
            for entry in self.entries
            if (component_id is None or entry.component_id == component_id)
            and (user is None or entry.user == user)
        ]

    def reconnect(self) -> bool:
        self.reconnects += 1
        if self.reconnect_gate is not None:  # a server slow to answer
            self.reconnect_gate.wait(10)
        return self.available

    def close(self) -> None:
        self.closed = True
        self._reader.close()
        self._writer.close()


class FakeServer:
    """Opens FakeSessions over copies of one model; may want a password first."""

    def __init__(self, model: Model, *, password: str | None = None):
        self.model = model
        self.password = password
        self.opened: list[tuple[str, str | None]] = []  # (display, password given)
        self.sessions: list[FakeSession] = []
        self.unavailable = False
        self.listed: list[tuple[str, str | None]] = []
        self.models = [
            SharedModelInfo(
                "checkout", "Checkout", dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), "bob"
            ),
            SharedModelInfo(
                "shop", "Shop", dt.datetime(2026, 12, 1, 8, 15, tzinfo=dt.UTC), "alice"
            ),
        ]

    def list_models(self, location: SharedLocation, password: str | None) -> list[SharedModelInfo]:
        self.listed.append((location.display, password))
        self._check(location, password)
        return list(self.models)

    def _check(self, location: SharedLocation, password: str | None) -> None:
        if self.unavailable:
            raise ServerUnavailable(f"{location.server} cannot be reached: connection refused")
        given = password or location.password
        if self.password is not None and given != self.password:
            server = location.display
            if given is None:
                raise PasswordRequired(f"{server} asks for a password", server=server)
            raise PasswordRejected(f"password authentication failed on {server}", server=server)

    def __call__(self, location: SharedLocation, password: str | None) -> FakeSession:
        self.opened.append((location.display, password))
        self._check(location, password)
        session = FakeSession(copy.deepcopy(self.model), location)
        self.sessions.append(session)
        return session


def shown(window, fm_id: int, key: str) -> object:
    """What the worksheet shows in a failure mode's cell."""
    model = window.worksheet.model
    row = model.row_of(fm_id)
    assert row is not None
    return model.data(model.index(row, COLUMN_INDEX[key]))
