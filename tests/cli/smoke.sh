#!/bin/sh
# The `hale` command's front door: help, version (which must find the runtime beside it),
# usage errors with status 2, and keygen writing an owner-only key.
set -u
hale=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
bad=0
check() { # description, then the command; the command must succeed
    desc=$1; shift
    if ! "$@" >"$work/out" 2>&1; then echo "FAIL: $desc"; cat "$work/out"; bad=1; fi
}

check "hale --help lists commands" sh -c "'$hale' --help | grep -q 'commands:'"
check "hale version finds the runtime" sh -c "'$hale' version | grep -q 'runtime: .*/lib/hale/libhale.a'"
check "unknown command exits 2" sh -c "'$hale' frobnicate 2>/dev/null; test \$? -eq 2"
check "no command exits 2" sh -c "'$hale' >/dev/null 2>&1; test \$? -eq 2"
check "keygen without -o exits 2" sh -c "'$hale' keygen 2>/dev/null; test \$? -eq 2"
check "keygen writes a key" "$hale" keygen -o "$work/k"
check "key is owner-only" sh -c "test \"\$(stat -c %a '$work/k')\" = 600"
check "key is 64 hex chars" sh -c "grep -Eq '^[0-9a-f]{64}\$' '$work/k'"
check "keygen refuses to overwrite" sh -c "! '$hale' keygen -o '$work/k' 2>/dev/null"
check "version with HALE_HOME elsewhere says not found" \
    sh -c "HALE_HOME=/nonexistent '$hale' version | grep -q 'not found'"
for cmd in check build run; do
    check "$cmd of a missing file: its one error, status 1" sh -c "cd '$work' &&
        '$hale' $cmd none.hl >o 2>&1; test \$? -eq 1 && test \$(wc -l <o) -eq 1 &&
        grep -qx 'hale: error: cannot open \`none.hl\`: No such file or directory' o"
done
echo x >"$work/notes.txt"
check "check of a non-.hl file: its error and help, status 1" sh -c "cd '$work' &&
    '$hale' check notes.txt >o 2>&1; test \$? -eq 1 && test \$(wc -l <o) -eq 2 &&
    grep -q 'is not a .hl file' o"
# A function of 100k locals (each scope indexes its names past a few): checks clean, and a
# repeated name at its end is still caught, pointing at both declarations.
awk 'BEGIN { print "fn main() {"; for (i = 0; i < 100000; i++) printf "    let v%d = %d;\n", i, i;
             print "    println(to_string(v0 + v99999));"; print "}" }' >"$work/many.hl"
check "check of 100k locals" "$hale" check "$work/many.hl"
sed 's/^    println.*/    let v5 = 1;/' "$work/many.hl" >"$work/dup.hl"
check "a repeated local among 100k is located" sh -c "cd '$work' && ! '$hale' check dup.hl >o 2>&1 &&
    grep -q '^dup.hl:100002:9: error: .v5. is already declared in this scope' o &&
    grep -q '^dup.hl:7:9: note: first declared here' o"
rm -rf "$work"
[ $bad -eq 0 ] && echo "cli smoke: ok"
exit $bad
