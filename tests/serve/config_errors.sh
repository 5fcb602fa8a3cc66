#!/bin/sh
# Every broken file in BAD_DIR (NAME.toml) must make `hale serve` exit 2 with nothing on stdout
# and exactly one line on stderr: the one in NAME.err, where @FILE@ stands for the file's path
# and @DIR@ for its directory (resolved).
set -u
hale=$1
dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
n=0
for f in "$dir"/*.toml; do
    n=$((n + 1))
    name=$(basename "$f" .toml)
    "$hale" serve "$f" >"$work/out" 2>"$work/err"
    status=$?
    sed -e "s|@FILE@|$f|" -e "s|@DIR@|$(cd "$dir" && pwd -P)|" "$dir/$name.err" >"$work/want"
    if [ $status -ne 2 ]; then
        echo "FAIL $name: exit status $status, want 2"; bad=1
    elif [ -s "$work/out" ]; then
        echo "FAIL $name: unexpected stdout:"; cat "$work/out"; bad=1
    elif [ "$(wc -l <"$work/err")" -ne 1 ] || ! cmp -s "$work/err" "$work/want"; then
        echo "FAIL $name: stderr differs"; echo "  got:  $(cat "$work/err")"
        echo "  want: $(cat "$work/want")"; bad=1
    fi
    # `hale serve --check` reports the same.
    "$hale" serve "$f" --check >/dev/null 2>"$work/check"
    if [ $? -ne 2 ] || ! cmp -s "$work/check" "$work/want"; then
        echo "FAIL $name: --check differs"; bad=1
    fi
done
[ $n -ge 12 ] || { echo "FAIL: only $n bad files"; bad=1; }
[ $bad -eq 0 ] && echo "config errors: $n files, each one line and exit 2"
exit $bad
