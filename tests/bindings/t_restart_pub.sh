#!/bin/sh
# kill -9 the publisher mid-stream and start another: the listening subscriber keeps running and
# receives the new publisher's messages.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
routes "$work/r.toml" "ipc://$work/shape.sock" "ipc://$work/seq.sock"
export HALE_BUS_CONFIG="$work/r.toml"
BIND_SHAPES=2 HALE_BUS_COUNTERS_DUMP=1 start sub "$work/sub"
wait_for sub '^ready' 20
BIND_COUNT=1000000 BIND_PAUSE_MS=1 start pub1 "$work/pub"
sleep 1
kill -9 "$pid_pub1"
sleep 0.3
kill -0 "$pid_sub" 2>/dev/null || fail "subscriber died with its publisher"
BIND_SHAPES=2 start pub2 "$work/pub"
wait_exit sub 60
[ "$rc" = 0 ] || fail "subscriber exited $rc"
grep -q '^summary .* shapes=2' "$work/sub.out" || fail "the new publisher's messages did not arrive"
echo "ok: subscriber survived kill -9 of its publisher and served the next one"
