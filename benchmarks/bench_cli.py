"""Whole-process cost of the command line, each run a fresh process, against a raw sqlite3 read.

    .venv/bin/python -m benchmarks.bench_cli [--runs N] [--components N ...]

Writes the generated model (2,000 components / 20,000 failure modes by default) to a temp file,
then runs each command N times as a new process, interleaved so load from other processes on
the machine hits every command alike, with stdout sent to /dev/null. The children cache
bytecode (in a temp PYTHONPYCACHEPREFIX, after one warm-up run) as an installed app does, even
where PYTHONDONTWRITEBYTECODE is set: compiling every module from source on each start would
add tens of milliseconds that no user pays. Prints per command the median and the fastest
wall-clock time, the median CPU time of the child (user + system, from wait4), the ratios of
the medians to the raw read's in wall-clock and in CPU time (CPU time is the steadier figure
when other processes share the machine), and the goal:
- raw sqlite3: a Python process that connects read-only and fetches every row of every table;
- `python -c pass`: the floor, what any Python process costs here;
- `rank --format json`, `rank` (table), `info`: the read-only commands on the model;
- `--version`, `--help`: no model at all.
Goals (issue 10): `rank` within 3x of the raw read; `--version` and `--help` under 0.2 s.
Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import describe, model_from_args, model_size_parser

RAW_READ = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
rows = {table: conn.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}
"""
RANK_GOAL_RATIO = 3.0
STARTUP_GOAL_S = 0.2


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    goal: str = ""  # "ratio" (within RANK_GOAL_RATIO of the raw read) or "startup"


@dataclass(frozen=True)
class Figures:
    wall_s: float
    cpu_s: float
    fastest_s: float = 0.0


def fma_app_argv() -> list[str]:
    """The installed `fma-app` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "fma-app"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fma_app"]


def commands(model: Path) -> list[Command]:
    app, python = fma_app_argv(), sys.executable
    return [
        Command("python -c pass (floor)", [python, "-c", "pass"]),
        Command("raw sqlite3 read of every row", [python, "-c", RAW_READ, str(model)]),
        Command(
            "rank MODEL --format json", [*app, "rank", str(model), "--format", "json"], "ratio"
        ),
        Command("rank MODEL (table)", [*app, "rank", str(model)], "ratio"),
        Command("info MODEL", [*app, "info", str(model)]),
        Command("--version", [*app, "--version"], "startup"),
        Command("--help", [*app, "--help"], "startup"),
    ]


def run_once(argv: list[str], pycache: Path) -> Figures:
    """Wall-clock and CPU time of one fresh process; a failing command stops the benchmark."""
    environment = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(pycache)
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {stderr.strip()}")
    return Figures(wall, usage.ru_utime + usage.ru_stime)


def measure(runs: int, all_commands: list[Command], pycache: Path) -> dict[str, Figures]:
    for command in all_commands:  # warm the page cache and write the bytecode cache first
        run_once(command.argv, pycache)
    samples: dict[str, list[Figures]] = {command.label: [] for command in all_commands}
    for _ in range(runs):
        for command in all_commands:
            samples[command.label].append(run_once(command.argv, pycache))
    return {
        label: Figures(
            statistics.median(f.wall_s for f in figures),
            statistics.median(f.cpu_s for f in figures),
            min(f.wall_s for f in figures),
        )
        for label, figures in samples.items()
    }


def verdict(command: Command, figures: Figures, raw: Figures) -> str:
    if command.goal == "ratio":
        wall = "met" if figures.wall_s / raw.wall_s <= RANK_GOAL_RATIO else "NOT met"
        cpu = "met" if figures.cpu_s / raw.cpu_s <= RANK_GOAL_RATIO else "NOT met"
        return f"goal <= {RANK_GOAL_RATIO:.0f}x raw: {wall} (wall), {cpu} (cpu)"
    if command.goal == "startup":
        met = "met" if figures.wall_s < STARTUP_GOAL_S else "NOT met"
        return f"goal < {STARTUP_GOAL_S} s: {met}"
    return ""


def report(all_commands: list[Command], medians: dict[str, Figures], runs: int) -> None:
    raw = medians["raw sqlite3 read of every row"]
    print(f"{runs} fresh processes each; medians unless marked; x raw: median against median")
    print(
        f"{'command':<31} {'wall s':>6} {'fastest':>7} {'x raw':>5} {'cpu s':>6} {'x raw':>5}  goal"
    )
    for command in all_commands:
        figures = medians[command.label]
        print(
            f"{command.label:<31} {figures.wall_s:>6.3f} {figures.fastest_s:>7.3f} "
            f"{figures.wall_s / raw.wall_s:>5.2f} {figures.cpu_s:>6.3f} "
            f"{figures.cpu_s / raw.cpu_s:>5.2f}  {verdict(command, figures, raw)}".rstrip()
        )


def main() -> None:
    parser = model_size_parser(__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from fma_app.storage import save_model  # the benchmark's own set-up, not measured

    model = model_from_args(args)
    print(f"model: {describe(model)}; fma-app: {' '.join(fma_app_argv())}")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        path = Path(folder) / "model.fma"
        save_model(model, path)
        del model
        all_commands = commands(path)
        medians = measure(args.runs, all_commands, Path(folder) / "pycache")
        report(all_commands, medians, args.runs)


if __name__ == "__main__":
    main()
