#!/usr/bin/env bash
# Installs, builds and runs every test (CTest; GUI tests run offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${TOKENSCOPE_BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure "$@"
