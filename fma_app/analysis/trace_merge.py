"""What an observed topology would change in a model, and the one undoable command that does it.

`plan_merge` only looks: it matches each observed service to a component by name or alias
(case-insensitively) and lists what would be added, whose observed statistics would be replaced,
and which of the model's dependencies the traces did not see. `merge_command` turns the plan
(optionally only the components and dependencies a person accepted) into one domain command.

The merge changes nothing a person entered: names, kinds, strengths, groups, descriptions,
entry points and failure modes stay as they are; a dependency not seen is reported, never
removed. Only a dependency's observed statistics are replaced by the latest import's, so
importing the same file again plans nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from fma_app.analysis.topology import ObservedDependency, ObservedTopology
from fma_app.domain.commands import AddEntities, Command, Macro, SetFields
from fma_app.domain.model import (
    Component,
    ComponentKind,
    Dependency,
    Entity,
    Model,
    ObservedCalls,
    Strength,
)

COMMAND_TEXT = "Import Traces"


@dataclass(frozen=True)
class PlannedComponent:
    name: str
    kind: ComponentKind
    entry_point: bool  # a root server span: nothing in the system calls it


@dataclass(frozen=True)
class PlannedDependency:
    """`source` depends on `target` (component names as they will be in the model)."""

    source: str
    target: str
    strength: Strength
    observed: ObservedCalls


@dataclass(frozen=True)
class UpdatedStatistics:
    dependency_id: int
    source: str
    target: str
    old: ObservedCalls | None
    new: ObservedCalls


@dataclass(frozen=True)
class UnseenDependency:
    dependency_id: int
    source: str
    target: str


@dataclass(frozen=True)
class MergePlan:
    components_added: tuple[PlannedComponent, ...]
    dependencies_added: tuple[PlannedDependency, ...]
    statistics_updated: tuple[UpdatedStatistics, ...]
    dependencies_not_seen: tuple[UnseenDependency, ...]
    matched: tuple[tuple[str, str], ...]  # (name in the traces, component it matched)
    entry_point_candidates: tuple[str, ...]
    components_without_failure_modes: tuple[str, ...]  # seen in the traces, nothing analysed
    observed_from: dt.datetime | None
    observed_to: dt.datetime | None

    @property
    def changes_nothing(self) -> bool:
        return not (self.components_added or self.dependencies_added or self.statistics_updated)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the keys of `fma-app import-traces --format json`."""
        return {
            "components_added": [
                {"name": c.name, "kind": c.kind.value, "entry_point": c.entry_point}
                for c in self.components_added
            ],
            "dependencies_added": [
                {
                    "from": d.source,
                    "to": d.target,
                    "strength": d.strength.value,
                    **statistics_dict(d.observed),
                }
                for d in self.dependencies_added
            ],
            "statistics_updated": [
                {"from": u.source, "to": u.target, **statistics_dict(u.new)}
                for u in self.statistics_updated
            ],
            "dependencies_not_seen": [
                {"from": u.source, "to": u.target} for u in self.dependencies_not_seen
            ],
            "components_without_failure_modes": list(self.components_without_failure_modes),
            "entry_point_candidates": list(self.entry_point_candidates),
            "matched": [{"traces": seen, "component": name} for seen, name in self.matched],
            "observed_from": _iso(self.observed_from),
            "observed_to": _iso(self.observed_to),
        }


def statistics_dict(observed: ObservedCalls) -> dict[str, Any]:
    return {
        "calls": observed.calls,
        "errors": observed.errors,
        "p50_ms": observed.p50_ms,
        "p99_ms": observed.p99_ms,
        "first_seen": _iso(observed.first_seen),
        "last_seen": _iso(observed.last_seen),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


class _Matcher:
    """Observed service name -> component: by name first, then by alias, case-insensitively;
    names with no component become new components (one per name, whatever its case)."""

    def __init__(self, model: Model) -> None:
        self.by_key: dict[str, Component] = {}
        for component in model.components.values():
            for alias in component.aliases:
                self.by_key.setdefault(alias.casefold(), component)
        for component in model.components.values():  # a name wins over another's alias
            self.by_key[component.name.strip().casefold()] = component
        self.new: dict[str, str] = {}  # casefolded -> the name as first seen

    def existing(self, name: str) -> Component | None:
        return self.by_key.get(name.strip().casefold())

    def resolve(self, name: str) -> str:
        """The component name this observed name stands for."""
        component = self.existing(name)
        if component is not None:
            return component.name
        return self.new.setdefault(name.strip().casefold(), name.strip())


def plan_merge(model: Model, topology: ObservedTopology) -> MergePlan:
    """What merging `topology` into `model` would add and replace; changes nothing."""
    matcher = _Matcher(model)
    entry_points = {matcher.resolve(name) for name in topology.entry_points}
    added: dict[str, PlannedComponent] = {}
    matched: list[tuple[str, str]] = []
    seen: set[str] = set()
    for observed in topology.components:
        name = matcher.resolve(observed.name)
        seen.add(name)
        if matcher.existing(observed.name) is not None:
            matched.append((observed.name, name))
        elif name not in added:
            added[name] = PlannedComponent(name, observed.kind, name in entry_points)
    ids = {c.name: c.id for c in model.components.values()}
    new_dependencies: dict[tuple[str, str], PlannedDependency] = {}
    updated: list[UpdatedStatistics] = []
    seen_ends: set[tuple[int, int]] = set()
    for source, target, dependency, existing in _matched_dependencies(model, topology, matcher):
        if existing is None:
            if (source, target) not in new_dependencies:  # else a second name of the pair
                new_dependencies[(source, target)] = PlannedDependency(
                    source, target, dependency.strength, dependency.observed
                )
            continue
        seen_ends.add((existing.source_id, existing.target_id))
        if existing.observed != dependency.observed:
            updated.append(
                UpdatedStatistics(
                    existing.id, source, target, existing.observed, dependency.observed
                )
            )
    names = {c.id: c.name for c in model.components.values()}
    not_seen = tuple(
        UnseenDependency(d.id, names[d.source_id], names[d.target_id])
        for d in model.dependencies.values()
        if (d.source_id, d.target_id) not in seen_ends
    )
    analysed = {fm.component_id for fm in model.failure_modes.values()}
    without = sorted(
        (name for name in seen if name in added or ids[name] not in analysed), key=str.casefold
    )
    return MergePlan(
        components_added=tuple(added.values()),
        dependencies_added=tuple(new_dependencies.values()),
        statistics_updated=tuple(updated),
        dependencies_not_seen=not_seen,
        matched=tuple(sorted(matched, key=lambda pair: pair[0].casefold())),
        entry_point_candidates=tuple(sorted(entry_points, key=str.casefold)),
        components_without_failure_modes=tuple(without),
        observed_from=topology.observed_from,
        observed_to=topology.observed_to,
    )


class _Matched(NamedTuple):
    source: str  # component names as they are (or will be) in the model
    target: str
    traced: ObservedDependency
    existing: Dependency | None  # the model's dependency between them, if it has one


def _matched_dependencies(
    model: Model, topology: ObservedTopology, matcher: _Matcher
) -> Iterator[_Matched]:
    """Each traced dependency with its ends resolved and the model's dependency it matches;
    one between two names of the same component is left out."""
    by_ends = {(d.source_id, d.target_id): d for d in model.dependencies.values()}
    ids = {c.name: c.id for c in model.components.values()}
    for dependency in topology.dependencies:
        source, target = matcher.resolve(dependency.source), matcher.resolve(dependency.target)
        if source != target:
            existing = by_ends.get((ids.get(source, 0), ids.get(target, 0)))
            yield _Matched(source, target, dependency, existing)


@dataclass(frozen=True)
class TracedDependency:
    """A dependency the traces saw, its ends named as the model names them (by name or alias,
    in any case); an end no component matches keeps the name the traces gave it."""

    source: str
    target: str
    calls: int
    errors: int | None  # None when the traces did not say (a dependency list without errors)
    in_model: bool
    unknown: tuple[str, ...]  # the ends that are not components of the model

    @property
    def name(self) -> str:
        return f"{self.source} -> {self.target}"


def traced_dependencies(model: Model, topology: ObservedTopology) -> list[TracedDependency]:
    """Every dependency the traces saw, matched to the model by the rules of `plan_merge` (so
    `fma-app check --traces` lacks exactly what `import-traces --merge` would add). Two traced
    names of one pair count as one dependency, their calls added up."""
    matcher = _Matcher(model)
    for name in (*topology.entry_points, *(c.name for c in topology.components)):
        matcher.resolve(name)  # new names spelled as plan_merge first meets them
    found: dict[tuple[str, str], TracedDependency] = {}
    for source, target, traced, existing in _matched_dependencies(model, topology, matcher):
        calls, errors = traced.observed.calls, traced.observed.errors
        before = found.get((source, target))
        if before is not None:
            calls += before.calls
            if before.errors is not None:
                errors = before.errors + (errors or 0)
        unknown = tuple(end for end in (source, target) if matcher.existing(end) is None)
        found[(source, target)] = TracedDependency(
            source, target, calls, errors, existing is not None, unknown
        )
    return list(found.values())


def merge_command(
    model: Model,
    plan: MergePlan,
    *,
    accept_components: Collection[str] | None = None,
    accept_dependencies: Collection[tuple[str, str]] | None = None,
) -> Command:
    """One undo step that applies the plan (by default all of it; else the named components and
    (source, target) dependencies). A dependency whose new end was not accepted is left out.
    New components are placed beside their neighbours; entry point candidates among them are
    marked as entry points (existing components keep what a person set)."""
    entities = planned_entities(model, plan, accept_components, accept_dependencies)
    commands: list[Command] = [AddEntities(entities, COMMAND_TEXT)] if entities else []
    commands.extend(
        SetFields("dependency", update.dependency_id, {"observed": update.new}, COMMAND_TEXT)
        for update in plan.statistics_updated
    )
    return Macro(commands, COMMAND_TEXT)


def planned_entities(
    model: Model,
    plan: MergePlan,
    accept_components: Collection[str] | None = None,
    accept_dependencies: Collection[tuple[str, str]] | None = None,
) -> list[Entity]:
    """The new components (placed) and dependencies of the plan, with ids reserved in `model`."""
    components = [c for c in plan.components_added
                  if accept_components is None or c.name in accept_components]  # fmt: skip
    names = {c.name: c.id for c in model.components.values()}
    probe = Model(components=dict(model.components), dependencies=dict(model.dependencies))
    new_components: list[Component] = []
    for planned in components:
        component = probe.add_component(planned.name, planned.kind, id=model.new_id(),
                                        user_facing=planned.entry_point)  # fmt: skip
        names[planned.name] = component.id
        new_components.append(component)
    new_dependencies: list[Dependency] = []
    for planned_dependency in plan.dependencies_added:
        ends = (planned_dependency.source, planned_dependency.target)
        if accept_dependencies is not None and ends not in accept_dependencies:
            continue
        if ends[0] not in names or ends[1] not in names:
            continue
        # Built directly: the plan holds each pair once, never a self-dependency and never one
        # the model has (Model.add_dependency would check all of that against every
        # dependency again, quadratic for a 4,000-edge list).
        source, target = names[ends[0]], names[ends[1]]
        dependency = Dependency(model.new_id(), source, target, planned_dependency.strength,
                                observed=planned_dependency.observed)  # fmt: skip
        probe.dependencies[dependency.id] = dependency
        new_dependencies.append(dependency)
    from fma_app.analysis.layout import place_near_neighbours  # numpy: only when applying

    positions = place_near_neighbours(probe, [c.id for c in new_components])
    for component in new_components:
        component.x, component.y = positions[component.id]
    return [*new_components, *new_dependencies]


def apply_plan(model: Model, plan: MergePlan) -> Command:
    """Apply the whole plan to `model` now; returns the command (its undo reverts it)."""
    command = merge_command(model, plan)
    command.do(model)
    return command


def new_model_from(topology: ObservedTopology, name: str) -> Model:
    """A model of only what the traces saw (`fma-app import-traces -o`): the plan's entities put
    in directly, since there is nothing to undo (a command copies each entity twice)."""
    model = Model(name=name)
    for entity in planned_entities(model, plan_merge(model, topology)):
        if isinstance(entity, Component):
            model.components[entity.id] = entity
        elif isinstance(entity, Dependency):
            model.dependencies[entity.id] = entity
    model.invalidate_names()
    return model
