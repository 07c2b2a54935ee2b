"""Automatic layout: every component placed, no two nodes overlap, callers left of dependencies."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate_model
from fma_app.analysis.layout import NODE_HEIGHT, NODE_WIDTH, auto_layout
from fma_app.domain.model import Model, Strength


def assert_no_overlaps(model: Model, positions: dict[int, tuple[float, float]]) -> None:
    assert set(positions) == set(model.components)
    for (a, (ax, ay)), (b, (bx, by)) in itertools.combinations(positions.items(), 2):
        apart = abs(ax - bx) >= NODE_WIDTH or abs(ay - by) >= NODE_HEIGHT
        name_a, name_b = model.components[a].name, model.components[b].name
        assert apart, f"{name_a} at {ax, ay} overlaps {name_b} at {bx, by}"


def test_acyclic_graph_is_layered_with_callers_left_of_dependencies(build):
    model = build("*web -> api\n*mobile -> api\napi -> db\napi ~> cache\ncache -> db\nweb -> cdn")
    positions = auto_layout(model)
    assert_no_overlaps(model, positions)
    for dep in model.dependencies.values():
        assert positions[dep.source_id][0] + NODE_WIDTH <= positions[dep.target_id][0]
    # longest path: db sits right of cache, which is right of api
    x = {model.components[cid].name: pos[0] for cid, pos in positions.items()}
    assert x["web"] == x["mobile"] < x["api"] < x["cache"] < x["db"]


def test_barycentre_ordering_uncrosses_two_layers(build):
    # Alphabetical rows (c, d, z) would cross a->d with b->c.
    model = build("a -> d\nb -> c\na -> z\nb -> z")
    positions = auto_layout(model)
    y = {model.components[cid].name: pos[1] for cid, pos in positions.items()}
    assert (y["a"] < y["b"]) == (y["d"] < y["c"])


def test_cyclic_graph_gets_a_force_layout_without_overlaps(build):
    model = build("a -> b\nb -> c\nc ~> a\nc -> d\nd -> e\ne -> a\nb -> e")
    positions = auto_layout(model)
    assert_no_overlaps(model, positions)
    assert auto_layout(model) == positions  # fixed seed: the same model, the same picture


def test_parts_are_stacked_and_lonely_components_placed(build):
    model = build("x -> y\ny -> x\np -> q\nq -> r\nlonely\nalone")
    positions = auto_layout(model)
    assert_no_overlaps(model, positions)
    layered = [model.component_by_name(n).id for n in "pqr"]
    assert [positions[cid][1] for cid in layered] == [positions[layered[0]][1]] * 3
    lonely = [model.component_by_name(n).id for n in ("alone", "lonely")]
    others = [pos[1] for cid, pos in positions.items() if cid not in lonely]
    assert min(positions[cid][1] for cid in lonely) >= max(others) + NODE_HEIGHT


def test_coordinates_start_at_the_origin(build):
    positions = auto_layout(build("a -> b\nb -> a\nc -> d"))
    assert min(x for x, _ in positions.values()) == 0
    assert min(y for _, y in positions.values()) == 0


def test_empty_model_has_no_positions():
    assert auto_layout(Model()) == {}


def test_generated_model_with_cycles_has_no_overlaps():
    model = generate_model(components=300, dependencies=900, failure_modes=0, actions=0)
    assert_no_overlaps(model, auto_layout(model))


@st.composite
def random_models(draw) -> Model:
    count = draw(st.integers(1, 25))
    model = Model()
    for index in range(count):
        model.add_component(f"c{index}")
    pairs = [(s, t) for s in range(1, count + 1) for t in range(1, count + 1) if s != t]
    for source, target in (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=40)) if pairs else []
    ):
        model.add_dependency(source, target, draw(st.sampled_from(list(Strength))))
    return model


@settings(max_examples=100, deadline=None)
@given(random_models())
def test_any_graph_gets_distinct_non_overlapping_positions(model):
    assert_no_overlaps(model, auto_layout(model))
