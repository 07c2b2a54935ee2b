"""JSON <-> Model: exact round trips, the bundled example's content, and every refused input."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import ActionStatus, Model, Scores, Strength
from fma_app.domain.resilience import ChaosTarget
from fma_app.domain.serialization import (
    FORMAT,
    FORMAT_VERSION,
    model_from_dict,
    model_from_json,
    model_to_dict,
    model_to_json,
)
from fma_app.resources import example_model_path


def hand_built() -> Model:
    model = Model(name="Shop", description="Two services\nand a database")
    web = model.add_component("web", "service", owner="team-a", x=10.5, y=-20, user_facing=True)
    db = model.add_component("db", "database", description="Postgres")
    db2 = model.add_component("db-b", "database")
    model.add_dependency(web.id, db.id, "strong", group="db", description="reads")
    model.add_dependency(web.id, db2.id, "weak", group="db")
    fm = model.add_failure_mode(
        web.id, id=40, severity=9, likelihood=2, detection=7, revised=(9, 1, 3),
        function="serve", failure_mode="=cmd|' /C calc'!A0", effect="down", cause="bug",
        prevention_controls="tests", detection_controls="alerts", notes="ünïcode ✓",
    )  # fmt: skip
    model.add_failure_mode(db.id, severity=3, likelihood=3, detection=3)
    model.add_action(fm.id, "fix", owner="ann", due_date=dt.date(2027, 1, 31), status="done",
                     action_taken="fixed")  # fmt: skip
    model.add_action(fm.id, "also", status=ActionStatus.CANCELLED)
    return model


def test_round_trip_is_exact_for_every_field():
    model = hand_built()
    again = model_from_dict(model_to_dict(model))
    assert again.content() == model.content()
    assert model_from_json(model_to_json(model)).content() == model.content()
    # New ids continue after the highest one read, so later edits cannot collide.
    assert again.new_id() == model.new_id()


def test_written_data_is_plain_json_and_names_dependency_ends():
    data = json.loads(model_to_json(hand_built()))
    assert data["format"] == FORMAT
    assert (data["dependencies"][0]["from"], data["dependencies"][0]["to"]) == ("web", "db")
    assert data["components"][0]["failure_modes"][0]["actions"][0]["due_date"] == "2027-01-31"
    assert data["components"][1]["failure_modes"][0]["revised"] is None


def test_ids_are_optional_on_input_and_assigned_in_order():
    model = model_from_dict(
        {
            "components": [
                {"name": "a", "failure_modes": [{"severity": 2, "likelihood": 3, "detection": 4}]},
                {"name": "b"},
            ],
            "dependencies": [{"from": "a", "to": "b"}],
        }
    )
    assert [c.name for c in model.components.values()] == ["a", "b"]
    (dependency,) = model.dependencies.values()
    assert dependency.strength is Strength.STRONG
    (fm,) = model.failure_modes.values()
    assert fm.rpn == 24
    assert fm.revised is None
    assert model.name == "Untitled model"


# ---- the bundled example -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example() -> Model:
    return model_from_json(example_model_path().read_text(encoding="utf-8"))


def test_example_is_as_big_as_the_issue_asks(example: Model):
    assert len(example.components) >= 15
    assert len(example.dependencies) >= 20
    assert len(example.failure_modes) >= 40
    assert len(example.actions) >= 10
    strengths = {d.strength for d in example.dependencies.values()}
    assert strengths == {Strength.STRONG, Strength.WEAK}
    groups = [d.group for d in example.dependencies.values() if d.group]
    assert groups
    assert all(groups.count(g) >= 2 for g in groups)  # a group has 2+ members
    assert sum(c.user_facing for c in example.components.values()) >= 2
    assert len({c.kind for c in example.components.values()}) >= 6


def test_example_names_the_components_the_issue_lists(example: Model):
    names = " ".join(c.name.lower() for c in example.components.values())
    for part in ("api gateway", "auth", "authorisation", "fraud", "card network", "ledger primary",
                 "ledger replica", "redis", "kafka", "notification", "couchbase"):  # fmt: skip
        assert part in names, part


def test_example_content_is_written_out_not_templated(example: Model):
    fms = list(example.failure_modes.values())
    for fm in fms:
        for text in (fm.function, fm.failure_mode, fm.effect, fm.cause, fm.detection_controls):
            assert len(text) > 8, (fm.failure_mode, text)
    assert len({fm.failure_mode for fm in fms}) == len(fms)
    assert len({fm.effect for fm in fms}) == len(fms)
    assert len({fm.scores for fm in fms}) >= 30  # varied S/L/D
    assert {fm.ap.value for fm in fms} == {"H", "M", "L"}
    for component in example.components.values():
        assert component.owner, component.name
        assert component.description, component.name
        assert example.failure_modes_of(component.id), component.name
    positions = {(c.x, c.y) for c in example.components.values()}
    assert len(positions) == len(example.components)


def test_example_gives_the_entry_points_slos_and_their_dependencies_availabilities(
    example: Model,
):
    entries = [c for c in example.components.values() if c.user_facing]
    assert len(entries) == 2
    assert all(c.slo is not None and c.slo_window_days == 30 for c in entries)
    needed = {d.target_id for d in example.dependencies.values()} | {c.id for c in entries}
    for cid in needed:
        figure = example.components[cid].availability
        assert figure is not None, example.components[cid].name
        assert 0.99 <= figure < 1  # published SLAs and measured services: 99 % to 99.99 %
    assert len({c.availability for c in example.components.values()}) >= 4


def test_example_actions_have_owners_dates_and_done_ones_revise_scores(example: Model):
    statuses = {a.status for a in example.actions.values()}
    assert {ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE} <= statuses
    for action in example.actions.values():
        assert action.owner, action
        assert action.due_date, action
        assert action.description, action
        fm = example.failure_mode(action.failure_mode_id)
        if action.status is ActionStatus.DONE:
            assert action.action_taken
            assert fm.revised is not None
            assert fm.revised.rpn < fm.rpn
    revised = [fm for fm in example.failure_modes.values() if fm.revised]
    assert len(revised) >= 5
    assert all(isinstance(fm.revised, Scores) for fm in revised)


# ---- refused input ---------------------------------------------------------------------------
def base() -> dict:
    return {
        "format": FORMAT,
        "format_version": 1,
        "name": "m",
        "components": [
            {
                "name": "A",
                "failure_modes": [
                    {
                        "severity": 5,
                        "likelihood": 5,
                        "detection": 5,
                        "actions": [{"description": "x", "due_date": "2027-01-01"}],
                    }
                ],
            },
            {"name": "B"},
        ],
        "dependencies": [{"from": "A", "to": "B"}],
    }


FM = ("components", 0, "failure_modes", 0)


def _set(data: dict, path: tuple, value: object) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


BAD = [
    ((*FM, "severity"), 11, ValidationError,
     "components[0] (A).failure_modes[0]: severity 11 is not a whole number from 1 to 10"),
    ((*FM, "likelihood"), "high", ValidationError,
     "components[0] (A).failure_modes[0]: likelihood 'high' is not a whole number from 1 to 10"),
    ((*FM, "detection"), True, ValidationError, "detection True is not a whole number"),
    (("key_date",), "next spring", ValidationError,
     "the model: Key date 'next spring' is not a date written YYYY-MM-DD"),
    (("fmea_number",), "FM-1\nFM-2", ValidationError, "the model: FMEA number must be one line"),
    ((*FM, "revised"), {"severity": 2, "likelihood": 2}, ValidationError,
     "components[0] (A).failure_modes[0].revised: revised scores need all three of severity, "
     "likelihood, detection (missing detection)"),
    ((*FM, "revised"), {"severity": 2, "likelihood": 0, "detection": 2}, ValidationError,
     "revised likelihood 0 is not a whole number from 1 to 10"),
    ((*FM, "severty"), 3, ValidationError,
     "components[0] (A).failure_modes[0]: unknown field(s): severty"),
    ((*FM, "actions", 0, "due_date"), "31/01/2027", ValidationError,
     "components[0] (A).failure_modes[0].actions[0].due_date '31/01/2027' is not a date "
     "(YYYY-MM-DD)"),
    ((*FM, "actions", 0, "status"), "finished", ValidationError,
     "components[0] (A).failure_modes[0].actions[0]: status 'finished' is not one of: open, "
     "in progress, done, cancelled"),
    (("components", 0, "kind"), "lambda", ValidationError,
     "components[0] (A): kind 'lambda' is not one of"),
    (("components", 1, "name"), "a", ModelError,
     "components[1] (a): a component named 'a' already exists"),
    (("components", 1, "name"), "  ", ValidationError,
     "components[1]: component name must not be empty"),
    (("components", 0, "user_facing"), "yes", ValidationError,
     "components[0] (A): user_facing 'yes' is not true or false"),
    (("components", 0, "x"), "12px", ValidationError,
     "components[0] (A): x '12px' is not a number"),
    (("components", 0, "owner"), 7, ValidationError, "components[0] (A): owner 7 is not text"),
    (("components",), {"name": "A"}, ValidationError, "components must be a list, not dict"),
    (("components", 0), "A", ValidationError, "components[0] must be an object, not str"),
    (("dependencies", 0, "to"), "Nope", ModelError,
     "dependencies[0]: to names no component: 'Nope'"),
    (("dependencies", 0, "to"), "A", ModelError,
     "dependencies[0]: component 'A' cannot depend on itself"),
    (("dependencies", 0, "strength"), "hard", ValidationError,
     "dependencies[0]: strength 'hard' is not one of: strong, weak"),
    (("components", 1, "id"), 1, ModelError, "components[1] (B): id 1 is used twice"),
    (("components", 1, "id"), -4, ValidationError,
     "components[1] (B): id -4 is not a positive whole number"),
    (("format_version",), 4, ModelError, "format_version 4 was made by a newer FMA Workbench"),
    (("components", 1, "availability"), "101 %", ValidationError,
     "components[1] (B): availability '101 %' is not a percentage from 0 to 100"),
    (("components", 1, "slo"), 1, ValidationError,
     "components[1] (B): SLO 1 must be above 0 and below 100 %"),
    (("components", 1, "slo_window_days"), "a month", ValidationError,
     "components[1] (B): SLO window 'a month' is not a whole number of days from 1 to 3660"),
    (("redundancy_groups",), [{"component": "A", "group": "g", "needs": 2}], ModelError,
     "redundancy_groups[0]: 'A' has no redundancy group named 'g'"),
    (("format",), "something-else", ValidationError, "format 'something-else' is not"),
    (("name",), ["x"], ValidationError, "the model: name ['x'] is not text"),
]  # fmt: skip


def test_the_unchanged_base_is_accepted():
    model_from_dict(base())


def test_a_missing_or_null_score_is_not_rated_yet():
    data = base()
    fm = data["components"][0]["failure_modes"][0]
    del fm["detection"]
    fm["likelihood"] = None
    (read,) = model_from_dict(data).failure_modes.values()
    assert (read.severity, read.likelihood, read.detection, read.rpn, read.ap) == (
        5,
        None,
        None,
        None,
        None,
    )
    assert (
        model_to_dict(model_from_dict(data))["components"][0]["failure_modes"][0]["likelihood"]
        is None
    )


def test_the_model_properties_round_trip():
    data = base()
    data.update(
        scope="Card payments, EU",
        fmea_number="FM-2026-014",
        team="Ana, Bo",
        revision="C",
        key_date="2026-06-30",
        prepared_by="Ana",
        approved_by="Cy",
    )
    model = model_from_dict(data)
    assert model.key_date == dt.date(2026, 6, 30)
    assert model.fmea_number == "FM-2026-014"
    assert model_from_dict(model_to_dict(model)).content() == model.content()


def test_a_format_2_file_with_aliases_still_reads_and_is_written_as_format_3():
    """Builds before the resilience work wrote aliases under format 2 and no uuid: such a file
    reads with its aliases, gets an identity, and is written back as the current format."""
    data = base()
    data["format_version"] = 2
    data["components"][0]["aliases"] = ["a-svc", "A service"]
    model = model_from_dict(data)
    component = model.component_by_name("A")
    assert component is not None
    assert component.aliases == ("a-svc", "A service")
    assert component.chaos_target is None
    written = model_to_dict(model)
    assert written["format_version"] == FORMAT_VERSION == 3
    assert written["components"][0]["aliases"] == ["a-svc", "A service"]
    assert "chaos_target" not in written["components"][0]
    assert model_from_dict(written).content() == model.content()


def test_aliases_and_a_chaos_target_round_trip_together():
    model = hand_built()
    web = model.component_by_name("web")
    assert web is not None
    web.aliases = ("web-frontend",)
    web.chaos_target = ChaosTarget.checked("kubernetes", namespace="shop", selector="app=web")
    data = json.loads(model_to_json(model))
    assert data["components"][0]["aliases"] == ["web-frontend"]
    assert data["components"][0]["chaos_target"]["namespace"] == "shop"
    assert model_from_dict(data).content() == model.content()


@pytest.mark.parametrize(("path", "value", "error", "message"), BAD)
def test_bad_input_is_refused_naming_where(path, value, error, message):
    data = _set(copy.deepcopy(base()), path, value)
    with pytest.raises(error) as raised:
        model_from_dict(data)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_first_component_gets_id_one_so_a_reused_id_is_caught():
    data = base()
    data["components"][0]["id"] = 7
    data["components"][1]["id"] = 7
    with pytest.raises(ModelError, match="id 7 is used twice"):
        model_from_dict(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{",
            "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        ),
        ("[]", "the model must be an object, not list"),
        ('{"components": [], "extra": 1}', "the model: unknown field(s): extra"),
    ],
)
def test_bad_json_text_is_refused(text, message):
    with pytest.raises(ValidationError) as raised:
        model_from_json(text)
    assert message in str(raised.value)
