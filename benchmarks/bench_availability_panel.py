"""The Availability panel's what-if latency: an availability typed in the Component details until
the panel (and the graph's contributor marks) show the new figures. Prints figures; never fails.

    .venv/bin/python -m benchmarks.bench_availability_panel [--repeat 20]

- recompute: the panel's own work after an edit of an availability (the kept analysis's
  `results`, the table, the contributors list and the graph's marks), goal < 100 ms (issue 13);
- edit to panel: from the edit through the document's gate until the panel has recomputed, with
  the debounce delay (RECOMPUTE_DELAY_MS) that lets several quick edits recompute once;
- structure edit: a new dependency, which rebuilds the analysis.
On the bundled example, and on the 2,000-component benchmark model for scale. The machine is
shared: read the CPU figures beside the wall ones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOAL_MS = 100


def measure(step: Callable[[], None], repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def show(label: str, figures: tuple[float, float], goal: int | None, repeat: int) -> None:
    wall, cpu = figures
    target = f"  goal < {goal} ms" if goal else ""
    print(f"{label:<52} {wall:8.1f} ms wall {cpu:8.1f} ms cpu{target}  (median of {repeat})")


def run(label: str, model_json: str, component: str, repeat: int, goal: int | None) -> None:
    from PySide6.QtCore import QSettings

    from fma_app.domain.commands import add_dependency, set_fields
    from fma_app.domain.serialization import model_from_json
    from fma_app.ui.app import build_context, build_window, make_application
    from fma_app.ui.availability_panel import AvailabilityPanel
    from fma_app.ui.document import Document
    from fma_app.ui.interaction import RecordingInteraction

    app = make_application()
    folder = Path(tempfile.mkdtemp())
    model = model_from_json(model_json)
    document = Document(model)
    context = build_context(
        document=document,
        settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat),
        interaction=RecordingInteraction(),
        data_dir=folder,
    )
    window = build_window(context)
    window.resize(1366, 768)
    window.show()
    panel = window.findChild(AvailabilityPanel)
    assert panel is not None
    panel.parentWidget().show()
    panel.recompute()
    panel.select_entry_point(panel.figures.results[0].entry_point)  # the graph marks follow too
    app.processEvents()
    target = next(c.id for c in model.components.values() if c.name == component)
    values = iter([0.999, 0.9995] * repeat * 4)
    print(f"{label}: {len(model.components)} components, {len(model.dependencies)} dependencies,"
          f" {panel.figures.rowCount()} entry points")  # fmt: skip

    def edit() -> None:
        value = next(values)
        document.edit(lambda m: set_fields(m, "component", target, availability=value))

    def recompute_only() -> None:
        edit()
        panel.timer.stop()  # recomputed by hand below, timed

    def recompute_step() -> None:
        panel.recompute()
        app.processEvents()

    # the panel's own work, the edit itself untimed; then with the window's repaint
    for label, step in (
        ("what-if recompute (figures, table, graph marks)", panel.recompute),
        ("what-if recompute and the window repainted", recompute_step),
    ):
        walls, cpus = [], []
        for _ in range(repeat):
            recompute_only()
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        show(label, (statistics.median(walls), statistics.median(cpus)), goal, repeat)

    def edit_to_panel() -> None:
        done: list[float] = []
        panel.recomputed.connect(done.append)
        edit()
        while not done:
            app.processEvents()
            time.sleep(0.001)
        panel.recomputed.disconnect(done.append)

    show("edit to panel updated (incl. the debounce delay)", measure(edit_to_panel, repeat),
         None, repeat)  # fmt: skip
    sources = [c.id for c in model.components.values() if c.id != target][:repeat]
    structure_repeat = len(sources)

    def structure_edit() -> None:
        source = sources.pop()
        document.edit(lambda m: add_dependency(m, source, target, strength="weak"))
        panel.timer.stop()
        panel.recompute()
        app.processEvents()

    show("structure edit: rebuild + recompute + repaint",
         measure(structure_edit, structure_repeat), None, structure_repeat)  # fmt: skip
    window.files.shutdown()
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from benchmarks.generate import generate_model
    from fma_app.domain.serialization import model_to_json
    from fma_app.resources import example_model_path

    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    run(
        "example",
        example_model_path().read_text(encoding="utf-8"),
        "HSM cluster",
        args.repeat,
        GOAL_MS,
    )
    big = generate_model(components=2000, dependencies=6000, failure_modes=0, actions=0,
                         redundancy_groups=300)  # fmt: skip
    name = next(iter(big.components.values())).name
    run("benchmark model (no goal)", model_to_json(big), name, max(args.repeat // 4, 3), None)


if __name__ == "__main__":
    main()
