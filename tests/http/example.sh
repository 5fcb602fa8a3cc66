#!/bin/sh
# examples/http under `hale serve` (the example's own hale.toml, its port switched to 0 in a
# copy) and on its own: every route answers as its README says, bad requests get their status,
# and SIGTERM drains it to a clean exit 0.
#   example.sh HALE WORKDIR
set -u
hale=$1
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work/ex"
cp "$root/examples/http/main.hl" "$root/examples/http/hale.toml" "$work/ex/"
sed -i 's/HTTP_PORT = "8080"/HTTP_PORT = "0"/' "$work/ex/hale.toml"
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' EXIT
fail() {
    echo "FAIL: $*"
    cat "$work/log" 2>/dev/null
    exit 1
}

wait_port() { # wait_port LOG: the port from its "listening on HOST:PORT" line
    n=0
    while ! grep -q "listening on" "$1" 2>/dev/null; do
        n=$((n + 1))
        [ $n -gt 600 ] && return 1
        sleep 0.05
    done
    sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$1" | head -1
}

check() { # check NAME EXPECTED ACTUAL
    [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}

routes() { # routes PORT
    u="http://127.0.0.1:$1"
    check "GET /" "hello, world" "$(curl -s "$u/")"
    check "GET /health" "ok" "$(curl -s "$u/health")"
    check "POST /echo" '{"a":1}' "$(curl -s -H 'Content-Type: application/json' -d '{"a":1}' "$u/echo")"
    check "echo type" "application/json" \
        "$(curl -s -o /dev/null -w '%{content_type}' -H 'Content-Type: application/json' -d x "$u/echo")"
    check "header" "probe" "$(curl -s -H 'X-Probe: probe' "$u/header")"
    check "404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$u/missing")"
    check "405" "405" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$u/health")"
    check "hits" '{"hits":8}' "$(curl -s "$u/hits")"
    # keep-alive: three requests, one connection
    n=$(curl -s -v "$u/" "$u/health" "$u/" 2>&1 | grep -c "Re-using existing connection")
    [ "$n" -ge 1 ] || fail "keep-alive: the connection was not reused"
    # bad input over a raw connection
    bad=$(printf 'BROKEN\r\n\r\n' | curl -s --max-time 5 telnet://127.0.0.1:"$1" | head -1 | tr -d '\r')
    check "malformed" "HTTP/1.1 400 Bad Request" "$bad"
}

# 1. under hale serve
(cd "$work/ex" && HALE_CACHE_DIR=$work/cache "$hale" serve hale.toml) >"$work/log" 2>&1 &
serve=$!
pids="$serve"
port=$(wait_port "$work/log") || fail "hale serve: the server never listened"
grep -q "api-0 ready" "$work/log" || sleep 0.5
grep -q "api-0 ready" "$work/log" || fail "hale serve: api-0 never reported READY"
routes "$port"
kill -TERM "$serve"
wait "$serve"
status=$?
check "hale serve exit" 0 "$status"
grep -q "api-0 stopped (exited with status 0)" "$work/log" || fail "api-0 did not drain cleanly"

# 2. on its own
HALE_CACHE_DIR=$work/cache "$hale" build "$work/ex/main.hl" -o "$work/api" >"$work/log" 2>&1 ||
    fail "build"
HTTP_PORT=0 "$work/api" >"$work/log" 2>&1 &
api=$!
pids="$api"
port=$(wait_port "$work/log") || fail "the server never listened"
routes "$port"
kill -TERM "$api"
wait "$api"
check "exit on SIGTERM" 0 "$?"
echo "PASS examples/http"
