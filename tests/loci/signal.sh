#!/bin/sh
# Signals against a running locus tree (signal_tree.hl), with real processes and real signals:
#   1. SIGTERM: every drain and dissolve hook runs once, in the documented order; exit 0.
#   2. SIGINT: the same.
#   3. SIGTERM, then SIGTERM again while the main locus is still draining: the process exits at
#      once with status 128 + 15, without finishing the drain.
#
#   signal.sh HALE WORKDIR
set -u
hale=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
bin="$work/signal_tree"
fails=0

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

"$hale" build "$here/signal_tree.hl" -o "$bin" || { echo "FAIL: build"; exit 1; }

# wait_for FILE TEXT: up to 20 s for TEXT to appear in FILE
wait_for() {
    i=0
    while [ $i -lt 400 ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

run_once() { # SIGNAL NAME
    out="$work/$2.out"
    rm -f "$out" # a previous run's "app: ready" must not be mistaken for this one's
    "$bin" >"$out" 2>"$work/$2.err" &
    pid=$!
    wait_for "$out" "app: ready" || fail "$2: the tree never became ready"
    kill -"$1" $pid
    wait $pid
    status=$?
    [ $status -eq 0 ] || fail "$2: exit status $status, want 0"
    if ! diff -u "$here/signal_tree.expected" "$out"; then
        fail "$2: hooks did not run once each in order"
    fi
}

run_once TERM sigterm
run_once INT sigint

out="$work/twice.out"
rm -f "$out"
SLOW_DRAIN=1 "$bin" >"$out" 2>"$work/twice.err" &
pid=$!
wait_for "$out" "app: ready" || fail "twice: the tree never became ready"
kill -TERM $pid
wait_for "$out" "app: draining slowly" || fail "twice: the drain never started"
kill -TERM $pid
wait $pid
status=$?
[ $status -eq 143 ] || fail "twice: exit status $status, want 143"
grep -q "app: drain$" "$out" && fail "twice: the drain finished after the second signal"
grep -q "second signal" "$work/twice.err" || fail "twice: no message about the second signal"

if [ $fails -ne 0 ]; then
    exit 1
fi
echo "PASS: signals drain the tree in order; a second signal exits at once"
