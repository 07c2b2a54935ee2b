"""Shared by the diff and merge tests: the example model, a different value for any field, and
random edits through the domain's own commands, each recorded as the keys a diff must list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import random
import sys
import types
import typing
from dataclasses import dataclass, field

from fma_app.domain import commands
from fma_app.domain.model import Model
from fma_app.domain.records import MODEL, collection, collections, field_key, iter_records
from fma_app.domain.serialization import model_from_json
from fma_app.resources import example_model_path


def example_model() -> Model:
    return model_from_json(example_model_path().read_text(encoding="utf-8"))


def _hint(owner: type, name: str) -> object:
    # The owner's own module: a value object nested in a record (the resilience of issue 16)
    # names types that the model module does not import.
    return typing.get_type_hints(owner, vars(sys.modules[owner.__module__]))[name]


def other_value(owner: type, name: str, value: object, rng: random.Random | None = None) -> object:
    """A value of the field's type that differs from `value`; fails for a type it does not know,
    which is how a field added to the domain gets noticed by these tests."""
    rng = rng or random.Random(0)
    hint = _hint(owner, name)
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    if value is None:
        if not options:
            raise AssertionError(f"{owner.__name__}.{name}: no type to vary None into")
        hint = options[0]
    elif typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = type(value)
    if hint is bool:
        return not value
    origin = typing.get_origin(hint)
    if origin in (list, tuple, set, frozenset) and typing.get_args(hint)[:1] == (str,):
        items = list(value or ())  # type: ignore[call-overload]
        return origin([*items, f"added {rng.randint(0, 10**6)}"])
    if name in ("severity", "likelihood", "detection") and isinstance(value, int | None):
        return rng.choice([s for s in range(1, 11) if s != value])
    if hint is int:
        return (value or 0) + rng.randint(1, 5)  # type: ignore[operator]
    if hint is float:
        return float(value or 0.0) + rng.choice((-40.0, 25.0, 60.0))  # type: ignore[arg-type]
    if hint is str:
        return f"{value or ''} edited {rng.randint(0, 10**6)}"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return rng.choice([m for m in hint if m != value])
    if hint is dt.date:
        return (value or dt.date(2026, 1, 1)) + dt.timedelta(days=rng.randint(1, 99))  # type: ignore[operator]
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        names = [f.name for f in dataclasses.fields(hint)]
        if value is None:
            return hint(**{n: rng.randint(1, 10) for n in names})
        return dataclasses.replace(
            value,  # type: ignore[type-var]
            **{names[0]: other_value(hint, names[0], getattr(value, names[0]), rng)},
        )
    raise AssertionError(
        f"{owner.__name__}.{name} ({hint!r}): the diff tests cannot vary this type; "
        "teach tests/domain/edit_support.other_value, or exclude the field in domain/records.py"
    )


@dataclass
class Edits:
    """The keys a diff from before to after must list, by what happened."""

    changed: set[str] = field(default_factory=set)  # field keys
    added: set[str] = field(default_factory=set)  # record keys
    removed: set[str] = field(default_factory=set)
    touched: set[int] = field(default_factory=set)  # record ids no later edit may touch


CONTENT_FIELDS = {
    "components": ("description", "owner", "kind", "user_facing", "x", "y"),
    "dependencies": ("strength", "description", "group"),
    "failure_modes": ("function", "effect", "severity", "likelihood", "detection", "notes"),
    "actions": ("owner", "status", "description", "due_date"),
}
KINDS = {
    "components": "component",
    "dependencies": "dependency",
    "failure_modes": "failure_mode",
    "actions": "action",
}


def apply_random_edits(
    model: Model, rng: random.Random, count: int, allowed: set[int] | None = None
) -> Edits:
    """`count` edits (set a field, add a record, remove one with its dependants), each on a
    record no other edit touched, among the ids in `allowed` if given."""
    edits = Edits()
    for _ in range(count):
        choice = rng.random()
        if choice < 0.6:
            _set_field(model, rng, edits, allowed)
        elif choice < 0.8:
            _add(model, rng, edits, allowed)
        else:
            _remove(model, rng, edits, allowed)
    return edits


def _candidates(model: Model, name: str, edits: Edits, allowed: set[int] | None) -> list[int]:
    return [
        i
        for i in collection(name).records(model)
        if i not in edits.touched and (allowed is None or i in allowed)
    ]


def _set_field(model: Model, rng: random.Random, edits: Edits, allowed: set[int] | None) -> None:
    name = rng.choice(list(CONTENT_FIELDS))
    ids = _candidates(model, name, edits, allowed)
    if not ids:
        return
    record_id = rng.choice(ids)
    record = collection(name).records(model)[record_id]
    field_name = rng.choice(CONTENT_FIELDS[name])
    value = other_value(type(record), field_name, getattr(record, field_name), rng)
    kind = typing.cast("commands.EntityKind", KINDS[name])
    commands.set_fields(model, kind, record_id, **{field_name: value}).do(model)
    edits.changed.add(field_key(name, record_id, field_name))
    edits.touched.add(record_id)


def _add(model: Model, rng: random.Random, edits: Edits, allowed: set[int] | None) -> None:
    what = rng.choice(("components", "failure_modes", "actions"))
    if what == "components":
        added = model.add_component(f"new {rng.randint(0, 10**9)}", x=rng.random())
        edits.added.add(field_key("components", added.id))
        edits.touched.add(added.id)
        return
    parents = _candidates(model, "components" if what == "failure_modes" else "failure_modes",
                          edits, allowed)  # fmt: skip
    if not parents:
        return
    parent = rng.choice(parents)
    if what == "failure_modes":
        new = model.add_failure_mode(parent, failure_mode=f"new {rng.random()}", severity=7)
    else:
        new = model.add_action(parent, f"new {rng.random()}", owner="me")
    edits.added.add(field_key(what, new.id))
    edits.touched.update((new.id, parent))  # the parent is not removed later


def _remove(model: Model, rng: random.Random, edits: Edits, allowed: set[int] | None) -> None:
    what = rng.choice(("failure_modes", "actions", "dependencies"))
    ids = _candidates(model, what, edits, allowed)
    if what == "failure_modes":  # its actions go too: none of them may be touched already
        ids = [i for i in ids if all(a.id not in edits.touched for a in model.actions_of(i))]
    if not ids:
        return
    target = rng.choice(ids)
    before = {(c.name, i) for c, i, _ in iter_records(model)}
    kind = typing.cast("commands.EntityKind", KINDS[what])
    commands.remove(model, kind, [target]).do(model)
    after = {(c.name, i) for c, i, _ in iter_records(model)}
    for name, record_id in before - after:
        edits.removed.add(field_key(name, record_id))
        edits.touched.add(record_id)


def listed_keys(diff: object) -> Edits:
    """What a ModelDiff lists, in the same shape as Edits (layout fields count as changed)."""
    listed = Edits()
    for change in diff.changes:  # type: ignore[attr-defined]
        if change.op == "changed":
            for item in (*change.fields, *change.layout):
                listed.changed.add(field_key(change.collection, change.id, item.field))
        else:
            getattr(listed, change.op).add(field_key(change.collection, change.id))
    return listed


def canonical(model: Model, base: Model) -> set[tuple[object, ...]]:
    """The model's content with the ids of records not in `base` replaced by what they hold, so
    two models that added the same records under different ids compare equal."""
    from fma_app.domain.records import plain

    base_ids = {i for _, i, _ in iter_records(base)}
    records = {i: (c, r) for c, i, r in iter_records(model)}
    cache: dict[int, object] = {}

    def key(record_id: int) -> object:
        if record_id in base_ids or record_id not in records:
            return record_id
        if record_id not in cache:
            found, record = records[record_id]
            cache[record_id] = (found.name, *values(found, record))
        return cache[record_id]

    def values(found: object, record: object) -> tuple[object, ...]:
        out = []
        for name, value in found.values(record).items():  # type: ignore[attr-defined]
            pointed = name in found.references  # type: ignore[attr-defined]
            out.append((name, key(value) if pointed else repr(plain(value))))
        return tuple(out)

    content = {(MODEL, n, repr(plain(getattr(model, n)))) for n in _model_names()}
    for found in collections():
        for record_id, record in found.records(model).items():
            content.add((found.name, key(record_id), values(found, record)))
    return content


def _model_names() -> tuple[str, ...]:
    from fma_app.domain.records import model_fields

    return model_fields()
