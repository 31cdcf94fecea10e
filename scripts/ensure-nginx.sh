# shellcheck shell=bash
# Sourced by test.sh: `ensure_nginx` makes Debian's nginx available for tests/test_nginx.py
# (the class profile's load balancer, run on loopback). As root it installs nginx-light
# with apt when none is found; otherwise the test fails and says why.

ensure_nginx() {
    if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
        return 0
    fi
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "==> installing Debian's nginx-light (apt-get)" >&2
        { apt-get update && apt-get install -y nginx-light; } >&2 || return 1
        return 0
    fi
    echo "==> nginx is not installed and this user cannot install it" >&2
    return 1
}
