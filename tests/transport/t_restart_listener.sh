#!/bin/sh
# Kill the listening side: the dialing publisher sees its link go down, parks its sends (`or
# wait`), sees the link come back when a new listener starts, and resumes; the new subscriber
# receives its frames and the publisher counts one reconnect.
. "$(dirname "$0")/lib.sh"

start sub1 "$bin/tp_sub" --url "ipc://$work/listener.sock" --key "$key"
wait_for sub1 '^ready' 10
start pub "$bin/tp_pub" --url "ipc://$work/listener.sock" --key "$key" --topic small \
    --count 0 --interval-us 2000
wait_for sub1 'reached 10' 30
kill -9 "$pid_sub1"
wait_for pub '^link down' 30
wait_for pub '^parked: no link' 30
kill -0 "$pid_pub" 2>/dev/null || fail "publisher died with its listener"
start sub2 "$bin/tp_sub" --url "ipc://$work/listener.sock" --key "$key" --expect 50 --strict
wait_for pub '^link up.*peers=1' 30
wait_for pub '^resumed' 30
wait_exit sub2 60
[ "$rc" = 0 ] || fail "new subscriber exited $rc"
expect_field sub2 summary received 50
expect_field sub2 summary content_errors 0
kill -TERM "$pid_pub"
wait_exit pub 30
[ "$rc" = 0 ] || fail "publisher exited $rc"
expect_field pub "hale-bus binding" reconnects 1
expect_field pub "hale-bus binding" links_up 2
echo "ok: link down, parked, link up, resumed, one reconnect"
