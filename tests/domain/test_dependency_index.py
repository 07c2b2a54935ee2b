"""Adding a dependency looks its ends up in an index, not by scanning every dependency: the
index must follow every way the dependencies change, so a duplicate is still always refused
and a freed pair always accepted."""

from __future__ import annotations

import copy

import pytest

from fma_app.domain import commands
from fma_app.domain.errors import ModelError
from fma_app.domain.model import Model


@pytest.fixture
def model() -> Model:
    model = Model()
    for name in ("api", "db", "cache", "queue"):
        model.add_component(name)
    return model


def cid(model: Model, name: str) -> int:
    component = model.component_by_name(name)
    assert component is not None
    return component.id


def refused(model: Model, source: str, target: str) -> bool:
    """Whether adding source -> target is refused as a duplicate."""
    try:
        model.check_dependency(cid(model, source), cid(model, target))
    except ModelError as error:
        message = str(error)
    else:
        return False
    assert message == f"{source!r} already depends on {target!r}"
    return True


def test_a_duplicate_is_refused_and_the_other_direction_is_not(model):
    first = model.add_dependency(cid(model, "api"), cid(model, "db"))
    with pytest.raises(ModelError, match="'api' already depends on 'db'"):
        model.add_dependency(cid(model, "api"), cid(model, "db"))
    assert model.dependency_between(cid(model, "api"), cid(model, "db")) is first
    assert model.dependency_between(cid(model, "db"), cid(model, "api")) is None
    model.add_dependency(cid(model, "db"), cid(model, "api"))
    assert len(model.dependencies) == 2


def test_moving_an_end_with_a_command_and_undoing_it(model):
    dependency = model.add_dependency(cid(model, "api"), cid(model, "db"))
    assert refused(model, "api", "db")
    move = commands.set_fields(model, "dependency", dependency.id, target_id=cid(model, "cache"))
    move.do(model)
    assert refused(model, "api", "cache")  # asked first: no stale entry to notice it by
    assert not refused(model, "api", "db")
    move.undo(model)
    assert refused(model, "api", "db")
    assert not refused(model, "api", "cache")
    # the command's own check: moving onto a pair another dependency has is refused
    model.add_dependency(cid(model, "api"), cid(model, "cache"))
    with pytest.raises(ModelError, match="'api' already depends on 'cache'"):
        commands.set_fields(model, "dependency", dependency.id, target_id=cid(model, "cache"))
    commands.set_fields(model, "dependency", dependency.id, description="kept").do(model)


def test_removing_and_adding_back_with_commands(model):
    dependency = model.add_dependency(cid(model, "api"), cid(model, "db"))
    removal = commands.remove(model, "dependency", [dependency.id])
    removal.do(model)
    assert not refused(model, "api", "db")
    removal.undo(model)
    assert refused(model, "api", "db")
    # one step that removes a dependency and adds another keeps the count the index saw
    other = commands.add_dependency(model, cid(model, "cache"), cid(model, "queue"))
    swap = commands.Macro([commands.remove(model, "dependency", [dependency.id]), other], "Swap")
    swap.do(model)
    assert not refused(model, "api", "db")
    assert refused(model, "cache", "queue")
    swap.undo(model)
    assert refused(model, "api", "db")
    assert not refused(model, "cache", "queue")


def test_a_replaced_dict_a_copy_and_a_change_behind_the_models_back(model):
    dependency = model.add_dependency(cid(model, "api"), cid(model, "db"))
    copied = copy.deepcopy(model)
    model.dependencies = {}  # as a loader or a merge puts a new table in
    assert not refused(model, "api", "db")
    assert refused(copied, "api", "db")
    copied.add_dependency(cid(copied, "db"), cid(copied, "cache"))
    assert len(copied.dependencies) == 2
    # an end moved without a command: the stale entry is noticed when it is hit
    model.dependencies = {dependency.id: dependency}
    assert refused(model, "api", "db")
    dependency.target_id = cid(model, "queue")
    assert not refused(model, "api", "db")
    assert refused(model, "api", "queue")
    model.add_dependency(cid(model, "api"), cid(model, "db"))
    assert refused(model, "api", "db")
