"""diff_models on hand-made pairs and on random edits made through the domain's commands."""

from __future__ import annotations

import copy
import random

from edit_support import apply_random_edits, example_model, listed_keys
from hypothesis import given, settings
from hypothesis import strategies as st

from fma_app.domain.diff import FieldChange, diff_models
from fma_app.domain.dump import dump_text
from fma_app.domain.model import Model, Scores


def small() -> Model:
    model = Model(name="Shop")
    api = model.add_component("api", x=10, y=20)
    db = model.add_component("db", "database")
    model.add_dependency(api.id, db.id)
    fm = model.add_failure_mode(db.id, failure_mode="Disk full", severity=7, likelihood=3)
    model.add_action(fm.id, "Alert at 80%", owner="ops")
    return model


def test_equal_models_have_no_differences():
    diff = diff_models(small(), small())
    assert diff.is_empty()
    assert diff.changes == ()


def test_a_changed_severity_is_one_field_with_old_and_new():
    old, new = small(), small()
    new.failure_modes[4].severity = 9
    (change,) = diff_models(old, new).changes
    assert (change.collection, change.id, change.op) == ("failure_modes", 4, "changed")
    assert change.fields == (FieldChange("severity", 7, 9),)
    assert change.label == "Disk full on db"


def test_a_long_failure_mode_is_shortened_but_its_component_stays_whole():
    old = small()
    old.components[2].name = "Card network gateway (Acquirer B)"
    old.failure_modes[4].failure_mode = "Failover traffic declined because merchants are " * 3
    new = copy.deepcopy(old)
    new.failure_modes[4].severity = 9
    (change,) = diff_models(old, new).changes
    text, component = change.label.split(" on ")
    assert component == "Card network gateway (Acquirer B)"
    assert text == "Failover traffic declined because merchants are Failover\u2026"  # a word's end


def test_a_moved_node_is_reported_apart_and_can_be_ignored():
    old, new = small(), small()
    new.components[1].x = 300.0
    new.failure_modes[4].effect = "Writes fail"
    diff = diff_models(old, new)
    assert [c.layout for c in diff.layout_changes()] == [(FieldChange("x", 10.0, 300.0),)]
    assert [c.collection for c in diff.content_changes()] == ["failure_modes"]
    assert not diff.is_empty(ignore_layout=True)
    only_moved = small()
    only_moved.components[1].y = -5.0
    moved = diff_models(old, only_moved)
    assert not moved.is_empty()
    assert moved.is_empty(ignore_layout=True)
    assert moved.without_layout().changes == ()


def test_added_and_removed_records_carry_their_values():
    old, new = small(), small()
    del new.actions[5]
    cache = new.add_component("cache", "cache", owner="web")
    diff = diff_models(old, new)
    removed = next(c for c in diff.changes if c.op == "removed")
    added = next(c for c in diff.changes if c.op == "added")
    assert (removed.collection, removed.id) == ("actions", 5)
    assert FieldChange("description", "Alert at 80%", None) in removed.fields
    assert (added.collection, added.id) == ("components", cache.id)
    assert FieldChange("kind", None, "cache") in added.fields
    assert FieldChange("owner", None, "web") in added.fields


def test_model_properties_and_revised_scores_are_compared():
    old, new = small(), small()
    new.name = "Shop v2"
    new.failure_modes[4].revised = Scores(7, 2, 2)
    changes = {c.collection: c for c in diff_models(old, new).changes}
    assert changes["model"].fields == (FieldChange("name", "Shop", "Shop v2"),)
    revised = {"severity": 7, "likelihood": 2, "detection": 2}
    assert changes["failure_modes"].fields == (FieldChange("revised", None, revised),)


def test_dump_is_sorted_by_id_and_one_line_per_field():
    model = small()
    model.failure_modes[4].notes = "two\nlines"
    shuffled = copy.deepcopy(model)
    shuffled.components = dict(reversed(list(model.components.items())))
    text = dump_text(model)
    assert text == dump_text(shuffled)
    assert 'failure_modes/4/notes: "two\\nlines"' in text.splitlines()
    assert "failure_modes/4/severity: 7" in text.splitlines()
    assert text.index("components/1/name") < text.index("components/2/name")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_the_diff_lists_exactly_the_random_edits(seed, count):
    base = example_model()
    edited = copy.deepcopy(base)
    edits = apply_random_edits(edited, random.Random(seed), count)
    listed = listed_keys(diff_models(base, edited))
    assert listed.changed == edits.changed
    assert listed.added == edits.added
    assert listed.removed == edits.removed
    anything = edits.changed | edits.added | edits.removed
    assert diff_models(base, edited).is_empty() == (not anything)


def test_the_example_model_against_itself_and_a_copy_from_its_json():
    from fma_app.domain.serialization import model_from_json, model_to_json

    model = example_model()
    assert diff_models(model, model_from_json(model_to_json(model))).is_empty()
