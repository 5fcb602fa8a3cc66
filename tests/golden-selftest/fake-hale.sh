#!/bin/sh
# Stand-in compiler for testing the golden driver itself: a "program" is a shell script; `build`
# copies it (or fails with the script's BUILD-ERROR line) with POSTURE set to its --posture;
# `check` prints its CHECK line and the other options it was given (the program is the last
# argument); `check --escapes [--json] [--posture P]` prints its ESCAPES[-P][-json] line.
cmd=$1
shift
case "$cmd" in
check)
    escapes=0 json="" posture="" opts=""
    while [ $# -gt 1 ]; do
        case $1 in
        --escapes) escapes=1 ;;
        --json) json=-json ;;
        --posture) shift; posture=-$1 ;;
        *) opts="$opts $1" ;;
        esac
        shift
    done
    if [ $escapes -eq 1 ]; then
        sed -n "s/^# ESCAPES$posture$json: //p" "$1"
    else
        sed -n 's/^# CHECK: //p' "$1"
        [ -n "$opts" ] && echo "options:$opts"
    fi
    exit 0 ;;
build)
    src=$1 out=$3 posture=""
    [ "${4:-}" = --posture ] && posture=$5
    if grep -q '^# BUILD-ERROR: ' "$src"; then
        sed -n 's/^# BUILD-ERROR: //p' "$src" >&2
        exit 1
    fi
    { echo "#!/bin/sh"; echo "POSTURE=$posture"; cat "$src"; } >"$out" && chmod +x "$out" ;;
*) exit 2 ;;
esac
