#!/bin/sh
# The two lowerings of a topic must be indistinguishable: every runnable program under
# tests/golden/bus/ is built again with direct calls turned off (HALE_BUS_DIRECT=0, so every
# topic goes through the bus) and must print exactly what its .out/.err files say.
#
#   direct_differential.sh HALE GOLDEN_DRIVER CASE_DIR WORK
set -u
hale=$1
driver=$2
cases=$3
work=$4
rm -rf "$work"
mkdir -p "$work/cases"
bad=0
n=0
for hl in "$cases"/*.hl; do
    name=$(basename "$hl" .hl)
    [ -f "$cases/$name.out" ] || continue
    for f in "$cases/$name".*; do
        case $f in *.json) ;; *) cp "$f" "$work/cases/" ;; esac
    done
    if ! HALE_BUS_DIRECT=0 "$driver" "$hale" "$work/cases/$name.hl" "$work/out" >"$work/log" 2>&1; then
        cat "$work/log"
        bad=1
    fi
    n=$((n + 1))
done
[ "$n" -gt 5 ] || { echo "found only $n cases under $cases"; exit 1; }
[ $bad -eq 0 ] && echo "direct differential: $n programs print the same through the bus"
exit $bad
