/* See emit.h. This file: `placement { }` on the main locus. The entries become one table of
 * hale_placement (runtime/scheduler.h) built the first time the main locus is instantiated,
 * which starts the pools it names (hale_sched_place); a placed parameter's literal then carries
 * its pool in the prototype's header, and the runtime starts that locus's whole lifecycle on a
 * coroutine of the pool (runtime/place.c). Affinity forms become CPU sets, applied best-effort. */
#include <string.h>

#include "emit_impl.h"

static hc_decl *placement_block(hc_program *P) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        if (m->members.v[i]->kind == M_PLACEMENT) {
            return m->members.v[i];
        }
    }
    return NULL;
}

/* C statements adding the CPUs of `core = N` / `cores = ...` to `set`. */
static void cpus_code(hc_emit *E, hc_buf *b, hc_kwarg *kw, const char *set) {
    hc_expr *v = kw->value;
    if (strcmp(kw->key, "core") == 0 && v->kind == E_INT) {
        hc_buf_printf(b, "hale_cpus_add(&%s, %lld); ", set, (long long)v->i);
    } else if (v->kind == E_RANGE && v->lhs && v->rhs) {
        hc_buf_printf(b, "hale_cpus_add_range(&%s, %lld, %lld, %s); ", set, (long long)v->lhs->i,
                      (long long)v->rhs->i, v->inclusive ? "true" : "false");
    } else if (v->kind == E_ARRAY) {
        for (int i = 0; i < v->args.n; i++) {
            if (v->args.v[i]->kind == E_INT) {
                hc_buf_printf(b, "hale_cpus_add(&%s, %lld); ", set, (long long)v->args.v[i]->i);
            } else {
                em_unsupported(E, v->args.v[i]->pos, "a core that is not an integer literal");
            }
        }
    } else {
        em_unsupported(E, v->pos, "this affinity form");
    }
}

/* The helper returning the pool of entry i, generated once. */
static const char *pools_fn(hc_emit *E, hc_decl *pm) {
    static const char name[] = "hpl_pool";
    if (E->place_done) {
        return name;
    }
    E->place_done = 1;
    int n = pm->placements.n;
    hc_buf body = {0};
    for (int i = 0; i < n; i++) {
        hc_placement *pl = &pm->placements.v[i];
        int pinned = strcmp(pl->kind.name, "pinned") == 0;
        const char *t = hc_sprintf(E->a, "ht[%d]", i);
        hc_buf_printf(&body, "        %s.locus = ", t);
        em_c_string(&body, pl->field.name, (int64_t)strlen(pl->field.name));
        hc_buf_printf(&body, "; %s.kind = %s; ", t,
                      pinned ? "HALE_POOL_PINNED" : "HALE_POOL_COOPERATIVE");
        const char *pool = hc_place_entry_pool(E->P, pl);
        hc_buf_printf(&body, "%s.pool = ", t);
        em_c_string(&body, pool, (int64_t)strlen(pool));
        hc_buf_puts(&body, "; ");
        for (int k = 0; k < pl->kwargs.n; k++) {
            hc_kwarg *kw = &pl->kwargs.v[k];
            const char *key = kw->key ? kw->key : "";
            if (strcmp(key, "core") == 0 || strcmp(key, "cores") == 0) {
                cpus_code(E, &body, kw, hc_sprintf(E->a, "%s.cpus", t));
            } else if (strcmp(key, "pool") != 0) {
                em_unsupported(E, kw->key_pos,
                               hc_sprintf(E->a,
                                          "`%s` in a placement (topology targets and "
                                          "replicas)",
                                          key));
            }
        }
        hc_buf_puts(&body, "\n");
    }
    hc_buf_printf(&E->protos, "static struct hale_pool *%s(int i);\n", name);
    hc_buf_printf(&E->helpers,
                  "/* placement { } of the main locus: its pools, started on first use (main "
                  "thread) */\n"
                  "static struct hale_pool *%s(int i) {\n"
                  "    static struct hale_pool *hp[%d];\n"
                  "    static bool hdone;\n"
                  "    if (!hdone) {\n"
                  "        hale_placement ht[%d];\n"
                  "        memset(ht, 0, sizeof ht);\n%s"
                  "        hale_sched_place(ht, %d, hp);\n"
                  "        hdone = true;\n"
                  "    }\n"
                  "    return hp[i];\n"
                  "}\n\n",
                  name, n, n, hc_buf_cstr(&body), n);
    hc_buf_free(&body);
    return name;
}

const char *em_place_pool(hc_emit *E, hc_decl *owner, const char *field) {
    if (!owner || owner != E->P->main_locus) {
        return NULL;
    }
    hc_decl *pm = placement_block(E->P);
    if (!pm) {
        return NULL;
    }
    for (int i = 0; i < pm->placements.n; i++) {
        if (strcmp(pm->placements.v[i].field.name, field) == 0) {
            return hc_sprintf(E->a, "%s(%d)", pools_fn(E, pm), i);
        }
    }
    return NULL;
}
