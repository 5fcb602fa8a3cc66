#!/bin/sh
# Keeps the map true: every `#include "x.h"` that reaches into another source folder must be
# allowed by the including folder's README ("May depend on:", the folders named there in
# backquotes, e.g. `config/`). A header is looked up in the including folder first, as the
# compiler's include path does, then in the other folders; headers found in none (system or
# generated ones) are not the map's business. A header name may be in one folder only. Prints
# each include the map does not allow (file and line) and each name in two folders, and exits 1
# if there is one.
#
#   tests/layout/includes.sh [ROOT]
set -eu
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
folders="cmd/hale compiler config runtime supervisor transport"
bad=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for x in $folders; do
    readme="$root/$x/README.md"
    if [ ! -f "$readme" ]; then
        echo "$x/: no README.md saying what it may depend on"
        bad=1
        continue
    fi
    # the "May depend on:" paragraph, up to the blank line that ends it
    allowed=$(awk '/^May depend on:/ { on = 1 } on && /^$/ { exit } on' "$readme" |
        grep -o '`[a-z/]*/`' | tr -d "\`" | sed "s|/$||" | tr '\n' ' ')
    if ! grep -q '^May depend on:' "$readme"; then
        echo "$x/README.md: no \"May depend on:\" line"
        bad=1
        continue
    fi
    for f in "$root/$x"/*.c "$root/$x"/*.h; do
        [ -f "$f" ] || continue
        grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
            sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' >"$list"
        while read -r line h; do
            [ -f "$root/$x/$h" ] && continue
            owners=""
            for y in $folders; do
                [ -f "$root/$y/$h" ] && owners="$owners $y"
            done
            [ -n "$owners" ] || continue
            ok=0
            for y in $owners; do
                case " $allowed " in *" $y "*) ok=1 ;; esac
            done
            if [ $ok = 0 ]; then
                from=$(echo $owners | sed 's| |/ or |g')
                echo "$x/${f##*/}:$line: includes \"$h\" from $from/, which $x/README.md does not allow (its map: ${allowed:-none})"
                bad=1
            fi
        done <"$list"
    done
done
# one name per header: two folders with a header of the same name would leave which one an
# include finds to the order of the include path
dups=$(for x in $folders; do ls "$root/$x" | grep '\.h$' || true; done | sort | uniq -d)
for h in $dups; do
    echo "$h: a header of this name is in more than one folder:$(for x in $folders; do
        [ -f "$root/$x/$h" ] && printf ' %s/' "$x"; done)"
    bad=1
done
[ $bad = 0 ] && echo "includes: every cross-folder include is on its folder's map"
exit $bad
