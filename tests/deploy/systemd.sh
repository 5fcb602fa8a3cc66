#!/bin/sh
# The deployment under a real systemd (ctest label `systemd`): the installed tree (`cmake
# --install` into a prefix, bound at /usr/local) in a container whose PID 1 is systemd, set up
# the way deploy/README.md says, with the shipped unit files. Only timings are shortened, with
# drop-ins (WatchdogSec, RestartSec). The container's /run is remounted noexec, as it is on a
# Debian host.
#
#   systemd.sh BUILD_DIR SOURCE_DIR CHATPROBE
#
# hale-serve@chat (examples/chat: a room and two gateways):
#   - `systemctl start` returns once serve sent READY=1 (timed), with every instance ready;
#     STATUS= names the deployment; lines relay across the gateways;
#   - a gateway killed with SIGKILL is restarted by serve (ctl status shows it);
#   - `hale ctl` works as the unit's user and is refused to another user;
#   - `systemctl reload` after a hale.toml edit replaces the changed gateways only;
#   - serve killed with SIGKILL is restarted by systemd and nothing it had started survives;
#   - serve stopped with SIGSTOP is killed by systemd's watchdog and restarted;
#   - `systemctl stop` drains in reverse start order, every drain line in the journal, inactive.
# hale-program@ (the room and a gateway as compiled programs of their own, DynamicUser=yes, the
# deployment key as a credential): READY=1, WATCHDOG=1 and STOPPING=1 come from the program's
# own pid; a program stopped with SIGSTOP is killed by the watchdog and restarted; a line
# relays through both.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
test_name="hale-sd"
. "$here/lib.sh" # takes BUILD_DIR SOURCE_DIR CHATPROBE from "$@"

units="hale-serve@chat hale-program@chat-room hale-program@chat-gateway"
show_journal() {
    [ -n "$(ct_pid sd)" ] || return 0
    for u in $units; do
        echo "--- journal of $u"
        ct sd journalctl -u "$u" --no-pager -o cat 2>/dev/null | grep -v \
            -e '^Failed to parse system call' -e 'mount_setattr' -e 'namespace mount' \
            -e 'made redundant' -e ': Failed to parse system call' | tail -n 40
    done
}
show_relays() {
    for f in "$work"/relay-*.out; do
        [ -f "$f" ] && echo "--- $(basename "$f"): $(cat "$f")"
    done
    show_journal
}
fail_hook=show_relays

prop() { ct sd systemctl show -p "$2" --value "$1"; }
journal() { ct sd journalctl -u "$1" --no-pager -o cat; }
# logged PATTERN JOURNALCTL-MATCHES...: PATTERN is in that part of the journal (-u UNIT, or
# _PID=PID: the lines one process wrote, which keeps one serve's lines apart from another's);
# kept in $work/journal. Lines from different sources may reach the journal out of order, so
# the checks select by unit and pid, never by position.
logged() {
    pattern=$1
    shift
    ct sd journalctl --no-pager -o cat "$@" >"$work/journal"
    grep -q -- "$pattern" "$work/journal"
}
# expect_log WHAT PATTERN MATCHES...: waits for it a little (the journal may lag behind).
expect_log() {
    what=$1
    shift
    wait_until 10 "$what" logged "$@"
}
conf=/etc/hale/chat/hale.toml
ctl_as() {
    u=$1
    shift
    ct sd runuser -u "$u" -- hale ctl "$conf" "$@"
}
status() { ctl_as hale status; }
inst_pid() { status | awk -v n="$1" '$1 == n { sub("pid=", "", $2); print $2 }'; }
ready_count() { status | grep -c 'state=ready' || true; }
all_ready() { [ "$(ready_count)" = 3 ]; }
# Every process under PID (itself included), inside the container.
descendants() {
    ct sd ps -e -o pid=,ppid= | awk -v top="$1" '
        { parent[$1] = $2 }
        END { for (p in parent) { q = p; while ((q in parent) && q != top && q > 1) q = parent[q];
                                  if (q == top) print p } }'
}
none_alive() {
    for p in "$@"; do
        ! ct sd kill -0 "$p" 2>/dev/null || return 1
    done
}
relay() { # relay PORT_A PORT_B ROOM [TIMEOUT_MS]: 50 lines each way through the room
    ct sd /opt/hale-test/chatprobe relay "$1" "$2" 50 "$3" "${4:-2000}" >"$work/relay-$3.out" 2>&1
}
# main_changed UNIT OLD: systemd runs the unit again, with a new main process, and it is active.
main_changed() {
    m=$(prop "$1" MainPID)
    [ "$m" != "$2" ] && [ "$m" != 0 ] && [ "$(prop "$1" ActiveState)" = active ]
}

echo "== the installed tree"
install_tree "$build"
hale="$work/prefix/bin/hale"
apps="$work/prefix/lib/hale/apps"
for p in room gateway; do
    "$hale" build "$src/examples/chat/$p.hl" -o "$apps/chat-$p" >>"$work/build.out" 2>&1 ||
        fail "hale build examples/chat/$p.hl: $(tail -n 5 "$work/build.out")"
done
[ -d "$work/prefix/include/hale" ] && [ -f "$work/prefix/lib/hale/libhale.a" ] ||
    fail "the installed tree lacks include/hale or lib/hale"
echo "ok: bin/hale, lib/hale, include/hale in $work/prefix; the chat programs in lib/hale/apps"

echo "== a machine with systemd as PID 1"
t=$(now_ns)
ct_boot sd --bind-ro="$work/prefix:/usr/local"
timing "container boot until systemd is running" "$t"
root=$(ct_root sd)
ct sd mount -o remount,noexec /run
ct sd systemctl log-level debug # the journal then names the sender of every notify message
mkdir -p "$root/opt/hale-test"
cp "$probe" "$root/opt/hale-test/chatprobe"
echo "ok: $(ct sd systemctl --version | head -n 1), /run noexec, /usr/local = the installed tree"

# ---- hale-serve@chat, step by step as deploy/README.md says ----------------------------------
echo "== hale-serve@chat: the deployment in /etc/hale/chat"
ct sd useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin hale
install -d "$root/etc/hale/chat"
(cd "$src/examples/chat" && cp -r hale.toml bus.toml room.hl gateway.hl chat "$root/etc/hale/chat/")
sed -i 's|^control = .*|control = "/run/hale-serve/chat/ctl.sock"|' "$root$conf"
ct sd hale keygen -o /etc/hale/chat/deploy.key >/dev/null
ct sd chown hale:hale /etc/hale/chat/deploy.key
install -m 644 "$src/deploy/systemd/hale-serve@.service" "$src/deploy/systemd/hale-program@.service" \
    "$root/etc/systemd/system/"
install -d "$root/etc/systemd/system/hale-serve@chat.service.d"
printf '[Service]\nWatchdogSec=3s\nRestartSec=200ms\n' \
    >"$root/etc/systemd/system/hale-serve@chat.service.d/test-timing.conf"
ct sd systemctl daemon-reload

t=$(now_ns)
ct sd systemctl start hale-serve@chat || fail "systemctl start hale-serve@chat failed"
timing "systemctl start hale-serve@chat (returns on READY=1)" "$t"
[ "$(prop hale-serve@chat ActiveState)" = active ] || fail "hale-serve@chat is not active"
all_ready || fail "start returned before every instance was ready: $(status)"
serve=$(prop hale-serve@chat MainPID)
expect_log "no READY=1 from serve (pid $serve)" \
    "Got notification message from PID $serve (READY=1" -u hale-serve@chat
expect_log "serve did not say all are up" "hale serve: all 3 instances of chat are up" _PID="$serve"
text=$(prop hale-serve@chat StatusText)
[ "$text" = "chat: 3 of 3 instances ready" ] || fail "STATUS= is '$text'"
echo "ok: active, READY=1 from serve (pid $serve), STATUS=$text"
ct sd test -S /run/hale-serve/chat/said.sock || fail "the room's socket is not in the runtime directory"
relay 7101 7102 sd1 || fail "relay across the gateways: $(cat "$work/relay-sd1.out")"
echo "ok: sockets in /run/hale-serve/chat; $(tr '\n' ' ' <"$work/relay-sd1.out")"

echo "== hale ctl: the unit's user, another user"
status >"$work/status" || fail "hale ctl as hale failed"
[ "$(grep -c 'state=ready' "$work/status")" = 3 ] || fail "ctl status: $(cat "$work/status")"
if ct sd setpriv --reuid=nobody --regid=nogroup --clear-groups hale ctl "$conf" stop \
    >"$work/ctl-nobody" 2>&1; then
    fail "hale ctl as nobody was obeyed"
fi
grep -qi 'permission denied' "$work/ctl-nobody" || fail "refusal says: $(cat "$work/ctl-nobody")"
[ "$(ready_count)" = 3 ] || fail "something stopped after nobody's ctl stop"
echo "ok: as hale it answers; as nobody: $(cat "$work/ctl-nobody")"

echo "== a gateway killed with SIGKILL is restarted by serve"
gw=$(inst_pid gateway-0)
t=$(now_ns)
ct sd kill -9 "$gw"
gw_back() { status | grep -q '^gateway-0 .*state=ready *restarts=1 ' && [ "$(inst_pid gateway-0)" != "$gw" ]; }
wait_until 30 "gateway-0 was not restarted" gw_back
timing "gateway-0 SIGKILLed until serve has it ready again" "$t"
expect_log "serve did not see the kill" "gateway-0 was killed by signal 9" _PID="$serve"
relay 7101 7102 sd2 || fail "relay after the restart: $(cat "$work/relay-sd2.out")"
echo "ok: $(status | grep '^gateway-0')"

echo "== systemctl reload after an edit: only what changed"
room=$(inst_pid room-0)
g0=$(inst_pid gateway-0)
g1=$(inst_pid gateway-1)
sed -i 's/CHAT_PORT_BASE = "7101" }/CHAT_PORT_BASE = "7101", CHAT_TAG = "v2" }/' "$root$conf"
grep -q 'CHAT_TAG = "v2"' "$root$conf" || fail "could not edit hale.toml"
t=$(now_ns)
ct sd systemctl reload hale-serve@chat || fail "systemctl reload failed"
reloaded() {
    all_ready && [ "$(inst_pid gateway-0)" != "$g0" ] && [ "$(inst_pid gateway-1)" != "$g1" ]
}
wait_until 30 "the changed gateways did not come back" reloaded
timing "systemctl reload until the changed gateways are ready" "$t"
expect_log "serve did not report the reload" \
    "reloaded $conf: 1 unchanged, 1 changed, 0 added, 0 removed" _PID="$serve"
both_stopped() {
    logged "gateway-[01] stopped" _PID="$serve" &&
        [ "$(grep -c 'gateway-[01] stopped' "$work/journal")" = 2 ]
}
wait_until 10 "the old gateways did not both stop" both_stopped
[ "$(inst_pid room-0)" = "$room" ] || fail "the room was restarted by a reload that did not touch it"
status | grep -q '^room-0 .*restarts=0 ' || fail "room-0: $(status | grep room-0)"
ct sd cat "/proc/$(inst_pid gateway-1)/environ" | tr '\0' '\n' | grep -qx 'CHAT_TAG=v2' ||
    fail "the new gateway-1 does not run with the new environment"
awk '/gateway-[01] stopped/ { print $3 }' "$work/journal" | tr '\n' ' ' >"$work/retired"
[ "$(cat "$work/retired")" = "gateway-1 gateway-0 " ] ||
    fail "the old gateways did not stop last-started first: $(cat "$work/retired")"
echo "ok: room-0 kept pid $room; gateways replaced ($g0 $g1 -> $(inst_pid gateway-0) $(inst_pid gateway-1))"

echo "== serve killed with SIGKILL: systemd restarts it, nothing of the old one survives"
old=$(descendants "$serve")
t=$(now_ns)
ct sd kill -9 "$serve"
wait_until 60 "systemd did not restart serve" main_changed hale-serve@chat "$serve"
timing "serve SIGKILLed until systemd has it active again (READY=1)" "$t"
# shellcheck disable=SC2086
wait_until 10 "processes of the killed serve survive: $old" none_alive $old
all_ready || fail "after the restart: $(status)"
echo "ok: serve $serve and its $(echo "$old" | wc -w) processes gone; new serve $(prop hale-serve@chat MainPID)"
serve=$(prop hale-serve@chat MainPID)

echo "== serve stopped with SIGSTOP: systemd's watchdog kills it"
old=$(descendants "$serve")
t=$(now_ns)
ct sd kill -STOP "$serve"
wait_until 60 "the watchdog did not replace the stopped serve" main_changed hale-serve@chat "$serve"
timing "serve SIGSTOPped until the watchdog had it restarted (WatchdogSec=3s)" "$t"
expect_log "no watchdog timeout in the journal" "Watchdog timeout" -u hale-serve@chat
expect_log "the watchdog did not kill serve $serve" \
    "Killing process $serve (hale) with signal SIGABRT" -u hale-serve@chat
# shellcheck disable=SC2086
wait_until 10 "processes of the hung serve survive: $old" none_alive $old
all_ready || fail "after the watchdog restart: $(status)"
serve=$(prop hale-serve@chat MainPID)
echo "ok: watchdog timeout, serve killed with SIGABRT, restarted as $serve"

echo "== systemctl stop drains in reverse start order"
t=$(now_ns)
ct sd systemctl stop hale-serve@chat || fail "systemctl stop failed"
timing "systemctl stop hale-serve@chat (drain)" "$t"
[ "$(prop hale-serve@chat ActiveState)" = inactive ] || fail "not inactive after stop"
expect_log "no STOPPING=1 from serve" \
    "Got notification message from PID $serve (STOPPING=1)" -u hale-serve@chat
expect_log "the room's drain line is not in the journal" \
    '^room-0 | room service drained' _PID="$serve"
expect_log "serve did not log room-0's end" '^hale serve: room-0 stopped' _PID="$serve"
order=$(sed -n 's/^hale serve: \(.*\) stopped (exited with status 0)$/\1/p' "$work/journal" | tr '\n' ' ')
[ "$order" = "gateway-1 gateway-0 room-0 " ] || fail "drain order: '$order'"
for n in gateway-1 gateway-0; do
    grep -q "^$n | gateway $n drained" "$work/journal" || fail "no drain line from $n"
done
echo "ok: inactive; stopped in order: $order; drain lines of room-0, gateway-0, gateway-1"

# ---- hale-program@: the programs on their own, DynamicUser, the key as a credential ----------
echo "== hale-program@chat-room and @chat-gateway"
ct sd hale keygen -o /etc/hale/deploy.key >/dev/null
install -D -m 644 "$src/deploy/systemd/hale-program-key.conf" \
    "$root/etc/systemd/system/hale-program@.service.d/key.conf"
printf '[Service]\nWatchdogSec=2s\nRestartSec=200ms\n' \
    >"$root/etc/systemd/system/hale-program@.service.d/test-timing.conf"
printf 'CHAT_PORT=7301\nHALE_BUS_CONFIG=/etc/hale/chat-gateway.toml\n' >"$root/etc/hale/chat-gateway.env"
cat >"$root/etc/hale/chat-gateway.toml" <<'EOF'
[bus.routes."chat.said"]
url = "ipc:///run/hale/chat-room/said.sock"
[bus.routes."chat.broadcast"]
url = "ipc:///run/hale/chat-room/broadcast.sock"
EOF
ct sd systemctl daemon-reload
t=$(now_ns)
ct sd systemctl start hale-program@chat-room || fail "systemctl start hale-program@chat-room failed"
timing "systemctl start hale-program@chat-room (READY=1)" "$t"
ct sd systemctl start hale-program@chat-gateway || fail "systemctl start hale-program@chat-gateway failed"
prog=$(prop hale-program@chat-room MainPID)
uid=$(ct sd ps -o uid= -p "$prog" | tr -d ' ')
[ "$uid" -ge 61184 ] && [ "$uid" -le 65519 ] || fail "the room runs as uid $uid, not a dynamic user"
ct sd cat "/proc/$prog/environ" | tr '\0' '\n' |
    grep -qx 'HALE_KEY_FILE=/run/credentials/hale-program@chat-room.service/deploy.key' ||
    fail "the key does not come from the credentials directory"
relay 7301 7301 prog1 || fail "relay through the programs: $(cat "$work/relay-prog1.out")"
expect_log "no READY=1 from the program (pid $prog)" \
    "Got notification message from PID $prog (READY=1" -u hale-program@chat-room
expect_log "no WATCHDOG=1 from the program (pid $prog)" \
    "Got notification message from PID $prog (WATCHDOG=1" -u hale-program@chat-room
echo "ok: the room runs as dynamic uid $uid with its key from a credential; READY=1 and WATCHDOG=1 from pid $prog; $(head -n 1 "$work/relay-prog1.out")"

echo "== a program stopped with SIGSTOP: the watchdog kills it, systemd restarts it"
t=$(now_ns)
ct sd kill -STOP "$prog"
wait_until 60 "the hung program was not replaced" main_changed hale-program@chat-room "$prog"
timing "program SIGSTOPped until restarted (WatchdogSec=2s)" "$t"
expect_log "no watchdog timeout for the program" "Watchdog timeout" -u hale-program@chat-room
expect_log "the watchdog did not kill the program" \
    "Killing process $prog (chat-room) with signal SIGABRT" -u hale-program@chat-room
prog=$(prop hale-program@chat-room MainPID)
relay_again() { relay 7301 7301 prog2 500; }
t=$(now_ns)
wait_until 30 "no relay through the restarted room" relay_again
timing "relay through the gateway again after the room's restart" "$t"
echo "ok: killed by the watchdog, restarted as $prog, lines relay again"

echo "== systemctl stop: STOPPING=1 from the program"
ct sd systemctl stop hale-program@chat-gateway hale-program@chat-room || fail "systemctl stop failed"
for u in hale-program@chat-gateway hale-program@chat-room; do
    [ "$(prop "$u" ActiveState)" = inactive ] || fail "$u is $(prop "$u" ActiveState) after stop"
done
expect_log "the room's drain line is not in the journal" 'room service drained' _PID="$prog"
expect_log "no STOPPING=1 from the program (pid $prog)" \
    "Got notification message from PID $prog (STOPPING=1)" -u hale-program@chat-room
echo "ok: STOPPING=1 from pid $prog, drained, inactive"

timing "the whole test" "$t_test"
timings
