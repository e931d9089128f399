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
set -euo pipefail

RECIPE=r1
HOST=x86_64-w64-mingw32
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
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

if ! apt-get "${APT[@]}" -qq update >"$S/update.log" 2>&1; then
  old=$(newest_complete)
  [ -n "$old" ] || { cat "$S/update.log" >&2; die "cannot refresh the deb-src index and no cached deps"; }
  say "deb-src index not refreshed (offline?); reusing $old"
  echo "$old"
  exit 0
fi

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
apt-get "${APT[@]}" -q source "openssl=${VER[openssl]}" "libevent=${VER[libevent]}" \
  "check=${VER[check]}" >fetch.log 2>&1 || { tail -n 30 fetch.log >&2; die "apt-get source failed"; }

srcdir() { find "$W" -maxdepth 1 -type d -name "$1-*" | head -n1; }
OPENSSL_SRC=$(srcdir openssl)
LIBEVENT_SRC=$(srcdir libevent)
CHECK_SRC=$(srcdir check)
[ -d "$OPENSSL_SRC" ] && [ -d "$LIBEVENT_SRC" ] && [ -d "$CHECK_SRC" ] || die "sources not unpacked"

# Run a build step with its output in a log; on failure show the end of the log.
step() {
  local name=$1; shift
  say "  $name"
  if ! "$@" >>"$W/$name.log" 2>&1; then
    tail -n 40 "$W/$name.log" >&2
    die "$name failed (log: $W/$name.log)"
  fi
}

cat > "$W/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $HOST-gcc)
set(CMAKE_RC_COMPILER $HOST-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$HOST $DEPS)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
CMAKE=(cmake -DCMAKE_TOOLCHAIN_FILE="$W/toolchain.cmake" -DCMAKE_BUILD_TYPE=Release
       -DCMAKE_INSTALL_PREFIX="$DEPS" -DCMAKE_INSTALL_LIBDIR=lib)
WINLIBS="-lws2_32 -lcrypt32 -liphlpapi -luser32 -ladvapi32 -lbcrypt"

# OpenSSL 3.0: only the libraries and headers.
cd "$OPENSSL_SRC"
step openssl-configure ./Configure mingw64 --cross-compile-prefix=$HOST- no-shared no-tests \
  --prefix="$DEPS" --libdir=lib
step openssl-make make -j"$JOBS" build_libs
step openssl-install make install_dev

# libevent 2.1: static core/extra/openssl (no pthreads library on Windows).
mkdir -p "$W/libevent-build" && cd "$W/libevent-build"
step libevent-cmake "${CMAKE[@]}" -DEVENT__LIBRARY_TYPE=STATIC \
  -DOPENSSL_ROOT_DIR="$DEPS" -DOPENSSL_USE_STATIC_LIBS=TRUE \
  -DEVENT__DISABLE_TESTS=ON -DEVENT__DISABLE_REGRESS=ON -DEVENT__DISABLE_SAMPLES=ON \
  -DEVENT__DISABLE_BENCHMARK=ON -DEVENT__DISABLE_MBEDTLS=ON \
  -DCMAKE_C_STANDARD_LIBRARIES="$WINLIBS" "$LIBEVENT_SRC"
step libevent-make make -j"$JOBS"
step libevent-install make install

# Check: the library only, msvcrt printf formats fixed.
mkdir -p "$W/check-build" && cd "$W/check-build"
step check-cmake "${CMAKE[@]}" -DBUILD_TESTING=OFF -DCHECK_ENABLE_TESTS=OFF \
  -DCMAKE_C_FLAGS=-D__USE_MINGW_ANSI_STDIO=1 "$CHECK_SRC"
step check-make make -j"$JOBS"
step check-install make install
# Only static archives: drop Check's DLL and import library so nothing can pick them.
rm -rf "$DEPS/bin" "$DEPS"/lib/*.dll.a
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
  [ -f "$DEPS/lib/$a" ] || die "missing $DEPS/lib/$a"
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
