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


def test_remove_component_cascades_and_undo_restores_everything(model):
    before = copy.deepcopy(model.content())
    db = model.component_by_name("db")
    command = cmd.remove(model, "component", [db.id])
    command.do(model)
    assert not model.failure_modes and not model.actions and not model.dependencies
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
