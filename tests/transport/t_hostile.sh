#!/bin/sh
# A hostile peer (raw nng) sends garbage, truncated frames, frames sealed with the wrong key,
# replays, unknown topics, wrong shapes, an oversized frame and a 100 MiB frame to a subscriber
# that an honest publisher is also feeding. Every bad frame is dropped and counted under its
# reason, exactly; the 100 MiB frame is refused before it is buffered (the subscriber's memory
# stays small); the subscriber stays up and keeps serving honest publishers.
. "$(dirname "$0")/lib.sh"

start sub "$bin/tp_sub" --url tcp://127.0.0.1:0 --key "$key" --senders 2 --strict
wait_for sub '^ready' 10
url=$(bound_url sub)
start pub1 "$bin/tp_pub" --url "$url" --key "$key" --topic shapes --count 0 --interval-us 1000
wait_for sub 'reached 10' 30
"$bin/tp_hostile" --url "$url" --key "$key" >"$work/hostile.out" 2>&1 ||
    fail "the receiver did not cut the 100 MiB frame's connection"
kill -0 "$pid_sub" 2>/dev/null || fail "subscriber died under attack"
start pub2 "$bin/tp_pub" --url "$url" --key "$key" --topic shapes --count 0 --interval-us 1000
wait_exit sub 60
[ "$rc" = 0 ] || fail "subscriber exited $rc"
expect_field sub summary content_errors 0
expect_field sub summary order_errors 0
for r in malformed_header bad_seal replayed unknown_topic malformed_payload oversized; do
    want=$(field hostile expect "$r")
    [ -n "$want" ] || fail "hostile peer printed no expectation for $r"
    expect_field sub "hale-bus binding" "rejected_$r" "$want"
done
grep -q 'dropped a frame from tcp 127.0.0.1:[0-9]* on .*: bad_seal' "$work/sub.out" ||
    fail "bad seal not logged with its peer"
[ "$(grep -c 'bad_seal: authentication failed' "$work/sub.out")" = 1 ] ||
    fail "bad seals from one peer logged more than once"
rss=$(field sub summary maxrss_kb)
limit=$(rss_limit_kb sub)
[ "$rss" -lt "$limit" ] || fail "subscriber peaked at $rss KiB: the huge frame was buffered"
kill -TERM "$pid_pub1" "$pid_pub2"
echo "ok: every hostile frame dropped and counted, peak RSS $rss KiB, honest peers served"
