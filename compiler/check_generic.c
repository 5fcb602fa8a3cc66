/* Generic records, enums, functions and loci, by monomorphization.
 *
 * A declaration with type parameters (`type Box<T> { ... }`, `fn first<T>(x: T) -> T`,
 * `locus Holder<T> { ... }`) is a template: it is never checked or emitted itself. Each distinct
 * list of type arguments makes one instance, an ordinary declaration named after the template and
 * its arguments (`Box_Int`, `Holder_Box_String`), which is how Hale spells a monomorph, so that
 * name can also be written directly. An instance is the template parsed again from its tokens
 * with each type parameter standing for its argument (hc_parse_instance), then checked like any
 * declaration written in the template's seed: the passes it missed run at once (ck_catch_up), and
 * those still to come reach it in the seed's list.
 *
 * Arguments come from a type expression (`Box<Int>`), from the type a literal is expected to have
 * (`let b: Box<Int> = Box { value: 1 };`), or are inferred from the values given (a call's
 * arguments, a literal's fields), matching each parameter's written type against the value's. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"
#include "parse.h"

/* How many instances one template may have: a generic that instantiates itself with ever larger
 * arguments (f<T> calling f<[T]>) stops here with an error instead of running away. */
#define MAX_INSTANCES 64

static void mangle_into(hc_buf *b, const hc_type *t, hc_arena *a) {
    switch (t->kind) {
    case TY_RECORD:
    case TY_ENUM:
    case TY_LOCUS:
        hc_buf_printf(b, "%s", t->decl->name.name);
        return;
    case TY_ARRAY:
        hc_buf_printf(b, "Array_");
        mangle_into(b, t->elem, a);
        if (t->len >= 0) {
            hc_buf_printf(b, "_%lld", (long long)t->len);
        }
        return;
    default:
        break;
    }
    /* other types by their spelling, kept to the characters of an identifier */
    for (const char *s = hc_type_name(a, t); *s; s++) {
        char ch = *s;
        int ident = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_';
        hc_buf_printf(b, "%c", ident ? ch : '_');
    }
}

static const char *instance_name(hc_program *P, hc_decl *tmpl, hc_type **args) {
    hc_buf b = {0};
    hc_buf_printf(&b, "%s", tmpl->name.name);
    for (int i = 0; i < tmpl->generics.n; i++) {
        hc_buf_printf(&b, "_");
        mangle_into(&b, args[i], P->a);
    }
    const char *r = hc_sprintf(P->a, "%s", hc_buf_cstr(&b));
    hc_buf_free(&b);
    return r;
}

hc_decl *ck_instance(hc_program *P, hc_decl *tmpl, hc_type **args, hc_pos at) {
    for (int i = 0; i < tmpl->generics.n; i++) {
        if (args[i]->kind == TY_ERROR) {
            return NULL;
        }
    }
    const char *name = instance_name(P, tmpl, args);
    hc_seed *s = tmpl->seed;
    hc_decl *old = hc_symtab_get(s->names, name);
    if (old) {
        if (old->generic_of != tmpl) {
            hc_note(hc_error(P->d, at, "`%s` is both an instance of generic `%s` and a declaration",
                             name, tmpl->name.name),
                    old->name.pos, "declared here");
            return NULL;
        }
        return old;
    }
    if (tmpl->ninstances >= MAX_INSTANCES) {
        hc_help(hc_error(P->d, at, "generic `%s` has more than %d instances", tmpl->name.name,
                         MAX_INSTANCES),
                "a generic that uses itself with a larger type argument never ends");
        return NULL;
    }
    for (int i = 0; i < tmpl->generics.n; i++) {
        hc_texpr *b = i < tmpl->gbounds.n ? tmpl->gbounds.v[i] : NULL;
        if (b && b->kind == TE_NAME && strcmp(b->path.seg[0].name, "Numeric") == 0 &&
            !hc_ty_is_numeric(args[i]) && args[i]->kind != TY_DECIMAL && args[i]->kind != TY_UINT) {
            hc_note(hc_error(P->d, at, "`%s` of `%s` must be Numeric, found `%s`",
                             tmpl->generics.v[i], tmpl->name.name, hc_type_name(P->a, args[i])),
                    b->pos, "bound here");
            return NULL;
        }
    }
    tmpl->ninstances++;
    hc_type **targs = hc_alloc(P->a, sizeof(hc_type *) * (size_t)tmpl->generics.n);
    memcpy(targs, args, sizeof(hc_type *) * (size_t)tmpl->generics.n);
    hc_decl *d = hc_parse_instance(P->a, P->d, tmpl, tmpl->generics.v, targs, tmpl->generics.n);
    if (!d) {
        return NULL;
    }
    d->name.name = name;
    d->generics = (hc_names){0};
    d->gbounds = (hc_texprs){0};
    d->generic_of = tmpl;
    d->targs = targs;
    d->made_at = at;
    d->seed = s;
    for (int k = 0; k < d->members.n; k++) {
        d->members.v[k]->seed = s;
    }
    hc_symtab_put(s->names, name, d);
    HC_PUSH(P->a, s->decls, d);
    ck_catch_up(P, d);
    return d;
}

void ck_instance_notes(hc_program *P, hc_decl *fn, int mark) {
    hc_decl *inst = fn->generic_of ? fn : fn->locus && fn->locus->generic_of ? fn->locus : NULL;
    if (!inst || inst->made_at.file < 0) {
        return;
    }
    for (hc_diag *g; (g = hc_diag_nth(P->d, mark)); mark++) {
        hc_note(g, inst->made_at, "in `%s`, the instance of `%s` needed here", inst->name.name,
                inst->generic_of->name.name);
    }
}

/* ---- instances spelt by name: Box_Int, Pair_String_Box_Int ---- */

typedef struct {
    hc_program *P;
    hc_seed *seed;
    char **seg;
    int n;
} mangled;

/* One type starting at segment i (a name may itself hold underscores: the shortest that names
 * something wins); the index after it, or -1. */
static int take_type(mangled *m, int i, hc_type **out, int depth) {
    if (depth > 16) {
        return -1;
    }
    hc_buf b = {0};
    int r = -1;
    for (int j = i; j < m->n && r < 0; j++) {
        hc_buf_printf(&b, "%s%s", j > i ? "_" : "", m->seg[j]);
        const char *name = hc_buf_cstr(&b);
        hc_type *pt = ck_prim_named(m->P, name);
        if (pt) {
            *out = pt;
            r = j + 1;
            break;
        }
        hc_decl *d = hc_seed_lookup(m->P, m->seed, name);
        if (!d) {
            continue;
        }
        if (d->generics.n) {
            hc_type **args = hc_alloc(m->P->a, sizeof(hc_type *) * (size_t)d->generics.n);
            int k = j + 1;
            for (int g = 0; g < d->generics.n && k >= 0; g++) {
                k = take_type(m, k, &args[g], depth + 1);
            }
            if (k < 0) {
                continue;
            }
            hc_pos nowhere = {-1, 0, 0, 0};
            hc_decl *inst = ck_instance(m->P, d, args, nowhere);
            if (inst) {
                *out = inst->ty;
                r = k;
            }
        } else if ((d->kind == D_RECORD || d->kind == D_ENUM || d->kind == D_LOCUS) && d->ty) {
            *out = d->ty;
            r = j + 1;
        }
    }
    hc_buf_free(&b);
    return r;
}

hc_decl *ck_seed_lookup(hc_program *P, hc_seed *seed, const char *name) {
    hc_decl *d = hc_seed_lookup(P, seed, name);
    if (d || !strchr(name, '_') || !P->phase) {
        return d;
    }
    mangled m = {P, seed, NULL, 0};
    char *copy = hc_sprintf(P->a, "%s", name);
    m.seg = hc_alloc(P->a, sizeof(char *) * (strlen(name) + 1));
    for (char *tok = strtok(copy, "_"); tok; tok = strtok(NULL, "_")) {
        m.seg[m.n++] = tok;
    }
    hc_type *t = NULL;
    if (m.n < 2 || take_type(&m, 0, &t, 0) != m.n || !t || !t->decl) {
        return NULL;
    }
    return t->decl->generic_of ? t->decl : NULL;
}

/* ---- inference ---- */

static int param_index(hc_decl *tmpl, const char *name) {
    for (int i = 0; i < tmpl->generics.n; i++) {
        if (strcmp(tmpl->generics.v[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Whether the written type mentions one of the template's type parameters. */
static int mentions(hc_decl *tmpl, hc_texpr *t) {
    if (!t) {
        return 0;
    }
    if (t->kind == TE_NAME && t->path.n == 1 && param_index(tmpl, t->path.seg[0].name) >= 0) {
        return 1;
    }
    for (int i = 0; i < t->args.n; i++) {
        if (mentions(tmpl, t->args.v[i])) {
            return 1;
        }
    }
    return mentions(tmpl, t->elem);
}

/* Matches written type `t` against the type `v` of a value, binding type parameters. */
static void unify(hc_decl *tmpl, hc_texpr *t, hc_type *v, hc_type **binds) {
    if (!t || !v || v->kind == TY_ERROR) {
        return;
    }
    switch (t->kind) {
    case TE_NAME: {
        int g = t->path.n == 1 ? param_index(tmpl, t->path.seg[0].name) : -1;
        if (g >= 0) {
            if (!binds[g] && v->kind != TY_NEVER) {
                binds[g] = v;
            }
            return;
        }
        if (t->args.n && (v->kind == TY_RECORD || v->kind == TY_ENUM || v->kind == TY_LOCUS) &&
            v->decl->generic_of &&
            strcmp(v->decl->generic_of->name.name, t->path.seg[t->path.n - 1].name) == 0) {
            for (int i = 0; i < t->args.n && i < v->decl->generic_of->generics.n; i++) {
                unify(tmpl, t->args.v[i], v->decl->targs[i], binds);
            }
        }
        return;
    }
    case TE_ARRAY:
    case TE_BOUNDED:
        if (v->kind == TY_ARRAY || v->kind == TY_BOUNDED) {
            unify(tmpl, t->elem, v->elem, binds);
        }
        return;
    case TE_TUPLE:
        if (v->kind == TY_TUPLE && v->nitems == t->args.n) {
            for (int i = 0; i < t->args.n; i++) {
                unify(tmpl, t->args.v[i], v->items[i], binds);
            }
        }
        return;
    case TE_FN:
        if (v->kind == TY_FN && v->nitems == t->args.n) {
            for (int i = 0; i < t->args.n; i++) {
                unify(tmpl, t->args.v[i], v->items[i], binds);
            }
            unify(tmpl, t->elem, v->elem, binds);
        }
        return;
    default:
        return;
    }
}

/* The instance once every parameter is bound; reports the first one that is not. */
static hc_decl *bound_instance(hc_ctx *c, hc_decl *tmpl, hc_type **binds, hc_pos at,
                               const char *how) {
    for (int i = 0; i < tmpl->generics.n; i++) {
        if (!binds[i]) {
            hc_help(hc_error(c->P->d, at, "cannot infer type parameter `%s` of `%s`",
                             tmpl->generics.v[i], tmpl->name.name),
                    "%s", how);
            return NULL;
        }
    }
    return ck_instance(c->P, tmpl, binds, at);
}

hc_decl *ck_generic_call(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect, hc_type **pre) {
    hc_type **binds = hc_alloc(c->P->a, sizeof(hc_type *) * (size_t)tmpl->generics.n);
    for (int i = 0; i < e->args.n; i++) {
        hc_texpr *pt = i < tmpl->params.n ? tmpl->params.v[i].type : NULL;
        hc_type *want = pt && !mentions(tmpl, pt) ? ck_texpr(c->P, tmpl->seed, NULL, pt) : NULL;
        pre[i] = ck_expr(c, e->args.v[i], want);
        if (pt) {
            unify(tmpl, pt, pre[i], binds);
        }
    }
    if (expect && tmpl->ret) {
        unify(tmpl, tmpl->ret, expect, binds);
    }
    return bound_instance(c, tmpl, binds, e->pos,
                          "pass arguments whose types fix it, or bind the result with a type");
}

hc_decl *ck_generic_value(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect) {
    hc_type **binds = hc_alloc(c->P->a, sizeof(hc_type *) * (size_t)tmpl->generics.n);
    if (expect && expect->kind == TY_FN && expect->nitems == tmpl->params.n) {
        for (int i = 0; i < tmpl->params.n; i++) {
            unify(tmpl, tmpl->params.v[i].type, expect->items[i], binds);
        }
        if (tmpl->ret) {
            unify(tmpl, tmpl->ret, expect->elem, binds);
        }
    }
    return bound_instance(c, tmpl, binds, e->pos,
                          hc_sprintf(c->P->a,
                                     "a generic function is a value once its types are known: "
                                     "`let f: fn(...) -> ... = %s;`",
                                     tmpl->name.name));
}

hc_decl *ck_generic_literal(hc_ctx *c, hc_expr *e, hc_decl *tmpl, hc_type *expect, hc_type **pre) {
    if (expect && expect->decl && expect->decl->generic_of == tmpl) {
        return expect->decl;
    }
    if (expect && expect->kind == TY_ERROR) {
        return NULL; /* the expected type was wrong (reported) */
    }
    hc_type **binds = hc_alloc(c->P->a, sizeof(hc_type *) * (size_t)tmpl->generics.n);
    for (int i = 0; i < e->inits.n; i++) {
        hc_texpr *ft = NULL;
        const char *fname = e->inits.v[i].name.name;
        if (tmpl->kind == D_RECORD) {
            for (int k = 0; k < tmpl->fields.n && !ft; k++) {
                if (strcmp(tmpl->fields.v[k].name.name, fname) == 0) {
                    ft = tmpl->fields.v[k].type;
                }
            }
        } else {
            for (int m = 0; m < tmpl->members.n && !ft; m++) {
                hc_decl *pm = tmpl->members.v[m];
                for (int k = 0; pm->kind == M_PARAMS && k < pm->lparams.n && !ft; k++) {
                    if (strcmp(pm->lparams.v[k].name.name, fname) == 0) {
                        ft = pm->lparams.v[k].type;
                    }
                }
            }
        }
        if (ft && mentions(tmpl, ft) && e->inits.v[i].value->kind != E_STRUCT) {
            pre[i] = ck_expr(c, e->inits.v[i].value, NULL);
            unify(tmpl, ft, pre[i], binds);
        }
    }
    return bound_instance(
        c, tmpl, binds, e->pos,
        hc_sprintf(c->P->a, "give the type: `let x: %s<...> = %s { ... };`, or name the instance",
                   tmpl->name.name, tmpl->name.name));
}

hc_type *ck_generic_texpr(hc_program *P, hc_seed *seed, hc_decl *locus, hc_texpr *t, hc_decl *d) {
    if (!d->generics.n) {
        if (t->args.n) {
            hc_error(P->d, t->pos, "`%s` takes no type arguments", d->name.name);
        }
        return NULL;
    }
    if (t->args.n != d->generics.n) {
        hc_buf b = {0};
        for (int i = 0; i < d->generics.n; i++) {
            hc_buf_printf(&b, "%s%s", i ? ", " : "", d->generics.v[i]);
        }
        hc_help(hc_error(P->d, t->pos, "generic `%s` takes %d type argument%s, %d given",
                         d->name.name, d->generics.n, d->generics.n == 1 ? "" : "s", t->args.n),
                "write `%s<%s>`", d->name.name, hc_buf_cstr(&b));
        hc_buf_free(&b);
        return hc_ty_prim(P->types, TY_ERROR);
    }
    hc_type **args = hc_alloc(P->a, sizeof(hc_type *) * (size_t)t->args.n);
    for (int i = 0; i < t->args.n; i++) {
        args[i] = ck_texpr(P, seed, locus, t->args.v[i]);
    }
    hc_decl *inst = ck_instance(P, d, args, t->pos);
    return inst ? inst->ty : hc_ty_prim(P->types, TY_ERROR);
}

/* A bound is `Numeric` (Int, Float, Uint, Decimal) or a projection class (not checked). */
static void check_bounds(hc_program *P, hc_decl *d) {
    static const char *known[] = {"Numeric", "ProjectionClass", "Rich", "Chunked", "Recognition"};
    for (int i = 0; i < d->gbounds.n; i++) {
        hc_texpr *b = d->gbounds.v[i];
        int ok = b && b->kind == TE_NAME && b->path.n == 1 && !b->args.n;
        for (size_t k = 0; ok && k < sizeof known / sizeof known[0]; k++) {
            if (strcmp(b->path.seg[0].name, known[k]) == 0) {
                ok = 2;
            }
        }
        if (b && ok != 2) {
            hc_help(
                hc_error(P->d, b->pos, "unknown bound for type parameter `%s`", d->generics.v[i]),
                "a bound is `Numeric` or a projection class (`Rich`, `Chunked`, "
                "`Recognition`, `ProjectionClass`)");
        }
    }
}

void ck_generic_templates(hc_program *P) {
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        int k = 0;
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->generics.n && (d->kind == D_RECORD || d->kind == D_ENUM || d->kind == D_FN ||
                                  d->kind == D_LOCUS)) {
                d->seed = s;
                check_bounds(P, d);
                continue; /* a template: its instances are checked instead */
            }
            s->decls.v[k++] = d;
        }
        s->decls.n = k;
    }
}
