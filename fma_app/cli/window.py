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


def shown_argument(path: str | None) -> str:
    """The argument as messages may repeat it: a shared model's URL without its password."""
    if path is None:
        return ""
    from fma_app.storage.shared.location import is_shared_location, parse_location

    if not is_shared_location(path):
        return path
    from fma_app.storage.shared.errors import SharedStoreError

    try:
        return parse_location(path).display
    except SharedStoreError:
        return "URL"


def open_window(path: str | None) -> int:
    if not has_qt():
        print_error(NO_DESKTOP)
        return EXIT_BAD_INPUT
    if not has_display():
        message = NO_DISPLAY_HELP.format(args=shown_argument(path)).replace(" \n", "\n")
        print_error(message.splitlines()[0])
        print("\n".join(message.splitlines()[1:]), file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = desktop_problem(os.environ)
    if problem:
        print_error(problem)
        return EXIT_BAD_INPUT
    from fma_app.ui.app import run

    return run(path)
