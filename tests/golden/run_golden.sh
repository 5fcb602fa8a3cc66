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
#   NAME.escapes        expected output (stdout, then stderr) of `hale check --escapes CASE`
#   NAME.P.escapes      ... of `hale check --escapes --posture P CASE`; NAME.P.escapes.json
#                       (and NAME.escapes.json) the same with --json
#   NAME.postures       the memory postures to build and run the program under, one line
#                       (e.g. `copy guard aggressive`): each is built with `--posture P` and
#                       checked against NAME.P.out / .err / .code where they exist, else
#                       against NAME.out / .err / .code
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
# Under the case's own directory: cases of one name in two directories (errors.hl) run at once.
work="$work$dir"
mkdir -p "$work"
out="$work/$name"
rm -f "$out.bin" "$out.stdout" "$out.stderr" "$out.buildout" "$out.checkout" "$out.jsonout" \
    "$out.escout" "$out.escerr"

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

escape_files=$(cd "$dir" && ls "$name".escapes "$name".*.escapes "$name".escapes.json \
    "$name".*.escapes.json 2>/dev/null)
if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.check" ] && [ ! -f "$exp.json" ] &&
    [ ! -f "$exp.postures" ] && [ -z "$escape_files" ]; then
    fail "no $name.out, $name.err, $name.check, $name.json, $name.postures or $name.escapes beside it"
fi

# The escape reports: one file per posture asked for (none: the posture hale.toml gives).
for ef in $escape_files; do
    rest=${ef#"$name".}
    json=""
    case $rest in *.json) json=--json; rest=${rest%.json} ;; esac
    posture=${rest%escapes}
    posture=${posture%.}
    set -- check --escapes
    [ -n "$json" ] && set -- "$@" --json
    [ -n "$posture" ] && set -- "$@" --posture "$posture"
    (cd "$dir" && "$hale" "$@" "$file") >"$out.escout" 2>"$out.escerr"
    cat "$out.escerr" >>"$out.escout"
    compare "$dir/$ef" "$out.escout" "hale $* output"
done
if [ -n "$escape_files" ] && [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.check" ] &&
    [ ! -f "$exp.json" ] && [ ! -f "$exp.postures" ]; then
    echo "PASS $case_path"
    exit 0
fi

checkargs=""
[ -f "$exp.checkargs" ] && checkargs=$(cat "$exp.checkargs")

if [ -f "$exp.json" ]; then
    (cd "$dir" && "$hale" check --json $checkargs "$file") >"$out.jsonout" 2>&1
    compare "$exp.json" "$out.jsonout" "hale check --json output"
    if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.check" ] &&
        [ ! -f "$exp.postures" ]; then
        echo "PASS $case_path"
        exit 0
    fi
fi

if [ -f "$exp.check" ]; then
    (cd "$dir" && "$hale" check $checkargs "$file") >"$out.checkout" 2>&1
    compare "$exp.check" "$out.checkout" "hale check output"
    if [ ! -f "$exp.out" ] && [ ! -f "$exp.err" ] && [ ! -f "$exp.postures" ]; then
        echo "PASS $case_path"
        exit 0
    fi
fi

# One build and run, under the posture in $posture (empty: hale.toml's or the default).
build_and_run() {
    posture_opt=""
    posture_note=""
    x_out=$exp.out
    x_err=$exp.err
    x_code=$exp.code
    if [ -n "$posture" ]; then
        posture_opt="--posture $posture"
        posture_note=" (posture $posture)"
        [ -f "$exp.$posture.out" ] && x_out=$exp.$posture.out
        [ -f "$exp.$posture.err" ] && x_err=$exp.$posture.err
        [ -f "$exp.$posture.code" ] && x_code=$exp.$posture.code
    fi
    rm -f "$out.bin" "$out.stdout" "$out.stderr"
    (cd "$dir" && "$hale" build "$file" -o "$out.bin" $posture_opt) >"$out.buildout" 2>"$out.stderr"
    build_status=$?
    if [ "$build_status" -ne 0 ]; then
        if [ -f "$x_out" ] && [ ! -f "$x_err" ]; then
            cat "$out.stderr"
            fail "build failed with status $build_status$posture_note"
        fi
        want=1
        [ -f "$x_code" ] && want=$(cat "$x_code")
        [ "$build_status" -eq "$want" ] || { cat "$out.stderr"; fail "build exit $build_status, want $want$posture_note"; }
        compare "$x_err" "$out.stderr" "diagnostics$posture_note"
        echo "PASS $case_path$posture_note (build error)"
        return 0
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
    [ -f "$x_code" ] && want=$(cat "$x_code")
    [ -f "$x_out" ] && compare "$x_out" "$out.stdout" "stdout$posture_note"
    if [ -f "$x_err" ]; then
        compare "$x_err" "$out.stderr" "stderr$posture_note"
    elif [ -s "$out.stderr" ] && [ "$status" -ne "$want" ]; then
        cat "$out.stderr"
    fi
    [ "$status" -eq "$want" ] || fail "exit status $status, want $want$posture_note"
    echo "PASS $case_path$posture_note"
}

if [ -f "$exp.postures" ]; then
    for posture in $(cat "$exp.postures"); do
        build_and_run
    done
else
    posture=""
    build_and_run
fi
