"""The change set of a step against the session's shadow, and the field-level conflict rules
(pure Python: no server)."""

from __future__ import annotations

from fma_app.domain.commands import (
    add_failure_mode,
    edit_model_properties,
    remove,
    set_fields,
    set_group_needs,
)
from fma_app.domain.model import Model
from fma_app.domain.records import clone_model
from fma_app.storage.shared.change_set import (
    MODEL_RECORD,
    RecordChange,
    change_set,
    find_conflicts,
    touched_records,
)


def small() -> Model:
    model = Model(name="Shop")
    api = model.add_component("api")
    db = model.add_component("db")
    model.add_dependency(api.id, db.id)
    fm = model.add_failure_mode(db.id, failure_mode="Disk full", severity=4, notes="old")
    model.add_action(fm.id, "Add alerts")
    return model


def step(model: Model, command) -> tuple[Model, list[RecordChange]]:  # type: ignore[no-untyped-def]
    shadow = clone_model(model)
    changes = command.do(model)
    return shadow, change_set(shadow, model, touched_records(changes))


def fm_id(model: Model) -> int:
    return next(iter(model.failure_modes))


def test_a_field_edit_is_one_changed_record_with_old_and_new() -> None:
    model = small()
    fm = fm_id(model)
    _shadow, records = step(model, set_fields(model, "failure_mode", fm, severity=7, notes="new"))
    assert records == [
        RecordChange(
            ("failure_modes", fm),
            "changed",
            records[0].old,
            records[0].new,
            ("severity", "notes"),
        )
    ]
    assert (records[0].old["severity"], records[0].new["severity"]) == (4, 7)


def test_a_removal_lists_children_before_parents() -> None:
    model = small()
    component = model.component_by_name("db")
    assert component is not None
    _shadow, records = step(model, remove(model, "component", [component.id]))
    assert [(r.collection, r.op) for r in records] == [
        ("actions", "removed"),
        ("failure_modes", "removed"),
        ("dependencies", "removed"),
        ("components", "removed"),
    ]


def test_an_addition_is_added_with_every_field() -> None:
    model = small()
    component = model.component_by_name("api")
    assert component is not None
    _shadow, records = step(model, add_failure_mode(model, component.id, failure_mode="x"))
    assert [(r.collection, r.op) for r in records] == [("failure_modes", "added")]
    assert records[0].new["failure_mode"] == "x"


def test_model_properties_and_group_needs_are_the_model_record() -> None:
    model = small()
    _shadow, records = step(model, edit_model_properties(model, name="Shop 2", team="ops"))
    assert [(r.key, r.fields) for r in records] == [(MODEL_RECORD, ("name", "team"))]
    api = model.component_by_name("api")
    db = model.component_by_name("db")
    assert api is not None and db is not None  # noqa: PT018
    cache = model.add_component("cache")
    for dep in model.dependencies.values():
        dep.group = "store"
    model.add_dependency(api.id, cache.id, group="store")
    _shadow, records = step(model, set_group_needs(model, api.id, "store", 2))
    assert [(r.key, r.fields) for r in records] == [(MODEL_RECORD, ("group_needs",))]


def test_no_change_no_record() -> None:
    model = small()
    fm = fm_id(model)
    _shadow, records = step(model, set_fields(model, "failure_mode", fm, severity=4))
    assert records == []


def changed(model: Model, **fields: object) -> RecordChange:
    fm = fm_id(model)
    return step(model, set_fields(model, "failure_mode", fm, **fields))[1][0]


def test_other_fields_changed_meanwhile_are_no_conflict() -> None:
    record = changed(small(), severity=7)
    server = {**record.old, "notes": "someone else's"}
    assert find_conflicts(record, server) == []


def test_the_same_field_changed_meanwhile_is_a_conflict_naming_the_current_value() -> None:
    record = changed(small(), severity=7)
    server = {**record.old, "severity": 9}
    (conflict,) = find_conflicts(record, server)
    assert (conflict.field, conflict.current) == ("severity", 9)


def test_the_same_change_made_meanwhile_is_no_conflict() -> None:
    record = changed(small(), severity=7)
    assert find_conflicts(record, {**record.old, "severity": 7}) == []


def test_a_record_removed_meanwhile_conflicts_with_a_change_not_with_a_removal() -> None:
    model = small()
    record = changed(model, severity=7)
    (conflict,) = find_conflicts(record, None)
    assert (conflict.field, conflict.current) == (None, None)
    _shadow, removal = step(model, remove(model, "failure_mode", [fm_id(model)]))
    assert all(find_conflicts(r, None) == [] for r in removal)


def test_removing_a_record_someone_changed_meanwhile_is_a_conflict() -> None:
    model = small()
    _shadow, records = step(model, remove(model, "failure_mode", [fm_id(model)]))
    fm_removal = next(r for r in records if r.collection == "failure_modes")
    server = {**fm_removal.old, "notes": "edited meanwhile"}
    (conflict,) = find_conflicts(fm_removal, server)
    assert conflict.field is None
    assert find_conflicts(fm_removal, dict(fm_removal.old)) == []


def test_an_added_id_already_on_the_server_is_a_conflict() -> None:
    model = small()
    component = model.component_by_name("api")
    assert component is not None
    _shadow, (record,) = step(model, add_failure_mode(model, component.id))
    assert find_conflicts(record, None) == []
    assert len(find_conflicts(record, dict(record.new))) == 1


def test_a_value_of_another_type_is_a_change() -> None:
    model = small()
    shadow = clone_model(model)
    component = model.component_by_name("api")
    assert component is not None
    component.x = 1.0
    shadow.components[component.id].x = 1  # type: ignore[assignment]
    (record,) = change_set(shadow, model, [("components", component.id)])
    assert record.fields == ("x",)
