/* `@ffi("c") fn name(params) -> R;`: a C function the program calls (Hale's spec/ffi.md).
 *
 * Only top-level, bodyless, non-generic, non-fallible declarations without parameter defaults,
 * and only types with a portable C shape: Int (int64_t), Float (double), Bool (int32_t), String
 * (a NUL-terminated `const char *` the callee must not keep), Duration (int64_t nanoseconds),
 * unit results, and records of such scalars, passed as `const T *` and returned through a hidden
 * `T *out` first parameter. Anything else is an error at its place, so the C compiler never sees
 * a signature it would refuse. emit_ffi.c writes the declarations and the calls; driver.c links
 * the glue (`--csrc`, `--link`) and names a symbol the link cannot find. */
#include <string.h>

#include "check_impl.h"

hc_annot *hc_ffi_annot(hc_decl *fn) {
    for (int i = 0; i < fn->annots.n; i++) {
        if (strcmp(fn->annots.v[i].name.name, "ffi") == 0) {
            return &fn->annots.v[i];
        }
    }
    return NULL;
}

static int scalar_ok(const hc_type *t) {
    return t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL || t->kind == TY_DURATION;
}

static int record_ok(hc_program *P, hc_type *t) {
    if (t->kind != TY_RECORD) {
        return 0;
    }
    for (int i = 0; i < t->decl->fields.n; i++) {
        hc_texpr *x = t->decl->fields.v[i].type;
        if (!x || !x->resolved || !scalar_ok(x->resolved)) {
            (void)P;
            return 0;
        }
    }
    return 1;
}

static void type_ok(hc_program *P, hc_decl *fn, hc_type *t, hc_pos at, const char *what, int ret) {
    if (!t || t->kind == TY_ERROR || scalar_ok(t) || t->kind == TY_STRING || record_ok(P, t) ||
        (ret && t->kind == TY_UNIT)) {
        return;
    }
    hc_diag *g = hc_error(P->d, at, "`@ffi` fn `%s`: %s has type `%s`, which has no C shape here",
                          fn->name.name, what, hc_type_name(P->a, t));
    if (t->kind == TY_DECIMAL) {
        hc_help(g, "pass the raw mantissa as an Int or a Float and convert on the Hale side");
    } else if (t->kind == TY_RECORD) {
        hc_help(g, "a record crosses as `const T *` when its fields are Int, Float, Bool or "
                   "Duration");
    } else {
        hc_help(g, "use Int, Float, Bool, String, Duration, or a record of scalars");
    }
}

void ck_ffi(hc_program *P, hc_decl *fn) {
    hc_annot *an = hc_ffi_annot(fn);
    if (!an) {
        return;
    }
    const char *abi = an->args.n == 1 && !an->args.v[0].key && an->args.v[0].value->kind == E_STRING
                          ? an->args.v[0].value->str
                          : NULL;
    if (!abi || strcmp(abi, "c") != 0) {
        hc_help(hc_error(P->d, an->pos, "`@ffi` takes the ABI as a string: `@ffi(\"c\")`"),
                "\"c\" is the one ABI this compiler links");
    }
    if (fn->locus) {
        hc_error(P->d, an->pos, "`@ffi` applies to top-level functions, not to methods");
        return;
    }
    if (fn->body) {
        hc_help(hc_error(P->d, fn->body->pos, "an `@ffi` function has no body"),
                "end the declaration with `;`: the body is the C function");
    }
    if (fn->generics.n) {
        hc_error(P->d, fn->name.pos, "an `@ffi` function cannot be generic");
    }
    if (fn->fallible) {
        hc_help(hc_error(P->d, fn->fallible->pos, "an `@ffi` function cannot be fallible"),
                "report failure through the result and wrap the call in a fallible Hale function");
    }
    for (int i = 0; i < fn->annots.n; i++) {
        if (strcmp(fn->annots.v[i].name.name, "export") == 0) {
            hc_error(P->d, fn->annots.v[i].pos, "`@export` and `@ffi` exclude each other");
        }
    }
    for (int i = 0; i < fn->params.n; i++) {
        hc_param *p = &fn->params.v[i];
        if (p->def) {
            hc_error(P->d, p->def->pos, "`@ffi` fn `%s`: parameter defaults do not cross into C",
                     fn->name.name);
        }
        type_ok(P, fn, p->type ? p->type->resolved : NULL, p->name.pos,
                hc_sprintf(P->a, "parameter `%s`", p->name.name), 0);
    }
    type_ok(P, fn, fn->ret_ty, fn->ret ? fn->ret->pos : fn->name.pos, "the result", 1);
}
