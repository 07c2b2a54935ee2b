"""`fma-app [MODEL]`: open the desktop window. Qt is imported only after checking for a display
and, on X11, for the system libraries of Qt's xcb plugin, because without either Qt aborts the
whole process with a plugin message (exit 134)."""

from __future__ import annotations

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


def open_window(path: str | None) -> int:
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
