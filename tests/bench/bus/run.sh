#!/bin/sh
# Bus benchmarks, every figure and its baseline measured in this one run (tests/bench/bus/
# bus_bench.c and bus_dispatch.go say what each workload is):
#   bus_dispatch   100k typed messages published and handled on one thread through the bus, vs
#                  Go channels (buffered, unbuffered), Go's map[string]func subject router, and a
#                  plain C call (copy + call, no bus)
#   keyed          a keyed publish reaching 1 of 1,000 subscribers vs an unkeyed publish to the
#                  only subscriber (the key index makes the first cost about the second), and an
#                  unkeyed fan-out to all 1,000 for scale
#   cross-thread   1M messages to a subscriber on another pool vs a Go channel between goroutines
#   Hale programs  dispatch.hl (bus_dispatch written in Hale) and keyed.hl (1,000 keyed
#                  subscribers), compiled with `hale build` as the compiler lowers them (the
#                  quiet same-thread topics become direct calls) and again with HALE_BUS_DIRECT=0
#                  (every send through the bus); each times itself with std::time::monotonic_ns
# A ratio above 1 means ours is faster. Needs the release build; Go (deploy/install-deps.sh
# --bench) for the Go columns. Never part of `make test`.
#
#   tests/bench/bus/run.sh [BUILD_DIR]
set -eu
. "$(dirname "$0")/../lib.sh"

hale_cc "$here/bus_bench.c" -o "$work/bus_bench"
# The Hale programs, both lowerings (a cache of our own so nothing stale is reused).
hale="$build/bin/hale"
for p in dispatch keyed; do
    HALE_CACHE_DIR="$work/cache" "$hale" build "$here/$p.hl" -o "$work/$p"
    HALE_CACHE_DIR="$work/cache" HALE_BUS_DIRECT=0 "$hale" build "$here/$p.hl" -o "$work/${p}_bus"
done
have_go=""
go_build "$work/bus_dispatch_go" "$here/bus_dispatch.go" && have_go=yes

# Three rounds, ours and Go's interleaved, so a noisy neighbour on a shared machine skews neither
# side alone; the table keeps each figure's best.
for round in 1 2 3; do
    "$work/bus_bench" 10
    "$work/dispatch" | grep -v handled
    "$work/dispatch_bus" | grep -v handled | sed 's/^dispatch_program /dispatch_program_bus /'
    "$work/keyed"
    "$work/keyed_bus" | sed 's/_program /_program_bus /'
    [ -n "$have_go" ] && "$work/bus_dispatch_go" 10
done >"$work/results"

row() { # label ours_key peer_label peer_key
    ours=$(best_ns "$2")
    peer=$(best_ns "$4")
    if [ -z "$ours" ] || [ -z "$peer" ]; then
        printf '%-40s %10s  %-30s %10s %8s\n' "$1" "${ours:--}" "$3" "not run" "-"
        return
    fi
    awk -v l="$1" -v o="$ours" -v pl="$3" -v p="$peer" 'BEGIN {
        printf "%-40s %10.2f  %-30s %10.2f %7.2fx\n", l, o, pl, p, p / o }'
}

printf '%-40s %10s  %-30s %10s %8s\n' "workload, ns per message (best of runs)" "hale" "peer" \
    "peer ns" "ratio"
row "bus_dispatch 100k, same thread" dispatch_hale "Go buffered channel" go_chan
row "bus_dispatch 100k, same thread" dispatch_hale "Go unbuffered channel" go_chan_sync
row "bus_dispatch 100k, same thread" dispatch_hale "Go map[string]func router" go_router
row "bus_dispatch 100k, same thread" dispatch_hale "C direct call (no bus)" dispatch_c
row "bus_dispatch, payload with 2 strings" dispatch_heap "Go buffered channel" go_chan
row "cross-thread 1M, another pool" cross_thread "Go buffered channel, 1M" go_chan_1m
row "Hale program, direct calls" dispatch_program "Go buffered channel" go_chan
row "Hale program, direct calls" dispatch_program "Go map[string]func router" go_router
row "Hale program, direct calls" dispatch_program "C direct call (no bus)" dispatch_c
row "Hale program, through the bus" dispatch_program_bus "Go buffered channel" go_chan
row "Hale program, through the bus" dispatch_program_bus "Go map[string]func router" go_router
row "Hale program, through the bus" dispatch_program_bus "C direct call (no bus)" dispatch_c
echo
printf '%-40s %10s  %-30s %10s %8s\n' "keyed routing, ns per publish" "keyed" "unkeyed, 1 subscriber" \
    "unkeyed" "cost"
k() { # label key
    awk -v l="$1" -v a="$(best_ns "$2")" -v b="$(best_ns unkeyed_1of1)" 'BEGIN {
        printf "%-40s %10.2f  %-30s %10.2f %7.2fx\n", l, a, "unkeyed_1of1", b, a / b }'
}
k "1 of 1,000 subscribers, keys rotating" keyed_1of1000
k "1 of 1,000 subscribers, one key" keyed_hot
k "unkeyed fan-out to all 1,000" fanout_1000
kp() { # label keyed_key base_label base_key
    awk -v l="$1" -v a="$(best_ns "$2")" -v bl="$3" -v b="$(best_ns "$4")" 'BEGIN {
        printf "%-40s %10.2f  %-30s %10.2f %7.2fx\n", l, a, bl, b, a / b }'
}
kp "Hale program: 1 of 1,000, rotating" keyed_program "Hale: unkeyed 1 sub, bus" solo_program_bus
kp "Hale program: 1 of 1,000, rotating" keyed_program "Hale: unkeyed 1 sub, direct" solo_program
