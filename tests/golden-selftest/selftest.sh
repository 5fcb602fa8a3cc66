#!/bin/sh
# Tests the golden driver: every case named pass_* must pass and every fail_* must fail, for the
# reason written in its .why file.
set -u
here=$(cd "$(dirname "$0")" && pwd)
driver=$here/../golden/run_golden.sh
work=${1:-/tmp/hale-golden-selftest.$$}
bad=0
for c in "$here"/cases/*.hl; do
    n=$(basename "$c" .hl)
    "$driver" "$here/fake-hale.sh" "$c" "$work" >"$work.log" 2>&1
    st=$?
    case $n in
    pass_*) [ $st -eq 0 ] || { echo "driver wrongly failed $n:"; cat "$work.log"; bad=1; } ;;
    fail_*)
        [ $st -ne 0 ] || { echo "driver wrongly passed $n"; bad=1; }
        why=$(cat "$here/cases/$n.why")
        grep -qF "$why" "$work.log" || { echo "driver failed $n for another reason:"; cat "$work.log"; bad=1; } ;;
    esac
done
rm -rf "$work" "$work.log"
[ $bad -eq 0 ] && echo "golden driver self-test: all cases behaved"
exit $bad
