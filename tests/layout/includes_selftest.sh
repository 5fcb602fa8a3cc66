#!/bin/sh
# The include check itself: on a small tree of its own it passes where every cross-folder include
# is on the map, and names file and line where one is not (or where a README has no map).
set -eu
check=$(dirname "$0")/includes.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
for d in cmd/hale compiler config runtime supervisor transport; do
    mkdir -p "$work/$d"
    printf '# %s/\n\nMay depend on: libc only.\n' "$d" >"$work/$d/README.md"
done
printf 'May depend on: `config/`, libev.\n' >"$work/runtime/README.md"
printf '#pragma once\n' >"$work/config/toml.h"
printf '#pragma once\n' >"$work/runtime/diag.h"
printf '#pragma once\n' >"$work/compiler/diagnostic.h"
printf '#include "toml.h"\n#include <stdio.h>\n#include "nowhere.h"\n' >"$work/runtime/a.c"
printf '#include "diagnostic.h"\n' >"$work/compiler/b.c"
if ! "$check" "$work" >"$work/out" 2>&1; then
    echo "includes selftest: an allowed tree was refused:"; cat "$work/out"; bad=1
fi
printf '#pragma once\n' >"$work/compiler/diag.h"
printf '\n#include "diag.h"\n' >>"$work/supervisor/c.c"
printf '#include "toml.h"\n' >"$work/transport/d.c"
if "$check" "$work" >"$work/out" 2>&1; then
    echo "includes selftest: a tree with includes off the map passed"; bad=1
fi
grep -q '^supervisor/c.c:2: includes "diag.h" from compiler/ or runtime/' "$work/out" ||
    { echo "includes selftest: supervisor/c.c:2 not named:"; cat "$work/out"; bad=1; }
grep -q '^transport/d.c:1: includes "toml.h" from config/' "$work/out" ||
    { echo "includes selftest: transport/d.c:1 not named:"; cat "$work/out"; bad=1; }
grep -q '^diag.h: a header of this name is in more than one folder: compiler/ runtime/' "$work/out" ||
    { echo "includes selftest: diag.h in two folders not named:"; cat "$work/out"; bad=1; }
sed -i 's/^May depend on.*//' "$work/config/README.md"
"$check" "$work" >"$work/out" 2>&1 || true
grep -q '^config/README.md: no "May depend on:" line' "$work/out" ||
    { echo "includes selftest: a README without a map not named:"; cat "$work/out"; bad=1; }
[ $bad = 0 ] && echo "includes selftest: ok"
exit $bad
