/* See check.h. This file: closure accumulators. Inside a closure's assertion, `sum(e)`,
 * `mean(e)` and `count()` are not calls: each names a running total the closure keeps across
 * its epoch fires (every fire adds `e` evaluated then, before the assertion is read). The
 * parser sees them as calls; the checker turns them into E_REDUCE nodes, numbered per locus
 * type (`field_index`) so that the emitter can give each one its fields in the state. */
#include <string.h>

#include "check_impl.h"

static int reduce_word(hc_expr *e) {
    if (e->kind != E_CALL || !e->lhs || e->lhs->kind != E_NAME || e->lhs->path.n != 1) {
        return 0;
    }
    const char *w = e->lhs->path.seg[0].name;
    return ((!strcmp(w, "sum") || !strcmp(w, "mean")) && e->args.n == 1) ||
           (!strcmp(w, "count") && e->args.n == 0);
}

/* Rewrites accumulator calls under `e`, numbering them from *next. */
static void rewrite(hc_program *P, hc_expr *e, int *next, int inside) {
    if (!e) {
        return;
    }
    if (reduce_word(e)) {
        const char *w = e->lhs->path.seg[0].name;
        hc_expr *arg = e->args.n ? e->args.v[0] : NULL;
        e->kind = E_REDUCE;
        e->str = w;
        e->lhs = arg;
        e->args.n = 0;
        e->field_index = (*next)++;
        if (inside) {
            hc_error(P->d, e->pos, "an accumulator cannot sit inside another accumulator");
        }
        rewrite(P, arg, next, 1);
        return;
    }
    rewrite(P, e->lhs, next, inside);
    rewrite(P, e->rhs, next, inside);
    rewrite(P, e->third, next, inside);
    for (int i = 0; i < e->args.n; i++) {
        rewrite(P, e->args.v[i], next, inside);
    }
}

static int count_in(hc_expr *e) {
    if (!e) {
        return 0;
    }
    int n = e->kind == E_REDUCE;
    n += count_in(e->lhs) + count_in(e->rhs) + count_in(e->third);
    for (int i = 0; i < e->args.n; i++) {
        n += count_in(e->args.v[i]);
    }
    return n;
}

int ck_accumulators(hc_decl *locus) {
    int n = 0;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_CLOSURE) {
            n += count_in(m->assertion);
        }
    }
    return n;
}

void ck_accum_rewrite(hc_program *P, hc_decl *locus, hc_decl *closure) {
    int next = 0;
    for (int i = 0; i < locus->members.n && locus->members.v[i] != closure; i++) {
        if (locus->members.v[i]->kind == M_CLOSURE) {
            next += count_in(locus->members.v[i]->assertion);
        }
    }
    rewrite(P, closure->assertion, &next, 0);
}

hc_type *ck_reduce(hc_ctx *c, hc_expr *e) {
    if (!strcmp(e->str, "count")) {
        return TY(c, TY_INT);
    }
    hc_type *t = ck_expr(c, e->lhs, NULL);
    if (!hc_ty_is_numeric(t) && t->kind != TY_DURATION && t->kind != TY_ERROR) {
        hc_error(c->P->d, e->lhs->pos, "`%s` accumulates numbers, found `%s`", e->str, TNAME(c, t));
        return TY(c, TY_ERROR);
    }
    return !strcmp(e->str, "mean") ? TY(c, TY_FLOAT) : t;
}
