"""Resilience in the model file: targets, faults, probes, mitigations, runbooks, experiment
records and the model's identity survive save and open; the step from the schema before them
runs on a real file of that schema; rows that break the domain's rules are refused by name."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import full_model, snapshot

from fma_app.domain.commands import edit_resilience
from fma_app.domain.resilience import (
    ChaosTarget,
    ExperimentRecord,
    Fault,
    Resilience,
    SteadyStateProbe,
)
from fma_app.storage import ModelFileError, compiled_sql, open_model, read_info, save_model

PREVIOUS = 5  # the schema before resilience (schema 6); row versions came after it
FIXTURE = Path(__file__).parent / "fixtures" / f"model_v{PREVIOUS}.fma"


def resilient_model():
    model = full_model("Resilient")
    first, second = list(model.components.values())[:2]
    first.chaos_target = ChaosTarget.checked(
        "kubernetes", namespace="shop", selector="app=api,tier=web", deployment="api",
        cluster="shop-eks",
    )  # fmt: skip
    second.chaos_target = ChaosTarget.checked(
        "aws", resource_type="rds-cluster", resource_ids=["db-1", "db-2"]
    )
    fm_a, fm_b = list(model.failure_modes.values())[:2]
    fm_a.resilience = Resilience.checked(
        fault=Fault.checked("latency", 90, 250),
        hypothesis="Checkout fails over within 5 s.\nSecond line.",
        probe=SteadyStateProbe.checked(
            "prometheus", "http://prom:9090", query="sum(up)", threshold=0.25, timeout_s=7
        ),
        mitigations="circuit breaker; retry with backoff (planned)",
        runbook="https://runbooks.example/checkout",
        experiment=ExperimentRecord.checked("failed", "2026-11-30", "journals/run-1.json"),
    )
    fm_b.resilience = Resilience.checked(runbook="file:///srv/runbooks/db.md")  # runbook only
    return model


def test_resilience_and_identity_survive_save_and_open(tmp_path):
    model = resilient_model()
    path = tmp_path / "m.fma"
    save_model(model, path)
    opened = open_model(path)
    assert opened.content() == model.content()
    assert opened.uuid == model.uuid
    fm = opened.failure_modes[next(iter(model.failure_modes))]
    assert fm.resilience.probe.threshold == 0.25
    assert fm.resilience.experiment.date == dt.date(2026, 11, 30)
    assert read_info(path).schema_version == compiled_sql.SCHEMA_VERSION
    with sqlite3.connect(path) as conn:  # only what has resilience gets a row
        assert conn.execute("SELECT count(*) FROM resilience").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM chaos_targets").fetchone()[0] == 2


def test_an_undone_edit_saves_as_before(tmp_path):
    model = resilient_model()
    fm_id = list(model.failure_modes)[1]  # holds a runbook only
    command = edit_resilience(model, fm_id, fault=Fault.checked("dns failure", 30))
    assert command.text == "Change Fault"
    command.do(model)
    assert model.failure_modes[fm_id].resilience.fault.kind.value == "dns failure"
    command.undo(model)
    path = tmp_path / "m.fma"
    save_model(model, path)
    reopened = open_model(path).failure_modes[fm_id].resilience
    assert reopened == Resilience(runbook="file:///srv/runbooks/db.md")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE resilience SET fault_magnitude = NULL WHERE fault = 'latency'",
         "resilience row {fm}: fault 'latency' needs its latency (ms)"),
        ("UPDATE resilience SET probe_url = 'ftp://x' WHERE probe IS NOT NULL",
         "resilience row {fm}: probe URL 'ftp://x' must start with http:// or https://"),
        ("UPDATE resilience SET mitigations = 'prayer' WHERE fault IS NOT NULL",
         "resilience row {fm}: mitigation 'prayer' is not one of"),
        ("UPDATE chaos_targets SET namespace = '' WHERE platform = 'kubernetes'",
         "chaos_targets row {component}: a kubernetes target needs a namespace"),
        ("UPDATE model_identity SET uuid = 'not-a-uuid-but-36-characters-long-xx'",
         "model_identity row 1: model identity 'not-a-uuid-but-36-characters-long-xx' is not"),
    ],
)  # fmt: skip
def test_rows_that_break_domain_rules_are_refused_by_open_and_info(tmp_path, statement, message):
    model = resilient_model()
    path = tmp_path / "m.fma"
    save_model(model, path)
    with sqlite3.connect(path) as conn:
        conn.execute(statement)
    expected = message.format(
        fm=next(iter(model.failure_modes)), component=next(iter(model.components))
    )
    before = snapshot(path)
    for reader in (open_model, read_info):
        with pytest.raises(ModelFileError, match="cannot open") as caught:
            reader(path)
        assert expected in str(caught.value)
        assert caught.value.reason == "invalid"
    assert snapshot(path) == before


@pytest.fixture
def old_file(tmp_path) -> Path:
    copy = tmp_path / "old.fma"
    shutil.copy2(FIXTURE, copy)
    return copy


def test_the_fixture_is_the_schema_before_resilience():
    assert read_info(FIXTURE).schema_version == PREVIOUS


def test_an_old_file_gains_a_stable_identity_and_no_resilience(old_file):
    before = snapshot(old_file)
    first, second = open_model(old_file), open_model(old_file)
    assert first.content() == full_model("Before resilience").content()
    # The file is never written on open: the identity comes from its rows, the same each time.
    assert first.uuid == second.uuid
    assert snapshot(old_file) == before
    assert all(fm.resilience.is_empty for fm in first.failure_modes.values())
    assert all(c.chaos_target is None for c in first.components.values())


def test_a_migrated_file_saves_with_its_identity_and_resilience(old_file):
    model = open_model(old_file, read_only=False)
    identity = model.uuid
    fm_id = next(iter(model.failure_modes))
    edit_resilience(model, fm_id, runbook="https://runbooks.example/x").do(model)
    save_model(model, old_file)
    with sqlite3.connect(old_file) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == compiled_sql.SCHEMA_VERSION
    reopened = open_model(old_file)
    assert reopened.uuid == identity
    assert reopened.failure_modes[fm_id].resilience.runbook == "https://runbooks.example/x"
