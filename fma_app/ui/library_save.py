"""Save Selected as Library...: the worksheet's selected failure modes as a team library file.

The file is the one `fma-app library export` writes: the same builder
(`domain.library.library_from_failure_modes`) and the same writer
(`reports.library_files.write_library_file`). The chooser starts in the first configured
library folder, so a saved library appears in Add from Library... with its source at once; a
file saved elsewhere is said to be outside the library folders. Saving reads the model only, so
it works on a read-only model too.
"""

from __future__ import annotations

from pathlib import Path

from fma_app.domain.library import (
    Library,
    SkippedDuplicate,
    library_from_failure_modes,
    unnamed_failure_modes,
)
from fma_app.domain.model import DEFAULT_MODEL_NAME, Model
from fma_app.reports.library_files import (
    LibraryFileError,
    read_library_folders,
    write_library_file,
)
from fma_app.ui.document import Document
from fma_app.ui.interaction import Interaction, Level

TITLE = "Save as Library"
LIBRARY_FILE_FILTER = "Failure mode libraries (*.json);;All files (*)"
NOTHING_SELECTED = (
    "No failure modes are selected. Select their rows in the worksheet (Shift- or Ctrl-click "
    "for several), then choose Save Selected as Library... again."
)
NOT_SAVED = "Nothing was saved."


def library_folders() -> list[Path]:
    """The configured library folders; none when the config file cannot be read (the
    Preferences dialog names that problem, a save needs no folder)."""
    try:
        return read_library_folders()
    except LibraryFileError:
        return []


def default_folder(document: Document, folders: list[Path]) -> Path:
    """The first configured library folder that exists, else the model's folder, else home."""
    for folder in folders:
        if folder.is_dir():
            return folder
    return document.path.parent if document.path else Path.home()


def suggested_file_name(document: Document) -> str:
    """`<model file>-library.json`, or from the model's name when it was never saved."""
    if document.path is not None:
        stem = document.path.stem
    else:
        name = document.model.name if document.model.name != DEFAULT_MODEL_NAME else ""
        stem = "-".join("".join(c if c.isalnum() else " " for c in name).lower().split())
    return f"{stem or 'failure-modes'}-library.json"


def unnamed_text(model: Model, ids: list[int]) -> str:
    components = sorted({model.component(model.failure_modes[i].component_id).name for i in ids})
    count = (
        "1 selected failure mode has"
        if len(ids) == 1
        else f"{len(ids)} selected failure modes have"
    )
    return (
        f"{count} no failure mode text (on {', '.join(components)}): a library entry is known "
        f"by it. Type one in the Failure Mode column, or leave the row out of the selection.\n"
        f"{NOT_SAVED}"
    )


def in_folders(path: Path, folders: list[Path]) -> bool:
    """True when `path` lies directly in one of `folders` (only those files are read)."""
    parent = path.resolve().parent
    return any(parent == folder.resolve() for folder in folders)


def saved_text(library: Library, path: Path, skipped: list[SkippedDuplicate], listed: bool) -> str:
    count = len(library.entries)
    lines = [f"Saved {count} failure mode{'s' if count != 1 else ''} to {path}."]
    lines += [f"{str(duplicate).capitalize()}." for duplicate in skipped]
    if listed:
        lines.append(f'The entries appear in Add from Library... as "{library.name}".')
    else:
        lines.append(
            "This folder is not a library folder: add it in Edit > Preferences... to see "
            "these entries in Add from Library..."
        )
    return "\n".join(lines)


def save_as_library(
    document: Document, interaction: Interaction, failure_mode_ids: list[int]
) -> Path | None:
    """Ask where, then write the failure modes as a library named after the file; the path
    written, or None when nothing was selected, the user cancelled or the write failed (the
    user was told why)."""
    model = document.model
    ids = [i for i in dict.fromkeys(failure_mode_ids) if i in model.failure_modes]
    if not ids:
        interaction.show_message(TITLE, NOTHING_SELECTED, Level.INFORMATION)
        return None
    unnamed = unnamed_failure_modes(model, ids)
    if unnamed:
        interaction.show_message(TITLE, unnamed_text(model, unnamed), Level.WARNING)
        return None
    folders = library_folders()
    suggestion = default_folder(document, folders) / suggested_file_name(document)
    chosen = interaction.choose_save_path(TITLE, str(suggestion), LIBRARY_FILE_FILTER, "json")
    if not chosen:
        return None
    path = Path(chosen)
    library, skipped = library_from_failure_modes(model, ids, path.stem)
    try:
        write_library_file(library, path)
    except LibraryFileError as error:
        interaction.show_message(TITLE, f"{error}\n{NOT_SAVED}", Level.WARNING)
        return None
    text = saved_text(library, path, skipped, in_folders(path, folders))
    interaction.show_message(TITLE, text, Level.INFORMATION)
    return path
