# Shared scaffolding of the tests/bench/NAME/run.sh scripts, sourced first thing:
#
#   . "$(dirname "$0")/../lib.sh"
#
# It sets `build` (the build directory given as $1, default build/release, made absolute),
# `here` (the benchmark's own directory) and `work` (a fresh directory under /tmp, removed on
# exit; a script that also has processes to end sets its own EXIT trap), and defines the helpers
# below. Nothing here measures anything.
build=$(cd "${1:-build/release}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "/tmp/hale-bench-$(basename "$here").XXXXXX")
trap 'rm -rf "$work"' EXIT

# hale_cc ARGS...: compiles a C driver of the runtime (ARGS: its sources, -o, flags) and links
# what the runtime needs. Link all of it even for a driver that calls one corner (a vec, a
# region): the archive's members reach each other (faults, diagnostics, placement, the scheduler)
# and so reach libev.
hale_cc() {
    [ -f "$build/lib/hale/libhale.a" ] || {
        echo "$(basename "$here") bench: $build/lib/hale/libhale.a missing; run make build first" >&2
        exit 1
    }
    cc -O2 -std=c11 -D_GNU_SOURCE -I"$build/include/hale" "$@" "$build/lib/hale/libhale.a" \
        "$build/lib/hale/libhale_config.a" -lev -lpthread -lm
}

# ratio A B: A / B to two places, or "-" when B is not positive (not measured).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# median_lo_hi: "median lowest highest" of the numbers on stdin (one per line), or "- - -"
median_lo_hi() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        print m, v[1], v[NR] }'
}

# field NAME LINE: the value of NAME=VALUE in a line of space-separated fields.
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# wait_line FILE PATTERN: waits until PATTERN appears in FILE (a hang guard, not a measurement).
wait_line() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1))
        [ $n -gt 600 ] && return 1
        sleep 0.05
    done
}

# go_build OUT FILE.go: builds a Go peer into OUT with caches inside $work; fails (with Go's
# message on stderr) when the build does, and quietly when Go is not installed
# (deploy/install-deps.sh --bench).
go_build() {
    command -v go >/dev/null 2>&1 || return 1
    HOME=$work GOCACHE=$work/gocache GOPATH=$work/gopath GO111MODULE=off \
        go build -o "$1" "$2" 2>"$work/go.err" && return 0
    cat "$work/go.err" >&2
    return 1
}

# best_ns KEY: the lowest figure recorded for KEY in $work/results (lines "KEY VALUE ...").
best_ns() { awk -v k="$1" '$1 == k && (b == "" || $2 < b) { b = $2 } END { print b }' "$work/results"; }

# ms_row LABEL OURS_KEY BASE_LABEL BASE_KEY: one table row of best times in milliseconds and
# the ratio baseline / ours; the label column is $label_width wide.
ms_row() {
    ours=$(best_ns "$2")
    base=$(best_ns "$4")
    if [ -z "$ours" ] || [ -z "$base" ]; then
        ours=$(awk -v o="$ours" 'BEGIN { if (o != "") printf "%.2f ms", o / 1e6; else print "-" }')
        printf "%-${label_width}s %14s %-22s %14s %8s\n" "$1" "$ours" "$3" "n/a" "-"
        return
    fi
    awk -v l="$1" -v o="$ours" -v bl="$3" -v b="$base" -v w="$label_width" 'BEGIN {
        printf "%-" w "s %11.2f ms %-22s %11.2f ms %7.2fx\n", l, o / 1e6, bl, b / 1e6, b / o }'
}

# churn_run NAME [client options] -- SERVER...: one run of tests/sched/echo_client (1,000
# concurrent connections, then $churn sequential cycles) against SERVER; prints the client's
# report line, or an empty line (and the client's errors on stderr) when it failed.
churn_run() {
    name=$1
    shift
    line=$("$build/tests/bin/sched_echo_client" --concurrent 1000 --churn "$churn" --report "$@" \
        2>"$work/$name.err") ||
        { echo "churn $name failed:" >&2; cat "$work/$name.err" >&2; echo ""; return 0; }
    echo "$line"
}

# best_churn LINE1 LINE2: the report line with the higher churn rate.
best_churn() {
    a=$(field churn_cps "$1")
    b=$(field churn_cps "$2")
    if [ "${a:-0}" -ge "${b:-0}" ]; then echo "$1"; else echo "$2"; fi
}

# churn_all HALE_SERVER: the echo churn comparison of the sched and place benches. Sets
# churn_hale, churn_libev and churn_go (empty when Go is not run). The Hale and libev servers
# alternate and each keeps its better run, so a noisy neighbour on a shared machine skews
# neither side alone.
churn_all() {
    h1=$(churn_run hale -- "$1")
    l1=$(churn_run libev -- "$build/tests/bin/sched_bench_libev_echo")
    h2=$(churn_run hale -- "$1")
    l2=$(churn_run libev -- "$build/tests/bin/sched_bench_libev_echo")
    churn_hale=$(best_churn "$h1" "$h2")
    churn_libev=$(best_churn "$l1" "$l2")
    churn_go=""
    if go_build "$work/go_echo" "$(dirname "$0")/../sched/go_echo.go"; then
        churn_go=$(churn_run go --no-term -- "$work/go_echo")
    fi
}
