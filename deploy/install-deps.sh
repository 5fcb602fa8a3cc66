#!/bin/sh
# Installs the Debian packages hale needs. Idempotent and quick when everything is present.
#
#   deploy/install-deps.sh            build, tests (the fuzz targets too: clang, libFuzzer; the deploy
#                                     tests boot systemd in containers: systemd-container, iproute2,
#                                     nftables) and demo
#   deploy/install-deps.sh --fuzz     the same (kept for `make fuzz` callers)
#   deploy/install-deps.sh --bench    ... plus Go, Erlang/OTP, runit, s6, hyperfine, wrk, jansson
#                                     (the peers `make bench` measures against)
set -eu

# chromium and libpng-dev: tests/metrics opens loadgen's HTML report in headless Chromium and
# checks its screenshot; curl: the demo shows serve's /metrics. dpkg-dev and patch (with
# build-essential) unpack and patch nng's source (build-nng.sh); clang and libclang-rt-dev build
# the fuzz targets `make test` runs. The standard library: libssl-dev (TLS, digests),
# libyaml-dev, libhttp-parser-dev (HTTP/1.1), zlib1g-dev (crc32).
base="build-essential dpkg-dev patch xz-utils cmake pkg-config procps libnng-dev libsodium-dev
      libmsgpack-dev libev-dev libcmocka-dev libsystemd-dev clang libclang-rt-dev chromium
      libpng-dev curl systemd systemd-container iproute2 nftables libssl-dev libyaml-dev
      libhttp-parser-dev zlib1g-dev"
fuzz=""
bench="golang-go erlang-nox runit s6 hyperfine wrk libjansson-dev"

pkgs=$base
for arg in "$@"; do
    case $arg in
    --fuzz) pkgs="$pkgs $fuzz" ;;
    --bench) pkgs="$pkgs $bench" ;;
    -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg (see --help)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: this is not a Debian-like system; install these by hand:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo"
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root (or with passwordless sudo): apt-get install$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $as_root apt-get install -y -q --no-install-recommends $missing >/tmp/hale-install-deps.log 2>&1; then
    echo "install-deps: refreshing package lists"
    $as_root apt-get update -q >>/tmp/hale-install-deps.log 2>&1 || true
    # shellcheck disable=SC2086
    if ! $as_root apt-get install -y -q --no-install-recommends $missing >>/tmp/hale-install-deps.log 2>&1; then
        echo "install-deps: apt-get could not install:$missing" >&2
        tail -n 20 /tmp/hale-install-deps.log >&2
        exit 1
    fi
fi
echo "install-deps: done"
