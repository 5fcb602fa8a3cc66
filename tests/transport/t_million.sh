#!/bin/sh
# A million small sealed frames from one publisher process to one subscriber over ipc: every one
# arrives, in order, with nothing lost or rejected, and the subscriber's memory stays flat.
. "$(dirname "$0")/lib.sh"

start sub "$bin/tp_sub" --url "ipc://$work/million.sock" --key "$key" --expect 1000000 --strict
wait_for sub '^ready' 10
start pub "$bin/tp_pub" --url "ipc://$work/million.sock" --key "$key" --topic small \
    --count 1000000
wait_exit sub 170
[ "$rc" = 0 ] || fail "subscriber exited $rc"
expect_field sub summary received 1000000
expect_field sub summary order_errors 0
expect_field sub summary content_errors 0
expect_field sub summary lost_gap 0
expect_field sub summary max_seq 1000000
for r in bad_seal replayed unknown_topic oversized malformed_header malformed_payload; do
    expect_field sub "hale-bus binding" rejected_$r 0
done
# Flat memory: the inbox region is reset per batch and the queues are bounded.
rss=$(field sub summary maxrss_kb)
limit=$(rss_limit_kb sub)
[ "$rss" -lt "$limit" ] || fail "subscriber peaked at $rss KiB (limit $limit)"
wait_exit pub 30
[ "$rc" = 0 ] || fail "publisher exited $rc"
expect_field pub done sent 1000000
expect_field pub "hale-bus binding" send_dropped 0
echo "ok: 1000000 frames, none lost, in order, subscriber peak RSS $rss KiB"
