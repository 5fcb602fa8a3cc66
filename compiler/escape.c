/* See escape.h. The analysis in four steps:
 *
 *   1. the locus tree as the source shows it: where each locus type is made (the code of which
 *      locus types or free functions, transitively through calls), who accepts it, hence its
 *      static parent (known at build time) and its possible ancestors;
 *   2. publish sites: every send in a locus method, for each subscriber that is (or may be) an
 *      ancestor of the sender; the shape of the value sent (made here? placeable?) and whether the
 *      ancestor's handler keeps it;
 *   3. contract sites: `self.f = c.g` (and `self.f = c.m()`) in a locus method, c a child;
 *   4. the decision per site under the posture, the marks the emitter reads, and the checks that
 *      need every site known (an `or` on a read that cannot fail, `@hoist` that does nothing, a
 *      hale.toml hoist entry that names no site).
 *
 * Everything here is conservative: a shape it does not recognise is copied, as Hale's semantics
 * says, and the report says why. */
#include "escape.h"

#include <stdio.h>
#include <string.h>

/* ---- the locus tree ---- */

typedef HC_VEC(hc_decl *) decl_set;

typedef struct {
    hc_decl *locus;
    decl_set made_in;  /* contexts of its literals: locus types, free functions */
    decl_set parents;  /* possible parents: locus types (and `root`) */
    hc_decl *sparent;  /* the static parent, or NULL */
    hc_decl *accepter; /* a locus type accepting it (several: the first) */
    int naccepters;
} linfo;

typedef struct {
    hc_decl *fn;
    decl_set ctx; /* the locus types (and `root`) whose code may run it */
} fninfo;

/* One `let` of the function being scanned. */
typedef struct {
    hc_local *local;
    hc_stmt *stmt;
    hc_block *block;
    int loops;
} letinfo;

typedef struct {
    hc_program *P;
    hc_arena *a;
    hc_escapes *X;
    hc_memory *mem;
    hc_posture posture;
    HC_VEC(linfo) loci;
    HC_VEC(fninfo) fns;
    int changed;
    int next_plan;
    HC_VEC(hc_annot *) used_annots;
    /* the function being scanned */
    hc_decl *fn;
    hc_decl *locus;
    HC_VEC(letinfo) lets;
    int reset_loops; /* loops around the statement being scanned that reset scratch each time */
} esc;

static hc_decl root_ctx; /* stands for "the runtime root" in context sets */

static int set_has(decl_set *s, hc_decl *d) {
    for (int i = 0; i < s->n; i++) {
        if (s->v[i] == d) {
            return 1;
        }
    }
    return 0;
}

static int set_add(esc *x, decl_set *s, hc_decl *d) {
    if (set_has(s, d)) {
        return 0;
    }
    HC_PUSH(x->a, *s, d);
    return 1;
}

static linfo *info_of(esc *x, hc_decl *locus) {
    for (int i = 0; i < x->loci.n; i++) {
        if (x->loci.v[i].locus == locus) {
            return &x->loci.v[i];
        }
    }
    return NULL;
}

static fninfo *fn_of(esc *x, hc_decl *fn) {
    for (int i = 0; i < x->fns.n; i++) {
        if (x->fns.v[i].fn == fn) {
            return &x->fns.v[i];
        }
    }
    return NULL;
}

static int is_locus_lit(hc_expr *e) {
    return e && e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

static int has_body(hc_decl *m) {
    return (m->kind == D_FN || m->kind == M_LIFECYCLE || m->kind == M_MODE ||
            m->kind == M_FAILURE) &&
           m->body;
}

/* The contexts code of `owner` runs in: a locus type itself, or a free function's. */
static void owner_ctx(esc *x, hc_decl *owner, decl_set *out) {
    if (owner->kind == D_LOCUS) {
        set_add(x, out, owner);
        return;
    }
    fninfo *f = fn_of(x, owner);
    for (int i = 0; f && i < f->ctx.n; i++) {
        set_add(x, out, f->ctx.v[i]);
    }
}

typedef struct {
    esc *x;
    hc_decl *owner; /* a locus type or a free function */
    int literals;   /* pass: record locus literals (else: propagate calls) */
} scan_ctx;

static void record_literal(esc *x, hc_expr *e, hc_decl *owner);

static int tree_at(hc_walker *w, hc_expr *e) {
    scan_ctx *c = w->ctx;
    esc *x = c->x;
    if (c->literals && is_locus_lit(e)) {
        record_literal(x, e, c->owner);
        return HC_WALK_SKIP;
    }
    if (!c->literals && e->kind == E_CALL && e->lhs && e->lhs->ref == REF_FN && e->lhs->decl) {
        fninfo *callee = fn_of(x, e->lhs->decl);
        if (callee) {
            decl_set from = {0};
            owner_ctx(x, c->owner, &from);
            for (int i = 0; i < from.n; i++) {
                x->changed |= set_add(x, &callee->ctx, from.v[i]);
            }
        }
    }
    return HC_WALK_ON;
}

/* A literal of locus type L made by code of `owner` (a locus type: its methods or parameter
 * defaults; or the locus type of an enclosing literal, for a parameter child). */
static void record_literal(esc *x, hc_expr *e, hc_decl *owner) {
    linfo *li = info_of(x, e->decl);
    if (li) {
        set_add(x, &li->made_in, owner);
    }
    for (int i = 0; i < e->inits.n; i++) {
        hc_expr *v = e->inits.v[i].value;
        if (is_locus_lit(v)) {
            record_literal(x, v, e->decl); /* a parameter child of the new locus */
        } else {
            scan_ctx c = {x, owner, 1};
            hc_walker w = {tree_at, NULL, &c};
            hc_walk_expr(&w, v);
        }
    }
}

static void scan_owner(esc *x, hc_decl *owner, hc_decl *body_of, int literals) {
    scan_ctx c = {x, owner, literals};
    hc_walker w = {tree_at, NULL, &c};
    if (body_of->kind == D_LOCUS) {
        for (int i = 0; i < body_of->members.n; i++) {
            hc_decl *m = body_of->members.v[i];
            if (has_body(m)) {
                hc_walk_block(&w, m->body);
            } else if (m->kind == M_PARAMS) {
                for (int k = 0; k < m->lparams.n; k++) {
                    hc_expr *v = m->lparams.v[k].value;
                    if (literals && is_locus_lit(v)) {
                        record_literal(x, v, body_of);
                    } else {
                        hc_walk_expr(&w, v);
                    }
                }
            }
        }
    } else if (body_of->body) {
        hc_walk_block(&w, body_of->body);
    }
}

static hc_type *first_param_type(hc_decl *m) {
    return m->ty && m->ty->nitems > 0 ? m->ty->items[0] : NULL;
}

static void build_tree(esc *x) {
    hc_program *P = x->P;
    for (int i = 0; i < P->loci.n; i++) {
        linfo li = {0};
        li.locus = P->loci.v[i];
        HC_PUSH(x->a, x->loci, li);
    }
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_FN && d->body) {
                fninfo f = {0};
                f.fn = d;
                if (d == P->main_fn) {
                    HC_PUSH(x->a, f.ctx, &root_ctx);
                }
                HC_PUSH(x->a, x->fns, f);
            }
        }
    }
    /* which contexts run each free function: a fixpoint over calls */
    x->changed = 1;
    for (int round = 0; x->changed && round < 64; round++) {
        x->changed = 0;
        for (int i = 0; i < x->fns.n; i++) {
            scan_owner(x, x->fns.v[i].fn, x->fns.v[i].fn, 0);
        }
        for (int i = 0; i < x->loci.n; i++) {
            scan_owner(x, x->loci.v[i].locus, x->loci.v[i].locus, 0);
        }
    }
    /* where each locus type is made */
    for (int i = 0; i < x->fns.n; i++) {
        scan_owner(x, x->fns.v[i].fn, x->fns.v[i].fn, 1);
    }
    for (int i = 0; i < x->loci.n; i++) {
        scan_owner(x, x->loci.v[i].locus, x->loci.v[i].locus, 1);
    }
    /* accepters */
    for (int i = 0; i < x->loci.n; i++) {
        hc_decl *o = x->loci.v[i].locus;
        for (int k = 0; k < o->members.n; k++) {
            hc_decl *m = o->members.v[k];
            hc_type *ct = m->kind == M_LIFECYCLE && strcmp(m->name.name, "accept") == 0
                              ? first_param_type(m)
                              : NULL;
            linfo *li = ct && ct->kind == TY_LOCUS ? info_of(x, ct->decl) : NULL;
            if (li) {
                if (!li->accepter) {
                    li->accepter = o;
                }
                li->naccepters++;
            }
        }
    }
    /* possible parents; the static parent */
    for (int i = 0; i < x->loci.n; i++) {
        linfo *li = &x->loci.v[i];
        int direct = 1;
        for (int k = 0; k < li->made_in.n; k++) {
            hc_decl *m = li->made_in.v[k];
            direct &= m->kind == D_LOCUS;
            owner_ctx(x, m, &li->parents);
        }
        if (li->accepter) {
            set_add(x, &li->parents, li->accepter);
        }
        (void)direct;
        if (li->parents.n == 1 && li->parents.v[0] != &root_ctx &&
            (li->naccepters == 0 || (li->naccepters == 1 && li->accepter == li->parents.v[0]))) {
            li->sparent = li->parents.v[0];
        }
    }
}

/* `a` is an ancestor of every instance of `l` (the chain of static parents). */
static int static_ancestor(esc *x, hc_decl *a, hc_decl *l) {
    linfo *li = info_of(x, l);
    for (int depth = 0; li && li->sparent && depth < 64; depth++) {
        if (li->sparent == a) {
            return 1;
        }
        li = info_of(x, li->sparent);
    }
    return 0;
}

/* Whether every instance of `l` runs on the pool of its static ancestor `a`: a child runs on its
 * parent's pool unless it is a parameter of the main locus that `placement { }` puts elsewhere,
 * so the chain from `l` up to `a` must not pass through such a parameter. */
static int chain_same_pool(esc *x, hc_decl *a, hc_decl *l) {
    hc_program *P = x->P;
    linfo *li = info_of(x, l);
    for (int depth = 0; li && li->locus != a && li->sparent && depth < 64; depth++) {
        hc_decl *parent = li->sparent;
        if (parent == P->main_locus) {
            for (int i = 0; i < parent->members.n; i++) {
                hc_decl *m = parent->members.v[i];
                for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
                    hc_locus_param *lp = &m->lparams.v[k];
                    if (lp->ty && lp->ty->kind == TY_LOCUS && lp->ty->decl == li->locus &&
                        hc_place_entry(P, lp->name.name)) {
                        return 0;
                    }
                }
            }
        }
        li = info_of(x, parent);
    }
    return 1;
}

/* `a` may be an ancestor of some instance of `l`. */
static int possible_ancestor(esc *x, hc_decl *a, hc_decl *l) {
    decl_set seen = {0};
    decl_set todo = {0};
    set_add(x, &todo, l);
    for (int i = 0; i < todo.n; i++) {
        linfo *li = info_of(x, todo.v[i]);
        for (int k = 0; li && k < li->parents.n; k++) {
            hc_decl *p = li->parents.v[k];
            if (p == a) {
                return 1;
            }
            if (p != &root_ctx && set_add(x, &seen, p)) {
                set_add(x, &todo, p);
            }
        }
    }
    return 0;
}

/* Why a locus type's parent is not known at build time, for the report. */
static const char *why_runtime(esc *x, hc_decl *l) {
    linfo *li = info_of(x, l);
    if (!li) {
        return "";
    }
    for (int k = 0; k < li->made_in.n; k++) {
        if (li->made_in.v[k]->kind == D_FN) {
            return hc_sprintf(x->a, "`%s` is made in fn `%s`, called from more than one place",
                              l->name.name, li->made_in.v[k]->name.name);
        }
    }
    if (li->naccepters > 0 && li->parents.n > 1) {
        return hc_sprintf(x->a, "`%s` is accepted by `%s` wherever one is above it", l->name.name,
                          li->accepter->name.name);
    }
    if (li->made_in.n > 1) {
        return hc_sprintf(x->a, "`%s` is made by both `%s` and `%s`", l->name.name,
                          li->made_in.v[0]->name.name, li->made_in.v[1]->name.name);
    }
    return hc_sprintf(x->a, "`%s`'s parent depends on the tree at run time", l->name.name);
}

/* ---- scanning one function ---- */

static int pos_after(hc_pos a, hc_pos b) {
    return a.line > b.line || (a.line == b.line && a.col > b.col);
}

static letinfo *let_of(esc *x, hc_local *l) {
    for (int i = 0; i < x->lets.n; i++) {
        if (x->lets.v[i].local == l) {
            return &x->lets.v[i];
        }
    }
    return NULL;
}

static void collect_lets(esc *x, hc_block *b, int loops);

/* The blocks of an `if`, a block or a `match` used as a statement or as a block's tail. */
static void lets_in(esc *x, hc_expr *e, int loops) {
    for (hc_expr *c = e; c && c->kind == E_IF; c = c->rhs) {
        collect_lets(x, c->block, loops);
        if (c->rhs && c->rhs->kind == E_BLOCK) {
            collect_lets(x, c->rhs->block, loops);
        }
    }
    if (e && e->kind == E_BLOCK) {
        collect_lets(x, e->block, loops);
    }
    if (e && e->kind == E_MATCH) {
        for (int k = 0; k < e->arms.n; k++) {
            lets_in(x, e->arms.v[k].body, loops);
        }
    }
}

/* Every `let` of a body, with the block that holds it and its loop depth. */
static void collect_lets(esc *x, hc_block *b, int loops) {
    if (!b) {
        return;
    }
    for (int i = 0; i < b->stmts.n; i++) {
        hc_stmt *s = b->stmts.v[i];
        if (s->kind == S_LET && s->local) {
            letinfo li = {s->local, s, b, loops};
            HC_PUSH(x->a, x->lets, li);
        }
        collect_lets(x, s->body, loops + (s->kind == S_WHILE || s->kind == S_FOR));
        if (s->kind == S_IF || s->kind == S_EXPR || s->kind == S_LET) {
            lets_in(x, s->expr, loops);
        }
    }
    lets_in(x, b->tail, loops);
}

/* ---- uses of a local ---- */

typedef struct {
    hc_local *local;
    hc_stmt *consumer; /* the statement whose value holds it (a send, or another local's let) */
    hc_stmt *send;     /* uses placed after this one count as `after` */
    int bad;           /* a use other than an element read or write, len(), or the send */
    int in_send;       /* occurrences in the send's value */
    int after;         /* uses placed after the send */
} uses;

static int is_name_of(hc_expr *e, hc_local *l) {
    return e && e->kind == E_NAME && e->ref == REF_LOCAL && e->local == l;
}

static int uses_expr(hc_walker *w, hc_expr *e);

static void uses_sub(hc_walker *w, hc_expr *e) {
    hc_walk_expr(w, e);
}

static void note_use(uses *u, hc_pos at) {
    if (u->send && pos_after(at, u->send->pos)) {
        u->after++;
    }
}

static int uses_expr(hc_walker *w, hc_expr *e) {
    uses *u = w->ctx;
    if (e->kind == E_INDEX && is_name_of(e->lhs, u->local)) {
        note_use(u, e->pos);
        uses_sub(w, e->rhs);
        return HC_WALK_SKIP;
    }
    if (e->kind == E_CALL && e->lhs && e->lhs->builtin && e->lhs->builtin->kind == BI_LEN &&
        e->args.n == 1 && is_name_of(e->args.v[0], u->local)) {
        note_use(u, e->pos);
        return HC_WALK_SKIP;
    }
    if (is_name_of(e, u->local)) {
        note_use(u, e->pos);
        u->bad++;
    }
    return HC_WALK_ON;
}

static int uses_stmt(hc_walker *w, hc_stmt *s) {
    uses *u = w->ctx;
    if (s == u->consumer) {
        /* the value: direct occurrences are the consumer's own; element reads stay reads */
        hc_walker inner = *w;
        uses tmp = *u;
        tmp.send = NULL;
        tmp.consumer = NULL;
        inner.ctx = &tmp;
        int before = tmp.bad;
        hc_walk_expr(&inner, s->expr);
        u->in_send += tmp.bad - before;
        return HC_WALK_SKIP;
    }
    if (s->kind == S_ASSIGN && s->target->kind == E_INDEX && is_name_of(s->target->lhs, u->local)) {
        note_use(u, s->pos);
        uses_sub(w, s->target->rhs);
        uses_sub(w, s->expr);
        return HC_WALK_SKIP;
    }
    if (s->kind == S_ASSIGN && is_name_of(s->target, u->local)) {
        u->bad++; /* rebound: whatever it holds now was not made at its let */
    }
    return HC_WALK_ON;
}

static uses local_uses(esc *x, hc_local *l, hc_stmt *consumer, hc_stmt *send) {
    uses u = {l, consumer, send, 0, 0, 0};
    hc_walker w = {uses_expr, uses_stmt, &u};
    hc_walk_block(&w, x->fn->body);
    return u;
}

/* ---- the shape of a sent value ---- */

typedef struct {
    int borrow;     /* made in this function: no locus's state or caller can change it */
    int place;      /* every heap part comes from an array literal or repeat of this function */
    int once;       /* each placed local occurs once in the value and is dead after the send */
    int same_block; /* every placed local's let is in the send's block */
    int loops;      /* the deepest loop an allocation to place is in */
    HC_VEC(hc_expr *) allocs;
    HC_VEC(hc_local *) locals;
    hc_annot *hoist; /* an `@hoist` on the value, an allocation, or a let */
    hc_expr *first_alloc;
} shape;

static hc_annot *hoist_annot(hc_annots *an) {
    for (int i = 0; an && i < an->n; i++) {
        if (strcmp(an->v[i].name.name, "hoist") == 0) {
            return &an->v[i];
        }
    }
    return NULL;
}

static void value_shape(esc *x, hc_expr *e, hc_stmt *consumer, hc_stmt *send, hc_block *in,
                        int loops, shape *sh);

static void parts_shape(esc *x, hc_exprs *args, hc_stmt *consumer, hc_stmt *send, hc_block *in,
                        int loops, shape *sh) {
    for (int i = 0; i < args->n; i++) {
        value_shape(x, args->v[i], consumer, send, in, loops, sh);
    }
}

static void value_shape(esc *x, hc_expr *e, hc_stmt *consumer, hc_stmt *send, hc_block *in,
                        int loops, shape *sh) {
    if (!e || !e->ty || !e->ty->heap) {
        return; /* no heap parts: the value itself is copied by value */
    }
    hc_annot *h = hoist_annot(&e->annots);
    if (h && !sh->hoist) {
        sh->hoist = h;
    }
    switch (e->kind) {
    case E_STRING:
    case E_BYTES:
        return; /* static */
    case E_ARRAY:
    case E_REPEAT:
        if (e->kind == E_ARRAY) {
            parts_shape(x, &e->args, consumer, send, in, loops, sh);
        } else {
            value_shape(x, e->lhs, consumer, send, in, loops, sh);
            if (hc_ty_has_array(e->ty->elem)) {
                sh->place = 0; /* each slot gets a scratch copy of the element */
            }
        }
        if (e->ty->kind == TY_ARRAY) { /* an allocation to place (a bounded list is inline) */
            HC_PUSH(x->a, sh->allocs, e);
            if (!sh->first_alloc) {
                sh->first_alloc = e;
            }
            sh->loops = loops > sh->loops ? loops : sh->loops;
        }
        return;
    case E_STRUCT:
        if (is_locus_lit(e)) {
            sh->borrow = sh->place = 0;
            return;
        }
        for (int i = 0; i < e->inits.n; i++) {
            value_shape(x, e->inits.v[i].value, consumer, send, in, loops, sh);
        }
        return;
    case E_TUPLE:
        parts_shape(x, &e->args, consumer, send, in, loops, sh);
        return;
    case E_NAME: {
        if (e->ref != REF_LOCAL || !e->local || e->local->is_param) {
            sh->borrow = sh->place = 0; /* a parameter may be the caller's, or a locus's */
            return;
        }
        for (int i = 0; i < sh->locals.n; i++) {
            if (sh->locals.v[i] == e->local) {
                sh->once = 0; /* twice in one value */
                return;
            }
        }
        letinfo *li = let_of(x, e->local);
        if (!li || !li->stmt->expr) {
            sh->borrow = sh->place = 0;
            return;
        }
        HC_PUSH(x->a, sh->locals, e->local);
        uses u = local_uses(x, e->local, consumer, send);
        if (u.bad) {
            sh->borrow = sh->place = 0; /* rebound, or passed on where it may be kept */
            return;
        }
        if (u.in_send != 1 || u.after) {
            sh->once = 0;
        }
        if (li->block != in) {
            sh->same_block = 0;
        }
        h = hoist_annot(&li->stmt->annots);
        if (h && !sh->hoist) {
            sh->hoist = h;
        }
        value_shape(x, li->stmt->expr, li->stmt, send, in, li->loops, sh);
        return;
    }
    case E_BINARY:
    case E_FSTRING:
        /* a new string in scratch, but a concatenation with an empty side is its other side:
         * fresh only when every part is */
        sh->place = 0;
        if (e->kind == E_BINARY) {
            value_shape(x, e->lhs, consumer, send, in, loops, sh);
            value_shape(x, e->rhs, consumer, send, in, loops, sh);
        } else {
            parts_shape(x, &e->args, consumer, send, in, loops, sh);
        }
        return;
    case E_CALL:
        if (e->lhs && e->lhs->ref == REF_BUILTIN) {
            sh->place = 0;
            parts_shape(x, &e->args, consumer, send, in, loops, sh);
            return;
        }
        sh->borrow = sh->place = 0; /* a function's result may be one of its arguments */
        return;
    default:
        sh->borrow = sh->place = 0;
        return;
    }
}

/* ---- keeps ---- */

/* `self.f = param`: the whole payload stored into a field of self. */
static int is_keep(hc_stmt *s, hc_local *param) {
    return s->kind == S_ASSIGN && s->op == OP_NONE && s->target->kind == E_FIELD &&
           s->target->ref == REF_SELF_FIELD && s->target->lhs->kind == E_SELF &&
           is_name_of(s->expr, param) && s->target->ty == param->ty;
}

static hc_stmt *find_keep(hc_block *b, hc_local *param);

/* ... in the branches of an `if` (a statement or a block's tail). */
static hc_stmt *keep_in_if(hc_expr *e, hc_local *param) {
    hc_stmt *k = NULL;
    for (hc_expr *c = e; !k && c && c->kind == E_IF; c = c->rhs) {
        k = find_keep(c->block, param);
        if (!k && c->rhs && c->rhs->kind == E_BLOCK) {
            k = find_keep(c->rhs->block, param);
        }
    }
    return k;
}

/* The first keep in `b`, its `if` branches and nested blocks, never inside a loop. */
static hc_stmt *find_keep(hc_block *b, hc_local *param) {
    for (int i = 0; b && i < b->stmts.n; i++) {
        hc_stmt *s = b->stmts.v[i];
        if (is_keep(s, param)) {
            return s;
        }
        hc_stmt *k = s->kind == S_BLOCK                     ? find_keep(s->body, param)
                     : s->kind == S_IF || s->kind == S_EXPR ? keep_in_if(s->expr, param)
                                                            : NULL;
        if (k) {
            return k;
        }
    }
    return b ? keep_in_if(b->tail, param) : NULL;
}

/* The statement of handler `h` that keeps its payload whole in a field of `self` as the
 * payload's last use, outside any loop; NULL when it only reads it (or keeps it otherwise,
 * which copies as any store does). */
static hc_stmt *handler_keep(esc *x, hc_decl *h) {
    if (!h || !h->body || h->params.n != 1 || !h->params.v[0].local) {
        return NULL;
    }
    hc_local *param = h->params.v[0].local;
    hc_stmt *keep = find_keep(h->body, param);
    if (!keep) {
        return NULL;
    }
    hc_decl *saved = x->fn;
    x->fn = h;
    uses u = local_uses(x, param, keep, keep);
    x->fn = saved;
    return u.after ? NULL : keep; /* nothing may read it after it was handed over */
}

hc_locus_param *hc_escape_param(hc_decl *locus, const char *name) {
    for (int i = 0; locus && i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
            if (strcmp(m->lparams.v[k].name.name, name) == 0) {
                return &m->lparams.v[k];
            }
        }
    }
    return NULL;
}

/* ---- decisions ---- */

static const char *pool_name(const char *p) {
    if (!p) {
        return "the main pool";
    }
    if (strcmp(p, "main") == 0) {
        return "the main pool";
    }
    if (strcmp(p, "*") == 0) {
        return "several pools";
    }
    if (strncmp(p, "pinned:", 7) == 0) {
        return "a pinned thread";
    }
    return p;
}

static int lifecycle_once(hc_decl *fn) {
    if (fn->kind != M_LIFECYCLE) {
        return 0;
    }
    const char *n = fn->name.name;
    return !strcmp(n, "birth") || !strcmp(n, "run") || !strcmp(n, "drain") ||
           !strcmp(n, "dissolve");
}

static hc_hoist_entry *project_hoist(esc *x, const char *key) {
    for (int i = 0; x->mem && i < x->mem->hoists.n; i++) {
        if (strcmp(x->mem->hoists.v[i].key, key) == 0) {
            return &x->mem->hoists.v[i];
        }
    }
    return NULL;
}

static int annot_used(esc *x, hc_annot *an) {
    for (int i = 0; i < x->used_annots.n; i++) {
        if (x->used_annots.v[i] == an) {
            return 1;
        }
    }
    return 0;
}

static void use_annot(esc *x, hc_annot *an) {
    if (!annot_used(x, an)) {
        HC_PUSH(x->a, x->used_annots, an);
    }
}

/* An `@hoist` no site took or explained: says so once. */
static void unused_hoist(esc *x, hc_annot *h, const char *what) {
    if (!h || annot_used(x, h) || x->posture == HC_POSTURE_COPY) {
        return;
    }
    use_annot(x, h);
    hc_help(hc_warning(x->P->d, h->pos,
                       "`@hoist` has no effect: %s is not kept by an ancestor locus", what),
            "`hale check --escapes` lists the escape sites a hoist can apply to");
}

/* How to accept a hoist in this project, for the help line. */
static const char *accept_how(esc *x, hc_escape_site *s, shape *sh) {
    if (x->mem && x->mem->record == HC_RECORD_PROJECT) {
        return hc_sprintf(x->a, "add \"%s\" to `hoist` in [memory] of hale.toml", s->key);
    }
    if (sh->first_alloc) {
        hc_pos p = sh->first_alloc->pos;
        return hc_sprintf(x->a, "write `@hoist` before the allocation at %s:%d:%d",
                          hc_diag_source_name(x->P->d, p.file), p.line, p.col);
    }
    return "write `@hoist` before the allocation";
}

/* The value as the user wrote it: `frame`, `self.saved`, `Frame { ... }`. */
static const char *value_name(esc *x, hc_expr *e, hc_bus_topic *t) {
    if (e->kind == E_NAME && e->path.n == 1) {
        return e->path.seg[0].name;
    }
    if (e->kind == E_SELF) {
        return "self";
    }
    if (e->kind == E_FIELD && e->lhs) {
        return hc_sprintf(x->a, "%s.%s", value_name(x, e->lhs, t), e->field.name);
    }
    if (e->kind == E_STRUCT && e->ty && e->ty->decl) {
        return hc_sprintf(x->a, "%s { ... }", e->ty->decl->name.name);
    }
    return hc_sprintf(x->a, "the payload of `%s`", t->name);
}

static hc_escape_site *new_site(esc *x, hc_escape_kind kind, hc_pos at, const char *value,
                                hc_decl *from, hc_decl *to, hc_stmt *stmt) {
    hc_escape_site *s = HC_NEW(x->a, hc_escape_site);
    s->kind = kind;
    s->pos = at;
    s->value = value;
    s->from = from;
    s->to = to;
    s->fn = x->fn;
    s->stmt = stmt;
    HC_PUSH(x->a, x->X->sites, s);
    return s;
}

static void on_send(esc *x, hc_stmt *s, hc_block *in, int loops) {
    hc_program *P = x->P;
    hc_bus_topic *t = s->target->kind == E_STRING
                          ? hc_bus_topic_of(P, NULL, s->target->str)
                          : hc_bus_topic_of(P, s->target->ty ? s->target->ty->decl : NULL, NULL);
    if (!t || !t->payload || !t->payload->heap) {
        return; /* nothing in a flat payload lives in anyone's region */
    }
    hc_decl *from = x->locus;
    shape sh = {0};
    sh.borrow = sh.place = sh.once = sh.same_block = 1;
    value_shape(x, s->expr, s, s, in, loops, &sh);
    for (int i = 0; i < sh.allocs.n; i++) {
        if (sh.allocs.v[i]->place) {
            sh.place = 0; /* already placed for another send (cannot happen: each local is one
                             send's), never placed twice */
        }
    }
    if (!sh.borrow) {
        sh.place = 0;
    }
    int bounded = lifecycle_once(x->fn) && sh.loops == 0;
    const char *vname = value_name(x, s->expr, t);
    const char *key = hc_sprintf(x->a, "%s.%s:%s", from->name.name, x->fn->name.name,
                                 s->expr->kind == E_NAME && s->expr->path.n == 1 ? vname : t->name);
    hc_send_plan *plan = NULL;
    hc_decl *hoisted = NULL;
    int guard_placed = 0;
    HC_VEC(hc_escape_site *) mine = {0};
    for (int i = 0; i < t->subs.n; i++) {
        hc_bus_use *u = &t->subs.v[i];
        hc_decl *to = u->locus;
        int st = static_ancestor(x, to, from);
        if (!st && !possible_ancestor(x, to, from)) {
            continue; /* a message to a locus that is never above the sender */
        }
        hc_escape_site *site = new_site(x, HC_ESC_PUBLISH, s->expr->pos, vname, from, to, s);
        site->key = key;
        site->topic = t;
        site->handler = u->item->handler_decl;
        site->runtime_ancestor = !st;
        site->cross_pool = st ? !chain_same_pool(x, to, from) : !hc_bus_same_thread(P, from, to);
        hc_stmt *keep = handler_keep(x, site->handler);
        /* stored whole but read afterwards: an ordinary store, which copies */
        hc_stmt *stored = keep || !site->handler || site->handler->params.n != 1
                              ? NULL
                              : find_keep(site->handler->body, site->handler->params.v[0].local);
        if (keep) {
            site->keep_field = keep->target->field.name;
        }
        HC_PUSH(x->a, mine, site);
        if (site->handler) {
            site->handler->receives_escapes = 1;
        }
        hc_locus_param *lp = keep ? hc_escape_param(to, site->keep_field) : NULL;
        if (lp) {
            lp->keep_target = 1;
            if (x->posture != HC_POSTURE_COPY) {
                lp->guarded = 1;
                keep->keep = 1;
                site->handler->takes_origin = 1;
            } else if (!keep->keep) {
                keep->keep = 3;
            }
        }
        if (site->runtime_ancestor && keep && x->posture != HC_POSTURE_COPY) {
            site->help = hc_sprintf(x->a,
                                    "no hoist is possible: the receiving ancestor is chosen at run "
                                    "time (%s)",
                                    why_runtime(x, from));
        }
        if (site->cross_pool) {
            site->lowering = HC_LOWER_COPY;
            site->reason = hc_sprintf(x->a, "is copied: `%s` runs on %s and `%s` on %s",
                                      to->name.name, pool_name(hc_place_pool(to)), from->name.name,
                                      pool_name(hc_place_pool(from)));
            site->help = NULL;
        } else if (x->posture == HC_POSTURE_COPY) {
            site->lowering = HC_LOWER_COPY;
            site->reason = "is copied (posture copy: every escape is a deep copy)";
        } else if (!sh.borrow) {
            site->lowering = HC_LOWER_COPY;
            site->reason = s->expr->kind == E_NAME && s->expr->local && s->expr->local->is_param
                               ? "is copied: it is a parameter, which may be its caller's value or "
                                 "a locus's state"
                               : "is copied: it is not made here (it may be read from a locus's "
                                 "state, which a handler could replace while it runs)";
        } else if (!keep && stored) {
            site->lowering = HC_LOWER_COPY;
            if (!stored->keep) {
                stored->keep = 3; /* a copy at an escape: counted */
            }
            site->keep_field = stored->target->field.name;
            site->reason = hc_sprintf(x->a,
                                      "is copied into `%s.%s`: `%s.%s` uses it after storing it, "
                                      "so it cannot hand it over",
                                      to->name.name, site->keep_field, to->name.name,
                                      site->handler->name.name);
        } else if (!keep) {
            site->lowering = HC_LOWER_GUARD;
            site->only_read = 1;
            site->reason = hc_sprintf(
                x->a,
                "needs no copy and no guard: it is only read in `%s.%s`, while `%s` is still "
                "sending it",
                to->name.name, site->handler ? site->handler->name.name : "?", from->name.name);
        } else {
            int hoistable = st && sh.place && sh.once && sh.same_block;
            hc_hoist_entry *pe = project_hoist(x, key);
            int accepted = x->posture == HC_POSTURE_AGGRESSIVE || sh.hoist || pe;
            if (hoistable && accepted && (!hoisted || hoisted == to)) {
                site->lowering = HC_LOWER_HOIST;
                hoisted = to;
                site->reason = hc_sprintf(
                    x->a,
                    "is hoisted: made in `%s`'s region, it is kept in `%s.%s` with no copy and "
                    "no guard (%s)",
                    to->name.name, to->name.name, site->keep_field,
                    x->posture == HC_POSTURE_AGGRESSIVE ? "posture aggressive"
                    : sh.hoist                          ? "`@hoist`"
                                                        : "hale.toml's hoist list");
            } else if (sh.place && bounded) {
                site->lowering = HC_LOWER_GUARD;
                guard_placed = 1;
                site->reason = hc_sprintf(x->a,
                                          "is guarded at the boundary: `%s.%s` keeps it, and a "
                                          "read after `%s` dissolved is ActorTerminated",
                                          to->name.name, site->keep_field, from->name.name);
            } else {
                site->lowering = HC_LOWER_COPY;
                const char *why =
                    !sh.place ? "its parts are not all made here by array literals"
                    : !bounded
                        ? hc_sprintf(x->a,
                                     "`%s` makes it %s, and keeping each one in `%s`'s region "
                                     "would grow it without bound",
                                     from->name.name,
                                     lifecycle_once(x->fn) ? "inside a loop"
                                                           : "in a method that may run many times",
                                     from->name.name)
                        : "";
                site->reason = hc_sprintf(x->a, "is copied into `%s.%s`: %s", to->name.name,
                                          site->keep_field, why);
            }
            if (site->lowering != HC_LOWER_HOIST && hoistable) {
                site->help = hc_sprintf(
                    x->a,
                    "hoisting its allocation into `%s`'s region makes its lifetime static and "
                    "removes the %s: %s",
                    to->name.name, site->lowering == HC_LOWER_GUARD ? "guard" : "copy",
                    accept_how(x, site, &sh));
            } else if (site->lowering != HC_LOWER_HOIST && st && !site->runtime_ancestor) {
                site->help = !sh.place ? "no hoist is possible: build it from array literals "
                                         "(`[..]`, `[v; n]`) in this function to make it hoistable"
                                       : "no hoist is possible: the value must be made in the "
                                         "same block as the send and not used after it";
            }
            if (pe && site->lowering == HC_LOWER_HOIST) {
                pe->used = 1;
            }
            if (sh.hoist && site->lowering == HC_LOWER_HOIST) {
                use_annot(x, sh.hoist);
            }
        }
        if (sh.hoist && site->lowering != HC_LOWER_HOIST && x->posture != HC_POSTURE_COPY) {
            /* an annotation that asked for this hoist in vain says why, once */
            int seen = annot_used(x, sh.hoist);
            if (!seen && keep) {
                use_annot(x, sh.hoist);
                hc_help(hc_warning(P->d, sh.hoist->pos,
                                   "`@hoist` cannot be honoured for `%s` sent to `%s`", vname,
                                   to->name.name),
                        "%s", site->help ? site->help : site->reason);
            } else if (!seen && !keep && !site->cross_pool && sh.borrow) {
                use_annot(x, sh.hoist);
                hc_help(hc_warning(P->d, sh.hoist->pos,
                                   "`@hoist` has no effect: `%s` only reads `%s`, which is "
                                   "neither copied nor guarded",
                                   to->name.name, vname),
                        "remove `@hoist`");
            }
        }
    }
    if (!mine.n || x->posture == HC_POSTURE_COPY || !sh.borrow) {
        return;
    }
    plan = HC_NEW(x->a, hc_send_plan);
    plan->id = x->next_plan++;
    plan->borrow = 1;
    plan->origin = 1;
    if (hoisted) {
        plan->place = 2;
        plan->hoist_to = hoisted;
        /* another ancestor keeping it now gets a copy (the value belongs to `hoisted`) */
        for (int i = 0; i < mine.n; i++) {
            hc_escape_site *o = mine.v[i];
            if (o->lowering == HC_LOWER_GUARD && o->keep_field) {
                o->lowering = HC_LOWER_COPY;
                o->reason = hc_sprintf(x->a, "is copied into `%s.%s`: it is hoisted into `%s`",
                                       o->to->name.name, o->keep_field, hoisted->name.name);
            }
        }
    } else if (guard_placed) {
        plan->place = 1;
    }
    plan->scratch_reset = x->reset_loops > 0;
    if (plan->scratch_reset && !plan->place && !t->direct) {
        /* the bus hands it over when the function returns, and the loop has reused the scratch
         * it lives in by then (emit_escape.c: em_send_flags) */
        for (int i = 0; i < mine.n; i++) {
            hc_escape_site *o = mine.v[i];
            if (o->lowering == HC_LOWER_GUARD && !o->keep_field) {
                o->lowering = HC_LOWER_COPY;
                o->reason = hc_sprintf(x->a,
                                       "is copied: `%s.%s` sends it from a loop that reuses its "
                                       "scratch every iteration, and `%s.%s` reads it only when "
                                       "`%s.%s` returns",
                                       from->name.name, x->fn->name.name, o->to->name.name,
                                       o->handler ? o->handler->name.name : "?", from->name.name,
                                       x->fn->name.name);
            }
        }
    }
    if (plan->place) {
        for (int i = 0; i < sh.allocs.n; i++) {
            sh.allocs.v[i]->place = plan->place;
            sh.allocs.v[i]->plan = plan;
        }
    }
    s->send_plan = plan;
}

/* ---- contract reads kept in self ---- */

typedef struct {
    const char *field;
    int assigned;
    hc_pos at;
} assigns;

/* Notes a change of `self.<field>` when the place `t` is inside it. */
static void note_change(assigns *a, hc_expr *t, hc_pos at) {
    for (; t->kind == E_FIELD || t->kind == E_INDEX; t = t->lhs) {
        if (t->kind == E_FIELD && t->lhs->kind == E_SELF) {
            if (strcmp(t->field.name, a->field) == 0 && !a->assigned) {
                a->assigned = 1;
                a->at = at;
            }
            return;
        }
    }
}

static int assigns_stmt(hc_walker *w, hc_stmt *s) {
    if (s->kind == S_ASSIGN) {
        note_change(w->ctx, s->target, s->pos);
    }
    return HC_WALK_ON;
}

static int assigns_expr(hc_walker *w, hc_expr *e) {
    /* a bounded-list intrinsic changing `self.f` in place */
    if (e->kind == E_CALL && e->lhs && e->lhs->builtin && e->args.n > 0) {
        hc_builtin_kind k = e->lhs->builtin->kind;
        if (k == BI_PUSH || k == BI_SET || k == BI_CLEAR || k == BI_TRUNCATE) {
            note_change(w->ctx, e->args.v[0], e->pos);
        }
    }
    return HC_WALK_ON;
}

static assigns field_assigned(hc_decl *locus, const char *field) {
    assigns a = {field, 0, {0}};
    hc_walker w = {assigns_expr, assigns_stmt, &a};
    for (int i = 0; i < locus->members.n && !a.assigned; i++) {
        if (has_body(locus->members.v[i])) {
            hc_walk_block(&w, locus->members.v[i]->body);
        }
    }
    return a;
}

/* `X.g` (X a child locus other than self), or NULL. */
static hc_expr *contract_root(hc_expr *v, hc_expr **field) {
    hc_expr *f = NULL;
    while (v->kind == E_FIELD) {
        if (v->lhs->ty && v->lhs->ty->kind == TY_LOCUS && v->lhs->kind != E_SELF) {
            *field = v;
            return v->lhs;
        }
        f = v;
        v = v->lhs;
    }
    (void)f;
    return NULL;
}

static void on_assign(esc *x, hc_stmt *s) {
    hc_expr *t = s->target;
    if (s->op != OP_NONE || t->kind != E_FIELD || t->ref != REF_SELF_FIELD ||
        t->lhs->kind != E_SELF || !t->ty || !t->ty->heap || t->ty->kind == TY_LOCUS) {
        return;
    }
    hc_decl *to = x->locus;
    hc_expr *v = s->expr;
    hc_locus_param *lp = hc_escape_param(to, t->field.name);
    if (v->kind == E_CALL && v->lhs && v->lhs->kind == E_FIELD && v->lhs->ref == REF_METHOD &&
        v->lhs->lhs && v->lhs->lhs->kind != E_SELF && v->lhs->lhs->ty &&
        v->lhs->lhs->ty->kind == TY_LOCUS && v->ty && v->ty->heap) {
        hc_decl *from = v->lhs->lhs->ty->decl;
        hc_escape_site *site = new_site(x, HC_ESC_RESULT, v->pos,
                                        hc_sprintf(x->a, "%s()", v->lhs->field.name), from, to, s);
        site->keep_field = t->field.name;
        site->key = hc_sprintf(x->a, "%s.%s:%s", to->name.name, x->fn->name.name, t->field.name);
        site->lowering = HC_LOWER_COPY;
        site->reason = hc_sprintf(x->a,
                                  "is copied into `%s.%s`: a method's result is made per call "
                                  "in its scratch and copied out",
                                  to->name.name, t->field.name);
        s->keep = 3;
        return;
    }
    hc_expr *fld = NULL;
    hc_expr *child = contract_root(v, &fld);
    if (!child || !fld) {
        return;
    }
    hc_decl *from = child->ty->decl;
    const char *cname = child->kind == E_FIELD                        ? child->field.name
                        : child->kind == E_NAME && child->path.n == 1 ? child->path.seg[0].name
                                                                      : "c";
    hc_escape_site *site = new_site(x, HC_ESC_CONTRACT, v->pos,
                                    hc_sprintf(x->a, "%s.%s", cname, fld->field.name), from, to, s);
    site->keep_field = t->field.name;
    site->key =
        hc_sprintf(x->a, "%s.%s:%s.%s", to->name.name, x->fn->name.name, cname, fld->field.name);
    site->runtime_ancestor = !static_ancestor(x, to, from) && !(child->kind == E_FIELD);
    site->cross_pool = !hc_bus_same_thread(x->P, from, to);
    assigns as = field_assigned(from, fld->field.name);
    if (lp) {
        lp->keep_target = 1;
    }
    if (x->posture == HC_POSTURE_COPY) {
        site->lowering = HC_LOWER_COPY;
        site->reason = "is copied (posture copy: every escape is a deep copy)";
    } else if (site->cross_pool) {
        site->lowering = HC_LOWER_COPY;
        site->reason =
            hc_sprintf(x->a, "is copied: `%s` runs on %s and `%s` on %s", from->name.name,
                       pool_name(hc_place_pool(from)), to->name.name, pool_name(hc_place_pool(to)));
    } else if (as.assigned) {
        site->lowering = HC_LOWER_COPY;
        site->reason =
            hc_sprintf(x->a,
                       "is copied into `%s.%s`: `%s` replaces `%s` (line %d), so a "
                       "reference into it would not stay valid",
                       to->name.name, t->field.name, from->name.name, fld->field.name, as.at.line);
    } else {
        site->lowering = HC_LOWER_GUARD;
        site->reason = hc_sprintf(x->a,
                                  "is guarded at the boundary: `%s.%s` keeps it, and a read "
                                  "after `%s` dissolved is ActorTerminated",
                                  to->name.name, t->field.name, from->name.name);
        site->help = hc_sprintf(x->a,
                                "no hoist is offered for a contract field: it is made when `%s` "
                                "is made and lives in `%s`'s own state",
                                from->name.name, from->name.name);
    }
    if (site->lowering == HC_LOWER_GUARD) {
        s->keep = 2;
        if (lp) {
            lp->guarded = 1;
        }
    } else {
        s->keep = 3;
    }
}

/* ---- walking a locus's methods ---- */

static void scan_block(esc *x, hc_block *b, int loops);

static int blocks_in(hc_walker *w, hc_expr *e) {
    esc *x = ((void **)w->ctx)[0];
    int loops = *(int *)((void **)w->ctx)[1];
    if (e->kind == E_BLOCK) {
        scan_block(x, e->block, loops);
        return HC_WALK_SKIP;
    }
    if (e->kind == E_IF) {
        scan_block(x, e->block, loops);
        if (e->rhs) {
            hc_walk_expr(w, e->rhs);
        }
        return HC_WALK_SKIP;
    }
    if (e->kind == E_MATCH) {
        for (int i = 0; i < e->arms.n; i++) {
            hc_walk_expr(w, e->arms.v[i].body);
        }
        return HC_WALK_SKIP;
    }
    return HC_WALK_ON;
}

static void scan_expr(esc *x, hc_expr *e, int loops) {
    void *ctx[2] = {x, &loops};
    hc_walker w = {blocks_in, NULL, ctx};
    hc_walk_expr(&w, e);
}

static void scan_block(esc *x, hc_block *b, int loops) {
    if (!b) {
        return;
    }
    for (int i = 0; i < b->stmts.n; i++) {
        hc_stmt *s = b->stmts.v[i];
        switch (s->kind) {
        case S_SEND:
            on_send(x, s, b, loops);
            break;
        case S_ASSIGN:
            on_assign(x, s);
            scan_expr(x, s->expr, loops);
            break;
        case S_WHILE:
        case S_FOR:
            x->reset_loops += s->reset_per_iter;
            scan_block(x, s->body, loops + 1);
            x->reset_loops -= s->reset_per_iter;
            break;
        case S_BLOCK:
            scan_block(x, s->body, loops);
            break;
        default:
            scan_expr(x, s->expr, loops);
            break;
        }
    }
    scan_expr(x, b->tail, loops);
}

static void scan_locus(esc *x, hc_decl *locus) {
    x->locus = locus;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (!has_body(m)) {
            continue;
        }
        x->fn = m;
        x->lets.n = 0;
        collect_lets(x, m->body, 0);
        scan_block(x, m->body, 0);
    }
    x->fn = NULL;
    x->locus = NULL;
}

/* ---- values read through a guard ---- */

/* A read of a guarded field hands out pointers into the producer's memory, valid until the
 * producer is freed, which any call into locus code or any park may cause. So such a value may
 * only be used where it is consumed at once: a field or element taken from it, its length, a
 * comparison, printing and formatting, a store or binding (those copy it). Anywhere else (an
 * argument of a call, a `for`'s iterable, a part of a literal, a send, a concatenation, an `or`
 * bound by `let`) the emitter copies it into scratch first (`hc_expr.guard_copy`). */

static int guarded_read(hc_expr *e, hc_decl *self_locus) {
    if (e->kind != E_FIELD || !e->lhs || e->ref == REF_DRAINING || e->ref == REF_CHILDREN_COUNT ||
        e->ref == REF_CHILDREN_EMPTY) {
        return 0;
    }
    hc_decl *owner = e->lhs->kind == E_SELF                       ? self_locus
                     : e->lhs->ty && e->lhs->ty->kind == TY_LOCUS ? e->lhs->ty->decl
                                                                  : NULL;
    hc_locus_param *p = owner ? hc_escape_param(owner, e->field.name) : NULL;
    return p && p->guarded;
}

/* `e` is a heap value that came out of a guarded read: the read itself, a part of it, or the
 * value of `read or fallback`. */
static int from_guard(hc_expr *e, hc_decl *self_locus) {
    if (!e || !e->ty || !e->ty->heap) {
        return 0;
    }
    if (e->kind == E_OR && e->guard_or) {
        return guarded_read(e->lhs, self_locus);
    }
    for (hc_expr *c = e; c && (c->kind == E_FIELD || c->kind == E_INDEX); c = c->lhs) {
        if (guarded_read(c, self_locus)) {
            return 1;
        }
    }
    return 0;
}

/* Whether `parent` consumes its child `c` (a value from a guard) at once. */
static int consumed_at_once(hc_expr *parent, hc_expr *c) {
    switch (parent->kind) {
    case E_FIELD:
    case E_INDEX:
        return parent->lhs == c; /* a part of it: judged where the part is used */
    case E_FSTRING:
        return 1;
    case E_BINARY:
        return parent->op == OP_EQ || parent->op == OP_NE || parent->op == OP_LT ||
               parent->op == OP_GT || parent->op == OP_LE || parent->op == OP_GE;
    case E_CALL: {
        const hc_builtin *bi = parent->lhs ? parent->lhs->builtin : NULL;
        return bi && (bi->kind == BI_LEN || bi->kind == BI_PRINT || bi->kind == BI_PRINTLN ||
                      bi->kind == BI_EPRINT || bi->kind == BI_EPRINTLN || bi->kind == BI_TO_STRING);
    }
    default:
        return 0;
    }
}

static void mark_child(hc_decl *locus, hc_expr *parent, hc_expr *c) {
    if (c && from_guard(c, locus) && !consumed_at_once(parent, c)) {
        c->guard_copy = 1;
    }
}

static int copies_expr(hc_walker *w, hc_expr *e) {
    hc_decl *locus = w->ctx;
    mark_child(locus, e, e->lhs);
    mark_child(locus, e, e->rhs);
    mark_child(locus, e, e->third);
    for (int i = 0; i < e->args.n; i++) {
        mark_child(locus, e, e->args.v[i]);
    }
    for (int i = 0; i < e->inits.n; i++) {
        mark_child(locus, e, e->inits.v[i].value);
    }
    for (int i = 0; i < e->arms.n; i++) {
        mark_child(locus, e, e->arms.v[i].body);
    }
    if (e->block) {
        mark_child(locus, e, e->block->tail);
    }
    return HC_WALK_ON;
}

static int copies_stmt(hc_walker *w, hc_stmt *s) {
    hc_expr *v = s->expr;
    if (!v || !from_guard(v, w->ctx)) {
        return HC_WALK_ON;
    }
    switch (s->kind) {
    case S_LET:
    case S_ASSIGN:
        /* a binding or store copies a value read out of a locus's state, but not an `or` */
        v->guard_copy = v->kind == E_OR;
        break;
    case S_RETURN:
    case S_EXPR:
        break; /* copied out at the function's exit, or dropped */
    default:
        v->guard_copy = 1; /* a send, a `for`'s iterable, a failure's payload */
        break;
    }
    return HC_WALK_ON;
}

static void mark_copies(esc *x) {
    for (int i = 0; i < x->P->fns.n; i++) {
        hc_decl *fn = x->P->fns.v[i];
        hc_walker w = {copies_expr, copies_stmt, fn->locus};
        hc_walk_block(&w, fn->body);
    }
}

/* ---- checks that need every site ---- */

typedef struct {
    esc *x;
} late;

static int late_expr(hc_walker *w, hc_expr *e) {
    esc *x = ((late *)w->ctx)->x;
    if (e->kind == E_OR && e->guard_or) {
        hc_expr *f = e->lhs;
        hc_decl *owner = f->lhs->kind == E_SELF ? x->locus : f->lhs->ty->decl;
        hc_locus_param *lp = hc_escape_param(owner, f->field.name);
        if (!lp || !lp->keep_target) {
            hc_help(hc_error(x->P->d, e->pos,
                             "`or` needs something that can fail, but reading `%s` cannot: no "
                             "value escaped from a child is kept in it",
                             f->field.name),
                    "remove the `or` clause (a read fails only when the field keeps a child's "
                    "value under a guard)");
        }
    }
    unused_hoist(x, hoist_annot(&e->annots), "this allocation");
    return HC_WALK_ON;
}

static int late_stmt(hc_walker *w, hc_stmt *s) {
    esc *x = ((late *)w->ctx)->x;
    if (s->kind == S_LET) {
        unused_hoist(x, hoist_annot(&s->annots), hc_sprintf(x->a, "`%s`", s->name.name));
    }
    return HC_WALK_ON;
}

static void late_checks(esc *x) {
    late l = {x};
    hc_walker w = {late_expr, late_stmt, &l};
    for (int i = 0; i < x->P->fns.n; i++) {
        hc_decl *fn = x->P->fns.v[i];
        x->locus = fn->locus;
        if (fn->body) {
            hc_walk_block(&w, fn->body);
        }
    }
    x->locus = NULL;
    for (int i = 0; x->mem && i < x->mem->hoists.n; i++) {
        hc_hoist_entry *h = &x->mem->hoists.v[i];
        if (h->used) {
            continue;
        }
        int named = 0;
        for (int k = 0; k < x->X->sites.n; k++) {
            named |= strcmp(x->X->sites.v[k]->key, h->key) == 0;
        }
        hc_help(hc_warning(x->P->d, h->pos,
                           named ? "`hoist` names `%s`, which cannot be hoisted"
                                 : "`hoist` names `%s`, which is no escape site of this program",
                           h->key),
                "`hale check --escapes` names each site and says whether a hoist is possible");
    }
}

/* ---- entry ---- */

const char *hc_posture_name(hc_posture p) {
    static const char *n[] = {"guard", "aggressive", "copy"};
    return p >= HC_POSTURE_GUARD && p <= HC_POSTURE_COPY ? n[p] : "?";
}

const char *hc_lowering_name(hc_lowering l) {
    static const char *n[] = {"copy", "guard", "hoist"};
    return l >= HC_LOWER_COPY && l <= HC_LOWER_HOIST ? n[l] : "?";
}

void hc_escape_analyze(hc_program *P) {
    esc x = {0};
    x.P = P;
    x.a = P->a;
    x.mem = P->mem;
    x.posture = P->mem ? P->mem->posture : HC_POSTURE_GUARD;
    x.X = HC_NEW(P->a, hc_escapes);
    P->escapes = x.X;
    build_tree(&x);
    for (int i = 0; i < P->loci.n; i++) {
        scan_locus(&x, P->loci.v[i]);
    }
    late_checks(&x);
    if (x.posture != HC_POSTURE_COPY) {
        mark_copies(&x);
    }
}
