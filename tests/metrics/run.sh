#!/bin/sh
# Metrics where operators look, checked against what happened: the chat deployment
# (examples/chat: a room service and two gateways) under `hale serve` with `[serve] metrics` and
# every program's HALE_METRICS on free ports, driven by examples/loadgen.
#
#   run.sh HALE EXPO_CHECK PNG_CHECK TP_HOSTILE WORKDIR [SECONDS]
#
# Asserts:
#  - the checkers themselves: expo_check rejects every broken exposition in bad/ with the
#    expected message and reads good.prom; png_check rejects a blank image;
#  - every scrape (serve's and each program's) is the 0.0.4 text format and passes the strict
#    parser (and promtool's check, when Debian's prometheus package is installed);
#  - at rest: every instance up and ready, no restarts, no exit yet, its pid the one `hale ctl
#    status` shows, its RSS from /proc; the gateways' links to the room up;
#  - a clean load run: the lines the gateways published, the room received and delivered and
#    broadcast all equal loadgen's `sent`; every line said came back (`received`); the gateways'
#    Member deliveries cover everything the clients read; one Conn and one Member locus per
#    connection loadgen made, none alive afterwards; the transport's frames and bytes agree;
#  - a gateway killed with SIGKILL under load: serve shows restarts_total 1 for it with reason
#    signal (and no other reason), last exit 137 / signal 9, one restart in the intensity window,
#    a new pid and a fresh uptime; the other gateway untouched; the room saw a link go down;
#  - the load report: one HTML file with no script and nothing fetched, opened in headless
#    Chromium: five SVG charts with their lines and the kill and restart marked in the DOM, and
#    a screenshot that is not blank;
#  - a hostile peer's frames (tests/transport/hostile.c) at the room: counted on its /metrics
#    under their reasons;
#  - the room killed: restarted for a signal, and both gateways' links counted as reconnects.
set -eu
hale=$1
expo=$2
pngc=$3
hostile=$4
work=$5
seconds=${6:-4}
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
    echo "--- serve stderr"; grep -v hale-bus "$work/chat/serve.err" 2>/dev/null | tail -40 || true
    exit 1
}

# -- the checkers
for f in "$here"/bad/*.prom; do
    want=$(cat "${f%.prom}.err")
    if "$expo" check "$f" >/dev/null 2>"$work/why"; then
        fail "expo_check accepted $(basename "$f")"
    fi
    grep -qF -- "$want" "$work/why" || fail "$(basename "$f"): expected '$want', got '$(cat "$work/why")'"
done
"$expo" check "$here/good.prom" >/dev/null || fail "expo_check refused good.prom"
[ "$("$expo" value "$here/good.prom" 'requests_total{code="200",method="get"}')" = 1027 ] ||
    fail "expo_check read the wrong value"
[ "$("$expo" value "$here/good.prom" 'disk_path_seconds{note="said \"hi\"\nthen left",path="D:\\logs\\a.txt"}')" = 1712.5 ] ||
    fail "expo_check did not unescape label values"
[ "$("$expo" sum "$here/good.prom" requests_total method=get)" = 1030 ] ||
    fail "expo_check summed wrongly"
[ "$("$expo" count "$here/good.prom" wait_seconds_bucket)" = 2 ] || fail "expo_check counted wrongly"
"$pngc" --write-blank "$work/blank.png" 400 300
"$pngc" --write-stripes "$work/stripes.png" 400 300
if "$pngc" "$work/blank.png" 1 8 >/dev/null; then fail "png_check passed a blank image"; fi
"$pngc" "$work/stripes.png" 1 8 >/dev/null || fail "png_check refused a striped image"
echo "ok: expo_check refuses $(ls "$here"/bad/*.prom | wc -l) broken expositions; png_check refuses a blank image"

chromium=$(command -v chromium || true)
[ -n "$chromium" ] || fail "chromium is not installed (deploy/install-deps.sh installs it)"
promtool=$(command -v promtool || true)

# checked FILE: the strict parser, then promtool when there is one
checked() {
    "$expo" check "$1" >/dev/null 2>"$work/why" || fail "$(cat "$work/why")"
    if [ -n "$promtool" ]; then
        "$promtool" check metrics <"$1" >"$work/promtool.out" 2>&1 ||
            fail "promtool check metrics $1: $(cat "$work/promtool.out")"
    fi
}
# scrape NAME ADDR: fetched, checked, kept in $work/NAME.prom
scrape() {
    "$expo" scrape "$2" "$work/$1.prom" 2>"$work/why" || fail "scraping $1 at $2: $(cat "$work/why")"
    checked "$work/$1.prom"
}
val() { # val NAME SERIES
    "$expo" value "$work/$1.prom" "$2" 2>"$work/why" || fail "$1: $(cat "$work/why")"
}
sum() { # sum NAME METRIC [K=V...]
    n=$1
    shift
    "$expo" sum "$work/$n.prom" "$@"
}
# settle NAME WANT METRIC [K=V...]: scrapes NAME again until the sum is WANT (10 s at most),
# for what another process learns a moment later (a peer's link seen by its listener)
settle() {
    s_name=$1
    s_want=$2
    shift 2
    s_tries=0
    until [ "$(sum "$s_name" "$@")" = "$s_want" ]; do
        s_tries=$((s_tries + 1))
        [ $s_tries -le 100 ] || fail "$s_name: $* is $(sum "$s_name" "$@"), not $s_want"
        sleep 0.1
        scrape "$s_name" "$(addr_of "$s_name")"
    done
}

# -- a private copy of the deployment: its own sockets, key, control socket and ports; metrics
#    on ports the kernel picks (each process says which on stderr)
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
base=$((12000 + ($$ % 500) * 20))
[ $((base + 2)) -lt "$low" ] || base=12000
p0=$base
p1=$((base + 1))
cp -r "$examples/chat" "$work/chat"
rm -f "$work/chat"/*.sock "$work/chat/deploy.key" "$work/chat/serve.ctl"
conf="$work/chat/hale.toml"
sed -i -e "s/CHAT_PORT_BASE = \"[0-9]*\"/CHAT_PORT_BASE = \"$base\"/" \
    -e 's/env = { HALE_BUS_CONFIG/env = { HALE_METRICS = "127.0.0.1:0", HALE_BUS_CONFIG/' \
    -e 's/^\[serve\]$/[serve]\nmetrics = "127.0.0.1:0"/' "$conf"
grep -q "CHAT_PORT_BASE = \"$base\"" "$conf" || fail "could not set the port base in hale.toml"
[ "$(grep -c 'HALE_METRICS = "127.0.0.1:0"' "$conf")" = 2 ] || fail "could not set HALE_METRICS"
"$hale" keygen -o "$work/chat/deploy.key" >/dev/null
"$hale" build "$examples/loadgen" -o "$work/loadgen"
ctl() { "$hale" ctl "$conf" "$@"; }
pid_of() { ctl status | awk -v n="$1" '$1 == n { sub("pid=", "", $2); print $2 }'; }
# addr_of NAME [NTH]: the address the NTH (default last) process of NAME announced
addr_of() {
    if [ "$1" = serve ]; then
        sed -n 's#^hale serve: metrics on http://\(.*\)/metrics$#\1#p' "$work/chat/serve.err" | tail -1
    else
        sed -n "s#^$1 | hale: metrics on http://\(.*\)/metrics\$#\1#p" "$work/chat/serve.err" | tail -1
    fi
}

"$hale" serve "$conf" >"$work/chat/serve.out" 2>"$work/chat/serve.err" &
serve_pid=$!
i=0
until [ "$(ctl status 2>/dev/null | grep -c 'state=ready')" = 3 ]; do
    i=$((i + 1))
    [ $i -le 1800 ] || fail "not every instance became ready in 180s"
    kill -0 "$serve_pid" 2>/dev/null || fail "serve exited before the deployment was up"
    sleep 0.1
done
for n in serve room-0 gateway-0 gateway-1; do
    [ -n "$(addr_of $n)" ] || fail "$n did not say where its metrics are"
done

# -- at rest
scrape serve "$(addr_of serve)"
for n in room-0 gateway-0 gateway-1; do
    p=${n%-*}
    l="name=\"$n\",process=\"$p\""
    [ "$(val serve "hale_serve_instance_up{$l}")" = 1 ] || fail "$n is not up"
    [ "$(val serve "hale_serve_instance_ready{$l}")" = 1 ] || fail "$n is not ready"
    [ "$(val serve "hale_serve_instance_restarts_total{$l}")" = 0 ] || fail "$n restarted"
    [ "$(val serve "hale_serve_instance_last_exit_status{$l}")" = -1 ] || fail "$n has an exit"
    [ "$(val serve "hale_serve_instance_pid{$l}")" = "$(pid_of $n)" ] || fail "$n: wrong pid"
    [ "$(val serve "hale_serve_instance_resident_memory_bytes{$l}")" -gt 1000000 ] ||
        fail "$n: no RSS"
    [ "$(sum serve hale_serve_instance_restarts_by_reason_total name=$n)" = 0 ] ||
        fail "$n has restarts by some reason"
done
[ "$(val serve 'hale_serve_instances{deployment="chat"}')" = 3 ] || fail "not 3 instances"
[ "$(val serve 'hale_serve_instances_ready{deployment="chat"}')" = 3 ] || fail "not 3 ready"
[ "$(val serve 'hale_serve_restarts_in_window{deployment="chat"}')" = 0 ] || fail "restarts in window"
[ "$(val serve 'hale_serve_max_restarts{deployment="chat"}')" = 10 ] || fail "max_restarts"
[ "$(val serve 'hale_serve_restart_window_seconds{deployment="chat"}')" = 30 ] || fail "within"
for n in room-0 gateway-0 gateway-1; do
    scrape $n "$(addr_of $n)"
done
for g in gateway-0 gateway-1; do
    settle $g 2 hale_transport_peers # its two links to the room
    [ "$(val $g 'hale_loci_alive{type="Gateway"}')" = 1 ] || fail "$g: no Gateway locus"
done
settle room-0 4 hale_transport_peers # both gateways' links to both of its sockets
echo "ok: at rest, serve and all three programs serve checked metrics; everything up, ready, linked"

# -- an address already taken refuses the start, naming it: a program's, and serve's
taken=$(addr_of serve)
rc=0
HALE_METRICS=$taken "$work/loadgen" --duration 0 >"$work/taken.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a program with a taken metrics address exited $rc"
grep -q "^hale: HALE_METRICS: metrics address '$taken': cannot listen: Address already in use\$" \
    "$work/taken.out" || fail "a program's taken address: $(cat "$work/taken.out")"
mkdir -p "$work/other"
printf '[serve]\nname = "other"\ncontrol = "other.ctl"\nmetrics = "%s"\n[[serve.process]]\nname = "sleeper"\nexec = ["/bin/sleep", "60"]\n' \
    "$taken" >"$work/other/hale.toml"
rc=0
"$hale" serve "$work/other/hale.toml" >"$work/other/out" 2>"$work/other/err" || rc=$?
[ "$rc" = 1 ] || fail "serve with a taken metrics address exited $rc"
grep -q "^hale serve: metrics address '$taken': cannot listen: Address already in use\$" \
    "$work/other/err" || fail "serve's taken address: $(cat "$work/other/err")"
if grep -q 'sleeper-0 started' "$work/other/err"; then fail "serve started a process anyway"; fi
echo "ok: a taken metrics address stops a program and serve (exit 1, naming it) before they start"

# -- a clean load run: the counters against loadgen's table
ctl status >"$work/pids"
"$work/loadgen" --target "127.0.0.1:$p0,127.0.0.1:$p1" --duration $(( (seconds + 1) / 2 )) \
    --rate 50 --concurrency 50 --messages 5 --think 40 --rooms 4 --timeout 10000 \
    --pids "$work/pids" >"$work/load1.out" ||
    { cat "$work/load1.out"; fail "loadgen exited non-zero"; }
cat "$work/load1.out"
set -- $(awk '$1 == "messages" { print $3, $5, $7, $11 }' "$work/load1.out")
sent=$1 received=$2 lost=$3 heard=$4
set -- $(awk '$1 == "connections" { print $3, $5, $7 }' "$work/load1.out")
opened=$1 connected=$2 completed=$3
errors=$(awk '$1 == "errors" { print $2 }' "$work/load1.out")
[ "$sent" -gt 0 ] || fail "loadgen said nothing"
[ "$errors" = 0 ] && [ "$lost" = 0 ] && [ "$received" = "$sent" ] ||
    fail "the clean run had errors or lost lines"
[ "$completed" = "$connected" ] && [ "$connected" = "$opened" ] || fail "connections did not all complete"
# the last broadcasts may still be on their way to members whose clients have gone: wait until
# the room has delivered and broadcast all it heard and the gateways' Conn loci are gone
i=0
while :; do
    for n in room-0 gateway-0 gateway-1; do scrape $n "$(addr_of $n)"; done
    heard_room=$(val room-0 'hale_bus_delivered_total{topic="chat.said"}')
    conns=$(( $(val gateway-0 'hale_loci_alive{type="Conn"}') + $(val gateway-1 'hale_loci_alive{type="Conn"}') ))
    [ "$heard_room" = "$sent" ] && [ "$conns" = 0 ] && break
    i=$((i + 1))
    [ $i -le 300 ] || fail "the room delivered $heard_room of $sent lines; $conns Conn loci alive"
    sleep 0.1
done
said=$(( $(val gateway-0 'hale_bus_published_total{topic="chat.said"}') + $(val gateway-1 'hale_bus_published_total{topic="chat.said"}') ))
[ "$said" = "$sent" ] || fail "the gateways published $said lines, loadgen sent $sent"
[ "$(val room-0 'hale_bus_received_total{topic="chat.said"}')" = "$sent" ] ||
    fail "the room received $(val room-0 'hale_bus_received_total{topic="chat.said"}') of $sent lines"
[ "$(val room-0 'hale_bus_published_total{topic="chat.broadcast"}')" = "$sent" ] ||
    fail "the room broadcast $(val room-0 'hale_bus_published_total{topic="chat.broadcast"}') of $sent"
said_url=$(sed -n 's/^hale_transport_frames_received_total{url="\([^"]*said[^"]*\)".*/\1/p' "$work/room-0.prom")
[ "$(val room-0 "hale_transport_frames_received_total{url=\"$said_url\",role=\"listen\"}")" = "$sent" ] ||
    fail "the room's said binding received another count than $sent"
frames_out=$(( $(sum gateway-0 hale_transport_topic_frames_sent_total topic=chat.said) + $(sum gateway-1 hale_transport_topic_frames_sent_total topic=chat.said) ))
[ "$frames_out" = "$sent" ] || fail "the gateways sent $frames_out frames of said lines, not $sent"
bytes_in=$(val room-0 "hale_transport_bytes_received_total{url=\"$said_url\",role=\"listen\"}")
[ "$bytes_in" -gt $((sent * 60)) ] || fail "the room received $bytes_in bytes for $sent frames"
delivered=$(( $(val gateway-0 'hale_bus_delivered_total{topic="chat.broadcast"}') + $(val gateway-1 'hale_bus_delivered_total{topic="chat.broadcast"}') ))
[ "$delivered" -ge $((received + heard)) ] ||
    fail "members got $delivered broadcasts but clients read $((received + heard))"
conn_made=$(( $(val gateway-0 'hale_loci_created_total{type="Conn"}') + $(val gateway-1 'hale_loci_created_total{type="Conn"}') ))
members=$(( $(val gateway-0 'hale_loci_created_total{type="Member"}') + $(val gateway-1 'hale_loci_created_total{type="Member"}') ))
[ "$conn_made" = "$connected" ] && [ "$members" = "$connected" ] ||
    fail "$conn_made Conn and $members Member loci for $connected connections"
[ "$(sum gateway-0 hale_loci_alive type=Member)" = 0 ] || fail "Member loci left on gateway-0"
for n in room-0 gateway-0 gateway-1; do
    [ "$(sum $n hale_transport_frames_rejected_total)" = 0 ] || fail "$n rejected frames"
    [ "$(sum $n hale_transport_frames_lost_total)" = 0 ] || fail "$n lost frames"
done
echo "ok: loadgen sent $sent lines on $connected connections; the gateways published $said, the room received, delivered and broadcast $sent; $conn_made Conn loci, none left"

# -- a gateway killed under load, with the report written
: >"$work/events"
ctl status >"$work/pids"
"$work/loadgen" --target "127.0.0.1:$p0,127.0.0.1:$p1" --duration "$seconds" --rate 50 \
    --concurrency 50 --messages 5 --think 10 --rooms 4 --pids "$work/pids" \
    --events "$work/events" --report "$work/report.html" >"$work/load2.out" &
load_pid=$!
sleep $((seconds / 3))
victim=$(pid_of gateway-0)
[ -n "$victim" ] || fail "no pid for gateway-0"
echo "kill -9 gateway-0 (pid $victim)" >>"$work/events"
kill -9 "$victim"
i=0
until ctl status | grep -q '^gateway-0 .*state=ready *restarts=1 '; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "gateway-0 was not restarted: $(ctl status | grep gateway-0)"
    sleep 0.1
done
ctl status >"$work/pids"
wait "$load_pid" || { cat "$work/load2.out"; fail "loadgen exited non-zero"; }
cat "$work/load2.out"
grep -q "^loadgen: report written to $work/report.html\$" "$work/load2.out" || fail "no report"
newpid=$(pid_of gateway-0)
scrape serve "$(addr_of serve)"
l0='name="gateway-0",process="gateway"'
l1='name="gateway-1",process="gateway"'
[ "$(val serve "hale_serve_instance_restarts_total{$l0}")" = 1 ] || fail "gateway-0 restarts_total is not 1"
[ "$(val serve "hale_serve_instance_restarts_by_reason_total{$l0,reason=\"signal\"}")" = 1 ] ||
    fail "gateway-0 was not restarted for a signal"
[ "$(sum serve hale_serve_instance_restarts_by_reason_total name=gateway-0)" = 1 ] ||
    fail "gateway-0 has restarts by another reason too"
[ "$(val serve "hale_serve_instance_last_exit_status{$l0}")" = 137 ] || fail "last exit is not 137"
[ "$(val serve "hale_serve_instance_last_exit_signal{$l0}")" = 9 ] || fail "last signal is not 9"
[ "$(val serve "hale_serve_instance_pid{$l0}")" = "$newpid" ] || fail "gateway-0's new pid"
[ "$newpid" != "$victim" ] || fail "gateway-0 has its old pid"
[ "$(val serve "hale_serve_instance_up{$l0}")" = 1 ] || fail "gateway-0 is not up again"
[ "$(val serve "hale_serve_instance_restarts_total{$l1}")" = 0 ] || fail "gateway-1 restarted"
[ "$(val serve 'hale_serve_restarts_in_window{deployment="chat"}')" = 1 ] || fail "not 1 restart in the window"
up0=$(val serve "hale_serve_instance_uptime_seconds{$l0}")
up_room=$(val serve 'hale_serve_instance_uptime_seconds{name="room-0",process="room"}')
awk -v a="$up0" -v b="$up_room" 'BEGIN { exit !(a < b) }' || fail "gateway-0's uptime ($up0) is not fresh"
scrape room-0 "$(addr_of room-0)"
[ "$(val room-0 "hale_transport_links_down_total{url=\"$said_url\",role=\"listen\"}")" -ge 1 ] ||
    fail "the room did not see gateway-0's link go down"
settle room-0 4 hale_transport_peers # the new gateway-0's links are back
[ "$(grep -c '^gateway-0 | hale: metrics on ' "$work/chat/serve.err")" = 2 ] ||
    fail "the restarted gateway-0 did not serve metrics again"
scrape gateway-0 "$(addr_of gateway-0)"
echo "ok: gateway-0 (pid $victim) killed: restarts_total 1, reason signal, last exit 137, pid $newpid, uptime ${up0}s"

# -- the report, in a browser
report="$work/report.html"
if grep -qiE '<script|<link|<img|<iframe|<object|@import|url\(| (src|href)=' "$report"; then
    fail "the report loads something: it must be self-contained"
fi
profile="$work/chromium-profile"
rm -rf "$profile"
flags="--headless --no-sandbox --disable-gpu --disable-background-networking \
--disable-component-update --disable-sync --no-first-run --user-data-dir=$profile"
# shellcheck disable=SC2086
timeout 120 "$chromium" $flags --dump-dom "file://$report" >"$work/dom.html" 2>"$work/chromium.err" ||
    fail "chromium --dump-dom failed: $(tail -3 "$work/chromium.err")"
svgs=$(grep -o '<svg class="chart"' "$work/dom.html" | wc -l)
lines=$(grep -o '<polyline class="series"' "$work/dom.html" | wc -l)
marks=$(grep -o '<line class="mark"' "$work/dom.html" | wc -l)
[ "$svgs" = 5 ] || fail "the page has $svgs charts, not 5"
[ "$lines" -ge 8 ] || fail "the charts have $lines lines, not 8 (1+1+1+2 latency+3 servers)"
[ "$marks" -ge 10 ] || fail "$marks mark lines: the kill and the restart are not on every chart"
grep -q 'kill -9 gateway-0 (pid '"$victim"')' "$work/dom.html" || fail "the kill is not marked"
grep -q "gateway-0 restarted (pid $victim -&gt; $newpid)" "$work/dom.html" ||
    fail "the restart is not marked"
grep -q 'points="[0-9]*,[0-9]* [0-9]*,[0-9]*' "$work/dom.html" || fail "the lines have no points"
rm -rf "$profile"
# shellcheck disable=SC2086
timeout 120 "$chromium" $flags --window-size=1100,1900 --screenshot="$work/report.png" \
    "file://$report" >/dev/null 2>"$work/chromium.err" ||
    fail "chromium --screenshot failed: $(tail -3 "$work/chromium.err")"
"$pngc" "$work/report.png" 2 8 >"$work/png.out" || fail "the screenshot is blank: $(cat "$work/png.out")"
echo "ok: the report renders: $svgs charts, $lines lines, $marks marks; screenshot $(cat "$work/png.out")"

# -- hostile frames at the room's said socket, counted by reason
(cd "$work/chat" && "$hostile" --url ipc://said.sock --key deploy.key) >"$work/hostile.out" 2>&1 ||
    fail "the hostile peer: $(cat "$work/hostile.out")"
scrape room-0 "$(addr_of room-0)"
for r in malformed_header bad_seal unknown_topic oversized; do
    v=$(val room-0 "hale_transport_frames_rejected_total{url=\"$said_url\",role=\"listen\",reason=\"$r\"}")
    [ "$v" -gt 0 ] || fail "the room's metrics show no frame rejected as $r"
done
echo "ok: a hostile peer's frames are on the room's metrics by reason: $(grep -o 'rejected_total{url="'"$said_url"'",role="listen",reason="[a-z_]*"} [0-9]*' "$work/room-0.prom" | sed 's/.*reason="\([a-z_]*\)"} /\1=/' | tr '\n' ' ')"

# -- the room killed: the gateways reconnect to the new one
room_pid=$(pid_of room-0)
kill -9 "$room_pid"
i=0
until ctl status | grep -q '^room-0 .*state=ready *restarts=1 '; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "room-0 was not restarted: $(ctl status | grep room-0)"
    sleep 0.1
done
scrape serve "$(addr_of serve)"
[ "$(val serve 'hale_serve_instance_restarts_by_reason_total{name="room-0",process="room",reason="signal"}')" = 1 ] ||
    fail "room-0 was not restarted for a signal"
for g in gateway-0 gateway-1; do
    i=0
    until scrape $g "$(addr_of $g)" && [ "$(sum $g hale_transport_reconnects_total)" -ge 2 ]; do
        i=$((i + 1))
        [ $i -le 150 ] || fail "$g: $(sum $g hale_transport_reconnects_total) reconnects, not 2"
        sleep 0.1
    done
done
echo "ok: room-0 killed and restarted; both gateways reconnected both links (reconnects_total)"

# -- stop
ctl stop >/dev/null
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" = 0 ] || fail "serve exited $rc after stop"
echo "ok: stop drained every process, serve exited 0"
