"""Every field of the domain is compared by diff and merge and written by dump, or excluded by
name in domain/records.py: a field another change adds is covered, or this test says so."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from edit_support import example_model, other_value

from fma_app.domain.diff import diff_models
from fma_app.domain.dump import dump_text
from fma_app.domain.merge import merge_models
from fma_app.domain.model import Model
from fma_app.domain.records import (
    EXCLUDED_MODEL_FIELDS,
    EXCLUDED_RECORD_FIELDS,
    MODEL,
    REFERENCES,
    collections,
    field_key,
    model_fields,
)

# Fields ending in _id that hold no id of another record (none yet).
NOT_REFERENCES: set[tuple[str, str]] = set()


def every_record_field() -> list[tuple[str, str]]:
    return [
        (found.name, f.name)
        for found in collections()
        for f in dataclasses.fields(found.record_type)
        if f.name != "id"
    ]


def test_the_four_collections_are_found():
    assert [c.name for c in collections()][:4] == [
        "components", "dependencies", "failure_modes", "actions",
    ]  # fmt: skip


def test_every_model_field_is_a_collection_a_property_or_excluded():
    names = {c.name for c in collections()} | set(model_fields()) | set(EXCLUDED_MODEL_FIELDS)
    assert names == {f.name for f in dataclasses.fields(Model)}
    assert "name" in model_fields()
    assert "_next_id" not in model_fields()


def test_every_field_naming_an_id_is_a_known_reference():
    id_like = {
        (owner, name)
        for owner, name in every_record_field()
        if name.endswith(("_id", "_ids")) and (owner, name) not in NOT_REFERENCES
    }
    assert id_like == set(REFERENCES), (
        "a field that holds another record's id must be listed in records.REFERENCES (merge "
        "renumbers it, removal cascades along it) or in NOT_REFERENCES here"
    )


def _record_with_field(model: Model, collection_name: str, field_name: str) -> object:
    found = next(c for c in collections() if c.name == collection_name)
    records = list(found.records(model).values())
    assert records, f"the example model has no {collection_name}: add one to cover {field_name}"
    return records[0]


@pytest.mark.parametrize(("collection_name", "field_name"), every_record_field())
def test_a_change_to_any_record_field_is_diffed_dumped_and_merged(collection_name, field_name):
    if (collection_name, field_name) in EXCLUDED_RECORD_FIELDS:
        pytest.skip(EXCLUDED_RECORD_FIELDS[(collection_name, field_name)])
    base = example_model()
    if (collection_name, field_name) in REFERENCES:  # a reference moves to another real target
        record, value = _repointed(base, collection_name, field_name)
    else:
        record = _record_with_field(base, collection_name, field_name)
        value = other_value(type(record), field_name, getattr(record, field_name))
    ours = copy.deepcopy(base)
    record_id = record.id  # type: ignore[attr-defined]
    found = next(c for c in collections() if c.name == collection_name)
    setattr(found.records(ours)[record_id], field_name, value)

    diff = diff_models(base, ours)
    (change,) = diff.changes
    assert [c.field for c in (*change.fields, *change.layout)] == [field_name]
    key = field_key(collection_name, record_id, field_name)
    changed_lines = set(dump_text(base).splitlines()) ^ set(dump_text(ours).splitlines())
    field_lines = {line for line in changed_lines if not line.startswith("[")}  # not headers
    assert len(field_lines) == 2
    assert all(line.startswith(key + ": ") for line in field_lines)
    result = merge_models(base, ours, copy.deepcopy(base))
    assert result.conflicts == ()
    assert getattr(found.records(result.pending)[record_id], field_name) == value


def _repointed(model: Model, collection_name: str, field_name: str) -> tuple[object, int]:
    """A record and another id its reference can point at, keeping the model valid."""
    found = next(c for c in collections() if c.name == collection_name)
    target = next(c for c in collections() if c.name == REFERENCES[(collection_name, field_name)])
    pairs = {(d.source_id, d.target_id) for d in model.dependencies.values()}
    for record in found.records(model).values():
        for candidate in target.records(model):
            moved = copy.copy(record)
            setattr(moved, field_name, candidate)
            if candidate == getattr(record, field_name):
                continue
            if collection_name == "dependencies" and (
                moved.source_id == moved.target_id or (moved.source_id, moved.target_id) in pairs
            ):
                continue
            return record, candidate
    raise AssertionError(f"no {collection_name} record to repoint")


def _needs_two(model: Model) -> dict[tuple[int, str], int]:
    """The first redundancy group with two members or more, needing two of them."""
    sizes: dict[tuple[int, str], int] = {}
    for dependency in model.dependencies.values():
        if dependency.group:
            key = (dependency.source_id, dependency.group)
            sizes[key] = sizes.get(key, 0) + 1
    key = next(k for k, size in sizes.items() if size >= 2)
    return {key: 2}


# Properties whose valid values depend on the model's records.
MODEL_PROPERTY_VALUES = {"group_needs": _needs_two}


@pytest.mark.parametrize("field_name", model_fields())
def test_a_change_to_any_model_property_is_diffed_dumped_and_merged(field_name):
    base = example_model()
    ours = copy.deepcopy(base)
    make = MODEL_PROPERTY_VALUES.get(field_name)
    value = make(base) if make else other_value(Model, field_name, getattr(base, field_name))
    setattr(ours, field_name, value)
    (change,) = diff_models(base, ours).changes
    assert change.collection == MODEL
    assert [c.field for c in change.fields] == [field_name]
    assert dump_text(base) != dump_text(ours)
    result = merge_models(base, copy.deepcopy(base), ours)
    assert getattr(result.resolved({}), field_name) == getattr(ours, field_name)
