/* See analyze.h. This file: descriptors that pile up (`resource-leak`, --warn-resource-leak).
 *
 * The same unbounded contexts as the accumulation check, applied to what listen, accept and
 * connect return: a descriptor made there and kept where it is not given back per message or
 * per iteration stays open, and the process runs out of them long before it runs out of memory.
 * Kept means
 *   - in a child kept beyond the context (an_kept_child: a resident of an owner that keeps its
 *     children, or a child held until the function returns), which closes it only when it goes;
 *   - in a `self` field the context overwrites, with no close of that field in the function:
 *     the descriptor it held is lost, still open;
 *   - in a growing collection (an_growing_insert) that outlives the context.
 * A descriptor is the call itself (`std::io::tcp::accept(l) or -1`) or a local given one. */
#include <string.h>

#include "analyze.h"

typedef struct {
    hc_arena *a;
    hc_decl *fn; /* the function whose descriptor locals are below */
    HC_VEC(hc_local *) fd_locals;
} leak;

/* The std calls that answer a descriptor (an Int the program must close), and those that close
 * one: tcp listeners and streams, udp sockets, TLS sessions. */
static const char *const fd_openers[] = {"hale_tcpx_listen",
                                         "hale_tcpx_accept",
                                         "hale_tcpx_connect",
                                         "hale_udp_bind",
                                         "hale_tls_connect",
                                         "hale_tls_upgrade",
                                         NULL};
static const char *const fd_closers[] = {"hale_tcpx_close_fd", "hale_udp_close", "hale_tls_close",
                                         NULL};

static int calls_one_of(hc_expr *e, const char *const *cfns) {
    if (!e || e->kind != E_CALL || !e->lhs || e->lhs->ref != REF_BUILTIN || !e->lhs->builtin ||
        !e->lhs->builtin->cfn) {
        return 0;
    }
    for (int i = 0; cfns[i]; i++) {
        if (strcmp(e->lhs->builtin->cfn, cfns[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The std call that closes what `fd` (a descriptor-making call, or a local given one) holds. */
static const char *closer_for(hc_expr *fd) {
    const char *c = fd && fd->kind == E_CALL ? fd->lhs->builtin->cfn : "";
    if (strncmp(c, "hale_udp_", 9) == 0) {
        return "std::io::udp::close";
    }
    return strncmp(c, "hale_tls_", 9) == 0 ? "std::io::tls::close" : "std::io::tcp::close_fd";
}

hc_expr *an_fd_call(hc_expr *e) {
    while (e && e->kind == E_OR) {
        e = e->lhs;
    }
    return calls_one_of(e, fd_openers) ? e : NULL;
}

static int find_locals(hc_walker *hw, hc_stmt *s) {
    leak *lk = hw->ctx;
    hc_local *l = NULL;
    if (s->kind == S_LET && an_fd_call(s->expr)) {
        l = s->local;
    } else if (s->kind == S_ASSIGN && s->target->kind == E_NAME && s->target->ref == REF_LOCAL &&
               an_fd_call(s->expr)) {
        l = s->target->local;
    }
    if (l) {
        HC_PUSH(lk->a, lk->fd_locals, l);
    }
    return HC_WALK_ON;
}

/* Whether `e` is a descriptor: a descriptor-making call, or a local given one. */
static hc_expr *fd_value(leak *lk, hc_expr *e) {
    hc_expr *call = an_fd_call(e);
    if (call) {
        return call;
    }
    while (e && e->kind == E_OR) {
        e = e->lhs;
    }
    if (e && e->kind == E_NAME && e->ref == REF_LOCAL) {
        for (int i = 0; i < lk->fd_locals.n; i++) {
            if (lk->fd_locals.v[i] == e->local) {
                return e;
            }
        }
    }
    return NULL;
}

/* A descriptor inside a value: itself, or a field of a record literal. */
static hc_expr *fd_inside(leak *lk, hc_expr *e) {
    hc_expr *f = fd_value(lk, e);
    for (int i = 0; !f && e && e->kind == E_STRUCT && i < e->inits.n; i++) {
        f = fd_inside(lk, e->inits.v[i].value);
    }
    return f;
}

static void where_from(hc_diag *g, hc_expr *fd) {
    if (fd->kind == E_CALL) {
        return; /* the caret is on it already */
    }
    hc_note(g, fd->local->pos, "`%s` holds a descriptor from listen, accept or connect",
            fd->local->name);
}

static void child_site(an_walk *w, leak *lk, hc_expr *lit) {
    hc_program *P = w->P;
    int by_owner;
    const an_why *why = an_kept_child(w, lit, &by_owner);
    for (int i = 0; why && i < lit->inits.n; i++) {
        hc_expr *v = lit->inits.v[i].value;
        hc_expr *fd = fd_value(lk, v);
        if (!fd) {
            continue;
        }
        const char *t = lit->decl->name.name;
        const char *until = by_owner ? hc_sprintf(P->a, "`%s` dissolves", w->fn->locus->name.name)
                                     : hc_sprintf(P->a, "`%s` returns", w->fn->name.name);
        hc_diag *g = hc_advisory(
            P->d, "resource-leak", v->pos,
            "the descriptor in `%s.%s` stays open as long as its `%s`, and one is kept %s: "
            "descriptors pile up until %s",
            t, lit->inits.v[i].name.name, t, an_why_text(P->a, why), until);
        where_from(g, fd);
        an_why_notes(g, why);
        if (by_owner) {
            hc_help(g,
                    "make `%s` a flow: `release(c: %s) { }` on `%s` ends each one when its run() "
                    "returns, and close the descriptor then (a `std::io::tcp::Stream` that owns "
                    "it closes it when it goes)",
                    t, t, w->fn->locus->name.name);
        } else {
            hc_help(g,
                    "make the `%s` in a function the loop calls (it goes when that call "
                    "returns), and close the descriptor when it goes",
                    t);
        }
    }
}

/* `std::io::tcp::close_fd(place)`. */
static int is_close(hc_expr *e, hc_expr *place) {
    return calls_one_of(e, fd_closers) && e->args.n == 1 && an_same_place(e->args.v[0], place);
}

static void field_site(an_walk *w, leak *lk, hc_stmt *s) {
    hc_program *P = w->P;
    int via_self;
    an_place_root(s->target, &via_self);
    hc_expr *fd = via_self && s->op == OP_NONE ? fd_value(lk, s->expr) : NULL;
    const an_why *why = fd ? an_escapes(w, NULL) : NULL;
    if (!why) {
        return;
    }
    if (an_body_calls(w->fn, is_close, s->target)) {
        return;
    }
    const char *name = an_place_text(P->a, s->target);
    hc_diag *g = hc_advisory(P->d, "resource-leak", an_place_pos(s->target),
                             "`%s` is given a new descriptor %s, and the one it held is never "
                             "closed",
                             name, an_why_text(P->a, why));
    where_from(g, fd);
    an_why_notes(g, why);
    hc_help(g,
            "close the old one first (`%s(%s)`), or give each connection a flow child that owns it",
            closer_for(fd), name);
}

static void insert_site(an_walk *w, leak *lk, hc_expr *e) {
    hc_program *P = w->P;
    hc_expr *fd = NULL;
    for (int i = 0; !fd && i < e->args.n; i++) {
        fd = fd_inside(lk, e->args.v[i]);
    }
    int via_self;
    hc_local *root = an_place_root(e->lhs->lhs, &via_self);
    const an_why *why = fd ? an_escapes(w, root) : NULL;
    if (!why) {
        return;
    }
    const char *recv = an_place_text(P->a, e->lhs->lhs);
    hc_diag *g = hc_advisory(P->d, "resource-leak", e->lhs->field.pos,
                             "each descriptor added to `%s` %s stays open while it is held "
                             "there, and `%s` only grows",
                             recv, an_why_text(P->a, why), recv);
    where_from(g, fd);
    an_why_notes(g, why);
    hc_help(g, "give each connection a flow child that owns its descriptor, or close and remove "
               "entries that are done");
}

static void enter(an_walk *w, leak *lk) {
    if (lk->fn == w->fn) {
        return;
    }
    lk->fn = w->fn;
    lk->fd_locals.n = 0;
    hc_walker hw = {NULL, find_locals, lk};
    hc_walk_block(&hw, w->fn->body);
}

static int at_expr(an_walk *w, hc_expr *e) {
    leak *lk = w->ctx;
    enter(w, lk);
    if (an_growing_insert(e)) {
        insert_site(w, lk, e);
    }
    if (e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS) {
        child_site(w, lk, e);
    }
    return HC_WALK_ON;
}

static int at_stmt(an_walk *w, hc_stmt *s) {
    leak *lk = w->ctx;
    enter(w, lk);
    if (s->kind == S_ASSIGN) {
        field_site(w, lk, s);
    }
    return HC_WALK_ON;
}

void an_resource_leak(hc_program *P) {
    leak lk = {.a = P->a};
    an_walk w = {.P = P, .expr = at_expr, .on_stmt = at_stmt, .ctx = &lk};
    an_walk_program(&w);
}
