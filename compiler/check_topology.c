/* The main locus's `topology { }` block (parse_topology.c) and the placement entries that target
 * it (`pinned(node = 0)`, `pinned(l3 = fast)`, `replicas = K`).
 *
 * The block is declare-only: node numbers are unique, cache-domain names are unique, a core
 * belongs to at most one domain and never to a reserved range. A placement naming a node or
 * a domain must find it declared. The core sets are static (integer literals), so they are read
 * here once and again by the emitter through hc_core_set. */
#include <string.h>

#include "check_impl.h"

enum { MAX_CORES = 4096 };

int hc_core_set(hc_expr *v, int *out, int max) {
    int n = 0;
    if (!v) {
        return 0;
    }
    if (v->kind == E_INT) {
        if (n < max) {
            out[n++] = (int)v->i;
        }
    } else if (v->kind == E_RANGE && v->lhs && v->rhs && v->lhs->kind == E_INT &&
               v->rhs->kind == E_INT) {
        int64_t hi = v->rhs->i + (v->inclusive ? 1 : 0);
        for (int64_t c = v->lhs->i; c < hi && n < max; c++) {
            out[n++] = (int)c;
        }
    } else if (v->kind == E_ARRAY) {
        for (int i = 0; i < v->args.n && n < max; i++) {
            if (v->args.v[i]->kind == E_INT) {
                out[n++] = (int)v->args.v[i]->i;
            }
        }
    }
    return n;
}

hc_decl *hc_topology(hc_program *P) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        if (m->members.v[i]->kind == M_TOPOLOGY) {
            return m->members.v[i];
        }
    }
    return NULL;
}

int hc_topology_cores(hc_program *P, hc_kwarg *kw, int *out, int max) {
    hc_decl *t = hc_topology(P);
    int n = 0;
    for (int i = 0; t && i < t->placements.n; i++) {
        hc_placement *e = &t->placements.v[i];
        hc_kwarg *node = ck_kwarg(&e->kwargs, "node");
        int match = 0;
        if (strcmp(e->kind.name, "l3") == 0 && strcmp(kw->key, "l3") == 0) {
            match = kw->value->kind == E_NAME &&
                    strcmp(e->field.name, kw->value->path.seg[0].name) == 0;
        } else if (strcmp(e->kind.name, "l3") == 0 && strcmp(kw->key, "node") == 0) {
            match = node && kw->value->kind == E_INT && node->value->i == kw->value->i;
        }
        if (match) {
            n += hc_core_set(ck_kwarg(&e->kwargs, "cores")->value, out + n, max - n);
        }
    }
    return n;
}

static int core_range_ok(hc_program *P, hc_kwarg *cores) {
    hc_expr *v = cores->value;
    int ok = (v->kind == E_RANGE && v->lhs && v->rhs && v->lhs->kind == E_INT &&
              v->rhs->kind == E_INT && v->lhs->i >= 0 && v->rhs->i < MAX_CORES) ||
             v->kind == E_ARRAY;
    for (int i = 0; v->kind == E_ARRAY && i < v->args.n; i++) {
        ok &= v->args.v[i]->kind == E_INT && v->args.v[i]->i >= 0 && v->args.v[i]->i < MAX_CORES;
    }
    if (!ok) {
        hc_help(
            hc_error(P->d, v->pos, "a core set is `A..B`, `A..=B` or `{a, b, c}` of core numbers"),
            "cores are numbered from 0");
    }
    return ok;
}

void ck_topology(hc_program *P, hc_decl *locus, hc_decl *t) {
    if (!locus->is_main) {
        hc_help(hc_error(P->d, t->pos, "`topology` is only allowed in the `main locus`"),
                "the host's description is a deployment choice, like `placement`");
        return;
    }
    static int owner[MAX_CORES]; /* 0: free, else 1 + the entry's index */
    memset(owner, 0, sizeof owner);
    for (int i = 0; i < t->placements.n; i++) {
        hc_placement *e = &t->placements.v[i];
        for (int j = 0; j < i; j++) {
            hc_placement *o = &t->placements.v[j];
            if (strcmp(e->kind.name, "reserve") != 0 && strcmp(e->kind.name, o->kind.name) == 0 &&
                strcmp(e->field.name, o->field.name) == 0) {
                hc_note(hc_error(P->d, e->field.pos, "`%s` is declared twice in the topology",
                                 e->field.name),
                        o->field.pos, "first declared here");
            }
        }
        hc_kwarg *cores = ck_kwarg(&e->kwargs, "cores");
        if (!cores || !core_range_ok(P, cores)) {
            continue;
        }
        int set[MAX_CORES];
        int n = hc_core_set(cores->value, set, MAX_CORES);
        for (int k = 0; k < n; k++) {
            if (set[k] < 0 || set[k] >= MAX_CORES) {
                continue;
            }
            if (owner[set[k]]) {
                hc_placement *o = &t->placements.v[owner[set[k]] - 1];
                hc_note(hc_error(P->d, cores->value->pos, "core %d is already %s", set[k],
                                 strcmp(o->kind.name, "reserve") == 0
                                     ? "reserved"
                                     : hc_sprintf(P->a, "in `%s`", o->field.name)),
                        o->pos, "there");
                break;
            }
            owner[set[k]] = i + 1;
        }
    }
}

void ck_topology_refs(hc_program *P, hc_decl *locus) {
    hc_decl *t = NULL;
    for (int i = 0; i < locus->members.n; i++) {
        if (locus->members.v[i]->kind == M_TOPOLOGY) {
            t = locus->members.v[i];
        }
    }
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_PLACEMENT && k < m->placements.n; k++) {
            hc_placement *pl = &m->placements.v[k];
            for (int j = 0; j < pl->kwargs.n; j++) {
                hc_kwarg *kw = &pl->kwargs.v[j];
                if (!kw->key || (strcmp(kw->key, "node") != 0 && strcmp(kw->key, "l3") != 0)) {
                    continue;
                }
                int found = 0;
                for (int e = 0; t && e < t->placements.n; e++) {
                    hc_placement *d = &t->placements.v[e];
                    hc_kwarg *node = ck_kwarg(&d->kwargs, "node");
                    if (strcmp(kw->key, "l3") == 0) {
                        found |= strcmp(d->kind.name, "l3") == 0 && kw->value->kind == E_NAME &&
                                 strcmp(d->field.name, kw->value->path.seg[0].name) == 0;
                    } else {
                        found |= node && kw->value->kind == E_INT && node->value->i == kw->value->i;
                    }
                }
                if (!found) {
                    hc_help(hc_error(P->d, kw->value->pos, "the topology declares no %s `%s`",
                                     strcmp(kw->key, "l3") == 0 ? "cache domain" : "node",
                                     kw->value->kind == E_NAME
                                         ? kw->value->path.seg[0].name
                                         : hc_sprintf(P->a, "%lld", (long long)kw->value->i)),
                            "declare it in the main locus's `topology { }` block");
                }
            }
        }
    }
}
