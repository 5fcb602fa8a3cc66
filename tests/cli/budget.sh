#!/bin/sh
# `hale check --check-resource-budget FILE`: a ceiling file in CI. Each count past its ceiling is
# an error at its key in the file (exit 1), a count at or under it is not, every key is optional,
# and a file that cannot be read or is not a budget file is an error naming the file and line
# (exit 2). --json gives the same findings as JSON objects; --dump-resource-budget prints the
# counts the ceilings are compared with.
#
#   budget.sh HALE WORK
set -u
hale=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
bad=0
fail() { echo "FAIL: $*"; bad=1; }
check() { # want description args...
    want=$1; desc=$2; shift 2
    "$hale" check "$@" >out 2>err
    got=$?
    [ "$got" -eq "$want" ] || { fail "$desc: exit $got, want $want"; cat out err; }
}
has() { # file description text
    grep -qF -- "$3" "$1" || { fail "$2: no '$3' in $1:"; cat "$1"; }
}

# Two pinned threads, two pools, three subjects, two fd sites.
cat >app.hl <<'HL'
type Quote { sym: String; px: Int; }
topic Quotes { payload: Quote; }
topic Trades { payload: Quote; }
locus Feed {
    bus { publish Quotes; publish Trades; publish "tick" of type Quote; }
    run() { Quotes <- Quote { sym: "A", px: 1 }; }
}
locus Book {
    bus { subscribe Quotes as on_quote; subscribe Trades as on_trade; }
    fn on_quote(q: Quote) { }
    fn on_trade(q: Quote) { }
}
locus Gate {
    bus { subscribe "tick" as on_tick of type Quote; }
    fn on_tick(q: Quote) { }
    run() {
        let l = std::io::tcp::listen("127.0.0.1", 0) or -1;
        std::io::tcp::close_fd(std::io::tcp::accept(l) or -1);
    }
}
main locus App {
    params { a: Feed = Feed { }; b: Feed = Feed { }; book: Book = Book { }; gate: Gate = Gate { }; }
    placement { a: pinned; b: pinned; book: cooperative(pool = io); gate: cooperative(pool = net); }
}
fn main() { App { }; }
HL

# the dump the ceilings are compared with
check 0 "dump" --dump-resource-budget app.hl
has out "dump" "OS threads (pinned loci): 2 [a, b]"
has out "dump" "cooperative pools: 2 [io, net]"
has out "dump" "bus subjects: 3 [Quotes, Trades, tick]"
has out "dump" "fd acquisition sites: 2 [app.hl:17:17 std::io::tcp::listen, app.hl:18:32 std::io::tcp::accept]"

# every count at its ceiling: clean
printf 'pinned_threads = 2\ncooperative_pools = 2\nbus_subjects = 3\nfd_sites = 2\n' >exact.toml
check 0 "counts at their ceilings" --check-resource-budget exact.toml app.hl
[ -s err ] && { fail "a budget that holds says nothing"; cat err; }

# every key is optional: an empty file and a file with one key
: >empty.toml
check 0 "an empty budget" --check-resource-budget empty.toml app.hl
printf '# only the threads\npinned_threads = 8\n' >one.toml
check 0 "one key" --check-resource-budget=one.toml app.hl

# each count past its ceiling is named, at its key, and fails the check
cat >tight.toml <<'TOML'
# ceilings for CI
pinned_threads = 1
cooperative_pools = 1
  bus_subjects = 2
fd_sites = 1
TOML
check 1 "counts past their ceilings" --check-resource-budget tight.toml app.hl
has err "pinned" "tight.toml:2:1: error: the program has 2 pinned threads, over the \`pinned_threads\` ceiling of 1"
has err "pinned names" "help: pinned threads: a, b; raise the ceiling if the new one is meant"
has err "pools" "tight.toml:3:1: error: the program has 2 cooperative pools, over the \`cooperative_pools\` ceiling of 1"
has err "subjects" "tight.toml:4:3: error: the program has 3 bus subjects, over the \`bus_subjects\` ceiling of 2"
has err "fd sites" "tight.toml:5:1: error: the program has 2 fd acquisition sites, over the \`fd_sites\` ceiling of 1"
has err "fd site notes" "app.hl:18:32: note: \`std::io::tcp::accept\` makes a descriptor here"
has err "caret under the key" "    5 | fd_sites = 1"
[ "$(grep -c ': error: ' err)" -eq 4 ] || { fail "one error per count past its ceiling"; cat err; }

# one past, the rest under: only that one
printf 'pinned_threads = 9\nbus_subjects = 2\n' >subjects.toml
check 1 "one count past" --check-resource-budget subjects.toml app.hl
[ "$(grep -c ': error: ' err)" -eq 1 ] || { fail "only the subjects"; cat err; }
has err "only the subjects" "subjects.toml:2:1: error: the program has 3 bus subjects"

# --json: one object per finding, at the key
check 1 "json" --json --check-resource-budget tight.toml app.hl
[ "$(grep -c '"severity":"error"' out)" -eq 4 ] || { fail "--json: four errors"; cat out; }
has out "json" '{"file":"tight.toml","line":2,"col":1,"len":14,"severity":"error","message":"the program has 2 pinned threads, over the `pinned_threads` ceiling of 1"'

# files that are not budgets: named with their line, exit 2
printf 'pinned_threads = 1\nthreads = 3\n' >unknown.toml
check 2 "an unknown key" --check-resource-budget unknown.toml app.hl
has err "an unknown key" "unknown.toml:2:1: error:"
has err "an unknown key" "threads"
printf 'pinned_threads = "four"\n' >type.toml
check 2 "a string ceiling" --check-resource-budget type.toml app.hl
has err "a string ceiling" "type.toml:1:1: error:"
printf 'fd_sites = -1\n' >negative.toml
check 2 "a negative ceiling" --check-resource-budget negative.toml app.hl
has err "a negative ceiling" "negative.toml:1:1: error:"
printf 'pinned_threads = \n' >broken.toml
check 2 "not TOML" --check-resource-budget broken.toml app.hl
has err "not TOML" "broken.toml:1:1: error:"
check 2 "a missing file" --check-resource-budget nowhere.toml app.hl
has err "a missing file" "cannot read the budget file nowhere.toml"
check 2 "no file given" app.hl --check-resource-budget

# a program with errors is not measured: its errors fail the check
printf 'fn main() { let x: Int = "no"; }\n' >broken.hl
check 1 "a broken program" --check-resource-budget tight.toml broken.hl
has err "a broken program" "broken.hl:1:26: error"
grep -q "tight.toml" err && fail "a broken program's budget is not compared"

[ $bad -eq 0 ] && echo "resource budget: all cases behaved"
exit $bad
