/* See emit.h. This file: the memory posture's lowerings (escape.h decides, this writes them).
 *
 *   - fields that may keep a child's value under a guard get a `hale_guard` in the state
 *     (runtime/guard.h), every read of them checks it, an `or` on such a read takes its fallback
 *     when the check fails, and every store goes through the guard (keep, replace, own);
 *   - a send with a plan publishes by reference (HALE_BUS_BORROW) with the value's origin
 *     current, and, when its value was hoisted, gives it back to the ancestor's heap unless a
 *     keep took it;
 *   - allocations placed out of scratch are made in the sender's region or the ancestor's heap;
 *   - bus handlers that keep their payload take the origin as one more parameter. */
#include <string.h>

#include "escape.h"
#include "emit_impl.h"

void em_guard_fields(hc_emit *E, hc_decl *d) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
            if (m->lparams.v[k].guarded) {
                hc_buf_printf(&E->types, "    hale_guard hg_%s;\n", m->lparams.v[k].name.name);
            }
        }
    }
}

/* The locus type holding the field `e` reads (self's or a locus-typed value's), or NULL. */
static hc_decl *field_owner(hc_emit *E, hc_expr *e) {
    if (e->kind != E_FIELD || !e->lhs) {
        return NULL;
    }
    if (e->lhs->kind == E_SELF) {
        return E->fn ? E->fn->locus : NULL;
    }
    return e->lhs->ty && e->lhs->ty->kind == TY_LOCUS ? e->lhs->ty->decl : NULL;
}

int em_guarded_field(hc_emit *E, hc_expr *e) {
    if (e->kind != E_FIELD || e->ref == REF_DRAINING || e->ref == REF_CHILDREN_COUNT ||
        e->ref == REF_CHILDREN_EMPTY) {
        return 0;
    }
    hc_decl *owner = field_owner(E, e);
    hc_locus_param *p = owner ? hc_escape_param(owner, e->field.name) : NULL;
    return p && p->guarded;
}

/* How a read names the field in messages: `self.last`, `agg.last`. */
static const char *what(hc_emit *E, hc_expr *e) {
    hc_expr *l = e->lhs;
    const char *base = l->kind == E_SELF                     ? "self"
                       : l->kind == E_NAME && l->path.n == 1 ? l->path.seg[0].name
                       : l->kind == E_FIELD                  ? l->field.name
                                                             : "it";
    return hc_sprintf(E->a, "%s.%s", base, e->field.name);
}

void em_guarded_read(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_decl *owner = field_owner(E, e);
    hc_buf_printf(b, "(*({ %s *hgl = (", em_locus_struct(E, owner->ty));
    em_expr(E, b, e->lhs);
    hc_buf_printf(b, "); hale_guard_check(&hgl->hg_%s, ", e->field.name);
    em_c_string(b, what(E, e), (int64_t)strlen(what(E, e)));
    hc_buf_printf(b, ", %s); &hgl->%s; }))", em_loc_text(E, e->pos), em_field(E, e->field.name));
}

void em_guard_or(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_expr *f = e->lhs;
    if (!em_guarded_field(E, f)) {
        em_expr(E, b, f); /* it cannot fail under this posture: the fallback never runs */
        return;
    }
    hc_decl *owner = field_owner(E, f);
    const char *ct = em_ctype(E, f->ty);
    hc_buf_printf(b, "({ %s *hgl = (", em_locus_struct(E, owner->ty));
    em_expr(E, b, f->lhs);
    hc_buf_printf(b, "); %s hgv; if (hale_guard_live(&hgl->hg_%s)) hgv = hgl->%s; else { ", ct,
                  f->field.name, em_field(E, f->field.name));
    hc_buf_puts(b, "hale_guard_fallback(); hgv = ");
    em_value(E, b, e->rhs, f->ty);
    hc_buf_puts(b, "; } hgv; })");
}

/* ---- stores ---- */

/* The guarded field a store's place passes through (not the place itself), or NULL. */
static hc_expr *guarded_part_of(hc_emit *E, hc_expr *target) {
    for (hc_expr *t = target->lhs; t && (t->kind == E_FIELD || t->kind == E_INDEX); t = t->lhs) {
        if (t->kind == E_FIELD && em_guarded_field(E, t)) {
            return t;
        }
    }
    return NULL;
}

void em_guard_own_before(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_expr *f = guarded_part_of(E, s->target);
    if (!f) {
        return;
    }
    hc_decl *owner = field_owner(E, f);
    hc_buf_printf(b, "{ %s *hgl = (", em_locus_struct(E, owner->ty));
    em_expr(E, b, f->lhs);
    hc_buf_printf(b, "); hale_guard_own(%s, &hgl->%s, &hgl->hg_%s, hale_locus_heap(&hgl->h), ",
                  em_descriptor(E, f->ty), em_field(E, f->field.name), f->field.name);
    em_c_string(b, what(E, f), (int64_t)strlen(what(E, f)));
    hc_buf_printf(b, ", %s); } ", em_loc_text(E, f->pos));
}

/* The child locus a contract read `c.g[.h...]` starts from. */
static hc_expr *contract_child(hc_expr *v) {
    while (v && v->kind == E_FIELD) {
        if (v->lhs->ty && v->lhs->ty->kind == TY_LOCUS && v->lhs->kind != E_SELF) {
            return v->lhs;
        }
        v = v->lhs;
    }
    return NULL;
}

int em_escape_store(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_expr *t = s->target;
    int guarded = em_guarded_field(E, t);
    if (!guarded && s->keep != 3) {
        return 0;
    }
    if (s->op != OP_NONE && !guarded) {
        return 0;
    }
    hc_decl *owner = field_owner(E, t);
    const char *ct = em_ctype(E, t->ty), *d = em_descriptor(E, t->ty);
    const char *fld = em_field(E, t->field.name);
    hc_buf_printf(b, "{ %s *hgl = (", em_locus_struct(E, owner->ty));
    em_expr(E, b, t->lhs);
    hc_buf_printf(b, "); %s hnv = ", ct);
    if (s->op == OP_ADD && t->ty->kind == TY_STRING) {
        /* `self.f += s`: the old value is read through the guard */
        hc_buf_printf(b, "hale_str_concat(hm, (hale_guard_check(&hgl->hg_%s, ", t->field.name);
        em_c_string(b, what(E, t), (int64_t)strlen(what(E, t)));
        hc_buf_printf(b, ", %s), hgl->%s), ", em_loc_text(E, t->pos), fld);
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ")");
    } else {
        em_value(E, b, s->expr, t->ty);
    }
    hc_buf_puts(b, "; ");
    if (!guarded) {
        hc_buf_printf(b, "hale_escape_replace(%s, &hgl->%s, &hnv, hale_locus_heap(&hgl->h)); }", d,
                      fld);
    } else if (s->keep == 1 && E->fn && E->fn->takes_origin) {
        hc_buf_printf(b, "hale_guard_keep(%s, &hgl->%s, &hgl->hg_%s, &hnv, hgo, &hgl->h); }", d,
                      fld, t->field.name);
    } else if (s->keep == 2) {
        hc_expr *child = contract_child(s->expr);
        hc_buf_printf(b, "hale_guard_keep_contract(%s, &hgl->%s, &hgl->hg_%s, &hnv, ", d, fld,
                      t->field.name);
        if (child) {
            hc_buf_puts(b, "&(");
            em_expr(E, b, child);
            hc_buf_puts(b, ")->h");
        } else {
            hc_buf_puts(b, "NULL");
        }
        hc_buf_puts(b, ", &hgl->h); }");
    } else {
        hc_buf_printf(b,
                      "hale_guard_replace(%s, &hgl->%s, &hgl->hg_%s, &hnv, "
                      "hale_locus_heap(&hgl->h)); }",
                      d, fld, t->field.name);
    }
    return 1;
}

/* ---- sends ---- */

/* The C name of the variables of plan `p`. */
static const char *origin_name(hc_emit *E, hc_send_plan *p) {
    return hc_sprintf(E->a, "hgo%d", p->id);
}

const char *em_send_origin(hc_emit *E, hc_stmt *s) {
    return s->send_plan && s->send_plan->origin
               ? hc_sprintf(E->a, "&%s", origin_name(E, s->send_plan))
               : "NULL";
}

/* A borrowed record's parts must stay where they are until the sending function returns (the
 * bus delivers at that settle point): scratch does not when a loop around the send resets it
 * every iteration, so such a send copies unless its value went to the ancestor's heap. */
const char *em_send_flags(hc_emit *E, hc_stmt *s) {
    hc_send_plan *p = s->send_plan;
    if (!p || !p->borrow) {
        return "0";
    }
    if (!p->scratch_reset || p->place == 1) {
        return "HALE_BUS_BORROW";
    }
    if (p->place == 2 && p->hoist_to) {
        return hc_sprintf(E->a, "(hho%d ? HALE_BUS_BORROW : 0)", p->id);
    }
    return "0";
}

void em_send_open(hc_emit *E, hc_buf *b, hc_stmt *s, const char *v) {
    hc_send_plan *p = s->send_plan;
    if (!p || !p->origin) {
        return;
    }
    const char *o = origin_name(E, p);
    const char *from = E->fn && E->fn->locus ? E->fn->locus->name.name : "";
    hc_buf_printf(b, " hale_origin %s = {.value = &%s, .sender = &%s->h, .from = \"%s\"};", o, v,
                  E->self_text, from);
    if (p->place == 1) {
        hc_buf_printf(b,
                      " %s.region = hale_locus_region(&%s->h); %s.gen = "
                      "hale_region_generation(%s.region);",
                      o, E->self_text, o, o);
    } else if (p->place == 2) {
        hc_buf_printf(b, " %s.owner = hho%d;", o, p->id);
    }
    hc_buf_printf(b, " hale_origin *hgp%d = hale_origin_enter(&%s);", p->id, o);
}

void em_send_close(hc_emit *E, hc_buf *b, hc_stmt *s, const char *v, hc_type *payload) {
    hc_send_plan *p = s->send_plan;
    if (!p || !p->origin) {
        return;
    }
    hc_buf_printf(b, " hale_origin_leave(hgp%d);", p->id);
    if (p->place == 2) {
        hc_buf_printf(b, " hale_hoist_settle(%s, &%s, &%s);", em_descriptor(E, payload), v,
                      origin_name(E, p));
    }
}

/* ---- placed allocations ---- */

const char *em_array_alloc(hc_emit *E, hc_expr *e, const char *n, const char *et) {
    if (e->place == 1 && E->self_text) {
        return hc_sprintf(E->a,
                          "hale_array_new(hale_locus_region(&%s->h), %s, sizeof(%s), "
                          "_Alignof(%s))",
                          E->self_text, n, et, et);
    }
    if (e->place == 2 && e->plan) {
        return hc_sprintf(E->a,
                          "(hho%d ? hale_array_new_heap(hale_locus_heap(hho%d), %s, sizeof(%s), "
                          "_Alignof(%s)) : hale_array_new(hm, %s, sizeof(%s), _Alignof(%s)))",
                          e->plan->id, e->plan->id, n, et, et, n, et, et);
    }
    return hc_sprintf(E->a, "hale_array_new(hm, %s, sizeof(%s), _Alignof(%s))", n, et, et);
}

/* Each hoisted send of the function names its ancestor once, at entry. */
typedef struct {
    hc_emit *E;
    hc_buf *b;
} owners;

static int owner_at(hc_walker *w, hc_stmt *s) {
    owners *o = w->ctx;
    hc_send_plan *p = s->kind == S_SEND ? s->send_plan : NULL;
    if (p && p->place == 2 && p->hoist_to) {
        hc_buf_printf(o->b, "\n    hale_locus *hho%d = hale_hoist_owner(&%s->h, &hlt_%d);", p->id,
                      o->E->self_text, p->hoist_to->ty->id);
    }
    return HC_WALK_ON;
}

void em_hoist_owners(hc_emit *E, hc_buf *b, hc_decl *fn) {
    if (!fn->locus || !fn->body) {
        return;
    }
    owners o = {E, b};
    hc_walker w = {NULL, owner_at, &o};
    hc_walk_block(&w, fn->body);
}
