/* Perspectives in C (check_persp.c checks them). A `perspective(P)` parameter holds the
 * implementation's state as a `hale_locus *`; a call through it, `self.router.route(x)`, goes to
 * a dispatcher generated per contract method, which calls the method of the implementation the
 * state currently runs as (its header's type descriptor). `reperspective self.f as Impl;` keeps
 * the state (every implementation has the same params, in the same order) and switches it to
 * Impl's code: hale_locus_retype re-points its type descriptor, its bus subscriptions included, so
 * the next call and the next delivered message run Impl's methods on the carried state. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

static hc_decl *method_named(hc_decl *locus, const char *name) {
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == D_FN && strcmp(m->name.name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

const char *em_persp_dispatch(hc_emit *E, hc_decl *sig) {
    hc_decl *persp = sig->locus;
    const char *name = hc_sprintf(E->a, "hpd_%d_%s", persp->ty->id, sig->name.name);
    for (int i = 0; i < E->persp_done.n; i++) {
        if (E->persp_done.v[i] == sig) {
            return name;
        }
    }
    HC_PUSH(E->a, E->persp_done, sig);
    hc_type *ft = sig->ty;
    int has_ret = em_has_value(sig->ret_ty);
    const char *rt = has_ret ? em_ctype(E, sig->ret_ty) : "void";
    hc_buf params = {0}, args = {0};
    for (int i = 0; i < ft->nitems; i++) {
        hc_buf_printf(&params, ", %s a%d", em_ctype(E, ft->items[i]), i);
        hc_buf_printf(&args, ", a%d", i);
    }
    hc_buf_printf(&E->protos, "static %s %s(hale_region *ho, hale_region *hm, void *self%s);\n", rt,
                  name, hc_buf_cstr(&params));
    hc_buf body = {0};
    for (int i = 0; i < E->P->loci.n; i++) {
        hc_decl *impl = E->P->loci.v[i];
        hc_decl *m = ck_serves(E->P, impl, persp) ? method_named(impl, sig->name.name) : NULL;
        if (!m) {
            continue;
        }
        hc_buf_printf(&body, "    if (l->type == &hlt_%d) %s%s(ho, hm, self%s%s);%s\n",
                      impl->ty->id, has_ret ? "return " : "{ ", em_fn_name(E, m),
                      hc_buf_cstr(&args), m->takes_origin ? ", NULL" : "",
                      has_ret ? "" : " return; }");
    }
    hc_buf_printf(&E->helpers,
                  "/* `%s.%s(...)`: the method of the implementation the state runs as */\n"
                  "static %s %s(hale_region *ho, hale_region *hm, void *self%s) {\n"
                  "    hale_locus *l = self;\n%s"
                  "    hale_fault(\"%s\", \"no implementation of perspective %s runs as %%s\", "
                  "l->type->name);\n}\n\n",
                  persp->name.name, sig->name.name, rt, name, hc_buf_cstr(&params),
                  hc_buf_cstr(&body), persp->name.name, persp->name.name);
    hc_buf_free(&params);
    hc_buf_free(&args);
    hc_buf_free(&body);
    return name;
}

void em_reperspective(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_decl *impl = hc_seed_lookup(E->P, E->fn->seed, s->name.name);
    hc_buf_puts(b, "hale_locus_retype(");
    em_expr(E, b, s->target);
    hc_buf_printf(b, ", &hlt_%d);", impl->ty->id);
}
