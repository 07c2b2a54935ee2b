"""Shared set-up for the graph tests (no tests here): a hand-made shop model and the graph's
parts (scene, controller, overlays) over a document, as the graph panel wires them."""

from __future__ import annotations

from typing import NamedTuple

from fma_app.domain.model import Model
from fma_app.ui.document import Document
from fma_app.ui.graph.controller import GraphController
from fma_app.ui.graph.overlays import GraphOverlays
from fma_app.ui.graph.scene import GraphScene


class Graph(NamedTuple):
    scene: GraphScene
    edits: GraphController
    overlays: GraphOverlays


class Shop(NamedTuple):
    document: Document
    scene: GraphScene
    edits: GraphController
    overlays: GraphOverlays
    ids: dict[str, int]


def build_graph(document: Document) -> Graph:
    scene = GraphScene(document)
    return Graph(scene, GraphController(document, scene), GraphOverlays(document, scene))


def shop_model() -> tuple[Model, dict[str, int]]:
    """web -> api -> {checkout, catalog}; checkout needs pay-a OR pay-b, db strong, queue weak."""
    model = Model(name="Shop")
    names = ["web", "api", "checkout", "catalog", "pay-a", "pay-b", "db", "queue", "lonely"]
    ids = {
        n: model.add_component(n, x=i * 200.0, y=(i % 3) * 100.0).id for i, n in enumerate(names)
    }
    model.components[ids["web"]].user_facing = True
    model.add_dependency(ids["web"], ids["api"])
    model.add_dependency(ids["api"], ids["checkout"])
    model.add_dependency(ids["api"], ids["catalog"], "weak")
    model.add_dependency(ids["checkout"], ids["pay-a"], group="payments")
    model.add_dependency(ids["checkout"], ids["pay-b"], group="payments")
    model.add_dependency(ids["checkout"], ids["db"])
    model.add_dependency(ids["checkout"], ids["queue"], "weak")
    model.add_dependency(ids["catalog"], ids["db"])
    model.add_failure_mode(ids["db"], severity=9, likelihood=8, detection=7)  # AP H, RPN 504
    model.add_failure_mode(ids["db"], severity=2, likelihood=2, detection=2)
    model.add_failure_mode(ids["api"], severity=3, likelihood=2, detection=2)  # AP L
    return model, ids
