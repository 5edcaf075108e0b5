#!/usr/bin/env bash
# Installs the wheel `make wheel` wrote into a fresh venv (no index: the wheel alone) and runs
# python/tests/test_wheel.py there, the demo through the Python API included. WHEEL_PANDAS=1
# also installs pandas from PyPI to test Report.to_pandas().
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
wheel=$(ls dist/segscore-*-py3-none-manylinux_*.whl 2>/dev/null | tail -1)
[ -n "$wheel" ] || { echo "wheel-check: no wheel in dist/: run make wheel" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --no-index "$wheel"
if [ "${WHEEL_PANDAS:-0}" = 1 ]; then "$work/venv/bin/pip" install --quiet pandas; fi
echo "wheel-check: $wheel ($(du -h "$wheel" | cut -f1)) installed in a fresh venv"
binary=$("$work/venv/bin/python" -c 'import segscore; print(segscore.binary_path())')
"$binary" evaluate Fixtures/demo/gt Fixtures/demo/pred --labels Fixtures/demo/labels.json --json "$work/expected.json" >/dev/null
cd "$work"
SEGSCORE_ROOT=$root SEGSCORE_EXPECTED_JSON=$work/expected.json PATH=$work/venv/bin:/usr/bin:/bin \
    "$work/venv/bin/python" "$root/python/tests/test_wheel.py"
