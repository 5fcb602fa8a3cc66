/* See check.h. This file: scopes, names, operators, fields, indexing, literals and `or`. Calls
 * and literals of records/loci are in check_call.c; blocks, if, match and statements in
 * check_stmt.c. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

/* ---- scopes ---- */

void ck_push_scope(hc_ctx *c, hc_scope *sc) {
    memset(sc, 0, sizeof *sc);
    sc->up = c->sc;
    c->sc = sc;
}

void ck_pop_scope(hc_ctx *c) {
    c->sc = c->sc->up;
}

enum { SCOPE_INDEX_FROM = 16 };

static unsigned name_hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

/* The index slot of `name` in `sc`: its local, or the empty slot where it would go. */
static hc_local **index_slot(hc_scope *sc, const char *name) {
    unsigned mask = (unsigned)sc->index_cap - 1, i = name_hash(name) & mask;
    while (sc->index[i] && strcmp(sc->index[i]->name, name) != 0) {
        i = (i + 1) & mask;
    }
    return &sc->index[i];
}

static void index_rebuild(hc_ctx *c, hc_scope *sc) {
    sc->index_cap = 64;
    while (sc->index_cap < sc->locals.n * 4) {
        sc->index_cap *= 2;
    }
    sc->index = hc_alloc(c->P->a, sizeof *sc->index * (size_t)sc->index_cap);
    memset(sc->index, 0, sizeof *sc->index * (size_t)sc->index_cap);
    for (int i = 0; i < sc->locals.n; i++) {
        *index_slot(sc, sc->locals.v[i]->name) = sc->locals.v[i];
    }
}

/* `name` declared in scope `sc` itself, or NULL. */
static hc_local *scope_find(hc_scope *sc, const char *name) {
    if (sc->index) {
        return *index_slot(sc, name);
    }
    for (int i = sc->locals.n - 1; i >= 0; i--) {
        if (strcmp(sc->locals.v[i]->name, name) == 0) {
            return sc->locals.v[i];
        }
    }
    return NULL;
}

hc_local *ck_lookup(hc_ctx *c, const char *name) {
    for (hc_scope *s = c->sc; s; s = s->up) {
        hc_local *l = scope_find(s, name);
        if (l) {
            return l;
        }
    }
    return NULL;
}

hc_local *ck_declare(hc_ctx *c, const char *name, hc_pos pos, hc_type *ty, int is_mut) {
    hc_local *l = HC_NEW(c->P->a, hc_local);
    l->name = name;
    l->pos = pos;
    l->ty = ty;
    l->is_mut = is_mut;
    l->id = c->nlocals++;
    l->depth = c->loop_depth;
    if (!c->sc || strcmp(name, "_") == 0) {
        return l;
    }
    hc_scope *sc = c->sc;
    hc_local *prev = scope_find(sc, name);
    if (prev) {
        hc_note(hc_help(hc_error(c->P->d, pos, "`%s` is already declared in this scope", name),
                        "shadowing is not allowed; pick a new name (or `let mut` and assign)"),
                prev->pos, "first declared here");
        return l;
    }
    HC_PUSH(c->P->a, sc->locals, l);
    if (sc->index && sc->locals.n * 2 <= sc->index_cap) {
        *index_slot(sc, name) = l;
    } else if (sc->locals.n >= SCOPE_INDEX_FROM) {
        index_rebuild(c, sc);
    }
    return l;
}

/* ---- helpers ---- */

void ck_alloc(hc_ctx *c, hc_expr *e) {
    if (e) {
        e->allocates = 1;
    }
    c->allocates = 1;
    for (hc_loop *l = c->loop; l; l = l->up) {
        l->allocates = 1;
    }
}

void ck_note_store(hc_ctx *c, hc_local *root, hc_type *t) {
    if (!root || !t || !t->heap) {
        return;
    }
    for (hc_loop *l = c->loop; l; l = l->up) {
        if (root->depth < l->depth) {
            l->escapes = 1;
        }
    }
}

hc_local *ck_place_root(hc_expr *e) {
    while (e) {
        if (e->kind == E_NAME) {
            return e->ref == REF_LOCAL ? e->local : NULL;
        }
        if (e->kind != E_FIELD && e->kind != E_INDEX) {
            return NULL;
        }
        e = e->lhs;
    }
    return NULL;
}

/* The interfaces of the built-in seed: a std locus that stands for "any locus with these
 * methods" (Hale's std::http::Handler, RouteHandler and Middleware). */
typedef struct {
    const char *locus;   /* its name in the seed */
    const char *hale;    /* its name in Hale */
    const char *methods; /* what `from` must have, as the interface declares them */
    const char *shape;   /* for the help text */
} std_iface;

static const std_iface std_ifaces[] = {
    {"HttpHandler", "std::http::Handler", "handle",
     "fn handle(req: std::http::Request) -> std::http::Response"},
    {"RouteHandler", "std::http::RouteHandler", "handle",
     "fn handle(ctx: std::http::Context) -> std::http::Response"},
    {"HttpMiddleware", "std::http::Middleware", "before after",
     "fn before(ctx: std::http::Context) -> std::http::Context` and `fn after(ctx: "
     "std::http::Context, resp: std::http::Response) -> std::http::Response"},
};

static const std_iface *std_interface(hc_ctx *c, hc_type *t) {
    if (t->kind != TY_LOCUS || !t->decl || t->decl->seed != c->P->std) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof std_ifaces / sizeof std_ifaces[0]; i++) {
        if (strcmp(t->decl->name.name, std_ifaces[i].locus) == 0) {
            return &std_ifaces[i];
        }
    }
    return NULL;
}

int ck_std_interface(hc_ctx *c, hc_type *t) {
    return std_interface(c, t) != NULL;
}

/* Whether locus `from` has `method` exactly as the interface declares it. */
static int has_method(hc_type *from, hc_type *iface, const char *method) {
    hc_decl *want = ck_locus_method(iface->decl, method);
    hc_decl *have = from->kind == TY_LOCUS ? ck_locus_method(from->decl, method) : NULL;
    if (!want || !have || !want->ty || !have->ty || have->err_ty ||
        have->ty->nitems != want->ty->nitems || have->ret_ty != want->ret_ty) {
        return 0;
    }
    for (int i = 0; i < want->ty->nitems; i++) {
        if (have->ty->items[i] != want->ty->items[i]) {
            return 0;
        }
    }
    return 1;
}

/* Whether locus `from` has every method of the interface; marks it so the emitter gives its
 * type the calls the runtime makes. */
static int satisfies(hc_type *from, hc_type *iface, const std_iface *in) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s", in->methods);
    for (char *save = NULL, *m = strtok_r(buf, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
        if (!has_method(from, iface, m)) {
            return 0;
        }
    }
    if (strcmp(in->methods, "handle") == 0) {
        from->decl->std_handler = 1;
    } else {
        from->decl->std_middleware = 1;
    }
    return 1;
}

int ck_coerce(hc_ctx *c, hc_expr *e, hc_type *from, hc_type *to, const char *what) {
    if (!to || from->kind == TY_ERROR || to->kind == TY_ERROR || hc_ty_assignable(from, to)) {
        return 1;
    }
    if (to->kind == TY_IFACE) {
        int r = ck_iface_coerce(c, e, from, to, what);
        if (r >= 0) {
            return r;
        }
    }
    int persp = ck_persp_coerce(c, from, to);
    if (persp == 1) {
        return 1;
    } else if (persp == 0) {
        hc_help(hc_error(c->P->d, e->pos, "%s: `%s` does not serve `%s`", what, TNAME(c, from),
                         to->decl->name.name),
                "declare it `locus %s : serves %s { ... }`", TNAME(c, from), to->decl->name.name);
        return 0;
    }
    const std_iface *in = std_interface(c, to);
    if (in && from != to) {
        if (satisfies(from, to, in)) {
            return 1;
        }
        hc_help(hc_error(c->P->d, e->pos, "%s: `%s` is not a %s", what, TNAME(c, from), in->hale),
                "a %s is a locus with `%s`", in->hale, in->shape);
        return 0;
    }
    if (from->kind == TY_INT && to->kind == TY_FLOAT) {
        e->widen = 1;
        return 1;
    }
    if (from->kind == TY_ARRAY && to->kind == TY_ARRAY && from->elem == to->elem) {
        hc_error(c->P->d, e->pos, "%s: expected an array of %lld elements, found %lld", what,
                 (long long)to->len, (long long)from->len);
        return 0;
    }
    hc_diag *g = hc_error(c->P->d, e->pos, "mismatched types: %s expects `%s`, found `%s`", what,
                          TNAME(c, to), TNAME(c, from));
    if (to->kind == TY_STRING &&
        (hc_ty_is_numeric(from) || from->kind == TY_BOOL || from->kind == TY_DURATION)) {
        hc_help(g, "convert it with to_string(...)");
    } else if (to->kind == TY_INT && from->kind == TY_FLOAT) {
        hc_help(g, "convert explicitly: Int(x) truncates toward zero");
    } else if (from->kind == TY_UNIT) {
        hc_help(g, "this expression produces no value");
    }
    return 0;
}

/* Records may hold themselves through arrays: `seen` lists the records being looked at. */
typedef struct seen_rec {
    hc_decl *d;
    const struct seen_rec *up;
} seen_rec;

static int seen_before(const seen_rec *s, hc_decl *d) {
    for (; s; s = s->up) {
        if (s->d == d) {
            return 1;
        }
    }
    return 0;
}

/* Whether every part of `t` passes `leaf`: records, arrays, bounded lists and tuples are looked
 * through (a record met again inside itself passes). */
static int all_parts(hc_type *t, int (*leaf)(const hc_type *), const seen_rec *seen) {
    switch (t->kind) {
    case TY_RECORD: {
        if (seen_before(seen, t->decl)) {
            return 1;
        }
        seen_rec here = {t->decl, seen};
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_texpr *fx = t->decl->fields.v[i].type;
            if (fx && fx->resolved && !all_parts(fx->resolved, leaf, &here)) {
                return 0;
            }
        }
        return 1;
    }
    case TY_ARRAY:
    case TY_BOUNDED:
        return all_parts(t->elem, leaf, seen);
    case TY_TUPLE:
        for (int i = 0; i < t->nitems; i++) {
            if (!all_parts(t->items[i], leaf, seen)) {
                return 0;
            }
        }
        return 1;
    default:
        return leaf(t);
    }
}

static int printable_leaf(const hc_type *t) {
    switch (t->kind) {
    case TY_ERROR:
    case TY_INT:
    case TY_FLOAT:
    case TY_BOOL:
    case TY_STRING:
    case TY_DURATION:
    case TY_DECIMAL:
    case TY_TIME:
    case TY_ENUM:
    case TY_BYTES: /* as `<bytes len=N>` */
        return 1;
    default:
        return 0;
    }
}

int ck_printable(hc_type *t) {
    return all_parts(t, printable_leaf, NULL);
}

static int comparable_leaf(const hc_type *t) {
    switch (t->kind) {
    case TY_IFACE:
    case TY_LOCUS:
    case TY_FN:
    case TY_TOPIC:
    case TY_UNIT:
    case TY_NEVER:
    case TY_BYTES:
    case TY_UINT:
        return 0;
    default:
        return 1;
    }
}

static int comparable(hc_type *t) {
    return all_parts(t, comparable_leaf, NULL);
}

hc_decl *ck_record_field(hc_type *t, const char *name, int *index) {
    if (t->kind != TY_RECORD) {
        return NULL;
    }
    for (int i = 0; i < t->decl->fields.n; i++) {
        if (strcmp(t->decl->fields.v[i].name.name, name) == 0) {
            *index = i;
            return t->decl;
        }
    }
    return NULL;
}

hc_decl *ck_locus_param(hc_decl *locus, const char *name, int *index, hc_type **ty) {
    int k = 0;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind != M_PARAMS) {
            continue;
        }
        for (int j = 0; j < m->lparams.n; j++, k++) {
            if (strcmp(m->lparams.v[j].name.name, name) == 0) {
                *index = k;
                *ty = m->lparams.v[j].ty;
                return m;
            }
        }
    }
    return NULL;
}

/* ---- names ---- */

void ck_suggest_name(hc_ctx *c, hc_diag *g, const char *name) {
    const char *best = NULL;
    int bestd = strlen(name) > 3 ? 3 : 2;
    for (hc_scope *s = c->sc; s; s = s->up) {
        for (int i = 0; i < s->locals.n; i++) {
            int dd = hc_edit_distance(name, s->locals.v[i]->name);
            if (dd < bestd) {
                bestd = dd;
                best = s->locals.v[i]->name;
            }
        }
    }
    for (int i = 0; i < c->seed->decls.n; i++) {
        hc_decl *d = c->seed->decls.v[i];
        if (d->name.name && d->kind != D_IMPORT) {
            int dd = hc_edit_distance(name, d->name.name);
            if (dd < bestd) {
                bestd = dd;
                best = d->name.name;
            }
        }
    }
    const char *bi = hc_builtin_suggest(name);
    if (bi && hc_edit_distance(name, bi) < bestd) {
        best = bi;
    }
    if (best) {
        hc_help(g, "did you mean `%s`?", best);
    }
}

static const char *path_text(hc_ctx *c, hc_path *p) {
    hc_buf b = {0};
    for (int i = 0; i < p->n; i++) {
        hc_buf_printf(&b, "%s%s", i ? "::" : "", p->seg[i].name);
    }
    const char *s = hc_strdup(c->P->a, hc_buf_cstr(&b));
    hc_buf_free(&b);
    return s;
}

static hc_decl *locus_member_named(hc_decl *locus, const char *name, hc_decl_kind k) {
    if (!locus) {
        return NULL;
    }
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == k && m->name.name && strcmp(m->name.name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

int ck_find_variant(hc_decl *en, const char *name) {
    for (int i = 0; i < en->variants.n; i++) {
        if (strcmp(en->variants.v[i].name.name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int ck_resolve_path(hc_ctx *c, hc_path *p, hc_resolved *out, int report) {
    memset(out, 0, sizeof *out);
    hc_diags *D = c->P->d;
    if (p->n == 1) {
        const char *name = p->seg[0].name;
        hc_decl *d = NULL;
        static const hc_decl_kind local_kinds[] = {D_CONST, D_RECORD, D_ENUM, D_ALIAS};
        for (size_t i = 0; i < 4 && !d; i++) {
            d = locus_member_named(c->locus, name, local_kinds[i]);
        }
        if (!d) {
            d = ck_seed_lookup(c->P, c->seed, name);
        }
        if (d && d->kind != D_IMPORT) {
            out->kind = RS_DECL;
            out->decl = d;
            return 1;
        }
        const hc_builtin *bi = hc_builtin_find(name);
        if (bi) {
            out->kind = RS_BUILTIN;
            out->builtin = bi;
            return 1;
        }
        if (report) {
            hc_diag *g = hc_error(D, p->seg[0].pos, "unknown name `%s`", name);
            if (hc_seed_import(c->seed, name)) {
                hc_help(g, "`%s` is an import alias; name something in it: `%s::...`", name, name);
            } else {
                ck_suggest_name(c, g, name);
            }
        }
        return 0;
    }
    if (strcmp(p->seg[0].name, "std") == 0) {
        hc_decl *st = hc_std_type(c->P, p);
        if (st) {
            out->kind = RS_DECL;
            out->decl = st;
            return 1;
        }
        const char *full = path_text(c, p);
        const hc_builtin *bi = hc_builtin_find(full);
        if (bi) {
            out->kind = RS_BUILTIN;
            out->builtin = bi;
            return 1;
        }
        if (report) {
            hc_diag *g = hc_error(D, p->pos, "unknown standard library function `%s`", full);
            const char *s = hc_builtin_suggest(full);
            if (s) {
                hc_help(g, "did you mean `%s`?", s);
            }
        }
        return 0;
    }
    hc_seed *seed = c->seed;
    int i = 0;
    if (hc_symtab_get(seed->aliases, p->seg[0].name) && !hc_seed_import(seed, p->seg[0].name)) {
        return 0; /* an import that failed to load (already reported) */
    }
    hc_seed *imp = hc_seed_import(seed, p->seg[0].name);
    if (imp) {
        seed = imp;
        i = 1;
    }
    int rest = p->n - i;
    hc_decl *d = NULL;
    if (i == 0) {
        d = locus_member_named(c->locus, p->seg[0].name, D_ENUM);
        if (!d) {
            d = ck_seed_lookup(c->P, seed, p->seg[0].name);
        }
    } else {
        d = hc_symtab_get(seed->names, p->seg[i].name);
    }
    if ((!d || d->kind == D_IMPORT) && i == 0) {
        /* Hale's legacy spelling of a std call without `std::` (`time::sleep(20ms)`) */
        const hc_builtin *bi = hc_builtin_find(hc_sprintf(c->P->a, "std::%s", path_text(c, p)));
        if (bi) {
            out->kind = RS_BUILTIN;
            out->builtin = bi;
            return 1;
        }
    }
    if (!d || d->kind == D_IMPORT) {
        if (report) {
            if (i == 1) {
                hc_error(D, p->seg[1].pos, "`%s` has no declaration `%s`", p->seg[0].name,
                         p->seg[1].name);
            } else {
                hc_diag *g = hc_error(D, p->seg[0].pos, "unknown name `%s`", p->seg[0].name);
                ck_suggest_name(c, g, p->seg[0].name);
            }
        }
        return 0;
    }
    if (rest == 1) {
        out->kind = RS_DECL;
        out->decl = d;
        return 1;
    }
    if (rest == 2 && (d->kind == D_RECORD || d->kind == D_ALIAS) &&
        hc_builtin_json(p->seg[i + 1].name)) {
        hc_type *rt = d->ty;
        if (rt && rt->kind == TY_RECORD) {
            out->kind = RS_BUILTIN;
            out->builtin = hc_builtin_json(p->seg[i + 1].name);
            out->decl = rt->decl;
            return 1;
        }
    }
    if (rest == 2 && d->kind == D_ENUM) {
        const char *vn = p->seg[i + 1].name;
        int v = ck_find_variant(d, vn);
        if (v < 0) {
            if (report) {
                hc_diag *g = hc_error(D, p->seg[i + 1].pos, "enum `%s` has no variant `%s`",
                                      d->name.name, vn);
                hc_buf b = {0};
                for (int k = 0; k < d->variants.n; k++) {
                    hc_buf_printf(&b, "%s%s", k ? ", " : "", d->variants.v[k].name.name);
                }
                hc_help(g, "its variants are %s", hc_buf_cstr(&b));
                hc_buf_free(&b);
            }
            return 0;
        }
        out->kind = RS_VARIANT;
        out->decl = d;
        out->variant = v;
        return 1;
    }
    if (report) {
        hc_error(D, p->pos, "`%s` does not name anything (`%s` is not an enum)", path_text(c, p),
                 d->name.name);
    }
    return 0;
}

static hc_type *ck_name(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_program *P = c->P;
    if (e->path.n == 1) {
        const char *name = e->path.seg[0].name;
        if (strcmp(name, "_") == 0) {
            hc_error(P->d, e->pos, "`_` can only be used in patterns");
            return TY(c, TY_ERROR);
        }
        hc_local *l = ck_lookup(c, name);
        if (l) {
            l->used = 1;
            e->ref = REF_LOCAL;
            e->local = l;
            return l->ty;
        }
    }
    hc_resolved r;
    if (!ck_resolve_path(c, &e->path, &r, 1)) {
        return TY(c, TY_ERROR);
    }
    if (r.kind == RS_VARIANT) {
        e->ref = REF_VARIANT;
        e->decl = r.decl;
        e->variant = r.variant;
        hc_variant *v = &r.decl->variants.v[r.variant];
        if (v->has_payload) {
            hc_error(P->d, e->pos, "`%s::%s` carries a value; write `%s::%s(...)`",
                     r.decl->name.name, v->name.name, r.decl->name.name, v->name.name);
        }
        return r.decl->ty;
    }
    if (r.kind == RS_BUILTIN) {
        hc_error(P->d, e->pos, "`%s` is a function; call it with `(...)`", r.builtin->path);
        return TY(c, TY_ERROR);
    }
    hc_decl *d = r.decl;
    d->used = 1;
    switch (d->kind) {
    case D_CONST:
        ck_check_const(P, d);
        e->ref = REF_CONST;
        e->decl = d;
        return d->ty;
    case D_FN:
        if (d->generics.n && !(d = ck_generic_value(c, e, d, expect))) {
            return TY(c, TY_ERROR);
        }
        if (!d->ty) {
            return TY(c, TY_ERROR);
        }
        if (d->err_ty) {
            hc_error(P->d, e->pos, "a fallible function cannot be used as a value yet");
            return TY(c, TY_ERROR);
        }
        e->ref = REF_FN;
        e->decl = d;
        return d->ty;
    case D_TOPIC:
        e->ref = REF_TOPIC;
        e->decl = d;
        return d->ty;
    case D_RECORD:
    case D_ENUM:
    case D_ALIAS:
    case D_LOCUS:
        hc_help(hc_error(P->d, e->pos, "`%s` is a type, not a value", d->name.name),
                d->kind == D_ENUM ? "name a variant: `%s::Variant`"
                                  : "build one with a literal: `%s { ... }`",
                d->name.name);
        return TY(c, TY_ERROR);
    default:
        hc_error(P->d, e->pos, "`%s` is not a value", d->name.name);
        return TY(c, TY_ERROR);
    }
}

/* ---- operators ---- */

static const char *op_text(hc_op op) {
    static const char *t[] = {"",   "+",  "-",  "*",  "/", "%", "&&", "||", "&", "|", "^",
                              "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "-", "!", "~"};
    return t[op];
}

static hc_type *ck_unary(hc_ctx *c, hc_expr *e, hc_type *expect) {
    if (e->op == OP_NEG && e->lhs->kind == E_INT && e->lhs->neg_min) {
        e->lhs->neg_min = 2;
    }
    hc_type *t = ck_expr(c, e->lhs, e->op == OP_NEG ? expect : NULL);
    if (t->kind == TY_ERROR) {
        return t;
    }
    switch (e->op) {
    case OP_NEG:
        if (t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_DURATION ||
            t->kind == TY_DECIMAL) {
            return t;
        }
        hc_error(c->P->d, e->pos, "cannot negate a value of type `%s`", TNAME(c, t));
        break;
    case OP_NOT:
        if (t->kind == TY_BOOL) {
            return t;
        }
        hc_help(hc_error(c->P->d, e->pos, "`!` applies to a Bool, found `%s`", TNAME(c, t)),
                t->kind == TY_INT ? "for the bitwise complement of an Int use `~`"
                                  : "compare it to get a Bool");
        break;
    default:
        if (t->kind == TY_INT) {
            return t;
        }
        hc_error(c->P->d, e->pos, "`~` applies to an Int, found `%s`", TNAME(c, t));
        break;
    }
    return TY(c, TY_ERROR);
}

static hc_type *binary_error(hc_ctx *c, hc_expr *e, hc_type *a, hc_type *b) {
    hc_diag *g = hc_error(c->P->d, e->pos, "`%s` cannot be applied to `%s` and `%s`",
                          op_text(e->op), TNAME(c, a), TNAME(c, b));
    if (e->op == OP_ADD && (a->kind == TY_STRING || b->kind == TY_STRING)) {
        hc_help(g, "convert the other side with to_string(...)");
    } else if (a->kind == TY_DURATION || b->kind == TY_DURATION) {
        hc_help(g, "durations add to durations and scale by an Int");
    }
    return TY(c, TY_ERROR);
}

/* `"n=" + 3`: Hale converts the side that is not a String with to_string. The operand is wrapped
 * in a checked to_string call, so the emitter and the analyses see an ordinary call. */
static int stringable(const hc_type *t) {
    return t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL ||
           t->kind == TY_DURATION || t->kind == TY_DECIMAL;
}

static hc_expr *to_string_call(hc_ctx *c, hc_expr *x) {
    hc_arena *a = c->P->a;
    hc_expr *call = HC_NEW(a, hc_expr);
    hc_expr *callee = HC_NEW(a, hc_expr);
    hc_ident *seg = HC_NEW(a, hc_ident);
    seg->name = "to_string";
    seg->pos = x->pos;
    callee->kind = E_NAME;
    callee->pos = x->pos;
    callee->path.seg = seg;
    callee->path.n = 1;
    callee->path.pos = x->pos;
    callee->ref = REF_BUILTIN;
    callee->builtin = hc_builtin_find("to_string");
    call->kind = E_CALL;
    call->pos = x->pos;
    call->lhs = callee;
    call->depth = x->depth + 1;
    HC_PUSH(a, call->args, x);
    call->ty = TY(c, TY_STRING);
    ck_alloc(c, call);
    return call;
}

/* Int op Float: the Int side widens. */
static hc_type *numeric(hc_ctx *c, hc_expr *e, hc_type *a, hc_type *b) {
    if (a->kind == TY_INT && b->kind == TY_INT) {
        return a;
    }
    if (hc_ty_is_numeric(a) && hc_ty_is_numeric(b)) {
        e->lhs->widen = a->kind == TY_INT;
        e->rhs->widen = b->kind == TY_INT;
        return TY(c, TY_FLOAT);
    }
    return NULL;
}

static hc_type *ck_binary(hc_ctx *c, hc_expr *e) {
    hc_type *a = ck_expr(c, e->lhs, NULL);
    hc_type *b = ck_expr(c, e->rhs, NULL);
    if (a->kind == TY_ERROR || b->kind == TY_ERROR) {
        return TY(c, TY_ERROR);
    }
    hc_type_kind ka = a->kind, kb = b->kind;
    hc_type *r;
    if ((r = ck_decimal_binary(c, e, a, b))) {
        return r;
    }
    switch (e->op) {
    case OP_ADD:
        if ((ka == TY_STRING && (kb == TY_STRING || stringable(b))) ||
            (kb == TY_STRING && stringable(a))) {
            if (ka != TY_STRING) {
                e->lhs = to_string_call(c, e->lhs);
            } else if (kb != TY_STRING) {
                e->rhs = to_string_call(c, e->rhs);
            }
            ck_alloc(c, e);
            return TY(c, TY_STRING);
        }
        /* fallthrough */
    case OP_SUB:
        if ((r = numeric(c, e, a, b))) {
            return r;
        }
        if (ka == TY_DURATION && kb == TY_DURATION) {
            return a;
        }
        return binary_error(c, e, a, b);
    case OP_MUL:
        if ((r = numeric(c, e, a, b))) {
            return r;
        }
        if ((ka == TY_DURATION && kb == TY_INT) || (ka == TY_INT && kb == TY_DURATION)) {
            return TY(c, TY_DURATION);
        }
        return binary_error(c, e, a, b);
    case OP_DIV:
        if ((r = numeric(c, e, a, b))) {
            return r;
        }
        if (ka == TY_DURATION && kb == TY_INT) {
            return a;
        }
        if (ka == TY_DURATION && kb == TY_DURATION) {
            return TY(c, TY_INT);
        }
        return binary_error(c, e, a, b);
    case OP_MOD:
        if ((ka == TY_INT && kb == TY_INT) || (ka == TY_DURATION && kb == TY_DURATION)) {
            return a;
        }
        return binary_error(c, e, a, b);
    case OP_BITAND:
    case OP_BITOR:
    case OP_BITXOR:
    case OP_SHL:
    case OP_SHR:
        if (ka == TY_INT && kb == TY_INT) {
            return a;
        }
        return binary_error(c, e, a, b);
    case OP_AND:
    case OP_OR:
        if (ka == TY_BOOL && kb == TY_BOOL) {
            return a;
        }
        return binary_error(c, e, a, b);
    case OP_EQ:
    case OP_NE:
        if (numeric(c, e, a, b) || (hc_ty_assignable(a, b) && hc_ty_assignable(b, a))) {
            if (!comparable(a)) {
                hc_error(c->P->d, e->pos, "values of type `%s` cannot be compared", TNAME(c, a));
            }
            return TY(c, TY_BOOL);
        }
        if (ka == TY_ARRAY && kb == TY_ARRAY && a->elem == b->elem) {
            return TY(c, TY_BOOL);
        }
        return binary_error(c, e, a, b);
    default: /* ordering */
        if (numeric(c, e, a, b) ||
            (ka == kb && (ka == TY_DURATION || ka == TY_STRING || ka == TY_TIME))) {
            return TY(c, TY_BOOL);
        }
        return binary_error(c, e, a, b);
    }
}

/* ---- fields and indexing ---- */

/* Whether a parent may read `name` of a child locus: a locus with a `contract` shows only what
 * it exposes (and, to its supervisor's on_failure, what its closures capture); one without a
 * contract hides nothing. */
static int exposed(hc_ctx *c, hc_decl *locus, const char *name) {
    int has_contract = 0;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_CONTRACT) {
            has_contract = 1;
            for (int k = 0; k < m->contract.n; k++) {
                if (m->contract.v[k].expose && strcmp(m->contract.v[k].name.name, name) == 0) {
                    return 1;
                }
            }
        }
    }
    if (!has_contract) {
        return 1;
    }
    if (c->fn && c->fn->kind == M_FAILURE) {
        for (int i = 0; i < locus->members.n; i++) {
            hc_decl *m = locus->members.v[i];
            for (int k = 0; m->kind == M_CLOSURE && k < m->clauses.n; k++) {
                hc_closure_clause *cl = &m->clauses.v[k];
                for (int j = 0; strcmp(cl->kind, "captures") == 0 && j < cl->names.n; j++) {
                    if (strcmp(cl->names.v[j], name) == 0) {
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

/* `self.children.count` / `self.children.is_empty` (when `children` is not a parameter). */
static hc_type *ck_children(hc_ctx *c, hc_expr *e) {
    hc_program *P = c->P;
    int idx;
    hc_type *pt;
    hc_expr *ch = e->lhs;
    if (!(ch->kind == E_FIELD && ch->lhs->kind == E_SELF && c->locus && c->fn &&
          strcmp(ch->field.name, "children") == 0 &&
          !ck_locus_param(c->locus, "children", &idx, &pt))) {
        return NULL;
    }
    ch->lhs->ty = c->locus->ty;
    ch->ty = TY(c, TY_UNIT);
    c->locus->tracks_children = 1;
    if (strcmp(e->field.name, "count") == 0) {
        e->ref = REF_CHILDREN_COUNT;
        return TY(c, TY_INT);
    }
    if (strcmp(e->field.name, "is_empty") == 0) {
        e->ref = REF_CHILDREN_EMPTY;
        return TY(c, TY_BOOL);
    }
    hc_help(hc_error(P->d, e->field.pos, "`self.children` has no `%s`", e->field.name),
            "read `self.children.count` or `self.children.is_empty`");
    return TY(c, TY_ERROR);
}

static hc_type *ck_field(hc_ctx *c, hc_expr *e) {
    hc_program *P = c->P;
    hc_type *ct = ck_children(c, e);
    if (ct) {
        return ct;
    }
    hc_type *t = ck_expr(c, e->lhs, NULL);
    const char *name = e->field.name;
    if (t->kind == TY_ERROR) {
        return t;
    }
    int idx;
    if (t->kind == TY_RECORD && ck_record_field(t, name, &idx)) {
        e->field_index = idx;
        hc_texpr *fx = t->decl->fields.v[idx].type;
        return fx && fx->resolved ? fx->resolved : TY(c, TY_ERROR);
    }
    hc_type *pt0;
    if (t->kind == TY_LOCUS && !ck_locus_param(t->decl, name, &idx, &pt0)) {
        hc_type *km = ck_k_max(c, e, t);
        if (km) {
            return km;
        }
    }
    if (t->kind == TY_LOCUS) {
        hc_type *pt;
        if (ck_locus_param(t->decl, name, &idx, &pt)) {
            e->field_index = idx;
            if (e->lhs->kind == E_SELF) {
                e->ref = REF_SELF_FIELD;
            } else if (!exposed(c, t->decl, name)) {
                hc_help(hc_error(P->d, e->field.pos, "`%s` is not exposed by `%s`'s contract", name,
                                 t->decl->name.name),
                        "a parent sees only what the child exposes: add `expose %s: %s;` to "
                        "`%s`'s contract",
                        name, pt ? TNAME(c, pt) : "T", t->decl->name.name);
                return TY(c, TY_ERROR);
            }
            return pt ? pt : TY(c, TY_ERROR);
        }
        if (strcmp(name, "draining") == 0) {
            e->ref = REF_DRAINING; /* self's or another locus's drain flag */
            return TY(c, TY_BOOL);
        }
        if (ck_locus_method(t->decl, name)) {
            hc_help(hc_error(P->d, e->pos, "`%s` is a method of `%s`; call it", name,
                             t->decl->name.name),
                    "write `%s(...)`", name);
            return TY(c, TY_ERROR);
        }
    }
    if (t->kind == TY_CELL && t->elem->kind == TY_RECORD && ck_record_field(t->elem, name, &idx)) {
        e->field_index = idx;
        hc_texpr *fx = t->elem->decl->fields.v[idx].type;
        return fx && fx->resolved ? fx->resolved : TY(c, TY_ERROR);
    }
    if (t->kind == TY_TUPLE && name[0] >= '0' && name[0] <= '9') {
        int k = 0;
        for (const char *s = name; *s; s++) {
            k = k * 10 + (*s - '0');
            if (k > 1000) {
                break;
            }
        }
        if (k < t->nitems) {
            e->field_index = k;
            return t->items[k];
        }
    }
    if (e->lhs->kind == E_NAME && strncmp(e->lhs->path.seg[0].name, "__tuple_", 8) == 0) {
        /* an element of `let (a, b) = v;` (parse.c): say it in the binding's terms, once */
        if (t->kind == TY_TUPLE || strcmp(name, "0") == 0) {
            hc_error(P->d, e->pos,
                     t->kind == TY_TUPLE ? "the tuple binding names more elements than `%s` has"
                                         : "a tuple binding needs a tuple value, found `%s`",
                     TNAME(c, t));
        }
        return TY(c, TY_ERROR);
    }
    hc_diag *g = hc_error(P->d, e->pos, "`%s` has no field `%s`", TNAME(c, t), name);
    if ((t->kind == TY_STRING || t->kind == TY_ARRAY || t->kind == TY_BOUNDED) &&
        (strcmp(name, "len") == 0 || strcmp(name, "length") == 0)) {
        hc_help(g, "use the built-in: len(x)");
    } else if (t->kind == TY_RECORD && t->decl->fields.n) {
        hc_buf b = {0};
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_buf_printf(&b, "%s%s", i ? ", " : "", t->decl->fields.v[i].name.name);
        }
        hc_help(g, "its fields are %s", hc_buf_cstr(&b));
        hc_buf_free(&b);
    }
    return TY(c, TY_ERROR);
}

static hc_type *ck_index(hc_ctx *c, hc_expr *e) {
    hc_program *P = c->P;
    hc_type *t = ck_expr(c, e->lhs, NULL);
    hc_expr *ix = e->rhs;
    if (ix->kind == E_RANGE) {
        hc_type *lo = ck_expr(c, ix->lhs, TY(c, TY_INT));
        hc_type *hi = ck_expr(c, ix->rhs, TY(c, TY_INT));
        ck_coerce(c, ix->lhs, lo, TY(c, TY_INT), "a slice bound");
        ck_coerce(c, ix->rhs, hi, TY(c, TY_INT), "a slice bound");
        ix->ty = TY(c, TY_UNIT);
        if (t->kind == TY_STRING || t->kind == TY_ERROR) {
            return t;
        }
        hc_error(P->d, e->pos, "only a String can be sliced with a range, found `%s`", TNAME(c, t));
        return TY(c, TY_ERROR);
    }
    hc_type *it = ck_expr(c, ix, TY(c, TY_INT));
    ck_coerce(c, ix, it, TY(c, TY_INT), "an index");
    switch (t->kind) {
    case TY_ERROR:
        return t;
    case TY_ARRAY:
    case TY_BOUNDED:
        return t->elem;
    case TY_STRING:
        hc_help(hc_error(P->d, e->pos, "a String is indexed with a range"),
                "take one byte as a String with s[i..i + 1], or its code with "
                "std::str::byte_at(s, i)");
        return TY(c, TY_ERROR);
    default:
        hc_error(P->d, e->pos, "a value of type `%s` cannot be indexed", TNAME(c, t));
        return TY(c, TY_ERROR);
    }
}

/* ---- `or` ---- */

/* A read of a locus's field (`self.f`, `c.f`) whose value has heap parts: such a field may keep
 * a value escaped from a child under a guard, so its read may fail with ActorTerminated. */
int ck_guardable_read(hc_expr *e) {
    return e->kind == E_FIELD && e->ref != REF_DRAINING && e->ref != REF_CHILDREN_COUNT &&
           e->ref != REF_CHILDREN_EMPTY && e->lhs && e->ty && e->ty->heap &&
           e->ty->kind != TY_LOCUS &&
           (e->lhs->kind == E_SELF || (e->lhs->ty && e->lhs->ty->kind == TY_LOCUS));
}

static hc_type *ck_or(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_program *P = c->P;
    hc_type *t = ck_expr_fallible(c, e->lhs, expect);
    hc_type *E = e->lhs->fallible;
    if (!E && e->or_kind == OR_VALUE && ck_guardable_read(e->lhs)) {
        /* a field that may hold a guarded reference (escape.c confirms it once every site is
         * known): the fallback is the value when its producer has dissolved */
        e->guard_or = 1;
        hc_type *r = ck_expr(c, e->rhs, t);
        ck_coerce(c, e->rhs, r, t, "the fallback value");
        return t;
    }
    if (!E) {
        if (t->kind != TY_ERROR) {
            hc_help(hc_error(P->d, e->pos,
                             "`or` needs a call that can fail, but this "
                             "expression cannot fail"),
                    "remove the `or` clause");
        }
        if (e->rhs) {
            ck_expr(c, e->rhs, NULL);
        }
        return t;
    }
    hc_scope sc;
    switch (e->or_kind) {
    case OR_RAISE:
        if (c->err && c->err != E && E->kind != TY_ERROR && c->err->kind != TY_ERROR) {
            hc_help(hc_error(P->d, e->pos,
                             "cannot raise a `%s` from a function that fails with `%s`",
                             TNAME(c, E), TNAME(c, c->err)),
                    "translate it: `or fail %s { ... }`", TNAME(c, c->err));
        }
        return t;
    case OR_DISCARD:
        if (t->kind != TY_UNIT && t->kind != TY_ERROR) {
            hc_help(
                hc_error(P->d, e->pos, "`or discard` would drop a value of type `%s`", TNAME(c, t)),
                "substitute a value instead: `... or <fallback>`");
            return TY(c, TY_ERROR);
        }
        return TY(c, TY_UNIT);
    case OR_WAIT:
        hc_error(P->d, e->pos,
                 "`or wait` only applies to a send on a topic bound to a "
                 "transport");
        return t;
    case OR_FAIL:
    case OR_VALUE: {
        if (e->or_kind == OR_FAIL && !c->err) {
            hc_help(hc_error(P->d, e->pos, "`or fail` is only allowed in a fallible function"),
                    "declare the function `-> T fallible(E)`, or substitute a value");
        }
        ck_push_scope(c, &sc);
        e->err_local = ck_declare(c, "err", e->pos, E, 0);
        hc_type *want = e->or_kind == OR_FAIL ? c->err : t;
        hc_type *r = ck_expr(c, e->rhs, want);
        if (want && !(t->kind == TY_UNIT && e->or_kind == OR_VALUE)) {
            ck_coerce(c, e->rhs, r, want,
                      e->or_kind == OR_FAIL ? "the error payload" : "the fallback value");
        }
        ck_pop_scope(c);
        return t;
    }
    }
    return t;
}

/* ---- literals ---- */

static hc_type *ck_array(hc_ctx *c, hc_expr *e, hc_type *expect) {
    if (expect && expect->kind == TY_BOUNDED) {
        /* a bounded list written as a literal: `[]`, `[a, b]` up to its capacity */
        for (int i = 0; i < e->args.n; i++) {
            hc_type *t = ck_expr(c, e->args.v[i], expect->elem);
            ck_coerce(c, e->args.v[i], t, expect->elem, "an element");
        }
        if (e->args.n > expect->len) {
            hc_error(c->P->d, e->pos, "%d elements do not fit in `%s`", e->args.n,
                     TNAME(c, expect));
        }
        return expect;
    }
    hc_type *elem = expect && expect->kind == TY_ARRAY ? expect->elem : NULL;
    if (e->args.n == 0 && !elem) {
        hc_help(hc_error(c->P->d, e->pos, "cannot tell the element type of an empty array"),
                "annotate it: `let xs: [Int] = [];`");
        return TY(c, TY_ERROR);
    }
    for (int i = 0; i < e->args.n; i++) {
        hc_type *t = ck_expr(c, e->args.v[i], elem);
        if (!elem) {
            elem = t->kind == TY_NEVER ? NULL : t;
            continue;
        }
        if (!ck_coerce(c, e->args.v[i], t, elem, "an array element")) {
            return TY(c, TY_ERROR);
        }
    }
    if (!elem) {
        hc_help(hc_error(c->P->d, e->pos, "cannot tell the element type of this array"),
                "annotate it: `let xs: [Int] = ...;`");
        return TY(c, TY_ERROR);
    }
    if (elem->kind == TY_ERROR) {
        return TY(c, TY_ERROR);
    }
    if (elem->kind == TY_UNIT || elem->kind == TY_LOCUS) {
        hc_error(c->P->d, e->pos, "an array cannot hold values of type `%s`", TNAME(c, elem));
        return TY(c, TY_ERROR);
    }
    ck_alloc(c, e);
    return hc_ty_array(c->P->types, elem, e->args.n);
}

static hc_type *ck_repeat(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_type *elem = expect && expect->kind == TY_ARRAY ? expect->elem : NULL;
    hc_type *t = ck_expr(c, e->lhs, elem);
    if (elem) {
        ck_coerce(c, e->lhs, t, elem, "the repeated value");
    } else {
        elem = t;
    }
    hc_type *n = ck_expr(c, e->rhs, TY(c, TY_INT));
    ck_coerce(c, e->rhs, n, TY(c, TY_INT), "the repeat count");
    if (elem->kind == TY_ERROR || n->kind == TY_ERROR) {
        return TY(c, TY_ERROR);
    }
    if (elem->kind == TY_UNIT || elem->kind == TY_LOCUS || elem->kind == TY_NEVER) {
        hc_error(c->P->d, e->pos, "an array cannot hold values of type `%s`", TNAME(c, elem));
        return TY(c, TY_ERROR);
    }
    ck_alloc(c, e);
    hc_expr *k = ck_fold_const(c, e->rhs, 0);
    if (k && k->i < 0) {
        hc_error(c->P->d, e->rhs->pos, "the repeat count cannot be negative");
    }
    return hc_ty_array(c->P->types, elem, k && k->i >= 0 ? k->i : -1);
}

static hc_type *ck_tuple(hc_ctx *c, hc_expr *e, hc_type *expect) {
    if (e->args.n == 0) {
        return TY(c, TY_UNIT);
    }
    hc_type **items = hc_alloc(c->P->a, sizeof(hc_type *) * (size_t)e->args.n);
    for (int i = 0; i < e->args.n; i++) {
        hc_type *want = expect && expect->kind == TY_TUPLE && expect->nitems == e->args.n
                            ? expect->items[i]
                            : NULL;
        items[i] = ck_expr(c, e->args.v[i], want);
        if (want) {
            ck_coerce(c, e->args.v[i], items[i], want, "a tuple element");
            items[i] = want;
        }
        if (items[i]->kind == TY_ERROR) {
            return items[i];
        }
        if (items[i]->kind == TY_UNIT || items[i]->kind == TY_NEVER) {
            hc_error(c->P->d, e->args.v[i]->pos, "this tuple element has no value");
            return TY(c, TY_ERROR);
        }
    }
    return hc_ty_tuple(c->P->types, items, e->args.n);
}

static hc_type *ck_fstring(hc_ctx *c, hc_expr *e) {
    for (int i = 0; i < e->args.n; i++) {
        hc_expr *part = e->args.v[i];
        hc_type *t = ck_expr(c, part, NULL);
        if (!ck_printable(t)) {
            hc_error(c->P->d, part->pos, "a value of type `%s` cannot be formatted", TNAME(c, t));
        }
    }
    ck_alloc(c, e);
    return TY(c, TY_STRING);
}

/* ---- dispatch ---- */

static hc_type *ck_inner(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_program *P = c->P;
    switch (e->kind) {
    case E_INT:
        if (e->neg_min == 1) {
            hc_error(P->d, e->pos, "integer literal `9223372036854775808` does not fit in an Int");
            return TY(c, TY_ERROR);
        }
        if (expect && expect->kind == TY_FLOAT) {
            e->widen = 1;
        }
        return TY(c, TY_INT);
    case E_FLOAT:
        return TY(c, TY_FLOAT);
    case E_DECIMAL:
        return ck_decimal_literal(c, e);
    case E_STRING:
        return TY(c, TY_STRING);
    case E_FSTRING:
        return ck_fstring(c, e);
    case E_BYTES:
        return TY(c, TY_BYTES);
    case E_BOOL:
        return TY(c, TY_BOOL);
    case E_DURATION:
        return TY(c, TY_DURATION);
    case E_TIME:
        return TY(c, TY_TIME);
    case E_NIL:
        hc_error(P->d, e->pos, "`nil` is not supported");
        return TY(c, TY_ERROR);
    case E_NAME:
        return ck_name(c, e, expect);
    case E_SELF:
        if (!c->locus || !c->fn) {
            hc_error(P->d, e->pos, "`self` is only available inside a locus method");
            return TY(c, TY_ERROR);
        }
        return c->locus->ty;
    case E_UNARY:
        return ck_unary(c, e, expect);
    case E_BINARY:
        return ck_binary(c, e);
    case E_RANGE:
        hc_help(hc_error(P->d, e->pos,
                         "a range can only be used in `for ... in` or to slice a "
                         "String"),
                "write `for i in a..b { ... }` or `s[a..b]`");
        ck_expr(c, e->lhs, NULL);
        ck_expr(c, e->rhs, NULL);
        return TY(c, TY_ERROR);
    case E_OR:
        return ck_or(c, e, expect);
    case E_APPROX:
        hc_error(P->d, e->pos, "`~~` is only allowed in a closure assertion");
        return TY(c, TY_ERROR);
    case E_CALL:
        return ck_call(c, e, expect);
    case E_FIELD:
        return ck_field(c, e);
    case E_INDEX:
        return ck_index(c, e);
    case E_ARRAY:
        return ck_array(c, e, expect);
    case E_REPEAT:
        return ck_repeat(c, e, expect);
    case E_STRUCT:
        return ck_struct_lit(c, e, expect);
    case E_TUPLE:
        return ck_tuple(c, e, expect);
    case E_BLOCK: {
        hc_scope sc;
        ck_push_scope(c, &sc);
        hc_type *t = ck_block(c, e->block, expect, 1);
        ck_pop_scope(c);
        return t;
    }
    case E_IF:
        return ck_if(c, e, expect, 1);
    case E_MATCH:
        return ck_match(c, e, expect, 1);
    case E_REDUCE:
        return ck_reduce(c, e); /* only made from closure assertions (check_accum.c) */
    }
    return TY(c, TY_ERROR);
}

hc_type *ck_expr_fallible(hc_ctx *c, hc_expr *e, hc_type *expect) {
    for (int i = 0; i < e->annots.n; i++) {
        hc_annot *an = &e->annots.v[i];
        if (strcmp(an->name.name, "hoist") != 0) {
            hc_error(c->P->d, an->pos, "`@%s` does not apply to an expression", an->name.name);
        } else if (e->kind != E_STRUCT && e->kind != E_ARRAY && e->kind != E_REPEAT &&
                   e->kind != E_CALL && e->kind != E_FSTRING && e->kind != E_BINARY) {
            hc_help(hc_error(c->P->d, an->pos, "`@hoist` marks an allocation"),
                    "put it before a record, locus or array literal, or a call");
        }
    }
    hc_type *t = ck_inner(c, e, expect);
    e->ty = t;
    return t;
}

hc_type *ck_expr(hc_ctx *c, hc_expr *e, hc_type *expect) {
    hc_type *t = ck_expr_fallible(c, e, expect);
    if (e->fallible && e->kind == E_CALL && e->lhs->kind == E_NAME && e->lhs->builtin &&
        (e->lhs->builtin->flags & HC_BI_BARE)) {
        e->fallible = NULL; /* a std path call that answers a sentinel when it fails */
        e->bare = 1;
    }
    if (e->fallible) {
        const char *what = "this call";
        if (e->kind == E_CALL && e->lhs->kind == E_NAME) {
            what =
                e->lhs->builtin ? e->lhs->builtin->path : e->lhs->path.seg[e->lhs->path.n - 1].name;
        } else if (e->kind == E_CALL && e->lhs->kind == E_FIELD) {
            what = e->lhs->field.name;
        }
        hc_help(hc_error(c->P->d, e->pos,
                         "the error of `%s` is not addressed (it can fail with "
                         "`%s`)",
                         what, TNAME(c, e->fallible)),
                "handle it with `or`: `... or <fallback>`, `... or raise`, or `... or discard`");
        e->fallible = NULL;
    }
    return t;
}
