"""`fma-app library list` and `fma-app library export` on real files and a real config file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from fma_app.domain.catalog import built_in_entries
from fma_app.domain.model import Model
from fma_app.reports.library_files import read_library_file, write_library_folders
from fma_app.storage import save_model


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def model_file(tmp_path) -> Path:
    model = Model(name="Shop")
    api = model.add_component("api")
    db = model.add_component("ledger", "database")
    model.add_failure_mode(api.id, failure_mode="Webhook key leaked", severity=9)  # 3
    model.add_failure_mode(db.id, failure_mode="Ledger lag", severity=6, likelihood=4)  # 4
    model.add_failure_mode(db.id, failure_mode="ledger LAG")  # 5: the same entry as 4
    model.add_failure_mode(api.id)  # 6: no text
    path = tmp_path / "shop.fma"
    save_model(model, path)
    return path


def test_list_text_by_kind(capsys):
    code, out, err = run(capsys, "library", "list", "--kind", "queue")
    lines = out.splitlines()
    assert code == 0
    assert err == ""
    queue = [e for e in built_in_entries() if e.kind.value == "queue"]
    assert lines[-1] == f"{len(queue)} entries from 1 library"
    assert lines[0] == f"queue     6/5/4    {queue[0].failure_mode}  [built-in]"
    assert all(line.startswith("queue ") for line in lines[:-1])


def test_list_json_has_every_field_and_the_source(capsys):
    code, out, _ = run(capsys, "library", "list", "--format", "json")
    records = json.loads(out)
    assert code == 0
    assert len(records) == len(built_in_entries())
    first = built_in_entries()[0]
    assert records[0]["failure_mode"] == first.failure_mode
    assert records[0]["severity"] == first.suggested.severity
    assert records[0]["patterns"] == list(first.patterns)
    assert records[0]["fault"] == first.fault
    assert records[0]["source"] == "built-in"


def test_export_then_list_through_the_config_file(capsys, model_file, tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    out_file = folder / "team.json"
    code, out, err = run(
        capsys, "library", "export", str(model_file), "--failure-mode", "3", "4",
        "--failure-mode", "5", "-o", str(out_file), "--name", "Payments team",
    )  # fmt: skip
    assert code == 0
    assert out == f"wrote 2 failure mode(s) to {out_file}\n"
    assert err == (
        "fma-app: skipped failure mode 5: same kind (database) and failure mode text as "
        "failure mode 4\n"
    )
    library = read_library_file(out_file)
    assert library.name == "Payments team"
    assert [(e.kind.value, e.failure_mode, e.suggested.severity, e.suggested.likelihood)
            for e in library.entries] == [
        ("service", "Webhook key leaked", 9, None), ("database", "Ledger lag", 6, 4),
    ]  # fmt: skip
    write_library_folders([folder])
    code, out, _ = run(capsys, "library", "list", "--kind", "database")
    assert code == 0
    assert "database  6/4/-    Ledger lag  [Payments team]" in out.splitlines()
    assert out.splitlines()[-1].endswith("entries from 2 libraries")


def test_a_bad_library_file_is_a_warning_not_a_failure(capsys, tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    (folder / "bad.json").write_text('{"format": "fma-workbench-library", "version": 2}')
    write_library_folders([folder])
    code, out, err = run(capsys, "library", "list", "--kind", "host")
    assert code == 0
    assert err.startswith(f"fma-app: warning: cannot read '{folder / 'bad.json'}': made by a newer")
    assert out.splitlines()[-1].endswith("entries from 1 library")


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["99"], "no failure mode with id 99 in"),
        (["x"], "failure mode id 'x' is not a whole number"),
        (["6"], "failure mode 6 has no failure mode text"),
    ],
)
def test_export_bad_ids(capsys, model_file, tmp_path, ids, message):
    out_file = tmp_path / "team.json"
    code, _, err = run(
        capsys, "library", "export", str(model_file), "--failure-mode", *ids, "-o", str(out_file)
    )
    assert code == 2
    assert err.startswith(f"fma-app: error: {message}")
    assert not out_file.exists()


def test_export_keeps_an_existing_file_without_force(capsys, model_file, tmp_path):
    out_file = tmp_path / "team.json"
    out_file.write_text("mine")
    args = ["library", "export", str(model_file), "--failure-mode", "3", "-o", str(out_file)]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err == f"fma-app: error: '{out_file}' exists; give --force to replace it\n"
    assert out_file.read_text() == "mine"
    assert run(capsys, *args, "--force")[0] == 0
    assert read_library_file(out_file).entries[0].failure_mode == "Webhook key leaked"


def test_export_of_a_file_that_is_not_a_model(capsys, tmp_path):
    bad = tmp_path / "bad.fma"
    bad.write_text("hello")
    code, _, err = run(
        capsys, "library", "export", str(bad), "--failure-mode", "1", "-o", str(tmp_path / "o")
    )
    assert code == 2
    assert "cannot open" in err


def test_the_kind_choices_are_the_component_kinds():
    """`library list --kind` lists the kinds written out (so `--help` needs no model classes):
    they must stay the domain's."""
    from fma_app.cli.library import KINDS
    from fma_app.domain.model import ComponentKind

    assert tuple(kind.value for kind in ComponentKind) == KINDS
