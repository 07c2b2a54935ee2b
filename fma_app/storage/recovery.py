"""Recovery copies: what autosave writes while a model has unsaved changes.

A recovery copy is an ordinary model file, written with the same atomic save:
- for a saved model `plant.fma`, beside it as `.plant.fma.recovery.fma` (hidden);
- for a model never saved, in the user data folder as `unsaved.recovery.fma`.
It is offered at the next start if it is newer than the model, and removed by a clean save or
close.
"""

from __future__ import annotations

import os
from pathlib import Path

from fma_app.domain.model import Model
from fma_app.storage.model_file import save_model

RECOVERY_SUFFIX = ".recovery.fma"
UNSAVED_NAME = "unsaved" + RECOVERY_SUFFIX
APP_DIR_NAME = "fma-workbench"


def default_data_dir() -> Path:
    """The user data folder: $XDG_DATA_HOME/fma-workbench, else ~/.local/share/fma-workbench."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME


def recovery_path(
    model_path: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str]
) -> Path:
    if model_path is None:
        return Path(data_dir) / UNSAVED_NAME
    path = Path(model_path)
    return path.with_name(f".{path.name}{RECOVERY_SUFFIX}")


def write_recovery(model: Model, path: str | os.PathLike[str]) -> None:
    """Write a recovery copy atomically (raises ModelFileError like `save_model`)."""
    save_model(model, path)


def find_recovery(
    model_path: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str]
) -> Path | None:
    """The recovery copy to offer, if any: it exists and is not older than the model file."""
    candidate = recovery_path(model_path, data_dir)
    try:
        copy_time = candidate.stat().st_mtime
    except OSError:
        return None
    if not candidate.is_file():
        return None
    if model_path is not None:
        try:
            if copy_time < Path(model_path).stat().st_mtime:
                return None  # the model was saved after this copy: nothing to restore
        except OSError:
            pass  # the model is gone: the copy is all there is
    return candidate


def remove_recovery(
    model_path: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str]
) -> None:
    recovery_path(model_path, data_dir).unlink(missing_ok=True)
