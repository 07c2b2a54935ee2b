"""The lock file that warns a second FMA Workbench; stale locks of dead processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from storage_helpers import files_in, run_python

from fma_app.storage import locking
from fma_app.storage.locking import Lock, LockedBy, acquire_lock, lock_path


@pytest.fixture
def model_path(tmp_path):
    return tmp_path / "plant.fma"


def record_of(model_path) -> dict:
    return json.loads(lock_path(model_path).read_text())


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_lock_file_names_user_host_pid_and_time(model_path):
    lock = acquire_lock(model_path)
    assert isinstance(lock, Lock)
    assert lock_path(model_path).name == "plant.fma.lock"
    record = record_of(model_path)
    assert set(record) == {"user", "host", "pid", "time"}
    assert record["pid"] == os.getpid()
    assert record["host"] == socket.gethostname()
    assert record["time"].endswith("Z")
    lock.release()
    assert not lock_path(model_path).exists()
    lock.release()  # twice is harmless


def test_second_acquire_is_told_who_holds_it(model_path):
    with acquire_lock(model_path):
        holder = acquire_lock(model_path)
        assert isinstance(holder, LockedBy)
        record = record_of(model_path)
        assert (holder.user, holder.host, holder.pid, holder.time) == (
            record["user"], record["host"], record["pid"], record["time"],
        )  # fmt: skip
        # The time is the reader's local time (tested below), not the stored UTC text.
        assert holder.describe(tz=dt.UTC) == (
            f"{record['user']} on {record['host']}, process {record['pid']}, since "
            f"{record['time'][11:16]} today"
        )
    assert not lock_path(model_path).exists()


HOLDER = """
import sys
from fma_app.storage.locking import acquire_lock
lock = acquire_lock(sys.argv[1])
print("LOCKED" if hasattr(lock, "release") else "REFUSED", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_a_live_process_keeps_its_lock(model_path):
    from storage_helpers import ROOT

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(model_path)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "LOCKED\n"
        refused = acquire_lock(model_path)
        assert isinstance(refused, LockedBy)
        assert refused.pid == holder.pid
        assert record_of(model_path)["pid"] == holder.pid
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
    assert not lock_path(model_path).exists()  # released on its way out


def test_stale_lock_of_a_dead_process_on_this_host_is_taken_over(model_path):
    pid = dead_pid()
    stale = {"user": "bob", "host": socket.gethostname(), "pid": pid, "time": "2026-01-01T00:00Z"}
    lock_path(model_path).write_text(json.dumps(stale))
    lock = acquire_lock(model_path)
    assert isinstance(lock, Lock)
    assert record_of(model_path)["pid"] == os.getpid()
    lock.release()


def test_lock_from_another_host_is_respected(model_path):
    other = {"user": "carol", "host": "elsewhere.example", "pid": dead_pid(), "time": "t"}
    lock_path(model_path).write_text(json.dumps(other))
    holder = acquire_lock(model_path)
    assert isinstance(holder, LockedBy)
    assert (holder.user, holder.host) == ("carol", "elsewhere.example")
    assert json.loads(lock_path(model_path).read_text()) == other


def test_release_does_not_remove_a_lock_someone_else_took(model_path):
    lock = acquire_lock(model_path)
    theirs = {"user": "dan", "host": "h", "pid": 1, "time": "t"}
    lock_path(model_path).write_text(json.dumps(theirs))
    lock.release()
    assert json.loads(lock_path(model_path).read_text()) == theirs


def test_unreadable_lock_is_respected_while_fresh_and_taken_over_when_old(model_path):
    lock_path(model_path).write_text("")  # someone mid-write, or garbage
    holder = acquire_lock(model_path)
    assert isinstance(holder, LockedBy)
    assert holder.user == "unknown user"
    old = time.time() - locking.UNREADABLE_GRACE_SECONDS - 10
    os.utime(lock_path(model_path), (old, old))
    lock = acquire_lock(model_path)
    assert isinstance(lock, Lock)
    lock.release()
    assert files_in(model_path.parent) == []  # no temp files of the lock left either


def test_read_only_folder_raises_os_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    code = (
        "import sys; from fma_app.storage.locking import acquire_lock\n"
        "try:\n    acquire_lock(sys.argv[1]); print('LOCKED')\n"
        "except OSError as error:\n    print(type(error).__name__)\n"
    )
    try:
        result = run_python(code, str(folder / "plant.fma"), unprivileged=True)
    finally:
        folder.chmod(0o755)
    assert result.stdout.strip() == "PermissionError", result.stderr
    assert files_in(folder) == []


KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")  # no summer time to dodge


@pytest.mark.parametrize(
    ("stored", "now", "expected"),
    [
        ("2026-11-30T08:33:00Z", dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC), "14:03 today"),
        # 20:00 UTC on the 29th is already the 30th in Kolkata: "today" is the local date.
        ("2026-11-29T20:00:00Z", dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC), "01:30 today"),
        ("2026-11-29T08:33:00Z", dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC), "14:03 yesterday"),
        (
            "2026-11-02T08:33:00Z",
            dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC),
            "14:03 on Mon 2 Nov 2026",
        ),
        (
            "2026-11-30T08:33:00+00:00",
            dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
            "14:03 today",
        ),
        ("not a time", dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), "not a time"),
    ],
)
def test_lock_time_is_shown_in_the_readers_local_time(stored, now, expected):
    assert locking.local_time_text(stored, now=now, tz=KOLKATA) == expected


def test_lock_prompt_uses_the_systems_time_zone_by_default():
    """With TZ set for the process (as a user's desktop sets it), the stored UTC time is
    converted to that zone; a holder seen at 08:33 UTC reads 14:03 in Kolkata."""
    code = (
        "import datetime as dt\n"
        "from fma_app.storage.locking import LockedBy\n"
        "holder = LockedBy(None, 'ana', 'ws-7', 4242, '2026-11-30T08:33:00Z')\n"
        "print(holder.describe(now=dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "TZ": "Asia/Kolkata"},
    )  # fmt: skip
    assert result.stdout.strip() == "ana on ws-7, process 4242, since 14:03 today"
