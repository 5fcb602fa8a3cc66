#!/bin/sh
# A binding that cannot open refuses the boot naming the subject and URL; a dialler whose peer
# never answers does too; HALE_BUS_CONFIG overrides the source's URL.
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
