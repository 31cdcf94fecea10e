# shellcheck shell=bash
# Sourced by test.sh: `ensure_debian_tool COMMAND PATH PACKAGE` makes a Debian tool the tests
# run on loopback available: nginx (the class profile's load balancer, tests/test_nginx.py)
# and redis-server (its broker, tests/rooms/). Found on PATH or at PATH: nothing to do; as
# root it installs PACKAGE with apt; otherwise the tests that need it fail and say why.

ensure_debian_tool() {
    local command="$1" path="$2" package="$3"
    if command -v "$command" >/dev/null || [[ -x "$path" ]]; then
        return 0
    fi
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "==> installing Debian's $package (apt-get)" >&2
        { apt-get update && apt-get install -y "$package"; } >&2 || return 1
        return 0
    fi
    echo "==> $command is not installed and this user cannot install it" >&2
    return 1
}
