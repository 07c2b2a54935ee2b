"""Shared test set-up: Qt runs offscreen so the suite needs no display, and a small hand-made
model for the tests of every layer (Qt-free: the presentation tests run without PySide6)."""

from __future__ import annotations

import copy
import os

import pytest

from fma_app.domain.model import Model, Scores

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")


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
