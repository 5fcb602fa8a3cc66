/* See check.h. This file: blocks, statements, `if`, `match` and patterns, and function bodies
 * (including the "every path returns" rule and the per-iteration scratch analysis of loops). */
#include <stdio.h>
#include <string.h>

#include "bus_plan.h"
#include "check_impl.h"

static int ck_stmt(hc_ctx *c, hc_stmt *s);

hc_type *ck_unify(hc_ctx *c, hc_type *a, hc_type *b, hc_pos at, const char *what) {
    if (a->kind == TY_NEVER) {
        return b;
    }
    if (b->kind == TY_NEVER) {
        return a;
    }
    if (a->kind == TY_ERROR || b->kind == TY_ERROR) {
        return TY(c, TY_ERROR);
    }
    if (hc_ty_assignable(a, b) && hc_ty_assignable(b, a)) {
        return a;
    }
    if (a->kind == TY_ARRAY && b->kind == TY_ARRAY && a->elem == b->elem) {
        return hc_ty_array(c->P->types, a->elem, -1);
    }
    hc_error(c->P->d, at, "%s have different types: `%s` and `%s`", what, TNAME(c, a), TNAME(c, b));
    return TY(c, TY_ERROR);
}

hc_type *ck_block(hc_ctx *c, hc_block *b, hc_type *expect, int need_value) {
    int diverged = 0;
    for (int i = 0; i < b->stmts.n; i++) {
        hc_stmt *s = b->stmts.v[i];
        if (diverged && !s->unreachable) {
            s->unreachable = 1;
            /* A `return` after a call that never returns (`std::process::exit(1); return x;`) or
             * after a match whose arms all return is the fallback Hale asks for: no warning. */
            if (diverged == 1 && s->kind != S_RETURN) {
                hc_warning(c->P->d, s->pos, "unreachable code");
                diverged = 2;
            }
        }
        if (ck_stmt(c, s) && !diverged) {
            diverged = 1;
        }
    }
    if (diverged && b->tail) {
        b->tail_unreachable = 1;
        if (diverged == 1) {
            hc_warning(c->P->d, b->tail->pos, "unreachable code");
        }
    }
    hc_type *t = TY(c, TY_UNIT);
    if (b->tail) {
        t = ck_expr(c, b->tail, need_value ? expect : NULL);
        hc_expr_kind k = b->tail->kind;
        int statement_like = t->kind == TY_UNIT && !b->tail->parenthesized &&
                             (k == E_IF || k == E_MATCH || k == E_BLOCK);
        if (need_value && expect && t->kind != TY_NEVER && !statement_like &&
            !(expect->kind == TY_UNIT && t->kind == TY_UNIT)) {
            if (ck_coerce(c, b->tail, t, expect, "this value")) {
                t = t->kind == TY_ERROR ? t : expect;
            } else {
                t = TY(c, TY_ERROR);
            }
        }
        if (!need_value && t->kind != TY_NEVER) {
            t = TY(c, TY_UNIT);
        }
    }
    return diverged ? TY(c, TY_NEVER) : t;
}

/* ---- if ---- */

static hc_type *ck_branch(hc_ctx *c, hc_expr *e, hc_type *expect, int need_value) {
    if (e->kind == E_IF) {
        hc_type *t = ck_if(c, e, expect, need_value);
        e->ty = t;
        return t;
    }
    hc_scope sc;
    ck_push_scope(c, &sc);
    hc_type *t = ck_block(c, e->block, expect, need_value);
    ck_pop_scope(c);
    e->ty = t;
    return t;
}

hc_type *ck_if(hc_ctx *c, hc_expr *e, hc_type *expect, int need_value) {
    hc_type *ct = ck_expr(c, e->lhs, TY(c, TY_BOOL));
    if (ct->kind != TY_BOOL && ct->kind != TY_ERROR && ct->kind != TY_NEVER) {
        hc_help(hc_error(c->P->d, e->lhs->pos, "the condition must be a Bool, found `%s`",
                         TNAME(c, ct)),
                ct->kind == TY_INT ? "compare it: `x != 0`" : "compare it to get a Bool");
    }
    hc_scope sc;
    ck_push_scope(c, &sc);
    hc_type *tt = ck_block(c, e->block, expect, need_value);
    ck_pop_scope(c);
    if (!e->rhs) {
        return TY(c, TY_UNIT);
    }
    hc_type *et = ck_branch(c, e->rhs, expect, need_value);
    if (!need_value) {
        return tt->kind == TY_NEVER && et->kind == TY_NEVER ? TY(c, TY_NEVER) : TY(c, TY_UNIT);
    }
    return ck_unify(c, tt, et, e->pos, "the branches of this `if`");
}

/* ---- match ---- */

static hc_type *pat_mismatch(hc_ctx *c, hc_pat *p, const char *what, hc_type *st) {
    hc_error(c->P->d, p->pos, "this pattern is %s but the value matched is a `%s`", what,
             TNAME(c, st));
    return NULL;
}

static void ck_pattern(hc_ctx *c, hc_pat *p, hc_type *st) {
    hc_program *P = c->P;
    if (st->kind == TY_ERROR && p->kind != PAT_BIND) {
        return;
    }
    switch (p->kind) {
    case PAT_WILD:
        return;
    case PAT_BIND: {
        const char *name = p->path.seg[0].name;
        if (st->kind == TY_ENUM && ck_find_variant(st->decl, name) >= 0) {
            hc_help(hc_error(P->d, p->pos, "`%s` here is a new name that matches anything", name),
                    "to match the variant write `%s::%s`", st->decl->name.name, name);
        }
        p->bind = ck_declare(c, name, p->pos, st, 0);
        return;
    }
    case PAT_INT:
        if (st->kind != TY_INT) {
            pat_mismatch(c, p, "an Int", st);
        }
        return;
    case PAT_FLOAT:
        if (st->kind != TY_FLOAT) {
            pat_mismatch(c, p, "a Float", st);
        }
        return;
    case PAT_STRING:
        if (st->kind != TY_STRING) {
            pat_mismatch(c, p, "a String", st);
        }
        return;
    case PAT_BOOL:
        if (st->kind != TY_BOOL) {
            pat_mismatch(c, p, "a Bool", st);
        }
        return;
    case PAT_NIL:
        hc_error(P->d, p->pos, "`nil` patterns are not supported");
        return;
    case PAT_TUPLE:
        if (st->kind != TY_TUPLE || st->nitems != p->args.n) {
            pat_mismatch(c, p, "a tuple", st);
            return;
        }
        for (int i = 0; i < p->args.n; i++) {
            ck_pattern(c, p->args.v[i], st->items[i]);
        }
        return;
    case PAT_CTOR:
        break;
    }
    hc_decl *en = NULL;
    int v = -1;
    if (p->path.n == 1 && st->kind == TY_ENUM) {
        en = st->decl;
        v = ck_find_variant(en, p->path.seg[0].name);
        if (v < 0) {
            hc_error(P->d, p->pos, "enum `%s` has no variant `%s`", en->name.name,
                     p->path.seg[0].name);
            return;
        }
    } else {
        hc_resolved r;
        if (!ck_resolve_path(c, &p->path, &r, 1)) {
            return;
        }
        if (r.kind != RS_VARIANT) {
            hc_error(P->d, p->pos, "`%s` is not an enum variant", p->path.seg[p->path.n - 1].name);
            return;
        }
        en = r.decl;
        v = r.variant;
    }
    if (st->kind != TY_ENUM || st->decl != en) {
        hc_error(P->d, p->pos, "this pattern is a `%s` but the value matched is a `%s`",
                 en->name.name, TNAME(c, st));
        return;
    }
    p->enum_decl = en;
    p->variant = v;
    hc_variant *var = &en->variants.v[v];
    if (!var->has_payload) {
        if (p->has_args) {
            hc_error(P->d, p->pos, "`%s::%s` carries no value", en->name.name, var->name.name);
        }
        return;
    }
    if (!p->has_args) {
        hc_help(hc_error(P->d, p->pos, "`%s::%s` carries %d value%s", en->name.name, var->name.name,
                         var->payload.n, var->payload.n == 1 ? "" : "s"),
                "match it with `%s::%s(_)`", en->name.name, var->name.name);
        return;
    }
    if (p->args.n != var->payload.n) {
        hc_error(P->d, p->pos, "`%s::%s` carries %d value%s, the pattern has %d", en->name.name,
                 var->name.name, var->payload.n, var->payload.n == 1 ? "" : "s", p->args.n);
        return;
    }
    for (int i = 0; i < p->args.n; i++) {
        hc_type *pt = var->payload.v[i]->resolved;
        ck_pattern(c, p->args.v[i], pt ? pt : TY(c, TY_ERROR));
    }
}

static int irrefutable(hc_pat *p) {
    if (p->kind == PAT_WILD || p->kind == PAT_BIND) {
        return 1;
    }
    if (p->kind == PAT_TUPLE) {
        for (int i = 0; i < p->args.n; i++) {
            if (!irrefutable(p->args.v[i])) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

static void check_exhaustive(hc_ctx *c, hc_expr *e, hc_type *st) {
    if (st->kind == TY_ERROR) {
        return;
    }
    int all_guarded = e->arms.n > 0;
    for (int i = 0; i < e->arms.n; i++) {
        all_guarded &= e->arms.v[i].guard != NULL;
    }
    if (all_guarded) {
        return; /* Hale: no arm applying gives the zero value (a statement: nothing) */
    }
    int cover_true = 0, cover_false = 0;
    char covered[4096] = {0};
    for (int i = 0; i < e->arms.n; i++) {
        hc_arm *a = &e->arms.v[i];
        if (a->guard) {
            continue;
        }
        if (irrefutable(a->pat)) {
            return;
        }
        if (a->pat->kind == PAT_BOOL) {
            cover_true |= a->pat->i == 1;
            cover_false |= a->pat->i == 0;
        }
        if (a->pat->kind == PAT_CTOR && a->pat->enum_decl && a->pat->variant < 4096) {
            int all = 1;
            for (int k = 0; k < a->pat->args.n; k++) {
                all &= irrefutable(a->pat->args.v[k]);
            }
            if (all) {
                covered[a->pat->variant] = 1;
            }
        }
    }
    if (st->kind == TY_BOOL) {
        if (cover_true && cover_false) {
            return;
        }
        hc_help(hc_error(c->P->d, e->pos, "this `match` does not cover `%s`",
                         cover_true ? "false" : "true"),
                "add an arm for it, or a `_ -> ...` arm");
        return;
    }
    if (st->kind == TY_ENUM) {
        hc_decl *en = st->decl;
        hc_buf b = {0};
        int missing = 0;
        for (int v = 0; v < en->variants.n && v < 4096; v++) {
            if (!covered[v]) {
                hc_buf_printf(&b, "%s`%s::%s`", missing ? ", " : "", en->name.name,
                              en->variants.v[v].name.name);
                missing++;
            }
        }
        if (missing) {
            hc_help(hc_error(c->P->d, e->pos, "this `match` does not cover %s", hc_buf_cstr(&b)),
                    "add an arm for each, or a `_ -> ...` arm");
        }
        hc_buf_free(&b);
        return;
    }
    hc_help(hc_error(c->P->d, e->pos, "this `match` on a `%s` does not cover every value",
                     TNAME(c, st)),
            "add a `_ -> ...` arm");
}

hc_type *ck_match(hc_ctx *c, hc_expr *e, hc_type *expect, int need_value) {
    hc_type *st = ck_expr(c, e->lhs, NULL);
    hc_type *result = NULL;
    int all_never = e->arms.n > 0;
    for (int i = 0; i < e->arms.n; i++) {
        hc_arm *a = &e->arms.v[i];
        hc_scope sc;
        ck_push_scope(c, &sc);
        ck_pattern(c, a->pat, st);
        if (a->guard) {
            hc_type *g = ck_expr(c, a->guard, TY(c, TY_BOOL));
            if (g->kind != TY_BOOL && g->kind != TY_ERROR) {
                hc_error(c->P->d, a->guard->pos, "a guard must be a Bool, found `%s`", TNAME(c, g));
            }
        }
        hc_type *t;
        if (a->body->kind == E_BLOCK) {
            hc_scope inner;
            ck_push_scope(c, &inner);
            t = ck_block(c, a->body->block, expect, need_value);
            ck_pop_scope(c);
            a->body->ty = t;
        } else {
            t = ck_expr(c, a->body, need_value ? expect : NULL);
            if (need_value && expect && t->kind != TY_NEVER && t->kind != TY_ERROR &&
                !(expect->kind == TY_UNIT && t->kind == TY_UNIT)) {
                if (ck_coerce(c, a->body, t, expect, "this arm")) {
                    t = expect;
                }
            }
        }
        ck_pop_scope(c);
        all_never &= t->kind == TY_NEVER;
        if (need_value) {
            result = result ? ck_unify(c, result, t, a->body->pos, "the arms of this `match`") : t;
        }
    }
    check_exhaustive(c, e, st);
    if (!need_value) {
        return all_never ? TY(c, TY_NEVER) : TY(c, TY_UNIT);
    }
    return result ? result : TY(c, TY_UNIT);
}

/* ---- statements ---- */

static void stmt_annots(hc_ctx *c, hc_stmt *s) {
    for (int i = 0; i < s->annots.n; i++) {
        hc_annot *an = &s->annots.v[i];
        if (strcmp(an->name.name, "hoist") == 0 && s->kind == S_LET) {
            continue;
        }
        hc_error(c->P->d, an->pos, "`@%s` does not apply to this statement", an->name.name);
    }
}

static int ck_let(hc_ctx *c, hc_stmt *s) {
    hc_type *want = s->type ? ck_texpr(c->P, c->seed, c->locus, s->type) : NULL;
    c->locus_ok = s->expr;
    hc_type *t = ck_expr(c, s->expr, want);
    c->locus_ok = NULL;
    int diverges = t->kind == TY_NEVER;
    if (want) {
        ck_coerce(c, s->expr, t, want, "the binding's type");
        t = want;
    } else if (t->kind == TY_UNIT) {
        hc_help(hc_error(c->P->d, s->expr->pos, "`%s` would have no value", s->name.name),
                s->expr->kind == E_IF ? "an `if` used as a value needs an `else` branch"
                                      : "this expression produces no value");
        t = TY(c, TY_ERROR);
    } else if (t->kind == TY_NEVER) {
        t = TY(c, TY_ERROR);
    }
    if (t->kind == TY_TOPIC) {
        hc_error(c->P->d, s->expr->pos, "a topic cannot be stored in a variable");
        t = TY(c, TY_ERROR);
    }
    if (s->is_mut && hc_ty_has_array(t) && s->expr->kind != E_ARRAY && s->expr->kind != E_REPEAT) {
        ck_alloc(c, s->expr); /* the binding gets its own copy of the arrays */
    }
    s->local = ck_declare(c, s->name.name, s->name.pos, t, s->is_mut);
    return diverges;
}

static int compound_ok(hc_ctx *c, hc_op op, hc_type *tt, hc_expr *value, hc_type *vt) {
    if (tt->kind == TY_ERROR || vt->kind == TY_ERROR) {
        return 1;
    }
    switch (op) {
    case OP_ADD:
        if (tt->kind == TY_STRING && vt->kind == TY_STRING) {
            return 1;
        }
        /* fallthrough */
    case OP_SUB:
        if (tt->kind == TY_DURATION && vt->kind == TY_DURATION) {
            return 1;
        }
        /* fallthrough */
    case OP_MUL:
    case OP_DIV:
        if (tt->kind == TY_DECIMAL && vt->kind == TY_DECIMAL) {
            return 1;
        }
        if (tt->kind == TY_INT && vt->kind == TY_INT) {
            return 1;
        }
        if (tt->kind == TY_FLOAT && hc_ty_is_numeric(vt)) {
            value->widen = vt->kind == TY_INT;
            return 1;
        }
        if (tt->kind == TY_DURATION && vt->kind == TY_INT && (op == OP_MUL || op == OP_DIV)) {
            return 1;
        }
        return 0;
    case OP_MOD:
        return (tt->kind == TY_INT && vt->kind == TY_INT) ||
               (tt->kind == TY_DURATION && vt->kind == TY_DURATION);
    default:
        (void)c;
        return tt->kind == TY_INT && vt->kind == TY_INT;
    }
}

static int ck_assign(hc_ctx *c, hc_stmt *s) {
    hc_program *P = c->P;
    hc_expr *t = s->target;
    hc_type *tt = ck_expr(c, t, NULL);
    hc_expr *root = t;
    int in_locus = 0; /* the place is inside a locus's state, reached through a handle */
    while (root->kind == E_FIELD || root->kind == E_INDEX) {
        if (root->kind == E_INDEX && root->lhs->ty && root->lhs->ty->kind == TY_STRING) {
            hc_error(P->d, root->pos, "a String cannot be changed in place");
            tt = TY(c, TY_ERROR);
        }
        if (root->kind == E_FIELD &&
            (root->ref == REF_DRAINING || root->ref == REF_CHILDREN_COUNT ||
             root->ref == REF_CHILDREN_EMPTY)) {
            hc_error(P->d, root->pos, "`%s` is read-only", root->field.name);
            tt = TY(c, TY_ERROR);
        }
        root = root->lhs;
        in_locus |= root->ty && (root->ty->kind == TY_LOCUS || root->ty->kind == TY_CELL);
    }
    if (tt->kind == TY_LOCUS && t->kind == E_NAME) {
        hc_help(hc_error(P->d, t->pos, "a locus binding cannot be given another locus"),
                "a locus is structure, not a value: bind a new one with `let`");
    } else if (in_locus && root->kind == E_NAME) {
        /* a field of a locus reached through a local handle: the locus's state changes */
    } else if (root->kind == E_NAME && root->ref == REF_LOCAL) {
        hc_local *l = root->local;
        if (l->is_param) {
            hc_help(hc_error(P->d, t->pos, "cannot assign to parameter `%s`", l->name),
                    "copy it into a local first: `let mut %s2 = %s;`", l->name, l->name);
        } else if (!l->is_mut) {
            hc_note(
                hc_help(hc_error(P->d, t->pos, "cannot assign to `%s`, it is not mutable", l->name),
                        "declare it with `let mut %s`", l->name),
                l->pos, "`%s` is declared here", l->name);
        }
        l->assigned = 1;
    } else if (root->kind == E_SELF) {
        if (t == root) {
            hc_error(P->d, t->pos, "cannot assign to `self`");
        }
    } else if (root->kind == E_NAME && root->ref == REF_CONST) {
        hc_error(P->d, t->pos, "cannot assign to constant `%s`", root->decl->name.name);
    } else if (tt->kind != TY_ERROR) {
        hc_error(P->d, t->pos, "this is not something that can be assigned to");
    }
    if (tt->kind == TY_LOCUS) {
        c->locus_ok = s->expr;
    }
    hc_type *vt = ck_expr(c, s->expr, tt);
    c->locus_ok = NULL;
    if ((tt->kind == TY_LOCUS || tt->kind == TY_IFACE) && t->kind == E_FIELD && t->lhs->ty &&
        t->lhs->ty->kind == TY_LOCUS &&
        ck_param_replaced(c, t->lhs->ty->decl, t->field.name, t->pos)) {
        /* reported (check_params.c) */
    } else if (tt->kind == TY_LOCUS && s->op == OP_NONE && s->expr->kind != E_STRUCT &&
               vt->kind != TY_ERROR && t->kind != E_NAME) {
        hc_help(hc_error(P->d, s->expr->pos, "a locus field takes a locus literal"),
                "assigning a locus made elsewhere would leave two owners; write `%s { ... }` here "
                "(the old one is drained and dissolved first), or take it as a child with "
                "`accept`",
                TNAME(c, tt));
    }
    if (s->op == OP_NONE) {
        ck_coerce(c, s->expr, vt, tt, "the assignment");
        if (hc_ty_has_array(tt) && s->expr->kind != E_ARRAY && s->expr->kind != E_REPEAT) {
            ck_alloc(c, s->expr);
        }
    } else if (!compound_ok(c, s->op, tt, s->expr, vt)) {
        hc_error(P->d, s->op_pos, "this compound assignment cannot combine `%s` and `%s`",
                 TNAME(c, tt), TNAME(c, vt));
    } else if (tt->kind == TY_STRING) {
        ck_alloc(c, s->expr);
    }
    ck_note_store(c, ck_place_root(t), tt);
    return vt->kind == TY_NEVER;
}

static hc_decl *bus_item_for(hc_decl *locus, hc_decl *topic, const char *subject, int publish) {
    if (!locus) {
        return NULL;
    }
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind != M_BUS) {
            continue;
        }
        for (int j = 0; j < m->bus.n; j++) {
            hc_bus_item *it = &m->bus.v[j];
            if (it->subscribe == !publish &&
                ((topic && it->topic_decl == topic) ||
                 (subject && it->subject_str && strcmp(it->subject_str, subject) == 0))) {
                return m;
            }
        }
    }
    return NULL;
}

static int ck_send(hc_ctx *c, hc_stmt *s) {
    hc_program *P = c->P;
    hc_expr *v = s->expr;
    if (v->kind == E_OR && v->or_kind != OR_VALUE && v->or_kind != OR_FAIL) {
        s->has_or = 1;
        s->or_kind = v->or_kind;
        s->or_pos = v->pos;
        v->send_or = 1;
        s->expr = v = v->lhs;
    }
    hc_type *payload = NULL;
    hc_decl *topic = NULL;
    const char *subject = NULL;
    if (s->target->kind == E_STRING) {
        subject = s->target->str;
        s->target->ty = TY(c, TY_STRING);
    } else {
        hc_type *tt = ck_expr(c, s->target, NULL);
        if (tt->kind == TY_TOPIC) {
            topic = tt->decl;
            payload = topic->payload ? topic->payload->resolved : NULL;
        } else if (tt->kind != TY_ERROR) {
            hc_help(hc_error(P->d, s->target->pos, "the left of `<-` must be a topic, found `%s`",
                             TNAME(c, tt)),
                    "declare one: `topic Name { payload: T; }`");
        }
    }
    if (!c->locus || !c->fn) {
        hc_help(hc_error(P->d, s->pos, "only a locus method can send on the bus"),
                "move the send into a locus that declares `publish` in its bus block");
    } else if ((topic || subject) && !bus_item_for(c->locus, topic, subject, 1)) {
        hc_help(hc_error(P->d, s->pos, "locus `%s` does not publish `%s`", c->locus->name.name,
                         topic ? topic->name.name : subject),
                "declare it: `bus { publish %s; }`", topic ? topic->name.name : "\"...\"");
    }
    if (subject) {
        hc_decl *m = bus_item_for(c->locus, NULL, subject, 1);
        for (int j = 0; m && j < m->bus.n; j++) {
            if (m->bus.v[j].subject_str && strcmp(m->bus.v[j].subject_str, subject) == 0) {
                payload = m->bus.v[j].payload;
            }
        }
    }
    hc_type *vt = ck_expr(c, v, payload);
    if (payload) {
        ck_coerce(c, v, vt, payload, "the topic's payload");
    }
    int fails = topic && topic->on_unmatched && strcmp(topic->on_unmatched, "fail") == 0;
    if (topic && topic->bound && !s->has_or) {
        hc_help(hc_error(P->d, s->pos,
                         "a send on bounded topic `%s` must say what happens when "
                         "it is full",
                         topic->name.name),
                "add `or raise`, `or discard` or `or wait`");
    } else if (fails && !s->has_or) {
        hc_help(hc_error(P->d, s->pos,
                         "a send on topic `%s` must say what happens when no subscriber has "
                         "its key (`on_unmatched: fail`)",
                         topic->name.name),
                "add `or raise` or `or discard`");
    }
    if (s->has_or) {
        static const char *words[] = {"", "raise", "discard", "wait", ""};
        int bounded = topic && topic->bound;
        int linked = (topic || subject) && hc_bound_to_transport(P, topic, subject);
        if (!bounded && !fails && !linked) {
            hc_help(hc_error(P->d, s->or_pos,
                             "`or %s` has nothing to answer: a send on `%s` cannot be refused "
                             "(the topic is neither bounded nor `on_unmatched: fail`)",
                             words[s->or_kind],
                             topic     ? topic->name.name
                             : subject ? subject
                                       : "this"),
                    "remove the disposition");
        } else if (s->or_kind == OR_WAIT && fails) {
            hc_help(hc_error(P->d, s->or_pos,
                             "`or wait` cannot answer an unmatched key: topic `%s` has "
                             "`on_unmatched: fail`",
                             topic->name.name),
                    "use `or raise` or `or discard`");
        }
    }
    return 0;
}

static int ck_loop_body(hc_ctx *c, hc_stmt *s, hc_local **var, hc_type *var_ty) {
    hc_loop lp = {0};
    lp.stmt = s;
    lp.up = c->loop;
    lp.depth = c->loop_depth + 1;
    c->loop = &lp;
    c->loop_depth++;
    hc_scope sc;
    ck_push_scope(c, &sc);
    if (var) {
        *var = ck_declare(c, s->name.name, s->name.pos, var_ty, 0);
    }
    ck_block(c, s->body, NULL, 0);
    ck_pop_scope(c);
    c->loop_depth--;
    c->loop = lp.up;
    s->reset_per_iter = lp.allocates && !lp.escapes;
    return lp.has_break;
}

/* `self.children` as a `for` iterable: the type its locus accepts, or NULL when `it` is not
 * `self.children`. */
static hc_type *ck_children_iter(hc_ctx *c, hc_expr *it) {
    int idx;
    hc_type *pt;
    if (!(it->kind == E_FIELD && it->lhs->kind == E_SELF && c->locus && c->fn &&
          strcmp(it->field.name, "children") == 0 &&
          !ck_locus_param(c->locus, "children", &idx, &pt))) {
        return NULL;
    }
    it->lhs->ty = c->locus->ty;
    it->ty = TY(c, TY_UNIT);
    it->ref = REF_CHILDREN_COUNT; /* the emitter walks the accepted children */
    c->locus->tracks_children = 1;
    for (int i = 0; i < c->locus->members.n; i++) {
        hc_decl *m = c->locus->members.v[i];
        if (m->kind == M_LIFECYCLE && strcmp(m->name.name, "accept") == 0 && m->ty &&
            m->ty->nitems == 1 && m->ty->items[0]->kind == TY_LOCUS) {
            return m->ty->items[0];
        }
    }
    hc_help(hc_error(c->P->d, it->pos, "`%s` accepts no children to walk", c->locus->name.name),
            "declare `accept(c: Child) { }`");
    return TY(c, TY_ERROR);
}

static int ck_for(hc_ctx *c, hc_stmt *s) {
    hc_expr *it = s->expr;
    hc_type *vt = TY(c, TY_ERROR);
    if (it->kind == E_RANGE) {
        hc_type *lo = ck_expr(c, it->lhs, TY(c, TY_INT));
        hc_type *hi = ck_expr(c, it->rhs, TY(c, TY_INT));
        int ok = ck_coerce(c, it->lhs, lo, TY(c, TY_INT), "a range bound");
        ok &= ck_coerce(c, it->rhs, hi, TY(c, TY_INT), "a range bound");
        it->ty = TY(c, TY_UNIT);
        if (ok) {
            vt = TY(c, TY_INT);
        }
    } else if ((vt = ck_children_iter(c, it)) != NULL) {
        /* `for c in self.children`: the accepted children */
    } else if (it->kind == E_FIELD && (vt = ck_form_iter(c, it)) != NULL) {
        /* `for x in v.items` over a @form(vec), `for e in m.entries` over a @form(hashmap) */
    } else {
        vt = TY(c, TY_ERROR);
        hc_type *t = ck_expr(c, it, NULL);
        if (t->kind == TY_ARRAY || t->kind == TY_BOUNDED) {
            vt = t->elem;
        } else if (t->kind == TY_STRING) {
            hc_help(hc_error(c->P->d, it->pos, "a String cannot be iterated directly"),
                    "walk its bytes: `for i in 0..len(s) { let ch = s[i..i + 1]; }`");
        } else if (t->kind != TY_ERROR) {
            hc_error(c->P->d, it->pos,
                     "`for` iterates a range, an array or a bounded list, "
                     "found `%s`",
                     TNAME(c, t));
        }
    }
    ck_loop_body(c, s, &s->local, vt);
    return 0;
}

/* restart(c), restart_in_place(c), quarantine(c) [for d], dissolve(c) take the failing child;
 * bubble(err) the failure. */
static void ck_recovery(hc_ctx *c, hc_stmt *s) {
    hc_program *P = c->P;
    hc_decl *fn = c->fn;
    const char *op = s->recovery;
    int is_bubble = strcmp(op, "bubble") == 0;
    int known = is_bubble || strcmp(op, "restart") == 0 || strcmp(op, "restart_in_place") == 0 ||
                strcmp(op, "quarantine") == 0 || strcmp(op, "dissolve") == 0;
    if (!known) {
        hc_error(P->d, s->pos, "`%s` is not supported", op);
        return;
    }
    if (fn->params.n != 2) {
        return;
    }
    hc_local *want = fn->params.v[is_bubble ? 1 : 0].local;
    hc_expr *a = s->args.n == 1 ? s->args.v[0] : NULL;
    if (!a || a->kind != E_NAME || a->ref != REF_LOCAL || a->local != want) {
        hc_help(hc_error(P->d, a ? a->pos : s->pos, "`%s` takes %s", op,
                         is_bubble ? "the failure" : "the failing child"),
                "write `%s(%s)`", op, want ? want->name : "c");
        return;
    }
    if (s->modifier && strcmp(op, "quarantine") != 0) {
        hc_error(P->d, s->pos, "only `quarantine` takes `%s`", s->modifier);
    }
    hc_type *wt = want->ty;
    if (!is_bubble && strcmp(op, "restart") != 0 && wt && wt->kind == TY_LOCUS && wt->decl &&
        wt->decl->seed == P->std && strcmp(wt->decl->name.name, "BusTransport") == 0) {
        hc_help(hc_error(P->d, s->pos, "a transport's link can only be restarted (redialled)"),
                "write `restart(%s)`, or `bubble(err)` to fail `main` instead", want->name);
        return;
    }
    if (strcmp(op, "restart_in_place") == 0 && want->ty && want->ty->kind == TY_LOCUS) {
        want->ty->decl->needs_snapshot = 1;
    }
}

static int ck_stmt(hc_ctx *c, hc_stmt *s) {
    hc_program *P = c->P;
    if (s->annots.n) {
        stmt_annots(c, s);
    }
    switch (s->kind) {
    case S_LET:
        return ck_let(c, s);
    case S_ASSIGN:
        return ck_assign(c, s);
    case S_SEND:
        return ck_send(c, s);
    case S_EXPR:
        c->locus_ok = s->expr;
        return ck_expr(c, s->expr, NULL)->kind == TY_NEVER;
    case S_IF: {
        hc_type *t = ck_if(c, s->expr, NULL, 0);
        s->expr->ty = t;
        return t->kind == TY_NEVER;
    }
    case S_WHILE: {
        hc_type *ct = ck_expr(c, s->expr, TY(c, TY_BOOL));
        if (ct->kind != TY_BOOL && ct->kind != TY_ERROR) {
            hc_error(P->d, s->expr->pos, "the condition must be a Bool, found `%s`", TNAME(c, ct));
        }
        int has_break = ck_loop_body(c, s, NULL, NULL);
        return s->expr->kind == E_BOOL && s->expr->i && !has_break;
    }
    case S_FOR:
        return ck_for(c, s);
    case S_RETURN:
        if (c->lifecycle) {
            hc_help(hc_error(P->d, s->pos, "`return` is not allowed in `%s()`", c->lifecycle),
                    "the runtime drives lifecycle methods; move the early exit into a helper "
                    "function the body calls");
            if (s->expr) {
                ck_expr(c, s->expr, NULL);
            }
            return 1;
        }
        if (s->expr) {
            hc_type *t = ck_expr(c, s->expr, c->ret);
            if (c->fn && c->fn == P->main_fn && c->ret && c->ret->kind == TY_UNIT &&
                t->kind == TY_INT) {
                /* `return n;` from main: the process's exit status */
            } else if (c->ret && c->ret->kind == TY_UNIT && t->kind != TY_UNIT &&
                       t->kind != TY_ERROR && t->kind != TY_NEVER) {
                hc_help(hc_error(P->d, s->expr->pos, "`%s` returns no value",
                                 c->fn ? c->fn->name.name : "this function"),
                        "declare the result type: `-> %s`", TNAME(c, t));
            } else if (c->ret) {
                ck_coerce(c, s->expr, t, c->ret, "the return value");
            }
        } else if (c->ret && c->ret->kind != TY_UNIT && c->ret->kind != TY_ERROR) {
            hc_error(P->d, s->pos, "`return` needs a value of type `%s`", TNAME(c, c->ret));
        }
        return 1;
    case S_BREAK:
    case S_CONTINUE:
        if (!c->loop) {
            hc_error(P->d, s->pos, "`%s` outside of a loop",
                     s->kind == S_BREAK ? "break" : "continue");
        } else if (s->kind == S_BREAK) {
            c->loop->has_break = 1;
        }
        return 1;
    case S_YIELD:
        return 0;
    case S_TERMINATE:
        if (!c->locus || !c->fn) {
            hc_help(hc_error(P->d, s->pos, "`terminate` is only valid inside a locus method"),
                    "use `return` to leave a function");
        }
        return 1;
    case S_RECOVERY:
        if (!c->in_failure) {
            hc_help(hc_error(P->d, s->pos, "`%s` is only valid inside `on_failure`", s->recovery),
                    "recovery primitives answer a child's failure in its parent's on_failure");
        }
        for (int i = 0; i < s->args.n; i++) {
            ck_expr(c, s->args.v[i], NULL);
        }
        if (c->in_failure) {
            ck_recovery(c, s);
        }
        if (s->modifier_expr) {
            hc_type *mt = ck_expr(c, s->modifier_expr, NULL);
            if (strcmp(s->modifier, "for") == 0 && mt->kind != TY_DURATION &&
                mt->kind != TY_ERROR) {
                hc_error(P->d, s->modifier_expr->pos, "`for` takes a Duration, found `%s`",
                         TNAME(c, mt));
            }
        }
        return strcmp(s->recovery, "bubble") == 0; /* bubble passes the failure on: divergent */
    case S_VIOLATE: {
        hc_decl *cl = NULL;
        if (!c->locus || !c->fn) {
            hc_error(P->d, s->pos, "`violate` is only valid inside a locus method");
        } else {
            for (int i = 0; i < c->locus->members.n; i++) {
                hc_decl *m = c->locus->members.v[i];
                if (m->kind == M_CLOSURE && strcmp(m->name.name, s->name.name) == 0) {
                    cl = m;
                }
            }
            if (!cl) {
                hc_help(hc_error(P->d, s->name.pos, "locus `%s` has no closure `%s`",
                                 c->locus->name.name, s->name.name),
                        "declare it: `closure %s { epoch inline; }`", s->name.name);
            }
        }
        if (s->expr) {
            ck_expr(c, s->expr, NULL);
        }
        return 1;
    }
    case S_FAIL: {
        if (!c->err) {
            hc_help(hc_error(P->d, s->pos, "`fail` is only allowed in a fallible function"),
                    "declare it `-> T fallible(E)`");
            ck_expr(c, s->expr, NULL);
            return 1;
        }
        hc_type *t = ck_expr(c, s->expr, c->err);
        ck_coerce(c, s->expr, t, c->err, "the error payload");
        return 1;
    }
    case S_BLOCK: {
        hc_scope sc;
        ck_push_scope(c, &sc);
        hc_type *t = ck_block(c, s->body, NULL, 0);
        ck_pop_scope(c);
        return t->kind == TY_NEVER;
    }
    case S_REPERSPECTIVE:
        return ck_reperspective(c, s);
    }
    return 0;
}

/* ---- function bodies ---- */

void ck_function(hc_program *P, hc_decl *fn) {
    if (!fn->body || !fn->ty || fn->checked) {
        return;
    }
    fn->checked = 1;
    int mark = hc_diag_total(P->d);
    hc_ctx c;
    ck_init_ctx(&c, P, fn->seed, fn->locus);
    c.fn = fn;
    c.ret = fn->ret_ty;
    c.err = fn->err_ty;
    if (fn->kind == M_LIFECYCLE) {
        c.lifecycle = fn->name.name;
    }
    c.in_failure = fn->kind == M_FAILURE;
    hc_scope sc;
    ck_push_scope(&c, &sc);
    for (int i = 0; i < fn->params.n; i++) {
        hc_param *prm = &fn->params.v[i];
        hc_local *l = ck_declare(&c, prm->name.name, prm->name.pos, fn->ty->items[i], 0);
        l->is_param = 1;
        prm->local = l;
    }
    int need = fn->ret_ty->kind != TY_UNIT;
    hc_type *t = ck_block(&c, fn->body, need ? fn->ret_ty : NULL, need);
    ck_pop_scope(&c);
    if (need &&
        (t->kind == TY_UNIT || (!fn->body->tail && t->kind != TY_NEVER && t->kind != TY_ERROR)) &&
        fn->ret_ty->kind != TY_ERROR) {
        hc_help(hc_error(P->d, fn->body->end, "`%s` must return a value of type `%s` on every path",
                         fn->name.name, hc_type_name(P->a, fn->ret_ty)),
                "end it with `return <value>;` or a final expression without `;`");
    }
    ck_instance_notes(P, fn, mark);
    fn->allocates = c.allocates;
    fn->nlocals = c.nlocals;
    fn->checked = 2;
    HC_PUSH(P->a, P->fns, fn);
}
