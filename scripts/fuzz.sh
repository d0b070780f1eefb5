#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang (AddressSanitizer + UBSan, no LibTorch),
# writes their seed corpora and runs each target for a given time, then prints executions,
# exec/s, coverage and any findings (crash, hang, leak, OOM or sanitizer report files).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; targets: safetensors image flop_config session)
#
# Opt-in: the normal build and CI do not need clang. Needs Debian's clang-14 and
# libclang-rt-14-dev (libFuzzer and the sanitizer runtimes); they are installed when missing.
# Everything goes to $FUZZ_BUILD_DIR/fuzz (default build-fuzz/fuzz): obj/ and the binaries,
# seeds/ (regenerated each run), corpus/<target> (grows across runs), findings/<target>.
# Exit status: 0 when no target found anything in this run, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(safetensors image flop_config session)
case "$SECONDS_PER_TARGET" in '' | *[!0-9]*) echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number" >&2; exit 2 ;; esac

# --- toolchain -----------------------------------------------------------------------------
CXX=${FUZZ_CXX:-clang++-14}
fuzzer_runtime_present() {
  command -v "$CXX" >/dev/null 2>&1 &&
    [ -n "$("$CXX" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep /)" ] &&
    [ -f "$("$CXX" -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]
}
if ! fuzzer_runtime_present; then
  echo "fuzz.sh: installing clang-14 and libclang-rt-14-dev (libFuzzer)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev
fi

OUT=${FUZZ_BUILD_DIR:-build-fuzz}/fuzz
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# --- build (a generated Ninja file: incremental, header dependencies tracked) ---------------
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CXXFLAGS="-std=c++17 -O1 -g $SAN -I$ROOT $(pkg-config --cflags opencv4)"
OPENCV_LIBS="-lopencv_imgcodecs -lopencv_imgproc -lopencv_core"
# Only the torch-free sources each reader needs.
SAFETENSORS_SRC="core/io/safetensors.cpp core/vit/vit_checkpoint.cpp core/vit/vit_config.cpp"
IMAGE_SRC="core/io/image_io.cpp"
FLOP_SRC="core/flops/flop_config.cpp core/flops/arch_spec.cpp core/flops/flop_presets.cpp core/vit/vit_config.cpp
          core/fit/layer_pattern.cpp core/tome/tome_schedule.cpp"
# The session reader is Qt Core JSON: Qt itself is not instrumented, the reader and preset table are.
SESSION_SRC="ui/shell/session.cpp core/vit/vit_config.cpp"
QTCORE_CFLAGS="$(pkg-config --cflags Qt6Core) -fPIC"
QTCORE_LIBS=$(pkg-config --libs Qt6Core)

objs() { for s in "$@"; do printf ' obj/%s.o' "${s//\//_}"; done; }
{
  echo "cxx = $CXX"
  echo "cxxflags = $CXXFLAGS"
  echo "rule cc"
  echo "  command = \$cxx \$cxxflags \$extra -MMD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$out"
  echo "rule link"
  echo "  command = \$cxx \$linkflags \$in -o \$out \$libs"
  echo "  description = LINK \$out"
  for s in $(printf '%s\n' $SAFETENSORS_SRC $IMAGE_SRC $FLOP_SRC $SESSION_SRC | sort -u); do
    echo "build obj/${s//\//_}.o: cc $ROOT/$s"
    echo "  extra = -fsanitize=fuzzer-no-link $QTCORE_CFLAGS"
  done
  for t in safetensors image flop_config session; do
    echo "build obj/fuzz_$t.o: cc $ROOT/tests/fuzz/fuzz_$t.cpp"
    echo "  extra = -fsanitize=fuzzer-no-link $QTCORE_CFLAGS"
  done
  echo "build obj/make_seeds.o: cc $ROOT/tests/fuzz/make_seeds.cpp"
  echo "build fuzz_safetensors: link obj/fuzz_safetensors.o$(objs $SAFETENSORS_SRC)"
  echo "  linkflags = -fsanitize=fuzzer $SAN"
  echo "build fuzz_image: link obj/fuzz_image.o$(objs $IMAGE_SRC)"
  echo "  linkflags = -fsanitize=fuzzer $SAN"
  echo "  libs = $OPENCV_LIBS"
  echo "build fuzz_flop_config: link obj/fuzz_flop_config.o$(objs $FLOP_SRC)"
  echo "  linkflags = -fsanitize=fuzzer $SAN"
  echo "build fuzz_session: link obj/fuzz_session.o$(objs $SESSION_SRC)"
  echo "  linkflags = -fsanitize=fuzzer $SAN"
  echo "  libs = $QTCORE_LIBS"
  echo "build make_seeds: link obj/make_seeds.o$(objs $FLOP_SRC)"
  echo "  linkflags = $SAN"
  echo "  libs = $OPENCV_LIBS"
} > "$OUT/build.ninja.new"
mkdir -p "$OUT/obj"
cmp -s "$OUT/build.ninja.new" "$OUT/build.ninja" 2>/dev/null || mv "$OUT/build.ninja.new" "$OUT/build.ninja"
rm -f "$OUT/build.ninja.new"
# Two jobs at most: the fuzz build is small and should not crowd the machine.
ninja -C "$OUT" -j "${FUZZ_BUILD_JOBS:-2}" fuzz_safetensors fuzz_image fuzz_flop_config fuzz_session make_seeds

# --- seeds ------------------------------------------------------------------------------------
rm -rf "$OUT/seeds"
ASAN_OPTIONS=detect_leaks=0 "$OUT/make_seeds" "$OUT/seeds" "$ROOT/resources/images/astronaut.png"

# --- run ------------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$OUT/tmp"
export OPENCV_TEMP_PATH="$OUT/tmp" # imdecode spills some formats to a temporary file

status=0
summary=()
for t in "${TARGETS[@]}"; do
  bin="$OUT/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz.sh: unknown target '$t' (safetensors, image, flop_config, session)" >&2; exit 2; }
  corpus="$OUT/corpus/$t"
  findings="$OUT/findings/$t"
  log="$OUT/$t.log"
  mkdir -p "$corpus" "$findings"
  marker="$OUT/.start_$t"
  touch "$marker"
  echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (log: $log)"
  set +e
  # The stored findings (tests/data/fuzz/<target>) are seeds too: a regression shows at once.
  dirs=("$corpus" "$OUT/seeds/$t")
  [ -d "$ROOT/tests/data/fuzz/$t" ] && dirs+=("$ROOT/tests/data/fuzz/$t")
  "$bin" "${dirs[@]}" -dict="$ROOT/tests/fuzz/$t.dict" -max_total_time="$SECONDS_PER_TARGET" \
    -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  last=$({ grep -E '^#[0-9]+' "$log" || true; } | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  new=$(find "$findings" -type f -newer "$marker" | sort)
  rm -f "$marker"
  found=$( [ -n "$new" ] && wc -l <<<"$new" || echo 0)
  summary+=("$(printf '%-12s %12s %9s %7s %7s %14s %8s %9s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$found")")
  if [ "$found" != 0 ] || [ $rc -ne 0 ]; then
    status=1
    echo "   libFuzzer exited with $rc; findings:"
    printf '     %s\n' $new
    { grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|broken promise|terminate called|what\(\)|SUMMARY' "$log" || true; } |
      head -8 | sed 's/^/     /'
  fi
done

echo
echo "== fuzzing summary (${SECONDS_PER_TARGET}s per target; cov = edges covered in instrumented code)"
printf '%-12s %12s %9s %7s %7s %14s %8s %9s\n' target executions exec/s cov ft corpus rss_mb findings
printf '%s\n' "${summary[@]}"
echo "Findings are under $OUT/findings/<target>/; reproduce one with: $OUT/fuzz_<target> <file>"
exit $status
