"""The SQL that storage runs is compiled ahead of time from the SQLModel classes in schema.py
(`python -m fma_app.storage.compile_sql`); these tests fail when the two drift apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fma_app.storage import compile_sql, schema

REGENERATE = "python -m fma_app.storage.compile_sql"


def test_compiled_sql_matches_the_sqlmodel_classes():
    committed = compile_sql.COMPILED_MODULE.read_text(encoding="utf-8")
    assert committed == compile_sql.render(), (
        "fma_app/storage/compiled_sql.py is out of date with the SQLModel classes in "
        f"fma_app/storage/schema.py: regenerate it with `.venv/bin/{REGENERATE}` and commit it"
    )


def test_a_change_to_the_schema_shows_as_drift(monkeypatch):
    before = compile_sql.render()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    after = compile_sql.render()
    assert after != before
    assert f"SCHEMA_VERSION = {schema.SCHEMA_VERSION}\n" in after


def test_check_mode_fails_on_a_stale_module_and_says_how_to_regenerate(tmp_path, capsys):
    stale = tmp_path / "compiled_sql.py"
    stale.write_text(compile_sql.render().replace("BETWEEN 1 AND 10", "BETWEEN 0 AND 10"))
    assert compile_sql.main(["--check", "--output", str(stale)]) == 1
    assert f"regenerate it with `{REGENERATE}`" in capsys.readouterr().err


@pytest.mark.parametrize("existing", [None, "stale text\n"])
def test_generating_writes_the_module_that_check_accepts(tmp_path, existing):
    target = tmp_path / "compiled_sql.py"
    if existing is not None:
        target.write_text(existing)
    assert compile_sql.main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == compile_sql.render()
    assert compile_sql.main(["--check", "--output", str(target)]) == 0


def test_the_generated_module_is_valid_python_that_storage_reads():
    namespace: dict[str, object] = {}
    exec(compile(compile_sql.render(), "compiled_sql.py", "exec"), namespace)
    assert namespace["TABLE_NAMES"] == schema.TABLE_NAMES
    assert namespace["CREATE_SQL"] == {t: compile_sql.create_sql(t) for t in schema.TABLE_NAMES}
    assert Path(compile_sql.__file__).with_name("compiled_sql.py") == compile_sql.COMPILED_MODULE


@given(st.text())
def test_sql_text_is_written_as_literals_that_read_back_exactly(text):
    assert ast.literal_eval(compile_sql._quoted(text)) == text
    assert ast.literal_eval(compile_sql._sql_literal(text, "    ")) == text
