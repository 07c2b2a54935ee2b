"""Editing a shared model on PostgreSQL: one edit's commit, and how soon another session has it.

    .venv/bin/python -m benchmarks.bench_shared_edit [--url postgresql://...] [--edits N]

Without --url a throwaway server is started as the tests start one (tests/pg_server.py; needs
Debian's postgresql binaries). The generated model (20,000 failure modes by default) is put on
it, two sessions open it, and then, N times:
- commit: one field of one failure mode changed by session A and committed
  (`SharedSession.commit`: one transaction with the concurrency check, history and NOTIFY);
- seen by B: from just before A's commit until session B, blocked in
  `wait_for_notification` in its own thread, has run `fetch_remote_changes` and holds the value.
Prints the median, the 90th percentile and the worst of each, against the goals (commit under
50 ms, seen by another session within 1 s); then one big step (every component moved, as a
layout does) and the other session's fetch of it. Figures only; nothing fails on timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.generate import describe, model_from_args, model_size_parser
from fma_app.domain.commands import Macro, set_fields
from fma_app.domain.model import Model
from fma_app.storage.shared import parse_location
from fma_app.storage.shared.session import SharedSession
from fma_app.storage.shared.store import push

COMMIT_GOAL_MS = 50.0
SEEN_GOAL_MS = 1000.0


def main() -> None:
    args = shared_bench_args(__doc__ or "", edits=40)
    with database(args.url) as url:
        run(url, args.edits, model_from_args(args))


def shared_bench_args(doc: str, *, edits: int) -> argparse.Namespace:
    """The team-mode benchmarks' command line: the model's size, --url and --edits."""
    parser = model_size_parser(doc.split("\n")[0])
    parser.add_argument("--url", help="an empty database: postgresql://user@host:port/db")
    parser.add_argument("--edits", type=int, default=edits)
    return parser.parse_args()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """`url`, or an empty database on a throwaway server started as the tests start one
    (tests/pg_server.py), stopped afterwards."""
    if url is not None:
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_server import PgServer

    server = PgServer.start()
    print(f"server: throwaway PostgreSQL on 127.0.0.1:{server.port} ({server.binaries})")
    try:
        yield str(server.url(server.create_database()))
    finally:
        server.stop()


def run(url: str, edits: int, model: Model) -> None:
    print(f"model: {describe(model)}")
    start = time.perf_counter()
    shared_url = _push(url, model, "bench")
    print(f"put on the server in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    alice = SharedSession.open(shared_url, user="alice")
    print(f"open (whole model, one snapshot): {time.perf_counter() - start:.2f} s")
    bob = SharedSession.open(shared_url, user="bob")
    try:
        commits, seen = _edits(alice, bob, edits)
        layout = _layout_step(alice)
        start = time.perf_counter()
        bob.fetch_remote_changes()
        fetched = time.perf_counter() - start
    finally:
        alice.close()
        bob.close()
    _report("commit of one edit", commits, COMMIT_GOAL_MS)
    _report("seen by another session", seen, SEEN_GOAL_MS)
    print(
        f"one step moving all {len(alice.model.components):,} components (a layout): commit "
        f"{layout * 1000:.0f} ms, the other session's fetch {fetched * 1000:.0f} ms"
    )


def _layout_step(session: SharedSession) -> float:
    """Commit time of one undo step that changes x and y of every component."""
    command = Macro(
        [
            set_fields(session.model, "component", component_id, x=float(n), y=float(-n))
            for n, component_id in enumerate(session.model.components)
        ],
        "Layout",
    )
    start = time.perf_counter()
    refusal = session.commit("do", command, command.do(session.model))
    if refusal is not None:
        sys.exit(f"commit refused: {refusal}")
    return time.perf_counter() - start


def _edits(alice: SharedSession, bob: SharedSession, edits: int) -> tuple[list[float], list[float]]:
    ids = sorted(alice.model.failure_modes)
    commits: list[float] = []
    seen: list[float] = []
    for n in range(edits):
        fm = ids[(n * 7919) % len(ids)]
        text = f"edit {n}"
        arrived = threading.Event()
        arrival: list[float] = []

        def watch(
            fm: int = fm,
            text: str = text,
            event: threading.Event = arrived,
            arrival: list[float] = arrival,
        ) -> None:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if bob.wait_for_notification(1.0):
                    bob.fetch_remote_changes()
                    if bob.model.failure_modes[fm].notes == text:
                        arrival.append(time.perf_counter())
                        event.set()
                        return

        watcher = threading.Thread(target=watch)
        watcher.start()
        time.sleep(0.02)  # B is waiting before A commits, as an open window is
        command = set_fields(alice.model, "failure_mode", fm, notes=text)
        start = time.perf_counter()
        changes = command.do(alice.model)
        refusal = alice.commit("do", command, changes)
        committed = time.perf_counter()
        if refusal is not None:
            sys.exit(f"commit refused: {refusal}")
        watcher.join(15)
        if not arrival:
            sys.exit("session B never saw the edit")
        commits.append((committed - start) * 1000)
        seen.append((arrival[0] - start) * 1000)
    return commits, seen


def _report(what: str, figures_ms: list[float], goal_ms: float) -> None:
    ordered = sorted(figures_ms)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    verdict = "meets" if p90 < goal_ms else "MISSES"
    print(
        f"{what}: median {statistics.median(ordered):.1f} ms, p90 {p90:.1f} ms, "
        f"worst {ordered[-1]:.1f} ms over {len(ordered)} edits "
        f"(goal < {goal_ms:.0f} ms: p90 {verdict} it)"
    )


def _push(url: str, model: Model, key: str) -> str:
    shared = f"{url}?model={key}"
    push(model, parse_location(shared))
    return shared


if __name__ == "__main__":
    main()
