#!/bin/sh
# The `make demo` deployment, shorter, with its claims checked: examples/chat (a room service and
# two gateway replicas) under `hale serve`, sealed with a fresh key, driven by examples/loadgen.
#
#   run.sh HALE WORKDIR [SECONDS]
#
# Asserts: every instance reports ready; lines said on one gateway reach a client on the other,
# both ways (relay.hl); a gateway killed with SIGKILL under load is restarted by serve and relays
# again; no line is lost between live processes (loadgen's `lost 0`, and the bus counters of
# every process that lived to the end: no gaps, drops or rejected frames, the room broadcast all
# it heard and the gateway that was never killed received every broadcast); `hale ctl stop`
# drains every process, each exits 0, and serve exits 0.
set -eu
# The copy's relative ipc sockets stay beside it, even when this runs inside a systemd unit
# (whose $RUNTIME_DIRECTORY would otherwise take them).
unset RUNTIME_DIRECTORY
hale=$1
work=$2
seconds=${3:-6}
here=$(cd "$(dirname "$0")" && pwd)
examples="$here/../../examples"
rm -rf "$work"
mkdir -p "$work"
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    echo "--- serve stderr"; cat "$work/chat/serve.err" 2>/dev/null | grep -v hale-bus | tail -40
    echo "--- serve stdout"; tail -20 "$work/chat/serve.out" 2>/dev/null
    exit 1
}

# A private copy of the deployment: its own sockets, key, control socket and ports. The ports
# stay below the kernel's ephemeral range, where a client connection's local port could take
# the one a restarted gateway must listen on again.
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
base=$((10000 + ($$ % 500) * 20))
[ $((base + 2)) -lt "$low" ] || base=10000
p0=$base
p1=$((base + 1))
cp -r "$examples/chat" "$work/chat"
rm -f "$work/chat"/*.sock "$work/chat/deploy.key" "$work/chat/serve.ctl"
conf="$work/chat/hale.toml"
sed -i -e "s/CHAT_PORT_BASE = \"[0-9]*\"/CHAT_PORT_BASE = \"$base\"/" \
    -e 's/env = { HALE_BUS_CONFIG/env = { HALE_BUS_COUNTERS_DUMP = "1", HALE_BUS_CONFIG/' "$conf"
grep -q "CHAT_PORT_BASE = \"$base\"" "$conf" || fail "could not set the port base in hale.toml"
"$hale" keygen -o "$work/chat/deploy.key" >/dev/null
"$hale" build "$examples/loadgen" -o "$work/loadgen"
"$hale" build "$here/relay.hl" -o "$work/relay"
ctl() { "$hale" ctl "$conf" "$@"; }

# -- all processes ready
"$hale" serve "$conf" >"$work/chat/serve.out" 2>"$work/chat/serve.err" &
serve_pid=$!
i=0
until [ "$(ctl status 2>/dev/null | grep -c 'state=ready')" = 3 ]; do
    i=$((i + 1))
    [ $i -le 1800 ] || fail "not every instance became ready in 180s"
    kill -0 "$serve_pid" 2>/dev/null || fail "serve exited before the deployment was up"
    sleep 0.1
done
for n in room-0 gateway-0 gateway-1; do
    grep -q "hale serve: $n ready" "$work/chat/serve.err" || fail "$n did not report ready"
done
echo "ok: room-0, gateway-0 and gateway-1 ready"

# -- relayed across processes
"$work/relay" "$p0" "$p1" 100 before >"$work/relay1.out" || { cat "$work/relay1.out"; fail "relay"; }
cat "$work/relay1.out"

# -- a gateway killed under load is restarted; no line lost on live connections
ctl status >"$work/pids"
"$work/loadgen" --target "127.0.0.1:$p0,127.0.0.1:$p1" --duration "$seconds" --rate 100 \
    --concurrency 100 --messages 10 --think 20 --rooms 4 --pids "$work/pids" >"$work/load.out" &
load_pid=$!
sleep $((seconds / 2))
victim=$(ctl status | awk '$1 == "gateway-0" { sub("pid=", "", $2); print $2 }')
[ -n "$victim" ] || fail "no pid for gateway-0"
kill -9 "$victim"
wait "$load_pid" || { cat "$work/load.out"; fail "loadgen exited non-zero"; }
cat "$work/load.out"
grep -q '^  messages .* lost 0 ' "$work/load.out" || fail "loadgen lost lines on live connections"
received=$(awk '$1 == "messages" { print $5 }' "$work/load.out")
[ "${received:-0}" -gt 0 ] || fail "loadgen received nothing"
i=0
until ctl status | grep -q '^gateway-0 .*state=ready *restarts=1 '; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "gateway-0 was not restarted: $(ctl status | grep gateway-0)"
    sleep 0.1
done
newpid=$(ctl status | awk '$1 == "gateway-0" { sub("pid=", "", $2); print $2 }')
[ "$newpid" != "$victim" ] || fail "gateway-0 has its old pid"
grep -q 'gateway-0 was killed by signal 9' "$work/chat/serve.err" || fail "serve did not see the kill"
echo "ok: gateway-0 (pid $victim) killed with SIGKILL, restarted as pid $newpid"

"$work/relay" "$p0" "$p1" 100 after >"$work/relay2.out" || { cat "$work/relay2.out"; fail "relay after restart"; }
cat "$work/relay2.out"

# -- stop: everything drains, exits 0
ctl stop >/dev/null
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" = 0 ] || fail "serve exited $rc after stop"
for n in room-0 gateway-0 gateway-1; do
    grep -q "hale serve: $n stopped (exited with status 0)" "$work/chat/serve.err" ||
        fail "$n did not exit 0 at stop"
done
grep -q '^room-0 | room service drained' "$work/chat/serve.out" || fail "room did not drain"
grep -q '^gateway-0 | gateway gateway-0 drained' "$work/chat/serve.out" || fail "gateway-0 did not drain"
grep -q '^gateway-1 | gateway gateway-1 drained' "$work/chat/serve.out" || fail "gateway-1 did not drain"
echo "ok: stop drained every process, all exited 0, serve exited 0"

# -- the bus counters of the processes that lived to the end
err="$work/chat/serve.err"
bindings=$(grep -c '| hale-bus binding ' "$err" || true)
[ "$bindings" -ge 6 ] || fail "expected the counters of 6 bindings, found $bindings"
bad=$(grep '| hale-bus binding ' "$err" | grep -Ev ' lost_gap=0 ' || true)
[ -z "$bad" ] || fail "gaps on a binding: $bad"
bad=$(grep '| hale-bus binding ' "$err" | grep -E ' send_dropped=[1-9]| rejected_[a-z_]*=[1-9]' || true)
[ -z "$bad" ] || fail "dropped or rejected frames: $bad"
count() { # count INSTANCE URL-PART FIELD
    grep "^$1 | hale-bus binding url=ipc://$2" "$err" | sed -n "s/.* $3=\([0-9]*\) .*/\1/p"
}
heard=$(count room-0 said.sock received)
broadcast=$(count room-0 broadcast.sock sent)
g1=$(count gateway-1 broadcast.sock received)
[ -n "$heard" ] && [ "$heard" -gt 0 ] || fail "the room heard nothing"
[ "$heard" = "$broadcast" ] || fail "the room heard $heard lines but broadcast $broadcast"
[ "$g1" = "$broadcast" ] || fail "gateway-1 received $g1 of $broadcast broadcasts"
echo "ok: the room heard $heard lines and broadcast all of them; gateway-1 received every one"
echo "ok: no gaps, drops or rejected frames on any binding"
