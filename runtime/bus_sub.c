/* Subscriptions: registering one at a locus's birth and removing it at dissolve, under the rules
 * that let a publish on another thread, or a handler on this one, be walking the same lists.
 *
 * A topic's subscriptions live in slices, one per pool (bus_impl.h). The slice array only grows
 * (a reader may hold an old array until shutdown, so replaced arrays are kept until then); a
 * slice is changed under its lock by its own thread, which alone may read it without the lock.
 * After every change the slice and the topic recompute what the lean publish path reads: the
 * slice's only subscription (`solo`) and the topic's only slice (`gate`). */
#include <string.h>

#include "bus_impl.h"
#include "fatal.h"
#include "region.h"

static pthread_mutex_t slices_lock = PTHREAD_MUTEX_INITIALIZER;
static void **retired_arrays; /* old slice arrays: readers may still hold them until shutdown */
static size_t retired_n, retired_cap;

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
        hbus_index_init(&s->index, tp->key_kind);
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

/* Under the slice's lock, after any change to its subscriptions. */
static void slice_refresh(bus_slice *sl) {
    bus_sub *a = sl->all_head;
    sl->solo = a && a == sl->all_tail && !sl->fb_head && sl->index.used == 0 &&
                       !atomic_load_explicit(&a->sealed, memory_order_relaxed)
                   ? a
                   : NULL;
}

/* After a change to the topic's slices, seal or sink. */
void hbus_topic_refresh(bus_topic *tp) {
    pthread_mutex_lock(&slices_lock);
    size_t n = atomic_load(&tp->nslices);
    bus_slice *g = n == 1 && !atomic_load(&tp->sealed) && !atomic_load(&tp->sink)
                       ? atomic_load(&tp->slices)[0]
                       : NULL;
    atomic_store_explicit(&tp->gate, g, memory_order_release);
    pthread_mutex_unlock(&slices_lock);
}

hale_bus_sub *hale_bus_subscribe(int id, const hale_bus_sub_spec *sp) {
    bus_topic *tp = hbus_topic_at(id);
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
    void *raw = hbus_mem_alloc(sizeof(bus_sub) + klen + 48);
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
    hbus_mailbox_init(s, s->bound > 0 || tp->d->bound > 0);

    bus_spin_lock(&sl->lock);
    s->seq = sl->next_seq++;
    if (s->match == HALE_BUS_MATCH_KEY) {
        hbus_index_add(&sl->index, s);
    } else if (s->match == HALE_BUS_MATCH_FALLBACK) {
        bus_list_append(&sl->fb_head, &sl->fb_tail, s);
    } else {
        bus_list_append(&sl->all_head, &sl->all_tail, s);
    }
    atomic_fetch_add(&sl->live, 1);
    slice_refresh(sl);
    bus_spin_unlock(&sl->lock);
    atomic_fetch_add(&tp->live, 1);
    hbus_topic_refresh(tp);
    return s;
}

void hbus_sub_release(bus_sub *s) {
    if (atomic_fetch_sub_explicit(&s->rc, 1, memory_order_acq_rel) == 1) {
        hbus_mailbox_destroy(s);
        hbus_mem_free(s->raw);
    }
}

/* Takes the subscription out of its slice; after this no publisher can reach it. */
static void unlink_sub(bus_sub *s) {
    bus_slice *sl = s->slice;
    bus_spin_lock(&sl->lock);
    if (s->match == HALE_BUS_MATCH_KEY) {
        hbus_index_remove(&sl->index, s);
    } else if (s->match == HALE_BUS_MATCH_FALLBACK) {
        bus_list_remove(&sl->fb_head, &sl->fb_tail, s);
    } else {
        bus_list_remove(&sl->all_head, &sl->all_tail, s);
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
    hbus_mailbox_purge(s);
    hbus_local_purge(s);
    if (bt->active > 0) {
        hbus_zombie(bt, s);
    } else {
        hbus_sub_release(s);
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
    hbus_mailbox_run(s);
    if (bus_may_settle(bt)) {
        hbus_settle(bt);
    } else {
        hbus_local_flush_sub(bt, s);
    }
    bt->active--;
    hbus_thread_leave(bt);
}

int64_t hale_bus_sub_pending(hale_bus_sub *s) {
    return s->lq_len + hbus_mailbox_len(s);
}

int64_t hale_bus_subscriber_count(int topic) {
    return atomic_load(&hbus_topic_at(topic)->live);
}

void hbus_slices_free_retired(void) {
    pthread_mutex_lock(&slices_lock);
    for (size_t i = 0; i < retired_n; i++) {
        hale_sys_free(retired_arrays[i]);
    }
    hale_sys_free(retired_arrays);
    retired_arrays = NULL;
    retired_n = retired_cap = 0;
    pthread_mutex_unlock(&slices_lock);
}
