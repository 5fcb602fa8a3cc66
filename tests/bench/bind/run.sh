#!/bin/sh
# Bindings benchmark: two compiled Hale programs exchanging a topic over an ipc binding (push0 ->
# pull0, the publisher dials), against raw nng push/pull in C (tests/bench/transport's tp_bench in
# raw mode) with the same payload sizes, all measured side by side in this run.
#
#   tests/bench/bind/run.sh BUILD_DIR
#
# Throughput: blob_src.hl publishes COUNT `Blob { n: Int, data: Bytes }` (data is SIZE bytes)
# with `or wait`; blob_sink.hl's subscriber counts them and times the last nine tenths. Each
# message is encoded, framed (sealed or not), sent, decoded into the receiver's region and copied
# to the subscriber locus, as every bound topic is. Latency: ping.hl publishes `Ping`, pong.hl
# answers each with a `Pong` carrying the same data; the median round trip after a tenth warms
# up. "plain" runs with no key (allowed over ipc: the socket is owner-only), "sealed" with
# HALE_KEY_FILE (made by `hale keygen`: AES-256-GCM where the CPU has AES instructions; set
# BENCH_AEAD=xchacha20poly1305 or aes256gcm to choose); the sink's counters confirm which. One
# run of each (the whole benchmark stays under a minute); ratios are ours / raw (throughput:
# higher is better; round trip: lower is better).
set -u
. "$(dirname "$0")/../lib.sh"
trap 'pkill -TERM -P $$ 2>/dev/null; rm -rf "$work"' EXIT
hale=$build/bin/hale
raw=$build/tests/bin/tp_bench
[ -x "$hale" ] && [ -x "$raw" ] || { echo "bind bench: build first (make build)"; exit 1; }
trap 'exit 1' INT TERM
cd "$work" || exit 1 # no hale.toml here: the key comes from HALE_KEY_FILE or nowhere
"$hale" keygen -o "$work/key" ${BENCH_AEAD:+--aead "$BENCH_AEAD"} >/dev/null || exit 1
for p in blob_src blob_sink ping pong; do
    "$hale" build "$here/$p.hl" -o "$work/$p" >"$work/build.out" 2>&1 ||
        { cat "$work/build.out"; exit 1; }
done
cat >"$work/routes.toml" <<EOT
[bus.routes."bench.blob"]
url = "ipc://$work/blob.sock"
[bus.routes."bench.ping"]
url = "ipc://$work/ping.sock"
[bus.routes."bench.pong"]
url = "ipc://$work/pong.sock"
EOT
export HALE_BUS_CONFIG="$work/routes.toml"

# keyed MODE CMD...: CMD with the deployment key when MODE is sealed, with none otherwise.
keyed() {
    m=$1
    shift
    if [ "$m" = sealed ]; then HALE_KEY_FILE="$work/key" "$@"; else env -u HALE_KEY_FILE "$@"; fi
}

# tput MODE SIZE COUNT -> msgs/s
tput() {
    rm -f "$work"/*.sock
    if [ "$1" = raw ]; then
        "$raw" sink --url "ipc://$work/raw.sock" --mode raw --size "$2" --count "$3" \
            >"$work/sink.out" 2>&1 &
        sink=$!
        wait_line "$work/sink.out" '^ready' || { echo 0; return; }
        "$raw" source --url "ipc://$work/raw.sock" --mode raw --size "$2" --count "$3" \
            >"$work/source.out" 2>&1 &
    else
        BENCH_COUNT=$3 HALE_BUS_COUNTERS_DUMP=1 keyed "$1" "$work/blob_sink" >"$work/sink.out" 2>&1 &
        sink=$!
        wait_line "$work/sink.out" '^ready' || { echo 0; return; }
        BENCH_COUNT=$3 BENCH_SIZE=$2 keyed "$1" "$work/blob_src" >"$work/source.out" 2>&1 &
    fi
    source=$!
    wait "$sink"
    kill -TERM "$source" 2>/dev/null
    wait "$source" 2>/dev/null
    if [ "$1" != raw ]; then # the mode really was what the column says
        s=$([ "$1" = sealed ] && echo 1 || echo 0)
        grep -q "^hale-bus binding url=ipc.* sealed=$s " "$work/sink.out" ||
            { echo "bind bench: sink not sealed=$s" >&2; echo 0; return; }
    fi
    sed -n 's/^rate msgs_per_s=\([0-9.]*\).*/\1/p' "$work/sink.out"
}

# rtt MODE SIZE COUNT -> median microseconds
rtt() {
    rm -f "$work"/*.sock
    if [ "$1" = raw ]; then
        a="ipc://$work/ping.sock" b="ipc://$work/pong.sock"
        "$raw" echo --in "$b" --out "$a" --mode raw --size "$2" --count "$3" \
            >"$work/pong.out" 2>&1 &
        pong=$!
        wait_line "$work/pong.out" '^ready' || { echo 0; return; }
        "$raw" ping --in "$a" --out "$b" --mode raw --size "$2" --count "$3" \
            >"$work/ping.out" 2>&1
        wait "$pong" 2>/dev/null
        sed -n 's/^rtt p50_us=\([0-9.]*\).*/\1/p' "$work/ping.out"
        return
    fi
    # pong listens for Ping and dials Pong; ping dials Ping and listens for Pong: started
    # together, each boot's dial finds the other's listener within the connect window.
    BENCH_COUNT=$3 keyed "$1" "$work/pong" >"$work/pong.out" 2>&1 &
    pong=$!
    BENCH_COUNT=$3 BENCH_SIZE=$2 keyed "$1" "$work/ping" >"$work/ping.out" 2>&1
    wait "$pong" 2>/dev/null
    sed -n 's/^rtt //p' "$work/ping.out" | tail -n +$(($3 / 10 + 1)) | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)] / 1000; else print 0 }'
}

echo "bindings: compiled Hale programs over ipc push/pull vs raw nng; ratios are ours / raw"
printf '%-7s | %-9s %-17s %-17s | %-9s %-15s %-15s\n' size "raw msg/s" "plain msg/s" \
    "sealed msg/s" "raw rtt" "plain rtt" "sealed rtt"
for size in 64 1024 65536; do
    case $size in
    64) count=100000 rcount=2000 ;;
    1024) count=50000 rcount=2000 ;;
    *) count=5000 rcount=1000 ;;
    esac
    for mode in raw plain sealed; do
        eval "t_$mode=\$(tput $mode $size $count)"
        eval "r_$mode=\$(rtt $mode $size $rcount)"
    done
    printf '%-7s | %-9s %-17s %-17s | %-9s %-15s %-15s\n' "$size B" "$t_raw" \
        "$t_plain (x$(ratio "$t_plain" "$t_raw"))" "$t_sealed (x$(ratio "$t_sealed" "$t_raw"))" \
        "${r_raw}us" "${r_plain}us (x$(ratio "$r_plain" "$r_raw"))" \
        "${r_sealed}us (x$(ratio "$r_sealed" "$r_raw"))"
done
