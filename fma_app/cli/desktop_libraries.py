"""Check that Qt's xcb platform plugin can load, before Qt tries to.

When a system library that the xcb plugin links to is missing, Qt prints a plugin message that
can name the wrong library ("xcb-cursor0 or libxcb-cursor0 is needed" when libxcb-icccm4 is the
one missing) and aborts the process (exit 134). This module tries to load each of those
libraries the way the dynamic loader will for Qt, and names the Debian packages that provide the
missing ones, so the window command can print one line and exit 2 instead.

Only the standard library is used here: the check runs before any Qt module is imported, in the
development venv and in the PyInstaller bundle alike.
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# Every library that PySide6's platforms/libqxcb.so and lib/libQt6XcbQpa.so.6 name as needed
# (readelf -d), apart from Qt's own libraries (shipped with PySide6) and the C/C++ runtime,
# with the Debian package that provides it (dpkg -S). Loading a library also loads what it
# needs, and apt-get installs a package's dependencies, so the direct ones are enough.
# tests/cli/test_desktop_libraries.py compares this table with the installed plugin.
XCB_PLUGIN_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libGL.so.1", "libgl1"),
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libgthread-2.0.so.0", "libglib2.0-0"),
    ("libxcb.so.1", "libxcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)

Loader = Callable[[str], bool]
"""Tries to load a library by its soname; True when it loaded."""


def will_use_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt is going to load its xcb plugin: on Linux, when QT_QPA_PLATFORM chooses xcb
    (first in a `;` fallback list, options after `:`), or when it chooses nothing and there is an
    X display outside a Wayland session (where Qt 6 prefers its Wayland plugin)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    wayland_session = environ.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    return bool(environ.get("DISPLAY")) and not wayland_session


def qt_library_dirs() -> list[Path]:
    """Where PySide6 keeps Qt's libraries: the xcb plugin's RUNPATH points there, so a library
    found there loads for Qt even when the system has none. Found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    locations = spec.submodule_search_locations if spec is not None else None
    return [Path(location) / "Qt" / "lib" for location in locations or ()]


def system_loader(extra_dirs: Iterable[Path] = ()) -> Loader:
    """A loader that looks where the dynamic loader looks for Qt: LD_LIBRARY_PATH, the system
    library cache and folders, then `extra_dirs` (Qt's RUNPATH)."""
    dirs = list(extra_dirs)

    def load(soname: str) -> bool:
        candidates = [soname, *(str(d / soname) for d in dirs if (d / soname).is_file())]
        for candidate in candidates:
            try:
                ctypes.CDLL(candidate)
            except OSError:
                continue
            return True
        return False

    return load


def missing_libraries(
    load: Loader, table: Iterable[tuple[str, str]] = XCB_PLUGIN_LIBRARIES
) -> list[tuple[str, str]]:
    """The (soname, package) pairs of `table` whose library does not load."""
    return [(soname, package) for soname, package in table if not load(soname)]


def missing_message(missing: list[tuple[str, str]]) -> str:
    libraries = ", ".join(f"{soname} ({package})" for soname, package in missing)
    packages = " ".join(dict.fromkeys(package for _, package in missing))
    return (
        f"the desktop window needs system libraries that are missing: {libraries}; "
        f"install them with: apt-get install {packages}"
    )


def desktop_problem(environ: Mapping[str, str], load: Loader | None = None) -> str | None:
    """The one-line reason the window cannot open on xcb, or None when it can (or when Qt will
    not use xcb, so these libraries do not matter)."""
    if not will_use_xcb(environ):
        return None
    missing = missing_libraries(load or system_loader(qt_library_dirs()))
    return missing_message(missing) if missing else None
