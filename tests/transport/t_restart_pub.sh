#!/bin/sh
# kill -9 a publisher and start it again: the subscriber keeps running, sees the link go down,
# and receives the new publisher's frames. The new process is a new sender whose numbering
# starts again at 1, which must not be mistaken for a replay.
. "$(dirname "$0")/lib.sh"

start sub "$bin/tp_sub" --url "ipc://$work/restart.sock" --key "$key" --senders 2 --strict
wait_for sub '^ready' 10
start pub1 "$bin/tp_pub" --url "ipc://$work/restart.sock" --key "$key" --topic shapes \
    --count 0 --interval-us 2000
wait_for sub 'reached 10' 30
kill -9 "$pid_pub1"
wait_for sub '^link down' 30
kill -0 "$pid_sub" 2>/dev/null || fail "subscriber died with its publisher"
start pub2 "$bin/tp_pub" --url "ipc://$work/restart.sock" --key "$key" --topic shapes \
    --count 0 --interval-us 2000
wait_exit sub 60
[ "$rc" = 0 ] || fail "subscriber exited $rc"
expect_field sub summary senders 2
expect_field sub summary content_errors 0
expect_field sub summary order_errors 0
expect_field sub "hale-bus binding" rejected_replayed 0
expect_field sub "hale-bus binding" links_up 2
[ "$(grep -c 'reached 10' "$work/sub.out")" = 2 ] || fail "second publisher's frames missing"
kill -TERM "$pid_pub2"
wait_exit pub2 30
echo "ok: subscriber survived kill -9 of its publisher and took the restarted one's frames"
