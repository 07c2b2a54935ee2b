"""Fixtures for the Qt tests: isolated settings and data folders, a document over the small
model of tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


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
