"""`fma-app info`, `rank` and `report` on hostile model files: exit 2 and exactly one stderr line
`fma-app: error: ...` naming the file, never a traceback; a good file still works.

A property test drives the command in-process over many damaged files (any exception other than
the handled ones would fail it); a fixed sample runs the real command in a fresh interpreter.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hostile_support import (
    ERROR_LINE,
    assert_clean_cli_refusal,
    hostile,
    run_cli,
    run_cli_together,
    sample_model,
    set_header_int,
)
from hypothesis import given
from hypothesis import strategies as st

from fma_app.cli import main
from fma_app.storage import ModelFileError, open_model, save_model


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("reference") / "reference.fma"
    save_model(sample_model(), path)
    return path.read_bytes()


damage = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=2048)),
    st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True)),
    st.tuples(
        st.just("flip"),
        st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 7)), min_size=1, max_size=6),
    ),
)


def damaged(model_bytes: bytes, how: tuple) -> bytes:
    kind, detail = how
    if kind == "bytes":
        return detail
    if kind == "cut":
        return model_bytes[: int(len(model_bytes) * detail)]
    data = bytearray(model_bytes)
    for offset, bit in detail:
        data[offset % len(data)] ^= 1 << bit
    return bytes(data)


@hostile(80)
@given(how=damage, command=st.sampled_from(["info", "rank", "rank-csv", "rank-json"]))
def test_commands_on_damaged_files_exit_2_with_one_line(tmp_path, capsys, model_bytes, how,
                                                        command):  # fmt: skip
    path = tmp_path / "damaged.fma"
    path.write_bytes(damaged(model_bytes, how))
    try:
        open_model(path)
        opens = True
    except ModelFileError:
        opens = False
    verb, _, fmt = command.partition("-")
    argv = [verb, str(path)] + (["--format", fmt] if fmt else [])
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    if opens:
        assert code == 0, err
        assert err == ""
    else:
        assert code == 2
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert ERROR_LINE.fullmatch(lines[0]), err
        assert "damaged.fma" in lines[0]


def _text_file(path: Path) -> None:
    path.write_text("name,severity\ncheckout,9\n")


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()


def _trigger(path: Path) -> None:
    save_model(sample_model(), path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER t AFTER DELETE ON components BEGIN DELETE FROM actions; END")
    conn.commit()
    conn.close()


def _huge_page_count(path: Path) -> None:
    save_model(sample_model(), path)
    path.write_bytes(set_header_int(path.read_bytes(), 28, 0xFFFFFFFF))


def _bad_score(path: Path) -> None:
    save_model(sample_model(), path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE failure_modes SET severity = 42")
    conn.commit()
    conn.close()


def _newline_in_name(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)


MAKERS = {
    "empty": lambda p: p.write_bytes(b""),
    "text": _text_file,
    "foreign sqlite": _foreign_sqlite,
    "trigger": _trigger,
    "huge page count": _huge_page_count,
    "score 42": _bad_score,
    "folder": lambda p: p.mkdir(),
}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_real_command_refuses_with_one_line(tmp_path, make):
    path = tmp_path / "bad model.fma"
    make(path)
    for result in run_cli_together(
        ["info", str(path)],
        ["rank", str(path), "--format", "csv"],
        ["report", str(path), "-o", str(tmp_path / "r.xlsx")],
    ):
        assert_clean_cli_refusal(result, "bad model.fma")
    assert not (tmp_path / "r.xlsx").exists()


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path):
    path = tmp_path / "two\nlines.fma"
    _newline_in_name(path)
    line = assert_clean_cli_refusal(run_cli("info", str(path)))
    assert "two\\nlines.fma" in line
