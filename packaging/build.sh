#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/fma-app/ (executable dist/fma-app/fma-app) from a
# fresh clone. It installs what it needs itself: binutils (PyInstaller reads shared libraries
# with objdump) when run as root, and a build venv in build/bundle-venv with PyInstaller and a
# regular (non-editable) install of the app, so the bundle holds exactly what a user would get.
#
# Usage: packaging/build.sh            build with the Qt excludes of packaging/fma-app.spec
#        FMA_BUNDLE_EXCLUDES=0 packaging/build.sh    build without them (to compare sizes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$(date +%s)

if ! command -v objdump >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "build: installing binutils (objdump)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends binutils >/dev/null
    else
        echo "build: error: objdump is missing; install binutils" >&2
        exit 1
    fi
fi

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/build/bundle-venv"
if [[ ! -x $VENV/bin/python ]]; then
    echo "build: creating $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
fi
# Dependencies and PyInstaller only when the project definition changed; the app itself every
# time, so the bundle has the current code.
STAMP="$VENV/.fma-deps"
if [[ ! -f $STAMP || pyproject.toml -nt $STAMP ]]; then
    echo "build: installing PyInstaller and the app's dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q ".[desktop,bundle]"  # the bundle is the desktop app
    touch "$STAMP"
fi
"$VENV/bin/python" -m pip install -q --no-deps --force-reinstall .

# Run from the build folder so PyInstaller imports fma_app from the venv, not from the checkout.
mkdir -p build/pyinstaller
cd build/pyinstaller
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller/work" \
    "$ROOT/packaging/fma-app.spec"
cd "$ROOT"

"$ROOT/dist/fma-app/fma-app" --version
echo "build: bundle $(du -sh dist/fma-app | cut -f1) in dist/fma-app/" \
    "(excludes: ${FMA_BUNDLE_EXCLUDES:-1}), $(($(date +%s) - started)) s"
