"""Library files on disk and the plain config file that lists their folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fma_app.domain.catalog import built_in_entries
from fma_app.domain.library import FORMAT_NAME, Library, LibraryEntry
from fma_app.domain.model import ComponentKind
from fma_app.reports.library_files import (
    LibraryFileError,
    config_path,
    load_libraries,
    read_library_file,
    read_library_folders,
    write_library_file,
    write_library_folders,
)


@pytest.fixture
def config_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "config-home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def test_the_config_file_is_in_xdg_config_home(config_home):
    assert config_path() == config_home / "fma-workbench" / "library-folders"


def test_without_xdg_config_home_it_is_in_dot_config(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path() == tmp_path / ".config" / "fma-workbench" / "library-folders"


def test_no_config_file_means_no_folders(config_home):
    assert read_library_folders() == []


def test_folders_with_comments_home_and_relative_paths(config_home, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(
        "# team libraries\n/srv/libs  # the shared one\n\n~/libs\nlocal\n/srv/libs\n", "utf-8"
    )
    assert read_library_folders() == [
        Path("/srv/libs"),
        tmp_path / "me" / "libs",
        path.parent / "local",
    ]


def test_folders_written_read_back(config_home, tmp_path):
    folders = [tmp_path / "a", tmp_path / "b b"]
    write_library_folders(folders)
    assert read_library_folders() == folders
    assert config_path().read_text("utf-8").startswith("# FMA Workbench")


def test_an_unreadable_config_file_is_named(config_home):
    config_path().parent.mkdir(parents=True)
    config_path().write_bytes(b"\xff\xfe/srv\n")
    with pytest.raises(LibraryFileError, match="library-folders': not UTF-8 text"):
        read_library_folders()


def entry(name: str, kind: ComponentKind = ComponentKind.SERVICE) -> LibraryEntry:
    return LibraryEntry(kind=kind, failure_mode=name, effect="bad")


def test_a_library_file_round_trip(tmp_path):
    path = tmp_path / "team.json"
    write_library_file(Library("Team", (entry("A"), entry("B", ComponentKind.QUEUE))), path)
    library = read_library_file(path)
    assert library.name == "Team"
    assert [(e.kind, e.failure_mode, e.source) for e in library.entries] == [
        (ComponentKind.SERVICE, "A", "Team"),
        (ComponentKind.QUEUE, "B", "Team"),
    ]
    assert json.loads(path.read_text("utf-8"))["format"] == FORMAT_NAME


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON (line 1, column 2: Expecting property name"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b'{"format": "fma-workbench-library", "version": 9, "entries": []}', "newer"),
        (b"[]", "not a failure mode library"),
    ],
)
def test_bad_library_files_are_named_with_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(LibraryFileError) as error:
        read_library_file(path)
    assert str(error.value).startswith(f"cannot read '{path}': ")
    assert message in str(error.value)


def test_load_skips_a_bad_file_and_keeps_the_others(config_home, tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    write_library_file(Library("Team", (entry("Webhook key leaked"),)), folder / "team.json")
    (folder / "broken.json").write_text("{", "utf-8")
    (folder / "notes.txt").write_text("not a library", "utf-8")
    write_library_folders([folder, tmp_path / "gone"])
    loaded = load_libraries()
    assert loaded.entries[: len(built_in_entries())] == list(built_in_entries())
    assert [e.failure_mode for e in loaded.entries[len(built_in_entries()) :]] == [
        "Webhook key leaked"
    ]
    assert loaded.files == [folder / "team.json"]
    assert len(loaded.problems) == 2
    assert loaded.problems[0].startswith(f"cannot read '{folder / 'broken.json'}': not JSON")
    assert loaded.problems[1] == f"library folder '{tmp_path / 'gone'}' does not exist"
