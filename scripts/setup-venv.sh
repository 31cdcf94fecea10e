# shellcheck shell=bash
# Sourced by run.sh and test.sh: one place that makes .venv hold torch and chainrule.
#
#   source scripts/setup-venv.sh
#   setup_venv          # torch, then `pip install -e .`
#   setup_venv test     # torch, then `pip install -e '.[test]'`
#
# torch goes in first and on its own, so pip takes the pinned CPU wheel before the
# package's looser `torch>=` requirement can pull anything else. No index URL is given
# here on purpose: pip's own configuration decides where wheels come from (the
# Dockerfile alone names PyTorch's CPU index). A stamp inside the venv, keyed on this
# file and pyproject.toml, makes a second run skip pip entirely.

CHAINRULE_TORCH_PIN="torch==2.13.0"
VENV_DIR="${VENV_DIR:-.venv}"

# The key of what an install produced: changes when the dependencies or these steps do.
_setup_venv_key() {
    cat pyproject.toml scripts/setup-venv.sh | sha256sum | cut -d' ' -f1
}

# True when a stamp with this key covers the request: `extra`'s own stamp, or, for the
# bare package, any stamp (every extra installs the bare package too).
_setup_venv_is_current() {
    local extra="$1" key="$2" stamp
    for stamp in "$VENV_DIR"/.chainrule-setup-*; do
        [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]] || continue
        if [[ -z "$extra" || "$stamp" == "$VENV_DIR/.chainrule-setup-$extra" ]]; then
            return 0
        fi
    done
    return 1
}

setup_venv() {
    local extra="${1:-}"
    local target="."
    [[ -n "$extra" ]] && target=".[$extra]"

    if [[ ! -x "$VENV_DIR/bin/python" ]]; then
        echo "==> creating $VENV_DIR" >&2
        python3 -m venv "$VENV_DIR" || return 1
    fi

    local key
    key="$(_setup_venv_key)" || return 1
    if _setup_venv_is_current "$extra" "$key"; then
        return 0
    fi

    echo "==> installing $CHAINRULE_TORCH_PIN into $VENV_DIR" >&2
    "$VENV_DIR/bin/python" -m pip install --quiet "$CHAINRULE_TORCH_PIN" || return 1
    echo "==> installing chainrule: pip install -e '$target'" >&2
    "$VENV_DIR/bin/python" -m pip install --quiet -e "$target" || return 1
    printf '%s\n' "$key" >"$VENV_DIR/.chainrule-setup-${extra:-base}"
}
