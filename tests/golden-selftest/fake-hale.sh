#!/bin/sh
# Stand-in compiler for testing the golden driver itself: a "program" is a shell script; `build`
# copies it (or fails with the script's BUILD-ERROR line), `check` prints its CHECK line and the
# options it was given (the program is the last argument).
cmd=$1; src=$2
case "$cmd" in
check)
    shift
    opts=""
    while [ $# -gt 1 ]; do opts="$opts $1"; shift; done
    sed -n 's/^# CHECK: //p' "$1"
    [ -n "$opts" ] && echo "options:$opts"
    exit 0 ;;
build)
    out=$4
    if grep -q '^# BUILD-ERROR: ' "$src"; then
        sed -n 's/^# BUILD-ERROR: //p' "$src" >&2
        exit 1
    fi
    cp "$src" "$out" && chmod +x "$out" ;;
*) exit 2 ;;
esac
