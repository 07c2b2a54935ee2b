"""What the desktop app uses of a shared model's session, and how it opens one.

`SharedSessionLike` is the part of `fma_app.storage.shared.session.SharedSession` the window
calls; `open_real_session` opens the real one (psycopg loads only then). The app's context
carries the opener, so tests give the window a stand-in and the real server tests the real one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from fma_app.domain.commands import Change, Command
from fma_app.domain.model import Model
from fma_app.storage.shared.location import SharedLocation
from fma_app.ui.shared_history import HistoryEntryLike

if TYPE_CHECKING:
    from fma_app.storage.shared.store import SharedModelInfo


class SharedSessionLike(Protocol):
    """What the window uses of `fma_app.storage.shared.session.SharedSession`."""

    model: Model
    location: SharedLocation
    user: str

    @property
    def is_connected(self) -> bool: ...

    def commit(self, step_kind: str, command: Command, changes: list[Change]) -> str | None: ...

    def restore(self, changes: list[Change]) -> list[Change]: ...

    def fetch_remote_changes(self) -> list[Change]: ...

    def notification_socket(self) -> int: ...

    def others(self) -> list[str]: ...

    def presence_changed(self) -> bool: ...

    def history(
        self, *, component_id: int | None = None, user: str | None = None
    ) -> Sequence[HistoryEntryLike]: ...

    def reconnect(self) -> bool: ...

    def close(self) -> None: ...


OpenSession = Callable[[SharedLocation, str | None], SharedSessionLike]
ListModels = Callable[[SharedLocation, str | None], "list[SharedModelInfo]"]


def open_real_session(location: SharedLocation, password: str | None) -> SharedSessionLike:
    from fma_app.storage.shared.session import SharedSession  # psycopg loads with it

    session: SharedSessionLike = SharedSession.open(location, password=password, interactive=True)
    return session


def list_real_models(location: SharedLocation, password: str | None) -> list[SharedModelInfo]:
    from fma_app.storage.shared.store import list_models  # psycopg loads with it

    return list_models(location, password=password)
