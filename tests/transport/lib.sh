# Shared by the transport process tests (sourced): a temp dir, a deployment key, background
# processes killed on exit, and helpers that wait on a process's output. Waits are hang guards
# with generous limits, never the thing a test asserts.
set -u
bin=$1
hale=$2
work=$(mktemp -d /tmp/hale-tp-XXXXXX)
pids=""

cleanup() {
    for p in $pids; do
        kill -9 "$p" 2>/dev/null
    done
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    for f in "$work"/*.out; do
        [ -f "$f" ] || continue
        echo "--- $f"
        tail -n 40 "$f"
    done
    exit 1
}

# start NAME CMD...: runs CMD in the background, output in $work/NAME.out, pid in pid_NAME.
start() {
    name=$1
    shift
    "$@" >"$work/$name.out" 2>&1 &
    eval "pid_$name=$!"
    pids="$pids $!"
}

# wait_for NAME PATTERN SECONDS: until NAME's output has a line matching PATTERN.
wait_for() {
    n=0
    while ! grep -q -- "$2" "$work/$1.out" 2>/dev/null; do
        n=$((n + 1))
        [ $n -gt $(($3 * 10)) ] && fail "$1 never printed '$2'"
        sleep 0.1
    done
}

# wait_exit NAME SECONDS: until NAME exits; its status in $rc.
wait_exit() {
    eval "p=\$pid_$1"
    n=0
    # A child that exited stays a zombie (state Z) until waited for.
    while kill -0 "$p" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ]; do
        n=$((n + 1))
        [ $n -gt $(($2 * 10)) ] && fail "$1 did not finish within $2 s"
        sleep 0.1
    done
    wait "$p"
    rc=$?
}

# field NAME LINE-PREFIX KEY: the value of KEY=value on NAME's last line starting with PREFIX.
field() {
    grep -- "^$2" "$work/$1.out" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1
}

# expect_field NAME PREFIX KEY VALUE
expect_field() {
    v=$(field "$1" "$2" "$3")
    [ "$v" = "$4" ] || fail "$1: $3 is '$v', expected '$4'"
}

# bound_url NAME: the URL NAME printed on its ready line.
bound_url() {
    sed -n 's/^ready.*url=//p' "$work/$1.out" | head -n 1
}

# Under AddressSanitizer, freed memory sits in a quarantine (256 MB by default) that would hide
# what the tests measure about memory; keep it small so peak RSS still means something.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=16"
export ASAN_OPTIONS

# rss_limit_kb: the peak RSS a subscriber may reach (larger when built with sanitizers).
rss_limit_kb() {
    if [ "$(field "$1" summary sanitized)" = 1 ]; then echo 131072; else echo 65536; fi
}

key="$work/deploy.key"
"$hale" keygen -o "$key" >/dev/null || fail "hale keygen"
