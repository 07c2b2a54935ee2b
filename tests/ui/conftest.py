"""Fixtures for the Qt tests: isolated settings and data folders, a document over the small
model of tests/conftest.py, app contexts with fakes, main windows and the graph's shop."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch) -> Path:
    """Settings, recovery copies and caches go to a fresh folder, never the user's own."""
    home = tmp_path_factory.mktemp("user")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "settings"))
    return home


@pytest.fixture
def document(qapp, small_model):
    from fma_app.ui.document import Document

    return Document(small_model)


@pytest.fixture
def context_factory(qapp, tmp_path, small_model):
    """Builds app contexts with fakes (over the small model unless given a document): a recording
    interaction (Yes to questions, Discard to unsaved changes), settings in an ini file and a
    data folder, both inside tmp_path."""
    from fma_app.ui.context import AppContext
    from fma_app.ui.document import Document
    from fma_app.ui.interaction import RecordingInteraction, SaveChoice

    def make(document: Document | None = None, interaction=None) -> AppContext:
        return AppContext(
            document=document if document is not None else Document(small_model),
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
def main_window_factory(qtbot, context_factory):
    """Builds shown main windows over fake contexts (on the small model unless given a
    document)."""
    from fma_app.ui.app import build_window
    from fma_app.ui.document import Document

    def make(document: Document | None = None, first_open: bool = False):
        """`first_open`: the layout a new user gets (ranked by RPN, ranking columns first).
        Otherwise the worksheet shows the columns in the form's order and the rows in the
        model's, as a user who set it so would see it: most tests name rows by that order."""
        context = context_factory(document)
        saved_layout = context.settings.value("window/worksheetHeader") is not None
        window = build_window(context)  # as the app builds it: with every dock wired in
        if not first_open and not saved_layout:
            view = window.worksheet.view
            header = view.horizontalHeader()
            for logical in range(header.count()):
                header.moveSection(header.visualIndex(logical), logical)
            view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
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
