#!/bin/sh
# The runtime's public boundary: the headers installed to include/hale/ (runtime/CMakeLists.txt,
# hale_public_headers) are exactly prelude.h, which every generated program includes, and what
# it includes in turn. A header missing from the list breaks installed builds; one too many
# makes an internal header part of the contract.
#
#   tests/layout/public_headers.sh [ROOT]
set -eu
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
rt="$root/runtime"
# the headers prelude.h reaches
todo="prelude.h" seen=""
while [ -n "$todo" ]; do
    set -- $todo
    h=$1
    shift
    todo="$*"
    case " $seen " in *" $h "*) continue ;; esac
    seen="$seen $h"
    [ -f "$rt/$h" ] || continue
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\(hale\/\)\{0,1\}\([^"]*\)".*/\2/p' "$rt/$h"); do
        [ -f "$rt/$inc" ] && todo="$todo $inc"
    done
done
reached=$(echo $seen | tr ' ' '\n' | sort)
# the list in CMakeLists.txt
listed=$(awk '/^hale_public_headers\(hale_rt/ { on = 1 } on { print } on && /\)/ { exit }' \
    "$rt/CMakeLists.txt" | sed 's/hale_public_headers(hale_rt//; s/)//' | tr -s ' \n' '\n\n' |
    grep . | sort)
bad=0
for h in $(echo "$reached" | grep -vxF "$listed" || true); do
    echo "runtime/$h: reached from prelude.h but not installed (runtime/CMakeLists.txt)"
    bad=1
done
for h in $(echo "$listed" | grep -vxF "$reached" || true); do
    echo "runtime/$h: installed, but no generated program includes it (prelude.h does not reach it)"
    bad=1
done
[ $bad = 0 ] && echo "public headers: the $(echo "$listed" | wc -l) installed are the ones prelude.h reaches"
exit $bad
