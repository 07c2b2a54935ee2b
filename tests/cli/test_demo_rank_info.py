"""`fma-app demo`, `rank` and `info` on real model files: every format, exit codes, bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from fma_app import __version__
from fma_app.cli import main
from fma_app.cli.demo import load_example
from fma_app.domain.model import Model
from fma_app.storage import open_model, save_model

RECORD_KEYS = ["rank", "id", "component", "function", "failure_mode", "effect", "severity",
               "likelihood", "detection", "rpn", "ap", "revised_severity", "revised_likelihood",
               "revised_detection", "revised_rpn", "revised_ap"]  # fmt: skip


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *parts: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fma-app: error: ")
    assert "Traceback" not in err
    for part in parts:
        assert part in lines[0], (part, lines[0])


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "payments.fma"
    assert main(["demo", "-o", str(path)]) == 0
    return path


# ---- demo --------------------------------------------------------------------------------------
def test_demo_writes_the_bundled_example_exactly(demo_file: Path):
    assert open_model(demo_file).content() == load_example().content()


def test_demo_reports_what_it_wrote(tmp_path, capsys):
    code, out, err = run(capsys, "demo", "-o", str(tmp_path / "m.fma"))
    assert code == 0
    assert err == ""
    assert "19 components, 29 dependencies, 51 failure modes, 22 actions" in out


def test_demo_refuses_to_overwrite_and_leaves_the_file(tmp_path, capsys):
    target = tmp_path / "mine.fma"
    target.write_bytes(b"precious work")
    code, out, err = run(capsys, "demo", "-o", str(target))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "mine.fma", "already exists; use --force to replace it")
    assert target.read_bytes() == b"precious work"


def test_demo_force_replaces(tmp_path, capsys):
    target = tmp_path / "mine.fma"
    target.write_bytes(b"old")
    code, _, _ = run(capsys, "demo", "-o", str(target), "--force")
    assert code == 0
    assert len(open_model(target).failure_modes) == 51


def test_demo_to_a_folder_or_missing_folder_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "demo", "-o", str(tmp_path))
    assert code == 2
    assert_one_line_error(err, "is a folder")
    code, _, err = run(capsys, "demo", "-o", str(tmp_path / "no" / "such" / "m.fma"))
    assert code == 2
    assert_one_line_error(err, "m.fma")
    assert not (tmp_path / "no").exists()


# ---- rank: order -------------------------------------------------------------------------------
@pytest.fixture
def tie_model(tmp_path) -> Path:
    """Scores picked by hand so every tie-break rule of the issue decides one pair."""
    model = Model(name="ties")
    alpha, beta, gamma = (model.add_component(n).id for n in ("alpha", "Beta", "gamma"))
    scores = [
        (beta, "b1", 4, 5, 5),  # RPN 100, S4
        (alpha, "a2", 5, 4, 5),  # RPN 100, S5, L4
        (gamma, "g1", 5, 5, 4),  # RPN 100, S5, L5: first of the 100s
        (alpha, "a1", 5, 4, 5),  # same scores as a2, same component: name a1 < a2
        (gamma, "g0", 5, 4, 5),  # same scores again: component alpha < gamma
        (beta, "b9", 9, 5, 3),  # RPN 135, AP H
        (beta, "b8", 9, 4, 3),  # RPN 108, AP H
        (alpha, "a7", 7, 6, 5),  # RPN 210, AP H, severity 7
        (gamma, "g2", 2, 10, 10),  # RPN 200, AP M
        (alpha, "a9", 10, 1, 1),  # RPN 10, AP L, severity 10
        (gamma, "g9", 9, 2, 1),  # RPN 18, AP L, severity 9
    ]
    for component, name, sev, lik, det in scores:
        model.add_failure_mode(
            component, failure_mode=name, severity=sev, likelihood=lik, detection=det
        )
    path = tmp_path / "ties.fma"
    save_model(model, path)
    return path


def ranked_names(capsys, path: Path, *options: str) -> list[str]:
    code, out, err = run(capsys, "rank", str(path), "--format", "json", *options)
    assert code == 0, err
    return [record["failure_mode"] for record in json.loads(out)]


def test_rank_by_rpn_breaks_ties_by_s_l_d_then_names(capsys, tie_model):
    assert ranked_names(capsys, tie_model) == [
        "a7", "g2", "b9", "b8", "g1", "a1", "a2", "g0", "b1", "g9", "a9",
    ]  # fmt: skip


def test_rank_by_ap_is_h_m_l_then_severity_then_rpn_then_names(capsys, tie_model):
    assert ranked_names(capsys, tie_model, "--by", "ap") == [
        "b9", "b8", "a7",  # H: severity 9, 9 (RPN 135 before 108), then 7
        "g2",  # M
        "a9", "g9",  # L: severity 10 before 9 although its RPN is lower
        "a1", "a2", "g0", "g1",  # L, severity 5, RPN 100: names only (likelihood is no key here)
        "b1",  # L, severity 4
    ]  # fmt: skip


def test_rank_top_keeps_rank_numbers(capsys, tie_model):
    code, out, _ = run(capsys, "rank", str(tie_model), "--format", "json", "--top", "3")
    records = json.loads(out)
    assert code == 0
    assert [r["rank"] for r in records] == [1, 2, 3]
    assert [r["failure_mode"] for r in records] == ["a7", "g2", "b9"]


# ---- rank: formats -----------------------------------------------------------------------------
def test_rank_json_has_the_issues_keys_and_nulls(capsys, demo_file):
    code, out, err = run(capsys, "rank", str(demo_file), "--format", "json")
    assert code == 0
    assert err == ""
    records = json.loads(out)
    assert isinstance(records, list)
    assert len(records) == 51
    assert all(list(r) == RECORD_KEYS for r in records)
    assert [r["rank"] for r in records] == list(range(1, 52))
    rpns = [r["rpn"] for r in records]
    assert rpns == sorted(rpns, reverse=True)
    revised = [r for r in records if r["revised_rpn"] is not None]
    unrevised = [r for r in records if r["revised_rpn"] is None]
    assert len(revised) == 9
    for record in revised:
        sev, lik, det = (record[f"revised_{k}"] for k in ("severity", "likelihood", "detection"))
        assert record["revised_rpn"] == sev * lik * det
        assert record["revised_ap"] in "HML"
    for record in unrevised:
        assert all(record[k] is None for k in RECORD_KEYS if k.startswith("revised_"))


def test_rank_csv_has_header_and_same_rows_as_json(capsys, demo_file):
    _, json_out, _ = run(capsys, "rank", str(demo_file), "--format", "json", "--by", "ap")
    code, out, _ = run(capsys, "rank", str(demo_file), "--format", "csv", "--by", "ap")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == RECORD_KEYS
    expected = json.loads(json_out)
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        assert row["component"] == record["component"]
        assert row["ap"] == record["ap"]
        assert int(row["rpn"]) == record["rpn"]
        assert row["revised_rpn"] == (
            "" if record["revised_rpn"] is None else str(record["revised_rpn"])
        )


def test_rank_csv_neutralises_formula_text_but_json_keeps_it(tmp_path, capsys):
    model = Model(name="hostile")
    component = model.add_component("@SUM(A1:A9)")
    texts = ['=HYPERLINK("http://x","y")', "+1+1", "-2-3", "\tTabbed", "plain = text"]
    for text in texts:
        model.add_failure_mode(component.id, failure_mode=text, effect=text, severity=5)
    path = tmp_path / "hostile.fma"
    save_model(model, path)
    _, out, _ = run(capsys, "rank", str(path), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["component"] for row in rows} == {"'@SUM(A1:A9)"}
    shown = {row["failure_mode"] for row in rows}
    assert shown == {"'" + t for t in texts[:4]} | {"plain = text"}
    assert all(row["effect"] == row["failure_mode"] for row in rows)
    _, out, _ = run(capsys, "rank", str(path), "--format", "json")
    assert {r["failure_mode"] for r in json.loads(out)} == set(texts)


def test_rank_table_is_aligned_and_truncated(capsys, demo_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    code, out, _ = run(capsys, "rank", str(demo_file), "--top", "12")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:7] == ["#", "ID", "AP", "RPN", "S", "L", "D"]
    rows = lines[2:-1]
    assert len(rows) == 12
    assert lines[-1] == "12 of 51 failure modes, ranked by RPN"
    assert "\x1b[" not in out  # not a terminal: no colour
    assert all(len(line) <= 90 for line in lines)
    assert any("…" in row for row in rows)  # long names cut, not wrapped
    starts = {row.index("Revised") if "Revised" in row else None for row in lines[:1]}
    assert starts != {None}
    # The failure mode column starts at the same place on every row.
    column = lines[0].index("Failure mode")
    assert all(row[column - 1] == " " and row[column] != " " for row in rows)


@pytest.fixture
def partly_rated(tmp_path) -> tuple[Path, dict[str, int]]:
    model = Model(name="partly rated")
    component = model.add_component("Payments").id
    ids = {
        name: model.add_failure_mode(component, failure_mode=name, **scores).id
        for name, scores in (
            ("blank", {}),
            ("rated low", {"severity": 1, "likelihood": 1, "detection": 1}),
            ("severity only", {"severity": 9}),
            ("rated high", {"severity": 9, "likelihood": 5, "detection": 6}),
        )
    }
    path = tmp_path / "partly.fma"
    save_model(model, path)
    return path, ids


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_rank_lists_not_rated_after_rated_with_nulls_and_ids(capsys, partly_rated, by):
    path, ids = partly_rated
    code, out, _ = run(capsys, "rank", str(path), "--format", "json", "--by", by)
    records = json.loads(out)
    assert code == 0
    assert [r["failure_mode"] for r in records] == [
        "rated high", "rated low", "severity only", "blank"
    ]  # fmt: skip
    assert [r["id"] for r in records] == [ids[r["failure_mode"]] for r in records]
    severity_only = records[2]
    assert {k: severity_only[k] for k in ("severity", "likelihood", "detection", "rpn", "ap")} == {
        "severity": 9, "likelihood": None, "detection": None, "rpn": None, "ap": None
    }  # fmt: skip
    assert (records[1]["rpn"], records[1]["ap"]) == (1, "L")  # rated low is still rated

    _, out, _ = run(capsys, "rank", str(path), "--format", "csv", "--by", by)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(row["id"]) for row in rows] == [r["id"] for r in records]
    assert {k: rows[2][k] for k in ("severity", "likelihood", "detection", "rpn", "ap")} == {
        "severity": "9", "likelihood": "", "detection": "", "rpn": "", "ap": ""
    }  # fmt: skip

    _, out, _ = run(capsys, "rank", str(path), "--by", by)
    lines = out.splitlines()
    table = {line.split()[1]: line.split()[:7] for line in lines[2:-1]}
    assert table[str(ids["severity only"])] == ["3", str(ids["severity only"]), "-", "-",
                                                "9", "-", "-"]  # fmt: skip
    assert table[str(ids["blank"])][2:] == ["-"] * 5
    assert table[str(ids["rated low"])][2:] == ["L", "1", "1", "1", "1"]


def test_rank_of_a_model_without_failure_modes(tmp_path, capsys):
    path = tmp_path / "empty.fma"
    save_model(Model(name="empty"), path)
    assert run(capsys, "rank", str(path))[1].strip() == "no failure modes in this model"
    assert json.loads(run(capsys, "rank", str(path), "--format", "json")[1]) == []
    assert run(capsys, "rank", str(path), "--format", "csv")[1].strip() == ",".join(RECORD_KEYS)


def _run_in_pty(argv: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO when the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return b"".join(chunks).decode()


def test_rank_colours_ap_only_on_a_terminal_without_no_color(demo_file):
    argv = [sys.executable, "-m", "fma_app", "rank", str(demo_file), "--top", "20"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _run_in_pty(argv, env)
    assert "\x1b[1;31mH\x1b[0m" in coloured
    assert "\x1b[33mM\x1b[0m" in coloured
    plain = _run_in_pty(argv, {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in plain
    # Colour codes do not shift the columns: stripped, both outputs are the same text.
    assert (
        coloured.replace("\x1b[1;31m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[32m", "")
        .replace("\x1b[0m", "")
        == plain
    )


# ---- info --------------------------------------------------------------------------------------
def test_info_text_and_json(capsys, demo_file):
    code, out, _ = run(capsys, "info", str(demo_file))
    assert code == 0
    assert "Name:           Card payments platform" in out
    assert "Failure modes:  51" in out
    code, out, _ = run(capsys, "info", str(demo_file), "--format", "json")
    data = json.loads(out)
    assert code == 0
    keys = ("name", "components", "dependencies", "failure_modes", "actions")
    assert {k: data[k] for k in keys} == {
        "name": "Card payments platform", "components": 19, "dependencies": 29,
        "failure_modes": 51, "actions": 22,
    }  # fmt: skip
    assert isinstance(data["schema_version"], int)
    assert data["schema_version"] >= 1


# ---- bad input, for every command that reads a model -----------------------------------------
@pytest.mark.parametrize("command", [["rank"], ["info"], ["rank", "--format", "json"]])
def test_missing_file(tmp_path, capsys, command):
    missing = tmp_path / "nowhere.fma"
    code, out, err = run(capsys, command[0], str(missing), *command[1:])
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "nowhere.fma")
    assert not missing.exists()


@pytest.mark.parametrize("command", ["rank", "info"])
def test_not_a_model_is_refused_and_left_untouched(tmp_path, capsys, command):
    path = tmp_path / "notes.fma"
    content = b"these are my notes, not a model\n" * 50
    path.write_bytes(content)
    code, out, err = run(capsys, command, str(path))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "notes.fma")
    assert path.read_bytes() == content


@pytest.mark.parametrize("top", ["0", "-3", "abc", "2.5"])
def test_bad_top(capsys, demo_file, top):
    code, out, err = run(capsys, "rank", str(demo_file), "--top", top)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, f"--top {top!r} is not a whole number of 1 or more")


def test_unknown_by_and_format_are_usage_errors(capsys, demo_file):
    for option, value in (("--by", "risk"), ("--format", "xml")):
        with pytest.raises(SystemExit) as exited:
            main(["rank", str(demo_file), option, value])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert f"invalid choice: '{value}'" in err
        assert "Traceback" not in err


# ---- as a real process: version, exit codes, and no Qt -----------------------------------------
def _headless_env() -> dict[str, str]:
    hidden = {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    return {k: v for k, v in os.environ.items() if k not in hidden}


def test_python_m_version():
    result = subprocess.run([sys.executable, "-m", "fma_app", "--version"], capture_output=True,
                            text=True, env=_headless_env())  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.strip() == f"fma-app {__version__}"
    assert __version__ != "0+unknown"


def test_commands_never_import_qt_and_need_no_display(tmp_path):
    code = """
import sys
from fma_app.cli import main
model = sys.argv[1]
codes = [
    main(["demo", "-o", model]),
    main(["rank", model, "--format", "csv"]),
    main(["rank", model, "--by", "ap", "--format", "json"]),
    main(["rank", model]),
    main(["info", model, "--format", "json"]),
    main(["info", model + ".missing"]),
]
loaded = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
print("RESULT", codes, loaded, file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m.fma")],
                            capture_output=True, text=True, env=_headless_env())  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "RESULT [0, 0, 0, 0, 0, 2] []" in result.stderr


def test_exit_code_and_stderr_of_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fma_app", "rank", str(tmp_path / "gone.fma")],
        capture_output=True, text=True, env=_headless_env(),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, "gone.fma")
