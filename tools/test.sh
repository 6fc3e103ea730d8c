#!/usr/bin/env bash
# Set up the environment (idempotent), lint, and run the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
cd "$ROOT"
echo '[test] lint (ruff: ament rules, 99 columns, single quotes, pep257)'
.venv/bin/ruff check .
echo '[test] pytest'
cd "$ROOT/tfd_ros"
set +e
../.venv/bin/python -m pytest -ra "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo '[test] no test was collected: failing' >&2
  exit 1
fi
exit "$rc"
