#!/bin/sh
# `make demo`: the product's main job on a built-in default, using the build in BUILD.
#
# Two chat gateways and a room service (examples/chat), Hale programs compiled by `hale`, run as
# three supervised processes under `hale serve`, talking over the sealed cross-process bus. The
# load generator (examples/loadgen, also Hale) churns connections against both gateways for
# DEMO_SECONDS (default 20); halfway, one gateway is killed with SIGKILL: its clients see errors,
# serve restarts it, the errors stop. Serve and every program serve Prometheus metrics (on ports
# the kernel picks); after the run, serve's show the restart and its reason. The load generator
# writes the run as an HTML page with charts (BUILD/demo-report.html). Then serve is stopped and
# every process drains.
set -eu
# The copy's relative ipc sockets stay beside it, even when this runs inside a systemd unit
# (whose $RUNTIME_DIRECTORY would otherwise take them).
unset RUNTIME_DIRECTORY
build=${1:-build/release}
seconds=${DEMO_SECONDS:-20}
here=$(cd "$(dirname "$0")" && pwd)
hale="$(cd "$build" && pwd)/bin/hale"
work=$(mktemp -d /tmp/hale-demo.XXXXXX)
report="$(cd "$build" && pwd)/demo-report.html"
serve_pid=""
feeder_pid=""
cleanup() {
    [ -n "$feeder_pid" ] && kill "$feeder_pid" 2>/dev/null || true
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export HALE_CACHE_DIR="${HALE_CACHE_DIR:-$work/cache}"
t_start=$(date +%s)

echo "== hale: what this build is"
"$hale" version

echo
echo "== the deployment: examples/chat (room.hl, gateway.hl, hale.toml) and a key to seal the bus"
cp -r "$here/chat" "$work/chat"
rm -f "$work/chat"/*.sock "$work/chat/deploy.key" "$work/chat/serve.ctl"
"$hale" keygen -o "$work/chat/deploy.key"
conf="$work/chat/hale.toml"
# /metrics from serve and from every program, on free ports (each says where on stderr)
sed -i -e 's/^\[serve\]$/[serve]\nmetrics = "127.0.0.1:0"/' \
    -e 's/env = { HALE_BUS_CONFIG/env = { HALE_METRICS = "127.0.0.1:0", HALE_BUS_CONFIG/' "$conf"
sed -n '/^\[\[serve.process\]\]/,$p' "$conf" | grep -E '^(name|program|replicas|after)' | sed 's/^/    /'

echo
echo "== the load generator: examples/loadgen, built with hale build"
"$hale" build "$here/loadgen" -o "$work/loadgen"
echo "    $("$work/loadgen" --help | sed -n 3p)"

echo
echo "== hale serve: builds both programs, starts the room, then two gateways once it is ready"
"$hale" serve "$conf" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
ctl() { "$hale" ctl "$conf" "$@"; }
i=0
until [ "$(ctl status 2>/dev/null | grep -c 'state=ready')" = 3 ]; do
    i=$((i + 1))
    if [ $i -gt 1200 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
        echo "demo: the deployment did not come up; serve said:" >&2
        cat "$work/serve.err" "$work/serve.out" >&2
        exit 1
    fi
    sleep 0.1
done
grep -E 'ready|started|up$|metrics on' "$work/serve.err" | sed 's/^/    /'
ctl status | sed 's/^/    /'

# The load generator reads the servers' pids from this file at every report (RSS from /proc).
(while kill -0 "$serve_pid" 2>/dev/null; do
    ctl status >"$work/pids.tmp" 2>/dev/null && mv "$work/pids.tmp" "$work/pids"
    sleep 0.5
done) &
feeder_pid=$!
ctl status >"$work/pids"

echo
echo "== loadgen: ${seconds}s of connection churn on both gateways; gateway-0 is killed halfway"
: >"$work/events"
"$work/loadgen" --target 127.0.0.1:7101,127.0.0.1:7102 --duration "$seconds" --rate 200 \
    --concurrency 300 --messages 10 --think 50 --rooms 8 --pids "$work/pids" \
    --events "$work/events" --report "$report" &
load_pid=$!
sleep $((seconds / 2))
victim=$(ctl status | awk '$1 == "gateway-0" { sub("pid=", "", $2); print $2 }')
echo ">> kill -9 gateway-0 (pid $victim)"
echo "kill -9 gateway-0 (pid $victim)" >>"$work/events"
kill -9 "$victim"
wait "$load_pid"

echo
echo "== after the run: gateway-0 was restarted by serve"
ctl status | sed 's/^/    /'
sed -n '/gateway-0 was killed/,$p' "$work/serve.err" | grep 'gateway-0' | sed 's/^/    /' || true

echo
echo "== serve's /metrics (Prometheus text format): gateway-0's restart and why"
addr=$(sed -n 's#^hale serve: metrics on http://\(.*\)/metrics$#\1#p' "$work/serve.err")
curl -s "http://$addr/metrics" | grep 'gateway-0' |
    grep -E '_(up|restarts_total|last_exit_status|last_exit_signal)\{|reason="signal"' |
    sed 's/^/    /'

echo
echo "== hale ctl stop: every process drains in reverse start order"
kill "$feeder_pid" 2>/dev/null || true
feeder_pid=""
ctl stop >/dev/null
wait "$serve_pid" && rc=0 || rc=$?
serve_pid=""
grep -E 'drained' "$work/serve.out" | sed 's/^/    /'
grep -E 'stopping|stopped|exited' "$work/serve.err" | grep -v 'gateway-0 exited.*signal' | sed 's/^/    /' || true
echo "    hale serve exited with status $rc"
echo
echo "== the load report: $report (open it in a browser)"
echo
echo "== demo done in $(($(date +%s) - t_start))s"
exit "$rc"
