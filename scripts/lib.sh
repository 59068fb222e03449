# Shared by scripts/start and scripts/test: a project virtualenv with glapp installed.
# Sourced, not executed; expects to run from the repository root.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Run a noisy command, showing its output only if it fails.
quietly() {
    local out rc=0
    out=$(mktemp)
    "$@" >"$out" 2>&1 </dev/null || rc=$?
    [ "$rc" -eq 0 ] || cat "$out" >&2
    rm -f "$out"
    return "$rc"
}

ensure_venv() {
    if [ ! -x .venv/bin/python ]; then
        local py
        py=$(command -v python3.11 || command -v python3) || { echo "Python 3.11 is required" >&2; exit 1; }
        log "Creating .venv with $py"
        if ! quietly "$py" -m venv .venv; then
            # Debian ships venv's pip bootstrap (ensurepip) in a separate package.
            rm -rf .venv
            [ "$(id -u)" -eq 0 ] || { echo "Install python3-venv (apt-get install python3-venv), then rerun." >&2; exit 1; }
            log "Installing python3-venv"
            quietly env DEBIAN_FRONTEND=noninteractive apt-get update -qq
            quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
            "$py" -m venv .venv
        fi
    fi
    # Reinstall only when the declared dependencies change: a no-op pip resolve still costs seconds.
    local stamp=.venv/.glapp-install-stamp want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import glapp, pytest' 2>/dev/null; then
        log "Installing glapp and its test dependencies into .venv"
        quietly env PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/pip install -q -e '.[test]'
        echo "$want" > "$stamp"
    fi
    export PATH="$PWD/.venv/bin:$PATH"
}
