#!/bin/sh
# HTTP/1.1 serving: examples/http (std::http::Server on one cooperative pool, keep-alive)
# against a Go net/http server of the same shape (go_http.go here, GOMAXPROCS = every core),
# both measured by wrk in this one run: requests/s and p99 latency of GET / at 1 and at 100
# connections. Each side runs twice, alternating, and keeps its better run (a noisy neighbour on
# a shared machine skews neither side alone). Aim: ahead of Go on both.
# Usage: tests/bench/http/run.sh BUILD_DIR   (HALE_BENCH_SECONDS=N sets each wrk run, default 5)
set -eu
. "$(dirname "$0")/../lib.sh"
hale=$build/bin/hale
root=$(cd "$here/../../.." && pwd)
secs=${HALE_BENCH_SECONDS:-5}
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

command -v wrk >/dev/null 2>&1 || { echo "wrk is not installed (deploy/install-deps.sh --bench)"; exit 1; }
cmake --build "$build" --target hale_cli >/dev/null
HALE_CACHE_DIR=$work/cache "$hale" build "$root/examples/http" -o "$work/hale_http"
have_go=1
go_build "$work/go_http" "$here/go_http.go" || have_go=0

# start NAME CMD...: runs a server, waits for its "listening on HOST:PORT" line, sets $port.
start() {
    name=$1
    shift
    "$@" >"$work/$name.out" 2>&1 &
    pids="$pids $!"
    wait_line "$work/$name.out" "listening on" || { cat "$work/$name.out" >&2; exit 1; }
    port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/$name.out" | head -1)
}

# measure CONNS: wrk against $port; prints "RPS P99_US".
measure() {
    threads=1
    [ "$1" -gt 1 ] && threads=2
    wrk -t"$threads" -c"$1" -d"${secs}s" --latency "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out")
    p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
          m = (u == "s") ? 1e6 : (u == "ms") ? 1e3 : 1; printf "%.0f", v * m }' "$work/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ { print }' "$work/wrk.out")
    [ -z "$errs" ] || echo "  wrk reported: $errs" >&2
    echo "${rps:-0} ${p99:-0}"
}

best() { # best OLD NEW: higher requests/s wins
    if [ -z "$1" ] || awk -v a="$2" -v b="$1" 'BEGIN { exit !(a + 0 > b + 0) }'; then
        echo "$2"
    else echo "$1"; fi
}

for conns in 1 100; do
    h=""
    g=""
    for round in 1 2; do
        start hale env HTTP_PORT=0 "$work/hale_http"
        sleep 0.2
        h=$(best "$h" "$(measure "$conns")")
        kill "$(echo "$pids" | awk '{ print $NF }')" 2>/dev/null || true
        wait 2>/dev/null || true
        pids=""
        if [ "$have_go" = 1 ]; then
            start go "$work/go_http" 0
            sleep 0.2
            g=$(best "$g" "$(measure "$conns")")
            kill "$(echo "$pids" | awk '{ print $NF }')" 2>/dev/null || true
            wait 2>/dev/null || true
            pids=""
        fi
    done
    eval "hale_$conns=\"\$h\"; go_$conns=\"\$g\""
done

printf '%-34s %14s %14s %8s\n' "GET / over keep-alive (wrk)" "hale" "go net/http" "ratio"
for conns in 1 100; do
    eval "h=\$hale_$conns; g=\$go_$conns"
    hr=$(echo "$h" | cut -d' ' -f1)
    hp=$(echo "$h" | cut -d' ' -f2)
    gr=$(echo "$g" | cut -d' ' -f1)
    gp=$(echo "$g" | cut -d' ' -f2)
    [ "$have_go" = 1 ] || { gr="not run"; gp="not run"; }
    printf '%-34s %14s %14s %8s\n' "requests/s, $conns connection(s)" "$hr" "$gr" "$(ratio "$hr" "$gr")"
    # latency: the ratio is Go's p99 over ours (above 1: ours is lower)
    printf '%-34s %14s %14s %8s\n' "p99 latency us, $conns connection(s)" "$hp" "$gp" "$(ratio "$gp" "$hp")"
done
