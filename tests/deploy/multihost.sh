#!/bin/sh
# The chat deployment across hosts (ctest label `multihost`), following the section "Several
# hosts" of deploy/README.md step for step; its configuration blocks (hale.toml, bus.toml and
# the firewall of each kind of host) are read from that file. Three hosts, each a container
# with systemd as PID 1 and a network namespace of its own, joined by veth pairs on a switch
# (a bridge in the room host's namespace):
#
#   room   10.20.0.1   hale-serve@chat: the room, listening on 7200/7201 (sealed TCP)
#   gate   10.20.0.2   hale-serve@chat: two gateways, dialling the room
#   rogue  10.20.0.3   the same as gate, with another deployment's key
#
#   multihost.sh BUILD_DIR SOURCE_DIR CHATPROBE
#
# Checks: a round trip through the room across hosts; the room host's serve killed with SIGKILL
# is restarted by systemd and round trips work again without anyone's help; the link between
# gate and the room cut for 3 s while a client publishes the whole time, then healed: every line
# arrives at most once, in order and intact, the ones that did not arrive are no more than the
# drops and gaps the bus counted, and the stream recovers by itself; rogue's frames are refused
# and counted on both sides while gate carries on. Prints how long each recovery took.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
test_name="hale-mh"
. "$here/lib.sh" # takes BUILD_DIR SOURCE_DIR CHATPROBE from "$@"
readme="$src/deploy/README.md"
hosts="room gate rogue"

show_journals() {
    for h in $hosts; do
        [ -n "$(ct_pid "$h")" ] || continue
        echo "--- journal of hale-serve@chat on $h"
        ct "$h" journalctl -u hale-serve@chat --no-pager -o cat 2>/dev/null | grep -v \
            -e 'Failed to parse system call' -e 'mount_setattr' -e 'hale-bus topic' | tail -n 30
    done
    for f in "$work"/*.out; do
        [ -f "$f" ] && echo "--- $(basename "$f")" && tail -n 20 "$f"
    done
}
fail_hook=show_journals
bg_pids=""
stop_clients() {
    for p in $bg_pids; do
        kill -9 "$p" 2>/dev/null || true
    done
}
ct_exit_hook=stop_clients

# readme_block TITLE: the fenced block of deploy/README.md whose first line is "# TITLE".
readme_block() {
    awk -v title="# $1" '
        /^```/ { if (inside) { if (found) exit; inside = 0 } else { inside = 1; first = 1 }; next }
        inside && first { first = 0; found = ($0 == title) }
        inside && found { print }' "$readme"
}
put_block() { # put_block HOST TITLE PATH
    readme_block "$2" >"$work/block"
    [ -s "$work/block" ] || fail "deploy/README.md has no block '# $2'"
    cp "$work/block" "$(ct_root "$1")$3"
}
prop() { ct "$1" systemctl show -p "$3" --value "$2"; }
status() { ct "$1" runuser -u hale -- hale ctl /etc/hale/chat/hale.toml status; }
ready_count() { status "$1" | grep -c 'state=ready' || true; }
main_changed() { # main_changed HOST OLD-PID
    m=$(prop "$1" hale-serve@chat MainPID)
    [ "$m" != "$2" ] && [ "$m" != 0 ] && [ "$(prop "$1" hale-serve@chat ActiveState)" = active ]
}
relay() { # relay HOST PORT_A PORT_B NAME TIMEOUT_MS: chatprobe in HOST's network
    ct_net "$1" "$probe" relay "$2" "$3" 50 "$4" "$5" >"$work/relay-$4.out" 2>&1
}
# counter HOST INSTANCE URL-PART FIELD: from the bus counters INSTANCE dumped when it stopped.
counter() {
    grep "^$2 | hale-bus binding url=$3 " "$work/journal-$1" | tail -n 1 |
        sed -n "s/.* $4=\([0-9]*\).*/\1/p"
}

echo "== the installed tree and three hosts"
install_tree "$build"
t=$(now_ns)
for h in $hosts; do
    ct_boot "$h" --bind-ro="$work/prefix:/usr/local"
done
timing "three containers booted (systemd running in each)" "$t"
# The network: a switch in the room host's namespace, one veth pair per gateway host.
ct_net room ip link add sw type bridge
ct_net room ip addr add 10.20.0.1/24 dev sw
ct_net room ip link set sw up
n=2
for h in gate rogue; do
    ip link add "to-$h" netns "$(ct_pid room)" type veth peer name eth0 netns "$(ct_pid "$h")"
    ct_net room ip link set "to-$h" master sw up
    ct_net "$h" ip addr add "10.20.0.$n/24" dev eth0
    ct_net "$h" ip link set eth0 up
    n=$((n + 1))
done
echo "ok: room 10.20.0.1, gate 10.20.0.2, rogue 10.20.0.3"

echo "== README step 1: one key for every host (rogue gets another deployment's)"
"$work/prefix/bin/hale" keygen -o "$work/deploy.key" >/dev/null
"$work/prefix/bin/hale" keygen -o "$work/other.key" >/dev/null
for h in $hosts; do
    root=$(ct_root "$h")
    ct "$h" useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin hale
    install -d "$root/etc/hale/chat"
    if [ "$h" = rogue ]; then cp "$work/other.key" "$root/root/deploy.key"; else
        cp "$work/deploy.key" "$root/root/deploy.key"
    fi
    ct "$h" install -o hale -g hale -m 600 /root/deploy.key /etc/hale/chat/
done

echo "== README steps 2 and 3: each host's hale.toml, bus.toml and firewall"
for h in $hosts; do
    kind="gateway host"
    program=gateway.hl
    if [ "$h" = room ]; then
        kind="room host"
        program=room.hl
    fi
    root=$(ct_root "$h")
    (cd "$src/examples/chat" && cp -r "$program" chat "$root/etc/hale/chat/")
    put_block "$h" "$kind: /etc/hale/chat/hale.toml" /etc/hale/chat/hale.toml
    put_block "$h" "$kind: /etc/hale/chat/bus.toml" /etc/hale/chat/bus.toml
    put_block "$h" "$kind: /etc/hale/chat/firewall.nft" /etc/hale/chat/firewall.nft
    ct "$h" nft -f /etc/hale/chat/firewall.nft || fail "nft -f on $h failed"
done
echo "ok: configuration from deploy/README.md; firewalls up (policy drop)"

echo "== README step 4: one hale-serve@chat per host, the room host first"
for h in $hosts; do
    root=$(ct_root "$h")
    install -m 644 "$src/deploy/systemd/hale-serve@.service" "$root/etc/systemd/system/"
    install -d "$root/etc/systemd/system/hale-serve@chat.service.d"
    printf '[Service]\nRestartSec=200ms\n' \
        >"$root/etc/systemd/system/hale-serve@chat.service.d/test-timing.conf"
    ct "$h" systemctl daemon-reload
done
for h in $hosts; do
    t=$(now_ns)
    ct "$h" systemctl start hale-serve@chat || fail "systemctl start hale-serve@chat on $h failed"
    timing "systemctl start hale-serve@chat on $h" "$t"
done
[ "$(ready_count room)" = 1 ] && [ "$(ready_count gate)" = 2 ] && [ "$(ready_count rogue)" = 2 ] ||
    fail "not every instance is ready"

echo "== a round trip across hosts"
t=$(now_ns)
relay gate 7101 7102 mh1 2000 || fail "round trip gate -> room -> gate"
timing "first round trip across hosts (50 lines each way)" "$t"
echo "ok: $(cat "$work/relay-mh1.out")"

echo "== the room host's serve killed with SIGKILL"
serve=$(prop room hale-serve@chat MainPID)
t=$(now_ns)
ct room kill -9 "$serve"
wait_until 60 "systemd did not restart the room host's serve" main_changed room "$serve"
timing "room host's serve SIGKILLed until systemd had it ready again" "$t"
relay_ok() { relay gate 7101 7102 mh2 500; }
wait_until 60 "no round trip after the room host's restart" relay_ok
timing "room host's serve SIGKILLed until round trips work again" "$t"
echo "ok: $(cat "$work/relay-mh2.out"); gate: $(status gate | awk '{ print $1, $4 }' | tr '\n' ' ')"

echo "== the link gate-room cut for 3s and healed while pub says 200 lines/s"
# Fresh gateways (hale ctl restart), so their counters cover this stream and nothing before it.
ct gate runuser -u hale -- hale ctl /etc/hale/chat/hale.toml restart gateway >/dev/null ||
    fail "hale ctl restart gateway on gate failed"
fresh() { status gate | grep -c 'state=ready *restarts=1 ' | grep -qx 2; }
wait_until 30 "gate's gateways did not come back from hale ctl restart" fresh
nsenter -t "$(ct_pid gate)" -n "$probe" stream 7101 7102 mhs 200 >"$work/stream.out" 2>&1 &
stream_pid=$!
bg_pids="$stream_pid"
sleep 1 # lines flow before the cut
ct_net room ip link set to-gate down
kill -USR1 "$stream_pid" || fail "the stream client ended before the cut"
sleep 3
ct_net room ip link set to-gate up
kill -USR2 "$stream_pid" || fail "the stream client ended during the cut"
stream_done() { ! kill -0 "$stream_pid" 2>/dev/null; }
wait_until 90 "the stream did not finish" stream_done
rc=0
wait "$stream_pid" || rc=$?
cat "$work/stream.out"
[ "$rc" = 0 ] || fail "the stream saw a line twice, out of order or malformed, or never recovered"
result=$(grep '^result ' "$work/stream.out")
field() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(field twice)" = 0 ] && [ "$(field out_of_order)" = 0 ] && [ "$(field malformed)" = 0 ] ||
    fail "lines arrived twice, out of order or malformed: $result"
ms() { echo "$1" | awk '{ printf "%.3f", $1 / 1000 }'; }
record "after the heal, until the first line came through" "$(ms "$(field first_ms)")"
record "after the heal, until a line said after it came through (recovered)" \
    "$(ms "$(field caught_up_ms)")"

echo "== rogue, with another key, is refused while gate carries on"
nsenter -t "$(ct_pid rogue)" -n "$probe" relay 7101 7102 5 mhr 1500 >"$work/relay-mhr.out" 2>&1 &
rogue_pid=$!
bg_pids="$rogue_pid"
relay gate 7101 7102 mh3 2000 || fail "gate's round trip while rogue talks"
rc=0
wait "$rogue_pid" || rc=$?
[ "$rc" != 0 ] || fail "rogue's lines made a round trip with the wrong key"
room_refused() {
    ct room journalctl -u hale-serve@chat -o cat >"$work/journal-room-live"
    grep -q "dropped a frame from tcp 10.20.0.3:[0-9]* on tcp://0.0.0.0:7200: bad_seal" \
        "$work/journal-room-live"
}
wait_until 10 "the room did not log rogue's refused frames" room_refused
echo "ok: gate: $(cat "$work/relay-mh3.out"); rogue: $(cat "$work/relay-mhr.out")"
echo "ok: room: $(grep -m 1 "dropped a frame from tcp 10.20.0.3" "$work/journal-room-live" | sed 's/^[^|]*| //')"

echo "== stop every host; the counters"
for h in rogue gate room; do
    t=$(now_ns)
    ct "$h" systemctl stop hale-serve@chat || fail "systemctl stop on $h failed"
    timing "systemctl stop hale-serve@chat on $h" "$t"
    [ "$(prop "$h" hale-serve@chat ActiveState)" = inactive ] || fail "$h is not inactive"
done
# dumped HOST INSTANCE...: serve logged every INSTANCE's end at this stop, which comes after
# the counters the instance wrote as it ended (the journal may lag a little).
dumped() {
    h=$1
    shift
    ct "$h" journalctl -u hale-serve@chat -o cat >"$work/journal-$h"
    for i in "$@"; do
        grep -q "^hale serve: $i stopped (exited with status 0)" "$work/journal-$h" || return 1
    done
}
wait_until 10 "no counters from the room" dumped room room-0
wait_until 10 "no counters from gate's gateways" dumped gate gateway-0 gateway-1
wait_until 10 "no counters from rogue's gateways" dumped rogue gateway-0 gateway-1
said_dropped=$(counter gate gateway-0 tcp://10.20.0.1:7200 send_dropped)
sub_gaps=$(counter gate gateway-1 tcp://10.20.0.1:7201 lost_gap)
pub_gaps=$(counter gate gateway-0 tcp://10.20.0.1:7201 lost_gap)
room_dropped=$(counter room room-0 tcp://0.0.0.0:7201 send_dropped)
room_bad=$(counter room room-0 tcp://0.0.0.0:7200 rejected_bad_seal)
rogue_bad=$(counter rogue gateway-0 tcp://10.20.0.1:7201 rejected_bad_seal)
for v in said_dropped sub_gaps pub_gaps room_dropped room_bad rogue_bad; do
    eval "[ -n \"\$$v\" ]" || fail "no counter for $v in the journals"
done
echo "counted: gateway-0 said send_dropped=$said_dropped; broadcast lost_gap gateway-1=$sub_gaps" \
    "gateway-0=$pub_gaps; room broadcast send_dropped=$room_dropped"
sub_missing=$(field sub_missing)
pub_missing=$(field pub_missing)
[ "$sub_missing" -le $((said_dropped + sub_gaps + room_dropped)) ] ||
    fail "sub missed $sub_missing lines but the bus counted $((said_dropped + sub_gaps + room_dropped))"
[ "$pub_missing" -le $((said_dropped + pub_gaps + room_dropped)) ] ||
    fail "pub missed $pub_missing lines but the bus counted $((said_dropped + pub_gaps + room_dropped))"
bad=$(grep '| hale-bus binding ' "$work/journal-gate" | grep -E ' rejected_[a-z_]*=[1-9]' || true)
[ -z "$bad" ] || fail "gate rejected frames (corrupted?): $bad"
[ "$room_bad" -gt 0 ] || fail "the room counted no bad seals from rogue"
[ "$rogue_bad" -gt 0 ] || fail "rogue counted no bad seals from the room"
echo "ok: missing lines (sub $sub_missing, pub $pub_missing) within what the bus counted;" \
    "nothing rejected on gate; bad seals counted: room $room_bad, rogue $rogue_bad"

timing "the whole test" "$t_test"
timings
