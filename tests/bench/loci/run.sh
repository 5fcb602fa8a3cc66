#!/bin/sh
# Locus benchmarks: locus_instantiation (100k statement-position loci born, run and dissolved)
# and coord_with_churn (a coordinator churning 2,000 flow children per round, 100k in all)
# against Go goroutines+structs doing the same work and a C malloc/free baseline; and
# form_vec_push (500k pushes into a @form(vec)) through a compiled Hale program against the C
# realloc and Go append baselines of tests/bench/memory. Every figure is measured in this run; a
# ratio above 1 means Hale is faster. Needs the release build; Go is optional
# (`deploy/install-deps.sh --bench`). Never part of `make test`.
#
#   tests/bench/loci/run.sh [BUILD_DIR]
set -eu
. "$(dirname "$0")/../lib.sh"
mem="$here/../memory"
hale="$build/bin/hale"
[ -x "$hale" ] || { echo "loci bench: run make build first" >&2; exit 1; }
export HALE_CACHE_DIR="$work/cache"

for p in locus_instantiation coord_with_churn form_vec_push; do
    "$hale" build "$here/$p.hl" -o "$work/$p"
done
cc -O2 -std=c11 -D_GNU_SOURCE "$here/loci_c.c" -o "$work/loci_c"
hale_cc "-I$mem" "$mem/vec_push.c" -o "$work/vec_push"
have_go=""
go_build "$work/loci_go" "$here/loci.go" && go_build "$work/vec_push_go" "$mem/vec_push.go" &&
    have_go=yes

# Three interleaved rounds of fresh processes; the table keeps each figure's best.
{
    for round in 1 2 3; do
        "$work/locus_instantiation"
        "$work/coord_with_churn"
        "$work/form_vec_push"
        "$work/loci_c"
        "$work/vec_push" c
        if [ -n "$have_go" ]; then
            "$work/loci_go"
            "$work/vec_push_go"
        fi
    done
} >"$work/results"

label_width=32
printf "%-${label_width}s %14s %-22s %14s %8s\n" "workload (best of runs)" "hale" "baseline" "time" "ratio"
ms_row "locus_instantiation 100k" locus_instantiation_hale "Go goroutine+struct" locus_instantiation_go
ms_row "locus_instantiation 100k" locus_instantiation_hale "C malloc/free" locus_instantiation_c
ms_row "coord_with_churn 50 x 2,000" coord_with_churn_hale "Go goroutines+chan" coord_with_churn_go
ms_row "coord_with_churn 50 x 2,000" coord_with_churn_hale "C malloc/free" coord_with_churn_c
ms_row "form_vec_push 500k (Hale)" form_vec_push_hale "Go append" vec_push_go
ms_row "form_vec_push 500k (Hale)" form_vec_push_hale "C realloc doubling" vec_push_c_realloc
[ -n "$have_go" ] || echo "(Go not installed: deploy/install-deps.sh --bench)"
echo "ratio = baseline time / Hale time (above 1: Hale is faster)"
