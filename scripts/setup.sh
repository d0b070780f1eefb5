#!/usr/bin/env bash
# Installs TokenScope's Debian 12 packages (once) and builds it in Release with Ninja.
# Safe to re-run: it installs only what is missing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(cmake g++ ninja-build qt6-base-dev qt6-charts-dev qt6-svg-dev libtorch-dev libopencv-dev
          libopenblas0-openmp nlohmann-json3-dev xvfb xauth poppler-utils
          libqt6opengl6-dev libdnnl-dev ocl-icd-opencl-dev)
# Qt6Charts's CMake package needs Qt6OpenGL, which qt6-charts-dev does not pull in; oneDNN's CMake
# package looks for OpenCL (its GPU runtime), which libdnnl-dev only recommends.

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

BUILD_DIR=${TOKENSCOPE_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${TOKENSCOPE_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR"
