"""merge_models: hand-made three-way cases, and random disjoint and clashing edit sets."""

from __future__ import annotations

import copy
import random

import pytest
from edit_support import apply_random_edits, canonical, example_model, other_value
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.domain.commands import Change
from fma_app.domain.merge import REMOVED, UnsettledConflictsError, merge_models
from fma_app.domain.model import Model
from fma_app.domain.records import clone_model, collections, iter_records


def base_model() -> Model:
    model = Model(name="Shop")
    api = model.add_component("api")  # 1
    db = model.add_component("db", "database")  # 2
    model.add_dependency(api.id, db.id)  # 3
    fm = model.add_failure_mode(db.id, failure_mode="Disk full", severity=7, likelihood=3)  # 4
    model.add_action(fm.id, "Alert at 80%", owner="ops")  # 5
    return model


def three() -> tuple[Model, Model, Model]:
    base = base_model()
    return base, copy.deepcopy(base), copy.deepcopy(base)


def test_changes_to_different_fields_and_rows_are_all_kept():
    base, ours, theirs = three()
    ours.failure_modes[4].severity = 9
    theirs.failure_modes[4].effect = "Writes fail"
    theirs.actions[5].status = "done"  # type: ignore[assignment]
    ours.name = "Shop v2"
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    merged = result.resolved({})
    assert merged.failure_modes[4].severity == 9
    assert merged.failure_modes[4].effect == "Writes fail"
    assert merged.actions[5].status == "done"
    assert merged.name == "Shop v2"


def test_the_same_change_on_both_sides_is_no_conflict():
    base, ours, theirs = three()
    ours.failure_modes[4].severity = theirs.failure_modes[4].severity = 2
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    assert result.resolved({}).failure_modes[4].severity == 2


def test_one_field_changed_both_ways_is_a_conflict_with_both_values():
    base, ours, theirs = three()
    ours.failure_modes[4].severity = 8
    theirs.failure_modes[4].severity = 10
    theirs.failure_modes[4].notes = "checked"
    result = merge_models(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.key == "failure_modes/4/severity"
    assert (conflict.base, conflict.ours, conflict.theirs) == (7, 8, 10)
    assert conflict.label == "Disk full on db"
    with pytest.raises(UnsettledConflictsError):
        result.resolved({})
    with pytest.raises(KeyError):
        result.resolved({"failure_modes/4/severity": "ours", "failure_modes/99/x": "ours"})
    assert result.resolved({conflict.key: "ours"}).failure_modes[4].severity == 8
    settled = result.resolved_all("theirs")
    assert settled.failure_modes[4].severity == 10
    assert settled.failure_modes[4].notes == "checked"


def test_removed_on_one_side_and_changed_on_the_other_is_a_conflict_about_the_row():
    base, ours, theirs = three()
    del ours.actions[5]
    theirs.actions[5].owner = "sre"
    (conflict,) = merge_models(base, ours, theirs).conflicts
    assert conflict.key == "actions/5"
    assert conflict.reason == "removed by ours, changed by theirs"
    assert (conflict.shown("ours"), conflict.shown("theirs")) == (REMOVED, "changed")
    result = merge_models(base, ours, theirs)
    assert 5 not in result.resolved_all("ours").actions
    assert result.resolved_all("theirs").actions[5].owner == "sre"


def test_removed_on_one_side_and_untouched_on_the_other_is_removed():
    base, ours, theirs = three()
    del theirs.actions[5]
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    assert 5 not in result.resolved({}).actions


def test_a_removed_component_that_the_other_side_still_needs_is_a_conflict():
    base, ours, theirs = three()
    for record_id in (2, 3, 4, 5):  # db with its dependency, failure mode and action
        for found in collections():
            found.records(ours).pop(record_id, None)
    added = theirs.add_failure_mode(2, failure_mode="Replica lag", severity=5)
    result = merge_models(base, ours, theirs)
    assert [c.key for c in result.conflicts] == ["components/2"]
    needed_by = f"failure_modes/{added.id}"
    assert result.conflicts[0].reason == f"removed by ours, still needed by {needed_by}"
    removed = result.resolved_all("ours")  # removal cascades to what hangs on it
    assert 2 not in removed.components
    assert added.id not in removed.failure_modes
    assert set(removed.components) == {1}
    kept = result.resolved_all("theirs")
    assert kept.failure_modes[added.id].component_id == 2
    assert 2 in kept.components


def test_both_sides_adding_under_the_same_ids_renumbers_theirs_and_its_references():
    base, ours, theirs = three()
    ours_cache = ours.add_component("cache", "cache")  # id 6 on both sides
    theirs_queue = theirs.add_component("queue", "queue")
    theirs_fm = theirs.add_failure_mode(theirs_queue.id, failure_mode="Consumer lag")  # 7
    theirs.add_action(theirs_fm.id, "Alert on lag")  # 8
    theirs.add_dependency(1, theirs_queue.id)  # 9
    assert ours_cache.id == theirs_queue.id == 6
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    assert result.renumbered == {6: 10}  # only 6 clashed; 10 is the first id neither side used
    merged = result.resolved({})
    assert merged.components[6].name == "cache"
    queue = merged.component_by_name("queue")
    assert queue is not None
    assert queue.id != 6
    (lag,) = merged.failure_modes_of(queue.id)
    assert [a.description for a in merged.actions_of(lag.id)] == ["Alert on lag"]
    assert any(d.target_id == queue.id and d.source_id == 1 for d in merged.dependencies.values())
    ids = [i for _, i, _ in iter_records(merged)]
    assert len(ids) == len(set(ids))
    assert merged._next_id > max(ids)


def test_with_an_id_source_every_addition_of_theirs_takes_its_id_from_it():
    """A shared model's ids come from the server's counter (Model.set_id_source): an id theirs
    chose itself may be one another session reserved, so none of theirs is kept."""
    base, ours, theirs = three()
    handed_out = iter(range(100, 200))
    ours.set_id_source(lambda: next(handed_out))
    queue = theirs.add_component("queue", "queue")  # 6: no clash with ours
    lag = theirs.add_failure_mode(queue.id, failure_mode="Consumer lag")  # 7
    theirs.add_dependency(1, queue.id)  # 8
    result = merge_models(base, ours, theirs)
    assert result.renumbered == {6: 100, 7: 101, 8: 102}
    merged = result.resolved({})
    assert merged.components[100].name == "queue"
    assert merged.failure_modes[101].component_id == 100
    assert (merged.dependencies[102].source_id, merged.dependencies[102].target_id) == (1, 100)
    assert lag.id not in merged.failure_modes
    assert merged._next_id == 103
    assert ours._next_id == base._next_id  # computing a merge leaves ours as it was


def test_the_same_row_added_on_both_sides_is_kept_once():
    base, ours, theirs = three()
    ours.add_component("cache", "cache")
    theirs.add_component("cache", "cache")
    result = merge_models(base, ours, theirs)
    assert result.renumbered == {}
    assert [c.name for c in result.resolved({}).components.values()] == ["api", "db", "cache"]


def _split_ids(model: Model, rng: random.Random) -> tuple[set[int], set[int]]:
    """Records for ours and for theirs: a component and everything hanging on it go together,
    so that one side's removal never takes a row the other edits."""
    ours_components = {c for c in model.components if rng.random() < 0.5}
    ours: set[int] = set(ours_components)
    for fm in model.failure_modes.values():
        if fm.component_id in ours_components:
            ours.add(fm.id)
            ours.update(a.id for a in model.actions_of(fm.id))
    ours.update(d.id for d in model.dependencies.values() if d.source_id in ours_components)
    every = {i for _, i, _ in iter_records(model)}
    return ours, every - ours


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 10))
def test_merging_disjoint_edits_equals_applying_both(seed, count):
    base = example_model()
    rng = random.Random(seed)
    ours_ids, theirs_ids = _split_ids(base, rng)
    ours, theirs, both = copy.deepcopy(base), copy.deepcopy(base), copy.deepcopy(base)
    apply_random_edits(ours, random.Random(seed + 1), count, allowed=ours_ids)
    apply_random_edits(theirs, random.Random(seed + 2), count, allowed=theirs_ids)
    apply_random_edits(both, random.Random(seed + 1), count, allowed=ours_ids)
    apply_random_edits(both, random.Random(seed + 2), count, allowed=theirs_ids)
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    assert canonical(result.resolved({}), base) == canonical(both, base)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_same_field_edited_both_ways_is_a_conflict(seed):
    rng = random.Random(seed)
    base = example_model()
    while True:  # a field with two values other than base's (a flag has only one)
        found = rng.choice([c for c in collections() if c.records(base)])
        record_id = rng.choice(list(found.records(base)))
        name = rng.choice([f for f in found.fields if f not in found.references])
        record = found.records(base)[record_id]
        mine, yours = (other_value(type(record), name, getattr(record, name), rng) for _ in "ab")
        if mine != yours:
            break
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    setattr(found.records(ours)[record_id], name, mine)
    setattr(found.records(theirs)[record_id], name, yours)
    result = merge_models(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.key == f"{found.name}/{record_id}/{name}"
    assert (conflict.ours, conflict.theirs) == (mine, yours)
    assert getattr(found.records(result.resolved_all("theirs"))[record_id], name) == yours


def grouped_model() -> Model:
    """api needs pay-a/pay-b/pay-c (group "pay") and q1/q2 (group "q")."""
    model = Model(name="Groups")
    api = model.add_component("api")
    for name, group in (("pay-a", "pay"), ("pay-b", "pay"), ("pay-c", "pay"), ("q1", "q"),
                        ("q2", "q")):  # fmt: skip
        model.add_dependency(api.id, model.add_component(name).id, group=group)
    return model


def test_group_needs_merge_entry_by_entry_and_conflict_per_property():
    base = grouped_model()
    api = base.component_by_name("api").id  # type: ignore[union-attr]
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours.group_needs[(api, "pay")] = 2
    theirs.group_needs[(api, "q")] = 2
    result = merge_models(base, ours, theirs)
    assert result.conflicts == ()
    assert result.resolved({}).live_group_needs() == {(api, "pay"): 2, (api, "q"): 2}
    theirs.group_needs[(api, "pay")] = 3
    (conflict,) = merge_models(base, ours, theirs).conflicts
    assert conflict.key == "model/group_needs"
    assert (conflict.shown("ours"), conflict.shown("theirs")) == (
        '{"1/pay": 2}', '{"1/pay": 3, "1/q": 2}',
    )  # fmt: skip
    assert merge_models(base, ours, theirs).resolved_all("theirs").group_needs[(api, "pay")] == 3


def test_their_new_component_keeps_its_group_needs_when_renumbered():
    base = grouped_model()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours.add_component("cache")  # takes the id theirs gives its new gateway
    gateway = theirs.add_component("gateway")
    for name in ("pay-a", "pay-b"):
        theirs.add_dependency(gateway.id, theirs.component_by_name(name).id, group="pay")  # type: ignore[union-attr]
    theirs.group_needs[(gateway.id, "pay")] = 2
    result = merge_models(base, ours, theirs)
    new_id = result.renumbered[gateway.id]
    merged = result.resolved({})
    assert merged.components[new_id].name == "gateway"
    assert merged.live_group_needs() == {(new_id, "pay"): 2}


def test_undoing_a_merge_puts_back_only_what_the_merge_changed():
    """A change made after the merge to a record the merge left alone (a colleague's, on a
    shared model) survives the merge's undo and redo (review of issue 18, finding 3)."""
    from fma_app.domain.merge import ReplaceContent

    model = Model(name="Shop")
    db, web = model.add_component("db"), model.add_component("web")
    merged = clone_model(model)
    merged.components[web.id].description = "from the merge"
    step = ReplaceContent(merged)
    assert step.do(model) == [Change("component", "changed", (web.id,))]
    model.components[db.id].description = "changed since"
    assert step.undo(model) == [Change("component", "changed", (web.id,))]
    assert (model.components[db.id].description, model.components[web.id].description) == (
        "changed since",
        "",
    )
    step.do(model)
    assert model.components[db.id].description == "changed since"
    assert model.components[web.id].description == "from the merge"
