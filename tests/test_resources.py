"""Runtime assets are found in a source checkout and in an installed wheel."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fma_app import resources
from fma_app.cli import main
from fma_app.resources import (
    ICON_SIZES,
    ResourceError,
    app_icon_files,
    app_icon_path,
    example_model_path,
    resources_dir,
)

ROOT = Path(__file__).resolve().parents[1]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_source_checkout_uses_the_top_level_resources_folder():
    assert resources_dir() == ROOT / "resources"
    assert json.loads(example_model_path().read_text(encoding="utf-8"))["components"]


def test_icon_svg_and_every_png_size():
    svg = app_icon_path()
    assert svg.suffix == ".svg"
    assert b"<svg" in svg.read_bytes()
    for size in ICON_SIZES:
        assert png_size(app_icon_path(size)) == (size, size)
    assert app_icon_files()[-1] == svg
    assert len(app_icon_files()) == len(ICON_SIZES) + 1
    with pytest.raises(ValueError, match="no 20 px icon"):
        app_icon_path(20)


def test_missing_resources_are_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(resources, "_candidates", lambda: [tmp_path / "a", tmp_path / "b"])
    with pytest.raises(ResourceError, match="FMA Workbench resources are missing"):
        resources_dir()


def test_demo_with_a_broken_bundled_example_says_so(monkeypatch, tmp_path, capsys):
    broken = tmp_path / "example.json"
    broken.write_text('{"components": [{"name": "x", "kind": "teapot"}]}')
    monkeypatch.setattr("fma_app.resources.example_model_path", lambda: broken)
    target = tmp_path / "m.fma"
    assert main(["demo", "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "fma-app: error: the bundled example model cannot be read: "
        "components[0] (x): kind 'teapot' is not one of: service, database, queue, cache, "
        "external, network, host, other"
    )
    assert not target.exists()


def test_an_installed_wheel_carries_the_resources_inside_the_package(tmp_path):
    """Build the real wheel (hatchling force-include) and import fma_app from it alone."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0 and "hatchling" in built.stderr and "No matching" in built.stderr:
        pytest.skip("hatchling is not reachable to build the wheel")
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("fma_workbench-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "fma_app/resources/example/payments-platform.json" in names
    assert "fma_app/resources/icons/fma-app.svg" in names
    assert {f"fma_app/resources/icons/fma-app-{s}.png" for s in ICON_SIZES} <= names
    code = (
        "from fma_app.resources import resources_dir, example_model_path, app_icon_path; "
        "print(resources_dir()); print(example_model_path()); print(app_icon_path(48))"
    )
    # -S: no site-packages, so the editable install of the checkout cannot be found.
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site")},
    )
    assert result.returncode == 0, result.stderr
    packaged = tmp_path / "site" / "fma_app" / "resources"
    assert result.stdout.splitlines() == [
        str(packaged),
        str(packaged / "example" / "payments-platform.json"),
        str(packaged / "icons" / "fma-app-48.png"),
    ]
