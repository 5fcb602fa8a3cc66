#!/bin/sh
# The workload shapes of Hale's own benchmark grid (hale-lang/bench, micro/), written here as our
# own Hale programs (*.hl) with Go siblings (shapes.go: plain structs, methods and calls, no
# goroutines, as the grid's Go programs are) and C siblings (shapes.c: malloc'd structs and
# noinline calls). Each program times its own loop and prints "NAME NS". bus_dispatch reuses
# tests/bench/bus (dispatch.hl against Go's map[string]func subject router, ns per message).
#
# Three interleaved rounds of fresh processes (ours, Go, C for every workload in each round); the
# table shows each figure's median and the spread (lowest..highest) over the rounds, and
# go/ours = Go median / our median (above 1: ours is faster) beside the go/Hale ratio Hale
# publishes for the same shape and the goal we hold ourselves to. The goroutine comparison
# (a goroutine per locus, a heavier baseline answering a different question) stays in
# tests/bench/loci. Needs the release build; Go is optional (deploy/install-deps.sh --bench).
# Never part of `make test`.
#
#   tests/bench/hale_shape/run.sh [BUILD_DIR] [ROUNDS]
set -eu
. "$(dirname "$0")/../lib.sh"
rounds=${2:-3}
hale="$build/bin/hale"
[ -x "$hale" ] || { echo "hale_shape bench: run make build first" >&2; exit 1; }
export HALE_CACHE_DIR="$work/cache"
bus="$here/../bus"

# workload | Hale's published go/Hale ratio | our goal | unit the figures are in
shapes="locus_instantiation|0.122|0.25|100k loci
coord_with_churn|0.056|0.12|2,000 flows
tree_fanout|0.411|0.85|1 coordinator
form_hashmap_set|1.11|2.2|1M inserts
form_vec_push|4.82|9|500k, cold
json_parse|2.59|5|200k parses
fn_call|0.403|0.9|10M calls
fn_modular|0.399|1.0|10M calls
bus_dispatch|2.4|5|per message"

for p in $(echo "$shapes" | cut -d'|' -f1); do
    [ "$p" = bus_dispatch ] && continue
    "$hale" build "$here/$p.hl" -o "$work/$p"
done
"$hale" build "$bus/dispatch.hl" -o "$work/bus_dispatch"
cc -O2 -std=c11 -D_GNU_SOURCE "$here/shapes.c" -o "$work/shapes_c"
hale_cc "$bus/bus_bench.c" -o "$work/bus_bench"
have_go=""
go_build "$work/shapes_go" "$here/shapes.go" && go_build "$work/bus_go" "$bus/bus_dispatch.go" &&
    have_go=yes

# results: lines "WORKLOAD SIDE NS"
r=0
while [ "$r" -lt "$rounds" ]; do
    for p in $(echo "$shapes" | cut -d'|' -f1); do
        if [ "$p" = bus_dispatch ]; then
            "$work/bus_dispatch" | awk '$1 == "dispatch_program" { print "bus_dispatch ours", $2 }'
            "$work/bus_bench" 10 | awk '$1 == "dispatch_c" { print "bus_dispatch c", $2 }'
            [ -z "$have_go" ] ||
                "$work/bus_go" 10 | awk '$1 == "go_router" { print "bus_dispatch go", $2 }'
            continue
        fi
        "$work/$p" | awk -v p="$p" '$1 == p { print p, "ours", $2 }'
        [ -z "$have_go" ] || "$work/shapes_go" "$p" | awk -v p="$p" '$1 == p { print p, "go", $2 }'
        "$work/shapes_c" "$p" | awk -v p="$p" '$1 == p { print p, "c", $2 }'
    done
    r=$((r + 1))
done >"$work/results"

# stat WORKLOAD SIDE: "median lowest highest" of the side's figures, or "- - -"
stat() {
    awk -v w="$1" -v s="$2" '$1 == w && $2 == s { print $3 }' "$work/results" | median_lo_hi
}

# fig MEDIAN LO HI DIV: "median ±spread%" (spread: (highest - lowest) / median), the figures
# divided by DIV (1000: microseconds)
fig() {
    awk -v m="$1" -v lo="$2" -v hi="$3" -v d="$4" 'BEGIN {
        if (m == "-") { print "-"; exit }
        s = m > 0 ? (hi - lo) * 100 / m : 0
        printf "%.1f ±%.0f%%", m / d, s }'
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared: other work runs beside this)"
echo "figures: median of $rounds runs ±spread (highest - lowest, % of the median); microseconds per"
echo "unit (bus_dispatch: ns per message); go/ours: ratio of the medians (lowest..highest pairing)"
fmt="%-20s %-13s %16s %16s %16s %18s %6s %5s %4s\n"
printf "$fmt" workload unit ours Go C go/ours Hale goal met
echo "$shapes" | while IFS='|' read -r p hale_ratio goal unit; do
    div=1000
    [ "$p" = bus_dispatch ] && div=1
    set -- $(stat "$p" ours)
    o=$1 ol=$2 oh=$3
    set -- $(stat "$p" go)
    g=$1 gl=$2 gh=$3
    set -- $(stat "$p" c)
    c=$1 cl=$2 ch=$3
    ratio=$(ratio "$g" "$o")
    [ "$g" = - ] || [ "$o" = - ] && ratio=-
    range=$(awk -v o="$ol" -v O="$oh" -v g="$gl" -v G="$gh" 'BEGIN {
        if (g == "-" || o == "-") exit
        printf "(%.2f..%.2f)", g / O, G / o }')
    met=$(awk -v r="$ratio" -v g="$goal" 'BEGIN { if (r == "-") print "?"; else print (r >= g ? "yes" : "no") }')
    printf "$fmt" "$p" "$unit" "$(fig "$o" "$ol" "$oh" $div)" "$(fig "$g" "$gl" "$gh" $div)" \
        "$(fig "$c" "$cl" "$ch" $div)" "$ratio $range" "$hale_ratio" "$goal" "$met"
done
[ -n "$have_go" ] || echo "(Go not installed: deploy/install-deps.sh --bench)"
echo "go/ours = Go time / our time, medians (above 1: ours is faster); Hale = go/Hale as Hale publishes it"
echo "the goroutine comparison (Go goroutine per locus): tests/bench/loci"
