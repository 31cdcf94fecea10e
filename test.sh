#!/usr/bin/env bash
# Set up .venv with the test extras and a Chromium, then run every gate:
# ruff, mypy, eslint, pytest (browser tests included). Extra arguments go to pytest.
# Exits non-zero if any gate fails; all gates run so one report shows every failure.
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck source=scripts/setup-venv.sh
source scripts/setup-venv.sh
# shellcheck source=scripts/find-chromium.sh
source scripts/find-chromium.sh
# shellcheck source=scripts/ensure-debian-tool.sh
source scripts/ensure-debian-tool.sh
# shellcheck source=scripts/ensure-node-modules.sh
source scripts/ensure-node-modules.sh

setup_venv test
CHROMIUM_PATH="$(find_chromium)"
export CHROMIUM_PATH
echo "==> browser: $CHROMIUM_PATH"
ensure_debian_tool nginx /usr/sbin/nginx nginx-light ||
    echo "==> no nginx: tests/test_nginx.py will fail" >&2
ensure_debian_tool redis-server /usr/bin/redis-server redis-server ||
    echo "==> no redis-server: tests/rooms/test_cross_instance.py will fail" >&2

failed=()

# Run one gate, recording its name when it fails.
gate() {
    local name="$1" status=0
    shift
    printf '\n==> %s\n' "$name"
    "$@" || status=$?
    if [[ "$name" == pytest && "$status" -eq 5 ]]; then
        echo "pytest collected no tests: that counts as a failure" >&2
    fi
    if [[ "$status" -ne 0 ]]; then
        failed+=("$name (exit $status)")
    fi
}

gate ruff "$VENV_DIR/bin/ruff" check backend tests benchmarks
gate mypy "$VENV_DIR/bin/mypy"
lint_frontend() { ensure_node_modules && npm --prefix frontend run --silent lint; }
gate eslint lint_frontend
gate pytest "$VENV_DIR/bin/python" -m pytest "$@"

echo
if [[ "${#failed[@]}" -ne 0 ]]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "all gates passed"
