/* See emit.h. This file: `placement { }` on the main locus. The entries become one table of
 * hale_placement (runtime/scheduler.h) built the first time the main locus is instantiated,
 * which starts the pools it names (hale_sched_place); a placed parameter's literal then carries
 * its pool in the prototype's header, and the runtime starts that locus's whole lifecycle on a
 * coroutine of the pool (runtime/place.c). Affinity forms become CPU sets, applied best-effort:
 * `core`, `cores`, and the `node = N` / `l3 = name` domains of main's `topology { }` (their
 * cores; the NUMA memory binding Hale also asks for is not applied). `replicas = K` fans the
 * parameter out into K instances, each its own pinned thread on core i (round-robin) of the
 * set: the parameter holds the first, the others are children of main beside it. */
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

static int replicas_of(hc_placement *pl) {
    hc_kwarg *kw = ck_kwarg(&pl->kwargs, "replicas");
    return kw && kw->value->kind == E_INT && kw->value->i > 1 && kw->value->i <= 1024
               ? (int)kw->value->i
               : 1;
}

/* Every core the entry's affinity names (static: literals and the topology). */
static int entry_cores(hc_emit *E, hc_placement *pl, int *out, int max) {
    int n = 0;
    for (int k = 0; k < pl->kwargs.n; k++) {
        hc_kwarg *kw = &pl->kwargs.v[k];
        const char *key = kw->key ? kw->key : "";
        if (strcmp(key, "core") == 0 || strcmp(key, "cores") == 0) {
            n += hc_core_set(kw->value, out + n, max - n);
        } else if (strcmp(key, "node") == 0 || strcmp(key, "l3") == 0) {
            n += hc_topology_cores(E->P, kw, out + n, max - n);
        }
    }
    return n;
}

/* The first table index of placement entry `i` (entries before it may have replicas). */
static int entry_base(hc_decl *pm, int i) {
    int base = 0;
    for (int k = 0; k < i; k++) {
        base += replicas_of(&pm->placements.v[k]);
    }
    return base;
}

/* The helper returning the pool of entry i, generated once. */
static const char *pools_fn(hc_emit *E, hc_decl *pm) {
    static const char name[] = "hpl_pool";
    if (E->place_done) {
        return name;
    }
    E->place_done = 1;
    int n = entry_base(pm, pm->placements.n);
    hc_buf body = {0};
    for (int i = 0; i < pm->placements.n; i++) {
        hc_placement *pl = &pm->placements.v[i];
        int pinned = strcmp(pl->kind.name, "pinned") == 0;
        int reps = replicas_of(pl);
        static int cores[4096];
        int ncores = entry_cores(E, pl, cores, 4096);
        for (int r = 0; r < reps; r++) {
            const char *t = hc_sprintf(E->a, "ht[%d]", entry_base(pm, i) + r);
            const char *label = r ? hc_sprintf(E->a, "%s#%d", pl->field.name, r) : pl->field.name;
            hc_buf_printf(&body, "        %s.locus = ", t);
            em_c_string(&body, label, (int64_t)strlen(label));
            hc_buf_printf(&body, "; %s.kind = %s; ", t,
                          pinned ? "HALE_POOL_PINNED" : "HALE_POOL_COOPERATIVE");
            const char *pool = hc_place_entry_pool(E->P, pl);
            pool = r ? hc_sprintf(E->a, "%s#%d", pool, r) : pool;
            hc_buf_printf(&body, "%s.pool = ", t);
            em_c_string(&body, pool, (int64_t)strlen(pool));
            hc_buf_puts(&body, "; ");
            if (reps > 1 && ncores > 0) { /* replica r on core r of the set, round-robin */
                hc_buf_printf(&body, "hale_cpus_add(&%s.cpus, %d); ", t, cores[r % ncores]);
            }
            for (int k = 0; reps == 1 && k < pl->kwargs.n; k++) {
                hc_kwarg *kw = &pl->kwargs.v[k];
                const char *key = kw->key ? kw->key : "";
                if (strcmp(key, "core") == 0 || strcmp(key, "cores") == 0) {
                    cpus_code(E, &body, kw, hc_sprintf(E->a, "%s.cpus", t));
                } else if (strcmp(key, "node") == 0 || strcmp(key, "l3") == 0) {
                    for (int c = 0; c < ncores; c++) {
                        hc_buf_printf(&body, "hale_cpus_add(&%s.cpus, %d); ", t, cores[c]);
                    }
                    break; /* the union of every domain was added at once */
                }
            }
            hc_buf_puts(&body, "\n");
        }
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
            return hc_sprintf(E->a, "%s(%d)", pools_fn(E, pm), entry_base(pm, i));
        }
    }
    return NULL;
}

int em_place_replicas(hc_emit *E, hc_decl *owner, const char *field) {
    hc_decl *pm = owner && owner == E->P->main_locus ? placement_block(E->P) : NULL;
    for (int i = 0; pm && i < pm->placements.n; i++) {
        if (strcmp(pm->placements.v[i].field.name, field) == 0) {
            return replicas_of(&pm->placements.v[i]);
        }
    }
    return 1;
}

const char *em_place_replica_pool(hc_emit *E, hc_decl *owner, const char *field, int r) {
    hc_decl *pm = placement_block(E->P);
    for (int i = 0; pm && i < pm->placements.n; i++) {
        if (strcmp(pm->placements.v[i].field.name, field) == 0) {
            return hc_sprintf(E->a, "%s(%d)", pools_fn(E, pm), entry_base(pm, i) + r);
        }
    }
    (void)owner;
    return NULL;
}
