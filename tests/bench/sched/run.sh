#!/bin/sh
# Scheduler benchmarks, every figure and its baseline measured in this one run:
#   switch     ns per context switch: our asm switch vs ucontext; ns per hale_yield
#   pingpong   ns per cross-thread round trip between two pinned pools vs pthread + eventfd
#   churn      connections/s and server RSS for 1,000 concurrent connections then N sequential
#              connect-send-receive-close cycles (tests/sched/echo_client.c), against our echo
#              server (tests/sched/echo_server.c), a plain C libev echo server, and Go's
#              goroutine-per-connection echo server (skipped when `go` is not installed:
#              deploy/install-deps.sh --bench)
# Usage: tests/bench/sched/run.sh BUILD_DIR      (HALE_BENCH_CHURN=N changes the cycle count)
set -eu
. "$(dirname "$0")/../lib.sh"
bin=$build/tests/bin
churn=${HALE_BENCH_CHURN:-100000}

for t in sched_bench_pingpong sched_bench_switch sched_bench_libev_echo sched_echo_server \
         sched_echo_client; do
    [ -x "$bin/$t" ] || cmake --build "$build" --target "$t" >/dev/null
done

sw=$("$bin/sched_bench_switch")
pp=$("$bin/sched_bench_pingpong")

churn_all "$bin/sched_echo_server"
hale=$churn_hale
libev=$churn_libev
go=$churn_go

printf '%-34s %14s %14s %8s\n' "measure" "hale" "baseline" "ratio"
printf '%-34s %14s %14s %8s\n' "context switch, ns (vs ucontext)" "$(field switch_asm_ns "$sw")" \
    "$(field switch_ucontext_ns "$sw")" \
    "$(ratio "$(field switch_asm_ns "$sw")" "$(field switch_ucontext_ns "$sw")")"
printf '%-34s %14s %14s %8s\n' "hale_yield, ns per call" "$(field yield_ns "$sw")" "-" "-"
printf '%-34s %14s %14s %8s\n' "ping-pong RTT, ns (vs eventfd)" "$(field pingpong_hale_ns "$pp")" \
    "$(field pingpong_eventfd_ns "$pp")" \
    "$(ratio "$(field pingpong_hale_ns "$pp")" "$(field pingpong_eventfd_ns "$pp")")"
hc=$(field churn_cps "$hale")
lc=$(field churn_cps "$libev")
printf '%-34s %14s %14s %8s\n' "churn conn/s (vs plain libev)" "$hc" "$lc" "$(ratio "$hc" "$lc")"
if [ -n "$go" ]; then
    gc=$(field churn_cps "$go")
    printf '%-34s %14s %14s %8s\n' "churn conn/s (vs Go)" "$hc" "$gc" "$(ratio "$hc" "$gc")"
else
    printf '%-34s %14s %14s %8s\n' "churn conn/s (vs Go)" "$hc" "not run" "-"
fi
for s in hale libev go; do
    eval "l=\$$s"
    [ -n "$l" ] || continue
    printf '%-34s %14s %14s\n' "RSS KiB $s: first 1000 / churn" "$(field rss_first_kib "$l")" \
        "$(field rss_after_kib "$l")"
done
