/* See check.h. This file: calls (functions, methods, built-ins, conversions, variant
 * constructors, function values) and record/locus literals. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

static const char *plural(int n) {
    return n == 1 ? "" : "s";
}

/* A default value is evaluated where it is used; anything beyond a literal or a constant may
 * allocate in the caller's scratch. */
static void default_used(hc_ctx *c, hc_expr *call, hc_expr *def) {
    switch (def->kind) {
    case E_INT:
    case E_FLOAT:
    case E_BOOL:
    case E_STRING:
    case E_DURATION:
        return;
    case E_NAME:
        if (def->ref == REF_CONST || def->ref == REF_VARIANT) {
            return;
        }
        break;
    default:
        break;
    }
    ck_alloc(c, call);
}

/* Checks call arguments against declared parameters (with trailing defaults); pre[i], when not
 * NULL, is the type of an argument already checked (a generic call's). */
static void ck_args(hc_ctx *c, hc_expr *e, hc_params *params, hc_type *fnty, const char *name,
                    hc_type **pre) {
    int required = 0;
    for (int i = 0; i < params->n; i++) {
        if (!params->v[i].def) {
            required = i + 1;
        }
    }
    int n = e->args.n;
    if (n < required || n > params->n) {
        hc_buf b = {0};
        for (int i = 0; i < params->n; i++) {
            hc_buf_printf(&b, "%s%s: %s%s", i ? ", " : "", params->v[i].name.name,
                          hc_type_name(c->P->a, fnty->items[i]), params->v[i].def ? " = ..." : "");
        }
        hc_diag *g;
        if (required == params->n) {
            g = hc_error(c->P->d, e->pos, "`%s` takes %d argument%s but %d %s given", name,
                         params->n, plural(params->n), n, n == 1 ? "was" : "were");
        } else {
            g = hc_error(c->P->d, e->pos, "`%s` takes %d to %d arguments but %d %s given", name,
                         required, params->n, n, n == 1 ? "was" : "were");
        }
        hc_help(g, "the signature is %s(%s)", name, hc_buf_cstr(&b));
        hc_buf_free(&b);
    }
    /* a std locus's method taking an interface (Router.add's RouteHandler): the argument is a
     * locus literal, born as a child of the receiver */
    hc_decl *m = e->lhs && e->lhs->kind == E_FIELD ? e->lhs->decl : NULL;
    int std_method = m && m->locus && m->locus->seed == c->P->std;
    for (int i = 0; i < n; i++) {
        hc_type *want = i < fnty->nitems ? fnty->items[i] : NULL;
        hc_expr *a = e->args.v[i];
        int child = std_method && want && want->kind == TY_LOCUS && ck_std_interface(c, want);
        if (child) {
            c->locus_ok = a;
        }
        hc_type *t = pre && pre[i] ? pre[i] : ck_expr(c, a, want);
        c->locus_ok = NULL;
        if (want && ck_coerce(c, a, t, want, "this argument") && child && a->kind != E_STRUCT &&
            t->kind != TY_ERROR) {
            hc_help(hc_error(c->P->d, a->pos, "`%s` takes a locus literal here", name),
                    "the locus is born as a child of the receiver and lives as long as it: write "
                    "`%s { ... }`",
                    TNAME(c, t));
        }
    }
    for (int i = n; i < params->n; i++) {
        if (params->v[i].def) {
            default_used(c, e, params->v[i].def);
        }
    }
}

static void ck_fn_value_args(hc_ctx *c, hc_expr *e, hc_type *fnty) {
    if (e->args.n != fnty->nitems) {
        hc_error(c->P->d, e->pos, "this function takes %d argument%s but %d %s given", fnty->nitems,
                 plural(fnty->nitems), e->args.n, e->args.n == 1 ? "was" : "were");
    }
    for (int i = 0; i < e->args.n; i++) {
        hc_type *want = i < fnty->nitems ? fnty->items[i] : NULL;
        hc_type *t = ck_expr(c, e->args.v[i], want);
        if (want) {
            ck_coerce(c, e->args.v[i], t, want, "this argument");
        }
    }
}

static hc_type *call_result(hc_ctx *c, hc_expr *e, hc_type *ret, hc_type *err) {
    if (ret->heap) {
        ck_alloc(c, e);
    }
    if (err) {
        e->fallible = err;
        if (err->heap) {
            ck_alloc(c, e);
        }
    }
    return ret;
}

static int arity(hc_ctx *c, hc_expr *e, int n, const char *name) {
    if (e->args.n == n) {
        return 1;
    }
    hc_error(c->P->d, e->pos, "`%s` takes %d argument%s but %d %s given", name, n, plural(n),
             e->args.n, e->args.n == 1 ? "was" : "were");
    for (int i = 0; i < e->args.n; i++) {
        ck_expr(c, e->args.v[i], NULL);
    }
    return 0;
}

static hc_type *std_error_type(hc_ctx *c, const char *name) {
    hc_decl *d = hc_symtab_get(c->P->std->names, name);
    return d && d->ty ? d->ty : TY(c, TY_ERROR);
}

/* The bounded list a bounded-list intrinsic works on (its first argument). */
static hc_type *bounded_arg(hc_ctx *c, hc_expr *e, const char *name) {
    hc_expr *f = e->args.v[0];
    hc_type *t = ck_expr(c, f, NULL);
    if (t->kind == TY_ERROR) {
        return NULL;
    }
    if (t->kind != TY_BOUNDED) {
        hc_help(hc_error(c->P->d, f->pos, "`%s` works on a bounded list, found `%s`", name,
                         TNAME(c, t)),
                "declare a field as `bounded[T; N]`");
        return NULL;
    }
    return t;
}

static int is_place(hc_expr *e) {
    while (e->kind == E_FIELD || e->kind == E_INDEX) {
        e = e->lhs;
    }
    return (e->kind == E_NAME && e->ref == REF_LOCAL) || e->kind == E_SELF;
}

static hc_type *ck_bounded_op(hc_ctx *c, hc_expr *e, const hc_builtin *bi) {
    static const int nargs[] = {[BI_PUSH] = 2,  [BI_AT] = 2,    [BI_SET] = 3,
                                [BI_COUNT] = 1, [BI_CLEAR] = 1, [BI_TRUNCATE] = 2};
    if (!arity(c, e, nargs[bi->kind], bi->path)) {
        return TY(c, TY_ERROR);
    }
    hc_type *b = bounded_arg(c, e, bi->path);
    for (int i = 1; i < e->args.n; i++) {
        hc_type *want = (bi->kind == BI_PUSH && i == 1) || (bi->kind == BI_SET && i == 2)
                            ? (b ? b->elem : NULL)
                            : TY(c, TY_INT);
        hc_type *t = ck_expr(c, e->args.v[i], want);
        if (want) {
            ck_coerce(c, e->args.v[i], t, want, "this argument");
        }
    }
    if (!b) {
        return TY(c, TY_ERROR);
    }
    int mutates = bi->kind == BI_PUSH || bi->kind == BI_SET || bi->kind == BI_CLEAR ||
                  bi->kind == BI_TRUNCATE;
    if (mutates) {
        if (!is_place(e->args.v[0])) {
            hc_help(hc_error(c->P->d, e->args.v[0]->pos,
                             "`%s` needs a variable or field to "
                             "change",
                             bi->path),
                    "store the list in a `let mut` variable first");
        }
        hc_local *root = ck_place_root(e->args.v[0]);
        if (root) {
            root->assigned = 1;
        }
        ck_note_store(c, root, b->elem);
    }
    if (bi->err) {
        e->fallible = std_error_type(c, bi->err);
    }
    switch (bi->kind) {
    case BI_AT:
        return b->elem;
    case BI_COUNT:
        return TY(c, TY_INT);
    default:
        return TY(c, TY_UNIT);
    }
}

/* The type of a built-in signature code: 'T' names a declaration of the built-in seed. */
static hc_type *sig_type(hc_ctx *c, char code, const char *tname) {
    if (code != 'T') {
        return hc_builtin_code_type(c->P->types, code);
    }
    hc_decl *d = hc_symtab_get(c->P->std->names, tname);
    if (!d || !d->ty) {
        return TY(c, TY_ERROR);
    }
    d->used = 1;
    return d->ty;
}

/* A `V` argument: a `@form(vec)` locus whose cells are Strings. */
static void ck_vec_arg(hc_ctx *c, hc_expr *a, const char *fn) {
    hc_type *t = ck_expr(c, a, NULL);
    if (t->kind == TY_ERROR) {
        return;
    }
    hc_form *f = t->kind == TY_LOCUS && t->decl ? t->decl->form : NULL;
    if (!f || f->kind != FORM_VEC || !f->elem || f->elem->kind != TY_STRING) {
        hc_help(hc_error(c->P->d, a->pos, "`%s` takes a `@form(vec)` of Strings, found `%s`", fn,
                         TNAME(c, t)),
                "declare one: `@form(vec) locus Fields { capacity { heap items of String; } }`");
    }
}

/* `first`: the first argument's type when it was already checked (choosing an overload). */
static hc_type *ck_sig(hc_ctx *c, hc_expr *e, const hc_builtin *bi, hc_type *first) {
    hc_builtin_sig sg;
    hc_builtin_parse_sig(c->P->a, bi->sig, &sg);
    hc_type *ret = sig_type(c, sg.ret, sg.ret_tname);
    if (!arity(c, e, sg.n, bi->path)) {
        return ret;
    }
    for (int i = 0; i < sg.n; i++) {
        if (i == 0 && first) {
            ck_coerce(c, e->args.v[0], first, sig_type(c, sg.code[0], sg.tname[0]),
                      "this argument");
            continue;
        }
        if (sg.code[i] == 'V') {
            ck_vec_arg(c, e->args.v[i], bi->path);
            continue;
        }
        hc_type *want = sig_type(c, sg.code[i], sg.tname[i]);
        hc_type *t = ck_expr(c, e->args.v[i], want);
        ck_coerce(c, e->args.v[i], t, want, "this argument");
    }
    if (bi->allocates || ret->heap || ret->kind == TY_LOCUS) {
        ck_alloc(c, e);
    }
    if (ret->kind == TY_LOCUS && c->fn) {
        c->fn->has_loci = 1; /* the call makes a std locus held like a `let` */
    }
    if (bi->err) {
        e->fallible = std_error_type(c, bi->err);
    }
    return ret;
}

/* Whether `from_json` / `to_json` can carry a field of type t (recursively for records). */
static const char *json_unsupported(hc_type *t, int depth) {
    switch (t->kind) {
    case TY_INT:
    case TY_FLOAT:
    case TY_BOOL:
    case TY_STRING:
    case TY_ERROR:
        return NULL;
    case TY_ARRAY:
        return t->len >= 0 ? "a fixed-size array" : json_unsupported(t->elem, depth + 1);
    case TY_RECORD:
        if (depth > 32) {
            return "a record nested this deep";
        }
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_texpr *fx = t->decl->fields.v[i].type;
            const char *why = fx && fx->resolved ? json_unsupported(fx->resolved, depth + 1) : NULL;
            if (why) {
                return why;
            }
        }
        return NULL;
    default:
        return "this type";
    }
}

/* T::from_json(s) -> T fallible(JsonError) and T::to_json(v) -> String on a record T. */
static hc_type *ck_json_call(hc_ctx *c, hc_expr *e, const hc_builtin *bi) {
    hc_decl *rec = e->lhs->decl;
    hc_type *rt = rec ? rec->ty : TY(c, TY_ERROR);
    if (!arity(c, e, 1, bi->path)) {
        return bi->kind == BI_FROM_JSON ? rt : TY(c, TY_STRING);
    }
    hc_type *want = bi->kind == BI_FROM_JSON ? TY(c, TY_STRING) : rt;
    ck_coerce(c, e->args.v[0], ck_expr(c, e->args.v[0], want), want, "this argument");
    for (int i = 0; rec && i < rec->fields.n; i++) {
        hc_param *f = &rec->fields.v[i];
        hc_type *ft = f->type ? f->type->resolved : NULL;
        const char *why = ft ? json_unsupported(ft, 0) : NULL;
        if (why) {
            hc_help(hc_error(c->P->d, e->pos, "`%s::%s` cannot carry field `%s` (%s)",
                             rec->name.name, bi->path, f->name.name, why),
                    "JSON fields are Int, Float, Bool, String, records and arrays of those");
        }
        int literal = f->def && (f->def->kind == E_INT || f->def->kind == E_FLOAT ||
                                 f->def->kind == E_BOOL || f->def->kind == E_STRING ||
                                 (f->def->kind == E_ARRAY && f->def->args.n == 0));
        if (bi->kind == BI_FROM_JSON && f->def && !literal) {
            hc_help(hc_error(c->P->d, f->def->pos,
                             "`%s::from_json` fills a missing `%s` with its default, which must "
                             "be a literal",
                             rec->name.name, f->name.name),
                    "write the default as a literal value");
        }
    }
    ck_alloc(c, e);
    if (bi->kind == BI_FROM_JSON) {
        e->fallible = std_error_type(c, "JsonError");
        return rt;
    }
    return TY(c, TY_STRING);
}

static hc_type *ck_builtin(hc_ctx *c, hc_expr *e, const hc_builtin *bi) {
    e->lhs->ref = REF_BUILTIN;
    e->lhs->builtin = bi;
    switch (bi->kind) {
    case BI_SIG:
        if (hc_builtin_next(bi) && e->args.n > 0) {
            /* overloads on the first argument's type (std::http::header) */
            hc_type *t0 = ck_expr(c, e->args.v[0], NULL);
            for (const hc_builtin *o = bi; o; o = hc_builtin_next(o)) {
                hc_builtin_sig sg;
                hc_builtin_parse_sig(c->P->a, o->sig, &sg);
                if (sg.n > 0 && sig_type(c, sg.code[0], sg.tname[0]) == t0) {
                    bi = o;
                    break;
                }
            }
            e->lhs->builtin = bi;
            return ck_sig(c, e, bi, t0);
        }
        return ck_sig(c, e, bi, NULL);
    case BI_PRINT:
    case BI_PRINTLN:
    case BI_EPRINT:
    case BI_EPRINTLN:
        for (int i = 0; i < e->args.n; i++) {
            hc_type *t = ck_expr(c, e->args.v[i], NULL);
            if (!ck_printable(t)) {
                hc_error(c->P->d, e->args.v[i]->pos, "a value of type `%s` cannot be printed",
                         TNAME(c, t));
            }
        }
        return TY(c, TY_UNIT);
    case BI_FROM_JSON:
    case BI_TO_JSON:
        return ck_json_call(c, e, bi);
    case BI_CHECK_CLOSURES:
        if (!c->locus || !c->fn) {
            hc_error(c->P->d, e->pos, "`check_closures()` is only valid inside a locus method");
        }
        arity(c, e, 0, "check_closures");
        return TY(c, TY_UNIT);
    case BI_LEN: {
        if (!arity(c, e, 1, "len")) {
            return TY(c, TY_INT);
        }
        hc_type *t = ck_expr(c, e->args.v[0], NULL);
        if (t->kind != TY_STRING && t->kind != TY_ARRAY && t->kind != TY_BOUNDED &&
            t->kind != TY_BYTES && t->kind != TY_ERROR) {
            hc_error(c->P->d, e->args.v[0]->pos,
                     "`len` takes a String, Bytes, an array or a bounded "
                     "list, found `%s`",
                     TNAME(c, t));
        }
        return TY(c, TY_INT);
    }
    case BI_TO_STRING: {
        if (!arity(c, e, 1, "to_string")) {
            return TY(c, TY_STRING);
        }
        hc_type *t = ck_expr(c, e->args.v[0], NULL);
        if (!ck_printable(t)) {
            hc_error(c->P->d, e->args.v[0]->pos,
                     "a value of type `%s` cannot be converted to "
                     "a String",
                     TNAME(c, t));
        }
        if (t->kind != TY_STRING) {
            ck_alloc(c, e);
        }
        return TY(c, TY_STRING);
    }
    case BI_MIN:
    case BI_MAX:
    case BI_ABS: {
        int n = bi->kind == BI_ABS ? 1 : 2;
        if (!arity(c, e, n, bi->path)) {
            return TY(c, TY_ERROR);
        }
        hc_type *a = ck_expr(c, e->args.v[0], NULL);
        hc_type *b = n == 2 ? ck_expr(c, e->args.v[1], NULL) : a;
        if (a->kind == TY_ERROR || b->kind == TY_ERROR) {
            return TY(c, TY_ERROR);
        }
        if (a == b && (a->kind == TY_INT || a->kind == TY_FLOAT || a->kind == TY_DURATION)) {
            return a;
        }
        if (hc_ty_is_numeric(a) && hc_ty_is_numeric(b)) {
            e->args.v[0]->widen = a->kind == TY_INT;
            e->args.v[1]->widen = b->kind == TY_INT;
            return TY(c, TY_FLOAT);
        }
        if (n == 1) {
            hc_error(c->P->d, e->pos, "`abs` takes an Int, a Float or a Duration, found `%s`",
                     TNAME(c, a));
        } else {
            hc_error(c->P->d, e->pos,
                     "`%s` takes two numbers or two durations, found `%s` and "
                     "`%s`",
                     bi->path, TNAME(c, a), TNAME(c, b));
        }
        return TY(c, TY_ERROR);
    }
    default:
        return ck_bounded_op(c, e, bi);
    }
}

static hc_type *ck_conversion(hc_ctx *c, hc_expr *e, const char *to) {
    if (!arity(c, e, 1, to)) {
        return TY(c, TY_ERROR);
    }
    hc_type *t = ck_expr(c, e->args.v[0], NULL);
    e->lhs->ref = REF_TYPE;
    if (t->kind == TY_ERROR) {
        return t;
    }
    hc_type *r = strcmp(to, "Int") == 0 ? TY(c, TY_INT) : TY(c, TY_FLOAT);
    if (!hc_ty_is_numeric(t)) {
        hc_help(
            hc_error(c->P->d, e->pos, "`%s(...)` converts a number, found `%s`", to, TNAME(c, t)),
            t->kind == TY_STRING ? "parse text with std::str::parse_int(s) or "
                                   "std::str::parse_float(s)"
                                 : "convert between Int and Float only");
        return TY(c, TY_ERROR);
    }
    return r;
}

static hc_type *ck_variant_call(hc_ctx *c, hc_expr *e, hc_decl *en, int v) {
    hc_variant *var = &en->variants.v[v];
    e->lhs->ref = REF_VARIANT;
    e->lhs->decl = en;
    e->lhs->variant = v;
    if (!var->has_payload) {
        hc_error(c->P->d, e->pos, "`%s::%s` carries no value; write it without `(...)`",
                 en->name.name, var->name.name);
        return en->ty;
    }
    if (e->args.n != var->payload.n) {
        hc_error(c->P->d, e->pos, "`%s::%s` carries %d value%s but %d %s given", en->name.name,
                 var->name.name, var->payload.n, plural(var->payload.n), e->args.n,
                 e->args.n == 1 ? "was" : "were");
    }
    for (int i = 0; i < e->args.n; i++) {
        hc_type *want = i < var->payload.n ? var->payload.v[i]->resolved : NULL;
        hc_type *t = ck_expr(c, e->args.v[i], want);
        if (want) {
            ck_coerce(c, e->args.v[i], t, want, "the variant's value");
        }
    }
    return en->ty;
}

/* Whether `name` is a function-typed field of record or locus type `t` (and no method of it). */
static int fn_field(hc_type *t, const char *name) {
    int idx = -1;
    hc_type *ft = NULL;
    if (t->kind == TY_RECORD && ck_record_field(t, name, &idx)) {
        ft = t->decl->fields.v[idx].type->resolved;
    } else if (t->kind == TY_LOCUS && !ck_locus_method(t->decl, name)) {
        ck_locus_param(t->decl, name, &idx, &ft);
    }
    return idx >= 0 && ft && ft->kind == TY_FN;
}

static hc_type *ck_method_call(hc_ctx *c, hc_expr *e) {
    hc_expr *f = e->lhs;
    hc_type *st = ck_slot_call(c, e);
    if (st) {
        return st;
    }
    hc_type *t = ck_expr(c, f->lhs, NULL);
    if (t->kind == TY_ERROR) {
        for (int i = 0; i < e->args.n; i++) {
            ck_expr(c, e->args.v[i], NULL);
        }
        return t;
    }
    if (fn_field(t, f->field.name)) {
        /* a function stored in a record field or locus parameter, called through it */
        hc_type *ft = ck_expr(c, f, NULL);
        ck_fn_value_args(c, e, ft);
        return call_result(c, e, ft->elem, NULL);
    }
    int slot = 0;
    hc_decl *im = t->kind == TY_IFACE ? ck_iface_method(c->P, t->decl, f->field.name, &slot) : NULL;
    if (im) {
        f->ref = REF_IFACE_METHOD;
        f->decl = im;
        f->variant = slot;
        f->ty = im->ty;
        ck_args(c, e, &im->params, im->ty, f->field.name, NULL);
        return call_result(c, e, im->ret_ty, NULL);
    }
    if (t->kind == TY_IFACE) {
        hc_error(c->P->d, f->pos, "interface `%s` has no method `%s`", t->decl->name.name,
                 f->field.name);
    } else if (t->kind == TY_LOCUS) {
        hc_decl *m = ck_locus_method(t->decl, f->field.name);
        if (m && !m->ty) {
            ck_decl_signature(c->P, m); /* called before the methods' pass (a default) */
        }
        if (m && m->ty) {
            f->ref = REF_METHOD;
            f->decl = m;
            f->ty = m->ty;
            ck_args(c, e, &m->params, m->ty, f->field.name, NULL);
            return call_result(c, e, m->ret_ty, m->err_ty);
        }
        hc_type *ft = ck_form_call(c, e, t);
        if (ft) {
            return ft;
        }
        hc_error(c->P->d, f->pos, "locus `%s` has no method `%s`", t->decl->name.name,
                 f->field.name);
    } else {
        hc_diag *g = hc_error(c->P->d, f->pos, "a value of type `%s` has no method `%s`",
                              TNAME(c, t), f->field.name);
        if (t->kind == TY_STRING || t->kind == TY_ARRAY || t->kind == TY_BOUNDED) {
            hc_help(g, "built-ins are called as functions: `%s(x, ...)`", f->field.name);
        } else if (t->kind == TY_RECORD) {
            hc_help(g, "records are plain data; write a function that takes a `%s`", TNAME(c, t));
        }
    }
    for (int i = 0; i < e->args.n; i++) {
        ck_expr(c, e->args.v[i], NULL);
    }
    return TY(c, TY_ERROR);
}

hc_type *ck_call(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_expr *f = e->lhs;
    if (f->kind == E_FIELD) {
        return ck_method_call(c, e);
    }
    if (f->kind == E_NAME) {
        const char *first = f->path.seg[0].name;
        hc_local *l = f->path.n == 1 ? ck_lookup(c, first) : NULL;
        if (!l && f->path.n == 1 && (strcmp(first, "Int") == 0 || strcmp(first, "Float") == 0)) {
            return ck_conversion(c, e, first);
        }
        if (!l) {
            hc_resolved r;
            if (!ck_resolve_path(c, &f->path, &r, 1)) {
                for (int i = 0; i < e->args.n; i++) {
                    ck_expr(c, e->args.v[i], NULL);
                }
                return TY(c, TY_ERROR);
            }
            if (r.kind == RS_BUILTIN) {
                f->decl = r.decl; /* T::from_json's record */
                return ck_builtin(c, e, r.builtin);
            }
            if (r.kind == RS_VARIANT) {
                return ck_variant_call(c, e, r.decl, r.variant);
            }
            hc_decl *d = r.decl;
            d->used = 1;
            hc_type **pre = NULL;
            if (d->kind == D_FN && d->generics.n) {
                pre = hc_alloc(c->P->a, sizeof(hc_type *) * (size_t)(e->args.n + 1));
                d = ck_generic_call(c, e, d, expect, pre);
                if (!d) {
                    return TY(c, TY_ERROR);
                }
            }
            if (d->kind == D_FN) {
                if (!d->ty) {
                    return TY(c, TY_ERROR);
                }
                f->ref = REF_FN;
                f->decl = d;
                f->ty = d->ty;
                ck_args(c, e, &d->params, d->ty, d->name.name, pre);
                return call_result(c, e, d->ret_ty, d->err_ty);
            }
            if (d->kind == D_RECORD || d->kind == D_LOCUS) {
                hc_help(hc_error(c->P->d, e->pos, "`%s` is a type, not a function", d->name.name),
                        "build one with `%s { field: value, ... }`", d->name.name);
                return TY(c, TY_ERROR);
            }
        }
    }
    hc_type *ft = ck_expr(c, f, NULL);
    if (ft->kind == TY_ERROR) {
        for (int i = 0; i < e->args.n; i++) {
            ck_expr(c, e->args.v[i], NULL);
        }
        return ft;
    }
    if (ft->kind != TY_FN) {
        hc_error(c->P->d, e->pos, "a value of type `%s` cannot be called", TNAME(c, ft));
        return TY(c, TY_ERROR);
    }
    ck_fn_value_args(c, e, ft);
    return call_result(c, e, ft->elem, NULL);
}

/* ---- record and locus literals ---- */

hc_type *ck_struct_lit(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_program *P = c->P;
    hc_resolved r;
    if (!ck_resolve_path(c, &e->path, &r, 1)) {
        for (int i = 0; i < e->inits.n; i++) {
            ck_expr(c, e->inits.v[i].value, NULL);
        }
        return TY(c, TY_ERROR);
    }
    hc_decl *d = r.kind == RS_DECL ? r.decl : NULL;
    hc_type *ty = d ? d->ty : NULL;
    if (d && d->kind == D_ALIAS) {
        ty = d->ty;
        d = ty && ty->kind == TY_RECORD ? ty->decl : NULL;
    }
    if (!d || (d->kind != D_RECORD && d->kind != D_LOCUS)) {
        hc_error(P->d, e->pos, "`%s` is not a record type or a locus",
                 e->path.seg[e->path.n - 1].name);
        return TY(c, TY_ERROR);
    }
    d->used = 1;
    hc_type **pre = NULL; /* the types of values a generic's inference checked already */
    if (d->generics.n) {
        pre = hc_alloc(P->a, sizeof(hc_type *) * (size_t)(e->inits.n + 1));
        d = ck_generic_literal(c, e, d, expect, pre);
        if (!d) {
            for (int i = 0; i < e->inits.n; i++) {
                if (!pre[i]) {
                    ck_expr(c, e->inits.v[i].value, NULL);
                }
            }
            return TY(c, TY_ERROR);
        }
    }
    e->decl = d;
    int is_locus = d->kind == D_LOCUS;
    if (is_locus) {
        /* where a locus or an interface is expected (an argument, an element, a return) a
         * literal is a value: the locus making it holds it (emit_expr.c, em_struct) */
        int as_value = expect && (expect->kind == TY_LOCUS || expect->kind == TY_IFACE);
        if (c->locus_ok != e && !as_value) {
            hc_help(
                hc_error(P->d, e->pos, "a locus literal cannot be used as a value here"),
                "instantiate it as a statement (`%s { ... };`), bind it (`let x = %s { ... };`) "
                "or store it in a locus field (`self.f = %s { ... };`)",
                d->name.name, d->name.name, d->name.name);
        }
        c->locus_ok = NULL;
        if (c->fn) {
            c->fn->has_loci = 1;
        }
        ck_alloc(c, e); /* the parameters are computed in the caller's scratch */
    }
    int nfields = 0;
    if (!is_locus) {
        nfields = d->fields.n;
    } else {
        for (int i = 0; i < d->members.n; i++) {
            if (d->members.v[i]->kind == M_PARAMS) {
                nfields += d->members.v[i]->lparams.n;
            }
        }
    }
    char *given = hc_alloc(P->a, (size_t)nfields + 1);
    for (int i = 0; i < e->inits.n; i++) {
        hc_field_init *fi = &e->inits.v[i];
        int idx = -1;
        hc_type *ft = NULL;
        if (!is_locus) {
            if (ck_record_field(d->ty, fi->name.name, &idx)) {
                ft = d->fields.v[idx].type->resolved;
            }
        } else {
            ck_locus_param(d, fi->name.name, &idx, &ft);
        }
        if (idx < 0) {
            hc_diag *g = hc_error(P->d, fi->name.pos, "`%s` has no %s `%s`", d->name.name,
                                  is_locus ? "parameter" : "field", fi->name.name);
            if (!is_locus && d->fields.n) {
                hc_buf b = {0};
                for (int k = 0; k < d->fields.n; k++) {
                    hc_buf_printf(&b, "%s%s", k ? ", " : "", d->fields.v[k].name.name);
                }
                hc_help(g, "its fields are %s", hc_buf_cstr(&b));
                hc_buf_free(&b);
            }
            if (!pre || !pre[i]) {
                ck_expr(c, fi->value, NULL);
            }
            continue;
        }
        if (given[idx]) {
            hc_error(P->d, fi->name.pos, "`%s` is given twice", fi->name.name);
        }
        given[idx] = 1;
        fi->field = idx;
        if (is_locus && ft && ft->kind == TY_LOCUS) {
            c->locus_ok = fi->value; /* a locus parameter is born as a child: a literal */
        }
        hc_type *t = pre && pre[i] ? pre[i] : ck_expr(c, fi->value, ft);
        c->locus_ok = NULL;
        int fits = 1;
        if (ft) {
            fits = ck_coerce(c, fi->value, t, ft, is_locus ? "the parameter" : "the field");
        }
        if (is_locus && fits && ft && (ft->kind == TY_LOCUS || ft->kind == TY_IFACE) &&
            fi->value->kind != E_STRUCT && t->kind != TY_ERROR) {
            ck_param_given_ref(c, d, fi->name.name, fi->value->pos); /* check_params.c */
        }
    }
    if (is_locus) {
        ck_required_params(c, e, d, given);
    }
    if (is_locus && d->seed == P->std && strcmp(d->name.name, "HttpServer") == 0) {
        int hi = -1;
        hc_type *ht = NULL;
        ck_locus_param(d, "handler", &hi, &ht);
        if (hi >= 0 && !given[hi]) {
            hc_help(hc_error(P->d, e->pos, "std::http::Server: `handler` is required"),
                    "give it a locus with `fn handle(req: std::http::Request) -> "
                    "std::http::Response`: `handler: Routes { }`");
        }
    }
    if (!is_locus) {
        hc_buf b = {0};
        int missing = 0;
        for (int k = 0; k < d->fields.n; k++) {
            hc_param *f = &d->fields.v[k];
            hc_type *ft = f->type ? f->type->resolved : NULL;
            if (!given[k] && f->def) {
                default_used(c, e, f->def);
            }
            if (!given[k] && !f->def && !(ft && ft->kind == TY_BOUNDED)) {
                hc_buf_printf(&b, "%s`%s`", missing ? ", " : "", f->name.name);
                missing++;
            }
        }
        if (missing) {
            hc_help(hc_error(P->d, e->pos, "missing field%s %s in `%s`", plural(missing),
                             hc_buf_cstr(&b), d->name.name),
                    "give every field without a default a value");
        }
        hc_buf_free(&b);
    }
    return d->ty;
}
