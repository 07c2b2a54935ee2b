"""How long a window waits for the server: a server process that stops answering (stopped,
swapped out, a hung disk) must turn into a lost connection within seconds, not hold the window.

libpq's keepalives and `tcp_user_timeout` (store.TCP_SETTINGS) notice a network that drops, but
not a server process that stopped on a live host: its kernel still acknowledges every packet.
So an interactive session gives its statements two limits:
- `statement_timeout` on the server: a statement that runs or waits (for a lock another writer
  holds) too long is cancelled by the server, a refusal the session survives;
- a watchdog on the client, a little later: when the server has not answered at all, the
  watchdog shuts the socket down, libpq's wait ends with a lost connection, and the window goes
  offline and reconnects on its own (the server rolls back what the transaction began).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

from fma_app.storage.shared.location import SharedLocation

# The server cancels a statement of an interactive session after this long (seconds) ...
STATEMENT_TIMEOUT_S = 5.0
# ... and the client gives up on a server that has not answered this much later.
WATCHDOG_GRACE_S = 3.0


def user_sets_statement_timeout(location: SharedLocation) -> bool:
    """Whether the URL (its `options`) or PGOPTIONS already set statement_timeout."""
    written = dict(location.query).get("options", "") + os.environ.get("PGOPTIONS", "")
    return "statement_timeout" in written


def set_statement_timeout(conn: Any, location: SharedLocation, seconds: float | None) -> None:
    """`SET statement_timeout` for this connection, unless the user set one."""
    if seconds is None or user_sets_statement_timeout(location):
        return
    conn.execute(f"SET statement_timeout = {int(seconds * 1000)}")


@contextlib.contextmanager
def answer_within(conn: Any, seconds: float | None) -> Iterator[None]:
    """Cut the connection when the block has not finished after `seconds` (None: no limit):
    a statement blocked on a server that does not answer then fails as a lost connection."""
    if seconds is None:
        yield
        return
    timer = threading.Timer(seconds, _cut, args=(conn,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _cut(conn: Any) -> None:
    """Shut the connection's socket down under libpq (from another thread): its blocked read
    returns at once with 'server closed the connection unexpectedly'."""
    with contextlib.suppress(Exception):
        duplicate = socket.socket(fileno=os.dup(conn.fileno()))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()
