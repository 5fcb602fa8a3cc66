#!/bin/sh
# Supervisor benchmark: restart latency (SIGKILL of a child until its replacement runs main) and
# the start-up time of 50 processes, for `hale serve` against runit (runsvdir + runsv) and s6
# (s6-svscan + s6-supervise) from Debian, all supervising the same program: serve_child, which
# records a CLOCK_MONOTONIC timestamp first thing in main (see bench.c for the protocol).
# Prints microseconds (median; for restarts also the best) and hale's time as a ratio of each
# peer's (below 1: hale is faster). Install the peers with deploy/install-deps.sh --bench.
# Each supervisor restarts on its immediate path: the child has been up over a second (runit
# holds back faster restarts), and hale uses backoff = "0s". s6-supervise pauses about a second
# before every respawn by design, so its restart figure mostly measures that policy.
#   tests/bench/serve/run.sh [BUILD_DIR]     RESTARTS=15 RUNS=5 to change the sample sizes
set -eu
. "$(dirname "$0")/../lib.sh"
hale=$build/bin/hale
child=$build/tests/bin/serve_child
restarts=${RESTARTS:-15}
runs=${RUNS:-5}
procs=50
for tool in "$hale" "$child"; do
    [ -x "$tool" ] || { echo "serve bench: $tool missing (make build)"; exit 1; }
done
for tool in runsvdir sv s6-svscan s6-svscanctl cc; do
    command -v $tool >/dev/null || { echo "serve bench: $tool missing (deploy/install-deps.sh --bench)"; exit 1; }
done
sup_pid=
cleanup() {
    set +e
    [ -n "$sup_pid" ] && kill -9 "$sup_pid" 2>/dev/null
    # Anything still running inside the work directory (a supervisor's helpers, a child)
    # belongs to this run: end it before removing the directory.
    for d in /proc/[0-9]*; do
        case $(readlink "$d/cwd" 2>/dev/null) in
        "$work"*) kill -9 "${d#/proc/}" 2>/dev/null ;;
        esac
    done
    for r in "$work"/*.record; do
        [ -f "$r" ] && awk '{print $3}' "$r" | xargs -r kill -9 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
cc -O2 -o "$work/bench" "$here/bench.c"
export XDG_RUNTIME_DIR="$work"

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# ---- the three setups: make DIR NPROCS, start DIR (prints a pid), stop command -------------
hale_make() { # dir n
    mkdir -p "$1"
    {
        printf '[serve]\nname = "bench%s"\nbackoff = "0s"\nmax_backoff = "1s"\n' "$$"
        printf 'max_restarts = 10\nwithin = "1s"\n'
        i=0
        while [ $i -lt "$2" ]; do
            printf '[[serve.process]]\nname = "p%d"\nexec = ["%s"]\n' $i "$child"
            i=$((i + 1))
        done
    } >"$1/hale.toml"
}
hale_cmd() { echo "$hale serve $1/hale.toml"; }
hale_stop='kill -TERM $PID'

svdir_make() { # dir n: service directories whose ./run is the program itself
    mkdir -p "$1"
    i=0
    while [ $i -lt "$2" ]; do
        mkdir -p "$1/p$i"
        ln -s "$child" "$1/p$i/run"
        i=$((i + 1))
    done
}
runit_cmd() { echo "runsvdir $1"; }
runit_stop='kill -HUP $PID'
s6_cmd() { echo "s6-svscan $1"; }
s6_stop() { echo "s6-svscanctl -t $1"; }

# ---- restart latency -----------------------------------------------------------------------
make_setup() { # name dir n
    case $1 in
    hale) hale_make "$2" "$3" ;;
    *) svdir_make "$2" "$3" ;;
    esac
}

restart_latency() { # name
    d="$work/restart-$1"
    rec="$work/restart-$1.record"
    case $1 in
    hale) cmd=$(hale_cmd "$d") ;;
    runit) cmd=$(runit_cmd "$d") ;;
    s6) cmd=$(s6_cmd "$d") ;;
    esac
    # shellcheck disable=SC2086
    CHILD_RECORD=$rec $cmd >/dev/null 2>&1 &
    sup_pid=$!
    "$work/bench" restart "$rec" "$restarts"
    case $1 in
    s6) s6-svscanctl -t "$d" ;;
    runit) kill -HUP $sup_pid ;;
    *) kill -TERM $sup_pid ;;
    esac
    wait $sup_pid 2>/dev/null || true
    sup_pid=
}

# ---- start-up of 50 ------------------------------------------------------------------------
startup_once() { # name run
    d="$work/start-$1-$2"
    rec="$work/start-$1-$2.record"
    case $1 in
    hale) cmd=$(hale_cmd "$d"); stop=$hale_stop ;;
    runit) cmd=$(runit_cmd "$d"); stop=$runit_stop ;;
    s6) cmd=$(s6_cmd "$d"); stop=$(s6_stop "$d") ;;
    esac
    # shellcheck disable=SC2086
    CHILD_RECORD=$rec "$work/bench" startup "$rec" $procs "$stop" -- $cmd
}

echo "serve: $restarts restarts and $runs start-ups of $procs processes per supervisor"
# Every directory exists well before its supervisor starts: runsvdir looks again a second later
# at a directory changed within the last second, which would otherwise time runit's rescan.
for s in hale runit s6; do
    make_setup $s "$work/restart-$s" 1
    r=1
    while [ $r -le "$runs" ]; do
        make_setup $s "$work/start-$s-$r" $procs
        r=$((r + 1))
    done
done
sleep 2
for s in hale runit s6; do
    restart_latency $s >"$work/$s.restart"
    r=1
    while [ $r -le "$runs" ]; do
        startup_once $s $r
        r=$((r + 1))
    done | median >"$work/$s.startup"
done

read -r hr hrbest <"$work/hale.restart"
read -r rr rrbest <"$work/runit.restart"
read -r sr srbest <"$work/s6.restart"
hs=$(cat "$work/hale.startup")
rs=$(cat "$work/runit.startup")
ss=$(cat "$work/s6.startup")
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; } # three significant figures
printf '%-34s %11s %11s %11s %11s %9s\n' "" "hale serve" runit s6 hale/runit hale/s6
printf '%-34s %11s %11s %11s %11s %9s\n' "restart latency, median (us)" "$hr" "$rr" "$sr" \
    "$(ratio3 "$hr" "$rr")" "$(ratio3 "$hr" "$sr")"
printf '%-34s %11s %11s %11s %11s %9s\n' "restart latency, best (us)" "$hrbest" "$rrbest" \
    "$srbest" "$(ratio3 "$hrbest" "$rrbest")" "$(ratio3 "$hrbest" "$srbest")"
printf '%-34s %11s %11s %11s %11s %9s\n' "start $procs processes, median (us)" "$hs" "$rs" \
    "$ss" "$(ratio3 "$hs" "$rs")" "$(ratio3 "$hs" "$ss")"
