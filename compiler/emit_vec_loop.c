/* See emit.h. This file: pushes onto a @form(vec) inside a loop that cannot otherwise reach the
 * vec keep its data, length and ready mark in locals (a `hale_vec_cursor`, runtime/form_vec.h).
 *
 * Why: a push stores the element through a char pointer, which C lets alias the vec's own
 * fields, so without this every push reloads the length and the bound from memory and the length
 * travels through a store and a load on each iteration (a store-to-load chain several times
 * longer than the push itself). With the fields in locals the C compiler keeps them in registers.
 *
 * When it is exact: the loop (its condition and body, nested loops included) is made only of code
 * that cannot reach a vec except through the pushes and reads written in it: scalar locals and
 * constants, arithmetic, comparisons and conversions on Int, Float and Bool, min/max/abs, `if`,
 * `while`, `for` over a range, `break`, `continue`, `return`, and the vec methods push (of a flat
 * element), len and is_empty. A call of anything else (a function, a method, a send that may run
 * a handler at once), a locus literal, a pop, or a value with heap parts makes the loop keep the
 * ordinary pushes. All pushes onto one locus type must go through one local variable (or `self`)
 * declared outside the loop: another variable of that type may name the same locus, so a second
 * one keeps that type on the ordinary pushes. Every push writes the length back, so whatever
 * reads the vec in the loop (len(), a fault's unwinding, a `return`) sees it whole; the cursor
 * starts empty, so nothing is read from the vec before the loop's first push, which loads it. */
#include <string.h>

#include "builtins.h"
#include "emit_impl.h"

/* A receiver the loop pushes onto: the local (NULL for `self`) and the locus type. */
typedef struct {
    hc_type *ty;
    hc_local *local;
    int conflict; /* pushes onto this type go through more than one receiver */
} receiver;

typedef struct {
    receiver r[EM_MAX_CURSORS];
    int n;
    int ok; /* nothing outside the shapes above so far */
} scan;

static int scalar(hc_type *t) {
    return t && (t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL);
}

static hc_form *vec_form(hc_expr *recv) {
    hc_type *t = recv->ty;
    if (!t || t->kind != TY_LOCUS || !t->decl || !t->decl->form) {
        return NULL;
    }
    return t->decl->form->kind == FORM_VEC ? t->decl->form : NULL;
}

static void note_push(scan *S, hc_expr *recv) {
    int self = recv->kind == E_SELF;
    hc_local *l = recv->kind == E_NAME && recv->ref == REF_LOCAL ? recv->local : NULL;
    for (int i = 0; i < S->n; i++) {
        if (S->r[i].ty == recv->ty) {
            if ((!self && !l) || S->r[i].local != l) {
                S->r[i].conflict = 1;
            }
            return;
        }
    }
    if (S->n == EM_MAX_CURSORS) {
        S->ok = 0;
        return;
    }
    S->r[S->n++] = (receiver){recv->ty, l, !self && !l};
}

/* The scan is an ast_walk.c walk: each callback lets through (HC_WALK_ON) the nodes of the
 * shapes above, walks the parts of a call that matter itself (HC_WALK_SKIP), and stops the walk
 * (clearing `ok`) at anything else. */
static int refuse(scan *S) {
    S->ok = 0;
    return HC_WALK_STOP;
}

static int walk_loop_part(hc_walker *w, hc_expr *e) {
    return hc_walk_expr(w, e) ? HC_WALK_SKIP : HC_WALK_STOP;
}

static int scan_call(hc_walker *w, scan *S, hc_expr *e) {
    hc_expr *f = e->lhs;
    if (f->kind == E_FIELD && f->ref == REF_FORM) {
        hc_form *F = vec_form(f->lhs);
        if (!F || f->lhs->kind == E_FIELD) {
            return refuse(S); /* another form, or a vec reached through a field (may run a guard) */
        }
        switch ((hc_form_method)f->variant) {
        case FM_PUSH:
            if (F->elem->heap) {
                return refuse(S);
            }
            note_push(S, f->lhs);
            return S->ok ? walk_loop_part(w, e->args.v[0]) : HC_WALK_STOP;
        case FM_LEN:
        case FM_IS_EMPTY:
            return HC_WALK_SKIP;
        default:
            return refuse(S);
        }
    }
    int convert = f->ref == REF_TYPE && scalar(e->ty) && e->args.n == 1 &&
                  scalar(e->args.v[0]->ty); /* Int(x), Float(x) */
    const hc_builtin *bi = f->ref == REF_BUILTIN ? f->builtin : NULL;
    int math =
        bi && (bi->kind == BI_MIN || bi->kind == BI_MAX || bi->kind == BI_ABS) && scalar(e->ty);
    if (!convert && !math) {
        return refuse(S);
    }
    for (int i = 0; i < e->args.n; i++) {
        if (!hc_walk_expr(w, e->args.v[i])) {
            return HC_WALK_STOP;
        }
    }
    return HC_WALK_SKIP;
}

static int scan_expr(hc_walker *w, hc_expr *e) {
    scan *S = w->ctx;
    switch (e->kind) {
    case E_INT:
    case E_FLOAT:
    case E_BOOL:
    case E_IF:
    case E_BLOCK:
        return HC_WALK_ON;
    case E_NAME:
        return (e->ref == REF_LOCAL || e->ref == REF_CONST) && scalar(e->ty) ? HC_WALK_ON
                                                                             : refuse(S);
    case E_UNARY:
    case E_BINARY:
        return scalar(e->ty) && scalar(e->lhs->ty) && (!e->rhs || scalar(e->rhs->ty)) ? HC_WALK_ON
                                                                                      : refuse(S);
    case E_CALL:
        return scan_call(w, S, e);
    default:
        return refuse(S);
    }
}

static int scan_stmt(hc_walker *w, hc_stmt *s) {
    scan *S = w->ctx;
    if (s->unreachable) {
        return HC_WALK_SKIP;
    }
    switch (s->kind) {
    case S_LET:
        return s->local && scalar(s->local->ty) ? HC_WALK_ON : refuse(S);
    case S_ASSIGN: /* the target is walked too: a scalar local passes */
        return s->target->kind == E_NAME && s->target->ref == REF_LOCAL && scalar(s->target->ty)
                   ? HC_WALK_ON
                   : refuse(S);
    case S_EXPR:
    case S_IF:
    case S_RETURN:
    case S_WHILE:
    case S_BLOCK:
    case S_BREAK:
    case S_CONTINUE:
        return HC_WALK_ON;
    case S_FOR: /* over a range only: its bounds, then the body */
        if (s->expr->kind != E_RANGE) {
            return refuse(S);
        }
        return hc_walk_expr(w, s->expr->lhs) && hc_walk_expr(w, s->expr->rhs) &&
                       hc_walk_block(w, s->body)
                   ? HC_WALK_SKIP
                   : HC_WALK_STOP;
    default:
        return refuse(S);
    }
}

static int active(hc_emit *E, hc_type *ty) {
    for (int i = 0; i < E->ncursors; i++) {
        if (E->cursors[i].ty == ty) {
            return 1;
        }
    }
    return 0;
}

int em_vec_cursors_open(hc_emit *E, hc_buf *b, hc_stmt *loop) {
    scan S = {.ok = 1};
    hc_walker w = {.expr = scan_expr, .stmt = scan_stmt, .ctx = &S};
    if (loop->kind == S_FOR) {
        if (loop->expr->kind != E_RANGE) {
            return 0;
        }
        if (hc_walk_expr(&w, loop->expr->lhs)) {
            hc_walk_expr(&w, loop->expr->rhs);
        }
    } else {
        hc_walk_expr(&w, loop->expr);
    }
    if (S.ok) {
        hc_walk_block(&w, loop->body);
    }
    int opened = 0;
    for (int i = 0; S.ok && i < S.n; i++) {
        receiver *r = &S.r[i];
        /* an enclosing loop's cursor of this type already covers this loop */
        if (r->conflict || active(E, r->ty) || E->ncursors == EM_MAX_CURSORS) {
            continue;
        }
        const char *v = em_tmp(E, "hq");
        hc_buf_printf(b, "hale_vec_cursor %s = HALE_VEC_CURSOR_EMPTY; ", v);
        E->cursors[E->ncursors++] = (em_cursor){r->ty, r->local, v};
        opened++;
    }
    return opened;
}

void em_vec_cursors_close(hc_emit *E, int n) {
    E->ncursors -= n;
}

const char *em_vec_cursor(hc_emit *E, hc_expr *recv) {
    hc_local *l = recv->kind == E_NAME && recv->ref == REF_LOCAL ? recv->local : NULL;
    if (!l && recv->kind != E_SELF) {
        return NULL;
    }
    for (int i = E->ncursors - 1; i >= 0; i--) {
        if (E->cursors[i].ty == recv->ty && E->cursors[i].local == l) {
            return E->cursors[i].name;
        }
    }
    return NULL;
}
