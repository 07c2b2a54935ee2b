#!/usr/bin/env bash
# Set up (if needed) and open FMA Workbench on the bundled example model.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/tools/setup.sh"
EXAMPLE="${FMA_EXAMPLE:-$ROOT/examples/payments-platform.fma}"
mkdir -p "$(dirname "$EXAMPLE")"
[[ -f $EXAMPLE ]] || "$ROOT/.venv/bin/fma-app" demo -o "$EXAMPLE"
exec "$ROOT/.venv/bin/fma-app" "$EXAMPLE" "$@"
