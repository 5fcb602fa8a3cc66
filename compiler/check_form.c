/* See check.h. This file: `@form(vec | hashmap | ring_buffer | lru_cache)` on a locus (the
 * capacity shape each form needs and the methods it synthesizes) and the capacity slots of other
 * loci (`self.x.alloc()`, `free(c)`, `acquire()`, `release(c)` with `Cell<T>` handles). The
 * shapes follow spec/forms.md in hale-lang/hale: vec needs one `heap` slot; hashmap, ring_buffer
 * and lru_cache one `pool` slot, with `indexed_by` for the keyed two and `cap = N` for the bounded
 * two. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

static const char *form_names[] = {NULL, "vec", "hashmap", "ring_buffer", "lru_cache"};

hc_slot *ck_slot_named(hc_decl *locus, const char *name) {
    for (int i = 0; locus && i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_CAPACITY && k < m->slots.n; k++) {
            if (strcmp(m->slots.v[k].name.name, name) == 0) {
                return &m->slots.v[k];
            }
        }
    }
    return NULL;
}

hc_type *ck_slot_type(hc_program *P, hc_decl *locus, hc_slot *s) {
    return s->type->resolved ? s->type->resolved : ck_texpr(P, locus->seed, locus, s->type);
}

static hc_annot *form_annot(hc_decl *locus) {
    for (int i = 0; i < locus->annots.n; i++) {
        if (strcmp(locus->annots.v[i].name.name, "form") == 0) {
            return &locus->annots.v[i];
        }
    }
    return NULL;
}

static int form_kind(hc_annot *an) {
    if (!an->args.n || an->args.v[0].key || an->args.v[0].value->kind != E_NAME) {
        return 0;
    }
    const char *n = an->args.v[0].value->path.seg[0].name;
    for (int k = FORM_VEC; k <= FORM_LRU; k++) {
        if (strcmp(n, form_names[k]) == 0) {
            return k;
        }
    }
    return 0;
}

static hc_type *field_ty(hc_program *P, hc_type *rec, int i) {
    hc_param *f = &rec->decl->fields.v[i];
    return f->type ? ck_texpr(P, rec->decl->seed, rec->decl->locus, f->type) : NULL;
}

/* The cell record's Int field that is not the key, when it is the only other field. */
static const char *counter_field(hc_program *P, hc_type *elem, const char *key) {
    if (elem->kind != TY_RECORD || elem->decl->fields.n != 2) {
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        hc_param *f = &elem->decl->fields.v[i];
        hc_type *ft = field_ty(P, elem, i);
        if (strcmp(f->name.name, key) != 0 && ft && ft->kind == TY_INT) {
            return f->name.name;
        }
    }
    return NULL;
}

void ck_form_decl(hc_program *P, hc_decl *locus) {
    hc_annot *an = form_annot(locus);
    if (!an) {
        return;
    }
    int kind = form_kind(an);
    if (!kind) {
        return; /* reported with the locus's annotations */
    }
    const char *fname = form_names[kind];
    int64_t cap = -1;
    int shared = 0;
    for (int i = 1; i < an->args.n; i++) {
        hc_annot_arg *a = &an->args.v[i];
        if (a->key && strcmp(a->key, "sync") == 0 && kind == FORM_HASHMAP) {
            const char *mode =
                a->value->kind == E_NAME && a->value->path.n == 1 ? a->value->path.seg[0].name : "";
            if (strcmp(mode, "lockfree") == 0 || strcmp(mode, "serialized") == 0) {
                shared = 1;
            } else {
                hc_help(hc_error(P->d, a->value->pos, "`sync` is `serialized` or `lockfree`"),
                        "a shared map takes a lock around each call either way");
            }
        } else if (a->key && strcmp(a->key, "cap") == 0 && kind == FORM_HASHMAP) {
            if (a->value->kind != E_INT || a->value->i < 1 || a->value->i > (1 << 30)) {
                hc_error(P->d, a->value->pos, "`cap` is a positive integer literal");
            } else {
                cap = a->value->i; /* a size hint: the table grows as it needs */
            }
        } else if (a->key && strcmp(a->key, "cap") == 0 &&
                   (kind == FORM_RING || kind == FORM_LRU)) {
            if (a->value->kind != E_INT || a->value->i < 1 || a->value->i > (1 << 30)) {
                hc_error(P->d, a->value->pos, "`cap` is a positive integer literal");
            } else {
                cap = a->value->i;
            }
        } else {
            hc_error(P->d, a->key ? a->key_pos : a->value->pos, "`@form(%s)` takes no `%s`", fname,
                     a->key ? a->key : "positional argument");
        }
    }
    if ((kind == FORM_RING || kind == FORM_LRU) && cap < 0) {
        hc_help(hc_error(P->d, an->pos, "`@form(%s)` needs its capacity", fname),
                "write `@form(%s, cap = N)`", fname);
    }
    hc_slot *slot = NULL;
    int nslots = 0;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_CAPACITY && k < m->slots.n; k++) {
            slot = &m->slots.v[k];
            nslots++;
        }
    }
    const char *want = kind == FORM_VEC ? "heap" : "pool";
    if (nslots != 1 || strcmp(slot->kind, want) != 0) {
        hc_help(hc_error(P->d, an->pos, "`@form(%s)` lays out exactly one `%s` slot", fname, want),
                "declare `capacity { %s items of T%s; }`", want,
                kind == FORM_HASHMAP || kind == FORM_LRU ? " indexed_by key" : "");
        return;
    }
    hc_type *elem = ck_slot_type(P, locus, slot);
    if (elem->kind == TY_LOCUS) {
        hc_error(P->d, slot->type->pos, "a form holds values, not loci");
        return;
    }
    hc_form *F = HC_NEW(P->a, hc_form);
    F->kind = (hc_form_kind)kind;
    F->slot = slot;
    F->elem = elem;
    F->cap = cap;
    F->shared = shared;
    if (kind == FORM_HASHMAP || kind == FORM_LRU) {
        int idx;
        if (!slot->indexed_by.name) {
            hc_help(hc_error(P->d, slot->pos, "`@form(%s)` needs the key field", fname),
                    "write `pool %s of T indexed_by field;`", slot->name.name);
            return;
        }
        if (elem->kind != TY_RECORD || !ck_record_field(elem, slot->indexed_by.name, &idx)) {
            return; /* reported with the capacity block */
        }
        F->key_field = slot->indexed_by.name;
        F->key = field_ty(P, elem, idx);
        F->counter_field = counter_field(P, elem, F->key_field);
    } else if (slot->indexed_by.name) {
        hc_error(P->d, slot->indexed_by.pos, "`@form(%s)` is not keyed; remove `indexed_by`",
                 fname);
    }
    locus->form = F;
}

/* ---- calls ---- */

typedef struct {
    const char *name;
    int kinds; /* bit per hc_form_kind */
    hc_form_method m;
} form_method_def;

#define K(k) (1 << (k))
static const form_method_def methods[] = {
    {"push", K(FORM_VEC) | K(FORM_RING), FM_PUSH},
    {"get", K(FORM_VEC) | K(FORM_HASHMAP) | K(FORM_LRU), FM_GET},
    {"set", K(FORM_VEC) | K(FORM_HASHMAP), FM_SET},
    {"pop", K(FORM_VEC) | K(FORM_RING), FM_POP},
    {"len", K(FORM_VEC) | K(FORM_HASHMAP) | K(FORM_RING) | K(FORM_LRU), FM_LEN},
    {"is_empty", K(FORM_VEC) | K(FORM_HASHMAP), FM_IS_EMPTY},
    {"sort", K(FORM_VEC), FM_SORT},
    {"sort_by", K(FORM_VEC), FM_SORT_BY},
    {"sort_desc_by", K(FORM_VEC), FM_SORT_DESC_BY},
    {"has", K(FORM_HASHMAP), FM_HAS},
    {"remove", K(FORM_HASHMAP), FM_REMOVE},
    {"key_at", K(FORM_HASHMAP), FM_KEY_AT},
    {"entry_at", K(FORM_HASHMAP), FM_ENTRY_AT},
    {"bump", K(FORM_HASHMAP), FM_BUMP},
    {"is_full", K(FORM_RING), FM_IS_FULL},
    {"put", K(FORM_LRU), FM_PUT},
    {"contains", K(FORM_LRU), FM_CONTAINS},
};

static hc_type *std_record(hc_ctx *c, const char *name) {
    hc_decl *d = hc_symtab_get(c->P->std->names, name);
    return d ? d->ty : TY(c, TY_ERROR);
}

static hc_type *result(hc_ctx *c, hc_expr *e, hc_type *ret, hc_type *err) {
    if (ret->heap) {
        ck_alloc(c, e);
    }
    if (err) {
        e->fallible = err;
        ck_alloc(c, e);
    }
    return ret;
}

static int check_args(hc_ctx *c, hc_expr *e, const char *name, hc_type **want, int n) {
    if (e->args.n != n) {
        hc_error(c->P->d, e->pos, "`%s` takes %d argument%s but %d %s given", name, n,
                 n == 1 ? "" : "s", e->args.n, e->args.n == 1 ? "was" : "were");
    }
    for (int i = 0; i < e->args.n; i++) {
        hc_type *w = i < n ? want[i] : NULL;
        hc_type *t = ck_expr(c, e->args.v[i], w);
        if (w) {
            ck_coerce(c, e->args.v[i], t, w, "this argument");
        }
    }
    return e->args.n == n;
}

hc_type *ck_form_call(hc_ctx *c, hc_expr *e, hc_type *recv) {
    hc_expr *f = e->lhs;
    hc_form *F = recv->kind == TY_LOCUS ? recv->decl->form : NULL;
    if (!F) {
        return NULL;
    }
    const form_method_def *def = NULL;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(methods[i].name, f->field.name) == 0 && (methods[i].kinds & K(F->kind))) {
            def = &methods[i];
        }
    }
    if (!def) {
        return NULL;
    }
    const char *name = def->name;
    hc_type *T = F->elem, *Kt = F->key, *I = TY(c, TY_INT), *U = TY(c, TY_UNIT);
    hc_type *B = TY(c, TY_BOOL);
    f->ref = REF_FORM;
    f->variant = def->m;
    f->ty = U;
    hc_type *w[2] = {NULL, NULL};
    switch (def->m) {
    case FM_PUSH:
        w[0] = T;
        check_args(c, e, name, w, 1);
        return F->kind == FORM_RING ? B : U;
    case FM_GET:
        w[0] = F->kind == FORM_VEC ? I : Kt;
        check_args(c, e, name, w, 1);
        return result(c, e, T, std_record(c, F->kind == FORM_VEC ? "IndexError" : "KeyError"));
    case FM_SET:
        if (F->kind == FORM_VEC) {
            w[0] = I;
            w[1] = T;
            check_args(c, e, name, w, 2);
            return result(c, e, U, std_record(c, "IndexError"));
        }
        w[0] = T;
        check_args(c, e, name, w, 1);
        return U;
    case FM_POP:
        check_args(c, e, name, w, 0);
        return result(c, e, T, std_record(c, F->kind == FORM_VEC ? "IndexError" : "EmptyError"));
    case FM_LEN:
        check_args(c, e, name, w, 0);
        return I;
    case FM_IS_EMPTY:
    case FM_IS_FULL:
        check_args(c, e, name, w, 0);
        return B;
    case FM_SORT:
        check_args(c, e, name, w, 0);
        if (T->kind != TY_INT && T->kind != TY_FLOAT && T->kind != TY_STRING &&
            T->kind != TY_ERROR) {
            hc_help(hc_error(c->P->d, f->field.pos, "`sort` orders Int, Float or String, not `%s`",
                             TNAME(c, T)),
                    "pass a comparator: `sort_by(less)` with `fn less(a: %s, b: %s) -> Bool`",
                    TNAME(c, T), TNAME(c, T));
        }
        return U;
    case FM_SORT_BY:
    case FM_SORT_DESC_BY: {
        hc_type *ps[2] = {T, T};
        w[0] = hc_ty_fn(c->P->types, ps, 2, B);
        check_args(c, e, name, w, 1);
        return U;
    }
    case FM_HAS:
    case FM_CONTAINS:
        w[0] = Kt;
        check_args(c, e, name, w, 1);
        return B;
    case FM_REMOVE:
        w[0] = Kt;
        check_args(c, e, name, w, 1);
        return result(c, e, U, std_record(c, "KeyError"));
    case FM_KEY_AT:
    case FM_ENTRY_AT:
        w[0] = I;
        check_args(c, e, name, w, 1);
        return result(c, e, def->m == FM_KEY_AT ? Kt : T, std_record(c, "IndexError"));
    case FM_BUMP:
        w[0] = Kt;
        check_args(c, e, name, w, 1);
        if (!F->counter_field) {
            hc_help(hc_error(c->P->d, f->field.pos, "`bump` needs a counter in `%s`", TNAME(c, T)),
                    "its cells must hold the key and exactly one Int field");
        }
        return U;
    case FM_PUT:
        w[0] = T;
        check_args(c, e, name, w, 1);
        return U;
    }
    return U;
}

hc_type *ck_form_iter(hc_ctx *c, hc_expr *e) {
    hc_type *lt = ck_expr(c, e->lhs, NULL);
    if (lt->kind == TY_ERROR) {
        e->ty = lt;
        return lt;
    }
    hc_form *F = lt->kind == TY_LOCUS ? lt->decl->form : NULL;
    if (!F || strcmp(e->field.name, F->slot->name.name) != 0) {
        hc_type *t = ck_expr(c, e, NULL); /* an ordinary field (the lhs is checked again) */
        return t->kind == TY_ERROR ? t : NULL;
    }
    if (F->kind != FORM_VEC && F->kind != FORM_HASHMAP) {
        hc_error(c->P->d, e->pos, "a `%s` form cannot be walked with `for`", form_names[F->kind]);
        e->ty = TY(c, TY_ERROR);
        return e->ty;
    }
    e->ref = REF_FORM;
    e->ty = TY(c, TY_UNIT);
    return F->elem;
}

hc_type *ck_slot_call(hc_ctx *c, hc_expr *e) {
    hc_expr *f = e->lhs;
    hc_expr *sf = f->lhs;
    int idx;
    hc_type *pt;
    if (sf->kind != E_FIELD || sf->lhs->kind != E_SELF || !c->locus || !c->fn ||
        ck_locus_param(c->locus, sf->field.name, &idx, &pt)) {
        return NULL;
    }
    hc_slot *s = ck_slot_named(c->locus, sf->field.name);
    if (!s) {
        return NULL;
    }
    hc_program *P = c->P;
    sf->lhs->ty = c->locus->ty;
    sf->ty = TY(c, TY_UNIT);
    f->ref = REF_SLOT;
    f->ty = TY(c, TY_UNIT);
    if (c->locus->form && c->locus->form->slot == s) {
        hc_help(hc_error(P->d, sf->field.pos, "slot `%s` is the storage of the locus's @form",
                         s->name.name),
                "use the form's methods on the locus instead");
        return TY(c, TY_ERROR);
    }
    int heap = strcmp(s->kind, "heap") == 0;
    const char *op = f->field.name;
    hc_type *cell = hc_ty_cell(P->types, ck_slot_type(P, c->locus, s));
    int take = strcmp(op, heap ? "alloc" : "acquire") == 0;
    int give = strcmp(op, heap ? "free" : "release") == 0;
    if (!take && !give) {
        hc_help(hc_error(P->d, f->field.pos, "a `%s` slot has no `%s`", s->kind, op),
                "a `%s` slot has `%s()` and `%s(c)`", s->kind, heap ? "alloc" : "acquire",
                heap ? "free" : "release");
        for (int i = 0; i < e->args.n; i++) {
            ck_expr(c, e->args.v[i], NULL);
        }
        return TY(c, TY_ERROR);
    }
    f->variant = heap ? (take ? SLOT_ALLOC : SLOT_FREE) : (take ? SLOT_ACQUIRE : SLOT_RELEASE);
    hc_type *w[1] = {cell};
    check_args(c, e, op, w, take ? 0 : 1);
    return take ? cell : TY(c, TY_UNIT);
}
