"""Undoable commands: do/undo round trips to the exact previous model, validation first."""

import copy

import pytest

from fma_app.domain import commands as cmd
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import Model, Scores


@pytest.fixture
def model() -> Model:
    m = Model(name="Shop")
    api = m.add_component("api")
    db = m.add_component("db", "database")
    m.add_dependency(api.id, db.id)
    fm = m.add_failure_mode(db.id, failure_mode="Disk full", severity=8, likelihood=3, detection=4)
    m.add_action(fm.id, "Alert at 80%", owner="sre")
    return m


def test_set_severity_undo_restores_exact_model(model):
    before = copy.deepcopy(model.content())
    fm_id = next(iter(model.failure_modes))
    command = cmd.set_fields(model, "failure_mode", fm_id, severity="9")
    assert command.text == "Change Severity"
    changes = command.do(model)
    assert model.failure_modes[fm_id].severity == 9
    assert changes == [cmd.Change("failure_mode", "changed", (fm_id,))]
    command.undo(model)
    assert model.content() == before


def test_invalid_score_never_reaches_the_model(model):
    fm_id = next(iter(model.failure_modes))
    with pytest.raises(ValidationError, match="likelihood 11 is not a whole number"):
        cmd.set_fields(model, "failure_mode", fm_id, likelihood=11)
    assert model.failure_modes[fm_id].likelihood == 3


def test_revised_scores_are_all_three_or_none(model):
    fm_id = next(iter(model.failure_modes))
    with pytest.raises(ValidationError, match="revised detection 0"):
        cmd.set_fields(model, "failure_mode", fm_id, revised=(3, 2, 0))
    cmd.set_fields(model, "failure_mode", fm_id, revised=(3, 2, 2)).do(model)
    assert model.failure_modes[fm_id].revised == Scores(3, 2, 2)


@pytest.mark.parametrize("bad", [(1, 2), (1, 2, 3, 4), 5, "12"])
def test_revised_scores_not_three_values_are_refused_with_the_message(model, bad):
    fm_id = next(iter(model.failure_modes))
    with pytest.raises(ValidationError, match="must be all three of severity"):
        cmd.set_fields(model, "failure_mode", fm_id, revised=bad)
    assert model.failure_modes[fm_id].revised is None


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("component", "x", "left", "Position 'left' is not a number"),
        ("dependency", "source_id", "first", "Dependency 'first' is not an id"),
        ("failure_mode", "component_id", 2.5, "Component 2.5 is not an id"),
    ],
)
def test_numbers_and_ids_that_are_not_are_refused_with_the_message(
    model, kind, field, value, message
):
    table = {
        "component": model.components,
        "dependency": model.dependencies,
        "failure_mode": model.failure_modes,
    }[kind]
    entity_id = next(iter(table))
    before = copy.deepcopy(model.content())
    with pytest.raises(ValidationError, match=message):
        cmd.set_fields(model, kind, entity_id, **{field: value})
    assert model.content() == before


def test_a_failure_mode_text_that_is_not_text_is_refused(model):
    component_id = next(iter(model.components))
    with pytest.raises(ValidationError, match="effect must be text, not 42"):
        cmd.add_failure_mode(model, component_id, effect=42)
    assert len(model.failure_modes) == 1


def test_remove_component_cascades_and_undo_restores_everything(model):
    before = copy.deepcopy(model.content())
    db = model.component_by_name("db")
    command = cmd.remove(model, "component", [db.id])
    command.do(model)
    assert not model.failure_modes
    assert not model.actions
    assert not model.dependencies
    command.undo(model)
    assert model.content() == before
    command.do(model)  # redo after undo
    assert len(model.components) == 1


def test_duplicate_component_name_is_refused(model):
    with pytest.raises(ModelError, match="already exists"):
        cmd.add_component(model, "API")
    api = model.component_by_name("api")
    with pytest.raises(ModelError, match="already exists"):
        cmd.set_fields(model, "component", api.id, name="db")


def test_self_dependency_is_refused(model):
    api = model.component_by_name("api")
    with pytest.raises(ModelError, match="cannot depend on itself"):
        cmd.add_dependency(model, api.id, api.id)


def test_macro_is_one_step_and_rolls_back_on_failure(model):
    before = copy.deepcopy(model.content())
    api = model.component_by_name("api")
    macro = cmd.Macro(
        [
            cmd.set_fields(model, "component", api.id, x=10.0),
            cmd.SetFields("component", 999, {"x": 1.0}, "Move"),  # unknown id fails
        ],
        "Move Components",
    )
    with pytest.raises((ModelError, KeyError)):
        macro.do(model)
    assert model.content() == before


def test_add_then_undo_removes_and_redo_reinserts_same_id(model):
    command = cmd.add_component(model, "cache", "cache")
    command.do(model)
    new_id = model.component_by_name("cache").id
    command.undo(model)
    assert model.component_by_name("cache") is None
    command.do(model)
    assert model.component_by_name("cache").id == new_id


def test_name_lookup_follows_renames_removals_and_undo(model):
    api = model.component_by_name("api")
    rename = cmd.set_fields(model, "component", api.id, name="Gateway")
    rename.do(model)
    assert model.component_by_name("gateway") is model.components[api.id]
    assert model.component_by_name("api") is None
    rename.undo(model)
    assert model.component_by_name("API") is model.components[api.id]
    removal = cmd.remove(model, "component", [api.id])
    removal.do(model)
    assert model.component_by_name("api") is None
    removal.undo(model)
    assert model.component_by_name("api").id == api.id
