/* See emit.h. This file: closure accumulators (check_accum.c). Each `sum(e)` / `mean(e)` /
 * `count()` of a locus type's closures keeps a running total and a count in the locus's state;
 * every fire of the closure's epoch adds `e` (evaluated then) before the assertion reads them.
 * They live among the parameters, so `restart_in_place` starts them afresh with the rest of
 * the state; any other recovery keeps them. */
#include "emit_impl.h"

void em_accum_fields(hc_emit *E, hc_decl *d) {
    for (int k = 0, n = ck_accumulators(d); k < n; k++) {
        hc_buf_printf(&E->types, "    double hacs%d;\n    int64_t hacn%d;\n", k, k);
    }
}

static void update(hc_emit *E, hc_buf *b, hc_expr *e) {
    if (!e) {
        return;
    }
    if (e->kind == E_REDUCE) {
        if (e->lhs) {
            hc_buf_printf(b, "        %s->hacs%d += (double)(", E->self_text, e->field_index);
            em_expr(E, b, e->lhs);
            hc_buf_puts(b, ");\n");
        }
        hc_buf_printf(b, "        %s->hacn%d += 1;\n", E->self_text, e->field_index);
        return;
    }
    update(E, b, e->lhs);
    update(E, b, e->rhs);
    update(E, b, e->third);
    for (int i = 0; i < e->args.n; i++) {
        update(E, b, e->args.v[i]);
    }
}

void em_accum_update(hc_emit *E, hc_buf *b, hc_decl *closure) {
    update(E, b, closure->assertion);
}

void em_accum_ref(hc_emit *E, hc_buf *b, hc_expr *e) {
    const char *s = E->self_text;
    int k = e->field_index;
    if (e->str[0] == 'c') { /* count() */
        hc_buf_printf(b, "%s->hacn%d", s, k);
    } else if (e->str[0] == 'm') { /* mean(e) */
        hc_buf_printf(b, "(%s->hacn%d ? %s->hacs%d / (double)%s->hacn%d : 0.0)", s, k, s, k, s, k);
    } else if (e->ty->kind == TY_FLOAT) {
        hc_buf_printf(b, "%s->hacs%d", s, k);
    } else {
        hc_buf_printf(b, "((int64_t)%s->hacs%d)", s, k);
    }
}
