"""Where the runtime assets are: the example model and the application icon.

The repository keeps them in its top-level `resources/`. A wheel maps that folder into the
package as `fma_app/resources` (pyproject `force-include`) and so does the PyInstaller bundle
(`packaging/fma-app.spec`); an editable install has no such folder and uses the repository's.
Pure Python, no Qt: the command line uses this too.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

EXAMPLE_MODEL = "example/payments-platform.json"
# The example's services as OpenTelemetry traces them (OTLP JSON lines, gzip), for
# `fma-app import-traces`; written by `python -m benchmarks.generate_traces`.
EXAMPLE_TRACES = "example/payments-traces.jsonl.gz"
ICON_SVG = "icons/fma-app.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


class ResourceError(FileNotFoundError):
    """A bundled asset is missing: the installation is broken, not the user's input."""


def _candidates() -> list[Path]:
    packaged = Path(str(files("fma_app") / "resources"))
    repository = Path(__file__).resolve().parent.parent / "resources"
    return [packaged, repository]


def resources_dir() -> Path:
    """The folder holding the assets, installed copy first."""
    for candidate in _candidates():
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in _candidates())
    raise ResourceError(f"FMA Workbench resources are missing (looked in {searched})")


def resource_path(relative: str) -> Path:
    path = resources_dir() / relative
    if not path.is_file():
        raise ResourceError(f"bundled file {relative} is missing from {resources_dir()}")
    return path


def example_model_path() -> Path:
    """The example model as JSON (see `fma_app.domain.serialization`)."""
    return resource_path(EXAMPLE_MODEL)


def example_traces_path() -> Path:
    """A small trace file of the example platform (see EXAMPLE_TRACES)."""
    return resource_path(EXAMPLE_TRACES)


def app_icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG rendered at `size` pixels (one of ICON_SIZES)."""
    if size is None:
        return resource_path(ICON_SVG)
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {', '.join(map(str, ICON_SIZES))}")
    return resource_path(f"icons/fma-app-{size}.png")


def app_icon_files() -> list[Path]:
    """Every PNG size, smallest first, then the SVG: add them all to one QIcon so Qt picks
    a sharp pixmap even where the SVG image plugin is unavailable."""
    return [app_icon_path(size) for size in ICON_SIZES] + [app_icon_path()]
