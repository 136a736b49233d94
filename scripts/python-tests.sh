#!/usr/bin/env bash
# The Python package end to end: build the wheel with maturin, install it into a fresh virtual
# environment with its test dependencies (pandas, polars, pytest, the EMA Workbench), and run its
# tests against the release binary (built here if missing).
# Usage: scripts/python-tests.sh [pytest arguments…]   (VENV=path to reuse an environment)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(realpath -m "${VENV:-target/python-venv}")"
rm -rf target/wheels
if [ -z "${VENV:-}" ]; then
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "maturin>=1.8,<2" pytest pandas polars ema_workbench SALib matplotlib
fi
test -x target/release/chancheng || cargo build --release
"$venv/bin/maturin" build --release --quiet -m python/Cargo.toml -o target/wheels
"$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/chancheng-*.whl
# From outside the source tree, so that the installed wheel is what gets imported.
cd target
CHANCHENG_BIN="$PWD/release/chancheng" "$venv/bin/python" -m pytest -q -p no:cacheprovider ../python/tests "$@"
