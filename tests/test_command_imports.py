"""What each command imports, seen from a fresh process: a command that only reads a model file
never imports SQLAlchemy, SQLModel or Qt (about half a second of its start), `rank` and `info`
not networkx or numpy either, and `--version`/`--help` none of the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fma_app.cli import COMMAND_HELP, SUBCOMMAND_MODULES, SUBCOMMANDS, build_parser
from fma_app.domain.model import Model
from fma_app.domain.resilience import ChaosTarget, Fault, Resilience, SteadyStateProbe
from fma_app.storage import save_model

STORAGE_ORM = ("sqlalchemy", "sqlmodel")
SCHEMA_1_FIXTURE = Path(__file__).parent / "storage" / "fixtures" / "model_v1.fma"
# psycopg: only a shared model's URL needs the PostgreSQL driver (issue 18).
HEAVY = (
    "PySide6",
    *STORAGE_ORM,
    "networkx",
    "numpy",
    "openpyxl",
    "matplotlib",
    "pandas",
    "psycopg",
)

# Runs the command as `fma-app` would, then writes which of the named modules were loaded.
WRAPPER = """
import json, sys
from fma_app.cli import main
report, watched, argv = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
try:
    code = main(argv)
except SystemExit as stop:
    code = stop.code
with open(report, "w") as out:
    json.dump({"code": code, "loaded": sorted(m for m in watched if m in sys.modules)}, out)
"""


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    model = Model(name="Imports")
    api = model.add_component("api", user_facing=True)
    db = model.add_component("db")
    model.add_dependency(api.id, db.id, "strong")
    model.add_failure_mode(db.id, failure_mode="Disk full", severity=8, likelihood=3)
    # One failure mode with a fault, so `chaos` writes a draft of each format.
    db.chaos_target = ChaosTarget.checked("kubernetes", namespace="shop", selector="app=db")
    model.add_failure_mode(
        db.id,
        failure_mode="Pod killed",
        resilience=Resilience.checked(
            fault=Fault.checked("instance killed", 60),
            probe=SteadyStateProbe.checked("http", "http://db.shop/health"),
        ),
    )
    path = tmp_path_factory.mktemp("imports") / "model.fma"
    save_model(model, path)
    return path


def loaded_by(
    tmp_path: Path,
    *argv: str,
    env: dict[str, str] | None = None,
    codes: tuple[int | None, ...] = (0, None),
    watched: tuple[str, ...] = HEAVY,
) -> list[str]:
    report = tmp_path / "loaded.json"
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(report), ",".join(watched), *argv],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert report.exists(), done.stderr
    result = json.loads(report.read_text())
    assert result["code"] in codes, done.stderr
    return result["loaded"]


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["rank"], ()),
        (["rank", "--format", "json"], ()),
        (["rank", "--format", "csv"], ()),
        (["info"], ()),
        (["impact", "MODEL", "db"], ("networkx",)),
        (["spof"], ("networkx",)),
        (["availability"], ("networkx",)),
        (["availability", "--format", "json", "--window", "4w"], ("networkx",)),
        (["chaos", "-o", "drafts", "--format", "chaostoolkit"], ()),
        (["chaos", "-o", "drafts", "--format", "litmus"], ()),
        (["diff", "MODEL", "MODEL"], ()),
        (["diff", "MODEL", "MODEL", "--format", "json"], ()),
        (["dump"], ()),
        (["merge", "MODEL", "MODEL", "MODEL", "-o", "merged.fma"], ()),
        (["library", "list", "--format", "json"], ()),
        (["library", "export", "MODEL", "--failure-mode", "4", "-o", "lib.json"], ()),
        (["check"], ("networkx",)),  # the model has an entry point: the SPOF rule runs
        (["check", "--format", "junit"], ("networkx",)),
    ],
    ids=[
        "rank",
        "rank-json",
        "rank-csv",
        "info",
        "impact",
        "spof",
        "availability",
        "avail-json",
        "chaos",
        "chaos-litmus",
        "diff",
        "diff-json",
        "dump",
        "merge",
        "library-list",
        "library-export",
        "check",
        "check-junit",
    ],
)
def test_read_only_commands_skip_the_orm_and_qt(model_file, tmp_path, argv, allowed):
    command, *rest = argv
    rest = [str(model_file) if arg == "MODEL" else arg for arg in rest]
    if "MODEL" not in argv and command != "library":
        rest.insert(0, str(model_file))
    # check exits 1 here: the model's one failure mode is not rated
    loaded = loaded_by(tmp_path, command, *rest, codes=(1,) if command == "check" else (0, None))
    assert not set(loaded) & set(STORAGE_ORM), f"{command} imported {loaded}"
    assert set(loaded) <= set(allowed), f"{command} imported {loaded}"


@pytest.mark.parametrize("command", ["rank", "info", "dump"])
def test_a_shared_model_is_read_with_the_driver_but_not_the_orm(
    model_file, tmp_path, pg_url, command
):
    from fma_app.storage import open_model
    from fma_app.storage.shared.store import push

    url = pg_url + "?model=imports"
    push(open_model(model_file), url)
    loaded = loaded_by(tmp_path, command, url)
    assert "psycopg" in loaded
    assert not set(loaded) & {*STORAGE_ORM, "PySide6", "networkx", "numpy"}, loaded


def test_check_with_traces_loads_only_the_trace_readers(model_file, tmp_path):
    """Reading traces for `check --traces` adds no heavy library: the trace readers are stdlib."""
    traces = tmp_path / "dependencies.json"
    traces.write_text('[{"parent": "api", "child": "cache", "callCount": 3}]', encoding="utf-8")
    argv = ("check", str(model_file), "--traces", str(traces), "--format", "json")
    loaded = loaded_by(tmp_path, *argv, codes=(1,))  # api -> cache is not in the model
    assert set(loaded) <= {"networkx"}, f"check --traces imported {loaded}"  # the SPOF rule


@pytest.mark.parametrize("command", ["rank", "info"])
def test_reading_a_schema_1_file_skips_the_orm(tmp_path, command):
    """An older file is migrated on open by steps with frozen DDL (storage/migrations.py), so it
    costs no more imports than a current one."""
    loaded = loaded_by(tmp_path, command, str(SCHEMA_1_FIXTURE))
    assert not set(loaded) & set(STORAGE_ORM), f"{command} of a schema 1 file imported {loaded}"


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_heavy_library(tmp_path, option):
    assert loaded_by(tmp_path, option) == []


# What a command does, as opposed to what it is: `--help` lists the commands from their
# `register`, and must not build the model's classes or load the code that runs them.
COMMAND_CODE = (
    "fma_app.domain.model", "fma_app.domain.diff", "fma_app.domain.records",
    "fma_app.domain.serialization", "fma_app.analysis.ranking", "fma_app.presentation.style",
    "fma_app.storage", "fma_app.resources",
)  # fmt: skip


def test_help_loads_no_model_code(tmp_path):
    assert loaded_by(tmp_path, "--help", watched=COMMAND_CODE) == []


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["rnk", "model.fma"]])
def test_version_help_and_a_mistyped_command_load_no_command(tmp_path, argv):
    """`--version` needs no command's module, `--help` and a mistyped command only the
    commands' names and help lines (`COMMAND_HELP`)."""
    watched = tuple(f"fma_app.cli.{name}" for name in SUBCOMMAND_MODULES)
    assert loaded_by(tmp_path, *argv, watched=watched, codes=(0, 2)) == []


def test_help_lists_every_command_with_the_line_its_module_registers():
    """The listing `--help` builds without the modules shows what the full parser shows."""
    listing, full = build_parser(listing=True), build_parser()
    assert listing.format_help() == full.format_help()
    assert list(COMMAND_HELP) == list(SUBCOMMANDS)


def test_rank_and_info_still_load_what_they_run(model_file, tmp_path):
    """The other side of the two tests above: the watch list names modules that do load."""
    loaded = loaded_by(tmp_path, "rank", str(model_file), watched=COMMAND_CODE)
    assert {"fma_app.analysis.ranking", "fma_app.storage"} <= set(loaded)
    loaded = loaded_by(tmp_path, "info", str(model_file), watched=COMMAND_CODE)
    assert {"fma_app.domain.model", "fma_app.storage"} <= set(loaded)


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_rank_reads_without_the_model_classes(model_file, tmp_path, output):
    """`rank` reads the file's rows straight into a ranking (storage/file_read.py): importing
    the domain model, the per-row checks and the migrations was a sixth of its process."""
    watched = ("fma_app.domain.model", "fma_app.storage.model_file", "fma_app.storage.checks",
               "fma_app.storage.migrations", "fma_app.domain.resilience")  # fmt: skip
    assert loaded_by(tmp_path, "rank", str(model_file), "--format", output, watched=watched) == []


def test_opening_a_model_in_the_window_skips_the_orm(model_file, tmp_path):
    """The desktop app's open (offscreen; the smoke hook closes the window once it is shown)."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        FMA_SMOKE_TEST=str(tmp_path / "smoke.json"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    loaded = loaded_by(tmp_path, str(model_file), env=env)
    assert json.loads((tmp_path / "smoke.json").read_text())["windows"]
    assert "PySide6" in loaded  # the window really opened
    assert not set(loaded) & set(STORAGE_ORM), loaded
