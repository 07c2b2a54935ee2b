"""Helpers of the hostile-input suite (no tests here).

`HOSTILE` is the hypothesis profile every property test here derives from: derandomized (the
same examples on every run and machine, so CI is reproducible), no per-example deadline (a
2-core CI box is slow and timing is not what these tests judge), and no database (nothing to
carry between runs). Each test sets its own `max_examples`; tests/README.md lists them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis.errors import InvalidArgument

from fma_app.domain.model import ActionStatus, ComponentKind, Model, Scores, Strength
from fma_app.storage import ModelFileError, open_model, read_info

ROOT = Path(__file__).resolve().parents[2]

settings.register_profile(
    "hostile",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,  # tmp_path is reused; each example cleans up
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
HOSTILE = settings.get_profile("hostile")


def hostile(max_examples: int) -> settings:
    return settings(HOSTILE, max_examples=max_examples)


# ---- models ------------------------------------------------------------------------------------
def sample_model(name: str = "Checkout") -> Model:
    """A small model that uses every field kind (revised scores, dates, groups, gaps in ids)."""
    model = Model(name=name, description="Card payments")
    api = model.add_component("api", "service", owner="edge", x=10.5, y=-3.0, user_facing=True)
    model.new_id()
    db = model.add_component("ledger", "database", description="orders")
    cache = model.add_component("cache", "cache")
    model.add_dependency(api.id, db.id, "strong", description="writes")
    model.add_dependency(api.id, cache.id, "weak", group="sessions")
    fm = model.add_failure_mode(
        api.id, function="Route", failure_mode="Timeout", effect="Checkout fails",
        cause="Slow ledger", severity=9, likelihood=4, detection=3, revised=Scores(9, 2, 2),
    )  # fmt: skip
    model.add_failure_mode(db.id, failure_mode="Disk full", severity=10, likelihood=1, detection=7)
    model.add_action(fm.id, "Circuit breaker", owner="alice", due_date=dt.date(2026, 3, 31))
    model.add_action(fm.id, "Load test", status="done", action_taken="3x peak")
    return model


def assert_model_keeps_the_rules(model: Model) -> None:
    """What every model that open_model returns must satisfy, whatever file it came from."""
    assert isinstance(model.name, str)
    assert isinstance(model.description, str)
    ids: set[int] = set()
    for entity in model.iter_entities():
        assert isinstance(entity.id, int)
        assert entity.id >= 1
        assert entity.id not in ids
        ids.add(entity.id)
    assert model._next_id > max(ids, default=0)
    names = set()
    for component in model.components.values():
        assert isinstance(component.kind, ComponentKind)
        assert component.name.strip()
        assert component.name.strip().casefold() not in names
        names.add(component.name.strip().casefold())
    for dep in model.dependencies.values():
        assert isinstance(dep.strength, Strength)
        assert {dep.source_id, dep.target_id} <= model.components.keys()
        assert dep.source_id != dep.target_id
    for fm in model.failure_modes.values():
        assert fm.component_id in model.components
        for score in (fm.severity, fm.likelihood, fm.detection):
            assert type(score) is int
            assert 1 <= score <= 10
        assert fm.revised is None or isinstance(fm.revised, Scores)
        if fm.revised is not None:
            for score in (fm.revised.severity, fm.revised.likelihood, fm.revised.detection):
                assert type(score) is int
                assert 1 <= score <= 10
        assert fm.rpn >= 1
    for action in model.actions.values():
        assert action.failure_mode_id in model.failure_modes
        assert isinstance(action.status, ActionStatus)
        assert action.due_date is None or isinstance(action.due_date, dt.date)


# ---- files -------------------------------------------------------------------------------------
def folder_listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def assert_one_line_naming(message: str, path: Path) -> None:
    assert message, "empty message"
    assert "\n" not in message, repr(message)
    assert "\r" not in message, repr(message)
    assert path.name in message, f"{message!r} does not name {path.name}"
    assert "Traceback" not in message


def _refusal_reason(error: ModelFileError, path: Path) -> str:
    assert_one_line_naming(str(error), path)
    assert error.reason, error
    return error.reason


def open_outcome(path: Path, *, opener: Callable[[Path], object] = open_model) -> str:
    """Open (or read_info) a file that may be anything. Returns "ok" or the refusal reason.

    Asserts the promise: a model that keeps every rule, or a ModelFileError of one line naming
    the file; the file's bytes unchanged; no file left beside it (journal, WAL, temp).
    """
    before = path.read_bytes()
    listing = folder_listing(path.parent)
    try:
        result = opener(path)
    except ModelFileError as error:
        outcome = _refusal_reason(error, path)
    else:
        if isinstance(result, Model):
            assert_model_keeps_the_rules(result)
        outcome = "ok"
    assert path.read_bytes() == before, "opening changed the file"
    assert folder_listing(path.parent) == listing, "opening left a file beside the model"
    return outcome


def open_and_info(path: Path) -> str:
    """Both readers must agree on whether a file is a model."""
    opened = open_outcome(path)
    info = open_outcome(path, opener=read_info)
    assert (opened == "ok") == (info == "ok"), (opened, info)
    note_event(f"outcome: {opened}")
    return opened


def note_event(text: str) -> None:
    """A hypothesis event (shown by --hypothesis-show-statistics), also outside a given test."""
    with contextlib.suppress(InvalidArgument):
        event(text)


def set_header_int(data: bytes, offset: int, value: int, size: int = 4) -> bytes:
    return data[:offset] + value.to_bytes(size, "big") + data[offset + size :]


# ---- processes ---------------------------------------------------------------------------------
def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)])}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(extra)
    return env


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`fma-app ARGS` in a fresh interpreter, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "fma_app", *args],
        capture_output=True, text=True, env=child_env(), timeout=timeout, cwd=ROOT,
    )  # fmt: skip


def run_cli_together(*argvs: list[str], timeout: float = 120) -> list:
    """Several `fma-app` commands at once (each in its own interpreter), in argv order."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "fma_app", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
            cwd=ROOT,
        )
        for argv in argvs
    ]
    results = []
    for argv, child in zip(argvs, children, strict=True):
        out, err = child.communicate(timeout=timeout)
        results.append(subprocess.CompletedProcess(argv, child.returncode, out, err))
    return results


ERROR_LINE = re.compile(r"fma-app: error: \S.*")


def assert_clean_cli_refusal(result: subprocess.CompletedProcess[str], *names: str) -> str:
    """Exit 2, nothing on stdout, exactly one stderr line `fma-app: error: ...`, no traceback."""
    lines = result.stderr.splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1, result.stderr[-2000:]
    assert ERROR_LINE.fullmatch(lines[0]), lines[0]
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# Source of `peak_mb()` for child processes that report their own peak memory. It reads VmHWM,
# which belongs to the process image: ru_maxrss survives exec and so reported the pytest
# parent's size (530 MB late in a full run) for a child that read nothing.
PEAK_MEMORY_SOURCE = """
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
"""
