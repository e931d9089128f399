#!/usr/bin/env bash
# run-main.sh — the main job, from a fresh Debian 12 machine: install what is
# needed (when root), build, then
#
#   tests/run-main.sh            start a local test network of Debian's tor
#                                (3 authorities, 3 relays, 1 exit) on 127.0.0.1,
#                                start evonion's SOCKS proxy bootstrapped into
#                                it, fetch a page through it, print the SOCKS
#                                port and keep running until Ctrl-C
#                                (tests/interop/demo.py)
#   tests/run-main.sh --public [EVONION FLAGS...]
#                                run evonion against the public Tor network
#                                (SOCKS on 127.0.0.1:9050 unless --socks-port)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PKGS=(meson ninja-build pkg-config gcc libevent-dev libssl-dev zlib1g-dev check tor curl python3)
bash tests/install-packages.sh "${PKGS[@]}" >&2
[ -d build ] || meson setup build >/dev/null
ninja -C build evonion >/dev/null
echo "built: $ROOT/build/evonion ($("$ROOT"/build/evonion --version))"
if [ "${1:-}" = "--public" ]; then
  shift
  exec "$ROOT/build/evonion" "$@"
fi
exec python3 tests/interop/demo.py --evonion "$ROOT/build/evonion" "$@"
