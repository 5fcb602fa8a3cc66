#!/bin/sh
# Runs every libFuzzer binary in BUILD/fuzz for SECONDS each, seeded from and growing the kept
# corpus tests/fuzz/corpus/<name>/. Crashers are written to BUILD/fuzz/findings/<name>/; copy a
# fixed one into the corpus so its replay test keeps it fixed.
set -eu
build=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for f in "$build"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    name=${name#fuzz_}
    corpus="$root/tests/fuzz/corpus/$name"
    findings="$build/fuzz/findings/$name"
    mkdir -p "$corpus" "$findings"
    echo "== fuzz $name for ${seconds}s"
    if ! "$f" -max_total_time="$seconds" -artifact_prefix="$findings/" -print_final_stats=1 \
        "$corpus" 2>"$build/fuzz/$name.log"; then
        echo "fuzz $name: found a crash, see $findings and $build/fuzz/$name.log"
        status=1
    fi
    grep -E 'stat::number_of_executed_units|cov:' "$build/fuzz/$name.log" | tail -n 2 || true
done
exit $status
