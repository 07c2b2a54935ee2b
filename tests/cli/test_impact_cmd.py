"""`fma-app impact MODEL COMPONENT` on a real model file whose blast radii are known by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run, shop_model

from fma_app.storage import save_model


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.fma"
    save_model(shop_model(), path)
    return path


def assert_one_line_error(err: str, expected: str) -> None:
    assert err.strip().splitlines() == [f"fma-app: error: {expected}"]


def test_text_lists_down_degraded_and_entry_points_lost(capsys, shop_file):
    code, out, err = run(capsys, "impact", str(shop_file), "db")
    assert (code, err) == (0, "")
    assert out == (
        "Impact of a failure of db\n"
        "Down (5):\n  Admin\n  API\n  db\n  mobile app\n  Web shop\n"
        "Degraded: none\n"
        "Entry points lost (3):\n  Admin\n  mobile app\n  Web shop\n"
    )


def test_one_member_of_a_redundancy_group_only_degrades(capsys, shop_file):
    code, out, _ = run(capsys, "impact", str(shop_file), "pay-a")
    assert code == 0
    assert out == (
        "Impact of a failure of pay-a\n"
        "Down (1):\n  pay-a\n"
        "Degraded (1):\n  API\n"
        "Entry points lost: none\n"
    )


def test_json_and_any_case_name(capsys, shop_file):
    code, out, err = run(capsys, "impact", str(shop_file), "  VAULT ", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "component": "vault",
        "down": ["API", "mobile app", "pay-a", "pay-b", "vault", "Web shop"],
        "degraded": [],
        "entry_points_lost": ["mobile app", "Web shop"],
    }


def test_weak_dependency_in_json(capsys, shop_file):
    _, out, _ = run(capsys, "impact", str(shop_file), "cache", "--format", "json")
    assert json.loads(out) == {
        "component": "cache",
        "down": ["cache"],
        "degraded": ["API"],
        "entry_points_lost": [],
    }


def test_misspelt_component_names_close_matches_and_leaves_the_file(capsys, shop_file):
    before = shop_file.read_bytes()
    code, out, err = run(capsys, "impact", str(shop_file), "pay-c")
    assert (code, out) == (2, "")
    assert_one_line_error(
        err, "no component named 'pay-c' in the model; did you mean: pay-a, pay-b?"
    )
    assert shop_file.read_bytes() == before


def test_unknown_component_without_close_match(capsys, shop_file):
    code, out, err = run(capsys, "impact", str(shop_file), "kubernetes", "--format", "json")
    assert (code, out) == (2, "")
    assert_one_line_error(
        err, "no component named 'kubernetes' in the model; no close match among its 9 components"
    )


def test_missing_model_file(capsys, tmp_path):
    missing = tmp_path / "nowhere.fma"
    code, out, err = run(capsys, "impact", str(missing), "db")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("fma-app: error: ")
    assert "nowhere.fma" in err
    assert not missing.exists()


def test_not_a_model_is_refused_and_left_untouched(capsys, tmp_path):
    path = tmp_path / "notes.fma"
    content = b"these are my notes, not a model\n" * 50
    path.write_bytes(content)
    code, out, err = run(capsys, "impact", str(path), "db")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "notes.fma" in err
    assert "Traceback" not in err
    assert path.read_bytes() == content


def test_installed_command_runs_without_qt(shop_file):
    result = subprocess.run(
        [sys.executable, "-c",
         "import sys; from fma_app.cli import main; code = main(sys.argv[1:]); "
         "print('PySide6' in sys.modules); sys.exit(code)",
         "impact", str(shop_file), "api", "--format", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record_text, qt_loaded = result.stdout.rsplit("\n", 2)[:2]
    assert json.loads(record_text)["entry_points_lost"] == ["mobile app", "Web shop"]
    assert qt_loaded == "False"
