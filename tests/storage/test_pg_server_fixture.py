"""The real PostgreSQL server of the tests: trust for the admin role, a password for the other."""

from __future__ import annotations

import psycopg
import pytest
from pg_server import PASSWORD, PgServer


def test_fresh_database_per_test_is_empty_and_reachable(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_password_role_needs_its_password(pg_server: PgServer, pg_url: str) -> None:
    database = pg_url.rsplit("/", 1)[1]
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(pg_server.password_url(database)).close()
    with psycopg.connect(pg_server.password_url(database), password=PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("fma_secret_role",)


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_the_server_stops_when_the_test_process_is_killed(signal_name: str) -> None:
    """Review of issue 18, finding 5: pg_ctl runs postgres in the background, and a killed
    pytest (a CI timeout's SIGTERM) never reached the fixture's `finally`: the server kept
    running with its folder. The server's watchdog stops it when its starter dies."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    starter = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pg_server import PgServer; s = PgServer.start();"
         " print(s.port, s.folder, flush=True); time.sleep(300)"],
        cwd=tests, env={**os.environ, "PYTHONPATH": str(tests)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert starter.stdout is not None
        port, folder = starter.stdout.readline().split()
        conninfo = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
        psycopg.connect(conninfo, connect_timeout=5).close()  # it runs
        starter.send_signal(getattr(signal, signal_name))
        starter.wait(timeout=30)
        deadline = time.monotonic() + 30
        while Path(folder).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(folder).exists()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(conninfo, connect_timeout=5).close()
    finally:
        starter.kill()
        starter.wait(timeout=30)
        if starter.stdout is not None:
            starter.stdout.close()
