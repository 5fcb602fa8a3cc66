#!/bin/sh
# Cross-process transport benchmark: messages per second and round-trip latency between two
# processes, ours (unsealed, sealed with AES-256-GCM and sealed with XChaCha20-Poly1305: the two
# AEADs a key file may choose) against raw nng push/pull with the same message sizes, all
# measured side by side in this run.
#
#   tests/bench/transport/run.sh BUILD_DIR        (BENCH_URLS="ipc tcp" adds TCP loopback)
#
# Throughput: a source process sends COUNT messages as fast as backpressure allows; the sink
# process times the last 90% (decoding every payload into a region, as the runtime does).
# Latency: ping/echo processes bounce one message at a time. Each figure is the best of 3 runs
# (the machine may be shared); ratios are ours / raw (throughput: higher is better; RTT: lower).
set -u
. "$(dirname "$0")/../lib.sh"
trap 'pkill -TERM -P $$ 2>/dev/null; rm -rf "$work"' EXIT
bench=$build/tests/bin/tp_bench
[ -x "$bench" ] || { echo "no $bench: build first (make build)"; exit 1; }
trap 'exit 1' INT TERM
"$build/bin/hale" keygen -o "$work/key" --aead xchacha20poly1305 >/dev/null || exit 1
gcm=""
"$build/bin/hale" keygen -o "$work/key_gcm" --aead aes256gcm >/dev/null 2>&1 && gcm=yes

url_for() { # kind name
    if [ "$1" = ipc ]; then echo "ipc://$work/$2.sock"; else echo "tcp://127.0.0.1:$3"; fi
}

# keyfile MODE: the key file a mode seals with ("gcm": sealed under the AES-256-GCM key)
keyfile() { if [ "$1" = gcm ]; then echo "$work/key_gcm"; else echo "$work/key"; fi; }
benchmode() { if [ "$1" = gcm ]; then echo sealed; else echo "$1"; fi; }

# tput KIND MODE SIZE COUNT -> msgs/s
tput() {
    url=$(url_for "$1" tput 7341)
    k=$(keyfile "$2")
    set -- "$1" "$(benchmode "$2")" "$3" "$4"
    rm -f "$work/tput.sock"
    "$bench" sink --url "$url" --mode "$2" --size "$3" --count "$4" --key "$k" \
        >"$work/sink.out" 2>&1 &
    sink=$!
    wait_line "$work/sink.out" '^ready' || { echo 0; return; }
    "$bench" source --url "$url" --mode "$2" --size "$3" --count "$4" --key "$k" \
        >"$work/source.out" 2>&1 &
    source=$!
    wait "$sink"
    kill -TERM "$source" 2>/dev/null
    wait "$source" 2>/dev/null
    sed -n 's/^rate msgs_per_s=//p' "$work/sink.out"
}

# rtt KIND MODE SIZE COUNT -> median microseconds
rtt() {
    k=$(keyfile "$2")
    set -- "$1" "$(benchmode "$2")" "$3" "$4"
    a=$(url_for "$1" ping 7342)
    b=$(url_for "$1" echo 7343)
    rm -f "$work/ping.sock" "$work/echo.sock"
    "$bench" echo --in "$b" --out "$a" --mode "$2" --size "$3" --count "$4" --key "$k" \
        >"$work/echo.out" 2>&1 &
    echo_pid=$!
    wait_line "$work/echo.out" '^ready' || { echo 0; return; }
    "$bench" ping --in "$a" --out "$b" --mode "$2" --size "$3" --count "$4" --key "$k" \
        >"$work/ping.out" 2>&1
    wait "$echo_pid" 2>/dev/null
    sed -n 's/^rtt p50_us=\([0-9.]*\).*/\1/p' "$work/ping.out"
}

best() { # higher|lower v1 v2 v3
    dir=$1
    shift
    printf '%s\n' "$@" | sort -g | { if [ "$dir" = higher ]; then tail -n 1; else head -n 1; fi; }
}

modes="raw plain sealed"
[ -n "$gcm" ] && modes="$modes gcm"
for kind in ${BENCH_URLS:-ipc}; do
    echo "transport: $kind, best of 3; ratios are ours / raw nng; sealed: XChaCha20-Poly1305, gcm: AES-256-GCM"
    printf '%-7s | %-9s %-17s %-17s %-17s | %-8s %-14s %-14s %-14s\n' size "raw msg/s" \
        "plain msg/s" "sealed msg/s" "gcm msg/s" "raw rtt" "plain rtt" "sealed rtt" "gcm rtt"
    for size in 64 1024 65536; do
        case $size in
        64) count=200000 rcount=4000 ;;
        1024) count=100000 rcount=4000 ;;
        *) count=10000 rcount=2000 ;;
        esac
        t_gcm=0
        r_gcm=0
        for mode in $modes; do
            eval "t_$mode=\$(best higher $(tput $kind $mode $size $count) \
                $(tput $kind $mode $size $count) $(tput $kind $mode $size $count))"
            eval "r_$mode=\$(best lower $(rtt $kind $mode $size $rcount) \
                $(rtt $kind $mode $size $rcount) $(rtt $kind $mode $size $rcount))"
        done
        printf '%-7s | %-9s %-17s %-17s %-17s | %-8s %-14s %-14s %-14s\n' "$size B" "$t_raw" \
            "$t_plain (x$(ratio "$t_plain" "$t_raw"))" "$t_sealed (x$(ratio "$t_sealed" "$t_raw"))" \
            "$t_gcm (x$(ratio "$t_gcm" "$t_raw"))" "${r_raw}us" \
            "${r_plain}us (x$(ratio "$r_plain" "$r_raw"))" \
            "${r_sealed}us (x$(ratio "$r_sealed" "$r_raw"))" "${r_gcm}us (x$(ratio "$r_gcm" "$r_raw"))"
    done
done
[ -n "$gcm" ] || echo "(no AES instructions on this CPU: AES-256-GCM not measured)"
