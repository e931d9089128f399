#!/usr/bin/env bash
# build-deps.sh — static x86_64-w64-mingw32 builds of OpenSSL, libevent and Check
# from Debian bookworm *source* packages, for the Windows cross-build.
#
# Usage: .ci/windows/build-deps.sh          (prints the deps prefix as its last stdout line)
#
# The result goes to $EVONION_WIN_CACHE/win-deps-<key> (default: <repo>/.cache), where
# <key> is made of the three source package versions (and RECIPE, bumped whenever this
# script builds differently).  A folder with the stamp file .complete is reused as is.
# The folder is relocatable (the .pc files use ${pcfiledir}), and a copy is kept in
# $EVONION_WIN_SHARED_CACHE (default /var/cache/evonion, if writable; "" for none), from
# which a fresh clone on the same machine (CI) takes it instead of building again.
# The system apt configuration is never touched: the deb-src index lives in a private
# folder under the cache.  If the index cannot be refreshed (no network), the newest
# complete deps folder is reused.
#
# The prefix holds include/, lib/*.a and lib/pkgconfig/*.pc written for static linking:
# libevent_core, libevent_extra, libevent_openssl, libssl, libcrypto, check.
#
# Cold-build speed on 2 cores: OpenSSL is configured without what neither we nor libevent
# use (OPENSSL_OFF) and only its libraries and headers are built; Check builds alongside
# OpenSSL from the start, libevent as soon as OpenSSL's headers exist.  The cmake
# configures of libevent and Check start from the check results in *-seed.cmake
# (cmake-seed.py: 150 s of CPU -> 2 s; EVONION_WIN_NO_SEED=1 runs every check), and only
# the libraries we link are built and copied.  Each step logs its wall and CPU seconds
# ("[win-deps] timing ...").
set -euo pipefail

RECIPE=r4
HOST=x86_64-w64-mingw32
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/.ci/windows
CACHE=${EVONION_WIN_CACHE:-$ROOT/.cache}
SHARED=${EVONION_WIN_SHARED_CACHE-/var/cache/evonion}
JOBS=${JOBS:-$(nproc)}
PKGS=(openssl libevent check)

say() { printf '[win-deps] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# --- the private deb-src index -------------------------------------------------------
S=$CACHE/win-src-apt
mkdir -p "$S/lists/partial" "$S/etc" "$S/cache/archives/partial"
cat > "$S/etc/bookworm-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
APT=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$S/etc"
     -o "Dir::State::Lists=$S/lists" -o "Dir::Cache=$S/cache"
     -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$S/etc")
[ "$(id -u)" = 0 ] && APT+=(-o APT::Sandbox::User=root)

newest_complete() {
  ls -1dt "$CACHE"/win-deps-*/.complete ${SHARED:+"$SHARED"/win-deps-*/.complete} 2>/dev/null |
    head -n1 | xargs -r dirname
}

t_index=$SECONDS
if ! apt-get "${APT[@]}" -qq update >"$S/update.log" 2>&1; then
  old=$(newest_complete)
  [ -n "$old" ] || { cat "$S/update.log" >&2; die "cannot refresh the deb-src index and no cached deps"; }
  say "deb-src index not refreshed (offline?); reusing $old"
  echo "$old"
  exit 0
fi

say "timing deb-src index: wall $(( SECONDS - t_index ))s"
declare -A VER
for p in "${PKGS[@]}"; do
  v=$(apt-cache "${APT[@]}" showsrc --only-source "$p" 2>/dev/null |
      sed -n 's/^Version: //p' | sort -V | tail -n1)
  [ -n "$v" ] || die "no source version found for $p"
  VER[$p]=$v
done
key="openssl-${VER[openssl]}_libevent-${VER[libevent]}_check-${VER[check]}_$RECIPE"
key=$(printf '%s' "$key" | tr -c 'A-Za-z0-9._+-' '_')
DEPS=$CACHE/win-deps-$key

if [ -f "$DEPS/.complete" ]; then
  say "cached: $DEPS"
  echo "$DEPS"
  exit 0
fi
if [ -n "$SHARED" ] && [ -f "$SHARED/win-deps-$key/.complete" ]; then
  rm -rf "$DEPS" "$DEPS.tmp"
  cp -a "$SHARED/win-deps-$key" "$DEPS.tmp" && mv "$DEPS.tmp" "$DEPS"
  say "copied from the machine's cache: $SHARED/win-deps-$key"
  echo "$DEPS"
  exit 0
fi

# --- fetch and build -----------------------------------------------------------------
t0=$(date +%s)
say "building into $DEPS"
W=$CACHE/win-build-$key
rm -rf "$W" "$DEPS"
mkdir -p "$W" "$DEPS"
cd "$W"
say "fetching sources: openssl=${VER[openssl]} libevent=${VER[libevent]} check=${VER[check]}"
t_fetch=$SECONDS
apt-get "${APT[@]}" -q source "openssl=${VER[openssl]}" "libevent=${VER[libevent]}" \
  "check=${VER[check]}" >fetch.log 2>&1 || { tail -n 30 fetch.log >&2; die "apt-get source failed"; }
say "timing fetch+unpack: wall $(( SECONDS - t_fetch ))s"

srcdir() { find "$W" -maxdepth 1 -type d -name "$1-*" | head -n1; }
OPENSSL_SRC=$(srcdir openssl)
LIBEVENT_SRC=$(srcdir libevent)
CHECK_SRC=$(srcdir check)
[ -d "$OPENSSL_SRC" ] && [ -d "$LIBEVENT_SRC" ] && [ -d "$CHECK_SRC" ] || die "sources not unpacked"
# Our one change to libevent (r4): on IOCP, EOF ends reading only, not writing too
# (libevent-async-eof.patch; core_conn's write_after_peer_half_close shows why).
patch -d "$LIBEVENT_SRC" -p1 --forward --quiet < "$HERE/libevent-async-eof.patch" ||
  die "libevent-async-eof.patch does not apply"

# Run a build step with its output in a log; on failure show the end of the log.
# Logs the step's wall and CPU (user+sys of the step and its children) seconds.
step() {
  local name=$1; shift
  local tm
  say "  $name"
  tm=$(mktemp "$W/time.XXXXXX")
  if ! /usr/bin/time -f '%e %U %S' -o "$tm" "$@" >>"$W/$name.log" 2>&1; then
    tail -n 40 "$W/$name.log" >&2
    die "$name failed (log: $W/$name.log)"
  fi
  local wall usr sys
  read -r wall usr sys < <(tail -n1 "$tm")
  rm -f "$tm"
  say "timing $name: wall ${wall}s cpu $(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')s"
}

# STAGE: OpenSSL's headers for libevent before OpenSSL's libraries exist (build_openssl).
STAGE=$W/openssl-stage
cat > "$W/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $HOST-gcc)
set(CMAKE_RC_COMPILER $HOST-windres)
set(CMAKE_FIND_ROOT_PATH $STAGE /usr/$HOST $DEPS)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
CMAKE=(cmake -DCMAKE_TOOLCHAIN_FILE="$W/toolchain.cmake" -DCMAKE_BUILD_TYPE=Release
       -DCMAKE_INSTALL_PREFIX="$DEPS" -DCMAKE_INSTALL_LIBDIR=lib)
WINLIBS="-lws2_32 -lcrypt32 -liphlpapi -luser32 -ladvapi32 -lbcrypt"

# OpenSSL 3.0 features that neither evonion (SHA-1/2/3, AES-CTR, HKDF, HMAC, RSA, Ed25519,
# X25519, P-256, TLS 1.2/1.3) nor libevent_openssl use.  Dropping them cuts the objects
# that build_libs compiles from 1000 to 757.
OPENSSL_OFF=(no-shared no-tests no-module no-dso no-engine no-async no-ui-console no-comp
  no-legacy no-ssl3 no-dtls no-srtp no-sctp no-ktls no-psk no-srp no-weak-ssl-ciphers
  no-ct no-ocsp no-cms no-ts no-cmp no-dsa no-des no-ec2m no-sm2 no-sm3 no-sm4 no-gost
  no-idea no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 no-rmd160 no-whirlpool no-seed no-camellia
  no-aria no-bf no-cast no-scrypt no-siv no-ocb no-uplink no-capieng no-padlockeng
  no-loadereng no-afalgeng no-devcryptoeng)

# OpenSSL: configure, generate its headers and stage them for libevent (STAGE holds the
# headers and empty placeholder archives: enough for libevent's cmake to find "OpenSSL"
# and compile bufferevent_openssl.c into a static archive, which links nothing), then
# build and install the libraries.
build_openssl() {
  cd "$OPENSSL_SRC"
  step openssl-configure ./Configure mingw64 --cross-compile-prefix=$HOST- "${OPENSSL_OFF[@]}" \
    --prefix="$DEPS" --libdir=lib
  step openssl-headers make build_generated
  mkdir -p "$STAGE/include/openssl" "$STAGE/lib"
  cp include/openssl/*.h "$STAGE/include/openssl/"
  for a in libssl.a libcrypto.a; do "$HOST-ar" rc "$STAGE/lib/$a"; done
  touch "$W/openssl-headers.ready"
  step openssl-make make -j"$JOBS" build_libs
  step openssl-install make install_dev
}

# seed NAME: cmake's -C option with the configure-check results for NAME (see the top)
seed() {
  if [ "${EVONION_WIN_NO_SEED:-0}" != 1 ]; then printf '%s\n' -C "$HERE/$1-seed.cmake"; fi
}

# libevent 2.1: static core/extra/openssl (no pthreads library on Windows); not the
# all-in-one libevent.a, which compiles core and extra a second time.
build_libevent() {
  mkdir -p "$W/libevent-build"
  cd "$W/libevent-build"
  local s; mapfile -t s < <(seed libevent)
  step libevent-cmake "${CMAKE[@]}" "${s[@]}" -DEVENT__LIBRARY_TYPE=STATIC \
    -DOPENSSL_ROOT_DIR="$STAGE" -DOPENSSL_USE_STATIC_LIBS=TRUE \
    -DEVENT__DISABLE_TESTS=ON -DEVENT__DISABLE_REGRESS=ON -DEVENT__DISABLE_SAMPLES=ON \
    -DEVENT__DISABLE_BENCHMARK=ON -DEVENT__DISABLE_MBEDTLS=ON \
    -DCMAKE_C_STANDARD_LIBRARIES="$WINLIBS" "$LIBEVENT_SRC"
  step libevent-make make -j"$JOBS" event_core_static event_extra_static event_openssl_static
  mkdir -p "$DEPS/include/event2" "$DEPS/lib"
  cp "$LIBEVENT_SRC"/include/*.h "$DEPS/include/"
  cp "$LIBEVENT_SRC"/include/event2/*.h include/event2/event-config.h "$DEPS/include/event2/"
  cp lib/libevent_core.a lib/libevent_extra.a lib/libevent_openssl.a "$DEPS/lib/"
}

# Check: the static library only, msvcrt printf formats fixed.
build_check() {
  mkdir -p "$W/check-build"
  cd "$W/check-build"
  local s; mapfile -t s < <(seed check)
  step check-cmake "${CMAKE[@]}" "${s[@]}" -DBUILD_TESTING=OFF -DCHECK_ENABLE_TESTS=OFF \
    -DCMAKE_C_FLAGS=-D__USE_MINGW_ANSI_STDIO=1 "$CHECK_SRC"
  step check-make make -j"$JOBS" check
  mkdir -p "$DEPS/include" "$DEPS/lib"
  cp src/check.h check_stdint.h "$DEPS/include/"
  cp src/libcheck.a "$DEPS/lib/"
}

# Check and OpenSSL start at once, libevent once OpenSSL's headers are staged.  Each runs
# in a subshell (set -e and die end only that one) that leaves a stamp when it succeeds.
t_build=$SECONDS
run_bg() { local name=$1; shift; ( "$@"; touch "$W/$name.ok" ) & }
run_bg check build_check
pid_check=$!
run_bg openssl build_openssl
pid_openssl=$!
while [ ! -f "$W/openssl-headers.ready" ] && kill -0 "$pid_openssl" 2>/dev/null; do sleep 1; done
pid_libevent=
if [ -f "$W/openssl-headers.ready" ]; then
  run_bg libevent build_libevent
  pid_libevent=$!
fi
wait "$pid_openssl" || true
wait "$pid_check" || true
if [ -n "$pid_libevent" ]; then wait "$pid_libevent" || true; fi
for p in openssl libevent check; do
  [ -f "$W/$p.ok" ] || die "the $p build failed (logs in $W)"
done
say "timing builds (openssl | check, then libevent): wall $(( SECONDS - t_build ))s"
cd "$W"
# Only static archives and headers (no cmake package files, DLLs or import libraries).
rm -rf "${DEPS:?}/lib/cmake" "${DEPS:?}/bin" "${DEPS:?}"/lib/*.dll.a
# check.h marks its message functions format(printf), which mingw-w64 gcc checks as
# Microsoft printf (no %zu, %jd); Check is built with __USE_MINGW_ANSI_STDIO=1, so it
# formats like C99: tell the compiler so.
sed -i 's/__attribute__ ((format (a, b, c)))/__attribute__ ((format (gnu_printf, b, c)))/' \
  "$DEPS/include/check.h"
grep -q 'format (gnu_printf, b, c)' "$DEPS/include/check.h" || die "check.h format patch failed"

# --- pkg-config files for static linking ---------------------------------------------
# Written by hand: libevent's cmake build and OpenSSL put the Windows system libraries in
# Libs.private (or nowhere), and meson does not ask for --static.  Every .pc lists what a
# static link of it needs, after it.
for a in libcrypto.a libssl.a libevent_core.a libevent_extra.a libevent_openssl.a libcheck.a; do
  [ "$(stat -c %s "$DEPS/lib/$a" 2>/dev/null || echo 0)" -gt 1024 ] || die "missing or empty: $DEPS/lib/$a"
done
PC=$DEPS/lib/pkgconfig
rm -rf "$PC" && mkdir -p "$PC"
OSSL_V=$(sed -n 's/^# *define OPENSSL_FULL_VERSION_STR "\(.*\)"/\1/p' "$DEPS/include/openssl/opensslv.h")
LEV_V=$(sed -n 's/^#define EVENT__VERSION "\(.*\)"/\1/p' "$DEPS/include/event2/event-config.h")
CHK_V=$(printf '%s' "${VER[check]}" | sed 's/-[^-]*$//')
[ -n "$OSSL_V" ] && [ -n "$LEV_V" ] || die "cannot read installed versions"
pc() { # name version requires libs
  cat > "$PC/$1.pc" <<EOF
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: $1
Description: $1 (static, $HOST, Debian source $5)
Version: $2
Requires: $3
Libs: -L\${libdir} $4
Cflags: -I\${includedir}
EOF
}
pc libcrypto "$OSSL_V" "" "-lcrypto $WINLIBS" "openssl ${VER[openssl]}"
pc libssl "$OSSL_V" "libcrypto" "-lssl" "openssl ${VER[openssl]}"
pc openssl "$OSSL_V" "libssl libcrypto" "" "openssl ${VER[openssl]}"
pc libevent_core "$LEV_V" "" "-levent_core $WINLIBS" "libevent ${VER[libevent]}"
pc libevent_extra "$LEV_V" "libevent_core" "-levent_extra" "libevent ${VER[libevent]}"
pc libevent_openssl "$LEV_V" "libevent_core libssl" "-levent_openssl" "libevent ${VER[libevent]}"
pc libevent "$LEV_V" "libevent_core libevent_extra" "" "libevent ${VER[libevent]}"
pc check "$CHK_V" "" "-lcheck -lpthread" "check ${VER[check]}"

printf 'openssl=%s\nlibevent=%s\ncheck=%s\nrecipe=%s\nhost=%s\nbuilt=%s\n' "${VER[openssl]}" \
  "${VER[libevent]}" "${VER[check]}" "$RECIPE" "$HOST" "$(date -u +%FT%TZ)" > "$DEPS/VERSIONS"
touch "$DEPS/.complete"
cd "$CACHE" && rm -rf "$W"
if [ -n "$SHARED" ] && mkdir -p "$SHARED" 2>/dev/null && [ -w "$SHARED" ]; then
  rm -rf "$SHARED/win-deps-$key" "$SHARED/win-deps-$key.tmp"
  cp -a "$DEPS" "$SHARED/win-deps-$key.tmp" && mv "$SHARED/win-deps-$key.tmp" "$SHARED/win-deps-$key"
  say "kept a copy in $SHARED/win-deps-$key"
fi
say "built in $(( $(date +%s) - t0 )) s: $DEPS"
echo "$DEPS"
