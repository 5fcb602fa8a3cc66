#!/bin/sh
# Every payload shape between two processes, sealed: fan-in (publisher dials, subscriber listens)
# over ipc and over TCP, and fan-out (publisher listens, two subscribers dial) over TCP. Every
# field of every message is checked, in order, with nothing lost and nothing rejected.
. "$(dirname "$0")/lib.sh"

for mode in ipc tcp; do
    if [ $mode = ipc ]; then url="ipc://$work/shapes.sock"; else url="tcp://127.0.0.1:0"; fi
    start sub_$mode "$bin/tp_sub" --url "$url" --key "$key" --expect 3000 --strict
    wait_for sub_$mode '^ready' 10
    if [ $mode = ipc ]; then
        [ "$(stat -c %a "$work/shapes.sock")" = 600 ] || fail "ipc socket is not owner-only"
    fi
    start pub_$mode "$bin/tp_pub" --url "$(bound_url sub_$mode)" --key "$key" --topic shapes \
        --count 3000
    wait_exit sub_$mode 120
    [ "$rc" = 0 ] || fail "sub_$mode exited $rc"
    expect_field sub_$mode summary received 3000
    expect_field sub_$mode summary content_errors 0
    expect_field sub_$mode summary lost_gap 0
    for r in bad_seal replayed unknown_topic oversized malformed_header malformed_payload; do
        expect_field sub_$mode "hale-bus binding" rejected_$r 0
    done
    expect_field sub_$mode "hale-bus binding" sealed 1
    expect_field sub_$mode "hale-bus topic subject=test.shapes" received 3000
    wait_exit pub_$mode 60
    [ "$rc" = 0 ] || fail "pub_$mode exited $rc"
    expect_field pub_$mode done sent 3000
done

start pubfo "$bin/tp_pub" --url tcp://127.0.0.1:0 --role listen --key "$key" --topic shapes \
    --count 2000 --wait-peers 2 --markers
wait_for pubfo '^ready' 10
for s in a b; do
    start sub_$s "$bin/tp_sub" --url "$(bound_url pubfo)" --role dial --key "$key" \
        --until-marker --strict
done
for s in a b; do
    wait_exit sub_$s 120
    [ "$rc" = 0 ] || fail "sub_$s exited $rc"
    expect_field sub_$s summary received 2000
    expect_field sub_$s summary content_errors 0
    expect_field sub_$s summary lost_gap 0
done
wait_exit pubfo 60
[ "$rc" = 0 ] || fail "fan-out publisher exited $rc"
expect_field pubfo "hale-bus binding" proto pub0
echo "ok: shapes over ipc and tcp (fan-in), tcp (fan-out)"
