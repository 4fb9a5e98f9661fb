#!/usr/bin/env bash
# Prints the path of a CPython 3.10 interpreter, the only version Rasa 3.6 runs on.
# Looks, in order, at $PYTHON, .python-version (through pyenv), python3.10 on PATH,
# and pyenv's installed versions. Exits 1 with a message naming what to install.
set -u

is_py310() {
    [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null
}

# An explicit choice is honoured or refused, never silently replaced.
if [ -n "${PYTHON:-}" ]; then
    if is_py310 "$PYTHON"; then
        command -v "$PYTHON"
        exit 0
    fi
    echo "error: PYTHON=$PYTHON is not a working CPython 3.10 (Rasa 3.6 needs 3.10). Unset PYTHON to search for one." >&2
    exit 1
fi

candidates=()

root=$(cd "$(dirname "$0")/.." && pwd)
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
if [ -f "$root/.python-version" ]; then
    wanted=$(head -n1 "$root/.python-version" | tr -d '[:space:]')
    if command -v pyenv >/dev/null 2>&1; then
        prefix=$(pyenv prefix "$wanted" 2>/dev/null | head -n1)
        [ -n "$prefix" ] && candidates+=("$prefix/bin/python")
    fi
    for dir in "$pyenv_root"/versions/"$wanted"*; do
        [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
    done
fi
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
for dir in "$pyenv_root"/versions/3.10*; do
    [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10 python3)

for candidate in "${candidates[@]}"; do
    if is_py310 "$candidate"; then
        command -v "$candidate"
        exit 0
    fi
done

cat >&2 <<'MSG'
error: Nagarik needs Python 3.10 (Rasa 3.6 does not run on 3.11 or newer), and none was found.
Install one of:
  pyenv install 3.10            (then run make again; .python-version asks pyenv for 3.10)
  sudo apt-get install python3.10 python3.10-venv
or point to an existing interpreter: make PYTHON=/path/to/python3.10 run
MSG
exit 1
