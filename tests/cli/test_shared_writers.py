"""Command-line writers and `fma-app history` on a shared model (a real PostgreSQL server):
each writer runs as one transaction under the model's commit lock, so two at once both land."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run
from shared_helpers import push_for_tests
from test_chaos_cmd import journal_for, timeout_fm

from fma_app.cli import main
from fma_app.domain.commands import AddEntities, add_component, set_fields
from fma_app.domain.model import Model
from fma_app.domain.resilience import ExperimentStatus
from fma_app.storage import open_model
from fma_app.storage.shared.session import SharedSession


def shop() -> Model:
    model = Model(name="Shop")
    front = model.add_component("frontend", user_facing=True)
    model.add_failure_mode(front.id, failure_mode="Slow pages", severity=4)
    return model


def read(url: str) -> Model:
    session = SharedSession.open(url, user="reader")
    try:
        return session.model
    finally:
        session.close()


def links(path: Path, *pairs: tuple[str, str]) -> Path:
    path.write_text(json.dumps([{"parent": p, "child": c, "callCount": 10} for p, c in pairs]))
    return path


@pytest.mark.slow
def test_two_trace_merges_at_once_both_land(pg_url: str, tmp_path: Path) -> None:
    url = push_for_tests(pg_url, shop(), "shop")
    first = links(tmp_path / "a.json", ("frontend", "cart"), ("cart", "db"))
    second = links(tmp_path / "b.json", ("frontend", "search"), ("search", "db"))
    merges = [
        subprocess.Popen(
            [sys.executable, "-m", "fma_app", "import-traces", str(f), "--merge", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in (first, second)
    ]
    results = []
    try:
        for merge in merges:
            out, err = merge.communicate(timeout=120)
            results.append((merge.returncode, out, err))
    finally:  # a merge that hangs must not outlive the test (nor hold the model's lock)
        for merge in merges:
            if merge.poll() is None:
                merge.kill()
                merge.communicate()
    assert [code for code, _out, _err in results] == [0, 0], results
    model = read(url)
    names = sorted(c.name for c in model.components.values())
    assert names == ["cart", "db", "frontend", "search"]  # db once: the second saw the first's
    pairs = {
        (model.components[d.source_id].name, model.components[d.target_id].name)
        for d in model.dependencies.values()
    }
    assert pairs == {("frontend", "cart"), ("cart", "db"), ("frontend", "search"),
                     ("search", "db")}  # fmt: skip
    assert model.failure_modes[min(model.failure_modes)].failure_mode == "Slow pages"
    viewer = SharedSession.open(url, user="viewer")
    try:
        assert {e.step for e in viewer.history()} == {"import-traces"}
        assert len({e.seq for e in viewer.history()}) == 2  # two transactions
    finally:
        viewer.close()


def test_a_writer_plans_on_what_the_other_wrote(pg_url: str) -> None:
    url = push_for_tests(pg_url, shop(), "shop")
    early, late = SharedSession.open(url, user="ci-1"), SharedSession.open(url, user="ci-2")
    try:
        assert early.apply_exclusively("import-traces", lambda m: add_component(m, "cart"))
        seen: list[set[str]] = []

        def plan(model: Model) -> AddEntities:
            seen.append({c.name for c in model.components.values()})
            return add_component(model, "search")

        assert late.apply_exclusively("import-traces", plan)
        assert seen == [{"frontend", "cart"}]
        assert {c.name for c in read(url).components.values()} == {"frontend", "cart", "search"}
        assert late.apply_exclusively("import-traces", lambda _m: None) is None
    finally:
        early.close()
        late.close()


def test_a_merge_that_adds_nothing_writes_nothing(pg_url: str, tmp_path: Path, capsys) -> None:
    url = push_for_tests(pg_url, shop(), "shop")
    traces = links(tmp_path / "a.json", ("frontend", "cart"))
    assert run(capsys, "import-traces", str(traces), "--merge", url)[0] == 0
    code, out, _err = run(capsys, "import-traces", str(traces), "--merge", url)
    assert code == 0
    assert "already has all of it: nothing written" in out
    assert "postgresql://postgres@" in out
    assert "model=shop" in out


def test_chaos_result_on_a_shared_model(pg_url: str, tmp_path: Path, capsys) -> None:
    demo = tmp_path / "payments.fma"
    assert main(["demo", "-o", str(demo)]) == 0
    url = push_for_tests(pg_url, open_model(demo), "payments")
    fm_id = timeout_fm(demo)
    journal = journal_for(demo, fm_id, tmp_path)
    code, out, err = run(capsys, "chaos-result", url, str(journal))
    assert (code, err) == (0, "")
    assert f"recorded on failure mode {fm_id}" in out
    record = read(url).failure_modes[fm_id].resilience.experiment
    assert record.status == ExperimentStatus.PASSED
    assert record.result == str(journal.resolve())


def test_history_command_prints_who_changed_what(pg_url: str, capsys) -> None:
    url = push_for_tests(pg_url, shop(), "shop")
    alice = SharedSession.open(url, user="alice")
    try:
        fm = min(alice.model.failure_modes)
        command = set_fields(alice.model, "failure_mode", fm, severity=8)
        assert alice.commit("do", command, command.do(alice.model)) is None
        command = set_fields(alice.model, "component", min(alice.model.components), owner="web")
        assert alice.commit("do", command, command.do(alice.model)) is None
    finally:
        alice.close()
    code, out, err = run(capsys, "history", url)
    assert (code, err) == (0, "")
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "alice  failure mode 'Slow pages on frontend'  Severity: 4 -> 8" in lines[0]
    assert lines[1].endswith('alice  component \'frontend\'  Owner: "" -> "web"')
    code, out, _err = run(capsys, "history", url, "--since", "2999-01-01")
    assert out.strip() == "no changes recorded in that period"
    code, out, _err = run(capsys, "history", url, "--user", "bob", "--format", "json")
    assert json.loads(out) == []
    code, out, _err = run(capsys, "history", url, "--component", "FRONTEND", "--format", "json")
    assert [(e["field"], e["old"], e["new"]) for e in json.loads(out)] == [
        ("severity", 4, 8),
        ("owner", "", "web"),
    ]


def test_history_refuses_files_and_unknown_models(pg_url: str, tmp_path: Path, capsys) -> None:
    code, _out, err = run(capsys, "history", str(tmp_path / "model.fma"))
    assert code == 2
    assert "a model file keeps no history" in err
    push_for_tests(pg_url, shop(), "shop")
    code, _out, err = run(capsys, "history", f"{pg_url}?model=nope")
    assert code == 2
    assert "holds no model 'nope'" in err
    code, _out, err = run(capsys, "history", f"{pg_url}?model=shop", "--component", "ghost")
    assert code == 2
    assert "no component named 'ghost'" in err


def test_history_without_the_grant_is_a_message_not_a_traceback(
    pg_server, pg_url: str, capsys, monkeypatch
) -> None:
    """Review of issue 18, finding 7: a role that may read the model but not the history got
    psycopg's InsufficientPrivilege as a traceback."""
    import psycopg
    from pg_server import PASSWORD, PASSWORD_ROLE

    push_for_tests(pg_url, shop(), "shop")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA fma TO {PASSWORD_ROLE}")
        conn.execute(f"GRANT SELECT ON fma.shared_models, fma.components TO {PASSWORD_ROLE}")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    url = pg_server.password_url(pg_url.rsplit("/", 1)[1]) + "?model=shop"
    code, out, err = run(capsys, "history", url)
    assert code == 2
    assert out == ""
    assert "permission denied for table edit_history" in err
    assert "GRANT USAGE ON SCHEMA fma" in err  # what the owner does about it
    assert PASSWORD not in err


def test_a_trace_merge_the_server_refuses_is_a_message_and_writes_nothing(
    pg_url: str, tmp_path: Path, capsys
) -> None:
    """Finding 7: a NUL in a service name (PostgreSQL text cannot hold it) ended the merge in a
    DataError traceback."""
    url = push_for_tests(pg_url, shop(), "shop")
    traces = links(tmp_path / "a.json", ("frontend", "ca\u0000rt"))
    code, _out, err = run(capsys, "import-traces", str(traces), "--merge", url)
    assert code != 0
    assert "Traceback" not in err
    assert "cannot change postgresql://postgres@" in err
    assert "0x00" in err  # psycopg's reason: the NUL character
    assert sorted(c.name for c in read(url).components.values()) == ["frontend"]
