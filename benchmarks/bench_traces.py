"""Trace import speed (issue 14), figures beside the goals.

    .venv/bin/python -m benchmarks.bench_traces [--spans N] [--services N] [--edges N]

- A JSON-lines OTLP file of 100,000 spans (an SDK-written batch repeated with new trace ids,
  100 spans a line, as the Collector's file exporter writes): `read_trace_files` against the
  floor of reading the same lines and `json.loads` of each. Goal: within 2x. Plain and gzip;
  spans with the HTTP attributes real instrumentations record, and the tests' bare spans (the
  harder case: less JSON per span to parse, the same work per span to import). Then the peak
  memory of a fresh process reading the file, and a file four times as long.
- A dependency list of 1,200 services and 4,000 edges: `fma-app import-traces LIST -o MODEL`
  in process (read, plan, lay out, save). Goal: under 5 s.
Best of seven runs each, interleaved, wall-clock and CPU time.
Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate_traces import large_json_lines
from fma_app.cli import main
from fma_app.reports.traces import read_trace_files

RATIO_GOAL = 2.0
DEPENDENCY_LIST_GOAL_S = 5.0


def best_of(runs: int, *works: Callable[[], object]) -> list[tuple[float, float]]:
    """Per work, the fastest wall-clock and CPU (process) time of `runs` runs, the works taken
    in turn so that load from other processes on the machine hits each alike. CPU time is the
    steadier figure when the machine is shared."""
    walls: list[list[float]] = [[] for _ in works]
    cpus: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for index, work in enumerate(works):
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            walls[index].append(time.perf_counter() - wall)
            cpus[index].append(time.process_time() - cpu)
    return [(min(w), min(c)) for w, c in zip(walls, cpus, strict=True)]


def json_loads_each_line(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "rb") as lines:
        for line in lines:
            json.loads(line)
            count += 1
    return count


def _json_lines_figures(folder: Path, args: argparse.Namespace, http: bool, title: str) -> None:
    plain = folder / "spans.jsonl"
    spans = large_json_lines(plain, args.spans, http_attributes=http)
    packed = folder / "spans.jsonl.gz"
    with plain.open("rb") as source, gzip.open(packed, "wb", compresslevel=6) as target:
        shutil.copyfileobj(source, target)
    size_mb = plain.stat().st_size / 2**20
    print(f"JSON lines, {title}: {spans:,} spans, {size_mb:.1f} MB"
          f" ({packed.stat().st_size / 2**20:.1f} MB gzip)")  # fmt: skip
    for path in (plain, packed):
        (floor_wall, floor_cpu), (wall, cpu) = best_of(
            args.runs,
            lambda p=path: json_loads_each_line(p),
            lambda p=path: read_trace_files([p]),
        )
        print(f"  {path.name}: json.loads per line {floor_wall:.2f} s wall {floor_cpu:.2f} s"
              f" CPU; import {wall:.2f} s wall {cpu:.2f} s CPU")  # fmt: skip
        print(f"    ratio {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU"
              f" (goal <= {RATIO_GOAL:.0f}x)")  # fmt: skip


def _larger_files(folder: Path, plain: Path) -> list[Path]:
    """The same lines four times over (new trace ids), to see memory stay bounded."""
    larger = folder / "spans-x4.jsonl"
    with plain.open("rb") as source, larger.open("wb") as target:
        lines = source.readlines()
        for copy in range(4):
            for line in lines:
                target.write(line.replace(b'"traceId":"', b'"traceId":"%02d' % copy))
    return [larger]


PEAK = """
import resource, sys
from fma_app.reports.traces import read_trace_files
if sys.argv[1:]:
    read_trace_files(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_mb(path: Path | None) -> float:
    """Peak resident memory of a fresh process that reads `path` (or only imports)."""
    argv = [sys.executable, "-c", PEAK, *([str(path)] if path else [])]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def dependency_list(path: Path, services: int, edges: int) -> None:
    """A layered system: each edge from a service to one later in the list, like callers to
    the services they call, so the graph is acyclic as most service graphs nearly are."""
    rng = random.Random(14)
    names = [f"service-{i:04d}" for i in range(services)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a = rng.randrange(services - 1)
        pairs.add((a, rng.randrange(a + 1, min(services, a + 60))))
    links = [{"parent": names[a], "child": names[b], "callCount": rng.randrange(1, 100_000)}
             for a, b in sorted(pairs)]  # fmt: skip
    path.write_text(json.dumps(links))


def main_bench(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spans", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=1_200)
    parser.add_argument("--edges", type=int, default=4_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_traces_"))
    try:
        plain = folder / "spans.jsonl"
        kinds = (
            (True, "with the attributes HTTP instrumentations add, 5-10 each"),
            (False, "the SDK's spans as the tests write them, 0-3 attributes each"),
        )
        for http, title in kinds:
            _json_lines_figures(folder, args, http, title)
        for path in (plain, *_larger_files(folder, plain)):
            print(f"peak memory reading {path.name}: {_peak_rss_mb(path):.0f} MB"
                  f" (python with the imports alone: {_peak_rss_mb(None):.0f} MB)")  # fmt: skip
        topology = read_trace_files([plain]).topology
        print(f"  -> {len(topology.components)} components, {len(topology.dependencies)}"
              " dependencies")  # fmt: skip

        links = folder / "dependencies.json"
        dependency_list(links, args.services, args.edges)
        model = folder / "model.fma"

        def import_list() -> None:
            code = main(["import-traces", str(links), "-o", str(model), "--force",
                         "--format", "json"])  # fmt: skip
            assert code == 0

        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            ((wall, cpu),) = best_of(args.runs, import_list)
        print(f"dependency list: {args.services:,} services, {args.edges:,} edges: "
              f"import-traces -o {wall:.2f} s wall, {cpu:.2f} s CPU"
              f" (goal < {DEPENDENCY_LIST_GOAL_S:.0f} s)")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main_bench()
