"""A failure mode's justification: why the current controls suffice without a further action
(AIAG-VDA accepts a documented reason for a high Action Priority). Edited by an undoable command,
carried by the JSON form."""

from __future__ import annotations

import pytest

from fma_app.domain.commands import add_failure_mode, set_fields
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import Model
from fma_app.domain.serialization import model_from_dict, model_to_dict


def model_with_one() -> tuple[Model, int]:
    model = Model()
    api = model.add_component("api")
    return model, model.add_failure_mode(api.id, failure_mode="Timeout").id


def test_a_new_failure_mode_has_no_justification():
    model, fm_id = model_with_one()
    assert model.failure_modes[fm_id].justification == ""


def test_setting_a_justification_is_one_undoable_step():
    model, fm_id = model_with_one()
    command = set_fields(model, "failure_mode", fm_id, justification="Failover drilled monthly")
    assert command.text == "Change Justification"
    command.do(model)
    assert model.failure_modes[fm_id].justification == "Failover drilled monthly"
    command.undo(model)
    assert model.failure_modes[fm_id].justification == ""
    command.do(model)  # redo
    assert model.failure_modes[fm_id].justification == "Failover drilled monthly"


def test_a_justification_must_be_text():
    model, fm_id = model_with_one()
    with pytest.raises(ValidationError, match="Justification must be text, not 42"):
        set_fields(model, "failure_mode", fm_id, justification=42)
    with pytest.raises(ValidationError, match="justification must be text"):
        model.add_failure_mode(model.component_by_name("api").id, justification=42)
    assert model.failure_modes[fm_id].justification == ""


def test_add_failure_mode_command_takes_a_justification():
    model, _ = model_with_one()
    command = add_failure_mode(model, model.component_by_name("api").id, justification="Tested")
    command.do(model)
    assert [fm.justification for fm in model.failure_modes.values()] == ["", "Tested"]


def test_json_form_carries_it_and_older_json_without_it_reads_empty():
    model, fm_id = model_with_one()
    model.failure_modes[fm_id].justification = "Line one\nline two \u2713"
    data = model_to_dict(model)
    assert model_from_dict(data).content() == model.content()
    del data["components"][0]["failure_modes"][0]["justification"]
    assert model_from_dict(data).failure_modes[fm_id].justification == ""
