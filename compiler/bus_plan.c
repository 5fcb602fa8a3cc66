/* See bus_plan.h. This file: how each topic is lowered, and why.
 *
 * A topic is lowered to direct calls when a send can call each subscriber's handler by name
 * with exactly the bus's observable behaviour. The bus delivers at the publisher's next settle
 * point; a handler that only changes its own locus's state (it prints nothing, publishes
 * nothing, calls nothing that acts) cannot be told apart from one that ran at the send, since
 * nobody else reads that state before its locus's own code runs again (Hale's "quiet" handler).
 * What the walk cannot reproduce cheaply is everything else, and each of those keeps the bus,
 * with the reason reported:
 *   - a binding (an external peer may be the counterparty);
 *   - a key (the per-topic index is the lookup), a topic bound or a subscriber bound (their
 *     queues and refusals are the bus's);
 *   - a subscriber or publisher that may run on another thread (placement);
 *   - a handler that is not quiet: one that publishes (its sends must wait until it returns),
 *     waits, instantiates or ends loci, checks closures, calls into another locus, or may fault
 *     (indexing, integer division by a variable, a fallible call): those need the handler to
 *     run in its locus's frame, under the bus's handler bookkeeping;
 *   - a subscriber type with tick or duration closures (checked after every delivery).
 * A send made while a handler runs still takes the bus's path at run time (the runtime keeps
 * the subscriptions registered for it), so deferred delivery stays exact. */
#include <stdlib.h>
#include <string.h>

#include "bus_plan.h"

static int is_locus_literal(hc_expr *e) {
    return e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

/* ---- threads (placement's question) ---- */

int hc_bus_same_thread(hc_program *P, hc_decl *a, hc_decl *b) {
    (void)P;
    const char *pa = hc_place_pool(a), *pb = hc_place_pool(b);
    return pa && pb && strcmp(pa, "*") != 0 && strcmp(pa, pb) == 0;
}

/* ---- quiet handlers ---- */

typedef struct {
    hc_program *P;
    hc_decl *stack[16]; /* functions being looked at (recursion ends there) */
    int depth;
    const char *why;
    hc_pos at;
    int methods_ok; /* calls of another locus's quiet methods are quiet too (hc_fn_frameless) */
} quiet;

static int loud(quiet *q, hc_pos at, const char *why) {
    q->why = why;
    q->at = at;
    return 0;
}

static int quiet_fn(quiet *q, hc_decl *fn);

static int quiet_builtin(const hc_builtin *b) {
    if (!b || b->err) {
        return 0;
    }
    switch (b->kind) {
    case BI_LEN:
    case BI_TO_STRING:
    case BI_MIN:
    case BI_MAX:
    case BI_ABS:
    case BI_COUNT:
        return 1;
    case BI_SIG:
        if (strncmp(b->path, "std::math::", 11) == 0) {
            return 1;
        }
        static const char *ok[] = {"contains",
                                   "starts_with",
                                   "ends_with",
                                   "std::str::contains",
                                   "std::str::index_of",
                                   "std::str::trim",
                                   "std::str::lower",
                                   "std::str::upper",
                                   "std::str::replace",
                                   "std::time::monotonic",
                                   "std::time::monotonic_ns",
                                   "std::time::now",
                                   "std::str::starts_with",
                                   "std::str::ends_with"};
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
            if (strcmp(b->path, ok[i]) == 0) {
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

static int quiet_call(quiet *q, hc_expr *e) {
    hc_expr *f = e->lhs;
    if (e->fallible) {
        return loud(q, e->pos, "makes a call that can fail");
    }
    switch (f->ref) {
    case REF_BUILTIN:
        return quiet_builtin(f->builtin) ? 1
                                         : loud(q, e->pos,
                                                "calls a built-in that prints, waits, "
                                                "faults or acts on its locus");
    case REF_FN:
        return quiet_fn(q, f->decl);
    case REF_METHOD:
        if (f->kind == E_FIELD && f->lhs && f->lhs->kind == E_SELF && f->decl &&
            f->decl->kind == D_FN) {
            return quiet_fn(q, f->decl);
        }
        if (q->methods_ok && f->decl && f->decl->kind == D_FN) {
            return quiet_fn(q, f->decl);
        }
        return loud(q, e->pos, "calls into another locus");
    case REF_TYPE:
        return 1; /* a conversion that cannot fail (checked: not fallible) */
    default:
        return loud(q, e->pos, "calls a form or slot operation");
    }
}

static int nonzero_literal(hc_expr *e) {
    return e && e->kind == E_INT && e->i != 0;
}

/* Callbacks of hc_walker: 1 goes on (HC_WALK_ON), 0 stops the walk at the first loud thing. */
static int quiet_expr(hc_walker *w, hc_expr *e) {
    quiet *q = w->ctx;
    switch (e->kind) {
    case E_CALL:
        return quiet_call(q, e);
    case E_INDEX:
        return loud(q, e->pos, "indexes (may fault)");
    case E_REPEAT:
        return loud(q, e->pos, "builds a repeated array (may fault)");
    case E_REDUCE:
        return loud(q, e->pos, "reduces");
    case E_BINARY:
        if ((e->op == OP_DIV || e->op == OP_MOD) && e->ty && e->ty->kind != TY_FLOAT &&
            !nonzero_literal(e->rhs)) {
            return loud(q, e->pos, "divides by a value that may be zero (may fault)");
        }
        return 1;
    case E_OR:
        if (e->or_kind == OR_RAISE) {
            return loud(q, e->pos, "raises");
        }
        return 1;
    case E_STRUCT:
        return is_locus_literal(e) ? loud(q, e->pos, "instantiates a locus") : 1;
    default:
        return 1;
    }
}

static int quiet_stmt(hc_walker *w, hc_stmt *s) {
    quiet *q = w->ctx;
    switch (s->kind) {
    case S_SEND:
        return loud(q, s->pos, "publishes (its sends wait until it returns)");
    case S_YIELD:
        return loud(q, s->pos, "yields");
    case S_TERMINATE:
        return loud(q, s->pos, "terminates its locus");
    case S_RECOVERY:
        return loud(q, s->pos, "supervises");
    case S_VIOLATE:
        return loud(q, s->pos, "violates a closure");
    case S_FAIL:
        return loud(q, s->pos, "fails");
    case S_ASSIGN:
        if ((s->op == OP_DIV || s->op == OP_MOD) && s->expr && s->expr->ty &&
            s->expr->ty->kind != TY_FLOAT && !nonzero_literal(s->expr)) {
            return loud(q, s->pos, "divides by a value that may be zero (may fault)");
        }
        return 1;
    default:
        return 1;
    }
}

static int quiet_fn(quiet *q, hc_decl *fn) {
    if (!fn || !fn->body) {
        return loud(q, fn ? fn->name.pos : q->at, "calls a function without a body");
    }
    for (int i = 0; i < q->depth; i++) {
        if (q->stack[i] == fn) {
            return 1; /* recursion: judged where it started */
        }
    }
    if (q->depth == (int)(sizeof q->stack / sizeof q->stack[0])) {
        return loud(q, fn->name.pos, "calls too deep to follow");
    }
    q->stack[q->depth++] = fn;
    hc_walker w = {quiet_expr, quiet_stmt, q};
    int ok = hc_walk_block(&w, fn->body);
    q->depth--;
    return ok;
}

int hc_fn_frameless(hc_program *P, hc_decl *fn) {
    quiet q = {.P = P, .methods_ok = 1};
    return quiet_fn(&q, fn);
}

/* ---- the decision ---- */

static int has_tick_closures(hc_decl *l) {
    for (int i = 0; i < l->members.n; i++) {
        hc_decl *m = l->members.v[i];
        for (int k = 0; m->kind == M_CLOSURE && k < m->clauses.n; k++) {
            const char *kind = m->clauses.v[k].kind;
            if (strcmp(kind, "tick") == 0 || strcmp(kind, "duration") == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static const char *where(hc_program *P, hc_pos at) {
    return hc_sprintf(P->a, "%s:%d:%d", hc_diag_source_name(P->d, at.file), at.line, at.col);
}

static const char *decide(hc_program *P, hc_bus_topic *t) {
    if (t->bound_to_transport) {
        return "bound to a transport (bindings): an external peer may be the counterparty";
    }
    if (!t->subs.n) {
        return "no subscriber: every publish is a counted drop";
    }
    if (!t->pubs.n) {
        return "no publisher";
    }
    if (t->key_field) {
        return "keyed: subscribers are found through the per-topic key index";
    }
    if (t->bound) {
        return hc_sprintf(P->a, "bounded(%lld): a send's disposition needs the bus's answer",
                          (long long)t->bound);
    }
    for (int i = 0; i < t->subs.n; i++) {
        hc_bus_use *u = &t->subs.v[i];
        if (u->item->bound) {
            return hc_sprintf(P->a, "subscriber %s bounds its queue", u->locus->name.name);
        }
        if (has_tick_closures(u->locus)) {
            return hc_sprintf(P->a, "subscriber %s has tick or duration closures",
                              u->locus->name.name);
        }
        for (int k = 0; k < t->pubs.n; k++) {
            if (!hc_bus_same_thread(P, t->pubs.v[k].locus, u->locus)) {
                return hc_sprintf(P->a,
                                  "publisher %s and subscriber %s may run on different "
                                  "threads (placement)",
                                  t->pubs.v[k].locus->name.name, u->locus->name.name);
            }
        }
        if (!u->quiet) { /* hc_bus_lowering judged it; walk it again only for the reason */
            quiet q = {P, {0}, 0, NULL, u->item->pos, 0};
            quiet_fn(&q, u->item->handler_decl);
            return hc_sprintf(P->a, "handler %s.%s %s (%s)", u->locus->name.name,
                              u->item->handler.name, q.why, where(P, q.at));
        }
    }
    return NULL;
}

/* The one parameter of locus type `pub` that holds a `sub`, or NULL (none, or several). */
static const char *only_child_field(hc_decl *pub, hc_decl *sub) {
    const char *found = NULL;
    for (int i = 0; i < pub->members.n; i++) {
        hc_decl *m = pub->members.v[i];
        for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
            hc_type *t = m->lparams.v[k].ty;
            if (t && t->kind == TY_LOCUS && t->decl == sub) {
                if (found) {
                    return NULL;
                }
                found = m->lparams.v[k].name.name;
            }
        }
    }
    return found;
}

/* Hale's closed-world rewrites (bus_plan.h): sets t->route and t->field, returns the reason. */
static const char *closed_world(hc_program *P, hc_bus_topic *t) {
    if (t->bound_to_transport || t->subs.n != 1 || t->pubs.n != 1 || t->key_field || t->bound) {
        return NULL;
    }
    hc_bus_use *sub = &t->subs.v[0];
    hc_decl *pub = t->pubs.v[0].locus;
    if (sub->item->bound || sub->item->key_filter || !sub->item->handler_decl) {
        return NULL;
    }
    if (pub == sub->locus) {
        t->route = HC_ROUTE_SELF;
        return hc_sprintf(P->a,
                          "every send is made by %s, the only subscriber: it calls the handler "
                          "on self",
                          pub->name.name);
    }
    const char *field = only_child_field(pub, sub->locus);
    if (field && hc_bus_same_thread(P, pub, sub->locus)) {
        t->route = HC_ROUTE_FIELD;
        t->field = field;
        return hc_sprintf(P->a,
                          "every send is made by %s, whose parameter `%s` holds the only "
                          "subscriber %s: it calls the handler on that child",
                          pub->name.name, field, sub->locus->name.name);
    }
    return NULL;
}

void hc_bus_lowering(hc_program *P) {
    const char *env = getenv("HALE_BUS_DIRECT");
    int off = env && strcmp(env, "0") == 0;
    for (int i = 0; i < P->bus->topics.n; i++) {
        hc_bus_topic *t = P->bus->topics.v[i];
        for (int k = 0; k < t->subs.n; k++) {
            quiet q = {P, {0}, 0, NULL, t->subs.v[k].item->pos, 0};
            t->subs.v[k].quiet = quiet_fn(&q, t->subs.v[k].item->handler_decl);
        }
        if (t->wild) {
            t->direct = 0; /* a wildcard subscription's handler joined it through the bus */
            t->reason = "a wildcard subscription matches it";
            continue;
        }
        const char *routed = closed_world(P, t);
        if (routed) {
            t->direct = 1;
            t->reason = routed;
            continue;
        }
        const char *why = decide(P, t);
        if (!why && off) {
            why = "direct calls turned off (HALE_BUS_DIRECT=0)";
        }
        t->direct = why == NULL;
        const char *pool = t->pubs.n ? hc_place_pool(t->pubs.v[0].locus) : NULL;
        const char *on =
            !pool || strcmp(pool, "main") == 0 ? "main pool" : hc_sprintf(P->a, "pool `%s`", pool);
        t->reason = why ? why
                        : hc_sprintf(P->a,
                                     "every subscriber is on the publishing thread (%s), no "
                                     "binding, quiet handlers: sends call them directly",
                                     on);
    }
}

void hc_bus_report_json(hc_program *P, hc_buf *out) {
    for (int i = 0; P->bus && i < P->bus->topics.n; i++) {
        hc_bus_topic *t = P->bus->topics.v[i];
        hc_buf_puts(out, "{\"topic\":");
        hc_json_string(out, t->name);
        hc_buf_puts(out, ",\"subject\":");
        hc_json_string(out, t->subject);
        hc_buf_printf(out, ",\"id\":%d,\"lowering\":\"%s\",\"reason\":", t->id,
                      t->route == HC_ROUTE_SELF    ? "self"
                      : t->route == HC_ROUTE_FIELD ? "child"
                      : t->direct                  ? "direct"
                                                   : "dispatched");
        hc_json_string(out, t->reason);
        hc_buf_puts(out, "}\n");
    }
}
