#!/bin/sh
# Runs one golden program many times while both cores are kept busy, and fails on the first run
# whose stdout or exit status differs from its expectation. For behaviour that depends on thread
# timing (a placed child's birth order, cross-thread delivery): one good run proves little, a
# hundred under load prove the ordering is a rule and not luck.
#
#   repeat_loaded.sh HALE CASE WORKDIR RUNS
set -u
hale=$1
case_path=$2
work=$3
runs=$4
dir=$(cd "$(dirname "$case_path")" && pwd)
name=$(basename "$case_path" .hl)
work="$work$dir" # as run_golden.sh: cases of one name in two directories
mkdir -p "$work"
bin="$work/$name.repeat"
"$hale" build "$case_path" -o "$bin" >"$work/$name.repeat.build" 2>&1 || {
    cat "$work/$name.repeat.build"
    echo "FAIL $case_path: does not build"
    exit 1
}
load_pids=""
cleanup() {
    for p in $load_pids; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM
for _ in 1 2; do
    sh -c 'while :; do :; done' &
    load_pids="$load_pids $!"
done
want_code=0
[ -f "$dir/$name.code" ] && want_code=$(cat "$dir/$name.code")
i=1
while [ "$i" -le "$runs" ]; do
    "$bin" >"$work/$name.repeat.out" 2>"$work/$name.repeat.err" </dev/null
    code=$?
    if [ "$code" != "$want_code" ] || ! cmp -s "$dir/$name.out" "$work/$name.repeat.out"; then
        echo "run $i of $runs: exit $code (want $want_code); stdout:"
        diff -u "$dir/$name.out" "$work/$name.repeat.out"
        cat "$work/$name.repeat.err"
        echo "FAIL $case_path under load, run $i"
        exit 1
    fi
    i=$((i + 1))
done
echo "PASS $case_path: $runs runs under load, every one as expected"
