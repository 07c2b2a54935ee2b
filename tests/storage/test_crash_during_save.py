"""A process killed (SIGKILL) at many moments of a save: the file is the old or the new model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from storage_helpers import ROOT, full_model

from benchmarks.generate import generate_model
from fma_app.storage import model_file, open_model, save_model

SIZE = {"components": 300, "dependencies": 600, "failure_modes": 6000, "actions": 1000, "seed": 2}

SAVER = f"""
import sys, time
from benchmarks.generate import generate_model
from fma_app.storage import save_model
model = generate_model(**{SIZE!r})
start = time.perf_counter()
save_model(model, sys.argv[1] + ".rehearsal")  # how long a save takes in this process, now
print("READY", time.perf_counter() - start, flush=True)
sys.stdin.readline()
save_model(model, sys.argv[1])
print("SAVED", flush=True)
"""


def kill_saver_during(target, fraction: float) -> None:
    """Start a saver, let it save for `fraction` of the time a save takes it, then SIGKILL."""
    saver = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(target)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        ready = saver.stdout.readline().split()
        assert ready[:1] == ["READY"], saver.stderr.read()
        saver.stdin.write("\n")
        saver.stdin.flush()
        time.sleep(fraction * float(ready[1]))
        saver.send_signal(signal.SIGKILL)
        saver.wait(timeout=60)
    finally:
        for stream in (saver.stdin, saver.stdout, saver.stderr):
            stream.close()


@pytest.mark.slow
def test_killed_save_leaves_the_old_or_the_new_model(tmp_path):
    target = tmp_path / "plant.fma"
    old, new = full_model("Old"), generate_model(**SIZE)
    rehearsal = tmp_path / "plant.fma.rehearsal"
    outcomes = []
    for fraction in (0.0, 0.15, 0.3, 0.5, 0.7, 0.9, 1.2, 2.0):
        save_model(old, target)
        kill_saver_during(target, fraction)
        rehearsal.unlink(missing_ok=True)
        opened = open_model(target).content()
        assert opened in (old.content(), new.content()), f"torn file after {fraction:.1f}"
        outcomes.append("new" if opened == new.content() else "old")
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "plant.fma"]
        # A killed save may leave its temp file: hidden, not named like a model, recognisable.
        assert all(model_file.is_save_temp(name) for name in leftovers), leftovers
        assert not any(name.endswith(".fma") for name in leftovers)
    print("outcomes by moment:", outcomes)
    save_model(new, target)  # later saves work beside stale temp files
    assert open_model(target).content() == new.content()
