#!/bin/sh
# A binding that cannot open refuses the boot naming the subject and URL; a dialler whose peer
# never answers does too; HALE_BUS_CONFIG overrides the source's URL; a relative ipc path names
# a socket in $RUNTIME_DIRECTORY (a systemd unit's runtime directory) when it is set, else in
# the working directory.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
routes "$work/r.toml" "ipc://$work/no/such/dir/shape.sock" "ipc://$work/seq.sock"
HALE_BUS_CONFIG="$work/r.toml" "$work/sub" >"$work/bad.out" 2>&1
rc=$?
[ "$rc" != 0 ] || fail "unopenable binding did not refuse the boot"
grep -q 'binding `bind.shape` (ipc://.*/no/such/dir/shape.sock) could not be realized' \
    "$work/bad.out" || fail "message does not name subject and URL"
grep -q '^ready' "$work/bad.out" && fail "program ran despite the failed binding"
routes "$work/r.toml" "ipc://$work/shape.sock" "ipc://$work/seq.sock"
HALE_BUS_CONNECT_MS=300 HALE_BUS_CONFIG="$work/r.toml" "$work/pub" >"$work/dial.out" 2>&1
rc=$?
[ "$rc" != 0 ] || fail "a dialler with no listener booted"
grep -q 'could not be realized' "$work/dial.out" || fail "dial failure not reported"
printf '[bus]\ninsecure = false\n[bus.routes."bind.seq"]\nurl = "tcp://10.255.255.1:7"\n' >"$work/ins.toml"
HALE_KEY_FILE= HALE_BUS_CONFIG="$work/ins.toml" "$work/sub" >"$work/ins.out" 2>&1
rc=$?
[ "$rc" != 0 ] || fail "unsealed non-loopback tcp was allowed"
grep -q 'bind.seq' "$work/ins.out" || fail "insecure refusal does not name the subject"
echo "ok: boot refusals name subject and URL"

routes "$work/rel.toml" "ipc://shape.sock" "ipc://seq.sock"
mkdir -p "$work/rt" "$work/cwd"
(cd "$work/cwd" && RUNTIME_DIRECTORY="$work/rt:$work/other" HALE_BUS_CONFIG="$work/rel.toml" \
    BIND_SHAPES=1 exec "$work/sub") >"$work/rt-sub.out" 2>&1 &
rt_sub=$!
pids="$pids $rt_sub"
wait_for rt-sub '^ready' 20
[ -S "$work/rt/shape.sock" ] && [ -S "$work/rt/seq.sock" ] ||
    fail "relative ipc paths did not land in RUNTIME_DIRECTORY: $(ls "$work/rt" "$work/cwd")"
[ -z "$(ls "$work/cwd")" ] || fail "sockets in the working directory: $(ls "$work/cwd")"
(cd "$work/cwd" && RUNTIME_DIRECTORY="$work/rt" HALE_BUS_CONFIG="$work/rel.toml" BIND_SHAPES=1 \
    exec "$work/pub") >"$work/rt-pub.out" 2>&1 || fail "publisher to the runtime directory failed"
wait "$rt_sub" || fail "subscriber in the runtime directory exited $?"
grep -q 'summary .* shapes=1' "$work/rt-sub.out" || fail "nothing arrived through the runtime directory"
(cd "$work/cwd" && HALE_BUS_CONFIG="$work/rel.toml" BIND_SHAPES=1 exec "$work/sub") \
    >"$work/cwd-sub.out" 2>&1 &
cwd_sub=$!
pids="$pids $cwd_sub"
wait_for cwd-sub '^ready' 20
[ -S "$work/cwd/seq.sock" ] || fail "without RUNTIME_DIRECTORY the socket is not in the working directory"
kill "$cwd_sub"
echo "ok: relative ipc paths: \$RUNTIME_DIRECTORY (its first entry) when set, else the working directory"
