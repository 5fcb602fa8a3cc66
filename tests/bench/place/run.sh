#!/bin/sh
# Placement benchmarks for compiled Hale programs, every figure and its baseline measured in
# this one run:
#   churn      connections/s and server RSS for 1,000 concurrent connections then N sequential
#              connect-send-receive-close cycles (tests/sched/echo_client.c) against
#              examples/echo (Hale, one flow child per connection on a cooperative pool), the
#              plain C libev echo server (tests/bench/sched/libev_echo.c) and Go's
#              goroutine-per-connection server (tests/bench/sched/go_echo.go; skipped without
#              `go`). Aim: at least 90% of the libev server's rate, RSS flat.
#   switch     ns per coroutine switch and per hale_yield (the runtime's, tests/bench/sched)
#   pingpong   ns per round trip between two pinned Hale loci through the bus (pingpong.hl here:
#              `pinned` without cores, a thread each wherever the kernel runs it) vs two pthreads
#              with no CPU affinity waking each other through eventfds; and between two pools
#              bound to cores 0 and 1 (hale_post) vs the same pthreads bound the same way
#              (tests/bench/sched/pingpong.c). Like with like: on a busy machine a thread bound to
#              a core waits for that core, a free one does not. Median and spread of
#              HALE_BENCH_PP_ROUNDS (3) interleaved runs.
# Usage: tests/bench/place/run.sh BUILD_DIR     (HALE_BENCH_CHURN=N changes the cycle count)
set -eu
. "$(dirname "$0")/../lib.sh"
bin=$build/tests/bin
hale=$build/bin/hale
root=$(cd "$here/../../.." && pwd)
churn=${HALE_BENCH_CHURN:-100000}

for t in hale_cli sched_bench_switch sched_bench_pingpong sched_bench_libev_echo sched_echo_client; do
    cmake --build "$build" --target "$t" >/dev/null
done
HALE_CACHE_DIR=$work/cache "$hale" build "$root/examples/echo" -o "$work/hale_echo"
HALE_CACHE_DIR=$work/cache "$hale" build "$here/pingpong.hl" -o "$work/hale_pingpong"

churn_all "$work/hale_echo"
h=$churn_hale
l=$churn_libev
g=$churn_go
sw=$("$bin/sched_bench_switch")
i=0
while [ "$i" -lt "${HALE_BENCH_PP_ROUNDS:-3}" ]; do
    echo "loci $(field pingpong_hale_ns "$("$work/hale_pingpong")")"
    line=$("$bin/sched_bench_pingpong")
    echo "free $(field pingpong_eventfd_free_ns "$line")"
    echo "post $(field pingpong_hale_ns "$line")"
    echo "bound $(field pingpong_eventfd_ns "$line")"
    i=$((i + 1))
done >"$work/pingpong"
# pp SIDE: "median spread%" of that side's round trips
pp() {
    awk -v s="$1" '$1 == s { print $2 }' "$work/pingpong" | median_lo_hi |
        awk '{ printf "%.0f %.0f\n", $1, ($1 > 0 ? ($3 - $2) * 100 / $1 : 0) }'
}

printf '%-38s %14s %14s %8s\n' "measure" "hale" "baseline" "ratio"
hc=$(field churn_cps "$h")
lc=$(field churn_cps "$l")
printf '%-38s %14s %14s %8s\n' "echo churn conn/s (vs plain libev)" "$hc" "$lc" "$(ratio "$hc" "$lc")"
if [ -n "$g" ]; then
    gc=$(field churn_cps "$g")
    printf '%-38s %14s %14s %8s\n' "echo churn conn/s (vs Go)" "$hc" "$gc" "$(ratio "$hc" "$gc")"
else
    printf '%-38s %14s %14s %8s\n' "echo churn conn/s (vs Go)" "$hc" "not run" "-"
fi
for s in h l g; do
    eval "line=\$$s"
    [ -n "$line" ] || continue
    case $s in h) n=hale ;; l) n=libev ;; g) n=go ;; esac
    printf '%-38s %14s %14s\n' "RSS KiB $n: first 1000 / after churn" \
        "$(field rss_first_kib "$line")" "$(field rss_after_kib "$line")"
done
printf '%-38s %14s %14s %8s\n' "coroutine switch, ns (vs ucontext)" "$(field switch_asm_ns "$sw")" \
    "$(field switch_ucontext_ns "$sw")" \
    "$(ratio "$(field switch_asm_ns "$sw")" "$(field switch_ucontext_ns "$sw")")"
printf '%-38s %14s %14s %8s\n' "hale_yield, ns per call" "$(field yield_ns "$sw")" "-" "-"
for pair in "loci free ping-pong RTT ns, loci (vs free eventfd)" \
    "post bound ping-pong RTT ns, bound pools (vs bound)"; do
    set -- $pair
    a=$(pp "$1")
    b=$(pp "$2")
    shift 2
    printf '%-38s %14s %14s %8s\n' "$*" "${a% *} ±${a#* }%" "${b% *} ±${b#* }%" \
        "$(ratio "${a% *}" "${b% *}")"
done
