"""`fma-app [MODEL]`: open the desktop window. Qt is imported only after checking that PySide6
is installed (the `desktop` extra), for a display and, on X11, for the system libraries of Qt's
xcb plugin, because without a display or those libraries Qt aborts the whole process with a
plugin message (exit 134)."""

from __future__ import annotations

import importlib.util
import os
import sys

from fma_app.cli.common import EXIT_BAD_INPUT, print_error
from fma_app.cli.desktop_libraries import desktop_problem

NO_DISPLAY_HELP = (
    "no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot open.\n"
    "  Run it under a virtual display:   xvfb-run -a fma-app {args}\n"
    "  or without any window system:     QT_QPA_PLATFORM=offscreen fma-app {args}\n"
    "  Commands that need no window work as they are: fma-app --help"
)


def has_display(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """False only where Qt would abort: Linux with no display and no platform chosen."""
    if not sys.platform.startswith("linux"):
        return True
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


NO_DESKTOP = (
    "the desktop window needs PySide6, which this installation lacks (every other command works "
    "without it); install it with: pip install 'fma-workbench[desktop]'"
)


def has_qt() -> bool:
    """Whether PySide6 can be imported (the `desktop` extra), without importing it."""
    try:
        return importlib.util.find_spec("PySide6") is not None
    except (ImportError, ValueError):  # a blocked or half-removed package
        return False


def open_window(path: str | None) -> int:
    if not has_qt():
        print_error(NO_DESKTOP)
        return EXIT_BAD_INPUT
    if not has_display():
        message = NO_DISPLAY_HELP.format(args=path or "").replace(" \n", "\n")
        print_error(message.splitlines()[0])
        print("\n".join(message.splitlines()[1:]), file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = desktop_problem(os.environ)
    if problem:
        print_error(problem)
        return EXIT_BAD_INPUT
    from fma_app.ui.app import run

    return run(path)
