/* The main locus's `topology { }` block: a declare-only description of the host's cores.
 *
 *   topology {
 *       reserve cores 0..1;
 *       node 0 { l3 fast { cores 1..3; } l3 slow { cores 3..5; } }
 *   }
 *
 * Parsed into an M_TOPOLOGY member whose `placements` are its entries, so placement code reads
 * them with the types it already has: a reserve is {kind "reserve", kwargs [cores]}, a cache
 * domain {field NAME, kind "l3", kwargs [node = N, cores]}, a node without domains {kind "node",
 * kwargs [node = N]}. check_place.c checks them; emit_place.c turns `node =` / `l3 =` into
 * their cores. */
#include <string.h>

#include "parse_impl.h"

hc_expr *ps_core_set(parser *p) {
    if (at(p, P_LBRACE)) {
        hc_expr *set = ps_new_expr(p, E_ARRAY, advance(p)->pos);
        while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
            HC_PUSH(p->a, set->args, ps_expr(p));
            if (!accept(p, P_COMMA)) {
                break;
            }
        }
        ps_expect(p, P_RBRACE, "`}`");
        return set;
    }
    return ps_expr(p);
}

static hc_kwarg kwarg(const char *key, hc_pos at, hc_expr *v) {
    hc_kwarg kw = {key, at, v};
    return kw;
}

static int cores_clause(parser *p, hc_placement *pl) {
    if (!at_word(p, "cores")) {
        ps_perr(p, "expected `cores` and a core set, found %s", ps_found(p));
        return 0;
    }
    hc_pos at = advance(p)->pos;
    HC_PUSH(p->a, pl->kwargs, kwarg("cores", at, ps_core_set(p)));
    return ps_expect(p, P_SEMI, "`;` after the core set");
}

static void l3_decl(parser *p, hc_decl *d, hc_expr *node) {
    hc_placement pl = {0};
    pl.pos = advance(p)->pos;
    pl.kind = (hc_ident){"l3", pl.pos};
    pl.field = ps_expect_ident(p, "a cache domain name after `l3`");
    HC_PUSH(p->a, pl.kwargs, kwarg("node", node->pos, node));
    if (!ps_expect(p, P_LBRACE, "`{`") || !cores_clause(p, &pl)) {
        return;
    }
    ps_expect(p, P_RBRACE, "`}` after the cache domain");
    HC_PUSH(p->a, d->placements, pl);
}

static void node_decl(parser *p, hc_decl *d) {
    hc_placement pl = {0};
    pl.pos = advance(p)->pos;
    pl.kind = (hc_ident){"node", pl.pos};
    if (!at(p, T_INT)) {
        ps_perr(p, "expected a node number after `node`, found %s", ps_found(p));
        return;
    }
    hc_expr *n = ps_expr(p);
    pl.field = (hc_ident){hc_sprintf(p->a, "node %lld", (long long)n->i), n->pos};
    HC_PUSH(p->a, pl.kwargs, kwarg("node", n->pos, n));
    HC_PUSH(p->a, d->placements, pl);
    if (!ps_expect(p, P_LBRACE, "`{`")) {
        return;
    }
    while (at_word(p, "l3")) {
        l3_decl(p, d, n);
        if (p->panic) {
            return;
        }
    }
    ps_expect(p, P_RBRACE, "`}` after the node's cache domains");
}

hc_decl *ps_topology_block(parser *p) {
    hc_decl *d = ps_new_decl(p, M_TOPOLOGY, advance(p)->pos);
    d->name = (hc_ident){"topology", d->pos};
    if (!ps_expect(p, P_LBRACE, "`{` to open the topology")) {
        return d;
    }
    while (!at(p, P_RBRACE) && !at(p, T_EOF) && !p->panic) {
        if (at_word(p, "reserve")) {
            hc_placement pl = {0};
            pl.pos = advance(p)->pos;
            pl.kind = (hc_ident){"reserve", pl.pos};
            pl.field = (hc_ident){"reserve", pl.pos};
            if (cores_clause(p, &pl)) {
                HC_PUSH(p->a, d->placements, pl);
            }
        } else if (at_word(p, "node")) {
            node_decl(p, d);
        } else {
            ps_perr(p, "expected `reserve cores ...;` or `node N { ... }`, found %s", ps_found(p));
        }
    }
    ps_expect(p, P_RBRACE, "`}` to close the topology");
    return d;
}
