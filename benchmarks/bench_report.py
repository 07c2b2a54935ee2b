"""Report export speed and memory on the 20,000-failure-mode benchmark model.

Compares `write_report` with raw openpyxl (write-only, lxml) writing the same rows and columns of
the same values, in one process, alternating runs and keeping the best of each. Peak memory is
measured in a fresh child process (generate the model, write the report) with ru_maxrss.

    .venv/bin/python -m benchmarks.bench_report [--runs 3] [--failure-modes 20000]
Targets (issue 5): report within 1.3x raw, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import LXML, Workbook

from benchmarks.generate import describe, model_from_args, model_size_parser
from fma_app.domain.model import Model
from fma_app.reports.xlsx_report import write_report


def raw_openpyxl(model: Model, path: Path) -> int:
    """The same sheets, rows and columns as the report, plain values, no styles; cells written."""
    wb = Workbook(write_only=True)
    names = {c.id: c.name for c in model.components.values()}
    cells = 0
    summary = wb.create_sheet("Summary")
    for index in range(40):
        summary.append([f"label {index}", index, "text", 1, 2, 3, 4, "H"])
        cells += 8
    sheets = {
        "Worksheet": (
            [r, fm.id, names[fm.component_id], fm.function, fm.failure_mode, fm.effect,
             fm.severity, fm.cause, fm.likelihood, fm.prevention_controls,
             fm.detection_controls, fm.detection, fm.rpn, fm.ap.value, fm.notes,
             fm.severity, fm.likelihood, fm.detection, fm.rpn, fm.ap.value, fm.notes]
            for r, fm in enumerate(model.failure_modes.values(), 1)
        ),
        "Actions": (
            [r, a.id, a.failure_mode_id, "component", "failure mode", "H", 100, a.description,
             a.owner, a.due_date, a.status.value, "", a.action_taken]
            for r, a in enumerate(model.actions.values(), 1)
        ),
        "Components": (
            [c.id, c.name, c.kind.value, c.owner, c.description, "no", c.x, c.y, 10, 100]
            for c in model.components.values()
        ),
        "Dependencies": (
            [d.id, names[d.source_id], names[d.target_id], d.strength.value, d.group,
             d.description]
            for d in model.dependencies.values()
        ),
    }  # fmt: skip
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
            cells += len(row)
    wb.save(path)
    return cells


def timed(work) -> tuple[float, float]:
    """(CPU seconds, wall seconds). The CPU time of this one-threaded work is the fair figure
    on a shared machine, where other processes stretch the wall time at random."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory_child(args: argparse.Namespace) -> None:
    """Run in a fresh process: print RSS once the model is built, and the process peak while
    writing the report (the peak counter is reset first, so building the model is not in it)."""
    model = model_from_args(args)
    import matplotlib.figure  # noqa: F401  (imports are part of the model baseline)

    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = _status_mb("VmRSS")
    with tempfile.TemporaryDirectory() as folder:
        write_report(model, Path(folder) / "report.xlsx")
    print(f"{before:.1f} {_status_mb('VmHWM'):.1f}")


def main() -> None:
    parser = model_size_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child-memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        peak_memory_child(args)
        return
    model = model_from_args(args)
    print(f"model: {describe(model)}; openpyxl lxml={LXML}")
    raw_times: list[tuple[float, float]] = []
    report_times: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        raw_path, report_path = Path(folder) / "raw.xlsx", Path(folder) / "report.xlsx"
        for run in range(args.runs):
            raw_times.append(timed(lambda: raw_openpyxl(model, raw_path)))
            report_times.append(timed(lambda: write_report(model, report_path)))
            print(f"run {run + 1}: raw {raw_times[-1][0]:.2f} s CPU ({raw_times[-1][1]:.2f} s "
                  f"wall), report {report_times[-1][0]:.2f} s CPU ({report_times[-1][1]:.2f} s "
                  "wall)")  # fmt: skip
        cells = raw_openpyxl(model, raw_path)
        sizes = raw_path.stat().st_size / 1e6, report_path.stat().st_size / 1e6
    raw, report = min(raw_times), min(report_times)
    raw_wall, report_wall = min(t[1] for t in raw_times), min(t[1] for t in report_times)
    print(f"raw openpyxl write-only: {raw[0]:.2f} s CPU, {raw_wall:.2f} s wall, "
          f"{cells:,} cells ({sizes[0]:.1f} MB)")  # fmt: skip
    print(f"report:                  {report[0]:.2f} s CPU, {report_wall:.2f} s wall "
          f"({sizes[1]:.1f} MB, with 4 chart images)")  # fmt: skip
    print(f"ratio report/raw:        {report[0] / raw[0]:.2f}x CPU, {report_wall / raw_wall:.2f}x "
          "wall (best runs; target <= 1.3x)")  # fmt: skip
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_report", "--child-memory",
         "--components", str(args.components), "--dependencies", str(args.dependencies),
         "--failure-modes", str(args.failure_modes), "--actions", str(args.actions)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    before, peak = map(float, child.stdout.split())
    print(
        f"peak memory while writing (fresh process): {peak:.0f} MB (target < 300 MB); "
        f"model and imports alone {before:.0f} MB, the report adds {peak - before:.0f} MB"
    )


if __name__ == "__main__":
    main()
