/* `@ffi("c")` functions in C (check_ffi.c decides what may cross). Each declaration becomes an
 * extern bound to the C symbol with an assembler label (so a symbol that shares a name with
 * something the prelude declares, `strlen`, cannot clash), and a Hale-convention wrapper that
 * calls it: Strings become NUL-terminated copies in scratch for the call, Bools int32_t, records
 * `const T *`, a record result a hidden `T *out`, a String result a copy into the caller's
 * region. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

static const char *c_type(hc_emit *E, hc_type *t, int ret) {
    switch (t->kind) {
    case TY_BOOL:
        return "int32_t";
    case TY_STRING:
        return "const char *";
    case TY_UNIT:
    case TY_NEVER:
        return "void";
    case TY_RECORD:
        return ret ? "void" : hc_sprintf(E->a, "const %s *", em_ctype(E, t));
    default:
        return em_ctype(E, t);
    }
}

static void ffi_fn(hc_emit *E, hc_decl *fn) {
    const char *sym = fn->name.name;
    const char *ext = hc_sprintf(E->a, "hx_%s", sym);
    hc_type *rt = fn->ret_ty;
    int has_ret = em_has_value(rt);
    int sret = rt->kind == TY_RECORD;
    hc_buf ext_params = {0}, params = {0}, call = {0}, pre = {0};
    if (sret) {
        hc_buf_printf(&ext_params, "%s *out", em_ctype(E, rt));
        hc_buf_puts(&call, "&hr");
    }
    for (int i = 0; i < fn->params.n; i++) {
        hc_type *pt = fn->ty->items[i];
        const char *sep = i || sret ? ", " : "";
        hc_buf_printf(&ext_params, "%s%s a%d", sep, c_type(E, pt, 0), i);
        hc_buf_printf(&params, ", %s a%d", em_ctype(E, pt), i);
        switch (pt->kind) {
        case TY_STRING:
            hc_buf_printf(&pre,
                          "    char *hs%d = hale_region_alloc(hm, (size_t)a%d.len + 1, 1);\n"
                          "    if (a%d.len) memcpy(hs%d, a%d.ptr, (size_t)a%d.len);\n"
                          "    hs%d[a%d.len] = 0;\n",
                          i, i, i, i, i, i, i, i);
            hc_buf_printf(&call, "%shs%d", sep, i);
            break;
        case TY_BOOL:
            hc_buf_printf(&call, "%s(int32_t)a%d", sep, i);
            break;
        case TY_RECORD:
            hc_buf_printf(&call, "%s&a%d", sep, i);
            break;
        default:
            hc_buf_printf(&call, "%sa%d", sep, i);
        }
    }
    if (!ext_params.len) {
        hc_buf_puts(&ext_params, "void");
    }
    hc_buf_printf(&E->protos, "extern %s %s(%s) __asm__(\"%s\");\n", c_type(E, rt, 1), ext,
                  hc_buf_cstr(&ext_params), sym);
    const char *name = em_fn_name(E, fn);
    const char *hr = has_ret ? em_ctype(E, rt) : "void";
    hc_buf_printf(&E->protos, "static %s %s(hale_region *ho, hale_region *hm%s);\n", hr, name,
                  hc_buf_cstr(&params));
    hc_buf *b = &E->funcs;
    hc_buf_printf(b, "/* @ffi(\"c\") %s */\nstatic %s %s(hale_region *ho, hale_region *hm%s) {\n",
                  sym, hr, name, hc_buf_cstr(&params));
    hc_buf_puts(b, "    (void)ho;\n    hale_mark hmark = hale_region_mark(hm);\n");
    hc_buf_puts(b, hc_buf_cstr(&pre));
    if (sret) {
        hc_buf_printf(b, "    %s hr;\n    memset(&hr, 0, sizeof hr);\n    %s(%s);\n", hr, ext,
                      hc_buf_cstr(&call));
    } else if (!has_ret) {
        hc_buf_printf(b, "    %s(%s);\n", ext, hc_buf_cstr(&call));
    } else if (rt->kind == TY_STRING) {
        hc_buf_printf(b,
                      "    const char *hc = %s(%s);\n    size_t hn = hc ? strlen(hc) : 0;\n"
                      "    char *hp = hale_region_alloc(ho, hn + 1, 1);\n"
                      "    if (hn) memcpy(hp, hc, hn);\n    hale_str hr = {hp, (int64_t)hn};\n",
                      ext, hc_buf_cstr(&call));
    } else if (rt->kind == TY_BOOL) {
        hc_buf_printf(b, "    bool hr = %s(%s) != 0;\n", ext, hc_buf_cstr(&call));
    } else {
        hc_buf_printf(b, "    %s hr = %s(%s);\n", hr, ext, hc_buf_cstr(&call));
    }
    hc_buf_puts(b, "    hale_region_reset(hm, hmark);\n");
    hc_buf_puts(b, has_ret ? "    return hr;\n}\n\n" : "}\n\n");
    hc_buf_free(&ext_params);
    hc_buf_free(&params);
    hc_buf_free(&call);
    hc_buf_free(&pre);
}

void em_ffi_decls(hc_emit *E) {
    for (int si = 0; si < E->P->seeds.n; si++) {
        hc_seed *s = E->P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind == D_FN && hc_ffi_annot(d) && !d->body && d->ty && d->used) {
                ffi_fn(E, d);
            }
        }
    }
}
