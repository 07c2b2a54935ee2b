"""What every window and panel of the app is given: the one small typed context.

`fma_app.ui.app` builds it once (the composition root) and passes it down; no widget builds its
own document, settings, dialogs or data folder, so tests pass fakes in (a `RecordingInteraction`,
`QSettings` in a tmp file, a tmp data folder) instead of patching attributes afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from fma_app.ui.document import Document
from fma_app.ui.interaction import Interaction
from fma_app.ui.shared_session import (
    ListModels,
    OpenSession,
    list_real_models,
    open_real_session,
)

APP_NAME = "FMA Workbench"
ORGANIZATION = "FMA Workbench"


def default_settings() -> QSettings:
    """The user's own settings (window layout, recent files)."""
    return QSettings(ORGANIZATION, APP_NAME)


@dataclass(frozen=True)
class AppContext:
    document: Document  # the open model, its undo stack and the shared selection
    settings: QSettings
    interaction: Interaction  # every question, message and file chooser
    data_dir: Path  # where copies of never-saved models go
    # Opens a shared model's session (team mode); tests give a stand-in.
    open_shared_session: OpenSession = open_real_session
    list_shared_models: ListModels = list_real_models  # for a URL that names no model
