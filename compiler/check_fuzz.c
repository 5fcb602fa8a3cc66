/* libFuzzer entry point over the whole front end: lex, parse, resolve and type-check one
 * buffer as a one-file program, then (when it checks) `hale check`'s analyses and the emitter.
 * Any input must give diagnostics, never a crash, a hang or a leak (the arena is freed whole). */
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "check_impl.h"
#include "emit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) {
        return 0;
    }
    hc_arena *a = hc_arena_new();
    hc_diags *d = hc_diags_new(a);
    char *text = hc_strndup(a, (const char *)data, size);
    hc_program *P = hc_load_buffer(a, d, "fuzz.hl", text, size);
    if (!P->parse_errors) {
        hc_check(P);
    }
    hc_buf out = {0};
    if (hc_error_count(d) == 0) {
        hc_analyze_opts ao = {1, 1};
        hc_analyze(P, &ao);
        hc_budget b;
        hc_budget_count(P, &b);
        hc_budget_print(P, &b, &out, 1);
        hc_emit_program(P, &out);
    }
    hc_buf_free(&out);
    hc_arena_free(a);
    return 0;
}
