"""Diff, dump and merge of two generated 20,000-failure-mode models (goal: diff under 2 s).

    .venv/bin/python -m benchmarks.bench_diff [--repeat N]

NEW is the generated model with 1% of its failure modes re-scored, 200 components moved, 100
failure modes added and 100 actions removed; THEIRS changes other fields of other records. Prints
the best of N runs of:
- `fma-app diff OLD NEW` in its own process (start-up, both files opened and checked, the diff,
  the text written), which is what the goal is about, in wall-clock and in CPU time;
- in-process: both opens, `diff_models` alone, `dump_text` of one model, `merge_models` of
  BASE, NEW and THEIRS.
Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import argparse
import copy
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate_model
from fma_app.domain.diff import diff_models
from fma_app.domain.dump import dump_text
from fma_app.domain.merge import merge_models
from fma_app.domain.model import Model
from fma_app.storage import open_model, save_model

GOAL_SECONDS = 2.0


def best_of(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def edited(base: Model, seed: int, fields: tuple[str, str]) -> Model:
    """A copy with 1% of failure modes changed in one field, 200 nodes moved, 100 failure modes
    added and 100 actions removed."""
    rng = random.Random(seed)
    model = copy.deepcopy(base)
    failure_modes = list(model.failure_modes.values())
    for fm in rng.sample(failure_modes, len(failure_modes) // 100):
        if fields[0] == "severity":
            fm.severity = rng.randint(1, 10)
        else:
            fm.notes = f"reviewed {rng.random()}"
    for component in rng.sample(list(model.components.values()), 200):
        component.x += 10.0
    component_ids = list(model.components)
    for _ in range(100):
        model.add_failure_mode(rng.choice(component_ids), failure_mode="new", severity=5)
    for action_id in rng.sample(list(model.actions), 100):
        del model.actions[action_id]
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = generate_model()
    new = edited(base, 2, ("severity", ""))
    theirs = edited(base, 3, ("notes", ""))
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / f"{name}.fma" for name in ("old", "new")}
        save_model(base, paths["old"])
        save_model(new, paths["new"])
        command = [sys.executable, "-m", "fma_app", "diff", str(paths["old"]), str(paths["new"])]

        cpu: list[float] = []

        def whole_command() -> None:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert done.returncode == 1, done.stderr
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

        process = best_of(args.repeat, whole_command)
        opens = best_of(args.repeat, lambda: (open_model(paths["old"]), open_model(paths["new"])))
    diff = diff_models(base, new)
    in_memory = best_of(args.repeat, lambda: diff_models(base, new))
    dump = best_of(args.repeat, lambda: dump_text(base))
    merge = best_of(args.repeat, lambda: merge_models(base, new, theirs))
    print(
        f"models: {len(base.components)} components, {len(base.failure_modes)} failure modes, "
        f"{len(base.actions)} actions; {len(diff.changes)} differences "
        f"({len(diff.layout_changes())} moved nodes)"
    )
    print(f"fma-app diff OLD NEW, whole process: {process:6.3f} s   (goal < {GOAL_SECONDS:.1f} s)")
    print(f"  its CPU time (user + system):      {min(cpu):6.3f} s   (steadier on a busy machine)")
    print(f"  of which both opens (in-process):  {opens:6.3f} s")
    print(f"  of which diff_models (in memory):  {in_memory:6.3f} s")
    print(f"dump_text of one model:              {dump:6.3f} s")
    print(f"merge_models BASE NEW THEIRS:        {merge:6.3f} s")


if __name__ == "__main__":
    main()
