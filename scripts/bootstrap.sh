#!/usr/bin/env bash
# Build .venv with fem_spin and its dependencies (idempotent). Usage: scripts/bootstrap.sh [extras]
# Finds a CPython >= 3.12 by itself (DOLFINx 0.11 needs it); override with PYTHON=/path/to/python3.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-test}"

find_python() {
  # Execute each candidate: pyenv shims exist on PATH but fail when `pyenv global` is older.
  local c d cands=()
  [ -n "${PYTHON:-}" ] && cands+=("$PYTHON")
  cands+=(python3.14 python3.13 python3.12 /usr/bin/python3.14 /usr/bin/python3.13 /usr/bin/python3.12)
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*; do
    [ -x "$d/bin/python3" ] && cands+=("$d/bin/python3")
  done
  cands+=(python3)
  for c in "${cands[@]}"; do
    if "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'; return 0
    fi
  done
  cat >&2 <<'MSG'
fem_spin: no usable Python >= 3.12 found (DOLFINx 0.11 needs it).
  Install one, e.g. `apt-get install python3.12 python3.12-venv` or `pyenv install 3.12`,
  or point to it: PYTHON=/path/to/python3.12 make test
MSG
  return 1
}

stamp=.venv/.fem_spin-installed-$extras
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then exit 0; fi

py=$(find_python)
echo "fem_spin: building .venv with $py ($("$py" -V 2>&1))"
if [ ! -x .venv/bin/python ]; then "$py" -m venv .venv; fi
export UV_PYTHON_DOWNLOADS=never
if .venv/bin/python -m pip install --quiet --disable-pip-version-check uv 2>/dev/null; then
  .venv/bin/uv pip install --quiet --python .venv/bin/python -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
fi
rm -f .venv/.fem_spin-installed-*
touch "$stamp"
echo "fem_spin: .venv ready"
