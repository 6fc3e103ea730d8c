#!/usr/bin/env bash
# Set up .venv/ at the repository root as a complete ROS 2 Kilted environment from PyPI,
# build tfd_msgs into it and install tfd_ros, so that the venv alone is the environment.
# Idempotent: each step is skipped when its inputs have not changed since the last run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STAMPS="$VENV/.tfd-stamps"
PYTHON="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*"; }
# pip, quiet; the machine's pip configuration may list local index folders that do not
# exist, which pip reports as warnings on every package: drop those lines only.
pip_quiet() {
  "$PY" -m pip --disable-pip-version-check "$@" 2>&1 | { grep -v "is ignored: it is neither" || true; }
  return "${PIPESTATUS[0]}"
}
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
# stamp_ok NAME DIGEST: true when step NAME last ran with the same inputs.
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

if [ ! -x "$PY" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# 1. Pinned wheels: ROS 2 Kilted core, build tools, Python dependencies.
REQS=("$ROOT/tools/requirements-ros.txt" "$ROOT/tools/requirements.txt")
d=$(digest "${REQS[@]}")
if ! stamp_ok requirements "$d"; then
  log 'installing pinned wheels'
  pip_quiet install --quiet -r "${REQS[0]}" -r "${REQS[1]}"
  stamp_set requirements "$d"
fi

# 2. Work around a defect of the PyPI wheels: their CMake export files carry the wheel
#    build machine's include paths (/opt/python/cp311-cp311/...). CMake refuses missing
#    include directories, so rewrite them to this interpreter's and numpy's include dirs.
PY_INC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
NP_INC=$("$PY" -c 'import numpy; print(numpy.get_include())')
{ grep -rl --include="*.cmake" "/opt/python/cp311-cp311" "$VENV/share" 2>/dev/null || true; } | while read -r f; do
  sed -i \
    -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#$NP_INC#g" \
    -e "s#/opt/python/cp311-cp311/include/python3.11#$PY_INC#g" "$f"
done

# 3. Build and install the interfaces (tfd_msgs) into the venv prefix.
d=$(digest "$ROOT"/tfd_msgs/CMakeLists.txt "$ROOT"/tfd_msgs/package.xml \
  "$ROOT"/tfd_msgs/msg/* "$ROOT"/tfd_msgs/action/*)
if ! stamp_ok tfd_msgs "$d" || ! "$PY" -c 'import tfd_msgs.msg' 2>/dev/null; then
  log 'building tfd_msgs'
  BUILD="$ROOT/build/tfd_msgs"
  rm -rf "$BUILD"; mkdir -p "$BUILD"
  export CMAKE_PREFIX_PATH="$VENV" AMENT_PREFIX_PATH="$VENV"
  cmake -S "$ROOT/tfd_msgs" -B "$BUILD" -DCMAKE_INSTALL_PREFIX="$VENV" \
    -DPython3_EXECUTABLE="$PY" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Release > "$BUILD.log" 2>&1 \
    || { cat "$BUILD.log"; exit 1; }
  cmake --build "$BUILD" -j "$(nproc)" >> "$BUILD.log" 2>&1 || { tail -50 "$BUILD.log"; exit 1; }
  cmake --install "$BUILD" >> "$BUILD.log" 2>&1 || { tail -50 "$BUILD.log"; exit 1; }
  stamp_set tfd_msgs "$d"
fi

# 4. Install tfd_ros (editable: the checkout is the code that runs). Its console scripts
#    land in .venv/bin and, for `ros2 run`, in .venv/lib/tfd_ros (see setup.cfg).
d=$(digest "$ROOT/tfd_ros/setup.py" "$ROOT/tfd_ros/setup.cfg" "$ROOT/tfd_ros/package.xml")
if ! stamp_ok tfd_ros "$d" || ! "$PY" -c 'import tfd_ros' 2>/dev/null; then
  log 'installing tfd_ros'
  pip_quiet install --quiet --no-deps --no-build-isolation \
    -e "$ROOT/tfd_ros"
  "$PY" "$ROOT/tools/link_executables.py" "$VENV"
  stamp_set tfd_ros "$d"
fi
log "ready: $VENV"
