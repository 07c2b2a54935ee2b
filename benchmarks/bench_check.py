"""Whole-process cost of `fma-app check` on the benchmark model, each run a fresh process.

    .venv/bin/python -m benchmarks.bench_check [--runs N] [--failure-modes N ...]

Writes the generated model (2,000 components, 20,000 failure modes, 5,000 actions, entry points
every 97th component, so the single-point-of-failure rule runs, and 300 redundancy groups with
availabilities and an SLO on every entry point, so slo-above-ceiling runs the availability
analysis) and a policy with a threshold and a waiver, then runs `check` in each format N times
as a new process, interleaved, stdout to /dev/null, with bytecode cached as an installed app has
it (see bench_cli). Prints the median and fastest wall-clock time, the median CPU time, the
violations found, and the goal.
Goal (issue 15): the whole process under 2 s. Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_cli import RAW_READ, Figures, fma_app_argv
from benchmarks.generate import generate_model, model_size_parser

GOAL_S = 2.0
AS_OF = "2026-12-01"
POLICY = """
[rules.high-priority-without-action]
rpn_at_least = 300

[rules.overdue-action]
grace_days = 7

[rules.component-without-failure-modes]
enabled = true

[[waivers]]
rule = "not-rated"
component = "component-00001"
reason = "benchmark"
owner = "bench"
expires = 2027-01-01
"""


def run_once(argv: list[str], pycache: Path) -> Figures:
    """One fresh process; exit 0 or 1 (violations found) is a run, anything else stops."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(pycache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {code}: {stderr.strip()}")
    return Figures(wall, usage.ru_utime + usage.ru_stime)


def main() -> None:
    parser = model_size_parser(__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--redundancy-groups", type=int, default=300)
    args = parser.parse_args()

    from fma_app.storage import save_model  # set-up, not measured

    model = generate_model(
        args.components,
        args.dependencies,
        args.failure_modes,
        args.actions,
        redundancy_groups=args.redundancy_groups,
    )
    entry_points = sum(c.user_facing for c in model.components.values())
    print(
        f"model: {len(model.components)} components ({entry_points} "
        f"entry points), {len(model.dependencies)} dependencies, {len(model.failure_modes)} "
        f"failure modes, {len(model.actions)} actions"
    )
    app = fma_app_argv()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as folder:
        path = Path(folder) / "model.fma"
        save_model(model, path)
        del model
        policy = Path(folder) / "policy.toml"
        policy.write_text(POLICY, encoding="utf-8")
        check = [*app, "check", str(path), "--as-of", AS_OF, "--policy", str(policy)]
        commands = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "raw sqlite3 read of every row": [sys.executable, "-c", RAW_READ, str(path)],
            "check (text)": check,
            "check --format json": [*check, "--format", "json"],
            "check --format junit": [*check, "--format", "junit"],
        }
        done = subprocess.run(
            [*check, "--format", "json"], capture_output=True, text=True, check=False
        )
        counts = json.loads(done.stdout)["summary"]
        pycache = Path(folder) / "pycache"
        for argv in commands.values():  # warm the page cache and the bytecode cache
            run_once(argv, pycache)
        samples: dict[str, list[Figures]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, argv in commands.items():
                samples[label].append(run_once(argv, pycache))
    print(
        f"violations found: {counts['violations']} ({counts['waived']} waived); per rule: "
        + ", ".join(
            f"{rule} {c['violations']}/{c['checked']}" for rule, c in counts["rules"].items()
        )
    )
    print(f"{args.runs} fresh processes each; medians unless marked")
    print(f"{'command':<31} {'wall s':>6} {'fastest':>7} {'cpu s':>6}  goal")
    for label, figures in samples.items():
        wall = statistics.median(f.wall_s for f in figures)
        cpu = statistics.median(f.cpu_s for f in figures)
        fastest = min(f.wall_s for f in figures)
        goal = ""
        if label.startswith("check"):
            goal = f"goal < {GOAL_S:.0f} s: {'met' if wall < GOAL_S else 'NOT met'}"
        print(f"{label:<31} {wall:>6.3f} {fastest:>7.3f} {cpu:>6.3f}  {goal}".rstrip())


if __name__ == "__main__":
    main()
