# shellcheck shell=bash
# Sourced by test.sh: `ensure_redis` makes Debian's redis-server available for
# tests/rooms/test_cross_instance.py (the class profile's broker, run on loopback). As root
# it installs redis-server with apt when none is found; otherwise the test fails and says
# why.

ensure_redis() {
    if command -v redis-server >/dev/null || [[ -x /usr/bin/redis-server ]]; then
        return 0
    fi
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "==> installing Debian's redis-server (apt-get)" >&2
        { apt-get update && apt-get install -y redis-server; } >&2 || return 1
        return 0
    fi
    echo "==> redis-server is not installed and this user cannot install it" >&2
    return 1
}
