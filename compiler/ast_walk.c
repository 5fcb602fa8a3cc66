/* See ast.h. One traversal of bodies, so that every pass looking at all of a body's expressions
 * sees the same children in the same order. */
#include "ast.h"

static int walk_stmt(hc_walker *w, hc_stmt *s) {
    int r = w->stmt ? w->stmt(w, s) : HC_WALK_ON;
    if (r != HC_WALK_ON) {
        return r == HC_WALK_SKIP;
    }
    if (!hc_walk_expr(w, s->expr) || !hc_walk_expr(w, s->target) ||
        !hc_walk_expr(w, s->modifier_expr)) {
        return 0;
    }
    for (int i = 0; i < s->args.n; i++) {
        if (!hc_walk_expr(w, s->args.v[i])) {
            return 0;
        }
    }
    return hc_walk_block(w, s->body);
}

int hc_walk_expr(hc_walker *w, hc_expr *e) {
    if (!e) {
        return 1;
    }
    int r = w->expr ? w->expr(w, e) : HC_WALK_ON;
    if (r != HC_WALK_ON) {
        return r == HC_WALK_SKIP;
    }
    if (!hc_walk_expr(w, e->lhs) || !hc_walk_expr(w, e->rhs) || !hc_walk_expr(w, e->third)) {
        return 0;
    }
    for (int i = 0; i < e->args.n; i++) {
        if (!hc_walk_expr(w, e->args.v[i])) {
            return 0;
        }
    }
    for (int i = 0; i < e->inits.n; i++) {
        if (!hc_walk_expr(w, e->inits.v[i].value)) {
            return 0;
        }
    }
    for (int i = 0; i < e->arms.n; i++) {
        if (!hc_walk_expr(w, e->arms.v[i].guard) || !hc_walk_expr(w, e->arms.v[i].body)) {
            return 0;
        }
    }
    return hc_walk_block(w, e->block);
}

int hc_walk_block(hc_walker *w, hc_block *b) {
    if (!b) {
        return 1;
    }
    for (int i = 0; i < b->stmts.n; i++) {
        if (!walk_stmt(w, b->stmts.v[i])) {
            return 0;
        }
    }
    return hc_walk_expr(w, b->tail);
}
