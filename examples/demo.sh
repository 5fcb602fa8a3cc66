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
