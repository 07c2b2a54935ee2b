"""Deterministic generated models for benchmarks (never used to decide a test outcome)."""

from __future__ import annotations

import argparse
import datetime as dt
import random

from fma_app.domain.model import ActionStatus, ComponentKind, Model, Scores, Strength

WORDS = [
    "timeout",
    "latency",
    "exhaustion",
    "leak",
    "partition",
    "overload",
    "corruption",
    "replay",
    "drift",
    "expiry",
    "saturation",
    "deadlock",
    "starvation",
    "throttling",
    "rollback",
    "failover",
    "split-brain",
    "backlog",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


# Own availabilities as published SLAs and measured services put them (None: unknown).
AVAILABILITIES = (0.999, 0.9995, 0.9999, 0.99, 0.99995, 0.9995, 0.999, None)


def generate_model(
    components: int = 2000,
    dependencies: int = 4000,
    failure_modes: int = 20000,
    actions: int = 5000,
    seed: int = 1,
    redundancy_groups: int = 0,
) -> Model:
    """A model of the given size; dependencies point from later to earlier components (a DAG)
    except for a few back edges, like a layered service architecture with some cycles.

    With `redundancy_groups`, that many components first get a group of 2 or 3 strong
    dependencies (a third of the groups of three need 2 of 3, the others any one), whose
    members all depend on one component below them (a shared database, a zone), so the
    members are not independent; these count towards `dependencies`. Every component then also
    gets an own availability (AVAILABILITIES) and every entry point an SLO of 99.9 %."""
    rng = random.Random(seed)
    model = Model(name=f"Generated {components}x{failure_modes}")
    kinds = list(ComponentKind)
    ids = [
        model.add_component(
            f"component-{index:05d}",
            rng.choice(kinds),
            description=_sentence(rng, 6),
            owner=f"team-{index % 40}",
            x=(index % 50) * 160.0,
            y=(index // 50) * 110.0,
            user_facing=index % 97 == 0,
        ).id
        for index in range(components)
    ]
    seen: set[tuple[int, int]] = set()
    if redundancy_groups:
        _add_redundancy(model, ids, redundancy_groups, seen, random.Random(seed + 1))
    while len(seen) < dependencies:
        a, b = rng.sample(range(components), 2)
        source, target = (max(a, b), min(a, b)) if rng.random() > 0.01 else (min(a, b), max(a, b))
        if (ids[source], ids[target]) in seen:
            continue
        seen.add((ids[source], ids[target]))
        model.add_dependency(
            ids[source],
            ids[target],
            Strength.STRONG if rng.random() < 0.7 else Strength.WEAK,
            description=_sentence(rng, 4),
        )
    if redundancy_groups:
        figures = random.Random(seed + 2)
        for component in model.components.values():
            component.availability = figures.choice(AVAILABILITIES)
            component.slo = 0.999 if component.user_facing else None
    fm_ids = []
    for index in range(failure_modes):
        revised = None
        if rng.random() < 0.2:
            revised = Scores(rng.randint(1, 10), rng.randint(1, 10), rng.randint(1, 10))
        fm_ids.append(
            model.add_failure_mode(
                ids[index % components],
                function=_sentence(rng, 4),
                failure_mode=_sentence(rng, 3),
                effect=_sentence(rng, 10),
                cause=_sentence(rng, 8),
                prevention_controls=_sentence(rng, 6),
                detection_controls=_sentence(rng, 6),
                notes=_sentence(rng, 5),
                severity=rng.randint(1, 10),
                likelihood=rng.randint(1, 10),
                detection=rng.randint(1, 10),
                revised=revised,
            ).id
        )
    statuses = list(ActionStatus)
    for index in range(actions):
        model.add_action(
            rng.choice(fm_ids),
            _sentence(rng, 8),
            owner=f"owner-{index % 25}",
            due_date=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
            status=rng.choice(statuses),
            action_taken=_sentence(rng, 5) if rng.random() < 0.3 else "",
        )
    return model


def _add_redundancy(
    model: Model, ids: list[int], groups: int, seen: set[tuple[int, int]], rng: random.Random
) -> None:
    """Redundancy groups with a dependency shared below their members (see generate_model)."""
    sources = rng.sample(range(len(ids) // 4, len(ids)), groups)
    for number, source in enumerate(sources):
        size = 3 if number % 2 else 2
        below = rng.sample(range(1, source), size + 1)
        shared, members = min(below), sorted(below)[1:]
        for member in members:
            for edge in ((source, member, "redundant"), (member, shared, "")):
                if (ids[edge[0]], ids[edge[1]]) not in seen:
                    seen.add((ids[edge[0]], ids[edge[1]]))
                    model.add_dependency(ids[edge[0]], ids[edge[1]], Strength.STRONG, group=edge[2])
        if size == 3 and number % 3 == 0:
            model.group_needs[(ids[source], "redundant")] = 2


def model_size_parser(
    description: str,
    *,
    components: int = 2000,
    dependencies: int = 4000,
    failure_modes: int = 20000,
    actions: int = 5000,
) -> argparse.ArgumentParser:
    """A benchmark's command line with the model-size options every benchmark takes; the
    benchmark adds its own options and passes the parsed arguments to `model_from_args`."""
    parser = argparse.ArgumentParser(description=description)
    size = parser.add_argument_group("size of the generated model")
    size.add_argument("--components", type=int, default=components)
    size.add_argument("--dependencies", type=int, default=dependencies)
    size.add_argument("--failure-modes", type=int, default=failure_modes)
    size.add_argument("--actions", type=int, default=actions)
    return parser


def model_from_args(args: argparse.Namespace) -> Model:
    """The model of the size `model_size_parser`'s options asked for."""
    return generate_model(args.components, args.dependencies, args.failure_modes, args.actions)


def describe(model: Model) -> str:
    return (
        f"{len(model.components)} components, {len(model.dependencies)} dependencies, "
        f"{len(model.failure_modes)} failure modes, {len(model.actions)} actions"
    )
