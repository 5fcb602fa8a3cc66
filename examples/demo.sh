#!/bin/sh
# `make demo`: the product's main job on a built-in default, using the build in BUILD.
set -eu
build=${1:-build/release}
hale="$build/bin/hale"
work=$(mktemp -d /tmp/hale-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== hale: what this build is"
"$hale" version
echo
echo "== a deployment key for sealing bus frames"
"$hale" keygen -o "$work/deploy.key"
ls -l "$work/deploy.key" | awk '{print $1, $NF}'

echo
echo "== the compiler: check, build and run examples/hello"
here=$(cd "$(dirname "$0")" && pwd)
export HALE_CACHE_DIR="$work/cache"
"$hale" check "$here/hello"
"$hale" build "$here/hello" -o "$work/hello"
"$work/hello" demo 4
echo "-- hale run (a second run reuses the build cache):"
"$hale" run "$here/hello" -- again
