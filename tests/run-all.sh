#!/usr/bin/env bash
# run-all.sh — the whole test suite, from a fresh Debian 12 machine.
#
#   tests/run-all.sh            (as root on a fresh machine it installs what it needs)
#
# Steps, each in its own build directory under the repository:
#   1. packages (apt-get, when root and something is missing)
#   2. build-ci:       gcc build; meson test: unit, fuzz corpus replays, interop (Debian's tor)
#   3. build-ci-asan:  ASan+UBSan build; meson test: unit + fuzz replays
#   4. build-ci-fuzz:  clang libFuzzer build; each target runs briefly from its corpus
#   5. Windows:        .ci/windows/run.sh (mingw-w64 cross build, unit tests under Wine)
# Ends with one line "total: N passed, N failed" counting meson's test results.
#
# Environment: EVONION_SKIP="asan fuzz windows interop" skips those steps.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SKIP=" ${EVONION_SKIP:-} "
skipped() { [[ "$SKIP" == *" $1 "* ]]; }
say() { printf '\n=== %s ===\n' "$*"; }

PASSED=0
FAILED=0
STEP_FAIL=()
T0=$(date +%s)

# --- 1. packages ----------------------------------------------------------------------
PKGS=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev libevent-dev libssl-dev zlib1g-dev check
      tor curl python3 ca-certificates)
bash tests/install-packages.sh "${PKGS[@]}" || { echo "cannot install the packages"; exit 1; }
# tor as a system service is not wanted: the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet tor 2>/dev/null; then
  systemctl stop tor || true
fi

# Run meson test; add its Ok/Fail counts to the totals.
run_meson_test() {
  local name=$1; shift
  local log; log=$(mktemp)
  meson test "$@" --print-errorlogs 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local ok fail to
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  PASSED=$((PASSED + ${ok:-0}))
  FAILED=$((FAILED + ${fail:-0} + ${to:-0}))
  rm -f "$log"
  if [ "$rc" != 0 ]; then
    STEP_FAIL+=("$name")
    [ "${fail:-0}${to:-0}" = "00" ] && FAILED=$((FAILED + 1))
  fi
}

# --- 2. the gcc build -----------------------------------------------------------------
say "build (gcc) and test: unit, fuzz replays, interop"
rm -rf build-ci
if meson setup build-ci >/dev/null && ninja -C build-ci; then
  suites=(--suite unit --suite fuzz)
  skipped interop || suites+=(--suite interop)
  run_meson_test gcc -C build-ci "${suites[@]}" --num-processes 2
else
  STEP_FAIL+=("gcc build"); FAILED=$((FAILED + 1))
fi

# --- 3. ASan + UBSan ------------------------------------------------------------------
if ! skipped asan; then
  say "ASan+UBSan build and test: unit, fuzz replays"
  rm -rf build-ci-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  if meson setup build-ci-asan -Db_sanitize=address,undefined -Db_lundef=false -Dinterop=false \
       >/dev/null && ninja -C build-ci-asan; then
    run_meson_test asan -C build-ci-asan --suite unit --suite fuzz --num-processes 2 \
      --timeout-multiplier 3
  else
    STEP_FAIL+=("asan build"); FAILED=$((FAILED + 1))
  fi
fi

# --- 4. libFuzzer ---------------------------------------------------------------------
if ! skipped fuzz; then
  say "libFuzzer build (clang); each target 10 s from its corpus"
  rm -rf build-ci-fuzz
  if CC=clang meson setup build-ci-fuzz -Dfuzz=true -Dinterop=false -Db_sanitize=address,undefined \
       -Db_lundef=false >/dev/null && ninja -C build-ci-fuzz; then
    # two targets at a time (one per core); each writes its verdict to build-ci-fuzz/fuzz_NAME.rc
    fuzz_one() {
      local name=$1 bin=build-ci-fuzz/tests/fuzz/fuzz_$1 work
      work=$(mktemp -d)
      cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null
      "$bin" -max_total_time=10 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" \
        > "build-ci-fuzz/fuzz_$name.log" 2>&1
      echo $? > "build-ci-fuzz/fuzz_$name.rc"
      rm -rf "$work"
    }
    names=()
    for corpus in tests/fuzz/corpus/*/; do
      name=$(basename "$corpus")
      if [ ! -f "build-ci-fuzz/tests/fuzz/fuzz_$name" ]; then
        FAILED=$((FAILED + 1)); STEP_FAIL+=("fuzz_$name (not built)"); continue
      fi
      names+=("$name")
    done
    for ((i = 0; i < ${#names[@]}; i += 2)); do
      fuzz_one "${names[i]}" &
      [ $((i + 1)) -lt ${#names[@]} ] && fuzz_one "${names[i + 1]}" &
      wait
    done
    for name in "${names[@]}"; do
      if [ "$(cat "build-ci-fuzz/fuzz_$name.rc" 2>/dev/null)" = 0 ]; then
        PASSED=$((PASSED + 1))
        echo "fuzz_$name: $(grep -E '^stat::number_of_executed_units' "build-ci-fuzz/fuzz_$name.log" | awk '{print $2}') executions, no finding"
      else
        FAILED=$((FAILED + 1)); STEP_FAIL+=("fuzz_$name")
        tail -40 "build-ci-fuzz/fuzz_$name.log"
      fi
    done
  else
    STEP_FAIL+=("fuzz build"); FAILED=$((FAILED + 1))
  fi
fi

# --- 5. Windows -----------------------------------------------------------------------
if ! skipped windows; then
  say "Windows: mingw-w64 cross build, unit tests under Wine"
  wlog=$(mktemp)
  bash .ci/windows/run.sh 2>&1 | tee "$wlog"
  wrc=${PIPESTATUS[0]}
  # (two meson test runs: the parallel one and the 'slow' suite)
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$wlog" | awk '{n += $1} END {print n + 0}')
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$wlog" | awk '{n += $1} END {print n + 0}')
  PASSED=$((PASSED + ${ok:-0}))
  FAILED=$((FAILED + ${fail:-0}))
  if [ "$wrc" != 0 ]; then
    STEP_FAIL+=("windows")
    [ "${fail:-0}" = 0 ] && FAILED=$((FAILED + 1))
  fi
  rm -f "$wlog"
fi

say "done in $(( $(date +%s) - T0 )) s"
[ ${#STEP_FAIL[@]} -gt 0 ] && echo "failed steps: ${STEP_FAIL[*]}"
echo "total: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ ${#STEP_FAIL[@]} = 0 ]
