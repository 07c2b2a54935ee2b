#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite headless (Qt offscreen).
# As root it also installs LibreOffice Calc and poppler-utils, the independent readers of the
# Excel report, and Xvfb with xauth, so that the test which opens the real window on the xcb
# platform (under xvfb-run) runs instead of being skipped, and PostgreSQL for team mode.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Team mode's tests start a real PostgreSQL server (tests/pg_server.py): Debian's package when
# its binaries are absent (the tests skip without them).
EXTRA=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null \
    || EXTRA+=(postgresql)
tools/setup.sh libreoffice-calc poppler-utils desktop-file-utils xvfb xauth "${EXTRA[@]}"
# The chaos tools the experiment drafts are validated with (the optional group `chaos`).
STAMP=.venv/.fma-chaos-installed
if [[ ! -f $STAMP || pyproject.toml -nt $STAMP ]]; then
    echo "test: installing the optional group chaos (validators of the chaos drafts)"
    .venv/bin/python -m pip install -q -e ".[dev,chaos]"
    touch "$STAMP"
fi
export QT_QPA_PLATFORM=offscreen MPLBACKEND=Agg
.venv/bin/ruff check fma_app tests benchmarks
.venv/bin/ruff format --check fma_app tests benchmarks
.venv/bin/mypy  # the files and strictness are in pyproject.toml
.venv/bin/python -m pytest "$@"
