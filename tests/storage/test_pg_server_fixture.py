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
