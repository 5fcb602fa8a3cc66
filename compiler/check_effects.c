/* Effect classes and the assertions over them (Hale's spec/verification.md, "Effect assertions").
 *
 *   effect money;                    a user class, carried by functions that say so:
 *   @effects(is: { money })          this function carries `money`
 *   effect io = { syscall, block };  a name for a set of classes
 *   @effects(none: { io, money })    this function must not reach any of them
 *   @effects(only: { alloc })        ... reaches nothing else
 *   @effects(publish: { Settled })   ... publishes only these topics
 *   @no_syscall @no_block @no_ffi @no_publish @no_spawn @no_recursion   sugar for `none`
 *   @deterministic                   none: { time, entropy, env }
 *   @phase_effects(birth: { alloc }) on a locus: what each lifecycle phase may reach
 *   @no_panic                        no operation in its body that can fault (indexing, division
 *                                    by a value that may be zero, `or raise`)
 *
 * What a function reaches is inferred over the call graph from direct sites: printing and the
 * std library's I/O are `syscall` and `block`, `std::time::sleep` `block` and `time`, clocks
 * `time`, randomness `entropy`, the environment `env`, `@ffi` calls `ffi`, sends `publish`, locus
 * literals `spawn`, anything that allocates `alloc`, a call cycle `recursion`. A std namespace
 * this table does not classify counts as reaching every built-in class (fails closed). A
 * violation names the path from the asserting function to the site. */
#include <stdint.h>
#include <string.h>

#include "check_impl.h"

enum {
    EF_SYSCALL,
    EF_BLOCK,
    EF_TIME,
    EF_ENTROPY,
    EF_ENV,
    EF_FFI,
    EF_PUBLISH,
    EF_SPAWN,
    EF_RECURSION,
    EF_ALLOC,
    EF_NBUILTIN,
    EF_MAX = 64
};

static const char *builtin_names[EF_NBUILTIN] = {
    "syscall", "block", "time", "entropy", "env", "ffi", "publish", "spawn", "recursion", "alloc"};

typedef struct {
    hc_decl *fn;
    uint64_t direct, total;
    const char *why[EF_MAX]; /* the first direct site of each class */
    HC_VEC(int) callees;
    HC_VEC(const char *) sends; /* topics (or subjects) it publishes directly */
} ef_node;

typedef struct {
    hc_program *P;
    HC_VEC(ef_node) nodes;
    const char *names[EF_MAX]; /* class bit -> name */
    int nclasses;
    ef_node *cur;
} ef_ctx;

static int node_of(ef_ctx *x, hc_decl *fn) {
    for (int i = 0; i < x->nodes.n; i++) {
        if (x->nodes.v[i].fn == fn) {
            return i;
        }
    }
    return -1;
}

static hc_decl *effect_decl(ef_ctx *x, hc_decl *fn, const char *name) {
    hc_decl *d = hc_seed_lookup(x->P, fn->seed ? fn->seed : x->P->root, name);
    return d && d->kind == D_EFFECT ? d : NULL;
}

static int class_bit(ef_ctx *x, const char *name) {
    for (int i = 0; i < x->nclasses; i++) {
        if (strcmp(x->names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* The classes a name in a set stands for (a class, or a declared set), or 0 with an error. */
static uint64_t class_mask(ef_ctx *x, hc_decl *fn, const char *name, hc_pos at, int depth) {
    int b = class_bit(x, name);
    hc_decl *d = b < 0 ? effect_decl(x, fn, name) : NULL;
    if (b >= 0 && !(d && d->generics.n)) {
        return (uint64_t)1 << b;
    }
    if (d && d->generics.n && depth < 8) {
        uint64_t m = 0;
        for (int i = 0; i < d->generics.n; i++) {
            m |= class_mask(x, d, d->generics.v[i], d->name.pos, depth + 1);
        }
        return m;
    }
    hc_help(hc_error(x->P->d, at, "unknown effect class `%s`", name),
            "the classes are syscall, block, time, entropy, env, ffi, publish, spawn, "
            "recursion, alloc, and those declared with `effect NAME;`");
    return 0;
}

static uint64_t set_mask(ef_ctx *x, hc_decl *fn, hc_expr *set) {
    uint64_t m = 0;
    if (!set || set->kind != E_ARRAY) {
        hc_error(x->P->d, set ? set->pos : fn->name.pos,
                 "an effect set is written `{ class, class }`");
        return 0;
    }
    for (int i = 0; i < set->args.n; i++) {
        hc_expr *e = set->args.v[i];
        if (e->kind != E_NAME || e->path.n != 1) {
            hc_error(x->P->d, e->pos, "an effect set holds class names");
            continue;
        }
        m |= class_mask(x, fn, e->path.seg[0].name, e->pos, 0);
    }
    return m;
}

static void direct(ef_ctx *x, int bit, const char *why) {
    ef_node *n = x->cur;
    if (!(n->direct & ((uint64_t)1 << bit))) {
        n->direct |= (uint64_t)1 << bit;
        n->why[bit] = why;
    }
}

/* The classes of a std library call, by its namespace. */
static uint64_t std_classes(const char *path) {
    static const struct {
        const char *prefix;
        uint64_t mask;
    } table[] = {
        {"std::time::sleep", 1u << EF_BLOCK | 1u << EF_TIME},
        {"std::time::", 1u << EF_TIME},
        {"std::random", 1u << EF_ENTROPY},
        {"std::crypto::random", 1u << EF_ENTROPY},
        {"std::env::", 1u << EF_ENV},
        {"std::str::", 0},
        {"std::math::", 0},
        {"std::bytes::", 0},
        {"std::json::", 0},
        {"std::decimal::", 0},
        {"std::codec::", 0},
        {"std::text::", 0},
        {"std::yaml::", 0},
        {"std::hash::", 0},
        {"std::crypto::", 0},
        {"std::io::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
        {"std::fs::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
        {"std::http::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
        {"std::net::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
        {"std::process::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
        {"std::log::", 1u << EF_SYSCALL | 1u << EF_BLOCK},
    };
    if (strncmp(path, "std::", 5) != 0) {
        return 0; /* language built-ins (len, to_string, ...) */
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strncmp(path, table[i].prefix, strlen(table[i].prefix)) == 0) {
            return table[i].mask;
        }
    }
    return ((uint64_t)1 << EF_NBUILTIN) - 1; /* unclassified: may do anything */
}

static int walk_expr(hc_walker *w, hc_expr *e) {
    ef_ctx *x = w->ctx;
    if (e->allocates) {
        direct(x, EF_ALLOC, "an allocation");
    }
    if (e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS) {
        direct(x, EF_SPAWN, hc_sprintf(x->P->a, "`%s { ... }` makes a locus", e->decl->name.name));
    }
    if (e->kind != E_CALL || !e->lhs) {
        return HC_WALK_ON;
    }
    hc_expr *f = e->lhs;
    if (f->ref == REF_BUILTIN && f->builtin) {
        const char *path = f->builtin->path;
        uint64_t m = std_classes(path);
        if (f->builtin->kind == BI_PRINT || f->builtin->kind == BI_PRINTLN ||
            f->builtin->kind == BI_EPRINT || f->builtin->kind == BI_EPRINTLN) {
            m = 1u << EF_SYSCALL | 1u << EF_BLOCK;
        }
        for (int b = 0; b < EF_NBUILTIN; b++) {
            if (m & ((uint64_t)1 << b)) {
                direct(x, b, hc_sprintf(x->P->a, "`%s`", path));
            }
        }
    } else if ((f->ref == REF_FN || f->ref == REF_METHOD) && f->decl) {
        if (hc_ffi_annot(f->decl)) {
            direct(x, EF_FFI, hc_sprintf(x->P->a, "`%s` is an @ffi function", f->decl->name.name));
        }
        int k = node_of(x, f->decl);
        if (k >= 0) {
            HC_PUSH(x->P->a, x->cur->callees, k);
        }
    }
    return HC_WALK_ON;
}

static int walk_stmt(hc_walker *w, hc_stmt *s) {
    ef_ctx *x = w->ctx;
    if (s->kind == S_SEND && s->target) {
        const char *topic = s->target->kind == E_STRING ? s->target->str
                            : s->target->kind == E_NAME
                                ? s->target->path.seg[s->target->path.n - 1].name
                                : "?";
        direct(x, EF_PUBLISH, hc_sprintf(x->P->a, "a send on `%s`", topic));
        HC_PUSH(x->P->a, x->cur->sends, topic);
    }
    return HC_WALK_ON;
}

static hc_annot *annot(hc_decl *d, const char *name) {
    for (int i = 0; i < d->annots.n; i++) {
        if (strcmp(d->annots.v[i].name.name, name) == 0) {
            return &d->annots.v[i];
        }
    }
    return NULL;
}

static hc_expr *annot_arg(hc_annot *an, const char *key) {
    for (int i = 0; an && i < an->args.n; i++) {
        if (an->args.v[i].key && strcmp(an->args.v[i].key, key) == 0) {
            return an->args.v[i].value;
        }
    }
    return NULL;
}

/* Whether node `to` is `from` or called from it, directly or not. */
static int reaches(ef_ctx *x, int from, int to) {
    int n = x->nodes.n, head = 0, tail = 0;
    char *seen = hc_alloc(x->P->a, (size_t)n + 1);
    int *queue = hc_alloc(x->P->a, sizeof(int) * (size_t)(n + 1));
    memset(seen, 0, (size_t)n + 1);
    seen[from] = 1;
    queue[tail++] = from;
    while (head < tail) {
        int i = queue[head++];
        if (i == to) {
            return 1;
        }
        for (int k = 0; k < x->nodes.v[i].callees.n; k++) {
            int c = x->nodes.v[i].callees.v[k];
            if (!seen[c]) {
                seen[c] = 1;
                queue[tail++] = c;
            }
        }
    }
    return 0;
}

/* The path from node `from` to a node whose own sites have `bit` ("a -> b -> c [why]"). */
static const char *witness(ef_ctx *x, int from, int bit) {
    int n = x->nodes.n;
    int *prev = hc_alloc(x->P->a, sizeof(int) * (size_t)(n + 1));
    int *queue = hc_alloc(x->P->a, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        prev[i] = -2;
    }
    int head = 0, tail = 0, found = -1;
    prev[from] = -1;
    queue[tail++] = from;
    while (head < tail && found < 0) {
        int i = queue[head++];
        if (x->nodes.v[i].direct & ((uint64_t)1 << bit)) {
            found = i;
            break;
        }
        for (int k = 0; k < x->nodes.v[i].callees.n; k++) {
            int c = x->nodes.v[i].callees.v[k];
            if (prev[c] == -2) {
                prev[c] = i;
                queue[tail++] = c;
            }
        }
    }
    if (found < 0) {
        return "?";
    }
    const char *path = "";
    for (int i = found; i >= 0; i = prev[i]) {
        path = *path ? hc_sprintf(x->P->a, "%s -> %s", x->nodes.v[i].fn->name.name, path)
                     : x->nodes.v[i].fn->name.name;
    }
    const char *why = x->nodes.v[found].why[bit];
    return hc_sprintf(x->P->a, "%s [%s]", path, why ? why : x->names[bit]);
}

static void assert_mask(ef_ctx *x, int i, uint64_t forbidden, hc_pos at, const char *rule) {
    ef_node *n = &x->nodes.v[i];
    uint64_t bad = n->total & forbidden;
    for (int b = 0; b < x->nclasses && bad; b++) {
        if (bad & ((uint64_t)1 << b)) {
            hc_error(x->P->d, at, "effect assertion violated: `%s` %s `%s`, but reaches %s",
                     n->fn->name.name, rule, x->names[b], witness(x, i, b));
        }
    }
}

static void no_panic(ef_ctx *x, hc_decl *fn);

static void check_fn(ef_ctx *x, int i) {
    hc_decl *fn = x->nodes.v[i].fn;
    static const struct {
        const char *sugar;
        uint64_t mask;
    } sugar[] = {
        {"no_syscall", 1u << EF_SYSCALL},
        {"no_block", 1u << EF_BLOCK},
        {"no_ffi", 1u << EF_FFI},
        {"no_publish", 1u << EF_PUBLISH},
        {"no_spawn", 1u << EF_SPAWN},
        {"no_recursion", 1u << EF_RECURSION},
        {"deterministic", 1u << EF_TIME | 1u << EF_ENTROPY | 1u << EF_ENV},
    };
    for (size_t k = 0; k < sizeof sugar / sizeof sugar[0]; k++) {
        hc_annot *an = annot(fn, sugar[k].sugar);
        if (an) {
            assert_mask(x, i, sugar[k].mask, an->pos, "must not reach");
        }
    }
    hc_annot *an = annot(fn, "effects");
    if (an) {
        hc_expr *none = annot_arg(an, "none"), *only = annot_arg(an, "only");
        if (none) {
            assert_mask(x, i, set_mask(x, fn, none), an->pos, "must not reach");
        }
        if (only) {
            assert_mask(x, i, ~set_mask(x, fn, only), an->pos, "may reach only its set, not");
        }
        hc_expr *pubs = annot_arg(an, "publish");
        if (pubs) { /* every send reachable from fn names a topic of the set */
            for (int j = 0; j < x->nodes.n; j++) {
                ef_node *m = &x->nodes.v[j];
                int reach = m->sends.n && reaches(x, i, j);
                for (int s = 0; reach && s < m->sends.n; s++) {
                    int ok = 0;
                    for (int t = 0; pubs->kind == E_ARRAY && t < pubs->args.n; t++) {
                        hc_expr *p = pubs->args.v[t];
                        ok |= (p->kind == E_NAME &&
                               strcmp(p->path.seg[p->path.n - 1].name, m->sends.v[s]) == 0) ||
                              (p->kind == E_STRING && strcmp(p->str, m->sends.v[s]) == 0);
                    }
                    if (!ok) {
                        hc_error(x->P->d, an->pos,
                                 "effect assertion violated: `%s` may publish only its set, but "
                                 "`%s` sends on `%s`",
                                 fn->name.name, m->fn->name.name, m->sends.v[s]);
                    }
                }
            }
        }
    }
    if (annot(fn, "no_panic")) {
        no_panic(x, fn);
    }
}

/* ---- @no_panic: the body's own operations that can fault ---- */

typedef struct {
    ef_ctx *x;
    hc_decl *fn;
} np_ctx;

static int np_expr(hc_walker *w, hc_expr *e) {
    np_ctx *c = w->ctx;
    const char *what = NULL;
    if (e->kind == E_INDEX) {
        what = "an index can be out of range";
    } else if (e->kind == E_BINARY && (e->op == OP_DIV || e->op == OP_MOD) && e->ty &&
               e->ty->kind != TY_FLOAT && !(e->rhs->kind == E_INT && e->rhs->i != 0)) {
        what = "a division by a value that may be zero";
    } else if (e->kind == E_OR && e->or_kind == OR_RAISE) {
        what = "`or raise` faults when nothing handles the error";
    }
    if (what) {
        hc_error(c->x->P->d, e->pos, "`%s` is `@no_panic`, but %s", c->fn->name.name, what);
    }
    return HC_WALK_ON;
}

static void no_panic(ef_ctx *x, hc_decl *fn) {
    np_ctx c = {x, fn};
    hc_walker w = {np_expr, NULL, &c};
    hc_walk_block(&w, fn->body);
}

void ck_effects(hc_program *P) {
    ef_ctx x = {0};
    x.P = P;
    for (int b = 0; b < EF_NBUILTIN; b++) {
        x.names[x.nclasses++] = builtin_names[b];
    }
    int any = 0;
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            if (d->kind != D_EFFECT) {
                continue;
            }
            any = 1;
            for (int b = 0; b < EF_NBUILTIN; b++) {
                if (strcmp(builtin_names[b], d->name.name) == 0) {
                    hc_error(P->d, d->name.pos, "`%s` is a built-in effect class", d->name.name);
                }
            }
            if (!d->generics.n) {
                if (x.nclasses >= EF_MAX) {
                    hc_error(P->d, d->name.pos, "too many effect classes (at most %d)", EF_MAX);
                } else {
                    x.names[x.nclasses++] = d->name.name;
                }
            }
        }
    }
    for (int i = 0; i < P->fns.n; i++) {
        ef_node n = {0};
        n.fn = P->fns.v[i];
        HC_PUSH(P->a, x.nodes, n);
        any |= P->fns.v[i]->annots.n > 0;
    }
    for (int i = 0; i < P->loci.n; i++) {
        any |= annot(P->loci.v[i], "phase_effects") != NULL;
    }
    if (!any) {
        return;
    }
    /* direct sites and call edges */
    for (int i = 0; i < x.nodes.n; i++) {
        x.cur = &x.nodes.v[i];
        hc_decl *fn = x.cur->fn;
        hc_walker w = {walk_expr, walk_stmt, &x};
        hc_walk_block(&w, fn->body);
        hc_expr *is = annot_arg(annot(fn, "effects"), "is");
        if (is) {
            uint64_t m = set_mask(&x, fn, is);
            for (int b = 0; b < x.nclasses; b++) {
                if (m & ((uint64_t)1 << b)) {
                    direct(&x, b, hc_sprintf(P->a, "`%s` carries `%s`", fn->name.name, x.names[b]));
                }
            }
        }
    }
    /* recursion: a function some callee path leads back to */
    for (int i = 0; i < x.nodes.n; i++) {
        int back = 0;
        for (int k = 0; k < x.nodes.v[i].callees.n && !back; k++) {
            back = reaches(&x, x.nodes.v[i].callees.v[k], i);
        }
        if (back) {
            x.cur = &x.nodes.v[i];
            direct(&x, EF_RECURSION, "a call cycle back to itself");
        }
    }
    /* totals: the fixpoint over the call graph */
    for (int i = 0; i < x.nodes.n; i++) {
        x.nodes.v[i].total = x.nodes.v[i].direct;
    }
    for (int changed = 1, rounds = 0; changed && rounds < x.nodes.n + 2; rounds++) {
        changed = 0;
        for (int i = 0; i < x.nodes.n; i++) {
            uint64_t t = x.nodes.v[i].total;
            for (int k = 0; k < x.nodes.v[i].callees.n; k++) {
                t |= x.nodes.v[x.nodes.v[i].callees.v[k]].total;
            }
            if (t != x.nodes.v[i].total) {
                x.nodes.v[i].total = t;
                changed = 1;
            }
        }
    }
    for (int i = 0; i < x.nodes.n; i++) {
        check_fn(&x, i);
    }
    /* @phase_effects(birth: { ... }) on a locus: its lifecycle methods */
    for (int l = 0; l < P->loci.n; l++) {
        hc_decl *locus = P->loci.v[l];
        hc_annot *an = annot(locus, "phase_effects");
        for (int a = 0; an && a < an->args.n; a++) {
            hc_annot_arg *arg = &an->args.v[a];
            if (!arg->key) {
                hc_error(P->d, arg->value->pos, "`@phase_effects` takes `phase: { classes }`");
                continue;
            }
            uint64_t allowed = set_mask(&x, locus, arg->value);
            int found = 0;
            for (int m = 0; m < locus->members.n; m++) {
                hc_decl *h = locus->members.v[m];
                if (h->kind == M_LIFECYCLE && strcmp(h->name.name, arg->key) == 0) {
                    int k = node_of(&x, h);
                    found = 1;
                    if (k >= 0) {
                        assert_mask(&x, k, ~allowed, an->pos,
                                    "may reach only its phase's set, not");
                    }
                }
            }
            static const char *phases[] = {"birth",    "run",    "drain",
                                           "dissolve", "accept", "release"};
            int known = 0;
            for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++) {
                known |= strcmp(phases[p], arg->key) == 0;
            }
            if (!known) {
                hc_error(P->d, arg->key_pos, "`%s` is not a lifecycle phase", arg->key);
            }
            (void)found;
        }
    }
}
