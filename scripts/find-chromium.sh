# shellcheck shell=bash
# Sourced by test.sh: `find_chromium` prints the path of a Chromium for the browser tests,
# installing one when none is found. Progress goes to stderr; stdout is only the path.
#
# Order: $CHROMIUM_PATH if set; the system's chromium; as root, Debian's package;
# otherwise Playwright's own download into the user's cache.

find_chromium() {
    local candidate
    if [[ -n "${CHROMIUM_PATH:-}" ]]; then
        if [[ ! -x "$CHROMIUM_PATH" ]]; then
            echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
            return 1
        fi
        printf '%s\n' "$CHROMIUM_PATH"
        return 0
    fi

    for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
        if [[ -x "$candidate" ]]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done

    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "==> installing Debian's chromium (apt-get)" >&2
        { apt-get update && apt-get install -y chromium; } >&2 || return 1
        printf '%s\n' /usr/bin/chromium
        return 0
    fi

    echo "==> installing Playwright's chromium" >&2
    "$VENV_DIR/bin/python" -m playwright install chromium >&2 || return 1
    "$VENV_DIR/bin/python" -c '
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    print(p.chromium.executable_path)
'
}
