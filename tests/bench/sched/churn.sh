# The echo churn comparison shared by tests/bench/sched/run.sh and tests/bench/place/run.sh
# (sourced; needs $bin, $work and $churn): 1,000 concurrent connections then $churn sequential
# connect-send-receive-close cycles (tests/sched/echo_client.c) against a Hale echo server, the
# plain C libev echo server and, when `go` is installed, Go's goroutine-per-connection server.

sched_bench=$(cd "$(dirname "$0")/../sched" && pwd)

field() { # field NAME LINE
    echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

churn_run() { # churn_run NAME [client options] -- SERVER...
    name=$1
    shift
    line=$("$bin/sched_echo_client" --concurrent 1000 --churn "$churn" --report "$@" 2>"$work/$name.err") ||
        { echo "churn $name failed:" >&2; cat "$work/$name.err" >&2; echo ""; return 0; }
    echo "$line"
}

best() { # best LINE1 LINE2: the one with the higher churn rate
    a=$(field churn_cps "$1")
    b=$(field churn_cps "$2")
    if [ "${a:-0}" -ge "${b:-0}" ]; then echo "$1"; else echo "$2"; fi
}

# churn_all HALE_SERVER: sets churn_hale, churn_libev and churn_go (empty when Go is not run).
# The Hale and libev servers alternate and each keeps its better run, so a noisy neighbour on a
# shared machine skews neither side alone.
churn_all() {
    h1=$(churn_run hale -- "$1")
    l1=$(churn_run libev -- "$bin/sched_bench_libev_echo")
    h2=$(churn_run hale -- "$1")
    l2=$(churn_run libev -- "$bin/sched_bench_libev_echo")
    churn_hale=$(best "$h1" "$h2")
    churn_libev=$(best "$l1" "$l2")
    churn_go=""
    if command -v go >/dev/null 2>&1; then
        if HOME=$work GOCACHE=$work/gocache GOPATH=$work/gopath GO111MODULE=off \
            go build -o "$work/go_echo" "$sched_bench/go_echo.go" 2>"$work/go.err"; then
            churn_go=$(churn_run go --no-term -- "$work/go_echo")
        else
            cat "$work/go.err" >&2
        fi
    fi
}
