"""The command line on shared models (issue 18), against a real PostgreSQL server: push, pull,
models, db upgrade, and every reading command given a URL instead of a file prints what it
prints for the file. Never a prompt, never a password in a message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from cli_support import run, shop_model
from pg_server import PASSWORD, PgServer, free_port

from fma_app.domain.model import Model, Scores
from fma_app.domain.resilience import ChaosTarget, Fault, Resilience, SteadyStateProbe
from fma_app.storage import open_model, save_model


def cli_model() -> Model:
    """The impact tests' shop with rated failure modes and an action, so every command has
    something to say."""
    model = shop_model()
    api = model.component_by_name("API")
    assert api is not None
    timeout = model.add_failure_mode(
        api.id, function="Checkout", failure_mode="Timeout", effect="Orders lost", severity=9,
        likelihood=4, detection=3, revised=Scores(9, 2, 2),
    )  # fmt: skip
    model.add_action(timeout.id, "Add a breaker", owner="alice")
    db = model.component_by_name("db")
    assert db is not None
    db.chaos_target = ChaosTarget.checked("kubernetes", namespace="shop", selector="app=db")
    model.add_failure_mode(
        db.id, failure_mode="Pod killed", severity=6, likelihood=3, detection=2,
        resilience=Resilience.checked(
            fault=Fault.checked("instance killed", 60),
            probe=SteadyStateProbe.checked("http", "http://db.shop/health"),
        ),
    )  # fmt: skip
    return model


@pytest.fixture
def pushed(tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    path = tmp_path / "shop.fma"
    save_model(cli_model(), path)
    url = pg_url + "?model=shop"
    code, out, err = run(capsys, "push", str(path), url)
    assert (code, err) == (0, "")
    assert out == f"pushed 'Shop' to {url}: 9 components, 3 failure modes\n"
    return path, url


@pytest.mark.parametrize(
    "argv",
    [
        ["rank"],
        ["rank", "--format", "json"],
        ["rank", "--format", "csv", "--by", "ap"],
        ["dump"],
        ["impact", "MODEL", "db"],
        ["spof", "--format", "json"],
        ["availability", "--format", "json"],
        ["check", "--format", "json"],
        ["diff", "MODEL", "FILE"],
        ["chaos", "-o", "DIR", "--format", "chaostoolkit"],
        ["check", "--traces", "TRACES", "--format", "json"],
        ["diff", "FILE", "MODEL"],
    ],
    ids=lambda argv: "-".join(argv),
)
def test_a_url_reads_as_the_file_does(
    pushed: tuple[Path, str], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path, url = pushed

    def outcome(model_arg: str) -> tuple[int, str, str]:
        command, *rest = argv
        traces = path.parent / "deps.json"
        traces.write_text('[{"parent": "API", "child": "mailer", "callCount": 3}]', "utf-8")
        swap = {"FILE": str(path), "DIR": str(path.parent / "drafts"), "TRACES": str(traces)}
        rest = [swap.get(arg, arg) for arg in rest]
        if "MODEL" in rest:
            rest = [model_arg if arg == "MODEL" else arg for arg in rest]
        else:
            rest.insert(0, model_arg)
        return run(capsys, command, *rest)

    from_file, from_server = outcome(str(path)), outcome(url)
    assert from_server == from_file
    assert from_server[1]  # each says something


def test_info_of_a_url_names_it_without_a_password(
    pg_server: PgServer, pushed: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _path, url = pushed
    with_password = url.replace("postgres@", "postgres:hunter2@")  # trust ignores it
    code, out, err = run(capsys, "info", with_password)
    assert (code, err) == (0, "")
    assert "hunter2" not in out
    assert out.splitlines() == [
        "Name:           Shop",
        f"URL:            {url}",
        "Schema version: 7",
        "Components:     9",
        "Dependencies:   9",
        "Failure modes:  3",
        "Actions:        1",
    ]


@pytest.mark.slow  # the report's charts: about 7 s
def test_report_takes_a_url(
    pushed: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _path, url = pushed
    code, out, err = run(capsys, "report", url, "-o", str(tmp_path / "r.xlsx"))
    assert (code, err) == (0, "")
    assert out == f"wrote {tmp_path / 'r.xlsx'}: 3 failure modes ranked by rpn\n"
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    assert any("Timeout" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_push_refuses_to_replace_without_force(
    pushed: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _path, url = pushed
    other = cli_model()
    other.name = "Shop v2"
    save_model(other, tmp_path / "v2.fma")
    code, out, err = run(capsys, "push", str(tmp_path / "v2.fma"), url)
    assert (code, out) == (2, "")
    assert err.startswith(f"fma-app: error: {url} already holds model 'shop' (last changed by ")
    assert err.endswith("): push --force replaces it\n")
    assert run(capsys, "push", str(tmp_path / "v2.fma"), url, "--force")[0] == 0
    code, out, _err = run(capsys, "models", url)
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["KEY", "NAME", "CHANGED", "BY"]
    assert row.startswith("shop  Shop v2  20")
    assert row.endswith(" UTC  postgres")


def test_pull_writes_the_model_back_exactly_and_keeps_an_existing_file(
    pushed: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, url = pushed
    out_file = tmp_path / "back.fma"
    code, out, err = run(capsys, "pull", url, "-o", str(out_file))
    assert (code, err) == (0, "")
    assert out == f"pulled {url} into {out_file}: 3 failure modes\n"
    assert open_model(out_file).content() == open_model(path).content()
    before = out_file.read_bytes()
    code, _out, err = run(capsys, "pull", url, "-o", str(out_file))
    assert code == 2
    assert err == f"fma-app: error: {out_file} exists; pull --force replaces it\n"
    assert out_file.read_bytes() == before
    assert run(capsys, "pull", url, "-o", str(out_file), "--force")[0] == 0


def test_models_of_an_empty_database_and_db_upgrade(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "models", pg_url) == (
        0, f"{pg_url} holds no models (fma-app push FILE URL adds one)\n", "",
    )  # fmt: skip
    code, _out, err = run(capsys, "db", "upgrade", pg_url)
    assert code == 2
    assert "holds no FMA Workbench schema to upgrade" in err


def test_db_upgrade_of_a_current_schema_says_so(
    pushed: tuple[Path, str], pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "db", "upgrade", pg_url) == (
        0, f"{pg_url} is already at schema 7: nothing to do\n", "",
    )  # fmt: skip
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE fma.fma_schema SET version = 6")
    code, _out, err = run(capsys, "rank", pushed[1])
    assert code == 2
    assert f"run `fma-app db upgrade {pg_url}`" in err


def test_db_upgrade_says_it_created_the_edit_tables_a_database_lacked(
    pushed: tuple[Path, str], pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database pushed before pushes made editing together's tables: db upgrade creates
    them and said "already at schema 7" all the same. It says what it did."""
    with psycopg.connect(pg_url) as conn:
        conn.execute("DROP TABLE fma.edit_heads, fma.edit_presence")
    assert run(capsys, "db", "upgrade", pg_url) == (
        0,
        f"{pg_url} is at schema 7: created editing together's tables fma.edit_heads, "
        "fma.edit_presence, which it lacked\n",
        "",
    )
    with psycopg.connect(pg_url) as conn:
        found = conn.execute(
            "SELECT to_regclass('fma.edit_heads') IS NOT NULL"
            " AND to_regclass('fma.edit_presence') IS NOT NULL"
        ).fetchone()
    assert found == (True,)
    assert (
        run(capsys, "db", "upgrade", pg_url)[1]
        == f"{pg_url} is already at schema 7: nothing to do\n"
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://db.example", "names no database"),
        ("postgresql://db.example/fma?model=Shop!", "the model key 'Shop!' is not a slug"),
        ("postgresql://bob:hunter2@db.example/fma/x?model=a", "has a path after the database"),
    ],
)
def test_a_bad_url_is_refused_in_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str], url: str, problem: str
) -> None:
    for argv in (["rank", url], ["models", url], ["pull", url, "-o", "x.fma"]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "")
        assert problem in err
        assert "hunter2" not in err
        assert err.count("\n") == 1


def test_a_server_that_is_down_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://127.0.0.1:{free_port()}/fma?model=shop"
    code, _out, err = run(capsys, "rank", url)
    assert code == 2
    assert err.startswith("fma-app: error: cannot reach the PostgreSQL server of 127.0.0.1:")
    assert err.count("\n") == 1


def test_the_command_line_never_prompts_for_a_password(
    pg_server: PgServer, pushed: tuple[Path, str], tmp_path: Path
) -> None:
    """A real `fma-app` process with a terminal-less stdin: one line naming the server and the
    ways to give a password, then the same command with PGPASSWORD works."""
    _path, url = pushed
    database = url.split("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(url.split("?")[0]) as conn:
        conn.execute("GRANT USAGE ON SCHEMA fma TO fma_secret_role")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA fma TO fma_secret_role")
    secret_url = pg_server.password_url(database) + "?model=shop"
    env = {**os.environ, "PGPASSFILE": str(tmp_path / "no-pgpass")}
    env.pop("PGPASSWORD", None)
    command = [sys.executable, "-m", "fma_app", "rank", secret_url]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"fma-app: error: 127.0.0.1:{pg_server.port}/{database} asks for a password for user "
        "'fma_secret_role': set PGPASSWORD or add a line to ~/.pgpass (the command line never "
        "prompts)\n"
    )
    wrong = subprocess.run(
        command, capture_output=True, text=True, env={**env, "PGPASSWORD": "wrong-one"},
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert "refused the password for user 'fma_secret_role'" in wrong.stderr
    assert "wrong-one" not in wrong.stderr
    right = subprocess.run(
        command, capture_output=True, text=True, env={**env, "PGPASSWORD": PASSWORD},
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert right.returncode == 0, right.stderr
    assert "Timeout" in right.stdout
    assert PASSWORD not in right.stdout + right.stderr


def test_commands_that_write_a_file_from_a_model_take_a_url(
    pushed: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """merge and library export read a URL as they read the file: the same file comes out."""
    path, url = pushed
    timeout = min(open_model(path).failure_modes)

    def written(model_arg: str, name: str) -> tuple[bytes, bytes]:
        library, merged = tmp_path / f"{name}.json", tmp_path / f"{name}.fma"
        code, _out, err = run(capsys, "library", "export", model_arg, "--failure-mode",
                              str(timeout), "-o", str(library), "--name", "lib")  # fmt: skip
        assert (code, err) == (0, "")
        code, _out, err = run(capsys, "merge", str(path), model_arg, str(path), "-o", str(merged))
        assert (code, err) == (0, "")
        from fma_app.domain.dump import dump_lines

        return library.read_bytes(), "\n".join(dump_lines(open_model(merged))).encode()

    assert written(url, "from-server") == written(str(path), "from-file")


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "-o", "URL"],
        ["import", "book.xlsx", "-o", "URL"],
        ["import-traces", "deps.json", "-o", "URL"],
        ["merge", "a.fma", "b.fma", "c.fma", "-o", "URL"],
        ["pull", "URL", "-o", "URL"],
        ["report", "a.fma", "-o", "URL"],
        ["chaos", "a.fma", "-o", "URL", "--format", "fis"],
        ["library", "export", "a.fma", "--failure-mode", "1", "-o", "URL"],
    ],
    ids=lambda argv: "-".join(argv[:2]),
)
def test_a_url_where_a_file_is_written_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    url = "postgresql://bob:hunter2@db.example.com/fma?model=shop"
    with pytest.raises(SystemExit) as exit_:
        run(capsys, *[url if arg == "URL" else arg for arg in argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert (
        "argument -o/--output: postgresql://bob@db.example.com/fma?model=shop is a shared "
        "model's URL, not a file: write a file here, then put a model on the server with "
        "`fma-app push FILE URL`" in err
    )
    assert "hunter2" not in err


def test_a_url_echoed_in_a_refusal_hides_its_password(
    pushed: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _path, url = pushed
    with_password = url.replace("postgres@", "postgres:hunter2@")  # trust ignores it
    code, _out, err = run(capsys, "push", with_password, url)
    assert code == 2
    assert err == (
        f"fma-app: error: push copies a model file; {url} is a shared model's URL, not a file "
        "(pull copies one back)\n"
    )
    code, _out, err = run(capsys, "library", "export", with_password, "--failure-mode", "999999",
                          "-o", str(tmp_path / "lib.json"))  # fmt: skip
    assert (code, err) == (2, f"fma-app: error: no failure mode with id 999999 in '{url}'\n")
