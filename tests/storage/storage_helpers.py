"""Helpers of the storage tests: a model that uses every field, file snapshots, subprocesses."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fma_app.domain.model import Model, Scores

ROOT = Path(__file__).resolve().parents[2]


def full_model(name: str = "Checkout platform") -> Model:
    """Every field set at least once, ids with gaps, odd text, revised and unrevised scores."""
    model = Model(name=name, description="Card payments\nsecond line, tab\there")
    gateway = model.add_component(
        "API gateway", "service", owner="edge", x=-12.5, y=300.25, user_facing=True,
        description="Entry point ✓ — עברית, e\u0301, 🚀",
    )  # fmt: skip
    model.new_id()  # a gap in the ids, as deletions leave
    ledger = model.add_component("Ledger DB", "database", owner="payments", x=1e6, y=0.0)
    cache = model.add_component("Redis", "cache", description="NUL \x00 and \x07 bell")
    model.add_dependency(gateway.id, ledger.id, "strong", description="writes", group="")
    model.add_dependency(gateway.id, cache.id, "weak", group="sessions")
    timeout = model.add_failure_mode(
        gateway.id, function="Route requests", failure_mode="Timeout", effect="Checkout fails",
        cause="Slow ledger", prevention_controls="Timeouts", detection_controls="p99 alert",
        notes="x" * 1000, severity=9, likelihood=4, detection=3, revised=Scores(9, 2, 2),
    )  # fmt: skip
    model.add_failure_mode(ledger.id, failure_mode="Disk full", severity=10, likelihood=1,
                           detection=10)  # fmt: skip
    model.add_action(timeout.id, "Add circuit breaker", owner="alice",
                     due_date=dt.date(2026, 3, 31), status="in progress")  # fmt: skip
    model.add_action(timeout.id, "Load test", status="done", action_taken="Ran at 3x peak")
    model.new_id()  # a _next_id beyond the largest id survives the round trip
    return model


def v3_fixture_model() -> Model:
    """What `fixtures/model_v3.fma` holds, written by the schema 3 code (commit d1b5099): every
    field of schema 3 (availability, an SLO and its window, a group that needs 2 of 2), so the
    step to schema 4 is seen to keep them. Uses only what schema 3's code had."""
    from fma_app.domain.commands import set_group_needs

    model = full_model("Version 3 fixture")
    gateway = model.component_by_name("API gateway")
    ledger = model.component_by_name("Ledger DB")
    assert gateway is not None
    assert ledger is not None
    gateway.slo, gateway.slo_window_days = 0.999, 28
    ledger.availability = 0.9995
    region_a = model.add_component("Region A", "host", availability=0.99)
    region_b = model.add_component("Region B", "host", availability=0.99)
    model.add_dependency(gateway.id, region_a.id, "strong", group="regions")
    model.add_dependency(gateway.id, region_b.id, "strong", group="regions")
    set_group_needs(model, gateway.id, "regions", 2).do(model)
    return model


def snapshot(path: Path) -> tuple[bytes, int]:
    """Bytes and modification time: a refused or failed file must keep both."""
    return path.read_bytes(), path.stat().st_mtime_ns


def files_in(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


# Root ignores file modes; without these capabilities it obeys them like any user.
DROP_PRIVILEGES = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def run_python(code: str, *args: str, unprivileged: bool = False, **kwargs):
    """Run code in a fresh interpreter; `unprivileged` makes permission checks apply to root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        prefix = DROP_PRIVILEGES
    return subprocess.run(
        [*prefix, sys.executable, "-c", code, *args],
        capture_output=True, text=True, env=env, timeout=120, **kwargs,
    )  # fmt: skip


def v6_fixture_model() -> Model:
    """What `fixtures/model_v6.fma` holds, written by the schema 6 code (main at 661f6f7, see
    fixtures/make_v6_fixture.py): every table of schema 6 with rows (aliases, observed calls,
    a group that needs 2 of 2, a chaos target, resilience), so the step to schema 7 (row
    versions) is seen to keep them all."""
    from fma_app.domain.model import ObservedCalls
    from fma_app.domain.resilience import ChaosTarget, Fault, Resilience

    model = v3_fixture_model()
    model.name = "Version 6 fixture"
    gateway = model.component_by_name("API gateway")
    assert gateway is not None
    gateway.aliases = ("api-gw", "gateway.prod")
    gateway.chaos_target = ChaosTarget.checked("kubernetes", namespace="shop", deployment="api")
    first = next(iter(model.dependencies.values()))
    first.observed = ObservedCalls(
        calls=1200, errors=3, p50_ms=12.5, p99_ms=80.0,
        first_seen=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        last_seen=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    timeout = next(iter(model.failure_modes.values()))
    timeout.justification = "Breaker tested monthly"
    timeout.resilience = Resilience.checked(
        fault=Fault.checked("latency", 90, 250), hypothesis="Fails over in 5 s"
    )
    model.uuid = "7d8f6c2e-2b6a-4d3e-9c51-0a1b2c3d4e5f"
    return model
