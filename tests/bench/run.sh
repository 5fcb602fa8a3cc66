#!/bin/sh
# Runs every benchmark under tests/bench/ against the release build BUILD. Each benchmark is an
# executable tests/bench/NAME/run.sh taking the build dir; it measures ours and its baselines in
# the same run and prints a table of ratios. Benchmarks are never part of `make test`.
set -u
build=$(cd "${1:-build/release}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
only=${2:-}
ran=0
for b in "$here"/*/run.sh; do
    [ -x "$b" ] || continue
    name=$(basename "$(dirname "$b")")
    [ -n "$only" ] && [ "$only" != "$name" ] && continue
    echo "== bench: $name"
    "$b" "$build" || echo "bench $name failed (status $?)"
    ran=$((ran + 1))
done
[ $ran -gt 0 ] || echo "no benchmarks matched"
