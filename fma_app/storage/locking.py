"""A lock file beside an open model, so a second FMA Workbench warns instead of overwriting.

`<model>.lock` (for `plant.fma`, `plant.fma.lock`) holds one JSON object: user, host, pid and
time (ISO 8601, UTC). It is advisory: it tells people, it does not stop a determined program. A
lock left by a process that died on this host is taken over; a lock from another host is
always respected (its process cannot be checked from here).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_SUFFIX = ".lock"
# An unreadable lock younger than this may be one being written right now (file systems without
# hard links); older, it is garbage and is taken over.
UNREADABLE_GRACE_SECONDS = 5.0


def lock_path(model_path: str | os.PathLike[str]) -> Path:
    path = Path(model_path)
    return path.with_name(path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class LockedBy:
    """The model is open elsewhere: who holds it, as the lock file says."""

    path: Path  # the lock file
    user: str
    host: str
    pid: int
    time: str

    def describe(self, now: dt.datetime | None = None, tz: dt.tzinfo | None = None) -> str:
        """Who holds the model and since when, the time in the reader's local time (`tz`,
        the system's zone by default) rather than the UTC the file stores."""
        since = local_time_text(self.time, now=now, tz=tz)
        return f"{self.user} on {self.host}, process {self.pid}, since {since}"


def local_time_text(
    stored: str, now: dt.datetime | None = None, tz: dt.tzinfo | None = None
) -> str:
    """A lock's ISO 8601 UTC time as a person reads it in their zone: "14:03 today",
    "09:15 yesterday" or "14:03 on Mon 2 Nov 2026". A time that does not parse is shown as
    stored (a lock from an unknown program still tells what it holds)."""
    try:
        moment = dt.datetime.fromisoformat(stored.strip().replace("Z", "+00:00"))
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # the file stores UTC
    local = moment.astimezone(tz)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{clock} today"
    if local.date() == today - dt.timedelta(days=1):
        return f"{clock} yesterday"
    return f"{clock} on {local.strftime('%a')} {local.day} {local.strftime('%b %Y')}"


@dataclass
class Lock:
    """This process holds the model's lock until `release()` (also on leaving a with block)."""

    path: Path  # the lock file
    record: dict[str, object]

    def release(self) -> None:
        """Remove the lock file if it is still ours; safe to call more than once."""
        if _read_record(self.path) == self.record:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def acquire_lock(model_path: str | os.PathLike[str]) -> Lock | LockedBy:
    """Take the model's lock, or say who holds it. Raises OSError if no lock file can be made
    (a read-only folder): the caller then opens without a lock, read-only."""
    path = lock_path(model_path)
    record = _my_record()
    for _attempt in range(5):
        if _create(path, record):
            return Lock(path, record)
        current = _read_record(path)
        if current is None and not _unreadable_is_stale(path):
            return LockedBy(path, "unknown user", "unknown host", 0, "unknown time")
        if current is not None and not _is_stale(current):
            return _holder(path, current)
        _remove_if_unchanged(path, current)
    holder = _read_record(path) or {}
    return _holder(path, holder)


def _my_record() -> dict[str, object]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "user": _user(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "time": now.isoformat().replace("+00:00", "Z"),
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no USER variable (some containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown user"


def _create(path: Path, record: dict[str, object]) -> bool:
    """Create the lock file with its content in one step; False if it already exists.

    The record is written to a private temp file and hard-linked into place, so nobody ever sees
    an empty or half-written lock. Where hard links are not supported, O_EXCL is the fallback.
    """
    data = json.dumps(record).encode()
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    with open(temp, "xb") as stream:
        stream.write(data)
    try:
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        return _create_exclusive(path, data)
    finally:
        temp.unlink(missing_ok=True)


def _create_exclusive(path: Path, data: bytes) -> bool:
    try:
        with open(path, "xb") as stream:
            stream.write(data)
    except FileExistsError:
        return False
    return True


def _read_record(path: Path) -> dict[str, object] | None:
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return None
    return record


def _holder(path: Path, record: dict[str, object]) -> LockedBy:
    pid = record.get("pid")
    return LockedBy(
        path,
        str(record.get("user", "unknown user")),
        str(record.get("host", "unknown host")),
        pid if isinstance(pid, int) else 0,
        str(record.get("time", "unknown time")),
    )


def _is_stale(record: dict[str, object]) -> bool:
    """A lock of a process on this host that no longer runs."""
    pid = record.get("pid")
    if record.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    return not process_alive(pid)


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def _unreadable_is_stale(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > UNREADABLE_GRACE_SECONDS
    except FileNotFoundError:
        return True  # gone meanwhile: try again


def _remove_if_unchanged(path: Path, seen: dict[str, object] | None) -> None:
    """Remove a stale lock, unless another process replaced it since we read it."""
    if _read_record(path) != seen:
        return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
