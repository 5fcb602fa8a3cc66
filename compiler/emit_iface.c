/* Interface values in C (see check_iface.c for what they are).
 *
 * An interface value is a `hale_iface`: the locus's state pointer and a table of its methods in
 * the interface's order (one static table per locus type and interface, made the first time a
 * locus of that type becomes a value of that interface). Each entry is a thunk with one C type
 * for every locus: it takes the state as `void *` and calls the locus's method, so a call through
 * the interface is one indirect call with the value's pointer as `self`, under the caller's
 * usual calling convention (scratch sides alternate like any call). */
#include <string.h>

#include "emit_impl.h"

/* The table of locus type `lt` as interface `it`: its C name (thunks and table made once). */
static const char *vtable(hc_emit *E, hc_type *lt, hc_type *it) {
    const char *name = hc_sprintf(E->a, "hvt_%d_%d", lt->id, it->id);
    for (int i = 0; i < E->vtables.n; i++) {
        if (strcmp(E->vtables.v[i], name) == 0) {
            return name;
        }
    }
    HC_PUSH(E->a, E->vtables, name);
    hc_decl *iface = it->decl;
    hc_buf table = {0};
    for (int k = 0; k < iface->members.n; k++) {
        hc_decl *want = iface->members.v[k];
        hc_decl *m = ck_locus_method(lt->decl, want->name.name);
        hc_type *rt = m->ret_ty;
        int val = em_has_value(rt);
        const char *thunk = hc_sprintf(E->a, "hit_%d_%d_%d", lt->id, it->id, k);
        hc_buf sig = {0};
        hc_buf_printf(&sig, "static %s %s(hale_region *ho, hale_region *hm, void *hs",
                      val ? em_ctype(E, rt) : "void", thunk);
        for (int i = 0; i < m->ty->nitems; i++) {
            hc_buf_printf(&sig, ", %s a%d", em_ctype(E, m->ty->items[i]), i);
        }
        hc_buf_puts(&sig, ")");
        hc_buf_printf(&E->protos, "%s;\n", hc_buf_cstr(&sig));
        hc_buf_printf(&E->helpers, "%s {\n    %s%s(ho, hm, (%s *)hs", hc_buf_cstr(&sig),
                      val ? "return " : "", em_fn_name(E, m), em_locus_struct(E, lt));
        for (int i = 0; i < m->ty->nitems; i++) {
            hc_buf_printf(&E->helpers, ", a%d", i);
        }
        hc_buf_printf(&E->helpers, "%s);\n}\n\n", m->takes_origin ? ", NULL" : "");
        hc_buf_free(&sig);
        hc_buf_printf(&table, "%s(void (*)(void))%s", k ? ", " : "", thunk);
    }
    hc_buf_printf(&E->protos, "static void (*const %s[])(void);\n", name);
    hc_buf_printf(&E->helpers, "static void (*const %s[])(void) = {%s};\n\n", name,
                  iface->members.n ? hc_buf_cstr(&table) : "NULL");
    hc_buf_free(&table);
    return name;
}

void em_iface_value(hc_emit *E, hc_buf *b, hc_expr *e, hc_type *it, const char *how) {
    hc_buf_puts(b, "((hale_iface){(void *)(");
    if (how && e->kind == E_STRUCT) {
        em_locus_lit(E, b, e, E->at_text ? E->at_text : "NULL", NULL, how, NULL);
    } else {
        em_expr(E, b, e);
    }
    hc_buf_printf(b, "), %s})", vtable(E, e->ty, it));
}

const char *em_iface_callee(hc_emit *E, hc_expr *e, const char *v) {
    hc_expr *f = e->lhs;
    hc_decl *m = f->decl;
    hc_buf t = {0};
    hc_buf_printf(&t, "((%s (*)(hale_region *, hale_region *, void *",
                  em_has_value(m->ret_ty) ? em_ctype(E, m->ret_ty) : "void");
    for (int i = 0; i < m->ty->nitems; i++) {
        hc_buf_printf(&t, ", %s", em_ctype(E, m->ty->items[i]));
    }
    hc_buf_printf(&t, "))%s.vt[%d])", v, f->variant);
    const char *r = hc_strdup(E->a, hc_buf_cstr(&t));
    hc_buf_free(&t);
    return r;
}
