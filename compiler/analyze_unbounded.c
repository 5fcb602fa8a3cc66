/* See analyze.h. This file: unbounded accumulation (`unbounded-alloc`, on by default).
 *
 * These shapes grow with every message or every iteration of a loop with no constant bound and
 * give nothing back until their holder goes, so each is reported at the code that grows them:
 *
 *   - an insert into a growing collection: `push` on a `@form(vec)`, `set` / `bump` on a
 *     `@form(hashmap)`, when the collection outlives the context (held by `self`, passed in, or
 *     declared outside the loop). Ring buffers and lru caches are capped and never reported.
 *   - a child kept beyond the context. A literal used as a value (an argument, an element, a
 *     return, any literal of a function returning a locus) lives until the locus making it
 *     dissolves (the program's end outside every locus). A statement literal whose owner accepts
 * its type without `release` and reads `self.children` is a resident: the owner keeps it until it
 * dissolves (runtime/locus.c, hale_locus_tracked_resident). A `let`-held child, or a statement
 * child with a bus block, is kept until the enclosing function returns, which in a loop with no
 *     constant bound is one per iteration.
 *   - a String grown from its own old value (`self.log = self.log + line`, `out += row`), or
 *     Bytes (`self.raw = std::bytes::concat(self.raw, b)`), in a place that outlives the
 *     context: the value itself grows. A BytesBuilder held there and appended to, when the
 *     function never clears, finishes or shifts it, grows the same way.
 *
 * A length check on the grown place caps it when its `if` or `while` also holds the growth, or a
 * reset, a shrink or a way out (`if len(self.log) > MAX { self.log = ""; }`, `while v.len() < N
 * { v.push(x); }`); a length that is only printed caps nothing.
 *
 * A whole-value replace (`self.latest = Thing { ... }`) is not one of them: the locus's heap
 * gives the old value back (see analyze.h). */
#include <string.h>

#include "analyze.h"
#include "emit.h" /* em_bus_publishes_or_subscribes: which children live to their scope's end */

static const char *form_word(hc_form_kind k) {
    return k == FORM_VEC ? "vec" : "hashmap";
}

/* The end of every help: bound the loop (when a loop is why), or acknowledge the growth. */
static const char *ack(hc_arena *a, const an_why *why) {
    return hc_sprintf(a, "%sor mark `%s` `@unbounded` if this growth is intended",
                      an_why_root(why)->kind == AN_LOOP ? "bound the loop, " : "",
                      an_why_fn(why)->name.name);
}

/* A length check on `place` (`len(self.log) > MAX`, `v.len() == 0`, `v.is_empty()`). */
static int is_len_check(hc_expr *e, hc_expr *place) {
    int builtin = e->lhs->builtin && e->lhs->builtin->kind == BI_LEN && e->args.n == 1 &&
                  an_same_place(e->args.v[0], place);
    int form = e->lhs->kind == E_FIELD && e->lhs->ref == REF_FORM &&
               (e->lhs->variant == FM_LEN || e->lhs->variant == FM_IS_EMPTY) &&
               an_same_place(e->lhs->lhs, place);
    return builtin || form;
}

/* A call that makes `place` smaller: `clear(v)`, `truncate(v, n)`, `v.pop()`, `v.remove(k)`. */
static int is_shrink(hc_expr *e, hc_expr *place) {
    const hc_builtin *bi = e->lhs->builtin;
    if (bi && (bi->kind == BI_CLEAR || bi->kind == BI_TRUNCATE) && e->args.n >= 1) {
        return an_same_place(e->args.v[0], place);
    }
    return e->lhs->kind == E_FIELD && e->lhs->ref == REF_FORM &&
           (e->lhs->variant == FM_POP || e->lhs->variant == FM_REMOVE) &&
           an_same_place(e->lhs->lhs, place);
}

static int grows_from(hc_expr *e, hc_expr *place);

/* What a length check's branch must hold to be the cap on `place`: the growing site itself
 * (it only runs while the check allows), or something that keeps the place bounded (a reset of
 * it, a call that shrinks it, or leaving: return, break, continue). A check whose branches do
 * neither, a length printed or logged, caps nothing. */
typedef struct {
    hc_expr *place;
    const void *site; /* the growing expression or statement */
    int found;
} cap_q;

static int cap_expr(hc_walker *hw, hc_expr *e) {
    cap_q *q = hw->ctx;
    if ((const void *)e == q->site || (e->kind == E_CALL && e->lhs && is_shrink(e, q->place))) {
        q->found = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

static int cap_stmt(hc_walker *hw, hc_stmt *s) {
    cap_q *q = hw->ctx;
    int leaves = s->kind == S_RETURN || s->kind == S_BREAK || s->kind == S_CONTINUE;
    int resets = s->kind == S_ASSIGN && s->op == OP_NONE && an_same_place(s->target, q->place) &&
                 !grows_from(s->expr, q->place);
    if ((const void *)s == q->site || leaves || resets) {
        q->found = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

typedef struct {
    cap_q cap;
    int checks; /* the condition being looked at checks the place's length */
} check_q;

static int len_in_cond(hc_walker *hw, hc_expr *e) {
    check_q *q = hw->ctx;
    if (e->kind == E_CALL && e->lhs && is_len_check(e, q->cap.place)) {
        q->checks = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

/* Does condition `cond` check the place's length, and does `a` (or `b`) hold its cap? */
static int caps(check_q *q, hc_expr *cond, hc_block *a, hc_expr *b) {
    q->checks = 0;
    hc_walker in_cond = {len_in_cond, NULL, q};
    hc_walk_expr(&in_cond, cond);
    if (!q->checks) {
        return 0;
    }
    hc_walker in_branch = {cap_expr, cap_stmt, &q->cap};
    hc_walk_block(&in_branch, a);
    hc_walk_expr(&in_branch, b);
    return q->cap.found;
}

static int find_cap_expr(hc_walker *hw, hc_expr *e) {
    check_q *q = hw->ctx;
    if (e->kind == E_IF && caps(q, e->lhs, e->block, e->rhs)) {
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

static int find_cap_stmt(hc_walker *hw, hc_stmt *s) {
    check_q *q = hw->ctx;
    if (s->kind == S_WHILE && caps(q, s->expr, s->body, NULL)) {
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

/* An `if` or `while` of the function that checks `place`'s length and caps it (above). */
static int length_checked(hc_decl *fn, hc_expr *place, const void *site) {
    check_q q = {{place, site, 0}, 0};
    hc_walker hw = {find_cap_expr, find_cap_stmt, &q};
    hc_walk_block(&hw, fn->body);
    return q.cap.found;
}

/* ---- inserts into growing forms ---- */

static void insert_site(an_walk *w, hc_expr *e, hc_form *f) {
    hc_program *P = w->P;
    hc_expr *recv = e->lhs->lhs;
    int via_self;
    hc_local *root = an_place_root(recv, &via_self);
    const an_why *why = an_escapes(w, root);
    if (!why || length_checked(w->fn, recv, e)) {
        return;
    }
    hc_pos at = e->lhs->field.pos;
    hc_diag *g = hc_advisory(
        P->d, "unbounded-alloc", at,
        "`%s.%s(...)` adds to a `@form(%s)` %s, and a form gives its storage back "
        "only when it dissolves",
        an_place_text(P->a, recv), e->lhs->field.name, form_word(f->kind), an_why_text(P->a, why));
    an_why_notes(g, why);
    if (f->kind == FORM_VEC) {
        hc_help(g, "keep the newest N with `@form(ring_buffer, cap = N)`, %s", ack(P->a, why));
    } else {
        hc_help(g,
                "keep the N most recently used keys with `@form(lru_cache, cap = N)`, remove "
                "entries that are done, %s",
                ack(P->a, why));
    }
}

/* ---- children kept beyond the context ---- */

static int is_locus_lit(hc_expr *e) {
    return e && e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

const an_why *an_kept_child(an_walk *w, hc_expr *lit, int *by_owner) {
    hc_decl *t = lit->decl, *owner = w->fn->locus;
    hc_stmt *s = w->stmt;
    *by_owner = 0;
    if (an_nested_child(w, lit)) {
        return NULL; /* a parameter child: it lives as its parent does */
    }
    if (s && s->kind == S_ASSIGN && s->expr == lit) {
        return NULL; /* `self.f = L { }`: replaces the old holder of the field */
    }
    int let = s && s->kind == S_LET && s->expr == lit;
    int stmt = s && s->kind == S_EXPR && s->expr == lit;
    hc_type *rt = w->fn->ret_ty;
    if (!stmt && (!let || (rt && (rt->kind == TY_LOCUS || rt->kind == TY_IFACE)))) {
        /* a literal used as a value (or made by a function returning a locus) is held by the
         * locus making it until that one dissolves (emit_expr.c, em_struct) */
        *by_owner = 2;
        return an_escapes(w, NULL);
    }
    int flow = an_hook_for(owner, "release", t) != NULL;
    if (owner && !flow && an_hook_for(owner, "accept", t) && owner->tracks_children) {
        *by_owner = 1;
        return an_escapes(w, NULL);
    }
    if (let || (!flow && em_bus_publishes_or_subscribes(t))) {
        return w->nloops ? w->loops[0].why : NULL; /* until the function returns */
    }
    return NULL;
}

static void child_site(an_walk *w, hc_expr *lit) {
    hc_program *P = w->P;
    int by_owner;
    const an_why *why = an_kept_child(w, lit, &by_owner);
    if (!why) {
        return;
    }
    const char *t = lit->decl->name.name;
    hc_pos at = lit->path.pos;
    hc_diag *g;
    if (by_owner == 2) {
        const char *o = w->fn->locus ? hc_sprintf(P->a, "`%s` dissolves", w->fn->locus->name.name)
                                     : "the program ends";
        g = hc_advisory(P->d, "unbounded-alloc", at,
                        "`%s { ... }` is made as a value %s, and each one lives until %s", t,
                        an_why_text(P->a, why), o);
        an_why_notes(g, why);
        hc_help(g,
                "bind it with `let` first (it goes when `%s` returns) or make it once and keep "
                "it, %s",
                w->fn->name.name, ack(P->a, why));
    } else if (by_owner) {
        const char *o = w->fn->locus->name.name;
        g = hc_advisory(P->d, "unbounded-alloc", at,
                        "`%s { ... }` makes a resident child of `%s` %s, and `%s` keeps each "
                        "one until it dissolves",
                        t, o, an_why_text(P->a, why), o);
        an_why_notes(g, why);
        hc_help(g,
                "make `%s` a flow: `release(c: %s) { }` on `%s` gives each one back when its "
                "run() returns; %s",
                t, t, o, ack(P->a, why));
    } else {
        g = hc_advisory(P->d, "unbounded-alloc", at,
                        "a `%s` is made here %s and each one is kept until `%s` returns", t,
                        an_why_text(P->a, why), w->fn->name.name);
        an_why_notes(g, why);
        hc_help(g, "make it in a function the loop calls (it goes when that call returns), %s",
                ack(P->a, why));
    }
}

/* ---- Strings grown from their old value ---- */

static int grows_from(hc_expr *e, hc_expr *place) {
    if (!e) {
        return 0;
    }
    if (e->kind == E_BINARY && e->op == OP_ADD && e->ty && e->ty->kind == TY_STRING) {
        return an_same_place(e->lhs, place) || an_same_place(e->rhs, place) ||
               grows_from(e->lhs, place) || grows_from(e->rhs, place);
    }
    /* an f-string or std::bytes::concat: the value made of its parts */
    int joins = e->kind == E_FSTRING || (e->kind == E_CALL && e->lhs && e->lhs->builtin &&
                                         strcmp(e->lhs->builtin->path, "std::bytes::concat") == 0);
    for (int i = 0; joins && i < e->args.n; i++) {
        if (an_same_place(e->args.v[i], place) || grows_from(e->args.v[i], place)) {
            return 1;
        }
    }
    return 0;
}

static void growth_site(an_walk *w, hc_stmt *s) {
    hc_program *P = w->P;
    hc_expr *t = s->target;
    int text = t->ty && t->ty->kind == TY_STRING;
    if (!t->ty || (!text && t->ty->kind != TY_BYTES) ||
        !((text && s->op == OP_ADD) || (s->op == OP_NONE && grows_from(s->expr, t)))) {
        return;
    }
    int via_self;
    hc_local *root = an_place_root(t, &via_self);
    if (!root && !via_self) {
        return;
    }
    const an_why *why = an_escapes(w, root);
    if (!why) {
        return;
    }
    if (length_checked(w->fn, t, s)) {
        return;
    }
    const char *name = an_place_text(P->a, t);
    hc_diag *g;
    if (via_self) {
        g = hc_advisory(P->d, "unbounded-alloc", an_place_pos(t),
                        "`%s` grows %s: its new value is the old one with more added", name,
                        an_why_text(P->a, why));
        an_why_notes(g, why);
        hc_help(g,
                "keep a bounded window (a `@form(ring_buffer, cap = N)` of the pieces), cap it "
                "with a length check, %s",
                ack(P->a, why));
    } else {
        g = hc_advisory(P->d, "unbounded-alloc", an_place_pos(t),
                        text ? "`%s` grows %s: each `+` makes a new String and the old ones "
                               "stay in `%s`'s scratch until it returns"
                             : "`%s` grows %s: each concat makes new Bytes and the old ones stay "
                               "in `%s`'s scratch until it returns",
                        name, an_why_text(P->a, why), w->fn->name.name);
        an_why_notes(g, why);
        hc_help(g,
                "append the pieces to a `std::bytes::BytesBuilder` and call `finish()` once "
                "after the loop, %s",
                ack(P->a, why));
    }
}

/* ---- BytesBuilders appended to and never drained ---- */

static int is_builder(hc_program *P, hc_type *t) {
    return t && t->kind == TY_LOCUS && t->decl && t->decl->seed == P->std &&
           strcmp(t->decl->name.name, "BytesBuilder") == 0;
}

/* `b.clear()`, `b.finish()`, `b.shift_front(n)`: what gives a builder's bytes back. */
static int is_drain(hc_expr *e, hc_expr *place) {
    if (e->lhs->kind != E_FIELD || !an_same_place(e->lhs->lhs, place)) {
        return 0;
    }
    const char *m = e->lhs->field.name;
    return strcmp(m, "clear") == 0 || strcmp(m, "finish") == 0 || strcmp(m, "shift_front") == 0;
}

static void builder_site(an_walk *w, hc_expr *e) {
    hc_program *P = w->P;
    hc_expr *recv = e->lhs->lhs;
    if (!is_builder(P, recv->ty) || strncmp(e->lhs->field.name, "append", 6) != 0) {
        return;
    }
    int via_self;
    hc_local *root = an_place_root(recv, &via_self);
    if (!root && !via_self) {
        return;
    }
    const an_why *why = an_escapes(w, root);
    if (!why || an_body_calls(w->fn, is_drain, recv)) {
        return;
    }
    hc_diag *g = hc_advisory(P->d, "unbounded-alloc", e->lhs->field.pos,
                             "`%s.%s(...)` adds to a BytesBuilder %s, and nothing here clears, "
                             "finishes or shifts it",
                             an_place_text(P->a, recv), e->lhs->field.name, an_why_text(P->a, why));
    an_why_notes(g, why);
    hc_help(g, "give the bytes back once they are used (`clear()`, `shift_front(n)`), %s",
            ack(P->a, why));
}

/* ---- the walk ---- */

static int at_expr(an_walk *w, hc_expr *e) {
    hc_form *f = an_growing_insert(e);
    if (f) {
        insert_site(w, e, f);
    }
    if (is_locus_lit(e)) {
        child_site(w, e);
    }
    if (e->kind == E_CALL && e->lhs && e->lhs->kind == E_FIELD) {
        builder_site(w, e);
    }
    return HC_WALK_ON;
}

static int at_stmt(an_walk *w, hc_stmt *s) {
    if (s->kind == S_ASSIGN) {
        growth_site(w, s);
    }
    return HC_WALK_ON;
}

void an_unbounded_alloc(hc_program *P) {
    an_walk w = {.P = P, .expr = at_expr, .on_stmt = at_stmt};
    an_walk_program(&w);
}
