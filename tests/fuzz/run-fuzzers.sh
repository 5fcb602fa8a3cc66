#!/bin/sh
# Runs every libFuzzer binary in BUILD/fuzz for SECONDS each, seeded from the kept corpus
# tests/fuzz/corpus/<name>/. Crashers are written to BUILD/fuzz/findings/<name>/; copy a fixed
# one into the corpus so its replay test keeps it fixed.
#
#   run-fuzzers.sh BUILD [SECONDS]            grows the kept corpora (`make fuzz`)
#   run-fuzzers.sh --smoke BUILD [SECONDS]    leaves them as they are: what a run finds goes to a
#                                             temporary directory (`make test`, a few seconds each)
set -eu
smoke=0
if [ "${1:-}" = --smoke ]; then
    smoke=1
    shift
fi
build=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
ran=0
scratch=""
[ $smoke = 0 ] || scratch=$(mktemp -d /tmp/hale-fuzz-XXXXXX)
trap '[ -z "$scratch" ] || rm -rf "$scratch"' EXIT
for f in "$build"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    name=${name#fuzz_}
    corpus="$root/tests/fuzz/corpus/$name"
    findings="$build/fuzz/findings/$name"
    mkdir -p "$corpus" "$findings"
    dirs="$corpus"
    if [ $smoke = 1 ]; then
        mkdir -p "$scratch/$name"
        dirs="$scratch/$name $corpus" # new inputs land in the first
    fi
    echo "== fuzz $name for ${seconds}s"
    # shellcheck disable=SC2086
    if ! "$f" -max_total_time="$seconds" -artifact_prefix="$findings/" -print_final_stats=1 \
        $dirs 2>"$build/fuzz/$name.log"; then
        echo "fuzz $name: found a crash, see $findings and $build/fuzz/$name.log"
        tail -n 30 "$build/fuzz/$name.log"
        status=1
    fi
    ran=$((ran + 1))
    grep -E 'stat::number_of_executed_units|cov:' "$build/fuzz/$name.log" | tail -n 2 || true
done
if [ $ran = 0 ]; then
    echo "run-fuzzers: no fuzz_* binaries in $build/fuzz (configure with -DHALE_FUZZ=ON)"
    exit 1
fi
[ $status = 0 ] && echo "fuzz: $ran targets ran ${seconds}s each, no crash"
exit $status
