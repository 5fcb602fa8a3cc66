# Shared by the deploy tests, sourced by a script run as `SCRIPT BUILD_DIR SOURCE_DIR CHATPROBE`
# that set $here and $test_name: sets build, src and probe, starts the containers' bookkeeping
# (container.sh, names from $test_name), and offers the installed tree, waits, failure reports and the
# timings each test prints at the end. Waits are hang guards with generous limits; the timings
# are printed, never asserted.
#
#   install_tree BUILD         `cmake --install BUILD` into $work/prefix (bound at /usr/local)
#   wait_until SECONDS WHAT CMD...   polls CMD until it succeeds; fails naming WHAT
#   timing WHAT T0             records "WHAT  N.NNNs" (since T0 from now_ns) and prints it
#   record WHAT SECONDS        records a duration measured elsewhere
#   timings                    prints every recorded timing again, as a table

build=$1
src=$2
probe=$3
ct_lib="$here/container.sh"
. "$ct_lib"
ct_init "$test_name"
t_test=$(now_ns)
work=$ct_state
timing_file="$work/timings"
: >"$timing_file"

fail() {
    echo "FAIL: $*"
    [ -z "${fail_hook:-}" ] || $fail_hook
    exit 1
}

install_tree() {
    cmake --install "$1" --prefix "$work/prefix" >"$work/install.out" 2>&1 ||
        fail "cmake --install $1 failed: $(tail -n 5 "$work/install.out")"
    [ -x "$work/prefix/bin/hale" ] || fail "the installed tree has no bin/hale"
    mkdir -p "$work/prefix/lib/hale/apps"
    export HALE_CACHE_DIR="$work/cache"
}

wait_until() {
    limit=$1
    what=$2
    shift 2
    t0=$(now_ns)
    until "$@" >/dev/null 2>&1; do
        [ "$(($(now_ns) - t0))" -lt "$((limit * 1000000000))" ] || fail "$what (waited ${limit}s)"
        sleep 0.05
    done
}

record() { # record WHAT SECONDS
    line=$(printf '%-72s %7ss' "$1" "$2")
    echo "$line" >>"$timing_file"
    echo "time: $line"
}

timing() { record "$1" "$(elapsed "$2")"; }

timings() {
    echo "== timings"
    sed 's/^/  /' "$timing_file"
}
