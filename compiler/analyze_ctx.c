/* See analyze.h. This file: the unbounded contexts the analyses share.
 *
 * Code runs without bound when it is a bus handler (once per message), the body of a loop whose
 * bound is not a constant (a `while i < N` or `for i in a..b` with constant N, a, b is proven
 * bounded, and so is a `for` over something that already exists: an array, `self.children`, a
 * form's items), or a function called from either: that function runs as often as its caller's
 * code. The last is a fixpoint over the call graph, with locus literals counting as calls of
 * their owner's `accept` and `release` hooks. `@unbounded` on a function or hook acknowledges
 * its accumulation: its sites are not reported and its calls do not make their callees
 * unbounded.
 *
 * A walk then visits every body knowing, at each point, why the whole function runs without
 * bound (if it does) and which enclosing loops have no constant bound; an_escapes says whether a
 * store at that point outlives such a context, which is what turns a per-message allocation
 * into an accumulation. */
#include <string.h>

#include "analyze.h"

/* ---- the program's shape ---- */

static int user_fn(hc_program *P, hc_decl *fn) {
    return fn->body && fn->seed != P->std;
}

static int has_annot(hc_annots *an, const char *name) {
    for (int i = 0; i < an->n; i++) {
        if (strcmp(an->v[i].name.name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

int an_run_to_exit(hc_program *P) {
    if (!P->main_fn && !P->main_locus) {
        return 0; /* a library checked on its own: who uses it decides */
    }
    for (int i = 0; i < P->fns.n; i++) {
        hc_decl *fn = P->fns.v[i];
        if (user_fn(P, fn) && fn->kind == M_LIFECYCLE && strcmp(fn->name.name, "run") == 0) {
            return 0;
        }
    }
    for (int i = 0; i < P->loci.n; i++) {
        hc_decl *d = P->loci.v[i];
        for (int k = 0; d->seed != P->std && k < d->members.n; k++) {
            hc_decl *m = d->members.v[k];
            for (int j = 0; m->kind == M_BUS && j < m->bus.n; j++) {
                if (m->bus.v[j].subscribe && m->bus.v[j].handler_decl) {
                    return 0;
                }
            }
        }
    }
    return 1;
}

/* ---- loops ---- */

static int is_const(hc_expr *e) {
    if (!e) {
        return 0;
    }
    switch (e->kind) {
    case E_INT:
    case E_FLOAT:
    case E_DURATION:
        return 1;
    case E_NAME:
        return e->ref == REF_CONST;
    case E_UNARY:
        return is_const(e->lhs);
    case E_BINARY:
        return is_const(e->lhs) && is_const(e->rhs);
    default:
        return 0;
    }
}

static int is_counter(hc_expr *e) {
    return e && ((e->kind == E_NAME && e->ref == REF_LOCAL) ||
                 (e->kind == E_FIELD && e->ref == REF_SELF_FIELD));
}

/* `i < N`, `N >= i`, ...: a counter against a constant; or a conjunction holding one. */
static int const_bounded(hc_expr *c) {
    if (!c || c->kind != E_BINARY) {
        return 0;
    }
    switch (c->op) {
    case OP_AND:
        return const_bounded(c->lhs) || const_bounded(c->rhs);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_NE:
        return (is_counter(c->lhs) && is_const(c->rhs)) || (is_const(c->lhs) && is_counter(c->rhs));
    default:
        return 0;
    }
}

static int loop_bounded(hc_stmt *s) {
    if (s->kind == S_WHILE) {
        return const_bounded(s->expr);
    }
    hc_expr *it = s->expr;
    if (it->kind == E_RANGE) {
        return is_const(it->lhs) && is_const(it->rhs);
    }
    return 1; /* over an array, a bounded list, `self.children` or a form's items */
}

/* ---- which functions run without bound ---- */

typedef struct {
    hc_decl *fn;
    an_why *why;
} hot_fn;

typedef struct {
    hc_program *P;
    HC_VEC(hot_fn) hot;
    int changed;
} hot_set;

static an_why *why_of(hot_set *h, hc_decl *fn) {
    for (int i = 0; i < h->hot.n; i++) {
        if (h->hot.v[i].fn == fn) {
            return h->hot.v[i].why;
        }
    }
    return NULL;
}

static void make_hot(hot_set *h, hc_decl *fn, an_why *why) {
    if (!fn || !user_fn(h->P, fn) || why_of(h, fn)) {
        return;
    }
    hot_fn e = {fn, why};
    HC_PUSH(h->P->a, h->hot, e);
    h->changed = 1;
}

static const an_why *context(const an_walk *w) {
    return w->fn_why ? w->fn_why : w->nloops ? w->loops[0].why : NULL;
}

/* The calls a walk finds in unbounded code make their callees unbounded. */
static int spread_calls(an_walk *w, hc_expr *e) {
    hot_set *h = w->ctx;
    const an_why *up = context(w);
    if (!up) {
        return HC_WALK_ON;
    }
    hc_decl *callee = NULL;
    if (e->kind == E_CALL && e->lhs && (e->lhs->ref == REF_FN || e->lhs->ref == REF_METHOD)) {
        callee = e->lhs->decl;
    }
    hc_decl *hooks[2] = {callee, NULL};
    if (e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS && w->fn->locus) {
        hooks[0] = an_hook_for(w->fn->locus, "accept", e->decl);
        hooks[1] = an_hook_for(w->fn->locus, "release", e->decl);
    }
    for (int i = 0; i < 2; i++) {
        if (hooks[i] && !why_of(h, hooks[i])) {
            an_why *why = HC_NEW(w->P->a, an_why);
            why->kind = AN_CALL;
            why->fn = hooks[i];
            why->site = e;
            why->up = up;
            make_hot(h, hooks[i], why);
        }
    }
    return HC_WALK_ON;
}

static void walk_all(an_walk *w, hot_set *h);

static void solve(hot_set *h) {
    hc_program *P = h->P;
    for (int i = 0; i < P->loci.n; i++) {
        hc_decl *d = P->loci.v[i];
        for (int k = 0; d->seed != P->std && k < d->members.n; k++) {
            hc_decl *m = d->members.v[k];
            for (int j = 0; m->kind == M_BUS && j < m->bus.n; j++) {
                hc_bus_item *it = &m->bus.v[j];
                if (it->subscribe && it->handler_decl) {
                    an_why *why = HC_NEW(P->a, an_why);
                    why->kind = AN_HANDLER;
                    why->fn = it->handler_decl;
                    why->item = it;
                    make_hot(h, it->handler_decl, why);
                }
            }
        }
    }
    for (int round = 0; round < 1000; round++) {
        h->changed = 0;
        an_walk w = {.P = P, .expr = spread_calls, .ctx = h};
        walk_all(&w, h);
        if (!h->changed) {
            break;
        }
    }
}

/* ---- the walk ---- */

typedef struct {
    an_walk *w;
} walk_state;

static int is_locus_lit(hc_expr *e) {
    return e && e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

static int at_expr(hc_walker *hw, hc_expr *e) {
    an_walk *w = ((walk_state *)hw->ctx)->w;
    for (int i = 0; is_locus_lit(e) && i < e->inits.n; i++) {
        if (is_locus_lit(e->inits.v[i].value)) {
            HC_PUSH(w->P->a, w->nested, e->inits.v[i].value);
        }
    }
    return w->expr ? w->expr(w, e) : HC_WALK_ON;
}

int an_nested_child(const an_walk *w, hc_expr *lit) {
    for (int i = 0; i < w->nested.n; i++) {
        if (w->nested.v[i] == lit) {
            return 1;
        }
    }
    return 0;
}

static int at_stmt(hc_walker *hw, hc_stmt *s) {
    an_walk *w = ((walk_state *)hw->ctx)->w;
    w->stmt = s;
    int r = w->on_stmt ? w->on_stmt(w, s) : HC_WALK_ON;
    if (r != HC_WALK_ON || (s->kind != S_WHILE && s->kind != S_FOR)) {
        return r;
    }
    if (!hc_walk_expr(hw, s->expr)) {
        return HC_WALK_STOP;
    }
    int pushed = 0;
    if (!loop_bounded(s) && w->nloops < (int)(sizeof w->loops / sizeof w->loops[0])) {
        an_why *why = HC_NEW(w->P->a, an_why);
        why->kind = AN_LOOP;
        why->fn = w->fn;
        why->loop = s;
        w->loops[w->nloops].why = why;
        w->loops[w->nloops].depth = w->depth + 1;
        w->nloops++;
        pushed = 1;
    }
    w->depth++;
    int ok = hc_walk_block(hw, s->body);
    w->depth--;
    w->nloops -= pushed;
    return ok ? HC_WALK_SKIP : HC_WALK_STOP;
}

static void walk_all(an_walk *w, hot_set *h) {
    hc_program *P = w->P;
    for (int i = 0; i < P->fns.n; i++) {
        hc_decl *fn = P->fns.v[i];
        if (!user_fn(P, fn) || has_annot(&fn->annots, "unbounded")) {
            continue;
        }
        w->fn = fn;
        w->fn_why = why_of(h, fn);
        w->nloops = 0;
        w->depth = 0;
        w->stmt = NULL;
        walk_state st = {w};
        hc_walker hw = {at_expr, at_stmt, &st};
        hc_walk_block(&hw, fn->body);
    }
}

void an_walk_program(an_walk *w) {
    hot_set h = {.P = w->P};
    solve(&h);
    walk_all(w, &h);
}

/* ---- questions a site asks ---- */

const an_why *an_escapes(const an_walk *w, hc_local *root) {
    if (!root || root->is_param) {
        return context(w);
    }
    for (int i = 0; i < w->nloops; i++) {
        if (w->loops[i].depth > root->depth) {
            return w->loops[i].why;
        }
    }
    return NULL;
}

const an_why *an_why_root(const an_why *why) {
    while (why->kind == AN_CALL && why->up) {
        why = why->up;
    }
    return why;
}

static void through(hc_arena *a, const an_why *why, hc_buf *b) {
    if (why->kind != AN_CALL) {
        return;
    }
    through(a, why->up, b);
    hc_buf_printf(b, "%s`%s`", b->len ? ", then " : "", why->fn->name.name);
}

const char *an_why_text(hc_arena *a, const an_why *why) {
    const an_why *r = an_why_root(why);
    const char *base = r->kind == AN_HANDLER
                           ? hc_sprintf(a, "on every message to `%s`", r->fn->name.name)
                           : "on every iteration of a loop with no constant bound";
    if (why->kind != AN_CALL) {
        return base;
    }
    hc_buf b = {0};
    through(a, why, &b);
    const char *s = hc_sprintf(a, "%s (through %s)", base, hc_buf_cstr(&b));
    hc_buf_free(&b);
    return s;
}

void an_why_notes(hc_diag *g, const an_why *why) {
    if (!g || !why) {
        return;
    }
    switch (why->kind) {
    case AN_HANDLER:
        hc_note(g, why->item->handler.pos, "`%s` runs once for every message on this subscription",
                why->fn->name.name);
        break;
    case AN_LOOP: {
        hc_expr *c = why->loop->expr;
        int forever = why->loop->kind == S_WHILE && c &&
                      ((c->kind == E_BOOL && c->i) ||
                       (c->kind == E_UNARY && c->op == OP_NOT && c->lhs->ref == REF_DRAINING));
        hc_note(g, why->loop->pos, "%s",
                forever ? "this loop runs until something stops it"
                        : "this loop's bound is known only at run time");
        break;
    }
    case AN_CALL:
        an_why_notes(g, why->up);
        if (why->site->kind == E_STRUCT) {
            hc_note(g, why->site->pos, "`%s` runs for every `%s` made here", why->fn->name.name,
                    why->site->decl->name.name);
        } else {
            hc_note(g, why->site->pos, "`%s` is called here", why->fn->name.name);
        }
        break;
    }
}

hc_decl *an_why_fn(const an_why *why) {
    return an_why_root(why)->fn;
}

hc_decl *an_hook_for(hc_decl *owner, const char *hook, hc_decl *child) {
    for (int i = 0; owner && i < owner->members.n; i++) {
        hc_decl *m = owner->members.v[i];
        if (m->kind == M_LIFECYCLE && strcmp(m->name.name, hook) == 0 && m->ty &&
            m->ty->nitems == 1 && m->ty->items[0]->kind == TY_LOCUS &&
            m->ty->items[0]->decl == child) {
            return m;
        }
    }
    return NULL;
}

hc_local *an_place_root(hc_expr *e, int *through_self) {
    *through_self = 0;
    while (e && (e->kind == E_FIELD || e->kind == E_INDEX)) {
        e = e->lhs;
    }
    if (e && e->kind == E_SELF) {
        *through_self = 1;
        return NULL;
    }
    return e && e->kind == E_NAME && e->ref == REF_LOCAL ? e->local : NULL;
}

int an_same_place(hc_expr *e, hc_expr *f) {
    if (!e || !f || e->kind != f->kind) {
        return 0;
    }
    switch (e->kind) {
    case E_SELF:
        return 1;
    case E_NAME:
        return e->ref == f->ref && e->local == f->local && e->decl == f->decl;
    case E_INT:
        return e->i == f->i;
    case E_FIELD:
        return strcmp(e->field.name, f->field.name) == 0 && an_same_place(e->lhs, f->lhs);
    case E_INDEX:
        return an_same_place(e->lhs, f->lhs) && an_same_place(e->rhs, f->rhs);
    default:
        return 0;
    }
}

const char *an_place_text(hc_arena *a, hc_expr *e) {
    switch (e ? e->kind : E_NIL) {
    case E_SELF:
        return "self";
    case E_NAME:
        return e->path.n ? e->path.seg[e->path.n - 1].name : "?";
    case E_FIELD:
        return hc_sprintf(a, "%s.%s", an_place_text(a, e->lhs), e->field.name);
    case E_INDEX:
        return hc_sprintf(a, "%s[...]", an_place_text(a, e->lhs));
    default:
        return "(...)";
    }
}

hc_pos an_place_pos(hc_expr *e) {
    hc_expr *root = e;
    while (root->lhs && (root->kind == E_FIELD || root->kind == E_INDEX)) {
        root = root->lhs;
    }
    hc_pos at = root->pos;
    if (e->kind == E_FIELD && e->field.pos.line == at.line && e->field.pos.col >= at.col) {
        at.len = e->field.pos.col + e->field.pos.len - at.col;
    }
    return at;
}

hc_form *an_growing_insert(hc_expr *e) {
    if (e->kind != E_CALL || !e->lhs || e->lhs->kind != E_FIELD || e->lhs->ref != REF_FORM) {
        return NULL;
    }
    hc_type *t = e->lhs->lhs->ty;
    hc_form *f = t && t->kind == TY_LOCUS ? t->decl->form : NULL;
    int m = e->lhs->variant;
    if (f && ((f->kind == FORM_VEC && m == FM_PUSH) ||
              (f->kind == FORM_HASHMAP && (m == FM_SET || m == FM_BUMP)))) {
        return f;
    }
    return NULL;
}

typedef struct {
    int (*match)(hc_expr *call, hc_expr *place);
    hc_expr *place;
    int found;
} call_q;

static int find_call(hc_walker *hw, hc_expr *e) {
    call_q *q = hw->ctx;
    if (e->kind == E_CALL && e->lhs && q->match(e, q->place)) {
        q->found = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

int an_body_calls(hc_decl *fn, int (*match)(hc_expr *call, hc_expr *place), hc_expr *place) {
    call_q q = {match, place, 0};
    hc_walker hw = {find_call, NULL, &q};
    hc_walk_block(&hw, fn->body);
    return q.found;
}

/* ---- the entry ---- */

void hc_analyze(hc_program *P, const hc_analyze_opts *o) {
    if (an_run_to_exit(P)) {
        return; /* a script that allocates and exits owes nothing */
    }
    if (o->unbounded_alloc) {
        an_unbounded_alloc(P);
    }
    if (o->resource_leak) {
        an_resource_leak(P);
    }
}
