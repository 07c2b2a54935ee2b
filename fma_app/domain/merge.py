"""Three-way merge of models at field level, for `fma-app merge` and the desktop's merge.

Records are matched by id. A field changed on one side only takes that side's value; changed on
both sides to the same value, that value; to different values, a conflict. A record removed on
one side and changed (or still needed by a reference) on the other is a conflict about the whole
record. Both sides may have added records under the same new ids (each took the next free id):
their side's additions get fresh ids, and every reference to them follows.

`merge_models` returns the merge with every conflict pending (the record kept, the field at
ours); `MergeResult.resolved` applies a choice per conflict and returns the finished model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fma_app.domain.commands import Change, Command, EntityKind
from fma_app.domain.diff import ModelDiff, Op, diff_models
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model
from fma_app.domain.records import (
    KEY_REFERENCES,
    MODEL,
    Collection,
    clone,
    clone_model,
    clone_value,
    collection,
    collections,
    field_key,
    iter_records,
    model_fields,
    model_value,
    plain,
    record_label,
    shown,
)

Side = Literal["ours", "theirs"]
SIDES: tuple[Side, ...] = ("ours", "theirs")
REMOVED = "(removed)"


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one field (`field` set) or one removed a record the other changed or
    still needs (`field` None; the values are then the whole records, None where removed)."""

    collection: str
    id: int
    field: str | None
    label: str
    reason: str
    base: Any
    ours: Any
    theirs: Any

    @property
    def key(self) -> str:
        return field_key(self.collection, self.id, self.field)

    def value(self, side: Side) -> Any:
        return self.ours if side == "ours" else self.theirs

    def shown(self, side: Side | Literal["base"]) -> str:
        value = self.base if side == "base" else self.value(side)
        if self.field is not None:
            return shown(plain(value))
        return REMOVED if value is None else "kept" if value == self.base else "changed"


class UnsettledConflictsError(ModelError):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} conflict(s) not settled")


@dataclass
class MergeResult:
    pending: Model  # every conflict pending: records kept, fields at ours
    conflicts: tuple[Conflict, ...]
    renumbered: dict[int, int] = field(default_factory=dict)  # their added id -> new id

    def conflict(self, key: str) -> Conflict:
        for found in self.conflicts:
            if found.key == key:
                return found
        raise KeyError(key)

    def resolved(self, choices: Mapping[str, Side]) -> Model:
        """The merged model with each conflict's chosen side (by `Conflict.key`). Raises
        KeyError for a key that names no conflict and UnsettledConflictsError if any is left."""
        unknown = sorted(set(choices) - {c.key for c in self.conflicts})
        if unknown:
            raise KeyError(unknown[0])
        left = [c for c in self.conflicts if c.key not in choices]
        if left:
            raise UnsettledConflictsError(left)
        model = clone_model(self.pending)
        removals: list[Conflict] = []
        for conflict in self.conflicts:
            chosen = clone_value(conflict.value(choices[conflict.key]))
            if conflict.field is None and chosen is None:
                removals.append(conflict)
            elif conflict.field is None:
                collection(conflict.collection).records(model)[conflict.id] = chosen
            elif conflict.collection == MODEL:
                setattr(model, conflict.field, chosen)
            else:
                record = collection(conflict.collection).records(model).get(conflict.id)
                if record is not None:
                    setattr(record, conflict.field, chosen)
        # Removals last, so that removing a component also removes what a kept row hung on it.
        remove_with_dependants(model, [(c.collection, c.id) for c in removals])
        model.invalidate_names()
        return model

    def resolved_all(self, side: Side) -> Model:
        return self.resolved({c.key: side for c in self.conflicts})


def remove_with_dependants(model: Model, targets: list[tuple[str, int]]) -> None:
    """Remove records and, transitively, every record whose reference points at a removed one."""
    removed: dict[str, set[int]] = {}
    for name, record_id in targets:
        if collection(name).records(model).pop(record_id, None) is not None:
            removed.setdefault(name, set()).add(record_id)
    while removed:
        next_round: dict[str, set[int]] = {}
        for found in collections():
            records = found.records(model)
            for field_name, target in found.references.items():
                gone = removed.get(target)
                if not gone:
                    continue
                for record_id in [i for i, r in records.items() if getattr(r, field_name) in gone]:
                    del records[record_id]
                    next_round.setdefault(found.name, set()).add(record_id)
        removed = next_round


def merge_models(base: Model, ours: Model, theirs: Model) -> MergeResult:
    theirs, renumbered = _renumber_their_additions(base, ours, theirs)
    merged = Model()
    conflicts: list[Conflict] = []
    for name in model_fields():
        value, conflict = _merge_property(name, base, ours, theirs)
        setattr(merged, name, clone_value(value))
        if conflict is not None:
            conflicts.append(conflict)
    for found in collections():
        conflicts += _merge_collection(found, base, ours, theirs, merged)
    conflicts += _keep_what_is_needed(base, ours, theirs, merged)
    largest = max((record_id for _, record_id, _ in iter_records(merged)), default=0)
    merged._next_id = max(base._next_id, ours._next_id, theirs._next_id, largest + 1)
    return MergeResult(merged, tuple(conflicts), renumbered)


def _merge_field(
    collection_name: str,
    record_id: int,
    name: str,
    base: object,
    ours: object,
    theirs: object,
    label: str,
) -> tuple[object, Conflict | None]:
    b, o, t = getattr(base, name), getattr(ours, name), getattr(theirs, name)
    if o == t or t == b:
        return o, None
    if o == b:
        return t, None
    return o, Conflict(collection_name, record_id, name, label, "changed on both sides", b, o, t)


_MISSING = object()


def _merge_property(
    name: str, base: Model, ours: Model, theirs: Model
) -> tuple[object, Conflict | None]:
    """A model property three ways; a mapping (group_needs) entry by entry, so that two
    people who set different groups' needs are not in conflict."""
    b, o, t = (model_value(m, name) for m in (base, ours, theirs))
    if o == t or t == b:
        return o, None
    if o == b:
        return t, None
    if isinstance(b, Mapping) and isinstance(o, Mapping) and isinstance(t, Mapping):
        entries = _merge_mapping(b, o, t)
        if entries is not None:
            return entries, None
    return o, Conflict(MODEL, 0, name, ours.name, "changed on both sides", b, o, t)


def _merge_mapping(
    base: Mapping[Any, Any], ours: Mapping[Any, Any], theirs: Mapping[Any, Any]
) -> dict[Any, Any] | None:
    """Entry by entry, or None when one entry was changed both ways."""
    merged: dict[Any, Any] = {}
    for key in {**base, **ours, **theirs}:
        b, o, t = (side.get(key, _MISSING) for side in (base, ours, theirs))
        if o == t or t == b:
            value = o
        elif o == b:
            value = t
        else:
            return None
        if value is not _MISSING:
            merged[key] = value
    return merged


def _merge_collection(
    found: Collection, base_model: Model, ours_model: Model, theirs_model: Model, merged: Model
) -> list[Conflict]:
    base, ours, theirs = (found.records(m) for m in (base_model, ours_model, theirs_model))
    out = found.records(merged)
    conflicts: list[Conflict] = []
    for record_id in _ordered_ids(base, ours, theirs):
        b, o, t = base.get(record_id), ours.get(record_id), theirs.get(record_id)
        if b is None:  # added on one side, or on both alike
            out[record_id] = clone(o if o is not None else t)
        elif o is None and t is None:
            continue
        elif o is None or t is None:
            conflict = _removed_on_one_side(found, record_id, b, o, t, ours_model, theirs_model)
            if conflict is not None:
                conflicts.append(conflict)
                out[record_id] = clone(o if o is not None else t)
        elif o == t or t == b:
            out[record_id] = clone(o)
        elif o == b:
            out[record_id] = clone(t)
        else:
            record = clone(o)
            label = record_label(ours_model, found.name, o)
            for name in found.fields:
                value, conflict = _merge_field(found.name, record_id, name, b, o, t, label)
                setattr(record, name, clone_value(value))
                if conflict is not None:
                    conflicts.append(conflict)
            out[record_id] = record
    return conflicts


def _ordered_ids(*sides: dict[int, Any]) -> list[int]:
    """Base's order, then ours' additions, then theirs'."""
    ordered: dict[int, None] = {}
    for records in sides:
        ordered.update(dict.fromkeys(records))
    return list(ordered)


def _removed_on_one_side(
    found: Collection, record_id: int, b: Any, o: Any, t: Any, ours: Model, theirs: Model
) -> Conflict | None:
    # The side that still has the record keeps it; the other removed it.
    kept, keeper, remover = (o, "ours", "theirs") if o is not None else (t, "theirs", "ours")
    if kept == b:
        return None  # removed on one side, untouched on the other: removed
    label = record_label(ours if o is not None else theirs, found.name, kept)
    reason = f"removed by {remover}, changed by {keeper}"
    return Conflict(found.name, record_id, None, label, reason, b, o, t)


def _keep_what_is_needed(base: Model, ours: Model, theirs: Model, merged: Model) -> list[Conflict]:
    """A record one side removed while the other added or repointed a reference to it (a
    failure mode on a component that ours removed) is kept pending, as a conflict."""
    conflicts: list[Conflict] = []
    while True:
        missing = _dangling(merged)
        if not missing:
            return conflicts
        for (target, record_id), needed_by in missing.items():
            found = collection(target)
            b = found.records(base).get(record_id)
            o, t = found.records(ours).get(record_id), found.records(theirs).get(record_id)
            kept = o if o is not None else t
            if b is None or kept is None:
                missing_key = field_key(target, record_id)
                raise ModelError(f"{needed_by} refers to {missing_key}, which is in no model")
            remover = "ours" if o is None else "theirs"
            reason = f"removed by {remover}, still needed by {needed_by}"
            label = record_label(merged, target, kept)
            conflicts.append(Conflict(target, record_id, None, label, reason, b, o, t))
            found.records(merged)[record_id] = clone(kept)


def _dangling(model: Model) -> dict[tuple[str, int], str]:
    """(collection, id) of every missing record a reference points at -> the first referrer."""
    missing: dict[tuple[str, int], str] = {}
    for found in collections():
        for field_name, target in found.references.items():
            targets = collection(target).records(model)
            for record_id, record in found.records(model).items():
                pointed = getattr(record, field_name)
                if pointed not in targets:
                    missing.setdefault((target, pointed), field_key(found.name, record_id))
    return missing


def _renumbered_key(key: Any, mapping: Mapping[int, int]) -> Any:
    if isinstance(key, tuple) and key and isinstance(key[0], int):
        return (mapping.get(key[0], key[0]), *key[1:])
    return key


def _renumber_their_additions(
    base: Model, ours: Model, theirs: Model
) -> tuple[Model, dict[int, int]]:
    """Their added records whose ids ours also used for a different addition get fresh ids.

    When ours takes new ids from an id source (a shared model: the server's counter), every
    addition of theirs takes its id from it: an id theirs chose itself may be one another
    session has reserved and not yet committed, and both rows must land."""
    base_ids = {(found.name, i) for found, i, _ in iter_records(base)}
    ours_added = {i: (found.name, r) for found, i, r in iter_records(ours)
                  if (found.name, i) not in base_ids}  # fmt: skip
    theirs_added = [
        i
        for found, i, r in iter_records(theirs)
        if (found.name, i) not in base_ids and ours_added.get(i) != (found.name, r)
    ]
    id_source = ours.id_source
    moving = theirs_added if id_source is not None else [i for i in theirs_added if i in ours_added]
    if not moving:
        return theirs, {}
    largest = max((i for m in (base, ours, theirs) for _, i, _ in iter_records(m)), default=0)
    next_id = max(base._next_id, ours._next_id, theirs._next_id, largest + 1)
    if id_source is not None:
        mapping = {old: id_source() for old in sorted(moving)}
    else:
        mapping = {old: next_id + offset for offset, old in enumerate(sorted(moving))}
    renumbered = clone_model(theirs)
    for found in collections():
        records = found.records(renumbered)
        rebuilt = {}
        for record_id, record in records.items():
            record.id = mapping.get(record_id, record_id)
            for field_name in found.references:
                pointed = getattr(record, field_name)
                setattr(record, field_name, mapping.get(pointed, pointed))
            rebuilt[record.id] = record
        setattr(renumbered, found.name, rebuilt)
    for name in KEY_REFERENCES:  # (component id, group) -> needs; ids are unique across kinds
        keyed: Mapping[Any, Any] = getattr(renumbered, name)
        setattr(renumbered, name, {_renumbered_key(k, mapping): v for k, v in keyed.items()})
    renumbered._next_id = max(next_id, *(new + 1 for new in mapping.values()))
    renumbered.invalidate_names()
    return renumbered, mapping


_CHANGE_KINDS: dict[str, EntityKind] = {
    "components": "component",
    "dependencies": "dependency",
    "failure_modes": "failure_mode",
    "actions": "action",
}


class ReplaceContent(Command):
    """Turn the open model into another one (a merge's result) as one undo step; the changes
    it reports are the diff between the two, so every view refreshes only what changed.

    What it changes is fixed when it is first done: the records and properties that differ
    then. Undo and redo put back (or again) only those, so changes others made since to
    anything else (a shared model's colleagues) stay as they are."""

    def __init__(self, after: Model, text: str = "Merge"):
        self.after, self.text = clone_model(after), text
        self._records: list[tuple[str, int]] | None = None  # what the merge changes
        self._properties: list[str] = []
        self._before_records: dict[tuple[str, int], Any] = {}  # None: absent before
        self._before_properties: dict[str, Any] = {}

    def do(self, model: Model) -> list[Change]:
        if self._records is None:
            diff = diff_models(model, self.after)
            self._records = [(c.collection, c.id) for c in diff.changes if c.collection != MODEL]
            self._properties = [
                f.field for c in diff.changes if c.collection == MODEL for f in c.fields
            ]
        self._before_records = {key: _record(model, key) for key in self._records}
        self._before_properties = {
            name: clone_value(getattr(model, name)) for name in self._properties
        }
        changes = self._put(
            model,
            {k: _record(self.after, k) for k in self._records},
            {n: clone_value(getattr(self.after, n)) for n in self._properties},
        )
        model._next_id = max(model._next_id, self.after._next_id)
        return changes

    def undo(self, model: Model) -> list[Change]:
        assert self._records is not None, "undo before do"
        return self._put(model, self._before_records, self._before_properties)

    def _put(
        self, model: Model, records: Mapping[tuple[str, int], Any], properties: Mapping[str, Any]
    ) -> list[Change]:
        before = {key: _record(model, key) for key in records}
        for name, value in properties.items():
            setattr(model, name, clone_value(value))
        for (name, record_id), record in records.items():
            table = collection(name).records(model)
            if record is None:
                table.pop(record_id, None)
            else:
                table[record_id] = clone(record)
        model.invalidate_names()
        model.invalidate_indexes()
        ids: dict[tuple[EntityKind, Op], list[int]] = {}
        for (name, record_id), record in records.items():
            op: Op = (
                "removed"
                if record is None
                else "added"
                if before[(name, record_id)] is None
                else "changed"
            )
            ids.setdefault((_CHANGE_KINDS[name], op), []).append(record_id)
        return _ordered_changes(ids, model_changed=bool(properties))


def _record(model: Model, key: tuple[str, int]) -> Any:
    found = collection(key[0]).records(model).get(key[1])
    return None if found is None else clone(found)


def _changes(diff: ModelDiff) -> list[Change]:
    """Removals children first, then additions parents first, then changed records."""
    ids: dict[tuple[EntityKind, Op], list[int]] = {}
    model_changed = False
    for change in diff.changes:
        kind = _CHANGE_KINDS.get(change.collection)
        if kind is None:
            model_changed = True
        else:
            ids.setdefault((kind, change.op), []).append(change.id)
    return _ordered_changes(ids, model_changed=model_changed)


def _ordered_changes(
    ids: Mapping[tuple[EntityKind, Op], list[int]], *, model_changed: bool
) -> list[Change]:
    kinds: list[EntityKind] = list(_CHANGE_KINDS.values())
    order: list[tuple[EntityKind, Op]] = [(k, "removed") for k in reversed(kinds)]
    order += [(k, "added") for k in kinds] + [(k, "changed") for k in kinds]
    changes = [Change(kind, op, tuple(ids[(kind, op)])) for kind, op in order if (kind, op) in ids]
    return [Change("model", "changed"), *changes] if model_changed else changes
