#!/bin/sh
# Writes the C that `hale build` would compile for every program in the repository into OUTDIR
# (OUTDIR/<path>.c; a program that does not check gets OUTDIR/<path>.err with its diagnostics),
# so that two trees can be compared with `diff -r`: a change that must not change behaviour
# must not change a byte of it. The programs: every .hl file outside a .hlseed directory, every
# .hlseed directory and every examples/ directory; tests/golden/posture under each posture.
#
#   tests/layout/emitted.sh HALE OUTDIR [ROOT]
set -u
hale=$1
out=$2
root=${3:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$out" && mkdir -p "$out"
cd "$root"
emit() { # program, output name, extra options
    prog=$1 name=$2
    shift 2
    mkdir -p "$out/$(dirname "$name")"
    "$hale" check --no-warn-unbounded-alloc --emit-c "$out/$name.c" "$@" "$prog" \
        >"$out/$name.err" 2>&1 || true
    [ -s "$out/$name.err" ] || rm -f "$out/$name.err"
}
n=0
for prog in $(find examples tests -name '*.hl' -not -path '*.hlseed/*' | sort) \
    $(find examples tests -type d -name '*.hlseed' | sort) $(ls -d examples/*/); do
    prog=${prog%/}
    emit "$prog" "$prog"
    n=$((n + 1))
done
for prog in $(find tests/golden/posture -name '*.hl' -not -path '*.hlseed/*' | sort); do
    for p in copy guard aggressive; do
        emit "$prog" "$prog.$p" --posture "$p"
        n=$((n + 1))
    done
done
echo "emitted: $n programs, $(find "$out" -name '*.c' | wc -l) of them C"
