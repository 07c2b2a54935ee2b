"""A component's availability and SLO, and how many members a redundancy group needs: parsing,
validation and undoable commands."""

from __future__ import annotations

import copy

import pytest

from fma_app.domain import commands as cmd
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import Model, parse_fraction, parse_slo, parse_window_days


@pytest.mark.parametrize(
    ("value", "fraction"),
    [
        ("99.95", 0.9995), ("99.95%", 0.9995), (" 99.95 % ", 0.9995), ("99,95 %", 0.9995),
        (0.9995, 0.9995), ("0.9995", 0.9995), (99.95, 0.9995), (100, 1.0), (1, 1.0), (0, 0.0),
        ("0.5%", 0.005), (None, None), ("  ", None), (99.99, 0.9999), ("99.999", 0.99999),
    ],
)  # fmt: skip
def test_a_number_above_1_is_a_percent_and_percent_signs_are_percents(value, fraction):
    assert parse_fraction("availability", value) == fraction


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101 %", "availability '101 %' is not a percentage from 0 to 100"),
        (101, "availability 101 is not a percentage from 0 to 100"),
        (-1, "availability -1 is not a percentage from 0 to 100"),
        ("-0.5", "availability '-0.5' is not a percentage from 0 to 100"),
        ("high", "availability 'high' is not a percentage"),
        ("nan", "availability 'nan' is not a percentage"),
        (float("inf"), "availability inf is not a percentage"),
        (True, "availability True is not a percentage"),
    ],
)
def test_bad_availabilities_are_refused_with_the_value(value, message):
    with pytest.raises(ValidationError) as caught:
        parse_fraction("availability", value)
    assert str(caught.value) == message


def test_an_slo_is_above_0_and_below_100_percent():
    assert parse_slo("SLO", "99.9 %") == 0.999
    for bad in ("100", 1, 0, "0 %"):
        with pytest.raises(ValidationError, match="must be above 0 and below 100 %"):
            parse_slo("SLO", bad)


def test_windows_are_whole_days_with_an_optional_unit():
    assert [parse_window_days("w", v) for v in (None, "", 28, "28", "28d", "4w", 7.0)] == [
        30, 30, 28, 28, 28, 28, 7,
    ]  # fmt: skip
    for bad in (0, "0d", 3661, "1.5", "a month", -3, 2.5):
        with pytest.raises(ValidationError, match="is not a whole number of days from 1 to 3660"):
            parse_window_days("w", bad)


@pytest.fixture
def model() -> Model:
    m = Model(name="Shop")
    api = m.add_component("api", user_facing=True)
    for name in ("a", "b", "c"):
        target = m.add_component(name)
        m.add_dependency(api.id, target.id, group="regions")
    return m


def test_set_availability_and_slo_are_undoable_steps(model):
    api = model.component_by_name("api")
    assert api is not None
    before = copy.deepcopy(model.content())
    command = cmd.set_fields(model, "component", api.id, availability="99.95 %")
    assert command.text == "Change Availability"
    assert command.do(model) == [cmd.Change("component", "changed", (api.id,))]
    assert api.availability == 0.9995
    slo = cmd.set_fields(model, "component", api.id, slo=99.9, slo_window_days="4w")
    assert slo.text == "Edit Component"
    slo.do(model)
    assert (api.slo, api.slo_window_days) == (0.999, 28)
    slo.undo(model)
    command.undo(model)
    assert model.content() == before
    with pytest.raises(ValidationError, match="availability '101 %'"):
        cmd.set_fields(model, "component", api.id, availability="101 %")
    cleared = cmd.set_fields(model, "component", api.id, availability="")
    cleared.do(model)
    assert api.availability is None


def test_a_group_needs_k_of_its_n_members_as_one_undo_step(model):
    api = model.component_by_name("api")
    assert api is not None
    assert model.needs_of(api.id, "regions") == 1
    before = copy.deepcopy(model.content())
    command = cmd.set_group_needs(model, api.id, "regions", "2")
    assert command.text == "Change Group Needs"
    changes = command.do(model)
    member_ids = tuple(d.id for d in model.group_members(api.id, "regions"))
    assert changes == [cmd.Change("dependency", "changed", member_ids)]
    assert model.needs_of(api.id, "regions") == 2
    assert model.live_group_needs() == {(api.id, "regions"): 2}
    command.undo(model)
    assert model.content() == before
    assert model.group_needs == {}


@pytest.mark.parametrize(
    ("group", "needs", "error", "message"),
    [
        ("regions", 4, ValidationError,
         "group 'regions' of 'api' has 3 member(s): it can need from 1 to 3 of them, not 4"),
        ("regions", 0, ValidationError, "it can need from 1 to 3 of them, not 0"),
        ("regions", "two", ValidationError, "it can need from 1 to 3 of them, not 'two'"),
        ("zones", 2, ModelError, "'api' has no redundancy group named 'zones'"),
    ],
)  # fmt: skip
def test_bad_group_needs_are_refused(model, group, needs, error, message):
    api = model.component_by_name("api")
    assert api is not None
    with pytest.raises(error) as caught:
        cmd.set_group_needs(model, api.id, group, needs)
    assert str(caught.value).endswith(message)
    assert model.group_needs == {}


def test_a_group_that_loses_members_needs_at_most_what_it_has_and_undo_restores_k(model):
    api = model.component_by_name("api")
    assert api is not None
    cmd.set_group_needs(model, api.id, "regions", 3).do(model)
    member = model.group_members(api.id, "regions")[0]
    removal = cmd.remove(model, "dependency", [member.id])
    removal.do(model)
    assert model.needs_of(api.id, "regions") == 2  # every remaining member
    assert model.live_group_needs() == {(api.id, "regions"): 2}
    removal.undo(model)
    assert model.needs_of(api.id, "regions") == 3
