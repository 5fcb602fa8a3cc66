/* Routing keys and the per-slice key index.
 *
 * A keyed publish must cost one lookup however many subscribers a topic has (a thousand
 * per-connection subscribers on one topic is the case this exists for), so `where key == K`
 * subscriptions are kept in a hash table from key to the chain of subscriptions with that key,
 * oldest first. Integer-shaped keys (Int, Duration, Bool, payload-free enums) compare as 64-bit
 * integers; String keys compare their hash first and their bytes only on a hash match. The
 * table is open addressing with linear probing and backward-shift deletion, so removals leave no
 * tombstones behind under subscriber churn. */
#include <string.h>

#include "bus_impl.h"
#include "copy.h"
#include "fatal.h"
#include "region.h"

int hbus_key_kind(const hale_type *t) {
    if (!t) {
        return BUS_KEY_NONE;
    }
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
    case HALE_T_ENUM:
        return BUS_KEY_I64;
    case HALE_T_BOOL:
        return BUS_KEY_BOOL;
    case HALE_T_STRING:
        return BUS_KEY_STR;
    default:
        return BUS_KEY_NONE;
    }
}

void hbus_key_read_str(const void *v, bus_key *out) {
    memcpy(&out->str, v, sizeof out->str);
    if (out->str.len < 0) {
        out->str.len = 0;
    }
    out->bits = hale_value_hash(&hale_type_string, &out->str);
}

void hbus_key_print(int kind, const bus_key *k, FILE *f) {
    if (kind == BUS_KEY_STR) {
        fputc('"', f);
        for (int64_t i = 0; i < k->str.len && i < 80; i++) {
            unsigned char c = (unsigned char)k->str.ptr[i];
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                fprintf(f, "\\x%02x", c);
            } else {
                fputc(c, f);
            }
        }
        fputs(k->str.len > 80 ? "\"..." : "\"", f);
    } else if (kind == BUS_KEY_BOOL) {
        fputs(k->bits ? "true" : "false", f);
    } else {
        fprintf(f, "%lld", (long long)(int64_t)k->bits);
    }
}

/* ---- the index ---- */

void hbus_index_init(bus_index *ix, int kind) {
    memset(ix, 0, sizeof *ix);
    ix->kind = kind;
}

void hbus_index_free(bus_index *ix) {
    hale_sys_free(ix->slots);
    ix->slots = NULL;
    ix->cap = ix->used = 0;
}

static void place(bus_index *ix, const bus_bucket *src) {
    size_t i = bus_slot_of(ix, src->key.bits);
    while (ix->slots[i].head) {
        i = (i + 1) & (ix->cap - 1);
    }
    ix->slots[i] = *src;
}

static void grow(bus_index *ix) {
    size_t ncap = ix->cap ? ix->cap * 2 : 16;
    bus_bucket *old = ix->slots;
    size_t ocap = ix->cap;
    ix->slots = hale_sys_calloc(ncap, sizeof *ix->slots);
    if (!ix->slots) {
        hale_oom(ncap * sizeof *ix->slots, "a bus key index");
    }
    ix->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].head) {
            place(ix, &old[i]);
        }
    }
    hale_sys_free(old);
}

void hbus_index_add(bus_index *ix, bus_sub *s) {
    bus_bucket *b = bus_find_bucket(ix, &s->key);
    if (b) {
        bus_list_append(&b->head, &b->tail, s);
        return;
    }
    if ((ix->used + 1) * 4 > ix->cap * 3) {
        grow(ix);
    }
    s->prev = s->next = NULL;
    bus_bucket nb = {.key = s->key, .head = s, .tail = s};
    place(ix, &nb);
    ix->used++;
}

/* Empties slot i and shifts later members of its probe run back (no tombstones). */
static void erase_slot(bus_index *ix, size_t i) {
    size_t mask = ix->cap - 1;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!ix->slots[j].head) {
            break;
        }
        size_t home = bus_slot_of(ix, ix->slots[j].key.bits);
        /* move j into the hole at i unless its home lies cyclically in (i, j] */
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            ix->slots[i] = ix->slots[j];
            i = j;
        }
    }
    memset(&ix->slots[i], 0, sizeof ix->slots[i]);
}

void hbus_index_remove(bus_index *ix, bus_sub *s) {
    bus_bucket *b = bus_find_bucket(ix, &s->key);
    if (!b) {
        hale_fatal("bus: a keyed subscription is missing from its index");
    }
    bus_list_remove(&b->head, &b->tail, s);
    if (!b->head) {
        /* the bucket's key points into a subscription that may now be freed: drop it */
        erase_slot(ix, (size_t)(b - ix->slots));
        ix->used--;
    } else if (b->key.str.ptr == s->key.str.ptr) {
        b->key = b->head->key; /* keep the bucket's key bytes owned by a live member */
    }
}
