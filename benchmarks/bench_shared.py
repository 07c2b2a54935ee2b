"""Opening a shared model from a local PostgreSQL against opening the same model's file.

    .venv/bin/python -m benchmarks.bench_shared [--repeat N] [--url URL] [--components N ...]

Without --url a throwaway server is started as the tests start one (tests/pg_server.py: initdb
and pg_ctl from Debian's postgresql package, fsync off) on a temporary folder and a free port.
Prints the best of N runs of:
- open: `pull(URL)` (connect, schema check, one snapshot, every row, the same row checks and
  domain objects as a file) against `open_model(FILE)` of the same model; goal: within 3x;
- save: `push(model, URL, force=True)` (one transaction: delete, COPY of every row, CHECK and
  foreign keys) against `save_model(model, FILE)`;
- the driver's part: psycopg's import and one connection.
Figures only; nothing here fails on timing.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_model_file import best_of
from benchmarks.bench_shared_edit import database
from benchmarks.generate import describe, model_from_args, model_size_parser
from fma_app.storage import open_model, save_model
from fma_app.storage.shared import parse_location, store


def driver_import_s() -> float:
    """psycopg's import in a fresh interpreter (a command pays it once, only for a URL)."""
    code = "import time; t = time.perf_counter(); import psycopg; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def main() -> None:
    parser = model_size_parser(__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="a database to use (its model 'bench' is replaced)")
    args = parser.parse_args()

    model = model_from_args(args)
    print(f"model: {describe(model)}")
    with database(args.url) as base, tempfile.TemporaryDirectory(prefix="bench-shared-") as folder:
        url = parse_location(base).with_model("bench").display
        path = Path(folder) / "model.fma"
        push_s, save_s = best_of(
            args.repeat,
            lambda: store.push(model, url, force=True),
            lambda: save_model(model, path),
        )
        print(f"save:  push {push_s:.3f} s   file {save_s:.3f} s   "
              f"ratio {push_s / save_s:.2f}x")  # fmt: skip
        pull_s, open_s = best_of(args.repeat, lambda: store.pull(url), lambda: open_model(path))
        print(f"open:  pull {pull_s:.3f} s   file {open_s:.3f} s   "
              f"ratio {pull_s / open_s:.2f}x   (goal: within 3x)")  # fmt: skip
        (connect_s,) = best_of(args.repeat, lambda: store.connect(url).close())
        print(f"driver: import psycopg {driver_import_s():.3f} s (fresh process), "
              f"one connection {connect_s * 1000:.1f} ms")  # fmt: skip
        assert store.pull(url).content() == model.content(), "round trip changed the model"


if __name__ == "__main__":
    main()
