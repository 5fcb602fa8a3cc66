#!/bin/sh
# The memory posture benchmark (seed 004's workload): short-lived workers each hand a frame of
# 256 or 4,096 Ints to the aggregator above them, which keeps the newest; FRAMES frames a run
# (default 1,000,000). The same program (frames.hl) is built three times, with --posture copy
# (every escape a deep copy: the behaviour before postures), guard and aggressive, and each
# build runs the two workloads: `handoff` (the worker makes a zeroed frame and stamps it, the
# aggregator reads the stamp and keeps it: the escape alone) and `fold` (the worker writes every
# sample, the aggregator adds them all up and keeps it). reads.hl measures what a guarded read
# costs: a holder reads a frame kept from a child that is alive, READS times (default 100M), so
# the difference per read between guard and copy (no guard at all) is the check.
# Builds and rounds are interleaved (ROUNDS, default 3) and each figure is the best of them;
# every program checks its result, and all postures must agree on it. Never part of `make test`.
#
#   tests/bench/posture/run.sh [BUILD_DIR]
set -eu
. "$(dirname "$0")/../lib.sh"
hale="$build/bin/hale"
[ -x "$hale" ] || { echo "posture bench: run make build first" >&2; exit 1; }
export HALE_CACHE_DIR="$work/cache"
frames=${FRAMES:-1000000}
reads=${READS:-100000000}
rounds=${ROUNDS:-3}
postures="copy guard aggressive"

for p in $postures; do
    "$hale" build --posture "$p" "$here/frames.hl" -o "$work/frames_$p"
    "$hale" build --posture "$p" "$here/reads.hl" -o "$work/reads_$p"
done

# results: "KEY ns copied hoisted peak_rss check" per run; KEY = mode/width/posture or reads/posture
: >"$work/results"
round=1
while [ "$round" -le "$rounds" ]; do
    for mode in handoff fold; do
        for width in 256 4096; do
            for p in $postures; do
                line=$("$work/frames_$p" "$frames" "$width" "$mode")
                echo "$mode/$width/$p $(field ns "$line") $(field copied "$line") \
$(field hoisted "$line") $(field peak_rss "$line") $(field check "$line")" >>"$work/results"
            done
        done
    done
    for p in $postures; do
        line=$("$work/reads_$p" "$reads")
        echo "reads/$p $(field ns "$line") 0 0 0 $(field sum "$line")" >>"$work/results"
    done
    round=$((round + 1))
done

# every posture computed the same thing
awk '{ split($1, k, "/"); w = k[1] "/" k[2]; if (w in c && c[w] != $6) bad = bad " " w; c[w] = $6 }
     END { if (bad != "") { print "posture bench: results differ between postures:" bad; exit 1 } }' \
    "$work/results"

# best KEY COLUMN: the lowest value of COLUMN (2 = ns) over the runs of KEY; the others as run.
best() { awk -v k="$1" '$1 == k && (b == "" || $2 < b) { b = $2; l = $0 } END { print l }' "$work/results"; }

printf "posture: %d frames a run, best of %d rounds (ratio: copy's time / this posture's)\n" \
    "$frames" "$rounds"
printf "%-14s %-11s %10s %8s %15s %10s %10s\n" workload posture ns/frame "vs copy" \
    "copied/frame" "hoisted" "peak RSS"
for mode in handoff fold; do
    for width in 256 4096; do
        base=$(best "$mode/$width/copy" | awk '{ print $2 }')
        for p in $postures; do
            best "$mode/$width/$p" | awk -v f="$frames" -v base="$base" -v w="$mode $width" -v p="$p" '{
                printf "%-14s %-11s %10.1f %7.2fx %15.0f %10d %8.1fMB\n", w, p, $2 / f, base / $2,
                       $3 / f, $4, $5 / 1048576 }'
        done
    done
done
rc=$(best reads/copy | awk '{ print $2 }')
rg=$(best reads/guard | awk '{ print $2 }')
ra=$(best reads/aggressive | awk '{ print $2 }')
awk -v n="$reads" -v c="$rc" -v g="$rg" -v a="$ra" 'BEGIN {
    printf "guarded read of a kept frame, %d reads: copy %.2f ns (no guard), guard %.2f ns, " \
           "aggressive %.2f ns (an owned guard): a guard check costs %.2f ns\n",
           n, c / n, g / n, a / n, (g - c) / n }'

# the aims of issue 15, against this run
h=$(best handoff/4096/copy | awk '{ print $2 }')
hg=$(best handoff/4096/guard | awk '{ print $2 }')
ha=$(best handoff/4096/aggressive | awk '{ print $2 }')
f=$(best fold/4096/copy | awk '{ print $2 }')
fg=$(best fold/4096/guard | awk '{ print $2 }')
fa=$(best fold/4096/aggressive | awk '{ print $2 }')
awk -v h="$h" -v hg="$hg" -v ha="$ha" -v f="$f" -v fg="$fg" -v fa="$fa" -v c="$rc" -v g="$rg" \
    -v n="$reads" 'function v(ok) { return ok ? "met" : "not met" } BEGIN {
    printf "aim: hoist >= 3x copy on 4,096-Int frames: handoff %.2fx (%s), fold %.2fx (%s)\n",
           h / ha, v(h / ha >= 3), f / fa, v(f / fa >= 3)
    printf "aim: guard >= 2x copy on 4,096-Int frames: handoff %.2fx (%s), fold %.2fx (%s)\n",
           h / hg, v(h / hg >= 2), f / fg, v(f / fg >= 2)
    printf "aim: a guard check <= 2 ns: %.2f ns (%s)\n", (g - c) / n, v((g - c) / n <= 2) }'
