#!/bin/sh
# Golden-test driver: builds one Hale program with `hale build` and compares what happens with
# the expectation files beside it.
#
#   run_golden.sh HALE CASE WORKDIR
#
# CASE is tests/golden/.../NAME.hl (one file) or NAME.hlseed/ (a directory compiled as one
# program). Beside it, any of:
#   NAME.out    expected stdout of the program (stdin is /dev/null)
#   NAME.err    expected stderr: of `hale build` when the build must fail, else of the program
#   NAME.code   expected exit status (default: 0, or 1 when the build must fail)
#   NAME.args   arguments for the program, one line, split on spaces
#   NAME.check  expected combined output of `hale check CASE` (warnings, reports)
#   NAME.json   expected stdout of `hale check --json CASE` (diagnostics, then one line per topic)
#   NAME.checkargs  extra arguments for both `hale check` runs, one line, split on spaces
#               (--warn-resource-leak, --dump-resource-budget, ...)
#   NAME.env    extra environment for the program, one VAR=value per line
# The compiler runs with the case's directory as its working directory and the case's relative
# name, so diagnostics are written as `NAME.hl:LINE:COL: ...` on every machine.
set -u
hale=$1
case_path=$2
case $hale in
/*) ;;
*/*) hale=$(cd "$(dirname "$hale")" && pwd)/$(basename "$hale") ;;
esac
work=$3

dir=$(cd "$(dirname "$case_path")" && pwd)
file=$(basename "$case_path")
name=${file%.hl}
name=${name%.hlseed}
exp="$dir/$name"
mkdir -p "$work"
out="$work/$name"
rm -f "$out.bin" "$out.stdout" "$out.stderr" "$out.buildout" "$out.checkout" "$out.jsonout"

fail() {
    echo "FAIL $case_path: $*"
    exit 1
}

compare() { # expected-file actual-file what
    if ! diff -u "$1" "$2" >"$out.diff" 2>&1; then
        echo "--- $3 differs (expected $1, got $2):"
        cat "$out.diff"
        fail "$3 mismatch"
    fi
}

if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.check" ] && [ ! -f "$exp.json" ]; then
    fail "no $name.out, $name.err, $name.check or $name.json beside it"
fi

checkargs=""
[ -f "$exp.checkargs" ] && checkargs=$(cat "$exp.checkargs")

if [ -f "$exp.json" ]; then
    (cd "$dir" && "$hale" check --json $checkargs "$file") >"$out.jsonout" 2>&1
    compare "$exp.json" "$out.jsonout" "hale check --json output"
    if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.check" ]; then
        echo "PASS $case_path"
        exit 0
    fi
fi

if [ -f "$exp.check" ]; then
    (cd "$dir" && "$hale" check $checkargs "$file") >"$out.checkout" 2>&1
    compare "$exp.check" "$out.checkout" "hale check output"
    if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ]; then
        echo "PASS $case_path"
        exit 0
    fi
fi

(cd "$dir" && "$hale" build "$file" -o "$out.bin") >"$out.buildout" 2>"$out.stderr"
build_status=$?
if [ "$build_status" -ne 0 ]; then
    if [ -f "$exp.out" ] && [ ! -f "$exp.err" ]; then
        cat "$out.stderr"
        fail "build failed with status $build_status"
    fi
    want=1
    [ -f "$exp.code" ] && want=$(cat "$exp.code")
    [ "$build_status" -eq "$want" ] || { cat "$out.stderr"; fail "build exit $build_status, want $want"; }
    compare "$exp.err" "$out.stderr" "diagnostics"
    echo "PASS $case_path (build error)"
    exit 0
fi

args=""
[ -f "$exp.args" ] && args=$(cat "$exp.args")
(
    if [ -f "$exp.env" ]; then
        while IFS= read -r line; do
            [ -n "$line" ] && export "$line"
        done <"$exp.env"
    fi
    cd "$dir" && exec "$out.bin" $args
) </dev/null >"$out.stdout" 2>"$out.stderr"
status=$?
want=0
[ -f "$exp.code" ] && want=$(cat "$exp.code")
[ -f "$exp.out" ] && compare "$exp.out" "$out.stdout" "stdout"
if [ -f "$exp.err" ]; then
    compare "$exp.err" "$out.stderr" "stderr"
elif [ -s "$out.stderr" ] && [ "$status" -ne "$want" ]; then
    cat "$out.stderr"
fi
[ "$status" -eq "$want" ] || fail "exit status $status, want $want"
echo "PASS $case_path"
