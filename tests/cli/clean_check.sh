#!/bin/sh
# Our own programs pass our own analyses: every example checks with no warning at all (with
# --warn-resource-leak too), and no golden program outside tests/golden/check/ (whose programs
# exist to be flagged) and without a NAME.check of expected warnings has an unbounded
# accumulation or a resource leak that is not acknowledged with `@unbounded`.
#
#   tests/cli/clean_check.sh HALE [ROOT]
set -u
hale=$1
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
bad=0
n=0
for prog in examples/chat/gateway.hl examples/chat/room.hl $(ls -d examples/*/ | grep -v chat); do
    out=$("$hale" check --warn-resource-leak "$prog" 2>&1)
    rc=$?
    n=$((n + 1))
    if [ $rc -ne 0 ] || echo "$out" | grep -q 'warning:'; then
        echo "FAIL: $prog is not clean:"
        echo "$out"
        bad=1
    fi
done
for prog in $(find tests/golden -name '*.hl' -not -path '*.hlseed/*' -not -path 'tests/golden/check/*' |
    sort) $(find tests/golden -type d -name '*.hlseed' -not -path 'tests/golden/check/*' | sort); do
    [ -f "${prog%.*}.check" ] && continue
    n=$((n + 1))
    found=$("$hale" check --json --warn-resource-leak "$prog" 2>/dev/null |
        grep -E '"check":"(unbounded-alloc|resource-leak)"')
    if [ -n "$found" ]; then
        echo "FAIL: $prog has an unacknowledged accumulation or leak:"
        echo "$found"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "clean check: $n programs, none flagged"
exit $bad
