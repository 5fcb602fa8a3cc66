#!/bin/sh
# Memory benchmarks: region allocation vs malloc/free, form_vec_push vs C realloc and Go's
# append, JSON build/parse vs C baselines. Every figure in the table is measured in this run, side
# by side; a ratio above 1 means ours is faster. Needs the release build (BUILD) and, for the
# peers, `deploy/install-deps.sh --bench` (Go, jansson). Never part of `make test`.
#
#   tests/bench/memory/run.sh [BUILD_DIR]
set -eu
. "$(dirname "$0")/../lib.sh"

hale_cc -I"$here" "$here/region_alloc.c" -o "$work/region_alloc"
hale_cc -I"$here" "$here/vec_push.c" -o "$work/vec_push"
jansson=""
if [ -f /usr/include/jansson.h ]; then
    hale_cc -DHAVE_JANSSON -I"$here" "$here/json.c" -ljansson -o "$work/json"
    jansson=yes
else
    hale_cc -I"$here" "$here/json.c" -o "$work/json"
fi
have_go=""
go_build "$work/vec_push_go" "$here/vec_push.go" && have_go=yes

# Each vec variant and the Go peer run in fresh processes, three rounds interleaved; the table
# keeps each one's best.
{
    "$work/region_alloc"
    for round in 1 2 3; do
        for v in generic inline hoisted c; do "$work/vec_push" $v; done
        [ -n "$have_go" ] && "$work/vec_push_go"
    done
    "$work/json"
} >"$work/results"

label_width=34
printf "%-${label_width}s %14s %-22s %14s %8s\n" "workload (best of runs)" "ours" "baseline" "time" "ratio"
ms_row "region alloc 5M x 16-64B (reset)" region_alloc_reset "malloc+free each" malloc_free
ms_row "region alloc 5M (region per 1000)" region_alloc_new_free "malloc+free each" malloc_free
ms_row "form_vec_push 500k (hale_vec_push)" vec_push_hale "C realloc doubling" vec_push_c_realloc
ms_row "form_vec_push 500k (inline path)" vec_push_hale_inline "C realloc doubling" vec_push_c_realloc
ms_row "form_vec_push 500k (hoisted header)" vec_push_hale_hoisted "C realloc doubling" vec_push_c_realloc
ms_row "form_vec_push 500k (hale_vec_push)" vec_push_hale "Go append" vec_push_go
ms_row "form_vec_push 500k (inline path)" vec_push_hale_inline "Go append" vec_push_go
ms_row "form_vec_push 500k (hoisted header)" vec_push_hale_hoisted "Go append" vec_push_go
ms_row "json_build 200k objects" json_build_hale "C snprintf+realloc" json_build_c_snprintf
ms_row "json_parse 200k objects" json_parse_hale "jansson json_loadb" json_parse_jansson
[ -n "$have_go" ] || echo "(Go not installed: deploy/install-deps.sh --bench)"
[ -n "$jansson" ] || echo "(jansson not installed: deploy/install-deps.sh --bench)"
echo "ratio = baseline time / our time (above 1: ours is faster)"
