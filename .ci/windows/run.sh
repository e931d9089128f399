#!/usr/bin/env bash
# run.sh — the Windows job: cross-build evonion.exe and its tests with mingw-w64 and run
# every portable unit test and fuzz-corpus replay under Wine.
#
# Usage: .ci/windows/run.sh            (from anywhere; works in the repository it lives in)
#
# Steps: install the Debian packages it needs (when root and missing); build the static
# dependencies (cached by .ci/windows/build-deps.sh); create a fresh Wine prefix under the
# build directory; meson setup (fresh) + ninja; meson test --suite unit --suite fuzz.
# Wine's server is killed at the end, also on failure or timeout.
#
# Environment:
#   EVONION_WIN_BUILD     build directory (default <repo>/build-win)
#   EVONION_WIN_CACHE     dependency cache folder (default <repo>/.cache)
#   EVONION_WIN_TIMEOUT   overall limit in seconds (default 2700)
#   EVONION_WIN_FRESH=0   keep an existing build directory and Wine prefix (incremental)
#   EVONION_WIN_TEST_JOBS tests run at once under Wine (default 2; the 'slow' suite, the
#                         rate-limit tests, always runs alone afterwards: they need the machine)
#   MESON_SETUP_ARGS      extra arguments for meson setup (e.g. -Dwerror=false)
#   MESON_TEST_ARGS       extra arguments for meson test (e.g. a test name)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CI=$ROOT/.ci/windows
BUILD=${EVONION_WIN_BUILD:-$ROOT/build-win}
export WINEPREFIX=$BUILD/wineprefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="

say() { printf '[windows] %s\n' "$*"; }

kill_wine() {
  if [ -d "$WINEPREFIX" ] && command -v wineserver >/dev/null; then
    wineserver -k >/dev/null 2>&1 || true
  fi
}

# The overall timeout: re-run this script under timeout(1), then always kill Wine.
if [ "${EVONION_WIN_INNER:-}" != 1 ]; then
  limit=${EVONION_WIN_TIMEOUT:-2700}
  rc=0
  EVONION_WIN_INNER=1 timeout -k 30 "$limit" bash "${BASH_SOURCE[0]}" "$@" || rc=$?
  kill_wine
  [ "$rc" = 124 ] && say "FAILED: the Windows job took longer than ${limit}s"
  exit "$rc"
fi
trap kill_wine EXIT

t_start=$(date +%s)
lap() { echo $(( $(date +%s) - t_start )); }

# --- packages ------------------------------------------------------------------------
PKGS=(gcc-mingw-w64-x86-64 wine wine64 cmake make perl dpkg-dev debian-archive-keyring
      meson ninja-build pkg-config xz-utils libz-mingw-w64-dev time patch)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing packages (run as root to install): ${missing[*]}"
    exit 1
  fi
fi
say "packages ready at $(lap)s"

# --- dependencies --------------------------------------------------------------------
t=$(date +%s)
DEPS=$("$CI/build-deps.sh" | tail -n1)
[ -f "$DEPS/.complete" ] || { say "FAILED: dependency build"; exit 1; }
t_deps=$(( $(date +%s) - t ))
say "dependencies: $DEPS ($t_deps s)"

# --- build directory and Wine prefix -------------------------------------------------
t=$(date +%s)
fresh=${EVONION_WIN_FRESH:-1}
if [ "$fresh" = 1 ] || [ ! -f "$BUILD/build.ninja" ]; then
  kill_wine
  rm -rf "$BUILD"
  mkdir -p "$BUILD"
  say "creating the Wine prefix"
  timeout 180 wineboot --init >"$BUILD/wineboot.log" 2>&1 || { cat "$BUILD/wineboot.log"; exit 1; }
  timeout 60 wineserver -w || true
fi
# One persistent Wine server for the whole job: each program then starts in ~0.3 s instead
# of ~3 s, and no program starts while an idle server is shutting down.  Killed on exit.
wineserver -p
# Start Wine's services now, with their output in a file: started by a test instead,
# they would inherit (and hold open) the pipe meson reads that test's output from.
timeout 120 wineboot >"$BUILD/wineboot-services.log" 2>&1 </dev/null || true
if [ ! -f "$BUILD/build.ninja" ]; then
  cat > "$BUILD/cross-paths.ini" <<EOF
[constants]
deps_prefix = '$DEPS'
ci_dir = '$CI'
EOF
  # shellcheck disable=SC2086
  meson setup "$BUILD" "$ROOT" --cross-file "$BUILD/cross-paths.ini" \
    --cross-file "$CI/mingw64.ini" -Dinterop=false -Dfuzz=false ${MESON_SETUP_ARGS:-}
fi
t_prefix_setup=$(( $(date +%s) - t ))

t=$(date +%s)
ninja -C "$BUILD"
t_build=$(( $(date +%s) - t ))
# evonion.exe: static (only Windows system DLLs imported), and it starts under Wine.
[ -f "$BUILD/evonion.exe" ] || { say "FAILED: evonion.exe was not built"; exit 1; }
dlls=$(x86_64-w64-mingw32-objdump -p "$BUILD/evonion.exe" | sed -n 's/.*DLL Name: //p' | sort -u)
say "evonion.exe imports: $(echo $dlls)"
# Only DLLs every Windows has; anything else (zlib1.dll, libwinpthread-1.dll, libcrypto...) fails.
sysdlls='^(kernel32|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|ntdll|user32|gdi32|advapi32|ws2_32|mswsock|crypt32|bcrypt|iphlpapi|secur32|shell32|ole32|oleaut32|userenv|dnsapi|rpcrt4|shlwapi|winmm)\.dll$'
if echo "$dlls" | grep -Eivq "$sysdlls"; then
  say "FAILED: evonion.exe needs non-system DLLs: $(echo "$dlls" | grep -Eiv "$sysdlls" | tr '\n' ' ')"
  exit 1
fi
# And its link line names no import library (meson resolves -lz etc. to file paths; a
# .dll.a there would make a DLL import as soon as the code uses that library).
if sed -n '/^build evonion\.exe:/,/LINK_ARGS/p' "$BUILD/build.ninja" | grep -q '\.dll\.a'; then
  say "FAILED: evonion.exe links an import library (.dll.a), not a static one"; exit 1
fi
timeout 60 wine "$BUILD/evonion.exe" --version >"$BUILD/evonion-version.txt" 2>&1 </dev/null || {
  cat "$BUILD/evonion-version.txt"; say "FAILED: evonion.exe --version under Wine"; exit 1; }
version=$(tr -d '\r' < "$BUILD/evonion-version.txt")
case $version in evonion\ *) say "under Wine: $version" ;;
  *) say "FAILED: evonion.exe --version printed: $version"; exit 1 ;; esac

# --- tests under Wine ----------------------------------------------------------------
t=$(date +%s)
rc=0
# shellcheck disable=SC2086
meson test -C "$BUILD" --suite unit --suite fuzz --no-suite slow --print-errorlogs \
  --num-processes "${EVONION_WIN_TEST_JOBS:-2}" ${MESON_TEST_ARGS:-} || rc=$?
# shellcheck disable=SC2086
meson test -C "$BUILD" --suite slow --print-errorlogs --num-processes 1 --logbase testlog-slow \
  ${MESON_TEST_ARGS:-} || rc=$?
t_test=$(( $(date +%s) - t ))

# --- evonion.exe as a SOCKS proxy under Wine, through a native tor network (issue 8) ---
t=$(date +%s)
irc=0
if [ "${EVONION_WIN_INTEROP:-1}" = 1 ]; then
  native=${EVONION_NATIVE_BIN:-$ROOT/build-ci/evonion}   # the Linux job's build: its throughput beside Wine's
  extra=(); [ -x "$native" ] && extra=(--evonion "$native")
  python3 "$ROOT/tests/interop/test_windows_proxy.py" --exe "$BUILD/evonion.exe" "${extra[@]}" || irc=$?
  if [ "$irc" = 77 ]; then say "interop under Wine skipped (no tor or curl)"; irc=0; fi
  [ "$irc" != 0 ] && say "FAILED: test_windows_proxy.py"
fi
t_interop=$(( $(date +%s) - t ))

say "times: deps ${t_deps}s, wine prefix + setup ${t_prefix_setup}s, build ${t_build}s, tests ${t_test}s, interop ${t_interop}s, total $(lap)s"
if [ "$rc" != 0 ]; then
  say "FAILED: tests under Wine (see $BUILD/meson-logs/testlog.txt, testlog-slow.txt)"
  exit "$rc"
fi
if [ "$irc" != 0 ]; then
  exit "$irc"
fi
say "OK"
