"""Failure mode library files on disk, and the folders the user keeps them in.

The folders are listed in a plain text file, `$XDG_CONFIG_HOME/fma-workbench/library-folders`
(by default `~/.config/fma-workbench/library-folders`): one folder per line, `#` starts a
comment, `~` is the home folder, a relative path is taken from the config folder. Both the
desktop app (Edit > Preferences) and `fma-app library` read it; it is not Qt settings so the
command line needs no Qt. Every `*.json` file directly in a listed folder is a library.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from fma_app.domain.catalog import built_in_entries
from fma_app.domain.errors import ValidationError
from fma_app.domain.library import Library, LibraryEntry, library_record, parse_library

CONFIG_FILE_NAME = "library-folders"
CONFIG_HEADER = (
    "# FMA Workbench: folders of failure mode library files (*.json), one per line.\n"
    "# '#' starts a comment; ~ is your home folder; relative paths start at this folder.\n"
)
MAX_LIBRARY_BYTES = 16 * 1024 * 1024  # a library is text written by people: more is a mistake


class LibraryFileError(ValueError):
    """A library file could not be read or written; the message names the file."""


def config_folder() -> Path:
    """$XDG_CONFIG_HOME/fma-workbench, else ~/.config/fma-workbench."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fma-workbench"


def config_path() -> Path:
    return config_folder() / CONFIG_FILE_NAME


def read_library_folders(path: Path | None = None) -> list[Path]:
    """The folders the config file lists, in its order, without repeats; none if it is absent."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise LibraryFileError(f"cannot read '{path}': {_reason(error)}") from None
    folders: list[Path] = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        folder = Path(entry).expanduser()
        if not folder.is_absolute():
            folder = path.parent / folder
        if folder not in folders:
            folders.append(folder)
    return folders


def write_library_folders(folders: list[Path], path: Path | None = None) -> None:
    """Replace the list of folders; the file is written whole, then renamed into place."""
    path = path or config_path()
    lines = [str(folder) for folder in dict.fromkeys(folders)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(CONFIG_HEADER + "".join(f"{line}\n" for line in lines), "utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise LibraryFileError(f"cannot save '{path}': {_reason(error)}") from None


def read_library_file(path: Path) -> Library:
    """One library file; LibraryFileError names the file and the problem."""
    try:
        if path.stat().st_size > MAX_LIBRARY_BYTES:
            raise LibraryFileError(f"cannot read '{path}': larger than 16 MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LibraryFileError(f"cannot read '{path}': no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LibraryFileError(f"cannot read '{path}': {_reason(error)}") from None
    except json.JSONDecodeError as error:
        raise LibraryFileError(
            f"cannot read '{path}': not JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    try:
        return parse_library(data, source=path.name)
    except ValidationError as error:
        raise LibraryFileError(f"cannot read '{path}': {error}") from None


def write_library_file(library: Library, path: Path) -> None:
    text = json.dumps(library_record(library), indent=2, ensure_ascii=False) + "\n"
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise LibraryFileError(f"cannot save '{path}': {_reason(error)}") from None


@dataclass
class LoadedLibraries:
    """The built-in catalog and every library file found, with the problems met on the way
    (a bad file is skipped and named; the others still load)."""

    entries: list[LibraryEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def load_libraries(folders: list[Path] | None = None) -> LoadedLibraries:
    """The built-in entries, then each folder's `*.json` libraries by file name."""
    loaded = LoadedLibraries(entries=list(built_in_entries()))
    if folders is None:
        try:
            folders = read_library_folders()
        except LibraryFileError as error:
            loaded.problems.append(str(error))
            folders = []
    for folder in folders:
        if not folder.is_dir():
            loaded.problems.append(f"library folder '{folder}' does not exist")
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                library = read_library_file(path)
            except LibraryFileError as error:
                loaded.problems.append(str(error))
                continue
            loaded.files.append(path)
            loaded.entries.extend(library.entries)
    return loaded


def _reason(error: OSError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return (error.strerror or str(error)).lower()
