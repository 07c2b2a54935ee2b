"""Shared test set-up: Qt runs offscreen so the suite needs no display, and a small hand-made
model for the tests of every layer (Qt-free: the presentation tests run without PySide6), and a
real PostgreSQL server for team mode (`pg_server`, `pg_url`: see tests/pg_server.py)."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from pg_server import PgServer, find_binaries

from fma_app.domain.model import Model, Scores

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

# The machines are shared and noisy (2 cores): Hypothesis's deadline and "too slow" health check
# are timings, and a property test must fail on its property, never on the load (seen in
# tests/cli/test_rank_json.py under load). Tests that set their own settings keep them.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


def build_small_model() -> Model:
    """Three components, five failure modes with known scores, two actions."""
    model = Model(name="Shop")
    api = model.add_component("api")
    db = model.add_component("database", "database")
    model.add_component("cache", "cache")
    model.add_failure_mode(
        api.id, function="Serve checkout", failure_mode="Timeout", effect="Checkout fails",
        cause="Slow database", severity=8, likelihood=5, detection=4,
    )  # fmt: skip
    model.add_failure_mode(
        api.id, function="Serve checkout", failure_mode="Crash loop", effect="Outage",
        cause="Bad deploy", severity=9, likelihood=2, detection=2, revised=Scores(9, 1, 2),
    )  # fmt: skip
    model.add_failure_mode(
        api.id, function="Auth", failure_mode="Token expiry", effect="Users logged out",
        cause="Clock drift", severity=3, likelihood=3, detection=3,
    )  # fmt: skip
    slow = model.add_failure_mode(
        db.id, function="Store orders", failure_mode="Disk full", effect="Writes fail",
        cause="No retention", severity=10, likelihood=10, detection=10,
    )  # fmt: skip
    model.add_failure_mode(
        db.id, function="Store orders", failure_mode="Replica lag", effect="Stale reads",
        cause="Network", severity=2, likelihood=9, detection=1,
    )  # fmt: skip
    model.add_action(slow.id, "Add retention job", owner="ops", status="done")
    model.add_action(slow.id, "Alert at 80% disk", owner="ops")
    return model


@pytest.fixture
def small_model() -> Model:
    return build_small_model()


@pytest.fixture
def snapshot():
    """Deep copy of a model's content, to compare with after undo or a refused edit."""

    def take(model: Model) -> dict[str, object]:
        return copy.deepcopy(model.content())

    return take


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the whole session, stopped at the end; the tests that use
    it are skipped only when the server's binaries are not installed."""
    if find_binaries() is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    server = PgServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh empty database for one test: postgresql://postgres@127.0.0.1:PORT/DBNAME (no
    ?model=; tests add it)."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
