#!/bin/sh
# Builds nng into a project-local prefix when the system's nng has the negotiation bug.
#
#   deploy/build-nng.sh PREFIX [CFLAGS]   (CMake runs it at configure time; PREFIX is
#                                         build/deps/nng, or build/deps/nng-tsan with
#                                         CFLAGS=-fsanitize=thread for the TSan build: a library
#                                         ThreadSanitizer cannot see into makes its own
#                                         atomics look like races between its threads and ours)
#
# Debian 12 ships nng 1.5.2, whose listeners stop serving after one peer connects and closes
# during the SP header exchange (see deploy/nng/negotiation.patch and deploy/README.md), and whose
# endpoints leak a negotiated connection not yet accepted when they close
# (deploy/nng/wait-pipes.patch). When
# /usr/include/nng/nng.h says 1.6 or later this does nothing and the build uses the system nng.
# Otherwise it fetches Debian's own nng 1.5.2-2 source package from the Debian mirror apt is
# configured with (hashes pinned below; apt's sources are read, never changed), unpacks it with
# Debian's patches, applies ours, and installs a static, position-independent libnng.a with its
# headers into PREFIX. A stamp makes a second run free until the patch or the pin changes.
set -eu

prefix=${1:?usage: deploy/build-nng.sh PREFIX [CFLAGS]}
cflags=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
patches="$here/nng/negotiation.patch $here/nng/wait-pipes.patch" # applied in this order

header=/usr/include/nng/nng.h
if [ -f "$header" ]; then
    major=$(sed -n 's/^#define NNG_MAJOR_VERSION \([0-9]*\).*/\1/p' "$header")
    minor=$(sed -n 's/^#define NNG_MINOR_VERSION \([0-9]*\).*/\1/p' "$header")
    if [ "${major:-0}" -gt 1 ] || { [ "${major:-0}" -eq 1 ] && [ "${minor:-0}" -ge 6 ]; }; then
        exit 0
    fi
fi

# Debian's nng 1.5.2-2 (bookworm), as its signed Sources index lists it.
version=1.5.2
debian_rev=2
dsc=nng_${version}-${debian_rev}.dsc
dsc_sha=87a37a521f7726937c58e670bd6b78bad14b9373f7fe600fa7ef7f11aeb76bfe
orig=nng_${version}.orig.tar.gz
orig_sha=f8b25ab86738864b1f2e3128e8badab581510fa8085ff5ca9bb980d317334c46
deb=nng_${version}-${debian_rev}.debian.tar.xz
deb_sha=ecf0bcd3b5645b95aa1f1f58519547bcfaaab81a863f88a59178d72fdfdffd72

# shellcheck disable=SC2086
stamp="$version-$debian_rev $(cat $patches | sha256sum | cut -d' ' -f1) $cflags"
if [ -f "$prefix/lib/libnng.a" ] && [ "$(cat "$prefix/.stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi

for tool in dpkg-source patch cmake; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "build-nng: $tool is missing (deploy/install-deps.sh installs it)" >&2
        exit 1
    fi
done

# The Debian mirror apt already uses; the project's pool path is the same on every mirror.
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' 'Target-Of: deb' 2>/dev/null |
    grep -v -e '-security' | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian/}

work=$prefix.work
rm -rf "$work"
mkdir -p "$work/dl"
log=$work/build.log
echo "build-nng: system nng ${major:-?}.${minor:-?} has the negotiation bug;" \
    "building Debian's nng $version-$debian_rev with deploy/nng/*.patch into $prefix"

fetch() { # file sha256
    if ! /usr/lib/apt/apt-helper download-file "${mirror}pool/main/n/nng/$1" "$work/dl/$1" \
        "SHA256:$2" >>"$log" 2>&1; then
        echo "build-nng: could not fetch ${mirror}pool/main/n/nng/$1 (see $log)" >&2
        tail -n 5 "$log" >&2
        exit 1
    fi
}
fetch "$dsc" "$dsc_sha"
fetch "$orig" "$orig_sha"
fetch "$deb" "$deb_sha"

apply_patches() {
    for p in $patches; do
        patch -d "$work/src" -p1 <"$p" || return 1
    done
}
if ! (dpkg-source -x "$work/dl/$dsc" "$work/src" && apply_patches) >>"$log" 2>&1; then
    echo "build-nng: unpacking or patching failed (see $log)" >&2
    tail -n 5 "$log" >&2
    exit 1
fi

# Only what the product uses: the SP protocols over ipc and tcp; no TLS, HTTP or websocket.
if ! (cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="$cflags" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
    -DNNG_TESTS=OFF -DNNG_TOOLS=OFF -DNNG_ENABLE_NNGCAT=OFF -DNNG_ENABLE_TLS=OFF \
    -DNNG_ENABLE_HTTP=OFF -DNNG_TRANSPORT_WS=OFF -DNNG_TRANSPORT_TLS=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib &&
    cmake --build "$work/build" -j "$(nproc 2>/dev/null || echo 2)" &&
    rm -rf "$prefix" && cmake --install "$work/build") >>"$log" 2>&1; then
    echo "build-nng: the nng build failed (see $log)" >&2
    tail -n 20 "$log" >&2
    exit 1
fi
printf '%s\n' "$stamp" >"$prefix/.stamp"
rm -rf "$work"
echo "build-nng: installed $prefix/lib/libnng.a"
