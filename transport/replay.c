/* Per-(sender, topic) sliding windows (see replay.h): an open-addressing table with linear
 * probing and backward-shift deletion, so eviction leaves no tombstones behind. */
#include "replay.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "region.h"

typedef struct {
    uint64_t sender, topic;
    uint64_t max;     /* highest sequence number seen; 0 marks an empty slot */
    uint64_t bits[2]; /* bit i: max - i has been seen (bit 0 is max itself) */
    uint64_t used;    /* tick of the last accepted frame, for eviction */
} window;

struct tp_replay {
    window *slots;
    size_t cap; /* power of two, at least twice max */
    size_t max;
    size_t count;
    uint64_t tick;
    _Atomic uint64_t evictions; /* read by counter dumps on other threads */
};

static size_t hash(uint64_t sender, uint64_t topic) {
    uint64_t h = sender ^ (topic * 0x9e3779b97f4a7c15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (size_t)h;
}

tp_replay *tp_replay_new(size_t max_senders) {
    tp_replay *t = hale_sys_calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->max = max_senders ? max_senders : 1;
    t->cap = 16;
    while (t->cap < 2 * t->max) {
        t->cap *= 2;
    }
    t->slots = hale_sys_calloc(t->cap, sizeof *t->slots);
    if (!t->slots) {
        hale_sys_free(t);
        return NULL;
    }
    return t;
}

void tp_replay_free(tp_replay *t) {
    if (t) {
        hale_sys_free(t->slots);
        hale_sys_free(t);
    }
}

size_t tp_replay_size(const tp_replay *t) {
    return t->count;
}

uint64_t tp_replay_evictions(const tp_replay *t) {
    return atomic_load_explicit(&t->evictions, memory_order_relaxed);
}

static void remove_at(tp_replay *t, size_t i) {
    size_t mask = t->cap - 1;
    t->slots[i].max = 0;
    for (size_t j = (i + 1) & mask; t->slots[j].max != 0; j = (j + 1) & mask) {
        size_t home = hash(t->slots[j].sender, t->slots[j].topic) & mask;
        /* Move j back into the hole when its home is not within (i, j] cyclically. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            t->slots[j].max = 0;
            i = j;
        }
    }
    t->count--;
}

static void evict_oldest(tp_replay *t) {
    size_t oldest = t->cap;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].max != 0 &&
            (oldest == t->cap || t->slots[i].used < t->slots[oldest].used)) {
            oldest = i;
        }
    }
    remove_at(t, oldest);
    atomic_fetch_add_explicit(&t->evictions, 1, memory_order_relaxed);
}

static window *find_or_add(tp_replay *t, uint64_t sender, uint64_t topic, bool *fresh) {
    size_t mask = t->cap - 1;
    size_t i = hash(sender, topic) & mask;
    for (; t->slots[i].max != 0; i = (i + 1) & mask) {
        if (t->slots[i].sender == sender && t->slots[i].topic == topic) {
            *fresh = false;
            return &t->slots[i];
        }
    }
    if (t->count >= t->max) {
        evict_oldest(t);
        return find_or_add(t, sender, topic, fresh); /* the probe chain may have moved */
    }
    t->count++;
    *fresh = true;
    t->slots[i] = (window){.sender = sender, .topic = topic};
    return &t->slots[i];
}

static bool bit_get(const window *w, uint64_t off) {
    return (w->bits[off / 64] >> (off % 64)) & 1;
}

static void bit_set(window *w, uint64_t off) {
    w->bits[off / 64] |= 1ull << (off % 64);
}

static void shift_up(window *w, uint64_t by) {
    if (by >= 128) {
        w->bits[0] = w->bits[1] = 0;
    } else if (by >= 64) {
        w->bits[1] = w->bits[0] << (by - 64);
        w->bits[0] = 0;
    } else if (by > 0) {
        w->bits[1] = (w->bits[1] << by) | (w->bits[0] >> (64 - by));
        w->bits[0] <<= by;
    }
}

int tp_replay_check(tp_replay *t, uint64_t sender, uint64_t topic, uint64_t seq,
                    int64_t *lost_delta) {
    bool fresh;
    window *w = find_or_add(t, sender, topic, &fresh);
    *lost_delta = 0;
    if (fresh) {
        w->max = seq;
        w->bits[0] = 1;
    } else if (seq > w->max) {
        uint64_t jump = seq - w->max;
        shift_up(w, jump);
        bit_set(w, 0);
        w->max = seq;
        *lost_delta = jump - 1 > INT64_MAX ? INT64_MAX : (int64_t)(jump - 1);
    } else {
        uint64_t off = w->max - seq;
        if (off >= TP_REPLAY_WINDOW || bit_get(w, off)) {
            return 1;
        }
        bit_set(w, off);
        *lost_delta = -1;
    }
    w->used = ++t->tick;
    return 0;
}
