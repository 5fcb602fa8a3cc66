#!/bin/sh
# The `hale` command's front door: help, version (which must find the runtime beside it),
# usage errors with status 2, keygen writing an owner-only key, and where the memory posture
# comes from (--posture, hale.toml beside or above the program, the default).
set -u
hale=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export HALE_CACHE_DIR="$work/cache" # builds made here stay here
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
check "key names its AEAD" sh -c "grep -Eq '^aead = (aes256gcm|xchacha20poly1305)\$' '$work/k'"
check "keygen --aead xchacha20poly1305" sh -c \
    "'$hale' keygen --aead xchacha20poly1305 -o '$work/k2' >/dev/null && grep -q '^aead = xchacha20poly1305\$' '$work/k2'"
check "keygen --aead with an unknown AEAD exits 2" \
    sh -c "'$hale' keygen --aead rot13 -o '$work/k3' 2>/dev/null; test \$? -eq 2"
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
# the memory posture: --posture on check, build and run; hale.toml beside or above the program
printf 'fn main() {\n    println("hi");\n}\n' >"$work/p.hl"
check "check --posture needs a known posture (status 2)" \
    sh -c "'$hale' check --escapes --posture gaurd '$work/p.hl' 2>&1 | grep -q \"unknown posture 'gaurd'\"; \
           '$hale' check --posture gaurd '$work/p.hl' 2>/dev/null; test \$? -eq 2"
check "build --posture without a value exits 2" \
    sh -c "'$hale' build '$work/p.hl' --posture 2>/dev/null; test \$? -eq 2"
check "check --escapes names the default posture" \
    sh -c "cd '$work' && '$hale' check --escapes p.hl | grep -q '^posture: guard (the default'"
mkdir -p "$work/proj/src"
printf '[memory]\nposture = "aggressive"\n' >"$work/proj/hale.toml"
cp "$work/p.hl" "$work/proj/src/p.hl"
check "a hale.toml in a parent folder sets the posture" \
    sh -c "cd '$work/proj/src' && '$hale' check --escapes p.hl | grep -q '^posture: aggressive (../hale.toml:2)' || \
           (cd '$work/proj/src' && '$hale' check --escapes p.hl | grep -q '^posture: aggressive (.*hale.toml:2)')"
check "--posture overrides hale.toml" \
    sh -c "cd '$work/proj/src' && '$hale' check --escapes --posture copy p.hl | grep -q '^posture: copy (--posture)'"
check "--escapes --json starts with the posture" \
    sh -c "cd '$work/proj/src' && '$hale' check --escapes --json p.hl | head -1 | grep -q '\"posture\":\"aggressive\",\"source\":\"hale.toml\"'"
printf '[memory]\nposture = "hoist"\n' >"$work/proj/hale.toml"
check "a bad [memory] stops build with the file and line (status 1)" \
    sh -c "cd '$work/proj/src' && '$hale' build p.hl -o x 2>&1 | grep -q 'hale.toml:2: .posture. = \"hoist\" is not one of'; \
           cd '$work/proj/src' && '$hale' build p.hl -o x 2>/dev/null; test \$? -eq 1"
check "run --posture runs the program" sh -c "'$hale' run --posture copy '$work/p.hl' | grep -q '^hi\$'"
# check --emit-c: the C build compiles, without compiling it; nothing for a program with errors
check "check --emit-c writes the C build --emit-c writes" sh -c "cd '$work' &&
    '$hale' check --emit-c checked.c p.hl && '$hale' build --emit-c built.c p.hl -o p &&
    grep -q 'int main' checked.c && cmp checked.c built.c"
printf 'fn main() {\n    println(nope);\n}\n' >"$work/broken.hl"
check "check --emit-c of a program with errors: status 1, no C" sh -c "cd '$work' &&
    '$hale' check --emit-c broken.c broken.hl 2>/dev/null; test \$? -eq 1 && test ! -e broken.c"
check "check --emit-c without a file exits 2" \
    sh -c "'$hale' check '$work/p.hl' --emit-c 2>/dev/null; test \$? -eq 2"
# --deny-warnings: a warning fails the check; without one, or without the flag, it passes
cat >"$work/grows.hl" <<'HL'
type Line { text: String; }
topic Lines { payload: Line; }
locus Keeper {
    params { log: String = ""; }
    bus { subscribe Lines as on_line; }
    fn on_line(l: Line) { self.log = self.log + l.text; }
}
fn main() { Keeper { }; }
HL
check "check of a warning passes without --deny-warnings" sh -c "cd '$work' &&
    '$hale' check grows.hl 2>o; test \$? -eq 0 && grep -q 'warning: .self.log. grows' o"
check "check --deny-warnings of a warning exits 1" sh -c "cd '$work' &&
    '$hale' check --deny-warnings grows.hl 2>/dev/null; test \$? -eq 1"
check "check --deny-warnings of a clean program exits 0" \
    sh -c "cd '$work' && '$hale' check --deny-warnings p.hl"
rm -rf "$work"
[ $bad -eq 0 ] && echo "cli smoke: ok"
exit $bad
