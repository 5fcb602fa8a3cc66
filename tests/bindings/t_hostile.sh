#!/bin/sh
# A hostile raw-nng peer (tests/transport/hostile.c) throws garbage, truncated, wrong-key,
# replayed, unknown-topic and 100 MiB frames at a compiled Hale subscriber: every one is dropped
# and counted, and the subscriber keeps serving the honest Hale publisher.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
routes "$work/r.toml" "tcp://127.0.0.1:17321" "tcp://127.0.0.1:17322"
export HALE_BUS_CONFIG="$work/r.toml"
BIND_SHAPES=2 HALE_BUS_COUNTERS_DUMP=1 start sub "$work/sub"
wait_for sub '^ready' 20
"$bin/tp_hostile" --url tcp://127.0.0.1:17321 --key "$key" >"$work/hostile.out" 2>&1 ||
    fail "the receiver did not cut the 100 MiB frame's connection"
kill -0 "$pid_sub" 2>/dev/null || fail "subscriber died under attack"
BIND_SHAPES=2 start pub "$work/pub"
wait_exit sub 60
[ "$rc" = 0 ] || fail "subscriber exited $rc"
grep -q '^summary .* shapes=2' "$work/sub.out" || fail "honest messages not delivered"
line=$(grep 'hale-bus binding url=tcp://127.0.0.1:17321' "$work/sub.out")
# replays of frames for a topic this program lacks count as unknown_topic (checked first)
for r in malformed_header bad_seal unknown_topic oversized; do
    v=$(echo "$line" | sed -n "s/.* rejected_$r=\([0-9]*\).*/\1/p")
    [ -n "$v" ] && [ "$v" -gt 0 ] || fail "rejected_$r not counted: $line"
done
echo "ok: hostile frames dropped and counted, honest publisher served"
