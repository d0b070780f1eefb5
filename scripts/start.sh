#!/usr/bin/env bash
# Installs, builds and starts TokenScope on its embedded default (a bundled photograph and a
# seeded random ViT-S/16). Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TOKENSCOPE_BUILD_DIR:-build}
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: starting TokenScope under a virtual X server (xvfb-run)." >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$BUILD_DIR/app/tokenscope" "$@"
fi
exec "$BUILD_DIR/app/tokenscope" "$@"
