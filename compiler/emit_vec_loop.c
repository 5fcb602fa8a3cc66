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

static void scan_expr(scan *S, hc_expr *e);
static void scan_block(scan *S, hc_block *blk);

static void scan_call(scan *S, hc_expr *e) {
    hc_expr *f = e->lhs;
    if (f->kind == E_FIELD && f->ref == REF_FORM) {
        hc_form *F = vec_form(f->lhs);
        if (!F || f->lhs->kind == E_FIELD) {
            S->ok = 0; /* another form, or a vec reached through a field (may run a guard) */
            return;
        }
        switch ((hc_form_method)f->variant) {
        case FM_PUSH:
            if (F->elem->heap) {
                S->ok = 0;
                return;
            }
            note_push(S, f->lhs);
            scan_expr(S, e->args.v[0]);
            return;
        case FM_LEN:
        case FM_IS_EMPTY:
            return;
        default:
            S->ok = 0;
            return;
        }
    }
    if (f->ref == REF_TYPE && scalar(e->ty) && e->args.n == 1 && scalar(e->args.v[0]->ty)) {
        scan_expr(S, e->args.v[0]); /* Int(x), Float(x) */
        return;
    }
    const hc_builtin *bi = f->ref == REF_BUILTIN ? f->builtin : NULL;
    if (bi && (bi->kind == BI_MIN || bi->kind == BI_MAX || bi->kind == BI_ABS) && scalar(e->ty)) {
        for (int i = 0; i < e->args.n; i++) {
            scan_expr(S, e->args.v[i]);
        }
        return;
    }
    S->ok = 0;
}

static void scan_expr(scan *S, hc_expr *e) {
    if (!S->ok || !e) {
        return;
    }
    switch (e->kind) {
    case E_INT:
    case E_FLOAT:
    case E_BOOL:
        return;
    case E_NAME:
        if ((e->ref != REF_LOCAL && e->ref != REF_CONST) || !scalar(e->ty)) {
            S->ok = 0;
        }
        return;
    case E_UNARY:
    case E_BINARY:
        if (!scalar(e->ty) || !scalar(e->lhs->ty) || (e->rhs && !scalar(e->rhs->ty))) {
            S->ok = 0;
            return;
        }
        scan_expr(S, e->lhs);
        scan_expr(S, e->rhs);
        return;
    case E_CALL:
        scan_call(S, e);
        return;
    case E_IF:
        scan_expr(S, e->lhs);
        scan_block(S, e->block);
        scan_expr(S, e->rhs);
        return;
    case E_BLOCK:
        scan_block(S, e->block);
        return;
    default:
        S->ok = 0;
    }
}

static void scan_stmt(scan *S, hc_stmt *s) {
    if (!S->ok || s->unreachable) {
        return;
    }
    switch (s->kind) {
    case S_LET:
        if (!s->local || !scalar(s->local->ty)) {
            S->ok = 0;
            return;
        }
        scan_expr(S, s->expr);
        return;
    case S_ASSIGN:
        if (s->target->kind != E_NAME || s->target->ref != REF_LOCAL || !scalar(s->target->ty)) {
            S->ok = 0;
            return;
        }
        scan_expr(S, s->expr);
        return;
    case S_EXPR:
    case S_IF:
    case S_RETURN:
        scan_expr(S, s->expr);
        return;
    case S_WHILE:
        scan_expr(S, s->expr);
        scan_block(S, s->body);
        return;
    case S_FOR:
        if (s->expr->kind != E_RANGE) {
            S->ok = 0;
            return;
        }
        scan_expr(S, s->expr->lhs);
        scan_expr(S, s->expr->rhs);
        scan_block(S, s->body);
        return;
    case S_BLOCK:
        scan_block(S, s->body);
        return;
    case S_BREAK:
    case S_CONTINUE:
        return;
    default:
        S->ok = 0;
    }
}

static void scan_block(scan *S, hc_block *blk) {
    for (int i = 0; S->ok && blk && i < blk->stmts.n; i++) {
        scan_stmt(S, blk->stmts.v[i]);
    }
    if (S->ok && blk && blk->tail && !blk->tail_unreachable) {
        scan_expr(S, blk->tail);
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
    if (loop->kind == S_FOR) {
        if (loop->expr->kind != E_RANGE) {
            return 0;
        }
        scan_expr(&S, loop->expr->lhs);
        scan_expr(&S, loop->expr->rhs);
    } else {
        scan_expr(&S, loop->expr);
    }
    scan_block(&S, loop->body);
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
