"""`fma-app diff`, `dump` and `merge` on real model files, with bad inputs, and inside a real git
repository as a textconv driver and a merge driver."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

from fma_app.domain.model import Model
from fma_app.storage import SCHEMA_VERSION, open_model, save_model


def shop() -> Model:
    model = Model(name="Shop")
    api = model.add_component("api", x=10, y=20)  # 1
    db = model.add_component("db", "database")  # 2
    model.add_dependency(api.id, db.id)  # 3
    fm = model.add_failure_mode(db.id, failure_mode="Disk full", severity=7, likelihood=3)  # 4
    model.add_action(fm.id, "Alert at 80%", owner="ops")  # 5
    return model


def saved(folder: Path, name: str, model: Model) -> Path:
    path = folder / name
    save_model(model, path)
    return path


@pytest.fixture
def base(tmp_path) -> Path:
    return saved(tmp_path, "base.fma", shop())


def edited(folder: Path, name: str, **severity_and_more: object) -> Path:
    model = shop()
    for key, value in severity_and_more.items():
        collection, record_id, field = key.split("__")
        setattr(getattr(model, collection)[int(record_id)], field, value)
    return saved(folder, name, model)


# ---- diff --------------------------------------------------------------------------------------


def test_diff_of_equal_models_exits_0(capsys, base, tmp_path):
    same = saved(tmp_path, "same.fma", shop())
    code, out, err = run(capsys, "diff", str(base), str(same))
    assert (code, err) == (0, "")
    assert out.strip() == "The models are equal."


def test_diff_lists_a_changed_severity_and_exits_1(capsys, base, tmp_path):
    new = edited(tmp_path, "new.fma", failure_modes__4__severity=9)
    code, out, _err = run(capsys, "diff", str(base), str(new))
    assert code == 1
    assert out.splitlines() == [
        '~ changed failure mode 4 "Disk full on db"',
        "    severity: 7 -> 9",
        "0 added, 0 removed, 1 changed, 0 moved",
    ]


def test_moved_nodes_are_apart_and_ignore_layout_hides_them(capsys, base, tmp_path):
    moved = edited(tmp_path, "moved.fma", components__1__x=400.0)
    code, out, _ = run(capsys, "diff", str(base), str(moved))
    assert code == 1
    assert 'moved component 1 "api": x 10.0 -> 400.0' in out
    code, out, _ = run(capsys, "diff", "--ignore-layout", str(base), str(moved))
    assert (code, out.strip()) == (0, "The models are equal.")


def test_diff_json_names_every_added_removed_and_changed_record(capsys, base, tmp_path):
    model = shop()
    del model.actions[5]
    model.add_component("cache", "cache")
    model.failure_modes[4].effect = "Writes fail"
    model.components[2].y = 99.0
    new = saved(tmp_path, "new.fma", model)
    code, out, _ = run(capsys, "diff", "--format", "json", str(base), str(new))
    record = json.loads(out)
    assert code == 1
    assert record["equal"] is False
    assert [(r["collection"], r["id"]) for r in record["added"]] == [("components", 6)]
    assert record["added"][0]["values"]["kind"] == "cache"
    assert [(r["collection"], r["id"]) for r in record["removed"]] == [("actions", 5)]
    assert record["removed"][0]["values"]["owner"] == "ops"
    assert record["changed"] == [
        {
            "collection": "failure_modes",
            "id": 4,
            "label": "Disk full on db",
            "fields": [{"field": "effect", "old": "", "new": "Writes fail"}],
        }
    ]
    assert record["layout"][0]["fields"] == [{"field": "y", "old": 0.0, "new": 99.0}]


def test_the_example_model_diffs_equal_with_itself_and_dumps(capsys, tmp_path):
    example = tmp_path / "example.fma"
    assert run(capsys, "demo", "-o", str(example))[0] == 0
    copy = tmp_path / "copy.fma"
    shutil.copyfile(example, copy)
    assert run(capsys, "diff", str(example), str(copy))[0] == 0
    code, out, _ = run(capsys, "dump", str(example))
    assert code == 0
    model = open_model(example)
    assert sum(line.endswith("/severity: null") or "/severity: " in line
               for line in out.splitlines() if line.startswith("failure_modes/")) == len(
        model.failure_modes
    )  # fmt: skip


# ---- bad input ---------------------------------------------------------------------------------


def not_a_model(tmp_path: Path) -> Path:
    path = tmp_path / "notes.fma"
    path.write_text("component,severity\nweb,9\n")
    return path


def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    return path


def newer(tmp_path: Path) -> Path:
    path = saved(tmp_path, "newer.fma", shop())
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    return path


BAD = {
    "not-a-model": (not_a_model, "not an FMA Workbench model (not a SQLite database)"),
    "foreign": (foreign, "not an FMA Workbench model (another program's SQLite database)"),
    "newer": (newer, f"made by a newer FMA Workbench (schema {SCHEMA_VERSION + 1}; "),
    "missing": (lambda folder: folder / "missing.fma", "no such file or folder"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", ["diff", "dump", "merge"])
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, base, tmp_path, case, command):
    make, message = BAD[case]
    bad = make(tmp_path)
    before = bad.read_bytes() if bad.exists() else None
    out_file = tmp_path / "out.fma"
    argv = {
        "diff": ["diff", str(base), str(bad)],
        "dump": ["dump", str(bad)],
        "merge": ["merge", str(base), str(bad), str(base), "-o", str(out_file)],
    }[command]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"fma-app: error: cannot open '{bad}': {message}")
    assert not out_file.exists()
    assert (bad.read_bytes() if bad.exists() else None) == before


# ---- merge -------------------------------------------------------------------------------------


def test_merge_keeps_both_sides_changes_to_different_fields(capsys, base, tmp_path):
    ours = edited(tmp_path, "ours.fma", failure_modes__4__severity=9)
    theirs = edited(tmp_path, "theirs.fma", failure_modes__4__effect="Writes fail")
    out_file = tmp_path / "out.fma"
    code, out, err = run(capsys, "merge", str(base), str(ours), str(theirs), "-o", str(out_file))
    assert (code, out, err) == (0, "", "")
    merged = open_model(out_file)
    assert (merged.failure_modes[4].severity, merged.failure_modes[4].effect) == (9, "Writes fail")


def conflicting(tmp_path: Path, base: Path) -> list[str]:
    ours = edited(tmp_path, "ours.fma", failure_modes__4__severity=8, actions__5__owner="sre")
    theirs = edited(tmp_path, "theirs.fma", failure_modes__4__severity=10, actions__5__owner="db")
    return [str(base), str(ours), str(theirs), "-o", str(tmp_path / "out.fma")]


def test_merge_conflicts_are_listed_with_both_values_and_out_is_not_written(capsys, base, tmp_path):
    code, out, _ = run(capsys, "merge", *conflicting(tmp_path, base))
    assert code == 1
    assert not (tmp_path / "out.fma").exists()
    lines = out.splitlines()
    assert 'CONFLICT failure_modes/4/severity (failure mode 4 "Disk full on db"): ' \
        "changed on both sides" in lines  # fmt: skip
    start = lines.index(next(line for line in lines if "failure_modes/4/severity" in line))
    assert lines[start + 1 : start + 4] == ["    base: 7", "    ours: 8", "    theirs: 10"]
    assert any(line.startswith("CONFLICT actions/5/owner") for line in lines)
    assert lines[-1].startswith("2 conflict(s) left;")


@pytest.mark.parametrize(
    ("option", "severity", "owner"), [("--ours", 8, "sre"), ("--theirs", 10, "db")]
)
def test_merge_settles_every_conflict_with_one_side(
    capsys, base, tmp_path, option, severity, owner
):
    argv = conflicting(tmp_path, base)
    assert run(capsys, "merge", *argv, option)[0] == 0
    merged = open_model(tmp_path / "out.fma")
    assert (merged.failure_modes[4].severity, merged.actions[5].owner) == (severity, owner)


def test_merge_settles_conflicts_one_by_one_from_a_resolve_file(capsys, base, tmp_path):
    argv = conflicting(tmp_path, base)
    choices = tmp_path / "choices.txt"
    choices.write_text("# settled in review\nfailure_modes/4/severity theirs\n")
    code, out, _ = run(capsys, "merge", *argv, "--resolve", str(choices))
    assert code == 1  # the owner is still open
    assert "failure_modes/4/severity" not in out
    assert not (tmp_path / "out.fma").exists()
    choices.write_text("failure_modes/4/severity theirs\nactions/5/owner   ours  # kept\n")
    assert run(capsys, "merge", *argv, "--resolve", str(choices))[0] == 0
    merged = open_model(tmp_path / "out.fma")
    assert (merged.failure_modes[4].severity, merged.actions[5].owner) == (10, "sre")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("failure_modes/4/severity mine\n", "line 1: expected 'KEY ours' or 'KEY theirs'"),
        ("\nfailure_modes/99/severity ours\n", "line 2: 'failure_modes/99/severity' names no"),
    ],
)
def test_a_bad_resolve_file_is_bad_input(capsys, base, tmp_path, text, problem):
    choices = tmp_path / "choices.txt"
    choices.write_text(text)
    code, _, err = run(capsys, "merge", *conflicting(tmp_path, base), "--resolve", str(choices))
    assert code == 2
    assert problem in err
    assert not (tmp_path / "out.fma").exists()


def test_a_merge_that_breaks_a_rule_is_not_written(capsys, base, tmp_path):
    ours, theirs = shop(), shop()
    ours.add_component("cache", "cache")
    theirs.add_component("Cache", "service")  # the same name, another record: renumbered
    argv = [str(base), str(saved(tmp_path, "o.fma", ours)), str(saved(tmp_path, "t.fma", theirs))]
    code, out, _ = run(capsys, "merge", *argv, "-o", str(tmp_path / "out.fma"))
    assert code == 1
    assert "renumbered their new id 6 as 7 (ours added 6 too)" in out
    assert "the merged model breaks a rule: components row 7: name 'Cache' is used twice" in out
    assert not (tmp_path / "out.fma").exists()


# ---- git ---------------------------------------------------------------------------------------

FMA_APP = Path(sys.executable).with_name("fma-app")
needs_git = pytest.mark.skipif(
    shutil.which("git") is None or not FMA_APP.exists(), reason="needs git and the fma-app script"
)


def git(repo: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{FMA_APP.parent}:/usr/bin:/bin",
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }  # fmt: skip
    done = subprocess.run(
        ["git", *argv], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository set up as the README says, with shop.fma committed on main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitattributes").write_text("*.fma diff=fma merge=fma\n")
    git(repo, "config", "diff.fma.textconv", "fma-app dump")
    git(repo, "config", "merge.fma.name", "FMA Workbench model merge")
    git(repo, "config", "merge.fma.driver", "fma-app merge %O %A %B -o %A")
    save_model(shop(), repo / "shop.fma")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def commit_edit(repo: Path, message: str, **changes: object) -> None:
    model = open_model(repo / "shop.fma")
    for key, value in changes.items():
        collection, record_id, field = key.split("__")
        setattr(getattr(model, collection)[int(record_id)], field, value)
    save_model(model, repo / "shop.fma")
    git(repo, "commit", "-q", "-am", message)


@needs_git
def test_git_diff_through_the_textconv_driver_shows_a_changed_severity(repo):
    commit_edit(repo, "worse", failure_modes__4__severity=9)
    shown = git(repo, "diff", "HEAD~1", "HEAD").stdout
    removed = [line for line in shown.splitlines() if line.startswith("-") and "---" not in line]
    added = [line for line in shown.splitlines() if line.startswith("+") and "+++" not in line]
    assert removed == ["-failure_modes/4/severity: 7"]
    assert added == ["+failure_modes/4/severity: 9"]


@needs_git
def test_git_merge_through_the_merge_driver_keeps_both_sides(repo):
    git(repo, "checkout", "-q", "-b", "theirs")
    commit_edit(repo, "effect", failure_modes__4__effect="Writes fail")
    git(repo, "checkout", "-q", "main")
    commit_edit(repo, "severity", failure_modes__4__severity=9)
    git(repo, "merge", "-q", "--no-edit", "theirs")
    merged = open_model(repo / "shop.fma")
    assert (merged.failure_modes[4].severity, merged.failure_modes[4].effect) == (9, "Writes fail")


@needs_git
def test_git_merge_with_a_conflict_stops_and_keeps_ours(repo):
    git(repo, "checkout", "-q", "-b", "theirs")
    commit_edit(repo, "ten", failure_modes__4__severity=10)
    git(repo, "checkout", "-q", "main")
    commit_edit(repo, "eight", failure_modes__4__severity=8)
    done = git(repo, "merge", "--no-edit", "theirs", check=False)
    assert done.returncode != 0
    assert "CONFLICT failure_modes/4/severity" in done.stdout + done.stderr
    assert "Merge conflict in shop.fma" in done.stdout
    assert open_model(repo / "shop.fma").failure_modes[4].severity == 8
