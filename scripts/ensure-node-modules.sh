# shellcheck shell=bash
# ensure_node_modules: frontend/node_modules as frontend/package-lock.json pins it, for the
# lint gate (eslint). `npm ci` runs only when the lock file changed since the last install
# (npm keeps its own copy in node_modules/.package-lock.json); the page never needs it.

ensure_node_modules() {
    local frontend="frontend"
    if ! command -v npm >/dev/null 2>&1; then
        echo "==> npm is not installed: the lint gate needs node >= 20 and npm" >&2
        return 1
    fi
    if [[ -f "$frontend/node_modules/.package-lock.json" &&
          "$frontend/node_modules/.package-lock.json" -nt "$frontend/package-lock.json" ]]; then
        return 0
    fi
    echo "==> npm ci (frontend lint tools)"
    npm --prefix "$frontend" ci --no-audit --no-fund --loglevel=error
}
