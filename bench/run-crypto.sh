#!/bin/sh
# run-crypto.sh — crypto throughput of evonion's wrappers beside `openssl speed`
# on the same machine, as ratios (ours / openssl).  One core, CPU time.
#
# Note: `openssl speed -bytes N` for sha1 hashes each N-byte buffer as a
# separate message (init/update/final); ours feeds one running digest.  At
# 509 bytes the openssl figure is therefore closer to tor1's per-cell cost
# (update + copy + final) than to a pure streaming rate.
#
# Also runs bench_cell (the cell codec) when it is built.
#
# Usage: bench/run-crypto.sh [build-dir] [seconds]
#   build-dir defaults to ./build; the bench_crypto binary must be built
#   (ninja -C <build-dir> bench/bench_crypto).
set -eu
BUILD=${1:-build}
SECS=${2:-1}
BIN="$BUILD/bench/bench_crypto"
[ -x "$BIN" ] || { echo "no $BIN: build it first (ninja -C $BUILD bench/bench_crypto)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl(1) not found" >&2; exit 1; }

OURS=$("$BIN" "$SECS")

# openssl speed -mr prints "+F:<n>:<alg>:<bytes per second>".
ossl() { # alg bytes
  openssl speed -mr -seconds "$SECS" -bytes "$2" -evp "$1" 2>/dev/null |
    awk -F: '/^\+F:/ { printf "%.1f\n", $4 / 1e6 }'
}
ours() { # name bytes
  echo "$OURS" | awk -v n="$1" -v b="$2" '$1 == n && $2 == b { print $3 }'
}

echo "$OURS"
echo
echo "$(openssl version) on $(uname -m), $(nproc 2>/dev/null || echo '?') cpus"
printf '%-30s %6s %10s %10s %7s\n' "primitive" "bytes" "ours MB/s" "openssl" "ratio"
for spec in "aes128ctr aes-128-ctr 16384" "aes128ctr aes-128-ctr 509" \
            "sha1 sha1 16384" "sha1 sha1 509"; do
  set -- $spec
  o=$(ours "$1" "$3"); s=$(ossl "$2" "$3")
  printf '%-30s %6s %10s %10s %7s\n' "$1" "$3" "$o" "$s" \
    "$(awk -v a="$o" -v b="$s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')"
done
# tor1 relay crypto beside the cost model "AES per layer + one SHA-1".
aes=$(ossl aes-128-ctr 509); sha=$(ossl sha1 509)
echo
printf '%-30s %10s %16s %7s\n' "tor1 operation (509-byte cells)" "ours MB/s" "openssl model" "ratio"
for spec in "tor1_client_originate_3hop 3 1" "tor1_relay_forward_pass 1 0" \
            "tor1_relay_forward_recognize 1 1" "tor1_client_receive_3hop 3 1"; do
  set -- $spec
  o=$(ours "$1" 509)
  # time per byte = layers/aes + digests/sha1  ->  model MB/s
  m=$(awk -v l="$2" -v d="$3" -v a="$aes" -v s="$sha" \
        'BEGIN { t = l / a + (d ? d / s : 0); printf "%.1f", 1 / t }')
  printf '%-30s %10s %16s %7s\n' "$1" "$o" "$m" \
    "$(awk -v a="$o" -v b="$m" 'BEGIN { printf "%.2f", a / b }')"
done

# The cell codec (bench_cell), beside one AES-128-CTR pass over the same bytes:
# a ratio above 1 means framing a cell costs less than encrypting it once.
CELL="$BUILD/bench/bench_cell"
if [ -x "$CELL" ]; then
  echo
  printf '%-30s %10s %16s %7s\n' "cell codec" "ours MB/s" "openssl aes 509" "ratio"
  "$CELL" "$SECS" | while read -r name bytes mbs; do
    printf '%-30s %10s %16s %7s\n' "$name" "$mbs" "$aes" \
      "$(awk -v a="$mbs" -v b="$aes" 'BEGIN { printf "%.2f", a / b }')"
  done
fi
