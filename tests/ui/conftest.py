"""Fixtures for the Qt tests: isolated settings and data folders, a small hand-made model."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from fma_app.domain.model import Model, Scores


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch) -> Path:
    """Settings, recovery copies and caches go to a fresh folder, never the user's own."""
    home = tmp_path_factory.mktemp("user")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "settings"))
    return home


def build_small_model() -> Model:
    """Three components, five failure modes with known scores, two actions."""
    model = Model(name="Shop")
    api = model.add_component("api")
    db = model.add_component("database", "database")
    model.add_component("cache", "cache")
    model.add_failure_mode(
        api.id, function="Serve checkout", failure_mode="Timeout", effect="Checkout fails",
        cause="Slow database", severity=8, likelihood=5, detection=4,
    )  # fmt: skip
    model.add_failure_mode(
        api.id, function="Serve checkout", failure_mode="Crash loop", effect="Outage",
        cause="Bad deploy", severity=9, likelihood=2, detection=2, revised=Scores(9, 1, 2),
    )  # fmt: skip
    model.add_failure_mode(
        api.id, function="Auth", failure_mode="Token expiry", effect="Users logged out",
        cause="Clock drift", severity=3, likelihood=3, detection=3,
    )  # fmt: skip
    slow = model.add_failure_mode(
        db.id, function="Store orders", failure_mode="Disk full", effect="Writes fail",
        cause="No retention", severity=10, likelihood=10, detection=10,
    )  # fmt: skip
    model.add_failure_mode(
        db.id, function="Store orders", failure_mode="Replica lag", effect="Stale reads",
        cause="Network", severity=2, likelihood=9, detection=1,
    )  # fmt: skip
    model.add_action(slow.id, "Add retention job", owner="ops", status="done")
    model.add_action(slow.id, "Alert at 80% disk", owner="ops")
    return model


@pytest.fixture
def small_model() -> Model:
    return build_small_model()


@pytest.fixture
def document(qapp, small_model):
    from fma_app.ui.document import Document

    return Document(small_model)


@pytest.fixture
def snapshot():
    """Deep copy of a model's content, to compare with after undo or a refused edit."""

    def take(model: Model) -> dict[str, object]:
        return copy.deepcopy(model.content())

    return take


@pytest.fixture
def context_factory(qapp, tmp_path):
    """Builds app contexts with fakes: a recording interaction (Yes to questions, Discard to
    unsaved changes), settings in an ini file and a data folder, both inside tmp_path."""
    from fma_app.ui.context import AppContext
    from fma_app.ui.document import Document
    from fma_app.ui.interaction import RecordingInteraction, SaveChoice

    def make(document: Document | None = None, interaction=None) -> AppContext:
        return AppContext(
            document=document if document is not None else Document(build_small_model()),
            settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
            interaction=interaction or RecordingInteraction(save=SaveChoice.DISCARD),
            data_dir=tmp_path / "data",
        )

    return make


@pytest.fixture
def context(context_factory, document):
    """The context of the `document` fixture (the small model)."""
    return context_factory(document)


@pytest.fixture
def main_window_factory(qtbot, context_factory, small_model):
    """Builds shown main windows over fake contexts (on the small model unless given a
    document)."""
    from fma_app.ui.document import Document
    from fma_app.ui.main_window import MainWindow

    def make(document: Document | None = None):
        window = MainWindow(
            context_factory(document if document is not None else Document(small_model))
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def shop(qapp):
    """The graph's parts over the shop model of graph_support, and its component ids."""
    from graph_support import Shop, build_graph, shop_model

    from fma_app.ui.document import Document

    model, ids = shop_model()
    document = Document(model)
    return Shop(document, *build_graph(document), ids)
