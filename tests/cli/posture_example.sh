#!/bin/sh
# examples/posture under its three postures: the same totals, and what each posture says it did.
set -u
hale=$1
work=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
export HALE_CACHE_DIR="$work/cache"
bad=0
expect() { # posture, then the lines its run must print
    p=$1; shift
    "$hale" run --posture "$p" "$here/examples/posture" >"$work/$p.out" 2>&1 || {
        echo "FAIL: examples/posture under $p exited $?"; cat "$work/$p.out"; bad=1; return; }
    for line in "$@"; do
        grep -qxF "$line" "$work/$p.out" || { echo "FAIL: $p lacks: $line"; cat "$work/$p.out"; bad=1; }
    done
}
total="station: 1000 batches, total 3168000"
newest="station: newest batch from sensor 999, 64 samples"
expect copy "$total" "$newest" "station: 1104000 bytes copied, 0 guarded reads failed, 0 allocations hoisted"
expect guard "$total" "station: the newest batch went with its sensor (posture guard)" \
    "station: 0 bytes copied, 1 guarded reads failed, 0 allocations hoisted"
expect aggressive "$total" "$newest" "station: 0 bytes copied, 0 guarded reads failed, 1000 allocations hoisted"
(cd "$here/examples/posture" && "$hale" check --escapes .) >"$work/report" 2>&1
grep -q '^posture: guard (hale.toml:4)$' "$work/report" && grep -q 'is guarded at the boundary' "$work/report" ||
    { echo "FAIL: the example's escape report"; cat "$work/report"; bad=1; }
rm -rf "$work"
[ $bad -eq 0 ] && echo "posture example: ok"
exit $bad
