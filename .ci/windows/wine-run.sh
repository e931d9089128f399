#!/usr/bin/env bash
# wine-run.sh — meson's exe_wrapper for the Windows cross build: runs PROG.exe under Wine.
#
# Usage: wine-run.sh PROG.exe [ARGS...]
#
# Environment: WINEPREFIX (default <repo>/build-win/wineprefix), WINEDEBUG (default -all),
# EVONION_WINE_TIMEOUT (seconds; default twice CK_DEFAULT_TIMEOUT, which tests/meson.build
# sets to the test's meson timeout, else 600).  It is a backstop: Check cannot time out a
# test without fork(), and meson's own timeout normally fires first.
#
# Under Wine a crashing program can exit 0, so a program that has a known success line
# passes only if it exits 0 AND printed that line:
#   test_*          Check's "100%: Checks: N, Failures: 0, Errors: 0" with N >= 1
#   fuzz_replay_*   replay_main.c's "replay: ran N inputs" with N >= 1
# Anything else exits with the program's status, or 1 if that was 0.  A timeout exits 124.
# Other programs (meson's compiler checks, evonion.exe) just run, under the timeout.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export WINEDEBUG=${WINEDEBUG:--all}
export WINEPREFIX=${WINEPREFIX:-$ROOT/build-win/wineprefix}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
case ${CK_DEFAULT_TIMEOUT:-} in
  ''|*[!0-9]*) limit=${EVONION_WINE_TIMEOUT:-600} ;;
  *) limit=${EVONION_WINE_TIMEOUT:-$(( CK_DEFAULT_TIMEOUT * 2 ))} ;;
esac

[ $# -ge 1 ] || { echo "usage: $0 PROG.exe [ARGS...]" >&2; exit 2; }
prog=$(basename "$1")
prog=${prog%.exe}

case $prog in
  test_*) need='^100%: Checks: [1-9][0-9]*, Failures: 0, Errors: 0$' ;;
  fuzz_replay_*) need='^replay: ran [1-9][0-9]* inputs$' ;;
  *) exec timeout -k 10 "$limit" wine "$@" ;;
esac

out=$(mktemp "${TMPDIR:-/tmp}/wine-run.XXXXXX")
trap 'rm -f "$out"' EXIT
# Output to a file, not a pipe: Wine services (winedevice.exe) that a program starts
# inherit its stdout and outlive it under a persistent wineserver, so a pipe would
# never see EOF.
timeout -k 10 "$limit" wine "$@" >"$out" 2>&1 </dev/null
rc=$?
cat "$out"
if [ "$rc" = 124 ]; then
  echo "wine-run: $prog timed out after ${limit}s" >&2
  exit 124
fi
if [ "$rc" != 0 ]; then
  echo "wine-run: $prog exited with status $rc" >&2
  exit "$rc"
fi
# msvcrt's text mode writes "\r\n": drop the CRs before matching.
if ! tr -d '\r' < "$out" | grep -Eq "$need"; then
  echo "wine-run: $prog exited 0 but did not print its success line (crash under Wine?)" >&2
  exit 1
fi
exit 0
