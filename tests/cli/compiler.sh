#!/bin/sh
# The compiler's front door: usage errors exit 2, program errors 1, internal errors 3; build
# output names; run passes arguments and the program's status; the build cache skips the C
# compiler for an unchanged program; check --json; an installed tree builds programs too.
#
#   compiler.sh HALE BUILD_DIR CMAKE WORK
set -u
hale=$1
build=$2
cmake=$3
work=$4
rm -rf "$work" && mkdir -p "$work"
export HALE_CACHE_DIR="$work/cache"
bad=0
fail() { echo "FAIL: $*"; bad=1; }
expect_status() { # want description command...
    want=$1; desc=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    [ "$got" -eq "$want" ] || { fail "$desc: exit $got, want $want"; cat "$work/out" "$work/err"; }
}

cat >"$work/hello.hl" <<'HL'
fn main() {
    println("hello ", std::env::args_count() - 1);
    for i in 1..std::env::args_count() {
        println(std::env::arg(i));
    }
}
HL
cat >"$work/status.hl" <<'HL'
fn main() {
    println("exiting");
    std::process::exit(7);
}
HL
cat >"$work/broken.hl" <<'HL'
fn main() {
    let x: Int = "no";
    undefined();
}
HL
mkdir -p "$work/app"
cat >"$work/app/main.hl" <<'HL'
fn main() {
    println(helper());
}
HL
cat >"$work/app/helper.hl" <<'HL'
fn helper() -> String {
    return "from a directory";
}
HL

# --help and usage errors
for c in build run check; do
    expect_status 0 "hale $c --help" "$hale" $c --help
    grep -q "usage: hale $c" "$work/out" || fail "hale $c --help prints its usage"
    expect_status 2 "hale $c without a program" "$hale" $c
    expect_status 2 "hale $c with an unknown option" "$hale" $c --frobnicate "$work/hello.hl"
done
expect_status 2 "two programs" "$hale" check "$work/hello.hl" "$work/status.hl"
"$hale" check --help >"$work/out"
for flag in --json --no-warn-unbounded-alloc --warn-resource-leak --dump-resource-budget \
    --check-resource-budget; do
    grep -q -- "$flag" "$work/out" || fail "hale check --help lists $flag"
done
expect_status 2 "bad --target-cpu" "$hale" build --target-cpu sparc "$work/hello.hl"
expect_status 2 "-o without a file" "$hale" build "$work/hello.hl" -o
expect_status 0 "hale --help lists build" sh -c "'$hale' --help | grep -q 'build'"

# program errors
expect_status 1 "missing file" "$hale" build "$work/nope.hl"
grep -q "cannot open" "$work/err" || fail "a missing file is named"
expect_status 1 "not a .hl file" "$hale" check "$work/cache"
expect_status 1 "errors fail the build" "$hale" build "$work/broken.hl"
grep -q "broken.hl:2:18: error: mismatched types" "$work/err" || fail "build prints file:line:col"
grep -q "broken.hl:3:5: error: unknown name .undefined." "$work/err" || fail "several errors per run"
[ -e "$work/broken" ] && fail "a failed build writes no executable"

# build: default output names and -o
expect_status 0 "build a file" "$hale" build "$work/hello.hl"
[ -x "$work/hello" ] || fail "FILE.hl builds FILE"
"$work/hello" a b >"$work/out" && printf 'hello 2\na\nb\n' | cmp -s - "$work/out" ||
    fail "the built program runs"
expect_status 0 "build a directory" "$hale" build "$work/app"
[ -x "$work/app/app" ] || fail "DIR builds DIR/DIR"
[ "$("$work/app/app")" = "from a directory" ] || fail "a directory is one program"
expect_status 0 "build -o" "$hale" build "$work/hello.hl" -o "$work/other" --target-cpu baseline
[ -x "$work/other" ] || fail "-o names the executable"
expect_status 0 "build --emit-c" "$hale" build "$work/hello.hl" -o "$work/h2" --emit-c "$work/h2.c"
grep -q "hale/prelude.h" "$work/h2.c" || fail "--emit-c writes the generated C"

# run: arguments, status, and the cache
cat >"$work/cc-count" <<SH
#!/bin/sh
echo run >>"$work/cc-calls"
exec cc "\$@"
SH
chmod +x "$work/cc-count"
export HALE_CC="$work/cc-count"
rm -f "$work/cc-calls"
"$hale" run "$work/hello.hl" -- x "y z" >"$work/out" 2>"$work/err"
printf 'hello 2\nx\ny z\n' | cmp -s - "$work/out" || { fail "run passes arguments"; cat "$work/out" "$work/err"; }
expect_status 7 "run returns the program's status" "$hale" run "$work/status.hl"
grep -q exiting "$work/out" || fail "output before exit is flushed"
calls1=$(wc -l <"$work/cc-calls")
"$hale" run "$work/hello.hl" -- again >/dev/null 2>&1
"$hale" run "$work/status.hl" >/dev/null 2>&1
calls2=$(wc -l <"$work/cc-calls")
[ "$calls1" -eq 2 ] || fail "first runs compile once each (got $calls1)"
[ "$calls2" -eq "$calls1" ] || fail "a second run of an unchanged program does not compile"
echo '// changed' >>"$work/hello.hl"
"$hale" run "$work/hello.hl" >/dev/null 2>&1
calls3=$(wc -l <"$work/cc-calls")
[ "$calls3" -eq $((calls2 + 1)) ] || fail "a changed source is compiled again"
"$hale" run --lto "$work/hello.hl" >/dev/null 2>&1
calls4=$(wc -l <"$work/cc-calls")
[ "$calls4" -eq $((calls3 + 1)) ] || fail "different flags are a different cache entry"

# a C compiler failure is an internal error that keeps the generated file
cat >"$work/cc-broken" <<'SH'
#!/bin/sh
echo "cc: simulated failure" >&2
exit 1
SH
chmod +x "$work/cc-broken"
echo '// new' >>"$work/hello.hl"
HALE_CC="$work/cc-broken" "$hale" build "$work/hello.hl" -o "$work/never" >"$work/out" 2>"$work/err"
st=$?
[ "$st" -eq 3 ] || fail "a C compiler failure exits 3 (got $st)"
grep -q "internal error" "$work/err" && grep -q "generated C kept at" "$work/err" ||
    { fail "an internal error names the kept C file"; cat "$work/err"; }
HALE_CC="$work/no-such-compiler" "$hale" build "$work/hello.hl" -o "$work/never" 2>"$work/err"
[ $? -eq 3 ] && grep -q "cannot run the C compiler" "$work/err" || fail "a missing C compiler is named"
unset HALE_CC

# check, as text and as JSON
expect_status 0 "check a good program" "$hale" check "$work/hello.hl"
[ -s "$work/out" ] || [ -s "$work/err" ] && fail "check of a good program is quiet"
expect_status 1 "check a bad program" "$hale" check --json "$work/broken.hl"
[ "$(wc -l <"$work/out")" -eq 2 ] || fail "--json prints one line per diagnostic"
grep -q '^{"file":".*broken.hl","line":2,"col":18,"len":4,"severity":"error","message":"mismatched types' "$work/out" ||
    { fail "--json fields"; cat "$work/out"; }

# an installed tree finds its runtime beside itself
if "$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1; then
    "$work/prefix/bin/hale" version | grep -q "$work/prefix/lib/hale/libhale.a" ||
        fail "installed hale finds the installed runtime"
    "$work/prefix/bin/hale" build "$work/app" -o "$work/installed-app" 2>"$work/err" ||
        { fail "installed hale builds a program"; cat "$work/err"; }
    [ "$("$work/installed-app")" = "from a directory" ] || fail "the installed build runs"
else
    fail "cmake --install"
    cat "$work/install.log"
fi

rm -rf "$work"
[ $bad -eq 0 ] && echo "compiler cli: ok"
exit $bad
