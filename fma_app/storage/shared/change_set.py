"""What one undo step changes on the server, and whether it may stand there: pure Python.

A shared session keeps a *shadow*: the records as the server held them when this session last
read or wrote them. After the domain applied a step to the session's model, the records the
step's `Change`s name are compared with the shadow, field by field: that is the change set to
commit (`change_set`). At commit the server's current records are compared with the shadow too:
a field someone else changed meanwhile and this step changes as well is a conflict; every other
field of the same record is left as the other person wrote it (`find_conflicts`).

Records are the domain's (`fma_app.domain.records`): a collection name ("failure_modes") and an
id; the model's own properties (name, header, group needs) are one record, `MODEL_RECORD`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fma_app.domain.commands import FIELD_LABELS, Change
from fma_app.domain.model import PROPERTY_LABELS, Model
from fma_app.domain.records import (
    MODEL,
    collection,
    collections,
    model_fields,
    model_value,
    record_label,
)

RecordKey = tuple[str, int]  # (collection name, id); the model's properties: ("model", 0)
MODEL_RECORD: RecordKey = (MODEL, 0)
# Model fields that are no property a person edits: the model's identity never changes.
MODEL_FIELDS_NOT_EDITED = frozenset({"uuid"})
COLLECTION_OF_KIND: dict[str, str] = {
    "component": "components",
    "dependency": "dependencies",
    "failure_mode": "failure_modes",
    "action": "actions",
}
KIND_OF_COLLECTION: dict[str, str] = {name: kind for kind, name in COLLECTION_OF_KIND.items()}
KIND_LABELS: dict[str, str] = {
    "components": "component",
    "dependencies": "dependency",
    "failure_modes": "failure mode",
    "actions": "action",
    MODEL: "model",
}

Op = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class RecordChange:
    """One record the step adds, removes or changes (`fields`: the changed ones, by name)."""

    key: RecordKey
    op: Op
    old: Mapping[str, Any]  # the shadow's values (empty when added)
    new: Mapping[str, Any]  # the model's values now (empty when removed)
    fields: tuple[str, ...]

    @property
    def collection(self) -> str:
        return self.key[0]

    @property
    def id(self) -> int:
        return self.key[1]


def record_values(model: Model, key: RecordKey) -> dict[str, Any] | None:
    """The record's field values in `model` (None when it has no such record)."""
    name, record_id = key
    if name == MODEL:
        return {f: model_value(model, f) for f in edited_model_fields()}
    record = collection(name).records(model).get(record_id)
    return None if record is None else collection(name).values(record)


def edited_model_fields() -> tuple[str, ...]:
    return tuple(f for f in model_fields() if f not in MODEL_FIELDS_NOT_EDITED)


def touched_records(changes: Iterable[Change]) -> list[RecordKey]:
    """The records a step's changes name, in order, each once; the model record always (a
    step may change the model's properties or group needs under a dependency's Change)."""
    seen: dict[RecordKey, None] = {}
    for change in changes:
        if change.kind == "model":
            continue
        name = COLLECTION_OF_KIND[change.kind]
        for record_id in change.ids:
            seen[(name, record_id)] = None
    seen[MODEL_RECORD] = None
    return list(seen)


def change_set(shadow: Model, model: Model, keys: Iterable[RecordKey]) -> list[RecordChange]:
    """The records among `keys` that differ between the shadow (the server as this session
    knows it) and the model (after the step), parents before children for additions and
    children before parents for removals, so rows can be written in that order."""
    found: list[RecordChange] = []
    for key in keys:
        old, new = record_values(shadow, key), record_values(model, key)
        if old is None and new is None:
            continue
        if old is None:
            assert new is not None
            found.append(RecordChange(key, "added", {}, new, tuple(new)))
        elif new is None:
            found.append(RecordChange(key, "removed", old, {}, tuple(old)))
        else:
            fields = tuple(f for f in new if not _same(old[f], new[f]))
            if fields:
                found.append(RecordChange(key, "changed", old, new, fields))
    return sorted(found, key=_write_order)


_PARENTS_FIRST = {MODEL: 0, **{c.name: i + 1 for i, c in enumerate(collections())}}


def _write_order(change: RecordChange) -> tuple[int, int]:
    rank = _PARENTS_FIRST[change.collection]
    return (-rank if change.op == "removed" else rank, change.id)


def _same(a: object, b: object) -> bool:
    # Type too: 1 == True == 1.0 in Python, but a field holding another type is a change.
    return type(a) is type(b) and a == b


@dataclass(frozen=True)
class Conflict:
    """A field this step changes that someone else changed since this session read it (or the
    whole record, `field` None, when it was removed or, for a removal, changed meanwhile)."""

    key: RecordKey
    field: str | None
    label: str  # the record as people know it: "Timeout on Payments"
    current: object  # the server's value now (None when the record is gone)


def find_conflicts(change: RecordChange, server: Mapping[str, Any] | None) -> list[Conflict]:
    """The conflicts of one record change with the server's current values (None: the server
    has no such record). The server's record may differ from the shadow in other fields:
    those are someone else's changes and stand beside this one."""
    label = ""
    if change.op == "added":
        return [] if server is None else [Conflict(change.key, None, label, server)]
    if server is None:
        # Removed meanwhile: removing it again is no conflict; changing it is.
        return [] if change.op == "removed" else [Conflict(change.key, None, label, None)]
    if change.op == "removed":
        changed = [f for f in change.old if not _same(server.get(f), change.old[f])]
        return [Conflict(change.key, None, label, server)] if changed else []
    return [
        Conflict(change.key, name, label, server.get(name))
        for name in change.fields
        if not _same(server.get(name), change.old[name])
        and not _same(server.get(name), change.new[name])  # the same change: it stands
    ]


def field_label(collection_name: str, field: str) -> str:
    if collection_name == MODEL:
        return PROPERTY_LABELS.get(field, "Group needs" if field == "group_needs" else field)
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def item_label(model: Model, key: RecordKey, values: Mapping[str, Any] | None = None) -> str:
    """'failure mode "Timeout on Payments"', 'the model' - for messages and history."""
    name, record_id = key
    if name == MODEL:
        return "the model"
    record = collection(name).records(model).get(record_id)
    if record is None and values is not None:
        record = collection(name).record_type(id=record_id, **values)
    text = record_label(model, name, record) if record is not None else f"#{record_id}"
    return f"{KIND_LABELS[name]} {text!r}"


def component_of(model: Model, key: RecordKey, values: Mapping[str, Any]) -> int | None:
    """The component a record belongs to, for filtering history by component."""
    name, record_id = key
    if name == "components":
        return record_id
    if name == "dependencies":
        return _int_or_none(values.get("source_id"))
    if name == "failure_modes":
        return _int_or_none(values.get("component_id"))
    if name == "actions":
        failure_mode = model.failure_modes.get(_int_or_none(values.get("failure_mode_id")) or 0)
        return None if failure_mode is None else failure_mode.component_id
    return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None
