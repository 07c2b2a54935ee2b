"""The model seen as records, by introspection, for comparing, merging and dumping models.

Every `dict[int, Record]` field of `Model` is a collection of records keyed by id, and every
other field of `Model` is a model property. Each dataclass field of a record is compared as it
is, so a field added to the domain is diffed, merged and dumped without edits here. Only what
needs special treatment is named below: canvas positions (reported apart), references between
records (renumbered in a merge, followed when a removal cascades) and internal fields (left out).
`tests/domain/test_records.py` fails when a field is neither compared nor excluded here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
import functools
import json
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fma_app.domain import model as model_module
from fma_app.domain.model import Model

# Model fields that are bookkeeping, not content: why each is left out.
EXCLUDED_MODEL_FIELDS: dict[str, str] = {
    "_next_id": "the next id to hand out; a merge recomputes it",
    "_names": "a look-up cache of component names",
    "_ends": "a look-up cache of dependencies by their ends",
    "_ends_of": "the dependencies that cache indexes",
    "_id_source": "where a shared model's new ids come from: the session's, not content",
    "uuid": "the model's identity, not its content: chaos drafts and journals carry it, and two "
    "models built apart always differ in it",
}
# Record fields that are not compared: (collection, field) -> why.
EXCLUDED_RECORD_FIELDS: dict[tuple[str, str], str] = {}
# Canvas positions: a moved node is reported apart from a changed severity.
LAYOUT_FIELDS: dict[str, tuple[str, ...]] = {"components": ("x", "y")}
# (collection, field) -> the collection whose record id the field holds.
REFERENCES: dict[tuple[str, str], str] = {
    ("dependencies", "source_id"): "components",
    ("dependencies", "target_id"): "components",
    ("failure_modes", "component_id"): "components",
    ("actions", "failure_mode_id"): "failure_modes",
}
# Model properties read through a method rather than as stored: group_needs keeps entries of
# groups that lost their dependencies (for undo); only the live ones are content.
MODEL_FIELD_READERS: dict[str, Callable[[Model], object]] = {
    "group_needs": Model.live_group_needs,
}
# Mapping-valued model properties whose keys are tuples starting with a record's id:
# property -> the collection of that id (a merge renumbers it with the record).
KEY_REFERENCES: dict[str, str] = {"group_needs": "components"}
# Names people read: "failure_modes" -> "failure mode".
SINGULAR: dict[str, str] = {
    "components": "component",
    "dependencies": "dependency",
    "failure_modes": "failure mode",
    "actions": "action",
}
ID_FIELD = "id"
MODEL = "model"  # the collection name used for the model's own properties


@dataclass(frozen=True)
class Collection:
    """One `dict[int, Record]` field of Model."""

    name: str
    record_type: type
    fields: tuple[str, ...]  # compared, without id, in dataclass order (layout ones included)
    layout: tuple[str, ...]
    references: Mapping[str, str]  # field -> collection it points into

    @property
    def singular(self) -> str:
        return SINGULAR.get(self.name, self.name.rstrip("s").replace("_", " "))

    def records(self, model: Model) -> dict[int, Any]:
        records: dict[int, Any] = getattr(model, self.name)
        return records

    def values(self, record: object) -> dict[str, object]:
        return {name: getattr(record, name) for name in self.fields}


class UnclassifiedFieldError(TypeError):
    """A field this module cannot treat generically and nobody classified."""


@functools.cache
def collections() -> tuple[Collection, ...]:
    """The model's collections, in Model's field order."""
    hints = typing.get_type_hints(Model, vars(model_module))
    found = []
    for model_field in dataclasses.fields(Model):
        hint = hints[model_field.name]
        if typing.get_origin(hint) is not dict or model_field.name.startswith("_"):
            continue
        key_type, record_type = typing.get_args(hint)
        is_record = isinstance(record_type, type) and dataclasses.is_dataclass(record_type)
        if key_type is int and is_record:  # otherwise a property (group_needs)
            found.append(_collection(model_field.name, record_type))
    return tuple(found)


def _collection(name: str, record_type: type) -> Collection:
    if not dataclasses.is_dataclass(record_type):
        raise UnclassifiedFieldError(f"Model.{name} holds {record_type!r}, not dataclass records")
    names = [f.name for f in dataclasses.fields(record_type)]
    if ID_FIELD not in names:
        raise UnclassifiedFieldError(f"{record_type.__name__} has no id field")
    compared = tuple(n for n in names if n != ID_FIELD and (name, n) not in EXCLUDED_RECORD_FIELDS)
    references = {f: target for (owner, f), target in REFERENCES.items() if owner == name}
    return Collection(name, record_type, compared, LAYOUT_FIELDS.get(name, ()), references)


@functools.cache
def model_fields() -> tuple[str, ...]:
    """Model's own properties (name, description, the form's header, and any added later)."""
    names = []
    collection_names = {c.name for c in collections()}
    for model_field in dataclasses.fields(Model):
        name = model_field.name
        if name in collection_names or name in EXCLUDED_MODEL_FIELDS:
            continue
        if name.startswith("_"):
            raise UnclassifiedFieldError(
                f"Model.{name} is internal: name it in EXCLUDED_MODEL_FIELDS or make it public"
            )
        names.append(name)
    return tuple(names)


def model_value(model: Model, name: str) -> object:
    """A model property's value as content (see MODEL_FIELD_READERS)."""
    reader = MODEL_FIELD_READERS.get(name)
    return reader(model) if reader is not None else getattr(model, name)


def collection(name: str) -> Collection:
    for found in collections():
        if found.name == name:
            return found
    raise KeyError(name)


def iter_records(model: Model) -> Iterator[tuple[Collection, int, Any]]:
    for found in collections():
        for record_id, record in found.records(model).items():
            yield found, record_id, record


def plain(value: object) -> object:
    """A JSON-ready form of a field value, the same for equal values."""
    if type(value) in (str, int, float, bool) or value is None:  # most values: no more checks
        return value
    if isinstance(value, enum.Enum):  # first: a StrEnum is also a str
        return plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(item) for item in value), key=repr)
    if isinstance(value, Mapping):
        return {_plain_key(key): plain(item) for key, item in sorted(value.items(), key=repr)}
    raise UnclassifiedFieldError(f"no plain form for {type(value).__name__} value {value!r}")


def _plain_key(key: object) -> str:
    """A mapping key as text: (3, "pay") -> "3/pay"."""
    if isinstance(key, tuple):
        return "/".join(str(plain(part)) for part in key)
    return str(plain(key))


LABEL_PART = 60  # characters of one name in a label (a failure mode's text, a component's name)


def record_label(model: Model, collection_name: str, record: object) -> str:
    """A short name people recognise, on one line: a component's name, "api -> db", a failure
    mode's text and component. Each name is shortened on its own, with an ellipsis: cutting the
    whole label at 80 characters cut a long failure mode's component name mid-word ("on Car")."""
    return _label(model, collection_name, record)


def _short(text: str, limit: int = LABEL_PART) -> str:
    """At most `limit` characters, cut at a word's end with an ellipsis ("traffic spi'" read as
    a typo in a refusal); a single word longer than half the limit is cut inside it."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":  # the cut falls inside a word: end before it
        words = cut.rpartition(" ")[0]
        if len(words) >= limit // 2:
            cut = words
    return cut.rstrip(" ,;:-") + "\u2026"


def _label(model: Model, collection_name: str, record: object) -> str:

    def component_name(component_id: object) -> str:
        component = model.components.get(component_id)  # type: ignore[call-overload]
        return _short(component.name) if component is not None else f"#{component_id}"

    if collection_name == "dependencies":
        source, target = getattr(record, "source_id", None), getattr(record, "target_id", None)
        return f"{component_name(source)} -> {component_name(target)}"
    if collection_name == "failure_modes":
        text = getattr(record, "failure_mode", "") or getattr(record, "function", "")
        component = component_name(getattr(record, "component_id", None))
        return f"{_short(text) or '(no text)'} on {component}"
    for attribute in ("name", "description"):
        text = getattr(record, attribute, None)
        if isinstance(text, str) and text:
            return _short(text, 80)
    return ""


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # one encoder, reused
_IMMUTABLE = (str, int, float, bool, type(None), enum.Enum, dt.date, dt.time, tuple, frozenset)


def shown(value: object) -> str:
    """A plain value (see `plain`) on one line: text quoted with escapes, null for none."""
    if isinstance(value, str) and type(value) is str:  # common cases: dump writes 300,000
        return _QUOTE(value)
    if type(value) is int:
        return str(value)
    if value is None:
        return "null"
    return _ENCODE(value)


_QUOTE: Callable[[str], str] = json.encoder.encode_basestring  # C, keeps non-ASCII as it is


def clone(record: Any) -> Any:
    """A copy that shares no mutable value with the record: a shallow copy, with only the
    mutable field values (a list, a set, a mutable dataclass) copied deeply. A deep copy of
    every record made a 20,000-failure-mode merge five times slower."""
    if hasattr(record, "__dict__"):  # copy.copy's generic reconstruction costs 3x this
        copied = object.__new__(type(record))
        copied.__dict__.update(record.__dict__)
    else:
        copied = copy.copy(record)
    record_type: type = type(record)
    for name in _field_names(record_type):
        value = getattr(record, name)
        if not isinstance(value, _IMMUTABLE) and not _is_frozen_dataclass(value):
            setattr(copied, name, copy.deepcopy(value))
    return copied


@functools.cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record_type))


def _is_frozen_dataclass(value: object) -> bool:
    params = getattr(value, "__dataclass_params__", None)
    return bool(params is not None and params.frozen)


def clone_model(model: Model) -> Model:
    """A copy of the whole model, records cloned (see `clone`)."""
    copied = copy.copy(model)
    copied.set_id_source(None)  # a copy is a model of its own: no longer the shared one's ids
    for found in collections():
        setattr(copied, found.name, {i: clone(r) for i, r in found.records(model).items()})
    for name in model_fields():
        setattr(copied, name, clone_value(getattr(model, name)))
    copied.invalidate_names()
    return copied


def clone_value(value: object) -> object:
    if isinstance(value, _IMMUTABLE) or _is_frozen_dataclass(value):
        return value
    return copy.deepcopy(value)


def field_key(collection_name: str, record_id: int, field_name: str | None = None) -> str:
    """The stable name of a record or a field: "failure_modes/12/severity", "model/name"."""
    base = MODEL if collection_name == MODEL else f"{collection_name}/{record_id}"
    return base if field_name is None else f"{base}/{field_name}"
