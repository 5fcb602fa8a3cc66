/* See guard.h. */
#include "guard.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "copy.h"
#include "fault.h"
#include "locus_impl.h"

_Thread_local hale_origin *hale_tls_origin;
_Thread_local hale_escape_counts hale_tls_escape;

/* ---- counters ---- */

/* Every thread's block while it lives; what threads that ended counted is folded into `gone`. */
typedef struct block {
    hale_escape_counts *c;
    struct block *next;
} block;

static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;
static block *live;
static hale_escape_counts gone;
static pthread_key_t counts_key;
static pthread_once_t counts_once = PTHREAD_ONCE_INIT;

static void thread_gone(void *p) {
    block *b = p;
    pthread_mutex_lock(&counts_lock);
    for (block **at = &live; *at; at = &(*at)->next) {
        if (*at == b) {
            *at = b->next;
            break;
        }
    }
    gone.copied += b->c->copied;
    gone.checks += b->c->checks;
    gone.failures += b->c->failures;
    gone.hoisted += b->c->hoisted;
    pthread_mutex_unlock(&counts_lock);
    b->c->registered = 0;
    hale_sys_free(b);
}

static void make_key(void) {
    if (pthread_key_create(&counts_key, thread_gone) != 0) {
        hale_fatal("guard: cannot create the counters key");
    }
}

void hale_escape_counts_register(void) {
    pthread_once(&counts_once, make_key);
    block *b = hale_sys_malloc(sizeof *b);
    if (!b) {
        hale_oom(sizeof *b, "escape counters");
    }
    b->c = &hale_tls_escape;
    pthread_mutex_lock(&counts_lock);
    b->next = live;
    live = b;
    pthread_mutex_unlock(&counts_lock);
    pthread_setspecific(counts_key, b);
    hale_tls_escape.registered = 1;
}

static hale_escape_counts sum(void) {
    pthread_mutex_lock(&counts_lock);
    hale_escape_counts s = gone;
    for (block *b = live; b; b = b->next) {
        s.copied += __atomic_load_n(&b->c->copied, __ATOMIC_RELAXED);
        s.checks += __atomic_load_n(&b->c->checks, __ATOMIC_RELAXED);
        s.failures += __atomic_load_n(&b->c->failures, __ATOMIC_RELAXED);
        s.hoisted += __atomic_load_n(&b->c->hoisted, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&counts_lock);
    return s;
}

int64_t hale_escape_bytes_copied(void) {
    return sum().copied;
}

int64_t hale_guard_checks(void) {
    return sum().checks;
}

int64_t hale_guard_failures(void) {
    return sum().failures;
}

int64_t hale_hoisted_allocations(void) {
    return sum().hoisted;
}

void hale_escape_counters_dump(FILE *out) {
    hale_escape_counts s = sum();
    fprintf(out, "escapes copied_bytes=%lld guard_checks=%lld guard_failures=%lld hoisted=%lld\n",
            (long long)s.copied, (long long)s.checks, (long long)s.failures, (long long)s.hoisted);
}

void hale_escape_counters_at_exit(void) {
    const char *e = getenv("HALE_ESCAPE_COUNTERS_DUMP");
    if (e && strcmp(e, "1") == 0) {
        hale_escape_counters_dump(stderr);
        fflush(stderr);
    }
}

static int64_t deep_size(const hale_type *t, const void *v) {
    return (int64_t)(t->size + hale_value_copy_extra(t, v));
}

void hale_escape_count_copy(const hale_type *t, const void *v) {
    hale_escape_bump(&hale_tls_escape.copied, deep_size(t, v));
}

/* ---- guards ---- */

void hale_guard_fail(const hale_guard *g, const char *what, const char *where) {
    hale_escape_bump(&hale_tls_escape.failures, 1);
    char msg[512];
    snprintf(msg, sizeof msg,
             "%s: ActorTerminated: `%s` was made by `%s`, which has dissolved (its memory is "
             "gone)",
             where, what, g->from ? g->from : "a child locus");
    hale_locus_fault_named("ActorTerminated", msg); /* returns only outside every locus */
    hale_fault(where, "ActorTerminated: `%s` was made by `%s`, which has dissolved", what,
               g->from ? g->from : "a child locus");
}

void hale_guard_fallback(void) {
    hale_escape_bump(&hale_tls_escape.failures, 1);
}

/* ---- stores ---- */

/* Gives the field's old value back to `h` when it was the holder's own. */
static void drop_old(const hale_type *t, void *field, const hale_guard *g, hale_heap *h) {
    if (!g->r) {
        hale_value_release(t, field, h);
    }
}

void hale_guard_replace(const hale_type *t, void *field, hale_guard *g, const void *v,
                        hale_heap *h) {
    if (!g->r) {
        hale_value_replace_heap(t, field, v, h);
    } else {
        /* the old value is the child's: leave it; `v` may live inside it, copy it first */
        hale_value_copy_heap(t, field, v, h);
    }
    g->r = NULL;
    g->from = NULL;
}

void hale_escape_replace(const hale_type *t, void *field, const void *v, hale_heap *h) {
    hale_escape_bump(&hale_tls_escape.copied, deep_size(t, v));
    hale_value_replace_heap(t, field, v, h);
}

static bool descends(const hale_locus *l, const hale_locus *ancestor) {
    for (const hale_locus *p = l ? l->parent : NULL; p; p = p->parent) {
        if (p == ancestor) {
            return true;
        }
    }
    return false;
}

void hale_guard_keep(const hale_type *t, void *field, hale_guard *g, const void *v, hale_origin *o,
                     hale_locus *self) {
    hale_heap *h = hale_locus_heap(self);
    if (o && o->owner == self && !o->taken) {
        /* hoisted into this locus's heap: the field takes the parts over */
        drop_old(t, field, g, h);
        memcpy(field, v, t->size);
        g->r = NULL;
        g->from = NULL;
        o->taken = true;
        return;
    }
    if (o && o->region && hale_region_alive(o->region, o->gen) && descends(o->sender, self)) {
        drop_old(t, field, g, h);
        memcpy(field, v, t->size);
        g->r = o->region;
        g->gen = o->gen;
        g->from = o->from;
        return;
    }
    hale_escape_bump(&hale_tls_escape.copied, deep_size(t, v));
    hale_guard_replace(t, field, g, v, h);
}

void hale_guard_keep_contract(const hale_type *t, void *field, hale_guard *g, const void *v,
                              hale_locus *child, hale_locus *self) {
    hale_heap *h = hale_locus_heap(self);
    if (child && child->region && !(child->flags & LF_DISSOLVED)) {
        drop_old(t, field, g, h);
        memcpy(field, v, t->size);
        g->r = child->region;
        g->gen = hale_region_generation(child->region);
        g->from = child->type->name;
        return;
    }
    hale_escape_bump(&hale_tls_escape.copied, deep_size(t, v));
    hale_guard_replace(t, field, g, v, h);
}

void hale_guard_own(const hale_type *t, void *field, hale_guard *g, hale_heap *h, const char *what,
                    const char *where) {
    if (!g->r) {
        return;
    }
    hale_guard_check(g, what, where);
    hale_escape_bump(&hale_tls_escape.copied, deep_size(t, field));
    hale_value_copy_heap(t, field, field, h); /* re-homed in place */
    g->r = NULL;
    g->from = NULL;
}

/* ---- hoisting ---- */

hale_locus *hale_hoist_owner(hale_locus *from, const hale_locus_type *t) {
    struct hale_pool *pool = hale_locus_pool(from);
    for (hale_locus *p = from ? from->parent : NULL; p; p = p->parent) {
        if (p->type == t) {
            return hale_locus_pool(p) == pool && !(p->flags & LF_DISSOLVED) ? p : NULL;
        }
    }
    return NULL;
}

hale_array hale_array_new_heap(hale_heap *h, int64_t n, size_t size, size_t align) {
    (void)align; /* heap blocks are 16-byte aligned, the most any element needs */
    if (n <= 0) {
        return (hale_array){NULL, 0, 0};
    }
    if ((uint64_t)n > SIZE_MAX / (size ? size : 1)) {
        hale_oom((size_t)-1, "an array");
    }
    hale_escape_bump(&hale_tls_escape.hoisted, 1);
    return (hale_array){hale_heap_alloc(h, (size_t)n * size), n, n};
}

void hale_hoist_settle(const hale_type *t, void *v, hale_origin *o) {
    if (o->owner && !o->taken && !o->lent) {
        hale_value_release(t, v, hale_locus_heap(o->owner));
    }
}
