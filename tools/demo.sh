#!/usr/bin/env bash
# Set up the environment (idempotent), then run the main job: bring up tfd_node and the
# econ_controller and send the design examples through them (action and topic paths).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
exec "$ROOT/.venv/bin/tfd" demo "$@"
