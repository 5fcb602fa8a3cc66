/* See check.h. This file: placement. Where every locus type runs, decided once for the whole
 * program, and the two checks that follow from it.
 *
 * A locus runs on the pool of the code that makes it (children inherit their parent's pool),
 * except a parameter of the `main locus` that `placement { }` names: that one runs on its pool
 * (a cooperative pool's thread, or a thread of its own when `pinned`). Free functions run on the
 * pool of whoever calls them. So the pools are a small fixpoint over the program: start from
 * `fn main` on the main pool and push pools through locus literals and calls until nothing
 * changes. A type made in several places may end up on several pools ("*").
 *
 * The checks:
 *   - a direct method call into a locus placed on another pool is an error (the method would
 *     run on the wrong thread, racing the locus's own code), and so is reading or writing one of
 *     its fields (except in the parent's dissolve(), after its children's threads are joined);
 *   - the birth-order trap is a warning: children are born one at a time in declaration order
 *     and a child on the main thread runs its run() before the next is touched, so a child whose
 *     run() provably never returns (a top-level `while true` with no way out) keeps every later
 *     sibling from being born. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

/* ---- the pool of a placement entry ---- */

hc_kwarg *ck_kwarg(hc_kwargs *kws, const char *key) {
    for (int i = 0; i < kws->n; i++) {
        if (kws->v[i].key && strcmp(kws->v[i].key, key) == 0) {
            return &kws->v[i];
        }
    }
    return NULL;
}

hc_placement *hc_place_entry(hc_program *P, const char *field) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        hc_decl *mm = m->members.v[i];
        if (mm->kind != M_PLACEMENT) {
            continue;
        }
        for (int k = 0; k < mm->placements.n; k++) {
            if (strcmp(mm->placements.v[k].field.name, field) == 0) {
                return &mm->placements.v[k];
            }
        }
    }
    return NULL;
}

const char *hc_place_entry_pool(hc_program *P, hc_placement *pl) {
    if (strcmp(pl->kind.name, "pinned") == 0) {
        return hc_sprintf(P->a, "pinned:%s", pl->field.name);
    }
    hc_kwarg *kw = ck_kwarg(&pl->kwargs, "pool");
    if (kw && kw->value->kind == E_NAME && kw->value->path.n == 1) {
        return kw->value->path.seg[0].name;
    }
    return "main";
}

const char *hc_place_pool(const hc_decl *locus) {
    return locus ? locus->pool : NULL;
}

/* ---- the fixpoint ---- */

typedef struct {
    hc_program *P;
    int changed;
} pw;

static const char *meet(const char *a, const char *b) {
    if (!b) {
        return a;
    }
    if (!a || strcmp(a, b) == 0) {
        return b;
    }
    return "*";
}

static void add(pw *w, hc_decl *d, const char *pool) {
    const char *n = meet(d->pool, pool);
    if (n && (!d->pool || strcmp(n, d->pool) != 0)) {
        d->pool = n;
        w->changed = 1;
    }
}

static void visit_expr(pw *w, hc_expr *e, const char *ctx);

static int is_locus_lit(hc_expr *e) {
    return e && e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

/* The pool a parameter child of `owner` runs on, given the owner's own pool. */
static const char *param_pool(pw *w, hc_decl *owner, const char *field, const char *owner_pool) {
    if (owner == w->P->main_locus) {
        hc_placement *pl = hc_place_entry(w->P, field);
        if (pl) {
            return hc_place_entry_pool(w->P, pl);
        }
    }
    return owner_pool;
}

static void visit_literal(pw *w, hc_expr *e, const char *ctx) {
    hc_decl *t = e->decl;
    add(w, t, ctx);
    for (int i = 0; i < e->inits.n; i++) {
        hc_field_init *fi = &e->inits.v[i];
        if (is_locus_lit(fi->value)) {
            visit_expr(w, fi->value, param_pool(w, t, fi->name.name, ctx));
        } else {
            visit_expr(w, fi->value, ctx);
        }
    }
}

/* A walk of code that runs on pool `ctx`. */
typedef struct {
    pw *w;
    const char *ctx;
} on_pool;

static int visit_at(hc_walker *wk, hc_expr *e) {
    on_pool *v = wk->ctx;
    if (is_locus_lit(e)) {
        visit_literal(v->w, e, v->ctx);
        return HC_WALK_SKIP;
    }
    if (e->kind == E_CALL && e->lhs && e->lhs->ref == REF_FN && e->lhs->decl) {
        add(v->w, e->lhs->decl, v->ctx);
    }
    return HC_WALK_ON;
}

static void visit_expr(pw *w, hc_expr *e, const char *ctx) {
    on_pool v = {w, ctx};
    hc_walker wk = {visit_at, NULL, &v};
    hc_walk_expr(&wk, e);
}

static void visit_block(pw *w, hc_block *b, const char *ctx) {
    on_pool v = {w, ctx};
    hc_walker wk = {visit_at, NULL, &v};
    hc_walk_block(&wk, b);
}

static int has_body(hc_decl *m) {
    return (m->kind == D_FN || m->kind == M_LIFECYCLE || m->kind == M_MODE ||
            m->kind == M_FAILURE) &&
           m->body;
}

static void visit_locus(pw *w, hc_decl *d) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (has_body(m)) {
            visit_block(w, m->body, d->pool);
        } else if (m->kind == M_PARAMS) {
            for (int k = 0; k < m->lparams.n; k++) {
                hc_locus_param *lp = &m->lparams.v[k];
                const char *ctx =
                    is_locus_lit(lp->value) ? param_pool(w, d, lp->name.name, d->pool) : d->pool;
                visit_expr(w, lp->value, ctx);
            }
        }
    }
}

static void solve(hc_program *P) {
    pw w = {P, 1};
    if (P->main_fn) {
        P->main_fn->pool = "main";
    }
    for (int round = 0; w.changed && round < 64; round++) {
        w.changed = 0;
        for (int si = 0; si < P->seeds.n; si++) {
            hc_seed *s = P->seeds.v[si];
            for (int i = 0; i < s->decls.n; i++) {
                hc_decl *d = s->decls.v[i];
                if (!d->pool) {
                    continue;
                }
                if (d->kind == D_FN && d->body) {
                    visit_block(&w, d->body, d->pool);
                } else if (d->kind == D_LOCUS) {
                    visit_locus(&w, d);
                }
            }
        }
    }
}

/* ---- direct calls across pools ---- */

#define MAX_HANDLES 32

typedef struct {
    hc_program *P;
    hc_decl *locus;
    int joined; /* the walk is in dissolve(): the children have been joined (their threads are
                   done with them), so reading their fields there is safe */
    /* `let c = self.w.c;` in main: the local is a handle into the placed `w` */
    struct {
        hc_local *local;
        hc_placement *pl;
    } handles[MAX_HANDLES];
    int nhandles;
} xw;

static hc_placement *handle_of(xw *x, hc_local *l) {
    for (int i = 0; i < x->nhandles; i++) {
        if (x->handles[i].local == l) {
            return x->handles[i].pl;
        }
    }
    return NULL;
}

/* `self.f...` where `f` is a placed parameter of the main locus, or `c...` where the local `c`
 * was let-bound to one: the placement of `f`. */
static hc_placement *placed_receiver(xw *x, hc_expr *recv) {
    if (x->locus != x->P->main_locus) {
        return NULL;
    }
    hc_expr *e = recv;
    while (e && e->kind == E_FIELD && e->lhs && e->lhs->kind != E_SELF) {
        e = e->lhs;
    }
    if (e && e->kind == E_NAME && e->ref == REF_LOCAL) {
        return handle_of(x, e->local);
    }
    if (!e || e->kind != E_FIELD || !e->lhs || e->lhs->kind != E_SELF) {
        return NULL;
    }
    return hc_place_entry(x->P, e->field.name);
}

/* `let c = self.w.c;` (not `mut`): `c` names a locus of the placed `w` from here on. */
static int handle_at(hc_walker *wk, hc_stmt *s) {
    xw *x = wk->ctx;
    if (s->kind == S_LET && !s->is_mut && s->local && s->expr && s->expr->ty &&
        s->expr->ty->kind == TY_LOCUS && x->nhandles < MAX_HANDLES) {
        hc_placement *pl = placed_receiver(x, s->expr);
        if (pl) {
            x->handles[x->nhandles].local = s->local;
            x->handles[x->nhandles].pl = pl;
            x->nhandles++;
        }
    }
    return HC_WALK_ON;
}

/* "w.c" for the receiver `self.w.c`. */
static const char *chain_text(hc_arena *a, hc_expr *e) {
    if (e && e->kind == E_NAME && e->path.n == 1) {
        return e->path.seg[0].name;
    }
    if (!e || e->kind != E_FIELD || !e->lhs) {
        return "";
    }
    if (e->lhs->kind == E_SELF) {
        return e->field.name;
    }
    return hc_sprintf(a, "%s.%s", chain_text(a, e->lhs), e->field.name);
}

/* The pool the walked locus's code runs on. */
static const char *here_pool(xw *x) {
    return x->locus->pool ? x->locus->pool : "main";
}

/* The pool a placed receiver runs on when it is not `here`'s (NULL: same pool, or unknown). */
static const char *other_pool(xw *x, hc_placement *pl, hc_type *rt) {
    if (!pl || (rt && rt->kind == TY_LOCUS && rt->decl->form && rt->decl->form->shared)) {
        return NULL; /* a shared form takes its lock: any pool may use it */
    }
    const char *here = here_pool(x);
    const char *there = hc_place_entry_pool(x->P, pl);
    return there && strcmp(here, "*") != 0 && strcmp(there, here) != 0 ? there : NULL;
}

static const char *pool_words(hc_arena *a, const char *pool) {
    return strncmp(pool, "pinned:", 7) == 0 ? "a pinned thread of its own"
                                            : hc_sprintf(a, "pool `%s`", pool);
}

/* `self.f.x` where `f` runs on another pool: a field of a locus that another thread writes.
 * Hale sends such an access through the bus; we reject it (as we do a direct method call) rather
 * than turn a field read into a round trip the source does not show. */
static void cross_field(xw *x, hc_expr *e, hc_placement *pl) {
    const char *there = other_pool(x, pl, e->lhs->ty);
    if (!there) {
        return;
    }
    hc_diag *g =
        hc_error(x->P->d, e->field.pos,
                 "`%s.%s` is a field of `%s`, which runs on %s; `%s` runs on pool `%s`, "
                 "so reading or writing it here races with `%s`'s own code",
                 chain_text(x->P->a, e->lhs), e->field.name, pl->field.name,
                 pool_words(x->P->a, there), x->locus->name.name, here_pool(x), pl->field.name);
    hc_help(g,
            "a locus's fields belong to its own pool's thread: have `%s` publish what others "
            "need on a topic, or nest what needs its fields inside it",
            pl->field.name);
    hc_note(g, pl->pos, "`%s` is placed here", pl->field.name);
}

static int cross_at(hc_walker *wk, hc_expr *e) {
    xw *x = wk->ctx;
    /* a field that holds a locus is a handle to it (what is done with it is checked there) */
    if (e->kind == E_FIELD && e->lhs && e->lhs->kind != E_SELF && e->ref != REF_METHOD &&
        e->ref != REF_FORM && e->ref != REF_SLOT && e->ref != REF_IFACE_METHOD &&
        !(e->ty && e->ty->kind == TY_LOCUS)) {
        hc_placement *pl = placed_receiver(x, e->lhs);
        if (pl) {
            if (!x->joined) {
                cross_field(x, e, pl);
            }
            return HC_WALK_SKIP; /* one error for `self.f.c.x`, not one per step */
        }
    }
    if (e->kind == E_CALL && e->lhs && (e->lhs->ref == REF_METHOD || e->lhs->ref == REF_FORM) &&
        e->lhs->kind == E_FIELD) {
        hc_placement *pl = placed_receiver(x, e->lhs->lhs);
        /* a shared form's methods take its lock: any pool may call them */
        const char *there = other_pool(x, pl, e->lhs->ref == REF_FORM ? e->lhs->lhs->ty : NULL);
        if (there) {
            hc_diag *g =
                hc_error(x->P->d, e->lhs->field.pos,
                         "`%s.%s()` is a direct call into `%s`, which runs on %s; "
                         "`%s` runs on pool `%s`",
                         chain_text(x->P->a, e->lhs->lhs), e->lhs->field.name, pl->field.name,
                         pool_words(x->P->a, there), x->locus->name.name, here_pool(x));
            hc_help(g,
                    "a locus's methods run only on its own pool's thread: talk to `%s` through "
                    "a topic, or nest what it needs inside it",
                    pl->field.name);
            hc_note(g, pl->pos, "`%s` is placed here", pl->field.name);
        }
    }
    return HC_WALK_ON;
}

/* ---- the birth-order trap ---- */

static int leaves(hc_block *b);

/* A statement that can leave the loop around it (or the whole run()). Nested loops' own
 * `break`s do not count, their `return`s do. */
static int stmt_leaves(hc_stmt *s, int nested) {
    switch (s->kind) {
    case S_BREAK:
        return !nested;
    case S_RETURN:
    case S_TERMINATE:
    case S_FAIL:
    case S_VIOLATE:
        return 1;
    default:
        break;
    }
    if (s->expr && s->expr->kind == E_IF) {
        for (hc_expr *e = s->expr; e; e = e->rhs && e->rhs->kind == E_IF ? e->rhs : NULL) {
            if (leaves(e->block) || (e->rhs && e->rhs->kind == E_BLOCK && leaves(e->rhs->block))) {
                return 1;
            }
        }
    }
    if (s->body) {
        int inner = nested || s->kind == S_WHILE || s->kind == S_FOR;
        for (int i = 0; i < s->body->stmts.n; i++) {
            if (stmt_leaves(s->body->stmts.v[i], inner)) {
                return 1;
            }
        }
    }
    return 0;
}

static int leaves(hc_block *b) {
    for (int i = 0; b && i < b->stmts.n; i++) {
        if (stmt_leaves(b->stmts.v[i], 0)) {
            return 1;
        }
    }
    return 0;
}

/* Whether anything in the program assigns field `name` of locus type `locus`: `self.name = ...`
 * in its own code, or `x.name = ...` through a handle. */
typedef struct {
    hc_decl *locus;
    const char *name;
    int found;
} assigned_q;

static int assign_at(hc_walker *wk, hc_stmt *s) {
    assigned_q *q = wk->ctx;
    hc_expr *t = s->kind == S_ASSIGN ? s->target : NULL;
    if (t && t->kind == E_FIELD && strcmp(t->field.name, q->name) == 0 && t->lhs->ty &&
        t->lhs->ty->kind == TY_LOCUS && t->lhs->ty->decl == q->locus) {
        q->found = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

static int field_assigned(hc_program *P, hc_decl *locus, const char *name) {
    assigned_q q = {locus, name, 0};
    hc_walker wk = {NULL, assign_at, &q};
    for (int i = 0; i < P->fns.n && !q.found; i++) {
        hc_walk_block(&wk, P->fns.v[i]->body);
    }
    return q.found;
}

/* A loop condition that never turns false by itself: `true`, `!self.draining`, or a Bool
 * parameter nothing assigns that starts the way the loop wants (`!self.stop` with stop false,
 * `self.running` with running true). */
static int endless_cond(hc_program *P, hc_decl *locus, hc_expr *c) {
    if (c->kind == E_BOOL) {
        return c->i != 0;
    }
    int negated = c->kind == E_UNARY && c->op == OP_NOT;
    hc_expr *f = negated ? c->lhs : c;
    if (f->kind != E_FIELD || !f->lhs || f->lhs->kind != E_SELF) {
        return 0;
    }
    if (f->ref == REF_DRAINING) {
        return negated;
    }
    int idx;
    hc_type *ty;
    hc_decl *pm = f->ref == REF_SELF_FIELD ? ck_locus_param(locus, f->field.name, &idx, &ty) : NULL;
    if (!pm || !ty || ty->kind != TY_BOOL || field_assigned(P, locus, f->field.name)) {
        return 0;
    }
    int start = 0;
    for (int k = 0; k < pm->lparams.n; k++) {
        hc_locus_param *lp = &pm->lparams.v[k];
        if (strcmp(lp->name.name, f->field.name) == 0 && lp->value && lp->value->kind == E_BOOL) {
            start = lp->value->i != 0;
        }
    }
    return negated ? !start : start;
}

hc_stmt *ck_endless_run(hc_program *P, hc_decl *locus) {
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind != M_LIFECYCLE || strcmp(m->name.name, "run") != 0 || !m->body) {
            continue;
        }
        for (int k = 0; k < m->body->stmts.n; k++) {
            hc_stmt *s = m->body->stmts.v[k];
            if (s->kind == S_WHILE && s->expr && endless_cond(P, locus, s->expr) &&
                !leaves(s->body)) {
                return s;
            }
        }
    }
    return NULL;
}

hc_stmt *ck_main_thread_endless(hc_program *P, hc_decl *d, hc_locus_param *lp) {
    if (!is_locus_lit(lp->value)) {
        return NULL;
    }
    hc_placement *pl = d == P->main_locus ? hc_place_entry(P, lp->name.name) : NULL;
    if (pl && strcmp(hc_place_entry_pool(P, pl), "main") != 0) {
        return NULL;
    }
    return ck_endless_run(P, lp->value->decl);
}

static void birth_order(hc_program *P, hc_decl *d) {
    if (!d->pool || strcmp(d->pool, "main") != 0) {
        return;
    }
    HC_VEC(hc_locus_param *) kids = {0};
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
            if (is_locus_lit(m->lparams.v[k].value)) {
                HC_PUSH(P->a, kids, &m->lparams.v[k]);
            }
        }
    }
    for (int i = 0; i + 1 < kids.n; i++) {
        hc_locus_param *lp = kids.v[i];
        hc_stmt *loop = ck_main_thread_endless(P, d, lp);
        if (!loop) {
            continue;
        }
        hc_locus_param *next = kids.v[i + 1];
        hc_diag *g = hc_warning(P->d, lp->name.pos,
                                "`%s`'s run() never returns, so `%s` (declared after it) is never "
                                "born",
                                lp->name.name, next->name.name);
        hc_note(g, loop->pos, "this loop never ends, and `%s` runs on the main thread",
                lp->name.name);
        if (d == P->main_locus) {
            hc_help(g,
                    "declare `%s` last, or give it a thread of its own: `placement { %s: "
                    "cooperative(pool = io); }` (or `pinned`)",
                    lp->name.name, lp->name.name);
        } else {
            hc_help(g, "declare `%s` last, or hoist it to `main` and place it off the main thread",
                    lp->name.name);
        }
    }
}

/* ---- the pass ---- */

void ck_place(hc_program *P) {
    solve(P);
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind != D_LOCUS) {
                continue;
            }
            xw x = {.P = P, .locus = d};
            hc_walker wk = {cross_at, handle_at, &x};
            for (int k = 0; k < d->members.n; k++) {
                hc_decl *m = d->members.v[k];
                if (has_body(m)) {
                    x.joined = m->kind == M_LIFECYCLE && strcmp(m->name.name, "dissolve") == 0;
                    x.nhandles = 0;
                    hc_walk_block(&wk, m->body);
                }
            }
            birth_order(P, d);
        }
    }
    ck_starvation(P);
}
