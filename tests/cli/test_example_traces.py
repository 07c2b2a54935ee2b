"""The trace file shipped with the example: what the generator writes, and what it adds to the
example model (its components carry the services' names as aliases)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.generate_traces import main as generate
from fma_app.cli import main
from fma_app.resources import example_traces_path


def test_the_shipped_file_is_what_the_generator_writes(tmp_path):
    fresh = tmp_path / "traces.jsonl.gz"
    assert generate([str(fresh)]) == 0
    assert fresh.read_bytes() == example_traces_path().read_bytes(), (
        "regenerate it: python -m benchmarks.generate_traces "
        "resources/example/payments-traces.jsonl.gz"
    )


def test_merging_the_example_traces_into_the_example(tmp_path, capsys):
    model = tmp_path / "payments.fma"
    assert main(["demo", "-o", str(model)]) == 0
    capsys.readouterr()
    argv = ["import-traces", str(example_traces_path()), "--merge", str(model)]
    assert main([*argv, "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in plan["components_added"]] == ["risk-rules"]
    assert [(d["from"], d["to"]) for d in plan["dependencies_added"]] == [
        ("Fraud scoring", "risk-rules"),  # a service the model does not have yet
        ("Tokenisation vault", "Ledger primary"),  # a call the model missed
    ]
    assert len(plan["statistics_updated"]) == 10
    assert plan["entry_point_candidates"] == ["Payments API gateway"]
    unseen = {(d["from"], d["to"]) for d in plan["dependencies_not_seen"]}
    assert ("Merchant dashboard", "Auth service") in unseen
    assert ("Payment authorisation", "Fraud scoring") not in unseen
    assert main(argv) == 0  # the same file again: nothing to do
    assert "already has all of it: nothing written" in capsys.readouterr().out
    assert Path(model).exists()
