#!/usr/bin/env bash
# Set up .venv when needed, then serve the app on $HOST:$PORT (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck source=scripts/setup-venv.sh
source scripts/setup-venv.sh
setup_venv

exec "$VENV_DIR/bin/python" -m chainrule serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
