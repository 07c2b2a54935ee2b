"""`fma-app spof MODEL` on real model files whose single points of failure are known by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run, shop_model

from fma_app.domain.model import Model
from fma_app.storage import save_model


def saved(model: Model, tmp_path: Path) -> Path:
    path = tmp_path / "model.fma"
    save_model(model, path)
    return path


def test_text_lists_spofs_by_name_and_flags_missing_failure_modes(capsys, tmp_path):
    code, out, err = run(capsys, "spof", str(saved(shop_model(), tmp_path)))
    assert (code, err) == (0, "")
    assert out == (
        "Single points of failure (3, 2 with no failure mode recorded):\n"
        "  API    takes down mobile app, Web shop  [no failure mode recorded]\n"
        "  db     takes down Admin, mobile app, Web shop\n"
        "  vault  takes down mobile app, Web shop  [no failure mode recorded]\n"
    )


def test_json_records(capsys, tmp_path):
    code, out, err = run(capsys, "spof", str(saved(shop_model(), tmp_path)), "--format", "json")
    assert (code, err) == (0, "")
    both, all_three = ["mobile app", "Web shop"], ["Admin", "mobile app", "Web shop"]
    assert json.loads(out) == [
        {"component": "API", "entry_points": both, "has_failure_modes": False},
        {"component": "db", "entry_points": all_three, "has_failure_modes": True},
        {"component": "vault", "entry_points": both, "has_failure_modes": False},
    ]


def test_entry_point_needed_by_another_is_listed_with_both(capsys, tmp_path):
    model = Model()
    web = model.add_component("web", user_facing=True)
    mobile = model.add_component("mobile", user_facing=True)
    model.add_dependency(mobile.id, web.id)
    _, out, _ = run(capsys, "spof", str(saved(model, tmp_path)), "--format", "json")
    assert json.loads(out) == [
        {"component": "web", "entry_points": ["mobile", "web"], "has_failure_modes": False}
    ]


def test_model_without_entry_points_says_what_to_do(capsys, tmp_path):
    model = Model()
    a, b = model.add_component("a"), model.add_component("b")
    model.add_dependency(a.id, b.id)
    path = saved(model, tmp_path)
    code, out, err = run(capsys, "spof", str(path))
    assert (code, err) == (0, "")
    assert (
        out == "no entry points: mark the user-facing components to find single points of failure\n"
    )
    assert run(capsys, "spof", str(path), "--format", "json")[1] == "[]\n"


def test_fully_redundant_model_has_none(capsys, tmp_path):
    model = Model()
    web = model.add_component("web", user_facing=True)
    for name in ("a", "b"):
        model.add_dependency(web.id, model.add_component(name).id, group="any")
    code, out, _ = run(capsys, "spof", str(saved(model, tmp_path)))
    assert (code, out) == (0, "no single points of failure\n")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_not_a_model_is_refused_and_left_untouched(capsys, tmp_path, fmt):
    path = tmp_path / "notes.fma"
    content = b"these are my notes, not a model\n" * 50
    path.write_bytes(content)
    code, out, err = run(capsys, "spof", str(path), "--format", fmt)
    assert (code, out) == (2, "")
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("fma-app: error: ")
    assert "notes.fma" in lines[0]
    assert path.read_bytes() == content


def test_missing_model_file(capsys, tmp_path):
    code, out, err = run(capsys, "spof", str(tmp_path / "gone.fma"))
    assert (code, out) == (2, "")
    assert err.startswith("fma-app: error: ")
    assert "gone.fma" in err
    assert len(err.strip().splitlines()) == 1
