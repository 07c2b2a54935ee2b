"""Model file speed against raw sqlite3 doing the same row I/O, and peak memory.

    .venv/bin/python -m benchmarks.bench_model_file [--repeat N] [--components N ...]

Prints the best of N runs of:
- save: `save_model` (rows from domain objects, STRICT tables with CHECK constraints, temp file,
  fsync, rename, folder fsync) against raw sqlite3 `executemany` of the same rows into the same
  tables of a fresh file, committed and fsynced (the raw side gets its rows ready-made);
- open+rank: `open_model` (header, quick_check, schema, row rules, domain objects) plus
  `rank_failure_modes`, against raw sqlite3 `SELECT` of every row of the same file;
- the same two ratios in CPU time, steadier on a busy machine;
- peak memory: tracemalloc peak of one open+rank, and the process's ru_maxrss.
Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import describe, model_from_args, model_size_parser
from fma_app.analysis.ranking import rank_failure_modes
from fma_app.storage import compiled_sql, open_model, save_model
from fma_app.storage.model_file import _table_rows


def best_of(repeat: int, *works: Callable[[], object]) -> list[float]:
    """Fastest wall-clock time of each piece of work; runs are interleaved so load from other
    processes on the machine hits every side alike."""
    best = [float("inf")] * len(works)
    for _ in range(repeat):
        for index, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def best_cpu_of(repeat: int, *works: Callable[[], object]) -> list[float]:
    """Like best_of in CPU time of this process, which a busy machine disturbs far less (the
    file I/O here is in the page cache, so CPU time is nearly all of it)."""
    best = [float("inf")] * len(works)
    for _ in range(repeat):
        for index, work in enumerate(works):
            start = time.process_time()
            work()
            best[index] = min(best[index], time.process_time() - start)
    return best


def open_then_rank(path: Path, times: dict[str, float]) -> None:
    start = time.perf_counter()
    model = open_model(path)
    opened = time.perf_counter()
    rank_failure_modes(model)
    times["open"] = min(times.get("open", float("inf")), opened - start)
    times["rank"] = min(times.get("rank", float("inf")), time.perf_counter() - opened)


def raw_save(rows: dict[str, list[tuple]], path: Path) -> None:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for table, table_rows in rows.items():
        conn.execute(compiled_sql.CREATE_SQL[table])
        conn.executemany(compiled_sql.INSERT_SQL[table], table_rows)
    conn.execute("COMMIT")
    conn.close()
    descriptor = os.open(path, os.O_RDONLY)
    os.fsync(descriptor)
    os.close(descriptor)


def raw_open(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = {
        table: conn.execute(compiled_sql.SELECT_SQL[table]).fetchall()
        for table in compiled_sql.TABLE_NAMES
    }
    conn.close()
    return rows


def main() -> None:
    parser = model_size_parser(__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    model = model_from_args(args)
    print(f"model: {describe(model)}")
    rows = _table_rows(model)
    with tempfile.TemporaryDirectory(prefix="bench-model-file-") as folder:
        target, raw_target = Path(folder) / "model.fma", Path(folder) / "raw.sqlite"
        save_s, raw_save_s = best_of(
            args.repeat, lambda: save_model(model, target), lambda: raw_save(rows, raw_target)
        )
        size_mb = target.stat().st_size / 1e6
        print(f"save:      {save_s:.3f} s   raw sqlite3: {raw_save_s:.3f} s   "
              f"ratio {save_s / raw_save_s:.2f}x   ({size_mb:.1f} MB file)")  # fmt: skip

        parts: dict[str, float] = {}
        both_s, raw_open_s = best_of(
            args.repeat, lambda: open_then_rank(target, parts), lambda: raw_open(target)
        )
        open_s, rank_s = parts["open"], parts["rank"]
        cpu_save, cpu_raw_save, cpu_both, cpu_raw_open = best_cpu_of(
            args.repeat,
            lambda: save_model(model, target),
            lambda: raw_save(rows, raw_target),
            lambda: rank_failure_modes(open_model(target)),
            lambda: raw_open(target),
        )
        print(f"open+rank: {both_s:.3f} s   raw sqlite3: {raw_open_s:.3f} s   "
              f"ratio {both_s / raw_open_s:.2f}x   (best open {open_s:.3f} s, "
              f"ratio {open_s / raw_open_s:.2f}x; best rank {rank_s:.3f} s)")  # fmt: skip
        print(f"CPU time:  save {cpu_save:.3f} s vs raw {cpu_raw_save:.3f} s, ratio "
              f"{cpu_save / cpu_raw_save:.2f}x;  open+rank {cpu_both:.3f} s vs raw "
              f"{cpu_raw_open:.3f} s, ratio {cpu_both / cpu_raw_open:.2f}x")  # fmt: skip
        check = open_model(target)
        assert check.content() == model.content(), "round trip changed the model"

        del check
        tracemalloc.start()
        ranked = rank_failure_modes(open_model(target))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del ranked
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: open+rank {peak / 1e6:.1f} MB (tracemalloc); process max RSS "
          f"{max_rss_mb:.1f} MB (generated model and every run included)")  # fmt: skip


if __name__ == "__main__":
    main()
