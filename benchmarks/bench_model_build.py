"""How long building a model's dependencies takes through `Model.add_dependency`, which every
importer (spreadsheets, service catalogues, traces) and the generator go through.

    .venv/bin/python -m benchmarks.bench_model_build [--repeat 3]

On the 2,000-component model: the best of N runs of adding 4,000, 6,000 and 20,000
dependencies (each checked against the ones already there), and of `generate_model()` (2,000
components, 4,000 dependencies, 20,000 failure modes, 5,000 actions). Figures only.
"""

from __future__ import annotations

import argparse
import random

from benchmarks.bench_diff import best_of
from benchmarks.generate import generate_model
from fma_app.domain.model import Model

COMPONENTS = 2000


def pairs(count: int, seed: int = 1) -> list[tuple[int, int]]:
    """`count` distinct (source, target) positions among the components, no self-loops."""
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    while len(seen) < count:
        a, b = rng.sample(range(COMPONENTS), 2)
        seen.add((a, b))
    return list(seen)


def build(edges: list[tuple[int, int]]) -> Model:
    model = Model()
    ids = [model.add_component(f"component-{i:05d}").id for i in range(COMPONENTS)]
    for source, target in edges:
        model.add_dependency(ids[source], ids[target])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for count in (4000, 6000, 20000):
        edges = pairs(count)
        seconds = best_of(args.repeat, lambda edges=edges: build(edges))
        print(f"{COMPONENTS:,} components + {count:,} add_dependency calls: {seconds:.3f} s")
    seconds = best_of(args.repeat, generate_model)
    print(f"generate_model() (2,000 / 4,000 / 20,000 / 5,000): {seconds:.3f} s")


if __name__ == "__main__":
    main()
