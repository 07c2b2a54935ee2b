"""Undoable edit commands, pure Python.

Each command applies to a `Model` with `do()` and reverts with `undo()`; both return the list of
`Change`s they made so each view can refresh only what changed. The UI wraps every command once
in a generic `QUndoCommand`. Factories (`set_fields`, `add_*`, `remove_*`) validate before a
command exists, so invalid input never reaches the model.
"""

from __future__ import annotations

import copy
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict, Unpack

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    SCORE_FIELDS,
    TEXT_FIELDS_FAILURE_MODE,
    Action,
    ActionStatus,
    Component,
    ComponentKind,
    Dependency,
    Entity,
    FailureMode,
    Model,
    ModelProperties,
    ObservedCalls,
    Strength,
    checked_aliases,
    checked_resilience,
    checked_revised,
    checked_target,
    parse_enum,
    parse_fraction,
    parse_slo,
    parse_window_days,
)
from fma_app.domain.resilience import ChaosTarget, Resilience
from fma_app.domain.scoring import validate_optional_score

EntityKind = Literal["component", "dependency", "failure_mode", "action"]
ChangeKind = Literal["model", "component", "dependency", "failure_mode", "action"]


@dataclass(frozen=True)
class Change:
    """What a command changed: `kind` entities with `ids` were added, removed or changed."""

    kind: ChangeKind
    op: Literal["added", "removed", "changed"]
    ids: tuple[int, ...] = ()


FIELD_LABELS: dict[str, str] = {
    "name": "Name", "kind": "Kind", "description": "Description", "owner": "Owner",
    "x": "Position", "y": "Position", "user_facing": "Entry Point",
    "strength": "Strength", "group": "Redundancy Group", "source_id": "Dependency",
    "target_id": "Dependency", "component_id": "Component", "function": "Function",
    "failure_mode": "Failure Mode", "effect": "Effect", "severity": "Severity",
    "cause": "Cause", "likelihood": "Likelihood", "prevention_controls": "Prevention Controls",
    "detection_controls": "Detection Controls", "detection": "Detection", "notes": "Notes",
    "revised": "Revised Scores", "due_date": "Due Date", "status": "Status",
    "action_taken": "Action Taken", "chaos_target": "Chaos Target",
    "resilience": "Resilience", "availability": "Availability", "slo": "SLO",
    "slo_window_days": "SLO Window", "aliases": "Aliases", "observed": "Observed Calls",
    "justification": "Justification",
}  # fmt: skip

_KIND_LABELS: dict[EntityKind, str] = {
    "component": "Component",
    "dependency": "Dependency",
    "failure_mode": "Failure Mode",
    "action": "Action",
}


def kind_of(entity: Entity) -> EntityKind:
    if isinstance(entity, Component):
        return "component"
    if isinstance(entity, Dependency):
        return "dependency"
    if isinstance(entity, FailureMode):
        return "failure_mode"
    return "action"


def _table(model: Model, kind: EntityKind) -> Mapping[int, Entity]:
    """The entities of one kind, to read (each kind's dict holds only its own type, so writes
    go through `_put` and `_discard`)."""
    if kind == "component":
        model.invalidate_names()  # callers may rename components
    tables: dict[EntityKind, Mapping[int, Entity]] = {
        "component": model.components,
        "dependency": model.dependencies,
        "failure_mode": model.failure_modes,
        "action": model.actions,
    }
    return tables[kind]


def _put(model: Model, entity: Entity) -> None:
    """Insert a copy of the entity into its own table, under its id."""
    entity = copy.deepcopy(entity)
    if isinstance(entity, Component):
        model.components[entity.id] = entity
        model.invalidate_names()
    elif isinstance(entity, Dependency):
        model.dependencies[entity.id] = entity
        model.invalidate_indexes()
    elif isinstance(entity, FailureMode):
        model.failure_modes[entity.id] = entity
    else:
        model.actions[entity.id] = entity


def _discard(model: Model, entity: Entity) -> None:
    """Remove the entity with this one's id from its table, if it is there."""
    if isinstance(entity, Component):
        model.components.pop(entity.id, None)
        model.invalidate_names()
    elif isinstance(entity, Dependency):
        model.dependencies.pop(entity.id, None)
        model.invalidate_indexes()
    elif isinstance(entity, FailureMode):
        model.failure_modes.pop(entity.id, None)
    else:
        model.actions.pop(entity.id, None)


class Command(ABC):
    """One undoable edit. `text` is what the Edit menu shows after "Undo "."""

    text: str = "Edit"

    @abstractmethod
    def do(self, model: Model) -> list[Change]: ...

    @abstractmethod
    def undo(self, model: Model) -> list[Change]: ...


class SetFields(Command):
    """Set fields of one entity to new (already validated) values."""

    def __init__(self, kind: EntityKind, entity_id: int, new: dict[str, object], text: str):
        self.kind, self.entity_id, self.new, self.text = kind, entity_id, dict(new), text
        self.old: dict[str, object] = {}

    def _apply(self, model: Model, values: dict[str, object]) -> list[Change]:
        entity = _table(model, self.kind).get(self.entity_id)
        if entity is None:
            raise ModelError(f"there is no {self.kind.replace('_', ' ')} with id {self.entity_id}")
        for name, value in values.items():
            setattr(entity, name, value)
        if self.kind == "dependency":
            model.invalidate_indexes()  # its ends may have moved
        return [Change(self.kind, "changed", (self.entity_id,))]

    def do(self, model: Model) -> list[Change]:
        entity = _table(model, self.kind)[self.entity_id]
        self.old = {name: getattr(entity, name) for name in self.new}
        return self._apply(model, self.new)

    def undo(self, model: Model) -> list[Change]:
        return self._apply(model, self.old)


class AddEntities(Command):
    """Insert entities with ids already reserved in the model (redo re-inserts the same ids)."""

    def __init__(self, entities: list[Entity], text: str):
        self.entities, self.text = [copy.deepcopy(e) for e in entities], text

    def do(self, model: Model) -> list[Change]:
        for entity in self.entities:
            _put(model, entity)
        return _changes(self.entities, "added")

    def undo(self, model: Model) -> list[Change]:
        for entity in reversed(self.entities):
            _discard(model, entity)
        return _changes(self.entities, "removed")


class RemoveEntities(Command):
    """Remove entities and everything that hangs off them; undo restores them with their ids."""

    def __init__(self, model: Model, kind: EntityKind, ids: list[int], text: str):
        self.text = text
        self.removed: list[Entity] = _with_dependants(model, kind, ids)

    def do(self, model: Model) -> list[Change]:
        for entity in reversed(self.removed):
            _discard(model, entity)
        return _changes(self.removed, "removed")

    def undo(self, model: Model) -> list[Change]:
        for entity in self.removed:
            _put(model, entity)
        return _changes(self.removed, "added")


class Macro(Command):
    """Several commands as one undo step (a paste, a drag of several nodes, a layout)."""

    def __init__(self, commands: Sequence[Command], text: str):
        self.commands, self.text = list(commands), text

    def do(self, model: Model) -> list[Change]:
        changes: list[Change] = []
        done: list[Command] = []
        try:
            for command in self.commands:
                changes += command.do(model)
                done.append(command)
        except Exception:
            for command in reversed(done):  # leave the model as it was
                command.undo(model)
            raise
        return changes

    def undo(self, model: Model) -> list[Change]:
        changes: list[Change] = []
        for command in reversed(self.commands):
            changes += command.undo(model)
        return changes


class RenameModel(Command):
    def __init__(self, name: str):
        self.new, self.old, self.text = name.strip() or "Untitled model", "", "Rename Model"

    def do(self, model: Model) -> list[Change]:
        self.old, model.name = model.name, self.new
        return [Change("model", "changed")]

    def undo(self, model: Model) -> list[Change]:
        model.name = self.old
        return [Change("model", "changed")]


class EditModelProperties(Command):
    """Set some of the model's header properties (name, scope, FMEA number, ...) as one undo
    step. Only the properties it changes are stored and restored: the others are left as they
    are, so undoing a rename never brings back a scope someone else has changed since (a
    shared model merges property edits field by field)."""

    def __init__(self, new: Mapping[str, object]):
        self.new: dict[str, object] = dict(new)
        self.old: dict[str, object] = {}
        self.text = "Edit Model Properties"

    def _apply(self, model: Model, values: Mapping[str, object]) -> list[Change]:
        for name, value in values.items():
            setattr(model, name, value)
        return [Change("model", "changed")]

    def do(self, model: Model) -> list[Change]:
        self.old = {name: getattr(model, name) for name in self.new}
        return self._apply(model, self.new)

    def undo(self, model: Model) -> list[Change]:
        return self._apply(model, self.old)


def edit_model_properties(model: Model, /, **changes: object) -> EditModelProperties:
    """A validated command that changes the named properties whose value differs from the
    model's and keeps the others; raises ValidationError for an unknown property or a bad
    value."""
    checked = ModelProperties.checked(**changes)
    differing = {
        name: getattr(checked, name)
        for name in changes
        if getattr(checked, name) != getattr(model, name)
    }
    return EditModelProperties(differing)


class SetGroupNeeds(Command):
    """Set how many members of one redundancy group its source needs (1: any one).

    The change names the group's dependencies, so views redraw its junction ("2 of 3")."""

    def __init__(self, source_id: int, group: str, needs: int):
        self.key, self.new, self.old = (source_id, group), needs, 1
        self.text = "Change Group Needs"

    def _apply(self, model: Model, needs: int) -> list[Change]:
        if needs > 1:
            model.group_needs[self.key] = needs
        else:
            model.group_needs.pop(self.key, None)
        members = tuple(d.id for d in model.group_members(*self.key))
        return [Change("dependency", "changed", members)]

    def do(self, model: Model) -> list[Change]:
        self.old = model.group_needs.get(self.key, 1)
        return self._apply(model, self.new)

    def undo(self, model: Model) -> list[Change]:
        return self._apply(model, self.old)


def set_group_needs(model: Model, source_id: int, group: str, needs: object) -> SetGroupNeeds:
    """A validated command: `source_id`'s group `group` needs `needs` of its members up
    (a whole number from 1 to the group's size); raises ValidationError/ModelError otherwise."""
    count = model.check_group_needs(source_id, group, needs)
    return SetGroupNeeds(source_id, group.strip(), count)


def _changes(entities: list[Entity], op: Literal["added", "removed"]) -> list[Change]:
    by_kind: dict[EntityKind, list[int]] = {}
    for entity in entities:
        by_kind.setdefault(kind_of(entity), []).append(entity.id)
    return [Change(kind, op, tuple(ids)) for kind, ids in by_kind.items()]


def _with_dependants(model: Model, kind: EntityKind, ids: list[int]) -> list[Entity]:
    """The entities to remove, parents before children, as deep copies for undo."""
    table = _table(model, kind)
    missing = [i for i in ids if i not in table]
    if missing:
        raise ModelError(f"there is no {kind.replace('_', ' ')} with id {missing[0]}")
    wanted = set(ids)
    removed: list[Entity] = []
    if kind == "component":
        removed += [model.components[i] for i in ids]
        removed += [d for d in model.dependencies.values() if {d.source_id, d.target_id} & wanted]
        fm_ids = {f.id for f in model.failure_modes.values() if f.component_id in wanted}
        removed += [model.failure_modes[i] for i in fm_ids]
        removed += [a for a in model.actions.values() if a.failure_mode_id in fm_ids]
    elif kind == "failure_mode":
        removed += [model.failure_modes[i] for i in ids]
        removed += [a for a in model.actions.values() if a.failure_mode_id in wanted]
    else:
        removed += [table[i] for i in ids]
    return [copy.deepcopy(e) for e in removed]


# ---- factories: validate first, then build the command ------------------------------------


def _label(kind: EntityKind, names: list[str]) -> str:
    labels = {FIELD_LABELS.get(n, n) for n in names}
    return f"Change {labels.pop()}" if len(labels) == 1 else f"Edit {_KIND_LABELS[kind]}"


def _as_float(name: str, value: object) -> float:
    if isinstance(value, int | float | str):
        try:
            return float(value)
        except ValueError:
            pass
    raise ValidationError(f"{FIELD_LABELS.get(name, name)} {value!r} is not a number")


def _as_id(name: str, value: object) -> int:
    if isinstance(value, int | str):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValidationError(f"{FIELD_LABELS.get(name, name)} {value!r} is not an id")


def _clean_value(
    model: Model, kind: EntityKind, entity_id: int, name: str, value: object
) -> object:
    if name in SCORE_FIELDS:  # None or blank: not rated yet
        return validate_optional_score(name, value)
    if name == "revised":
        return None if value is None else checked_revised(value)
    if name == "resilience":
        return checked_resilience(value)
    if name == "chaos_target":
        return checked_target(value)
    if name == "name" and kind == "component":
        return model.check_component_name(str(value), ignore_id=entity_id)
    if name == "kind":
        return parse_enum(ComponentKind, "kind", value)
    if name == "strength":
        return parse_enum(Strength, "strength", value)
    if name == "status":
        return parse_enum(ActionStatus, "status", value)
    if name in ("x", "y"):
        return _as_float(name, value)
    if name == "user_facing":
        return bool(value)
    if name == "availability":
        return parse_fraction("availability", value)
    if name == "slo":
        return parse_slo("SLO", value)
    if name == "slo_window_days":
        return parse_window_days("SLO window", value)
    if name == "component_id":
        return model.component(_as_id(name, value)).id
    if name in ("source_id", "target_id"):
        return _as_id(name, value)
    if name == "due_date":
        return value
    if name == "aliases":
        return checked_aliases(value)
    if name == "observed":
        if value is None or isinstance(value, ObservedCalls):
            return value
        raise ValidationError(f"observed calls {value!r} must be ObservedCalls or None")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{FIELD_LABELS.get(name, name)} must be text, not {value!r}")
    return value


def set_fields(model: Model, kind: EntityKind, entity_id: int, /, **changes: object) -> SetFields:
    """A validated SetFields command; raises ValidationError/ModelError for bad values.

    Positional-only parameters so a component's own `kind` field can be set by keyword."""
    entity = _table(model, kind).get(entity_id)
    if entity is None:
        raise ModelError(f"there is no {kind.replace('_', ' ')} with id {entity_id}")
    allowed = {f for f in vars(entity) if f != "id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ModelError(f"unknown {kind.replace('_', ' ')} field(s): {', '.join(sorted(unknown))}")
    clean = {n: _clean_value(model, kind, entity_id, n, v) for n, v in changes.items()}
    if kind == "dependency" and ({"source_id", "target_id"} & set(clean)):
        dep = model.dependencies[entity_id]
        model.check_dependency(
            _as_id("source_id", clean.get("source_id", dep.source_id)),
            _as_id("target_id", clean.get("target_id", dep.target_id)),
            ignore_id=entity_id,
        )
    return SetFields(kind, entity_id, clean, _label(kind, list(clean)))


class ComponentExtras(TypedDict, total=False):
    description: str
    owner: str
    x: float
    y: float
    user_facing: bool
    availability: object
    slo: object
    slo_window_days: object
    aliases: tuple[str, ...]


class DependencyExtras(TypedDict, total=False):
    strength: Strength | str
    description: str
    group: str
    observed: ObservedCalls | None


class ActionExtras(TypedDict, total=False):
    owner: str
    due_date: dt.date | None
    status: ActionStatus | str
    action_taken: str


def add_component(
    model: Model,
    name: str,
    kind: ComponentKind | str = ComponentKind.SERVICE,
    **extra: Unpack[ComponentExtras],
) -> AddEntities:
    probe = Model(components=dict(model.components))  # validate without touching the model
    component = probe.add_component(name, kind, id=model.new_id(), **extra)
    return AddEntities([component], "Add Component")


def add_dependency(
    model: Model, source_id: int, target_id: int, **extra: Unpack[DependencyExtras]
) -> AddEntities:
    model.check_dependency(source_id, target_id)
    probe = Model(components=model.components)
    dependency = probe.add_dependency(source_id, target_id, id=model.new_id(), **extra)
    return AddEntities([dependency], "Add Dependency")


def add_failure_mode(model: Model, component_id: int, **fields: object) -> AddEntities:
    probe = Model(components=model.components)
    failure_mode = probe.add_failure_mode(component_id, id=model.new_id(), **fields)
    return AddEntities([failure_mode], "Add Failure Mode")


def add_action(
    model: Model, failure_mode_id: int, description: str = "", **extra: Unpack[ActionExtras]
) -> AddEntities:
    probe = Model(components=model.components, failure_modes=model.failure_modes)
    action = probe.add_action(failure_mode_id, description, id=model.new_id(), **extra)
    return AddEntities([action], "Add Action")


def remove(model: Model, kind: EntityKind, ids: list[int]) -> RemoveEntities:
    noun = _KIND_LABELS[kind] if len(ids) == 1 else f"{len(ids)} {_KIND_LABELS[kind]}s"
    return RemoveEntities(model, kind, ids, f"Delete {noun}")


__all__ = [
    "TEXT_FIELDS_FAILURE_MODE",
    "Action", "AddEntities", "Change", "Command", "EditModelProperties", "Macro",
    "RemoveEntities", "RenameModel", "SetFields", "SetGroupNeeds",
    "add_action", "add_component", "add_dependency", "add_failure_mode", "edit_model_properties",
    "edit_resilience", "remove", "set_chaos_target", "set_fields", "set_group_needs",
]  # fmt: skip


_RESILIENCE_LABELS: dict[str, str] = {
    "fault": "Fault", "hypothesis": "Hypothesis", "probe": "Steady-State Probe",
    "mitigations": "Mitigations", "runbook": "Runbook", "experiment": "Experiment Record",
}  # fmt: skip


def edit_resilience(model: Model, failure_mode_id: int, /, **parts: object) -> SetFields:
    """A validated command that changes the named parts of a failure mode's resilience (fault,
    hypothesis, probe, mitigations, runbook, experiment) and keeps the others."""
    failure_mode = model.failure_mode(failure_mode_id)
    unknown = set(parts) - set(_RESILIENCE_LABELS)
    if unknown:
        raise ModelError(f"unknown resilience field(s): {', '.join(sorted(unknown))}")
    current = failure_mode.resilience
    merged: dict[str, object] = {name: getattr(current, name) for name in _RESILIENCE_LABELS}
    merged.update(parts)
    new = Resilience.checked(**merged)
    labels = {_RESILIENCE_LABELS[name] for name in parts}
    text = f"Change {labels.pop()}" if len(labels) == 1 else "Edit Resilience"
    return SetFields("failure_mode", failure_mode_id, {"resilience": new}, text)


def set_chaos_target(model: Model, component_id: int, target: ChaosTarget | None) -> SetFields:
    model.component(component_id)
    return SetFields(
        "component", component_id, {"chaos_target": checked_target(target)}, "Change Chaos Target"
    )
