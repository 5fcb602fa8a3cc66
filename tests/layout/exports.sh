#!/bin/sh
# Every symbol our libraries export carries its layer's prefix, so none can collide with another
# layer's or with a program's own C: libhale.a (linked into every compiled program) exports
# hale_* and, for the bus's internals shared between its files, hbus_*; the transport tp_*, the
# supervisor sv_*, config cfg_*, and the compiler hc_* for its API and one prefix per phase for
# what its phases share (ps_ parser, ck_ checker, an_ analyses, em_ emitter). Prints each
# symbol that does not, and exits 1 if there is one.
#
#   tests/layout/exports.sh BUILD_DIR
set -u
lib=$1/lib/hale
bad=0
check() { # archive, allowed prefixes as an extended regex
    [ -f "$lib/$1" ] || { echo "$lib/$1: not built"; bad=1; return; }
    found=$(nm -g --defined-only "$lib/$1" | awk '$2 ~ /^[TDBRCVW]$/ { print $3 }' |
        grep -v -E "^(_|$2)" | sort -u)
    for s in $found; do
        echo "$1: exports $s (allowed: $2)"
        bad=1
    done
}
check libhale.a 'hale_|hbus_'
check libhale_transport.a 'tp_'
check libhale_supervisor.a 'sv_'
check libhale_config.a 'cfg_'
check libhale_compiler.a 'hc_|ps_|ck_|an_|em_'
[ $bad = 0 ] && echo "exports: every exported symbol carries its layer's prefix"
exit $bad
