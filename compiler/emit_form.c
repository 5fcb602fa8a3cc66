/* See emit.h. This file: a locus's `@form` and capacity slots. The form's container lives inline
 * in the locus state (`hf`), each capacity slot is a pointer to its runtime slot (`hs_<name>`),
 * both made when the locus is (its init helper); their methods are calls into
 * runtime/form_*.h and slot_*.h, with the fallible ones filling Hale's IndexError, KeyError or
 * EmptyError. Reads hand back deep copies in the caller's scratch, so a later change to the
 * container never touches a value the program holds. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

static const char *container(hc_form_kind k) {
    switch (k) {
    case FORM_VEC:
        return "hale_vec";
    case FORM_HASHMAP:
        return "hale_hashmap";
    case FORM_RING:
        return "hale_ring";
    default:
        return "hale_lru";
    }
}

/* ---- state and init ---- */

void em_form_fields(hc_emit *E, hc_decl *d) {
    if (d->form) {
        hc_buf_printf(&E->types, "    %s hf;\n", container(d->form->kind));
    }
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int k = 0; m->kind == M_CAPACITY && k < m->slots.n; k++) {
            hc_slot *s = &m->slots.v[k];
            if (!d->form || d->form->slot != s) {
                hc_buf_printf(&E->types, "    hale_%s_slot *hs_%s;\n",
                              strcmp(s->kind, "heap") == 0 ? "heap" : "pool", s->name.name);
            }
        }
    }
}

int em_form_init(hc_emit *E, hc_decl *d, hc_buf *b) {
    int any = 0;
    hc_form *F = d->form;
    if (F) {
        const char *ed = em_descriptor(E, F->elem);
        const char *region = "hale_locus_region(&self->h)";
        switch (F->kind) {
        case FORM_VEC:
            hc_buf_printf(b, "    hale_vec_init(&self->hf, %s, %s);\n", region, ed);
            break;
        case FORM_RING:
            hc_buf_printf(b, "    hale_ring_init(&self->hf, %s, %s, %lld);\n", region, ed,
                          (long long)F->cap);
            break;
        case FORM_HASHMAP:
            hc_buf_printf(b, "    hale_hashmap_init(&self->hf, %s, %s, %s, offsetof(%s, %s));\n",
                          region, ed, em_descriptor(E, F->key), em_ctype(E, F->elem),
                          em_field(E, F->key_field));
            if (F->shared) {
                hc_buf_printf(b, "    hale_hashmap_share(&self->hf, %s);\n", region);
            }
            break;
        case FORM_LRU:
            hc_buf_printf(b, "    hale_lru_init(&self->hf, %s, %s, %s, offsetof(%s, %s), %lld);\n",
                          region, ed, em_descriptor(E, F->key), em_ctype(E, F->elem),
                          em_field(E, F->key_field), (long long)F->cap);
            break;
        }
        any = 1;
    }
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int k = 0; m->kind == M_CAPACITY && k < m->slots.n; k++) {
            hc_slot *s = &m->slots.v[k];
            if (F && F->slot == s) {
                continue;
            }
            hc_type *t = s->type->resolved;
            int heap = strcmp(s->kind, "heap") == 0;
            /* `slot as_parent_for D` in a parent type: an instance of D under such a parent
             * takes the parent's slot (the parent's region keeps it) instead of its own */
            for (int l = 0; l < E->P->loci.n; l++) {
                hc_decl *pd = E->P->loci.v[l];
                hc_slot *ps = ck_slot_named(pd, s->name.name);
                if (ps && ps->as_parent_for.name && pd != d &&
                    strcmp(ps->as_parent_for.name, d->name.name) == 0 &&
                    hc_seed_lookup(E->P, pd->seed, ps->as_parent_for.name) == d) {
                    hc_buf_printf(b,
                                  "    if (self->h.parent && self->h.parent->type == &hlt_%d) "
                                  "self->hs_%s = ((%s *)self->h.parent)->hs_%s; else\n",
                                  pd->ty->id, s->name.name, em_locus_struct(E, pd->ty),
                                  s->name.name);
                }
            }
            hc_buf_printf(b, "    self->hs_%s = hale_%s_slot_new(hale_locus_region(&self->h), ",
                          s->name.name, heap ? "heap" : "pool");
            em_c_string(b, s->name.name, (int64_t)strlen(s->name.name));
            hc_buf_printf(b, ", %s%s);\n", t ? em_descriptor(E, t) : "&hale_type_int",
                          heap ? "" : ", 0");
            any = 1;
        }
    }
    return any;
}

/* ---- sort_by comparators ---- */

/* A trampoline from the runtime's `less(a, b, ctx)` to the Hale comparator in `ctx`. */
static const char *comparator(hc_emit *E, hc_type *elem, hc_type *fnty) {
    const char *name = hc_sprintf(E->a, "hless_%d", fnty->id);
    if (fnty->emitted) {
        return name; /* `emitted` marks a function type whose trampoline exists */
    }
    fnty->emitted = 1;
    const char *et = em_ctype(E, elem);
    const char *ft = em_ctype(E, fnty);
    hc_buf_printf(&E->types, "typedef struct { %s fn; hale_region *ho, *hm; } hlessctx_%d;\n", ft,
                  fnty->id);
    hc_buf_printf(&E->protos, "static bool %s(const void *a, const void *b, void *ctx);\n", name);
    hc_buf_printf(&E->helpers,
                  "static bool %s(const void *a, const void *b, void *ctx) {\n"
                  "    hlessctx_%d *c = ctx;\n"
                  "    return c->fn(c->hm, c->ho, *(const %s *)a, *(const %s *)b);\n}\n\n",
                  name, fnty->id, et, et);
    return name;
}

/* ---- calls ---- */

static void index_error(hc_buf *b, hc_emit *E, const char *err, const char *kind, const char *index,
                        const char *len) {
    if (!err) {
        return;
    }
    hc_buf_printf(
        b, "if (!hok) { (%s)->%s = HALE_STR_LIT(\"%s\"); (%s)->%s = %s; (%s)->%s = %s; } ", err,
        em_field(E, "kind"), kind, err, em_field(E, "index"), index, err, em_field(E, "len"), len);
}

static void kind_error(hc_buf *b, hc_emit *E, const char *err, const char *kind) {
    if (err) {
        hc_buf_printf(b, "if (!hok) { (%s)->%s = HALE_STR_LIT(\"%s\"); } ", err,
                      em_field(E, "kind"), kind);
    }
}

void em_form_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv, const char *res,
                  const char *err) {
    hc_expr *f = call->lhs;
    hc_type *lt = f->lhs->ty;
    hc_form *F = lt->decl->form;
    const char *prefix = container(F->kind);
    const char *et = em_ctype(E, F->elem);
    const char *kt = F->key ? em_ctype(E, F->key) : "int64_t";
    const char *a0 = call->args.n > 0 ? em_value_text(E, call->args.v[0], NULL) : NULL;
    const char *out = res ? res : "NULL";
    hc_buf_printf(b, "({ %s *hc = &(%s)->hf; ", prefix, recv);
    switch ((hc_form_method)f->variant) {
    case FM_PUSH:
        hc_buf_printf(b, "%s hx = %s; ", et, a0);
        if (F->kind == FORM_RING) {
            hc_buf_puts(b, "hale_ring_push(hc, &hx); })");
        } else if (!F->elem->heap && em_vec_cursor(E, f->lhs)) {
            hc_buf_printf(b, "hale_vec_cursor_push(hc, &%s, &hx, sizeof hx); })",
                          em_vec_cursor(E, f->lhs));
        } else if (!F->elem->heap) {
            hc_buf_printf(b, "hale_vec_push_flat(hc, &hx, sizeof hx); })");
        } else {
            hc_buf_puts(b, "hale_vec_push(hc, &hx); })");
        }
        return;
    case FM_GET:
        if (F->kind == FORM_VEC) {
            hc_buf_printf(b, "int64_t hi = %s; bool hok = hale_vec_get(hc, hi, %s, hm); ", a0, out);
            index_error(b, E, err, "out_of_bounds", "hi", "hale_vec_len(hc)");
        } else {
            hc_buf_printf(b, "%s hk = %s; bool hok = %s_get(hc, &hk, %s, hm); ", kt, a0, prefix,
                          out);
            kind_error(b, E, err, "missing_key");
        }
        hc_buf_puts(b, "hok; })");
        return;
    case FM_SET:
        if (F->kind == FORM_VEC) {
            hc_buf_printf(b, "int64_t hi = %s; %s hx = %s; bool hok = hale_vec_set(hc, hi, &hx); ",
                          a0, et, em_value_text(E, call->args.v[1], F->elem));
            index_error(b, E, err, "out_of_bounds", "hi", "hale_vec_len(hc)");
            hc_buf_puts(b, "hok; })");
        } else {
            hc_buf_printf(b, "%s hx = %s; hale_hashmap_set(hc, &hx); })", et, a0);
        }
        return;
    case FM_POP:
        hc_buf_printf(b, "bool hok = %s_pop(hc, %s, hm); ", prefix, out);
        if (F->kind == FORM_VEC) {
            index_error(b, E, err, "empty", "INT64_C(0)", "INT64_C(0)");
        } else {
            kind_error(b, E, err, "empty");
        }
        hc_buf_puts(b, "hok; })");
        return;
    case FM_LEN:
        hc_buf_printf(b, "%s_len(hc); })", prefix);
        return;
    case FM_IS_EMPTY:
        hc_buf_printf(b, "%s_is_empty(hc); })", prefix);
        return;
    case FM_IS_FULL:
        hc_buf_puts(b, "hale_ring_is_full(hc); })");
        return;
    case FM_SORT:
        hc_buf_puts(b, "hale_vec_sort(hc); })");
        return;
    case FM_SORT_BY:
    case FM_SORT_DESC_BY: {
        hc_type *fnty = call->args.v[0]->ty;
        const char *cmp = comparator(E, F->elem, fnty);
        hc_buf_printf(b, "hlessctx_%d hctx = {%s, ho, hm}; hale_vec_sort%s_by(hc, %s, &hctx); })",
                      fnty->id, a0, f->variant == FM_SORT_DESC_BY ? "_desc" : "", cmp);
        return;
    }
    case FM_HAS:
        hc_buf_printf(b, "%s hk = %s; hale_hashmap_has(hc, &hk); })", kt, a0);
        return;
    case FM_CONTAINS:
        hc_buf_printf(b, "%s hk = %s; hale_lru_contains(hc, &hk); })", kt, a0);
        return;
    case FM_REMOVE:
        hc_buf_printf(b, "%s hk = %s; bool hok = hale_hashmap_remove(hc, &hk); ", kt, a0);
        kind_error(b, E, err, "missing_key");
        hc_buf_puts(b, "hok; })");
        return;
    case FM_KEY_AT:
    case FM_ENTRY_AT:
        hc_buf_printf(b, "int64_t hi = %s; bool hok = hale_hashmap_%s_at(hc, hi, %s, hm); ", a0,
                      f->variant == FM_KEY_AT ? "key" : "entry", out);
        index_error(b, E, err, "out_of_bounds", "hi", "hale_hashmap_len(hc)");
        hc_buf_puts(b, "hok; })");
        return;
    case FM_BUMP:
        hc_buf_printf(b, "%s hk = %s; hale_hashmap_bump(hc, &hk, offsetof(%s, %s)); })", kt, a0, et,
                      F->counter_field ? em_field(E, F->counter_field) : "h_empty");
        return;
    case FM_PUT:
        hc_buf_printf(b, "%s hx = %s; hale_lru_put(hc, &hx); })", et, a0);
        return;
    }
    hc_buf_puts(b, "0; })");
}

void em_slot_call(hc_emit *E, hc_buf *b, hc_expr *call) {
    hc_expr *f = call->lhs;
    const char *slot = hc_sprintf(E->a, "(%s)->hs_%s", E->self_text, f->lhs->field.name);
    switch ((hc_slot_op)f->variant) {
    case SLOT_ALLOC:
        hc_buf_printf(b, "((%s)hale_heap_slot_alloc(%s))", em_ctype(E, call->ty), slot);
        return;
    case SLOT_ACQUIRE:
        hc_buf_printf(b, "((%s)hale_pool_slot_acquire(%s))", em_ctype(E, call->ty), slot);
        return;
    case SLOT_FREE:
    case SLOT_RELEASE: {
        int heap = f->variant == SLOT_FREE;
        hc_buf_printf(b,
                      "({ if (hale_%s_slot_%s(%s, %s) != 0) hale_fault(%s, \"%s a cell that "
                      "slot `%s` does not hold (%s already?)\"); })",
                      heap ? "heap" : "pool", heap ? "free" : "release", slot,
                      em_text(E, call->args.v[0]), em_loc_text(E, call->pos),
                      heap ? "freeing" : "releasing", f->lhs->field.name,
                      heap ? "freed" : "released");
        return;
    }
    }
}
