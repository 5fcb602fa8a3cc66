#!/bin/sh
# A slow subscriber. Fan-in (push/pull): it applies backpressure, the publisher waits, and
# nothing is lost. Fan-out (pub/sub): it loses frames rather than stalling the publisher, and
# every lost frame is counted: received + markers + lost_gap equals the highest sequence number.
. "$(dirname "$0")/lib.sh"

start sub "$bin/tp_sub" --url "ipc://$work/slow.sock" --key "$key" --expect 3000 --strict \
    --slow-us 300
wait_for sub '^ready' 10
start pub "$bin/tp_pub" --url "ipc://$work/slow.sock" --key "$key" --topic shapes --count 3000
wait_exit sub 120
[ "$rc" = 0 ] || fail "slow subscriber exited $rc"
expect_field sub summary received 3000
expect_field sub summary lost_gap 0
wait_exit pub 60
[ "$rc" = 0 ] || fail "publisher exited $rc"
expect_field pub done sent 3000
waits=$(field pub done eagain)
[ "$waits" -gt 0 ] || fail "publisher never met backpressure"
expect_field pub "hale-bus binding" send_dropped 0

start pubfo "$bin/tp_pub" --url tcp://127.0.0.1:0 --role listen --key "$key" --topic small \
    --count 200000 --wait-peers 1 --drop --markers
wait_for pubfo '^ready' 10
start subfo "$bin/tp_sub" --url "$(bound_url pubfo)" --role dial --key "$key" --until-marker \
    --slow-us 2000 --slow-count 300
wait_exit subfo 120
[ "$rc" = 0 ] || fail "fan-out subscriber exited $rc"
received=$(field subfo summary received)
markers=$(field subfo summary markers)
lost=$(field subfo summary lost_gap)
max=$(field subfo summary max_seq)
[ "$lost" -gt 0 ] || fail "the slow fan-out subscriber lost nothing; the test proves nothing"
[ $((received + markers + lost)) -eq "$max" ] ||
    fail "received $received + markers $markers + lost $lost != highest sequence $max"
expect_field subfo summary content_errors 0
kill -TERM "$pid_pubfo" 2>/dev/null
wait_exit pubfo 30
echo "ok: fan-in backpressure ($waits waits, none lost); fan-out lost $lost of $max, all counted"
