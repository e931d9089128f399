#!/usr/bin/env bash
# run-main.sh — the main job, from a fresh Debian 12 machine: install what is
# needed (when root), build, and run evonion in the foreground with the given
# flags (Ctrl-C stops it).
#
#   tests/run-main.sh [EVONION FLAGS...]
#
# Until the SOCKS client exists (issue "The SOCKS onion proxy"), evonion has no
# role to play: it starts its event loop with the configured bandwidth limits
# and data directory and waits.  When the client lands, this script starts a
# local test network of Debian's tor (tests/interop/testnet.py) and points
# evonion's SOCKS proxy at it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PKGS=(meson ninja-build pkg-config gcc libevent-dev libssl-dev zlib1g-dev check tor curl python3)
bash tests/install-packages.sh "${PKGS[@]}" >&2
[ -d build ] || meson setup build >/dev/null
ninja -C build evonion >/dev/null
echo "built: $ROOT/build/evonion ($("$ROOT"/build/evonion --version))"
exec "$ROOT/build/evonion" "$@"
