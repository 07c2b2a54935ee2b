"""The model's header properties (the AIAG-VDA form's header), edited as one undo step."""

from __future__ import annotations

import datetime as dt

import pytest

from fma_app.domain.commands import Change, edit_model_properties
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import Model, ModelProperties


def test_editing_several_properties_is_one_undo_step():
    model = Model(name="Checkout")
    before = model.content()
    command = edit_model_properties(
        model, name="  Checkout v2 ", scope="EU cards", fmea_number="FM-14", team="Ana\nBo",
        revision="C", key_date="2026-06-30", prepared_by="Ana", approved_by="Cy",
        description="All card traffic",
    )  # fmt: skip
    assert command.text == "Edit Model Properties"
    assert command.do(model) == [Change("model", "changed")]
    assert model.properties == ModelProperties(
        name="Checkout v2", description="All card traffic", scope="EU cards",
        fmea_number="FM-14", team="Ana\nBo", revision="C", key_date=dt.date(2026, 6, 30),
        prepared_by="Ana", approved_by="Cy",
    )  # fmt: skip
    command.undo(model)
    assert model.content() == before
    command.do(model)  # redo
    assert model.fmea_number == "FM-14"


def test_properties_not_named_are_kept():
    model = Model(name="Checkout", scope="EU")
    edit_model_properties(model, revision="B").do(model)
    assert (model.name, model.scope, model.revision) == ("Checkout", "EU", "B")


def test_a_key_date_can_be_cleared():
    model = Model(key_date=dt.date(2026, 1, 1))
    edit_model_properties(model, key_date="").do(model)
    assert model.key_date is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "the model name must not be empty"),
        ({"key_date": "31/12/2026"}, "Key date '31/12/2026' is not a date written YYYY-MM-DD"),
        ({"key_date": "2026-02-30"}, "Key date '2026-02-30' is not a date written YYYY-MM-DD"),
        ({"fmea_number": "FM-1\nFM-2"}, "FMEA number must be one line"),
        ({"approved_by": 7}, "Approved by must be text, not 7"),
        ({"owner": "x"}, "unknown model propert(ies): owner"),
    ],
)
def test_bad_properties_are_refused_and_nothing_changes(changes, message):
    model = Model(name="Checkout", fmea_number="FM-1")
    before = model.content()
    with pytest.raises(ValidationError) as raised:
        edit_model_properties(model, **changes)
    assert str(raised.value) == message
    assert model.content() == before


def test_undo_restores_only_the_properties_the_step_changed():
    """Review of issue 18, finding 2: the command kept the whole properties, so undoing a
    rename also put back a scope changed since (by someone else, on a shared model)."""
    model = Model(name="Checkout", scope="EU")
    rename = edit_model_properties(model, name="Checkout v2", scope="EU")
    assert rename.new == {"name": "Checkout v2"}  # an unchanged value is no change
    rename.do(model)
    model.scope = "EU and UK"  # another step (a colleague's) since
    rename.undo(model)
    assert (model.name, model.scope) == ("Checkout", "EU and UK")
