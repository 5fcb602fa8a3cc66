#!/bin/sh
# A million small messages between two compiled programs over a sealed ipc binding: none lost,
# order kept (plain sends wait on backpressure from the live link).
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
routes "$work/r.toml" "ipc://$work/shape.sock" "ipc://$work/seq.sock"
export HALE_BUS_CONFIG="$work/r.toml"
BIND_EXPECT=1000000 HALE_BUS_COUNTERS_DUMP=1 start sub "$work/sub"
wait_for sub '^ready' 20
BIND_COUNT=1000000 HALE_BUS_COUNTERS_DUMP=1 start pub "$work/pub"
wait_exit sub 240
[ "$rc" = 0 ] || fail "subscriber exited $rc"
grep -q '^summary seen=1000000 out_of_order=0 ' "$work/sub.out" || fail "lost or reordered"
wait_exit pub 30
[ "$rc" = 0 ] || fail "publisher exited $rc"
grep -q 'hale-bus topic subject=bind.seq .* sent=1000000 send_dropped=0 ' "$work/pub.out" ||
    fail "publisher counters"
echo "ok: 1000000 messages, none lost, in order"
