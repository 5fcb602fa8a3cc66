/* The bus: the topic table, subscriptions and the publish path (see bus.h for the semantics and
 * bus_impl.h for the structures).
 *
 * A publish walks the topic's slices. The publishing thread's own slice is read without a lock
 * and delivered at once (ordinary code) or queued on the thread (inside a handler); every other
 * slice is read under its lock and its subscriptions get a copy in their mailboxes. Keyed topics
 * look the key up in each slice's index instead of walking subscribers. A bounded topic first
 * checks that no subscription it would reach is full (refuse, or wait and look again), so a
 * refused publish delivers nothing. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus_impl.h"
#include "fatal.h"
#include "region.h"

/* Flat payloads up to this size are copied onto the stack for a delivery made at once. */
#define STACK_COPY 256

static bus_topic *topics;
size_t bus_ntopics;
int64_t bus_mailbox_cap = 8192;
int64_t bus_local_cap = 8192;
bool bus_log_unmatched;
bool bus_log_drop;
static bool booted;
static bool dump_at_exit;
static bool dumped;

static pthread_mutex_t slices_lock = PTHREAD_MUTEX_INITIALIZER;
static void **retired_arrays; /* old slice arrays: readers may still hold them until shutdown */
static size_t retired_n, retired_cap;

/* subject -> id, open addressing (built at boot) */
static int *subject_ids;
static size_t subject_cap;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

bus_topic *bus_topic_at(int id) {
    if (!booted || id < 0 || (size_t)id >= bus_ntopics) {
        hale_fatal("bus: no topic %d (%s)", id, booted ? "out of range" : "bus not booted");
    }
    return &topics[id];
}

/* ---- knobs and logging ---- */

static int64_t env_int(const char *name, int64_t dflt) {
    const char *v = getenv(name);
    if (!v || !*v) {
        return dflt;
    }
    char *end;
    long long n = strtoll(v, &end, 10);
    return (*end || n <= 0) ? dflt : (int64_t)n;
}

static bool env_on(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#define LOG_PER_SECOND 20

void bus_log(bus_topic *tp, const char *what, const bus_key *key) {
    static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
    static int64_t window, in_window, suppressed;
    pthread_mutex_lock(&log_lock);
    int64_t now = mono_ns();
    if (now - window >= 1000000000) {
        if (suppressed) {
            fprintf(stderr, "hale: bus: %" PRId64 " more lines suppressed\n", suppressed);
        }
        window = now;
        in_window = suppressed = 0;
    }
    if (in_window++ < LOG_PER_SECOND) {
        fprintf(stderr, "hale: bus: %s on subject '%s' (topic %s", what, tp->d->subject,
                tp->d->name ? tp->d->name : tp->d->subject);
        if (key) {
            fputs(", key ", stderr);
            bus_key_print(tp->key_kind, key, stderr);
        }
        fprintf(stderr, ", %" PRId64 " subscribers)\n", atomic_load(&tp->live));
    } else {
        suppressed++;
    }
    pthread_mutex_unlock(&log_lock);
}

static void dump_once(void) {
    if (dump_at_exit && !dumped && booted) {
        dumped = true;
        hale_bus_counters_dump(stderr);
    }
}

static void at_exit(void) {
    dump_once();
}

/* ---- boot ---- */

static int check_desc(const hale_bus_topic_desc *d, size_t i, char *err, size_t errlen) {
    if (!d->subject || !*d->subject || !d->payload) {
        snprintf(err, errlen, "bus: topic %zu (%s) has no subject or payload type", i,
                 d->name ? d->name : "?");
        return -1;
    }
    if (d->key_type && (bus_key_kind(d->key_type) == BUS_KEY_NONE ||
                        d->key_offset + d->key_type->size > d->payload->size)) {
        snprintf(err, errlen, "bus: topic '%s': keyed_by field of type %s cannot route", d->subject,
                 d->key_type->name ? d->key_type->name : "?");
        return -1;
    }
    if (d->bound < 0) {
        snprintf(err, errlen, "bus: topic '%s': negative bound", d->subject);
        return -1;
    }
    return 0;
}

static int index_subjects(const hale_bus_topic_desc *d, size_t n, char *err, size_t errlen) {
    subject_cap = 16;
    while (subject_cap < n * 2) {
        subject_cap *= 2;
    }
    subject_ids = hale_sys_malloc(subject_cap * sizeof *subject_ids);
    if (!subject_ids) {
        hale_oom(subject_cap * sizeof *subject_ids, "the bus subject table");
    }
    for (size_t i = 0; i < subject_cap; i++) {
        subject_ids[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = hash_str(d[i].subject) & (subject_cap - 1);
        for (; subject_ids[j] >= 0; j = (j + 1) & (subject_cap - 1)) {
            if (strcmp(d[subject_ids[j]].subject, d[i].subject) == 0) {
                snprintf(err, errlen, "bus: topics '%s' and '%s' share the wire subject '%s'",
                         d[subject_ids[j]].name ? d[subject_ids[j]].name : "?",
                         d[i].name ? d[i].name : "?", d[i].subject);
                return -1;
            }
        }
        subject_ids[j] = (int)i;
    }
    return 0;
}

int hale_bus_boot(const hale_bus_topic_desc *d, size_t n, char *err, size_t errlen) {
    if (booted) {
        snprintf(err, errlen, "bus: already booted");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (check_desc(&d[i], i, err, errlen) != 0) {
            return -1;
        }
    }
    if (index_subjects(d, n, err, errlen) != 0) {
        hale_sys_free(subject_ids);
        subject_ids = NULL;
        return -1;
    }
    topics = hale_sys_calloc(n ? n : 1, sizeof *topics);
    if (!topics) {
        hale_oom(n * sizeof *topics, "the bus topic table");
    }
    for (size_t i = 0; i < n; i++) {
        topics[i].d = &d[i];
        topics[i].id = (int)i;
        topics[i].key_kind = bus_key_kind(d[i].key_type);
        topics[i].size = d[i].payload->size;
        topics[i].lean = d[i].bound == 0;
        topics[i].flat_small = d[i].payload->flat && d[i].payload->size <= STACK_COPY;
    }
    bus_ntopics = n;
    bus_counters_reset(n);
    bus_mailbox_cap = env_int("HALE_BUS_MAILBOX_CAP", 8192);
    bus_local_cap = env_int("HALE_BUS_LOCAL_CAP", 8192);
    bus_log_drop = env_on("HALE_BUS_LOG_DROP");
    bus_log_unmatched = bus_log_drop || env_on("HALE_BUS_LOG_UNMATCHED");
    dump_at_exit = env_on("HALE_BUS_COUNTERS_DUMP");
    dumped = false;
    static bool atexit_done;
    if (dump_at_exit && !atexit_done) {
        atexit_done = true;
        atexit(at_exit);
    }
    booted = true;
    return 0;
}

int hale_bus_topic_id(const char *subject) {
    if (!booted || !subject) {
        return -1;
    }
    for (size_t j = hash_str(subject) & (subject_cap - 1); subject_ids[j] >= 0;
         j = (j + 1) & (subject_cap - 1)) {
        if (strcmp(topics[subject_ids[j]].d->subject, subject) == 0) {
            return subject_ids[j];
        }
    }
    return -1;
}

size_t hale_bus_topic_count(void) {
    return booted ? bus_ntopics : 0;
}

const hale_bus_topic_desc *hale_bus_topic(int topic) {
    return bus_topic_at(topic)->d;
}

/* ---- slices ---- */

static bus_slice *find_slice(bus_topic *tp, void *owner) {
    size_t n = atomic_load_explicit(&tp->nslices, memory_order_acquire);
    bus_slice **sl = atomic_load_explicit(&tp->slices, memory_order_acquire);
    for (size_t i = 0; i < n; i++) {
        if (sl[i]->owner == owner) {
            return sl[i];
        }
    }
    return NULL;
}

static void retire(void *arr) {
    if (retired_n == retired_cap) {
        retired_cap = retired_cap ? retired_cap * 2 : 16;
        retired_arrays = hale_sys_realloc(retired_arrays, retired_cap * sizeof *retired_arrays);
        if (!retired_arrays) {
            hale_oom(retired_cap * sizeof *retired_arrays, "bus slices");
        }
    }
    retired_arrays[retired_n++] = arr;
}

static bus_slice *slice_for(bus_topic *tp, void *owner, hale_pool *pool) {
    bus_slice *s = find_slice(tp, owner);
    if (s) {
        return s;
    }
    pthread_mutex_lock(&slices_lock);
    s = find_slice(tp, owner);
    if (!s) {
        s = hale_sys_calloc(1, sizeof *s);
        if (!s) {
            hale_oom(sizeof *s, "a bus slice");
        }
        s->owner = owner;
        s->pool = pool;
        bus_index_init(&s->index, tp->key_kind);
        size_t n = atomic_load_explicit(&tp->nslices, memory_order_relaxed);
        bus_slice **arr = atomic_load_explicit(&tp->slices, memory_order_relaxed);
        if (n == tp->slices_cap) {
            size_t ncap = tp->slices_cap ? tp->slices_cap * 2 : 4;
            bus_slice **na = hale_sys_calloc(ncap, sizeof *na);
            if (!na) {
                hale_oom(ncap * sizeof *na, "bus slices");
            }
            if (n) {
                memcpy(na, arr, n * sizeof *na);
            }
            if (arr) {
                retire(arr);
            }
            tp->slices_cap = ncap;
            arr = na;
            atomic_store_explicit(&tp->slices, arr, memory_order_release);
        }
        arr[n] = s;
        atomic_store_explicit(&tp->nslices, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&slices_lock);
    return s;
}

/* ---- subscriptions ---- */

static void list_append(bus_sub **head, bus_sub **tail, bus_sub *s) {
    s->next = NULL;
    s->prev = *tail;
    if (*tail) {
        (*tail)->next = s;
    } else {
        *head = s;
    }
    *tail = s;
}

static void list_remove(bus_sub **head, bus_sub **tail, bus_sub *s) {
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        *head = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    } else {
        *tail = s->prev;
    }
    s->prev = s->next = NULL;
}

/* Under the slice's lock, after any change to its subscriptions. */
static void slice_refresh(bus_slice *sl) {
    bus_sub *a = sl->all_head;
    sl->solo = a && a == sl->all_tail && !sl->fb_head && sl->index.used == 0 &&
                       !atomic_load_explicit(&a->sealed, memory_order_relaxed)
                   ? a
                   : NULL;
}

/* After a change to the topic's slices, seal or sink. */
static void topic_refresh(bus_topic *tp) {
    pthread_mutex_lock(&slices_lock);
    size_t n = atomic_load(&tp->nslices);
    bus_slice *g = n == 1 && !atomic_load(&tp->sealed) && !atomic_load(&tp->sink)
                       ? atomic_load(&tp->slices)[0]
                       : NULL;
    atomic_store_explicit(&tp->gate, g, memory_order_release);
    pthread_mutex_unlock(&slices_lock);
}

hale_bus_sub *hale_bus_subscribe(int id, const hale_bus_sub_spec *sp) {
    bus_topic *tp = bus_topic_at(id);
    if (!sp || !sp->handler) {
        hale_fatal("bus: subscribe to '%s' without a handler", tp->d->subject);
    }
    if (sp->match == HALE_BUS_MATCH_KEY && (tp->key_kind == BUS_KEY_NONE || !sp->key)) {
        hale_fatal("bus: a `where key ==` subscription on '%s', which is not keyed",
                   tp->d->subject);
    }
    if (sp->match == HALE_BUS_MATCH_FALLBACK && tp->d->on_unmatched != HALE_BUS_FALLBACK) {
        hale_fatal("bus: a `where key == _` subscription on '%s', which is not on_unmatched: "
                   "fallback",
                   tp->d->subject);
    }
    bus_thread *bt = bus_thread_self();
    hale_pool *pool = sp->pool ? sp->pool : hale_pool_current();
    void *owner = pool ? (void *)pool : (void *)bt;
    bus_slice *sl = slice_for(tp, owner, pool);

    bus_key key = {0};
    if (sp->match == HALE_BUS_MATCH_KEY) {
        bus_key_read(tp->key_kind, sp->key, &key);
    }
    size_t klen = key.str.len > 0 ? (size_t)key.str.len : 0;
    void *raw = bus_mem_alloc(sizeof(bus_sub) + klen + 48);
    bus_sub *s = (bus_sub *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
    memset(s, 0, sizeof *s);
    s->raw = raw;
    if (klen) {
        char *copy = (char *)(s + 1);
        memcpy(copy, key.str.ptr, klen);
        key.str.ptr = copy; /* captured by value */
    }
    s->locus = sp->locus;
    s->handler = sp->handler;
    s->topic = tp;
    s->slice = sl;
    s->key = key;
    s->bound = sp->bound > 0 ? sp->bound : 0;
    s->match = (uint8_t)sp->match;
    s->drop = (uint8_t)sp->drop;
    atomic_init(&s->rc, 1);
    bus_mailbox_init(s, s->bound > 0 || tp->d->bound > 0);

    bus_spin_lock(&sl->lock);
    s->seq = sl->next_seq++;
    if (s->match == HALE_BUS_MATCH_KEY) {
        bus_index_add(&sl->index, s);
    } else if (s->match == HALE_BUS_MATCH_FALLBACK) {
        list_append(&sl->fb_head, &sl->fb_tail, s);
    } else {
        list_append(&sl->all_head, &sl->all_tail, s);
    }
    atomic_fetch_add(&sl->live, 1);
    slice_refresh(sl);
    bus_spin_unlock(&sl->lock);
    atomic_fetch_add(&tp->live, 1);
    topic_refresh(tp);
    return s;
}

void bus_sub_release(bus_sub *s) {
    if (atomic_fetch_sub_explicit(&s->rc, 1, memory_order_acq_rel) == 1) {
        bus_mailbox_destroy(s);
        bus_mem_free(s->raw);
    }
}

/* Takes the subscription out of its slice; after this no publisher can reach it. */
static void unlink_sub(bus_sub *s) {
    bus_slice *sl = s->slice;
    bus_spin_lock(&sl->lock);
    if (s->match == HALE_BUS_MATCH_KEY) {
        bus_index_remove(&sl->index, s);
    } else if (s->match == HALE_BUS_MATCH_FALLBACK) {
        list_remove(&sl->fb_head, &sl->fb_tail, s);
    } else {
        list_remove(&sl->all_head, &sl->all_tail, s);
    }
    atomic_fetch_sub(&sl->live, 1);
    slice_refresh(sl);
    bus_spin_unlock(&sl->lock);
    atomic_fetch_sub(&s->topic->live, 1);
}

void hale_bus_unsubscribe(hale_bus_sub *s) {
    if (!s) {
        return;
    }
    if (atomic_exchange(&s->dead, true)) {
        hale_fatal("bus: a subscription to '%s' was removed twice", s->topic->d->subject);
    }
    bus_thread *bt = bus_thread_self();
    unlink_sub(s);
    bus_mailbox_purge(s);
    bus_local_purge(s);
    if (bt->active > 0) {
        bus_zombie(bt, s);
    } else {
        bus_sub_release(s);
    }
}

void hale_bus_sub_seal(hale_bus_sub *s) {
    bus_spin_lock(&s->slice->lock);
    atomic_store(&s->sealed, true);
    slice_refresh(s->slice);
    bus_spin_unlock(&s->slice->lock);
}

void hale_bus_sub_flush(hale_bus_sub *s) {
    bus_thread *bt = bus_thread_self();
    bt->active++;
    bus_mailbox_run(s);
    if (bus_may_settle(bt)) {
        bus_settle(bt);
    } else {
        bus_local_flush_sub(bt, s);
    }
    bt->active--;
    bus_thread_leave(bt);
}

int64_t hale_bus_sub_pending(hale_bus_sub *s) {
    return s->lq_len + bus_mailbox_len(s);
}

int64_t hale_bus_subscriber_count(int topic) {
    return atomic_load(&bus_topic_at(topic)->live);
}

/* ---- delivery ---- */

void bus_call(bus_thread *bt, bus_sub *s, const void *payload) {
    int id = s->topic->id; /* the handler may unsubscribe s */
    bus_frame f;
    bus_frame_push(bt, &f, BUS_FRAME_HANDLER);
    s->handler(s->locus, payload);
    bus_frame_pop(bt, &f);
    bus_count(id, BUS_C_DELIVERED, 1);
}

void bus_deliver_now(bus_thread *bt, bus_sub *s, const void *payload) {
    const hale_type *t = s->topic->d->payload;
    if (t->flat && t->size <= STACK_COPY) {
        _Alignas(16) unsigned char buf[STACK_COPY];
        memcpy(buf, payload, t->size);
        bus_call(bt, s, buf);
        return;
    }
    size_t extra = bus_copy_extra(t, payload);
    char *copy = bus_mem_alloc(t->size + extra);
    char *bump = copy + t->size;
    bus_copy(t, copy, payload, &bump);
    bus_call(bt, s, copy);
    bus_mem_free(copy);
}

bus_rec *bus_rec_new(bus_sub *s, const void *payload) {
    const hale_type *t = s->topic->d->payload;
    size_t extra = bus_copy_extra(t, payload);
    bus_rec *r = bus_mem_alloc(BUS_REC_PAYLOAD + t->size + extra);
    r->next = r->sub_next = NULL;
    r->sub = s;
    r->tomb = false;
    char *bump = (char *)bus_rec_payload(r) + t->size;
    bus_copy(t, bus_rec_payload(r), payload, &bump);
    return r;
}

void bus_rec_free(bus_rec *r) {
    bus_mem_free(r);
}

void bus_deliver_rec(bus_thread *bt, bus_rec *r) {
    bus_sub *s = r->sub;
    if (atomic_load_explicit(&s->dead, memory_order_relaxed)) {
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
    } else {
        bus_call(bt, s, bus_rec_payload(r));
    }
    bus_rec_free(r);
}

/* ---- publish ---- */

typedef struct {
    bus_topic *tp;
    const void *v;
    bus_key key;
    bool keyed;
    bus_thread *bt;
    void *me;
    bool queue;      /* inside a handler: same-thread deliveries queue */
    int64_t reached; /* subscriptions that got (or queued) a copy */
    bus_sub *pin;    /* a mailbox over its cap: wait on it after the publish */
    bus_sub *full;   /* admission: a full subscription (pinned when foreign) */
} pub;

typedef void (*visit_fn)(pub *p, bus_sub *s, bool local);

/* Calls `fn` on the subscriptions of `sl` the publish reaches: the `where key == K` chain and
 * the unfiltered ones merged in registration order, or (`fallback`) the `where key == _` ones.
 * Returns how many `where key == K` subscriptions matched. Walks the live lists: `fn` must not
 * run handlers. */
static int64_t visit(pub *p, bus_slice *sl, bool fallback, bool local, visit_fn fn) {
    if (fallback) {
        for (bus_sub *s = sl->fb_head; s; s = s->next) {
            p->bt->visited++;
            fn(p, s, local);
        }
        return 0;
    }
    bus_sub *a = sl->all_head;
    bus_sub *k = p->keyed ? bus_index_find(&sl->index, &p->key) : NULL;
    int64_t specific = 0;
    while (a || k) {
        p->bt->visited++;
        if (k && (!a || k->seq < a->seq)) {
            bus_sub *next = k->next;
            specific++;
            fn(p, k, local);
            k = next;
        } else {
            bus_sub *next = a->next;
            fn(p, a, local);
            a = next;
        }
    }
    return specific;
}

static bool sealed_drop(bus_sub *s) {
    if (atomic_load_explicit(&s->sealed, memory_order_relaxed)) {
        bus_count(s->topic->id, BUS_C_DROPPED, 1);
        return true;
    }
    return false;
}

/* Gathers the local subscriptions for an immediate fan-out (handlers will run). */
static void collect_fn(pub *p, bus_sub *s, bool local) {
    (void)local;
    bus_thread *bt = p->bt;
    if ((size_t)p->reached == bt->collect_cap) {
        size_t ncap = bt->collect_cap ? bt->collect_cap * 2 : 16;
        bt->collect = hale_sys_realloc(bt->collect, ncap * sizeof *bt->collect);
        if (!bt->collect) {
            hale_oom(ncap * sizeof *bt->collect, "a bus fan-out");
        }
        bt->collect_cap = ncap;
    }
    bt->collect[p->reached++] = s;
}

static void queue_fn(pub *p, bus_sub *s, bool local) {
    p->reached++;
    if (sealed_drop(s)) {
        return;
    }
    if (local) {
        bus_local_enqueue(p->bt, s, p->v);
    } else if (bus_mailbox_push(s, p->v) == BUS_PUSH_OVER_CAP && !p->pin) {
        atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed); /* under the slice lock */
        p->pin = s;
    }
}

/* The publishing thread's slice, in ordinary code: deliver now, registration order. The list is
 * copied first because handlers may subscribe and unsubscribe while it runs. Returns the
 * `where key == K` matches. */
static int64_t deliver_local_now(pub *p, bus_slice *sl, bool fallback) {
    bus_thread *bt = p->bt;
    if (bt->collect_busy) { /* cannot happen (nested publishes queue), but stay correct */
        return visit(p, sl, fallback, true, queue_fn);
    }
    bt->collect_busy = true;
    int64_t base = p->reached;
    p->reached = 0;
    int64_t specific = visit(p, sl, fallback, true, collect_fn);
    int64_t n = p->reached;
    p->reached = base + n;
    bt->active++;
    for (int64_t i = 0; i < n; i++) {
        bus_sub *s = bt->collect[i];
        if (atomic_load_explicit(&s->dead, memory_order_relaxed) || sealed_drop(s)) {
            continue;
        }
        bus_deliver_now(bt, s, p->v);
    }
    bt->active--;
    bt->collect_busy = false;
    return specific;
}

/* One pass over every slice: returns the `where key == K` matches. */
static int64_t route(pub *p, bool fallback) {
    bus_topic *tp = p->tp;
    size_t n = atomic_load_explicit(&tp->nslices, memory_order_acquire);
    bus_slice **arr = atomic_load_explicit(&tp->slices, memory_order_acquire);
    int64_t specific = 0;
    for (size_t i = 0; i < n; i++) {
        bus_slice *sl = arr[i];
        if (atomic_load_explicit(&sl->live, memory_order_relaxed) == 0) {
            continue;
        }
        if (sl->owner == p->me) {
            if (!p->queue) {
                specific += deliver_local_now(p, sl, fallback);
            } else {
                specific += visit(p, sl, fallback, true, queue_fn);
            }
        } else {
            bus_spin_lock(&sl->lock);
            specific += visit(p, sl, fallback, false, queue_fn);
            bus_spin_unlock(&sl->lock);
        }
    }
    return specific;
}

/* ---- admission (bounded topics) ---- */

static void admit_fn(pub *p, bus_sub *s, bool local) {
    int64_t bound = p->tp->d->bound;
    if (p->full || atomic_load_explicit(&s->sealed, memory_order_relaxed) ||
        (s->bound > 0 && s->bound <= bound)) {
        return; /* already found one; or it sheds by itself */
    }
    int64_t pending = local ? s->lq_len : bus_mailbox_len(s);
    if (pending >= bound) {
        if (!local) {
            atomic_fetch_add_explicit(&s->rc, 1, memory_order_relaxed); /* under the slice lock */
        }
        p->full = s;
    }
}

/* Finds a subscription the publish would overfill. Sets p->full (pinned when foreign) and
 * returns whether it is local. */
static bool find_full(pub *p) {
    bus_topic *tp = p->tp;
    size_t n = atomic_load_explicit(&tp->nslices, memory_order_acquire);
    bus_slice **arr = atomic_load_explicit(&tp->slices, memory_order_acquire);
    p->full = NULL;
    bool any_specific = false;
    for (int pass = 0; pass < 2 && !p->full; pass++) {
        bool fallback = pass == 1;
        if (fallback && (!p->keyed || any_specific || tp->d->on_unmatched != HALE_BUS_FALLBACK)) {
            break;
        }
        for (size_t i = 0; i < n && !p->full; i++) {
            bus_slice *sl = arr[i];
            if (atomic_load_explicit(&sl->live, memory_order_relaxed) == 0) {
                continue;
            }
            bool local = sl->owner == p->me;
            if (local && !p->queue) {
                /* delivered at once: nothing queues; still note key matches */
                if (p->keyed && !fallback && bus_index_find(&sl->index, &p->key)) {
                    any_specific = true;
                }
                continue;
            }
            if (!local) {
                bus_spin_lock(&sl->lock);
            }
            if (visit(p, sl, fallback, local, admit_fn) > 0) {
                any_specific = true;
            }
            if (!local) {
                bus_spin_unlock(&sl->lock);
            }
            if (p->full) {
                return local;
            }
        }
    }
    return false;
}

static int admit(pub *p, unsigned flags) {
    for (;;) {
        bool local = find_full(p);
        bus_sub *s = p->full;
        if (!s) {
            return HALE_BUS_OK;
        }
        p->full = NULL;
        if (!(flags & HALE_BUS_WAIT)) {
            if (!local) {
                bus_sub_release(s);
            }
            bus_count(p->tp->id, BUS_C_REFUSED, 1);
            return HALE_BUS_FULL;
        }
        bus_count(p->tp->id, BUS_C_WAITS, 1);
        if (local) {
            if (!bus_local_drain_inline(p->bt)) {
                return HALE_BUS_OK; /* cannot run the queue from here: let it grow */
            }
        } else if (bus_wait_room(s, p->tp->d->bound) != 0) {
            bus_count(p->tp->id, BUS_C_REFUSED, 1);
            return HALE_BUS_FULL; /* cancelled */
        }
    }
}

/* ---- the publish ---- */

static void count_drop(bus_topic *tp, const char *why) {
    bus_count(tp->id, BUS_C_DROPPED, 1);
    if (bus_log_drop) {
        bus_log(tp, why, NULL);
    }
}

static int publish(bus_topic *tp, bus_thread *bt, const void *v, unsigned flags, bool inbound) {
    bus_count(tp->id, inbound ? BUS_C_RECEIVED : BUS_C_PUBLISHED, 1);
    if (atomic_load_explicit(&tp->sealed, memory_order_relaxed)) {
        count_drop(tp, "dropped (topic sealed)");
        return HALE_BUS_OK;
    }
    hale_bus_sink_fn sink = inbound ? NULL : atomic_load_explicit(&tp->sink, memory_order_acquire);
    void *me = bus_owner_self(bt);

    if (atomic_load_explicit(&tp->live, memory_order_relaxed) == 0) {
        int st = HALE_BUS_OK;
        if (sink) {
            st = sink(atomic_load(&tp->sink_ctx), tp->id, v, flags);
            bus_count(tp->id, st == HALE_BUS_OK ? BUS_C_SENT : BUS_C_REFUSED, 1);
        } else {
            count_drop(tp, "dropped (no subscriber)");
        }
        return st;
    }

    pub p = {.tp = tp, .v = v, .bt = bt, .me = me, .queue = bus_in_handler(bt)};
    if (tp->key_kind != BUS_KEY_NONE) {
        p.keyed = true;
        bus_key_read(tp->key_kind, (const char *)v + tp->d->key_offset, &p.key);
    }
    if (tp->d->bound > 0) {
        int st = admit(&p, flags);
        if (st != HALE_BUS_OK) {
            return st;
        }
    }
    int st = HALE_BUS_OK;
    int64_t specific = route(&p, false);
    if (p.keyed && specific == 0 && !sink) {
        bus_count(tp->id, BUS_C_UNMATCHED, 1);
        if (bus_log_unmatched) {
            bus_log(tp, "unmatched key", &p.key);
        }
        if (tp->d->on_unmatched == HALE_BUS_FALLBACK) {
            route(&p, true);
        } else if (tp->d->on_unmatched == HALE_BUS_FAIL) {
            st = HALE_BUS_UNMATCHED;
        }
    } else if (p.reached == 0 && !sink) {
        count_drop(tp, "dropped (no subscriber)");
    }
    if (!p.queue) {
        bus_settle(bt);
    } else if (bt->q_len > bus_local_cap) {
        bus_local_drain_inline(bt); /* backpressure on this thread's queue */
    }
    bus_thread_leave(bt);
    if (sink) {
        int ss = sink(atomic_load(&tp->sink_ctx), tp->id, v, flags);
        bus_count(tp->id, ss == HALE_BUS_OK ? BUS_C_SENT : BUS_C_REFUSED, 1);
        if (ss != HALE_BUS_OK && st == HALE_BUS_OK) {
            st = ss;
        }
    }
    if (p.pin) {
        bus_count(tp->id, BUS_C_WAITS, 1);
        bus_wait_room(p.pin, bus_mailbox_cap / 2 + 1); /* releases the pin; room for a burst */
    }
    return st;
}

/* The copy of a small flat payload, without a call for the common record sizes. */
static inline void copy_flat(void *dst, const void *src, size_t n) {
    switch (n) {
    case 8:
        __builtin_memcpy(dst, src, 8);
        break;
    case 16:
        __builtin_memcpy(dst, src, 16);
        break;
    case 24:
        __builtin_memcpy(dst, src, 24);
        break;
    case 32:
        __builtin_memcpy(dst, src, 32);
        break;
    default:
        memcpy(dst, src, n);
    }
}

/* The lean path: ordinary code on the subscriber's own thread, an unbounded topic whose only
 * slice is this thread's, and exactly one subscriber that gets the message (the only one of an
 * unkeyed topic, or the only one with the key). A copy (on the stack when the payload is small and
 * flat) and the call; everything else goes the general way. Returns false when it does not apply
 * (nothing was done). */
static inline bool lean_publish(bus_topic *tp, bus_thread *bt, const void *v) {
    bus_slice *sl = atomic_load_explicit(&tp->gate, memory_order_acquire);
    hale_pool *pool = hale_tls_pool;
    if (!sl || sl->owner != (pool ? (void *)pool : (void *)bt)) {
        return false; /* only the owner may read the slice without its lock */
    }
    bus_sub *s;
    if (tp->key_kind == BUS_KEY_NONE) {
        s = sl->solo;
        if (!s) {
            return false;
        }
    } else {
        if (sl->all_head || sl->fb_head) {
            return false;
        }
        bus_key k;
        bus_key_read(tp->key_kind, (const char *)v + tp->d->key_offset, &k);
        s = bus_index_find(&sl->index, &k);
        if (!s || s->next || atomic_load_explicit(&s->sealed, memory_order_relaxed)) {
            return false;
        }
    }
    int id = tp->id;
    _Alignas(16) unsigned char buf[STACK_COPY];
    void *copy = buf;
    if (tp->flat_small) {
        copy_flat(buf, v, tp->size);
    } else {
        const hale_type *t = tp->d->payload;
        size_t extra = bus_copy_extra(t, v);
        copy = bus_mem_alloc(t->size + extra);
        char *bump = (char *)copy + t->size;
        bus_copy(t, copy, v, &bump);
    }
    bus_frame f = {
        .newer = NULL, .older = NULL, .co = pool ? pool->current : NULL, .kind = BUS_FRAME_HANDLER};
    bt->frames = &f;
    bt->active++;
    s->handler(s->locus, copy);
    bt->active--;
    bus_frame_pop(bt, &f);
    if (copy != buf) {
        bus_mem_free(copy);
    }
    bus_count(id, BUS_C_LEAN, 1);
    if (bt->q_head || bt->zombies) {
        bus_settle(bt);
    }
    return true;
}

static inline bus_topic *topic_fast(int id) {
    if (__builtin_expect(!topics || id < 0 || (size_t)id >= bus_ntopics, 0)) {
        return bus_topic_at(id); /* fatal */
    }
    return &topics[id];
}

int hale_bus_publish(int topic, const void *payload, unsigned flags) {
    bus_topic *tp = topic_fast(topic);
    bus_thread *bt = bus_thread_self();
    if (tp->lean && !bt->frames && lean_publish(tp, bt, payload)) {
        return HALE_BUS_OK;
    }
    return publish(tp, bt, payload, flags, false);
}

int hale_bus_inbound(int topic, const void *payload, unsigned flags) {
    return publish(bus_topic_at(topic), bus_thread_self(), payload, flags, true);
}

void hale_bus_note_direct(int topic, int64_t delivered) {
    bus_topic *tp = bus_topic_at(topic);
    bus_count(tp->id, BUS_C_PUBLISHED, 1);
    bus_count(tp->id, BUS_C_DELIVERED, delivered);
}

void hale_bus_set_sink(int topic, hale_bus_sink_fn send, void *ctx) {
    bus_topic *tp = bus_topic_at(topic);
    atomic_store(&tp->sink_ctx, ctx);
    atomic_store_explicit(&tp->sink, send, memory_order_release);
    topic_refresh(tp);
}

/* ---- teardown ---- */

void hale_bus_seal(int topic) {
    atomic_store(&bus_topic_at(topic)->sealed, 1);
    topic_refresh(bus_topic_at(topic));
}

void hale_bus_seal_all(void) {
    for (size_t i = 0; i < bus_ntopics; i++) {
        hale_bus_seal((int)i);
    }
}

int hale_bus_quiesce(int64_t timeout_ns) {
    bus_thread *bt = bus_thread_self();
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : mono_ns() + timeout_ns;
    for (;;) {
        bus_settle(bt);
        if (atomic_load(&bus_busy_mailboxes) == 0 && bt->q_len == 0) {
            return 0;
        }
        if (mono_ns() >= deadline) {
            return -1;
        }
        hale_sleep(100 * 1000); /* runs this pool's loop: its own mailboxes drain meanwhile */
    }
}

static void free_slice(bus_slice *sl) {
    size_t n = (size_t)atomic_load(&sl->live), k = 0;
    bus_sub **all = hale_sys_malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        hale_oom(n * sizeof *all, "bus shutdown");
    }
    bus_sub *lists[2] = {sl->all_head, sl->fb_head};
    for (int l = 0; l < 2; l++) {
        for (bus_sub *s = lists[l]; s && k < n; s = s->next) {
            all[k++] = s;
        }
    }
    for (size_t i = 0; i < sl->index.cap; i++) {
        for (bus_sub *s = sl->index.slots[i].head; s && k < n; s = s->next) {
            all[k++] = s;
        }
    }
    for (size_t i = 0; i < k; i++) {
        hale_bus_unsubscribe(all[i]);
    }
    hale_sys_free(all);
    bus_index_free(&sl->index);
    hale_sys_free(sl);
}

void hale_bus_shutdown(void) {
    if (!booted) {
        return;
    }
    dump_once();
    if (hale_bus_quiesce((int64_t)1000 * 1000 * 1000) != 0) {
        fprintf(stderr, "hale: bus: deliveries still in flight at shutdown\n");
    }
    for (size_t t = 0; t < bus_ntopics; t++) {
        bus_topic *tp = &topics[t];
        bus_slice **arr = atomic_load(&tp->slices);
        size_t n = atomic_load(&tp->nslices);
        for (size_t i = 0; i < n; i++) {
            free_slice(arr[i]);
        }
        hale_sys_free(arr);
    }
    for (size_t i = 0; i < retired_n; i++) {
        hale_sys_free(retired_arrays[i]);
    }
    hale_sys_free(retired_arrays);
    retired_arrays = NULL;
    retired_n = retired_cap = 0;
    hale_sys_free(topics);
    topics = NULL;
    hale_sys_free(subject_ids);
    subject_ids = NULL;
    bus_ntopics = 0;
    booted = false;
}
