#!/usr/bin/env bash
# Set up everything FMA Workbench needs on this machine: system libraries for Qt and its X11
# window (when run as root and missing), a virtual environment in .venv and the app installed
# into it (editable) with the desktop extra (PySide6) and the development tools.
# Usage: tools/setup.sh [extra apt packages...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Libraries PySide6 needs on a bare Debian 12, plus any the caller asks for.
QT_LIBS=(libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0 libdbus-1-3)
# Libraries Qt's xcb platform plugin (the window on an X11 desktop) links to: without them Qt
# aborts when the window opens. The list of fma_app/cli/desktop_libraries.py, which names them to
# a user who lacks them; a test keeps the two in step.
XCB_LIBS=(libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0)
WANTED=("${QT_LIBS[@]}" "${XCB_LIBS[@]}" "$@")

missing=()
if command -v dpkg-query >/dev/null; then
    for pkg in "${WANTED[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
fi
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: warning: missing system packages (install them as root): ${missing[*]}" >&2
    fi
fi

PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
# Reinstall only when the project definition changed since the last install.
STAMP=.venv/.fma-installed
if [[ ! -f $STAMP || pyproject.toml -nt $STAMP ]]; then
    echo "setup: installing FMA Workbench and its dependencies into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[desktop,dev]"
    touch "$STAMP"
fi
