# Real systemd for the deploy tests (sourced): each "machine" is a systemd-nspawn container
# booted from this machine's own root, read-only under a tmpfs overlay, with systemd as its
# PID 1 and a network namespace of its own. The tests drive it with nsenter (no D-Bus on this
# side), put unit files and configuration into its overlay, and tear everything down on exit
# (containers, their cgroups and root mount points), even when the test itself is killed: a
# watcher in its own session cleans up once the test's shell is gone.
#
#   ct_init NAME-PREFIX      before anything else; skips (exit 77 with a message) unless root
#                            with systemd-nspawn, nsenter and ip. Set ct_lib to this file's
#                            path first; $ct_exit_hook, if set, runs at exit before teardown
#   ct_boot NAME [ARGS...]   boots a container (ARGS go to systemd-nspawn, e.g. --bind-ro=A:B)
#   ct NAME CMD...           runs CMD inside NAME (all its namespaces)
#   ct_net NAME CMD...       runs CMD from this machine's filesystem in NAME's network only
#   ct_root NAME             the path of NAME's root filesystem from here
#   ct_pid NAME              NAME's PID 1 as seen from here
#   ct_down NAME             powers NAME off (also done for every container at exit)
#   elapsed T0               seconds since T0 (from now_ns), e.g. "1.234"
#
# Every container name carries the prefix and this shell's pid, so parallel runs never meet.

now_ns() { date +%s%N; }
elapsed() { echo "$(($(now_ns) - $1))" | awk '{ printf "%.3f", $1 / 1e9 }'; }

ct_init() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (boots systemd in containers and makes network namespaces)"
        exit 77
    fi
    for tool in systemd-nspawn nsenter unshare ip; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "FAIL: $tool is missing (deploy/install-deps.sh installs it)"
            exit 1
        fi
    done
    ct_prefix="$1-$$"
    ct_state=$(mktemp -d "/tmp/hale-$1.XXXXXX")
    : >"$ct_state/names"
    # The watcher: tears down whatever is listed once this shell is gone, however it ended.
    setsid sh -c '
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        . "$2"; ct_teardown_all "$3"' sh "$$" "$ct_lib" "$ct_state" \
        </dev/null >/dev/null 2>&1 &
    trap '${ct_exit_hook:-:}; ct_teardown_all "$ct_state"' EXIT
    trap 'exit 130' INT TERM HUP
}

# The machine name for a short NAME.
ct_machine() { echo "$ct_prefix-$1"; }

ct_pid() { eval "echo \${ct_cpid_$1:-}"; }
ct_root() { echo "/proc/$(ct_pid "$1")/root"; }
ct() {
    _ct_pid=$(ct_pid "$1")
    shift
    nsenter -t "$_ct_pid" -a "$@"
}
ct_net() {
    _ct_pid=$(ct_pid "$1")
    shift
    nsenter -t "$_ct_pid" -n "$@"
}

ct_boot() {
    _ct_n=$1
    shift
    m=$(ct_machine "$_ct_n")
    root="/tmp/nspawn-root-$m"
    mkdir -p "$root"
    echo "$m" >>"$ct_state/names"
    setsid sh -euc '
        m=$1; root=$2; shift 2
        # a private cgroup (hybrid hierarchy: both trees; unified: the one), removed at teardown
        for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
            [ -d "$h" ] || continue
            mkdir -p "$h/nspawn-$m"
            echo $$ >"$h/nspawn-$m/cgroup.procs"
        done
        if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
            mkdir -p "/sys/fs/cgroup/nspawn-$m"
            echo $$ >"/sys/fs/cgroup/nspawn-$m/cgroup.procs"
        fi
        exec unshare --mount --propagation private sh -euc "
            root=\$1; shift
            mount -t tmpfs -o mode=755 tmpfs /run   # nspawn state stays off this /run
            mount --bind / \"\$root\"
            mount -o remount,bind,ro \"\$root\"
            exec systemd-nspawn -D \"\$root\" --volatile=overlay --register=no --keep-unit \
                --private-network --console=read-only -b \"\$@\"" sh "$root" "$@"' \
        sh "$m" "$root" -M "$m" "$@" systemd.unit=basic.target \
        </dev/null >"$ct_state/$m.console" 2>&1 &
    npid=$!
    eval "ct_npid_$_ct_n=$npid"
    echo "$npid" >"$ct_state/$m.npid"
    i=0
    cpid=""
    while [ -z "$cpid" ]; do
        cpid=$(pgrep -P "$npid" -x systemd || true)
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$npid" 2>/dev/null; then
            echo "FAIL: container $m did not start"
            tail -n 20 "$ct_state/$m.console"
            exit 1
        fi
        [ -n "$cpid" ] || sleep 0.1
    done
    eval "ct_cpid_$_ct_n=$cpid"
    echo "$cpid" >"$ct_state/$m.cpid"
    i=0
    until state=$(nsenter -t "$cpid" -a systemctl is-system-running 2>/dev/null); [ "$state" = running ] ||
        [ "$state" = degraded ]; do
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "FAIL: container $m did not finish booting (state: ${state:-none})"
            tail -n 20 "$ct_state/$m.console"
            exit 1
        fi
        sleep 0.1
    done
}

ct_down() {
    ct_stop_one "$ct_state" "$(ct_machine "$1")"
}

# ct_stop_one STATE MACHINE: power off, wait, force if needed, remove its cgroups and root.
ct_stop_one() {
    npid=$(cat "$1/$2.npid" 2>/dev/null || true)
    cpid=$(cat "$1/$2.cpid" 2>/dev/null || true)
    if [ -n "$npid" ] && kill -0 "$npid" 2>/dev/null; then
        [ -z "$cpid" ] || nsenter -t "$cpid" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
        i=0
        while kill -0 "$npid" 2>/dev/null && [ $i -lt 100 ]; do
            i=$((i + 1))
            [ $i != 50 ] || kill -TERM "$npid" 2>/dev/null || true
            sleep 0.1
        done
        if kill -0 "$npid" 2>/dev/null; then
            [ -z "$cpid" ] || kill -KILL "$cpid" 2>/dev/null || true
            kill -KILL "$npid" 2>/dev/null || true
        fi
        i=0
        while kill -0 "$npid" 2>/dev/null && [ $i -lt 50 ]; do
            i=$((i + 1))
            sleep 0.1
        done
    fi
    for d in /sys/fs/cgroup/*/"nspawn-$2" "/sys/fs/cgroup/nspawn-$2"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    rmdir "/tmp/nspawn-root-$2" 2>/dev/null || true
    rm -f "$1/$2.npid" "$1/$2.cpid"
}

ct_teardown_all() {
    [ -d "$1" ] || return 0
    for m in $(cat "$1/names" 2>/dev/null); do
        ct_stop_one "$1" "$m"
    done
    [ -n "${KEEP:-}" ] || rm -rf "$1"
}
