"""Adding an imported model to an open one: components matched by name, fresh ids, one undo."""

from __future__ import annotations

import copy

from fma_app.domain.add_model import add_model_command
from fma_app.domain.model import Model, Scores


def imported_model() -> Model:
    model = Model(name="From Excel")
    api = model.add_component("API")  # the open model's "api", in another case
    queue = model.add_component("queue", "queue", owner="platform")
    model.add_dependency(api.id, queue.id)
    timeout = model.add_failure_mode(
        api.id, failure_mode="Timeout under load", severity=7, likelihood=4, detection=3,
        revised=Scores(7, 2, 3),
    )  # fmt: skip
    model.add_failure_mode(queue.id, failure_mode="Backlog", severity=5)
    model.add_action(timeout.id, "Add autoscaling", owner="sre")
    return model


def test_components_are_matched_by_name_and_everything_else_is_added(small_model):
    open_model = small_model
    api = open_model.component_by_name("api")
    assert api is not None
    before = copy.deepcopy(open_model.content())
    command = add_model_command(open_model, imported_model(), "Import form.xlsx")
    command.do(open_model)

    assert command.text == "Import form.xlsx"
    assert len(open_model.components) == 4  # api, database, cache + queue
    queue = open_model.component_by_name("queue")
    assert queue is not None
    assert (queue.kind, queue.owner) == ("queue", "platform")
    timeout = next(
        fm for fm in open_model.failure_modes.values() if fm.failure_mode == "Timeout under load"
    )
    assert timeout.component_id == api.id  # joined the open model's api
    assert timeout.revised == Scores(7, 2, 3)
    assert [a.description for a in open_model.actions_of(timeout.id)] == ["Add autoscaling"]
    assert [(d.source_id, d.target_id) for d in open_model.dependencies.values()] == [
        (api.id, queue.id)
    ]
    assert len(open_model.failure_modes) == 7
    assert api.name == "api"  # the open model's own component is left as it was

    command.undo(open_model)
    assert open_model.content() == before


def test_new_ids_never_collide_and_a_known_dependency_is_not_added_twice(small_model):
    imported = imported_model()
    first = add_model_command(small_model, imported, "Import")
    first.do(small_model)
    ids = [entity.id for entity in small_model.iter_entities()]
    assert len(ids) == len(set(ids))
    again = add_model_command(small_model, imported, "Import again")
    again.do(small_model)
    assert len(small_model.dependencies) == 1  # api -> queue once
    assert len(small_model.components) == 4
    assert len(small_model.failure_modes) == 9  # the failure modes themselves are added again
