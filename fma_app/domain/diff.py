"""What changed between two models: records matched by their stable ids, field by field.

Canvas positions are kept apart (`RecordChange.layout`), so a moved node never buries a changed
severity. Values are compared as the domain holds them and reported in their plain form
(`records.plain`), ready for text or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fma_app.domain.model import Model
from fma_app.domain.records import (
    MODEL,
    Collection,
    collections,
    model_fields,
    model_value,
    plain,
    record_label,
)

Op = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object  # plain values (records.plain); None for a field of an added record
    new: object


@dataclass(frozen=True)
class RecordChange:
    """One record (or the model's properties, collection "model", id 0) added, removed or
    changed. For added and removed records `fields` holds every value, on its side."""

    collection: str
    id: int
    op: Op
    label: str
    fields: tuple[FieldChange, ...] = ()
    layout: tuple[FieldChange, ...] = ()  # changed canvas positions of a changed record

    @property
    def key(self) -> str:
        return MODEL if self.collection == MODEL else f"{self.collection}/{self.id}"


@dataclass(frozen=True)
class ModelDiff:
    changes: tuple[RecordChange, ...] = field(default_factory=tuple)

    def content_changes(self) -> tuple[RecordChange, ...]:
        """Changes other than moved nodes: what `--ignore-layout` keeps."""
        return tuple(c for c in self.changes if c.op != "changed" or c.fields)

    def layout_changes(self) -> tuple[RecordChange, ...]:
        return tuple(c for c in self.changes if c.layout)

    def is_empty(self, ignore_layout: bool = False) -> bool:
        if ignore_layout:
            return not self.content_changes()
        return not self.changes

    def without_layout(self) -> ModelDiff:
        kept = (RecordChange(c.collection, c.id, c.op, c.label, c.fields) for c in self.changes)
        return ModelDiff(tuple(c for c in kept if c.op != "changed" or c.fields))


def diff_models(old: Model, new: Model) -> ModelDiff:
    """Every difference from `old` to `new`: model properties first, then each collection in
    the model's order, records by id."""
    changes: list[RecordChange] = []
    properties = tuple(
        FieldChange(name, plain(before), plain(after))
        for name in model_fields()
        if (before := model_value(old, name)) != (after := model_value(new, name))
    )
    if properties:
        changes.append(RecordChange(MODEL, 0, "changed", new.name, properties))
    for found in collections():
        changes.extend(_collection_changes(found, old, new))
    return ModelDiff(tuple(changes))


def _field_changes(old: object, new: object, names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    changed = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changed.append(FieldChange(name, plain(before), plain(after)))
    return tuple(changed)


def _collection_changes(found: Collection, old: Model, new: Model) -> list[RecordChange]:
    before, after = found.records(old), found.records(new)
    changes: list[RecordChange] = []
    for record_id in sorted(before.keys() | after.keys()):
        old_record, new_record = before.get(record_id), after.get(record_id)
        if new_record is None:
            values = _all_values(found, old_record, side="old")
            label = record_label(old, found.name, old_record)
            changes.append(RecordChange(found.name, record_id, "removed", label, values))
        elif old_record is None:
            values = _all_values(found, new_record, side="new")
            label = record_label(new, found.name, new_record)
            changes.append(RecordChange(found.name, record_id, "added", label, values))
        elif old_record != new_record:  # dataclass ==: one call for the common, unchanged case
            changed = _field_changes(old_record, new_record, found.fields)
            content = tuple(c for c in changed if c.field not in found.layout)
            layout = tuple(c for c in changed if c.field in found.layout)
            if content or layout:
                label = record_label(new, found.name, new_record)
                changes.append(
                    RecordChange(found.name, record_id, "changed", label, content, layout)
                )
    return changes


def _all_values(found: Collection, record: object, side: str) -> tuple[FieldChange, ...]:
    values = found.values(record)
    if side == "old":
        return tuple(FieldChange(name, plain(value), None) for name, value in values.items())
    return tuple(FieldChange(name, None, plain(value)) for name, value in values.items())
