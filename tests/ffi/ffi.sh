#!/bin/sh
# @ffi("c") end to end: the program built with its C glue (--csrc) prints what the C side
# computed; without the glue the missing symbol is the user's error at the declaration (status 1,
# never an internal error); glue that does not compile is the user's error too; a changed glue
# file is rebuilt (the build cache keys on its bytes); declarations that cannot cross are errors.
set -u
hale=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$2
rm -rf "$work" && mkdir -p "$work"
export HALE_CACHE_DIR="$work/cache"
bad=0
fail() { echo "FAIL: $*"; bad=1; }

cd "$work" || exit 1
cp "$here/basic.hl" "$here/glue.c" "$here/bad.hl" .
"$hale" build basic.hl -o prog --csrc glue.c >build.log 2>&1 || { fail "build with --csrc"; cat build.log; }
./prog >out.txt 2>&1 || fail "the program exits 0"
diff -u "$here/basic.out" out.txt || fail "output of basic.hl"

"$hale" build basic.hl -o prog2 >nolink.log 2>&1
st=$?
[ "$st" -eq 1 ] || fail "without the glue: status 1, got $st"
grep -q "basic.hl:6:14: error: the C function \`glue_double\` of this \`@ffi\` declaration was not found when linking" nolink.log ||
    { fail "without the glue: the missing symbol named at its declaration"; cat nolink.log; }
grep -q "internal error" nolink.log && fail "without the glue: no internal error"

printf 'int glue_double(void) { return }\n' >broken.c
"$hale" build basic.hl -o prog3 --csrc broken.c >broken.log 2>&1
st=$?
[ "$st" -eq 1 ] || fail "broken glue: status 1, got $st"
grep -q "did not build with the program" broken.log || { fail "broken glue: said so"; cat broken.log; }
grep -q "internal error" broken.log && fail "broken glue: no internal error"

sed 's/return x \* 2;/return x * 3;/' glue.c >glue2.c && mv glue2.c glue.c
"$hale" build basic.hl -o prog4 --csrc glue.c >/dev/null 2>&1 || fail "rebuild with changed glue"
./prog4 | grep -q '^double=63$' || fail "a changed glue file is rebuilt, not taken from the cache"

"$hale" build bad.hl -o prog5 >bad.log 2>&1
st=$?
[ "$st" -eq 1 ] || fail "bad declarations: status 1, got $st"
diff -u "$here/bad.err" bad.log || fail "bad declarations' diagnostics"
exit $bad
