/* See check.h. This file: cooperative pool starvation, a warning (Hale's
 * check_cooperative_pool_blocking names the shape: loci that share one cooperative pool, one of
 * whose run() never returns, keep the others from ever starting).
 *
 * Which shapes starve here follows from how this runtime runs run() bodies:
 *
 *   - On the main thread a child's birth and run() happen inside its parent's params-init, so a
 *     child whose run() never returns (ck_endless_run) keeps its parent's own run() from ever
 *     starting, whether or not that run() would return. (Later siblings are the birth-order trap,
 *     warned in check_place.c.)
 *   - On a worker pool every placed locus's run() is a coroutine of its own, and coroutines take
 *     turns at every wait (sleep, yield, I/O, a bus wait): two endless run() loops that sleep both
 *     run. A run() loop that never returns and never waits, though, keeps the pool's thread: the
 *     loci placed on that pool after it are never born, and those before it never run again.
 *
 * "Never waits" is proven, not guessed: the loop's body (and every function it calls, through
 * the call graph) has no `yield`, no `or wait` send, no locus literal, no call of a function that
 * can park (std::time::sleep, tcp accept, connect and a Stream's I/O) and no call through a
 * function value. Pinned loci own their thread and `where async_io` pools are left out. */
#include <string.h>

#include "check_impl.h"

/* ---- can code wait? ---- */

typedef struct {
    hc_program *P;
    HC_VEC(hc_decl *) seen; /* functions entered (a cycle adds no wait) */
} wait_q;

static int fn_may_wait(wait_q *q, hc_decl *fn);

static int builtin_waits(const hc_builtin *b) {
    const char *c = b->kind == BI_SIG ? b->cfn : NULL;
    return c && (strcmp(c, "hale_locus_sleep") == 0 || strcmp(c, "hale_tcpx_accept") == 0 ||
                 strcmp(c, "hale_tcpx_connect") == 0);
}

static int wait_expr(hc_walker *wk, hc_expr *e) {
    wait_q *q = wk->ctx;
    if (e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS) {
        return HC_WALK_STOP; /* a child's birth may wait for its pool */
    }
    if (e->kind != E_CALL || !e->lhs) {
        return HC_WALK_ON;
    }
    hc_expr *f = e->lhs;
    if (f->ref == REF_BUILTIN && f->builtin) {
        return builtin_waits(f->builtin) ? HC_WALK_STOP : HC_WALK_ON;
    }
    if (f->ref == REF_FORM || f->ref == REF_SLOT || f->ref == REF_TYPE || f->ref == REF_VARIANT) {
        return HC_WALK_ON;
    }
    if ((f->ref == REF_FN || f->ref == REF_METHOD) && f->decl) {
        hc_decl *d = f->decl;
        if (d->seed == q->P->std) {
            /* the std loci's natives: only a Stream's I/O parks */
            return d->locus && strcmp(d->locus->name.name, "TcpStream") == 0 ? HC_WALK_STOP
                                                                             : HC_WALK_ON;
        }
        return fn_may_wait(q, d) ? HC_WALK_STOP : HC_WALK_ON;
    }
    return HC_WALK_STOP; /* a call through a function value: anything */
}

static int wait_stmt(hc_walker *wk, hc_stmt *s) {
    (void)wk;
    if (s->kind == S_YIELD || (s->kind == S_SEND && s->has_or && s->or_kind == OR_WAIT)) {
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

static int block_may_wait(wait_q *q, hc_block *b) {
    hc_walker wk = {wait_expr, wait_stmt, q};
    return !hc_walk_block(&wk, b);
}

static int fn_may_wait(wait_q *q, hc_decl *fn) {
    for (int i = 0; i < q->seen.n; i++) {
        if (q->seen.v[i] == fn) {
            return 0;
        }
    }
    HC_PUSH(q->P->a, q->seen, fn);
    return !fn->body || block_may_wait(q, fn->body);
}

/* ---- the warnings ---- */

static int is_locus_lit(hc_expr *e) {
    return e && e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS;
}

static hc_decl *member_named(hc_decl *d, hc_decl_kind kind, const char *name) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind == kind && strcmp(m->name.name, name) == 0 && m->body) {
            return m;
        }
    }
    return NULL;
}

/* A child on the main thread whose run() never returns: its parent's own run() never starts. */
static void parent_run(hc_program *P, hc_decl *d) {
    hc_decl *run = member_named(d, M_LIFECYCLE, "run");
    if (!run || !d->pool || strcmp(d->pool, "main") != 0) {
        return;
    }
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int k = 0; m->kind == M_PARAMS && k < m->lparams.n; k++) {
            hc_locus_param *lp = &m->lparams.v[k];
            hc_stmt *loop = ck_main_thread_endless(P, d, lp);
            if (!loop) {
                continue;
            }
            hc_diag *g = hc_warning(P->d, lp->name.pos,
                                    "`%s`'s run() never returns, so `%s`'s own run() never "
                                    "starts: on the main thread a child runs inside its "
                                    "parent's params-init",
                                    lp->name.name, d->name.name);
            hc_note(g, loop->pos, "this loop never ends, and `%s` (a `%s`) runs on the main thread",
                    lp->name.name, lp->value->decl->name.name);
            hc_note(g, run->name.pos, "`%s`'s run() waits for every child to be born",
                    d->name.name);
            if (d == P->main_locus) {
                hc_help(g,
                        "give `%s` a thread of its own: `placement { %s: cooperative(pool = io); "
                        "}` (or `pinned`)",
                        lp->name.name, lp->name.name);
            } else {
                hc_help(g, "hoist `%s` to `main` and place it off the main thread", lp->name.name);
            }
        }
    }
}

typedef struct {
    hc_locus_param *param;
    hc_placement *pl;
} placed;

/* Main's parameters placed on cooperative pool `pool`, in birth (declaration) order. */
static int on_pool(hc_program *P, const char *pool, placed *out, int max) {
    hc_decl *m = P->main_locus;
    int n = 0;
    for (int i = 0; i < m->members.n; i++) {
        hc_decl *mm = m->members.v[i];
        for (int k = 0; mm->kind == M_PARAMS && k < mm->lparams.n && n < max; k++) {
            hc_locus_param *lp = &mm->lparams.v[k];
            hc_placement *pl = hc_place_entry(P, lp->name.name);
            if (is_locus_lit(lp->value) && pl && strcmp(pl->kind.name, "cooperative") == 0 &&
                strcmp(hc_place_entry_pool(P, pl), pool) == 0) {
                out[n].param = lp;
                out[n].pl = pl;
                n++;
            }
        }
    }
    return n;
}

static int async_io(hc_placement *pl) {
    for (int i = 0; i < pl->where.n; i++) {
        if (strcmp(pl->where.v[i], "async_io") == 0) {
            return 1;
        }
    }
    return 0;
}

/* "`a`", "`a` and `b`", "`a`, `b` and `c`" for v[from..to). */
static const char *name_list(hc_program *P, placed *v, int from, int to) {
    const char *s = "";
    for (int i = from; i < to; i++) {
        s = hc_sprintf(P->a, "%s%s`%s`", s,
                       i == from     ? ""
                       : i == to - 1 ? " and "
                                     : ", ",
                       v[i].param->name.name);
    }
    return s;
}

/* A run() on a worker pool that never returns and never waits: the pool is its alone. The first
 * such locus in birth order is reported; the ones after it are never born to run. */
static void busy_pool(hc_program *P, const char *pool) {
    placed v[64];
    int n = on_pool(P, pool, v, 64);
    for (int i = 0; i < n && n > 1; i++) {
        if (async_io(v[i].pl)) {
            continue;
        }
        hc_stmt *loop = ck_endless_run(P, v[i].param->value->decl);
        wait_q q = {P, {0}};
        if (!loop || block_may_wait(&q, loop->body)) {
            continue;
        }
        const char *lp = v[i].param->name.name;
        int nlater = n - i - 1, nearlier = i;
        const char *later = nlater ? hc_sprintf(P->a, "%s, placed there after it, never start%s",
                                                name_list(P, v, i + 1, n), nlater > 1 ? "" : "s")
                                   : "";
        const char *earlier =
            nearlier ? hc_sprintf(P->a, "%s, placed there before it, stop%s at %s first wait",
                                  name_list(P, v, 0, i), nearlier > 1 ? "" : "s",
                                  nearlier > 1 ? "their" : "its")
                     : "";
        hc_diag *g = hc_warning(P->d, v[i].param->name.pos,
                                "`%s`'s run() never returns and never waits, so it keeps pool "
                                "`%s` to itself: %s%s%s",
                                lp, pool, later, *later && *earlier ? "; " : "", earlier);
        hc_note(g, loop->pos,
                "this loop never ends and nothing in it waits (no sleep, yield or I/O)");
        hc_note(g, v[i].pl->pos, "`%s` is placed on `%s` here", lp, pool);
        hc_help(g,
                "let the loop wait (`std::time::sleep`, `yield;`), or give `%s` a pool or a "
                "thread of its own (`cooperative(pool = %s_%s)` or `pinned`)",
                lp, pool, lp);
        return;
    }
}

void ck_starvation(hc_program *P) {
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; s != P->std && i < s->decls.n; i++) {
            if (s->decls.v[i]->kind == D_LOCUS) {
                parent_run(P, s->decls.v[i]);
            }
        }
    }
    hc_decl *m = P->main_locus;
    HC_VEC(const char *) pools = {0};
    for (int i = 0; m && i < m->members.n; i++) {
        hc_decl *mm = m->members.v[i];
        for (int k = 0; mm->kind == M_PLACEMENT && k < mm->placements.n; k++) {
            hc_placement *pl = &mm->placements.v[k];
            const char *pool = hc_place_entry_pool(P, pl);
            int seen = strcmp(pl->kind.name, "cooperative") != 0 || strcmp(pool, "main") == 0;
            for (int j = 0; !seen && j < pools.n; j++) {
                seen = strcmp(pools.v[j], pool) == 0;
            }
            if (!seen) {
                HC_PUSH(P->a, pools, pool);
                busy_pool(P, pool);
            }
        }
    }
}
