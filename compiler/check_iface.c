/* Structural interfaces: `interface I { fn m(a: T) -> R; ... }`.
 *
 * An interface is a type whose values are loci that have every one of its methods with the same
 * parameter and result types (no declaration says so: the shape decides). A locus becomes an
 * interface value where one is expected (an argument, a return, a field, a `let` with the type,
 * an element of an array of the interface): ck_coerce asks ck_iface_coerce, which checks the
 * shape once per place and marks the expression (`iface`) for the emitter to convert there
 * (emit_iface.c). A method called on an interface value (REF_IFACE_METHOD) runs the locus's own
 * method; the value refers to the locus, it does not copy it. */
#include <string.h>

#include "check_impl.h"

void ck_iface_signature(hc_program *P, hc_decl *d) {
    if (d->checked) {
        return; /* checked on first use */
    }
    d->checked = 2;
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        m->seed = d->seed;
        for (int j = 0; j < i; j++) {
            if (strcmp(d->members.v[j]->name.name, m->name.name) == 0) {
                hc_note(hc_error(P->d, m->name.pos, "interface `%s` lists method `%s` twice",
                                 d->name.name, m->name.name),
                        d->members.v[j]->name.pos, "first listed here");
            }
        }
        if (m->generics.n) {
            hc_error(P->d, m->name.pos, "an interface method cannot be generic");
        }
        if (m->fallible) {
            hc_error(P->d, m->fallible->pos, "an interface method cannot be fallible");
        }
        hc_type **ps = hc_alloc(P->a, sizeof(hc_type *) * (size_t)(m->params.n + 1));
        for (int k = 0; k < m->params.n; k++) {
            ps[k] = ck_texpr(P, d->seed, NULL, m->params.v[k].type);
            if (m->params.v[k].def) {
                hc_error(P->d, m->params.v[k].def->pos,
                         "an interface method's parameters have no defaults");
            }
        }
        m->ret_ty = ck_texpr(P, d->seed, NULL, m->ret);
        m->ty = hc_ty_fn(P->types, ps, m->params.n, m->ret_ty);
    }
}

hc_decl *ck_iface_method(hc_program *P, hc_decl *iface, const char *name, int *slot) {
    ck_iface_signature(P, iface);
    for (int i = 0; i < iface->members.n; i++) {
        if (strcmp(iface->members.v[i]->name.name, name) == 0) {
            *slot = i;
            return iface->members.v[i];
        }
    }
    return NULL;
}

/* Why locus `l` is not an `iface`, or NULL when it is one. */
static const char *mismatch(hc_ctx *c, hc_decl *l, hc_decl *iface) {
    ck_iface_signature(c->P, iface);
    for (int i = 0; i < iface->members.n; i++) {
        hc_decl *want = iface->members.v[i];
        hc_decl *have = ck_locus_method(l, want->name.name);
        if (!have || have->kind != D_FN || !have->ty) {
            return hc_sprintf(c->P->a, "it has no method `%s`", want->name.name);
        }
        if (l->seed == c->P->std) {
            return "it is a standard library locus";
        }
        if (have->ty != want->ty || have->err_ty) {
            return hc_sprintf(c->P->a, "its `%s` is `%s%s`, the interface's is `%s`",
                              want->name.name, TNAME(c, have->ty), have->err_ty ? " fallible" : "",
                              TNAME(c, want->ty));
        }
    }
    return NULL;
}

hc_type *ck_iface_std_param(hc_program *P, hc_type *t) {
    if (t->kind != TY_LOCUS || t->decl->seed != P->std || !P->std ||
        strcmp(t->decl->name.name, "HttpHandler") != 0) {
        return t;
    }
    /* std::http::Handler is Hale's interface of `fn handle`; the standard library's locus of
     * that name is what the HTTP server takes, so a function's parameter gets the interface */
    const char *key = "std::http::Handler";
    hc_decl *d = hc_symtab_get(P->std->names, key);
    if (!d) {
        hc_decl *m = ck_locus_method(t->decl, "handle");
        if (!m) {
            return t;
        }
        d = HC_NEW(P->a, hc_decl);
        d->kind = D_IFACE;
        d->pos = t->decl->pos;
        d->name.name = key;
        d->name.pos = t->decl->name.pos;
        d->seed = P->std;
        HC_PUSH(P->a, d->members, m);
        d->ty = hc_ty_nominal(P->types, TY_IFACE, d);
        hc_symtab_put(P->std->names, key, d);
    }
    return d->ty;
}

int ck_iface_coerce(hc_ctx *c, hc_expr *e, hc_type *from, hc_type *to, const char *what) {
    if (from->kind != TY_LOCUS) {
        return -1; /* not a conversion: the ordinary mismatch */
    }
    const char *why = mismatch(c, from->decl, to->decl);
    if (why) {
        hc_buf sigs = {0};
        for (int i = 0; i < to->decl->members.n; i++) {
            hc_decl *m = to->decl->members.v[i];
            hc_buf_printf(&sigs, "%s`fn %s%s`", i ? ", " : "", m->name.name,
                          TNAME(c, m->ty) + 2); /* `fn(...) -> R` without its `fn` */
        }
        hc_help(hc_error(c->P->d, e->pos, "%s: locus `%s` is not a `%s`: %s", what,
                         from->decl->name.name, to->decl->name.name, why),
                "a `%s` has %s", to->decl->name.name, hc_buf_cstr(&sigs));
        hc_buf_free(&sigs);
        return 0;
    }
    e->iface = to;
    return 1;
}
