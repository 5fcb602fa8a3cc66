#!/bin/sh
# Compiler benchmark (not a test): `hale check` and `hale build` of a generated 20,000-line
# program, and fn_call — 10M calls of a small free function — against the same loop written in
# C, compiled with the same C compiler and flags, measured side by side in this run.
#
#   run.sh BUILD_DIR
set -eu
. "$(dirname "$0")/../lib.sh"
hale="$build/bin/hale"
export HALE_CACHE_DIR="$work/cache"

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
# best of N runs of a command, in nanoseconds
best() {
    n=$1; shift
    b=0
    for _ in $(seq "$n"); do
        t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
        d=$((t1 - t0))
        if [ "$b" -eq 0 ] || [ "$d" -lt "$b" ]; then b=$d; fi
    done
    echo "$b"
}

# ---- a generated 20,000-line program: 500 units of 40 lines, and a main ----
gen=$work/big.hl
awk 'BEGIN {
  for (k = 0; k < 500; k++) {
    printf "type Rec%d {\n    id: Int;\n    name: String;\n    score: Float;\n}\n\n", k
    printf "enum Kind%d { A%d, B%d, C%d }\n\n", k, k, k, k
    printf "fn id%d(x: Int) -> Int {\n    return x;\n}\n\n", k
    printf "fn make%d(i: Int) -> Rec%d {\n", k, k
    printf "    return Rec%d { id: i, name: \"r\" + to_string(i), score: Float(i) / 2.0 };\n}\n\n", k
    printf "fn classify%d(r: Rec%d) -> Kind%d {\n    if r.id %% 3 == 0 {\n", k, k, k
    printf "        return Kind%d::A%d;\n    } else if r.id %% 3 == 1 {\n", k, k
    printf "        return Kind%d::B%d;\n    }\n    return Kind%d::C%d;\n}\n\n", k, k, k, k
    printf "fn work%d(n: Int) -> Int {\n    let mut total = 0;\n    for i in 0..n {\n", k
    printf "        let r = make%d(i);\n        let w = match classify%d(r) {\n", k, k
    printf "            Kind%d::A%d -> 1,\n            Kind%d::B%d -> len(r.name),\n", k, k, k, k
    printf "            Kind%d::C%d -> Int(r.score),\n        };\n", k, k
    printf "        total += id%d(w);\n    }\n    return total;\n}\n\n", k
  }
  printf "fn main() {\n    let mut sum = 0;\n"
  for (k = 0; k < 500; k++) printf "    sum += work%d(%d);\n", k, 10 + k % 7
  printf "    println(sum);\n}\n"
}' >"$gen"
lines=$(wc -l <"$gen")

check_ns=$(best 3 "$hale" check "$gen")
t0=$(now); "$hale" build "$gen" -o "$work/big" --emit-c "$work/big.c" >/dev/null; t1=$(now)
build_ns=$((t1 - t0))
cached_ns=$(best 3 "$hale" build "$gen" -o "$work/big2")
"$work/big" >/dev/null
cc_ns=$(best 1 cc -std=c11 -O2 -w -march=native -I"$build/include" -c "$work/big.c" -o "$work/big.o")

# ---- fn_call: 10M calls, Hale against C ----
cat >"$work/fn_call.hl" <<'HL'
fn step(acc: Int, i: Int) -> Int {
    return (acc * 31 + i) % 1000003;
}

fn main() {
    let n = std::str::parse_int(std::env::arg_or(1, "10000000")) or 10000000;
    let mut acc = 0;
    for i in 0..n {
        acc = step(acc, i);
    }
    println(acc);
}
HL
cat >"$work/fn_call.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static int64_t step(int64_t acc, int64_t i) {
    return (int64_t)((uint64_t)acc * 31 + (uint64_t)i) % 1000003;
}
int main(int argc, char **argv) {
    int64_t n = argc > 1 ? atoll(argv[1]) : 10000000;
    int64_t acc = 0;
    for (int64_t i = 0; i < n; i++) {
        acc = step(acc, i);
    }
    printf("%lld\n", (long long)acc);
    return 0;
}
C
"$hale" build "$work/fn_call.hl" -o "$work/fn_call_hale" >/dev/null
cc -std=c11 -O2 -march=native "$work/fn_call.c" -o "$work/fn_call_c"
[ "$("$work/fn_call_hale" 10000000)" = "$("$work/fn_call_c" 10000000)" ] ||
    { echo "fn_call: Hale and C disagree"; exit 1; }
hale_ns=$(best 5 "$work/fn_call_hale" 10000000)
c_ns=$(best 5 "$work/fn_call_c" 10000000)

printf '%-44s %12s %12s %8s\n' "benchmark" "hale (s)" "baseline (s)" "ratio"
printf '%-44s %12s %12s %8s\n' "hale check, generated program ($lines lines)" "$(secs "$check_ns")" "-" "-"
printf '%-44s %12s %12s %8s\n' "hale build (cold cache) vs cc -O2 of its C" "$(secs "$build_ns")" \
    "$(secs "$cc_ns")" "$(ratio "$build_ns" "$cc_ns")"
printf '%-44s %12s %12s %8s\n' "hale build (cached)" "$(secs "$cached_ns")" "-" "-"
printf '%-44s %12s %12s %8s\n' "fn_call: 10M calls, Hale vs the loop in C" "$(secs "$hale_ns")" \
    "$(secs "$c_ns")" "$(ratio "$hale_ns" "$c_ns")"
