"""Both engines, one behaviour: a model saved to a file or pushed to PostgreSQL (a real server,
tests/pg_server.py) opens equal, ids included, and every refusal names the problem in one line
without a password, leaving what was stored as it was."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from pg_server import PASSWORD, PgServer, free_port
from shared_helpers import grant_team_access
from storage_helpers import v6_fixture_model

from fma_app.domain.commands import remove
from fma_app.domain.dump import dump_lines
from fma_app.domain.model import Model
from fma_app.storage import SCHEMA_VERSION, ModelFileError, open_model, save_model
from fma_app.storage.shared import (
    ModelExists,
    ModelNotFound,
    PasswordRejected,
    PasswordRequired,
    SchemaTooNew,
    SchemaTooOld,
    ServerUnavailable,
    SharedStoreError,
    parse_location,
    store,
)


def team_model(name: str = "Checkout platform") -> Model:
    """Every table with rows (the schema 6 fixture's model), without the NUL character that a
    file holds and PostgreSQL's text cannot (test_a_nul_character_is_refused_by_name)."""
    model = v6_fixture_model()
    model.name = name
    for component in model.components.values():
        component.description = component.description.replace("\x00", "NUL")
    return model


@dataclass
class Engine:
    """One storage engine as the tests drive it."""

    name: str
    where: str  # a path or a URL
    save: Callable[[Model], None]
    open: Callable[[], Model]
    make_newer: Callable[[], None]
    refusal: type[Exception]


@pytest.fixture(params=["file", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "file":
        path = tmp_path / "model.fma"

        def newer_file() -> None:
            with sqlite3.connect(path) as conn:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

        return Engine(
            "file", str(path), lambda m: save_model(m, path), lambda: open_model(path),
            newer_file, ModelFileError,
        )  # fmt: skip
    url = request.getfixturevalue("pg_url") + "?model=shop"

    def newer_database() -> None:
        with psycopg.connect(url.split("?")[0]) as conn:
            conn.execute("UPDATE fma.fma_schema SET version = %s", (SCHEMA_VERSION + 1,))

    return Engine(
        "postgresql", url, lambda m: store.push(m, url, force=True), lambda: store.pull(url),
        newer_database, SharedStoreError,
    )  # fmt: skip


def test_a_saved_model_opens_equal_ids_included(engine: Engine) -> None:
    model = team_model()
    engine.save(model)
    back = engine.open()
    assert back.content() == model.content()
    assert list(dump_lines(back)) == list(dump_lines(model))  # the domain's own record view
    assert back.uuid == model.uuid
    assert back._next_id == model._next_id
    assert back.group_needs == model.group_needs


def test_saving_again_replaces_the_model(engine: Engine) -> None:
    engine.save(team_model("First"))
    second = team_model("Second")
    remove(second, "failure_mode", [next(iter(second.failure_modes))]).do(second)
    engine.save(second)
    assert engine.open().content() == second.content()


def test_a_newer_schema_is_refused_by_name(engine: Engine) -> None:
    engine.save(team_model())
    engine.make_newer()
    with pytest.raises(engine.refusal, match=r"made by a newer FMA Workbench \(schema 8; this "
                       r"version reads up to 7\)"):  # fmt: skip
        engine.open()


def test_a_missing_model_is_refused_by_name(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(engine.refusal) as caught:
        engine.open()
    assert caught.value.reason == "missing"
    if engine.name == "postgresql":
        assert "holds no FMA Workbench models yet" in str(caught.value)
        assert engine.where in str(caught.value)


# ---- PostgreSQL only: what a file cannot get wrong ----------------------------------------


def test_an_unknown_key_is_refused_naming_it_and_how_to_list(pg_url: str) -> None:
    store.push(team_model(), pg_url + "?model=shop")
    with pytest.raises(ModelNotFound, match=r"holds no model 'shops' \(`fma-app models "):
        store.pull(pg_url + "?model=shops")
    with pytest.raises(ModelNotFound, match="the URL names no model"):
        store.pull(pg_url)


def test_push_refuses_to_replace_without_force_and_keeps_the_model(pg_url: str) -> None:
    url = pg_url + "?model=shop"
    first = team_model("First")
    store.push(first, url)
    with pytest.raises(ModelExists, match=r"already holds model 'shop' .* push --force") as caught:
        store.push(team_model("Second"), url)
    assert "last changed by postgres at" in str(caught.value)
    assert store.pull(url).content() == first.content()


def test_models_of_one_database_are_apart(pg_url: str) -> None:
    one, two = team_model("One"), team_model("Two")
    region_b = next(c.id for c in two.components.values() if c.name == "Region B")
    remove(two, "component", [region_b]).do(two)
    store.push(one, pg_url + "?model=one")
    store.push(two, pg_url + "?model=two")
    assert store.pull(pg_url + "?model=one").content() == one.content()
    assert store.pull(pg_url + "?model=two").content() == two.content()
    listed = store.list_models(pg_url)
    assert [(m.key, m.name, m.changed_by) for m in listed] == [
        ("one", "One", "postgres"),
        ("two", "Two", "postgres"),
    ]
    assert all(dt.datetime.now(dt.UTC) - m.changed_at < dt.timedelta(minutes=5) for m in listed)


def test_an_empty_database_lists_no_models(pg_url: str) -> None:
    assert store.list_models(pg_url) == []


def test_every_row_starts_at_version_1(pg_url: str) -> None:
    url = pg_url + "?model=shop"
    model = team_model()
    store.push(model, url)
    back, versions = store.pull_with_versions(url)
    assert back.content() == model.content()
    assert set(versions["failure_modes"]) == set(model.failure_modes)
    assert set(versions["components"]) == set(model.components)
    assert {v for table in versions.values() for v in table.values()} == {1}


def test_a_nul_character_is_refused_by_name_and_nothing_is_written(pg_url: str) -> None:
    url = pg_url + "?model=shop"
    before = team_model("Before")
    store.push(before, url)
    with_nul = team_model("After")
    with_nul.components[4].description = "NUL \x00 here"
    with pytest.raises(SharedStoreError, match=r"components row 4: description holds a NUL"):
        store.push(with_nul, url, force=True)
    assert store.pull(url).content() == before.content()  # the transaction rolled back


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("UPDATE fma.failure_modes SET severity = 11", "failure_modes_severity_check"),
        ("UPDATE fma.actions SET due_date = '2026-02-30'", ""),
        ("UPDATE fma.actions SET due_date = '31.03.2026'", "actions_due_date_check"),
        ("UPDATE fma.model SET key_date = '2026-1-1'", "model_key_date_check"),
        ("UPDATE fma.component_aliases SET alias = 'a,b'", "component_aliases_alias_check"),
        ("UPDATE fma.observed_calls SET first_seen = 'yesterday-ish'", ""),
        ("UPDATE fma.components SET row_version = 0", "components_row_version_check"),
        ("UPDATE fma.failure_modes SET component_id = 999", "failure_modes_model_key_"),
        ("INSERT INTO fma.model (model_key, id, name, description, next_id, scope, fmea_number,"
         " team, revision, prepared_by, approved_by) VALUES ('shop', 2, '', '', 1, '', '', '',"
         " '', '', '')", "model_id_check"),
    ],
)  # fmt: skip
def test_the_checks_of_the_file_hold_on_the_server(
    pg_url: str, statement: str, constraint: str
) -> None:
    store.push(team_model(), pg_url + "?model=shop")
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(statement)  # type: ignore[arg-type]
    assert isinstance(caught.value, (psycopg.errors.IntegrityError, psycopg.errors.DataError))
    assert constraint in str(caught.value)


def test_a_model_in_another_database_key_cannot_be_pointed_at(pg_url: str) -> None:
    """A row points only into its own model: the foreign keys carry the model key."""
    store.push(team_model("One"), pg_url + "?model=one")
    other = Model(name="Two")
    other.add_component("lonely")
    store.push(other, pg_url + "?model=two")
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("UPDATE fma.failure_modes SET model_key = 'two' WHERE model_key = 'one'")


# ---- schema versions ----------------------------------------------------------------------


def _set_version(pg_url: str, version: int) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE fma.fma_schema SET version = %s", (version,))


def test_an_older_schema_is_refused_until_db_upgrade(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_url + "?model=shop"
    model = team_model()
    store.push(model, url)
    _set_version(pg_url, SCHEMA_VERSION - 1)
    with pytest.raises(SchemaTooOld, match=rf"has schema 6, older than this version's 7: .*"
                       rf"run `fma-app db upgrade {pg_url}`"):  # fmt: skip
        store.pull(url)
    with pytest.raises(SchemaTooOld):
        store.push(model, url, force=True)  # nor does a push upgrade behind anyone's back

    ran: list[int] = []

    def owners_become_teams(conn: psycopg.Connection) -> None:
        ran.append(1)
        conn.execute("UPDATE fma.components SET owner = 'team ' || owner WHERE owner != ''")

    monkeypatch.setitem(store.PG_MIGRATIONS, SCHEMA_VERSION - 1, owners_become_teams)
    assert store.upgrade(url) == (6, 7)
    assert ran == [1]
    upgraded = store.pull(url)
    assert {c.owner for c in upgraded.components.values()} - {""} == {
        "team " + c.owner for c in model.components.values() if c.owner
    }
    assert store.upgrade(url) == (7, 7)  # nothing left to do
    assert ran == [1]


def test_a_failing_upgrade_leaves_the_database_as_it_was(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_url + "?model=shop"
    model = team_model()
    store.push(model, url)
    _set_version(pg_url, SCHEMA_VERSION - 1)

    def half_done(conn: psycopg.Connection) -> None:
        conn.execute("UPDATE fma.components SET owner = 'changed'")
        conn.execute("SELECT no_such_column FROM fma.components")

    monkeypatch.setitem(store.PG_MIGRATIONS, SCHEMA_VERSION - 1, half_done)
    with pytest.raises(SharedStoreError, match=r"cannot upgrade .*no_such_column"):
        store.upgrade(url)
    monkeypatch.delitem(store.PG_MIGRATIONS, SCHEMA_VERSION - 1)
    _set_version(pg_url, SCHEMA_VERSION)
    assert store.pull(url).content() == model.content()  # the owners were not changed
    _set_version(pg_url, SCHEMA_VERSION - 1)  # with no step from 6 registered
    with pytest.raises(SharedStoreError, match="no upgrade from schema 6"):
        store.upgrade(url)


def test_upgrade_refuses_a_newer_or_missing_schema(pg_url: str) -> None:
    with pytest.raises(SharedStoreError, match="holds no FMA Workbench schema to upgrade"):
        store.upgrade(pg_url)
    store.push(team_model(), pg_url + "?model=shop")
    _set_version(pg_url, SCHEMA_VERSION + 1)
    with pytest.raises(SchemaTooNew):
        store.upgrade(pg_url)


def test_a_member_without_access_is_told_so(pg_server: PgServer, pg_url: str) -> None:
    store.push(team_model(), pg_url + "?model=shop")
    url = pg_server.password_url(pg_url.rsplit("/", 1)[1]) + "?model=shop"
    with pytest.raises(SharedStoreError, match="permission denied for schema fma") as caught:
        store.pull(url, password=PASSWORD)
    assert caught.value.reason == "permission"
    assert "GRANT" in str(caught.value)
    grant_team_access(pg_url, "fma_secret_role")
    assert store.pull(url, password=PASSWORD).name == "Checkout platform"


# ---- connections --------------------------------------------------------------------------


def test_a_server_that_is_down_is_named(pg_url: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/fma?model=shop"
    with pytest.raises(ServerUnavailable, match=r"cannot reach the PostgreSQL server of "
                       r"127\.0\.0\.1:\d+/fma \(.*[Cc]onnection refused"):  # fmt: skip
        store.pull(url)


def test_a_server_that_goes_down_is_unavailable_until_it_is_back(
    pg_server: PgServer, pg_url: str
) -> None:
    url = pg_url + "?model=shop"
    store.push(team_model(), url)
    pg_server.stop_server()
    try:
        with pytest.raises(ServerUnavailable):
            store.pull(url)
    finally:
        pg_server.restart()
    assert store.pull(url).name == "Checkout platform"


def test_a_missing_database_is_named(pg_server: PgServer) -> None:
    with pytest.raises(SharedStoreError, match=r"has no database 'nowhere' \(create it first"):
        store.pull(pg_server.url("nowhere") + "?model=shop")


def test_no_password_says_how_to_give_one_and_wrong_password_is_refused(
    pg_server: PgServer, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")
    database = pg_url.rsplit("/", 1)[1]
    store.push(team_model(), pg_url + "?model=shop")
    grant_team_access(pg_url, "fma_secret_role")
    url = pg_server.password_url(database) + "?model=shop"
    with pytest.raises(PasswordRequired) as missing:
        store.pull(url)
    assert type(missing.value) is PasswordRequired
    assert str(missing.value) == (
        f"127.0.0.1:{pg_server.port}/{database} asks for a password for user 'fma_secret_role':"
        " set PGPASSWORD or add a line to ~/.pgpass (the command line never prompts)"
    )
    assert missing.value.server == parse_location(url).display
    with pytest.raises(PasswordRejected, match="refused the password") as wrong:
        store.pull(url, password="not-" + PASSWORD)
    written = pg_server.password_url(database, with_password=True).replace(PASSWORD, "nope")
    with pytest.raises(PasswordRejected) as wrong_in_url:
        store.pull(written + "?model=shop")
    for error in (missing.value, wrong.value, wrong_in_url.value):
        assert PASSWORD not in str(error)
        assert "nope" not in str(error)
    assert store.pull(url, password=PASSWORD).name == "Checkout platform"
    monkeypatch.setenv("PGPASSWORD", PASSWORD)  # libpq's own ways work too
    assert store.pull(url).name == "Checkout platform"


def test_the_connection_tells_who_is_connected(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FMA_USER", raising=False)
    with store.connect(pg_url + "?model=shop&application_name=ignored") as conn:
        name = conn.execute("SELECT current_setting('application_name')").fetchone()
    assert name == ("fma-app:postgres",)


def test_a_killed_connection_is_unavailable_but_a_cancelled_statement_is_not(
    pg_url: str,
) -> None:
    location = parse_location(pg_url + "?model=shop")
    with store.connect(location) as conn, psycopg.connect(pg_url, autocommit=True) as admin:
        pid = conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError) as killed:
            conn.execute("SELECT 1")
    assert store.is_connection_lost(killed.value)
    lost = store.query_error(location, "open", killed.value)
    assert isinstance(lost, ServerUnavailable)
    assert str(lost).startswith(f"cannot open {location.display}: the connection was lost (")
    with store.connect(location) as conn:
        conn.execute("SET statement_timeout = 10")
        with pytest.raises(psycopg.errors.QueryCanceled) as cancelled:
            conn.execute("SELECT pg_sleep(1)")
    assert not store.is_connection_lost(cancelled.value)
    refused = store.query_error(location, "open", cancelled.value)
    assert type(refused) is SharedStoreError
    assert "statement timeout" in str(refused)


def _self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own root) and its key, made by openssl."""
    certificate, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


@pytest.mark.slow  # a server of its own (initdb): about 3 s
def test_tls_settings_reach_libpq(tmp_path: Path) -> None:
    """sslmode and sslrootcert pass through to libpq: verify-full with the server's root
    connects over TLS, with another root it is refused in one line, disable goes without."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    certificate, key = _self_signed(tmp_path, "server")
    stranger, _ = _self_signed(tmp_path, "stranger")
    server = PgServer.start()
    try:
        server.enable_tls(certificate, key)
        server.admin("CREATE DATABASE tls")
        base = f"{server.url('tls')}?model=shop"
        verified = f"{base}&sslmode=verify-full&sslrootcert={certificate}"
        store.push(team_model(), verified)
        assert store.pull(verified).name == "Checkout platform"

        def over_tls(url: str) -> bool:
            with store.connect(url) as conn:
                row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                return bool(row.fetchone()[0])  # type: ignore[index]

        assert over_tls(verified)
        assert not over_tls(f"{base}&sslmode=disable")
        with pytest.raises(SharedStoreError, match="certificate verify failed") as caught:
            store.pull(f"{base}&sslmode=verify-full&sslrootcert={stranger}")
        assert "\n" not in str(caught.value)
    finally:
        server.stop()
