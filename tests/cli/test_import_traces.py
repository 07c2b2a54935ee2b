"""`fma-app import-traces`: real trace files in, real model files out."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from benchmarks.generate_traces import shop_otlp
from fma_app.cli import main
from fma_app.domain.model import Model
from fma_app.storage import open_model, save_model
from fma_app.storage.locking import acquire_lock, lock_path

FIXTURES = Path(__file__).parents[1] / "reports" / "fixtures" / "traces"
JSON_KEYS = {
    "components_added", "dependencies_added", "dependencies_not_seen",
    "components_without_failure_modes", "entry_point_candidates", "observed_from", "observed_to",
}  # fmt: skip


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("traces") / "shop.json"
    path.write_text(json.dumps(shop_otlp(requests=10)))
    return path


def run_json(capsys, *argv: str) -> dict:
    assert main([*argv, "--format", "json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def team_model(path: Path) -> Model:
    model = Model(name="Shop")
    front = model.add_component("Storefront", aliases=["frontend"], user_facing=True)
    checkout = model.add_component("Checkout")
    hsm = model.add_component("HSM", kind="host")
    model.add_dependency(front.id, checkout.id, "weak")
    model.add_dependency(checkout.id, hsm.id)
    model.add_failure_mode(checkout.id, failure_mode="Timeout", severity=7, likelihood=3,
                           detection=2)  # fmt: skip
    save_model(model, path)
    return model


def test_builds_a_new_model(tmp_path, shop_file, capsys):
    output = tmp_path / "shop.fma"
    assert main(["import-traces", str(shop_file), "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert "added 8 components:" in out
    assert "checkout -> payments (strong; 10 calls, 2 errors, p50" in out
    assert "Counts are what the sampled traces held" in out
    model = open_model(output)
    assert len(model.components) == 8
    assert len(model.dependencies) == 7
    assert model.component_by_name("frontend").user_facing


def test_json_has_the_keys_of_the_issue(tmp_path, shop_file, capsys):
    data = run_json(capsys, "import-traces", str(shop_file), "-o", str(tmp_path / "m.fma"),
                    "--dry-run")  # fmt: skip
    assert set(data) >= JSON_KEYS
    added = {(d["from"], d["to"]): d for d in data["dependencies_added"]}
    pay = added[("checkout", "payments")]
    assert set(pay) >= {"from", "to", "calls", "errors", "p50_ms", "p99_ms"}
    assert (pay["calls"], pay["errors"]) == (10, 2)
    assert data["entry_point_candidates"] == ["frontend"]
    assert data["observed_from"] == "2025-12-01T00:00:00Z"
    assert data["written"] is False
    assert not (tmp_path / "m.fma").exists()


def test_a_dependency_list_has_null_where_it_cannot_say(tmp_path, capsys):
    data = run_json(capsys, "import-traces", str(FIXTURES / "dependencies_jaeger.json"),
                    "-o", str(tmp_path / "m.fma"))  # fmt: skip
    assert {(d["errors"], d["p50_ms"], d["p99_ms"]) for d in data["dependencies_added"]} == {
        (None, None, None)
    }
    assert data["observed_from"] is None


def test_an_existing_model_is_not_replaced_without_force(tmp_path, shop_file, capsys):
    output = tmp_path / "m.fma"
    output.write_bytes(b"precious")
    assert main(["import-traces", str(shop_file), "-o", str(output)]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert output.read_bytes() == b"precious"
    assert main(["import-traces", str(shop_file), "-o", str(output), "--force"]) == 0
    assert len(open_model(output).components) == 8


def test_merge_adds_what_is_new_and_reports_what_was_not_seen(tmp_path, shop_file, capsys):
    path = tmp_path / "team.fma"
    before = team_model(path)
    data = run_json(capsys, "import-traces", str(shop_file), "--merge", str(path))
    assert [(d["from"], d["to"]) for d in data["dependencies_not_seen"]] == [("Checkout", "HSM")]
    assert "Storefront" not in {c["name"] for c in data["components_added"]}
    assert data["entry_point_candidates"] == ["Storefront"]
    after = open_model(path)
    for component_id, component in before.components.items():
        assert after.components[component_id] == component
    kept = after.dependencies[next(iter(before.dependencies))]
    assert kept.strength.value == "weak"  # the team's choice, though traces call it strongly
    assert kept.observed is not None
    assert kept.observed.calls == 10
    assert after.failure_modes == before.failure_modes
    assert len(after.dependencies) == 2 + 6


def test_re_merging_the_same_file_writes_nothing(tmp_path, shop_file, capsys):
    path = tmp_path / "team.fma"
    team_model(path)
    assert main(["import-traces", str(shop_file), "--merge", str(path)]) == 0
    capsys.readouterr()
    stamp = path.stat().st_mtime_ns
    content = path.read_bytes()
    assert main(["import-traces", str(shop_file), "--merge", str(path)]) == 0
    assert "already has all of it: nothing written" in capsys.readouterr().out
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == stamp


def test_dry_run_merge_writes_nothing(tmp_path, shop_file, capsys):
    path = tmp_path / "team.fma"
    team_model(path)
    content = path.read_bytes()
    assert main(["import-traces", str(shop_file), "--merge", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add 6 components:" in out  # 8 seen, Storefront (by alias) and Checkout kept
    assert "dry run: nothing written" in out
    assert path.read_bytes() == content


def test_a_model_open_in_the_app_is_not_merged_into(tmp_path, shop_file, capsys):
    path = tmp_path / "team.fma"
    team_model(path)
    content = path.read_bytes()
    lock_path(path).write_text(json.dumps({
        "user": "alice", "host": "elsewhere.example", "pid": 4242,
        "time": "2026-12-01T06:00:00+00:00",
    }))  # fmt: skip
    assert main(["import-traces", str(shop_file), "--merge", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is open in FMA Workbench by alice on elsewhere.example, process 4242" in err
    assert path.read_bytes() == content
    assert lock_path(path).exists()  # someone else's lock is left alone


def test_our_own_lock_is_released_after_the_merge(tmp_path, shop_file, capsys):
    path = tmp_path / "team.fma"
    team_model(path)
    assert main(["import-traces", str(shop_file), "--merge", str(path)]) == 0
    assert not lock_path(path).exists()
    held = acquire_lock(path)  # and can be taken again
    assert held.record["host"] == socket.gethostname()
    held.release()


def test_environment_filter(tmp_path, capsys):
    data = run_json(capsys, "import-traces", str(FIXTURES / "jaeger_shop.json"), "-o",
                    str(tmp_path / "m.fma"), "--environment", "staging")  # fmt: skip
    assert [c["name"] for c in data["components_added"]] == ["canary"]


def test_since_after_until_and_a_bad_time_are_refused(tmp_path, shop_file, capsys):
    output = str(tmp_path / "m.fma")
    argv = ["import-traces", str(shop_file), "-o", output]
    assert main([*argv, "--since", "2025-12-02", "--until", "2025-12-01"]) == 2
    assert "--until must be later than --since" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "--since", "yesterday"])
    assert "is not a time" in capsys.readouterr().err


def test_a_window_with_no_spans_writes_nothing(tmp_path, shop_file, capsys):
    output = tmp_path / "m.fma"
    assert main(["import-traces", str(shop_file), "-o", str(output), "--since", "2030-01-01"]) == 2
    assert "found no services" in capsys.readouterr().err
    assert not output.exists()
    assert os.listdir(tmp_path) == []


def test_merge_needs_an_existing_model(tmp_path, shop_file, capsys):
    assert main(["import-traces", str(shop_file), "--merge", str(tmp_path / "none.fma")]) == 2
    assert "no such model file" in capsys.readouterr().err


LOADED = """
import json, sys
from fma_app.cli import main
code = main(sys.argv[1:])
heavy = ("sqlalchemy", "sqlmodel", "PySide6", "openpyxl", "matplotlib")
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


@pytest.mark.parametrize("mode", ["dry-run", "new", "merge"])
def test_import_traces_loads_no_orm_no_qt(tmp_path, shop_file, mode):
    """Reading traces and a model, and saving one, go through compiled SQL and plain sqlite3."""
    import subprocess
    import sys

    model = tmp_path / "team.fma"
    if mode == "merge":
        team_model(model)
    argv = {
        "dry-run": ["-o", str(model), "--dry-run"],
        "new": ["-o", str(model)],
        "merge": ["--merge", str(model)],
    }[mode]
    done = subprocess.run(
        [sys.executable, "-c", LOADED, "import-traces", str(shop_file), *argv, "--format", "json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.stdout.strip(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}, done.stderr
