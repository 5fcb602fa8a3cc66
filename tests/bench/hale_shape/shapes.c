/* The C siblings of the Hale programs in this directory: the same work with malloc'd structs
 * and calls kept real (noinline, and an empty asm that makes an allocation observable), one
 * workload per process, named by the first argument. Each prints "NAME NS" with the same rounds
 * and the same best-of rule as its Hale program. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define KEEP(p) __asm__ volatile("" ::"r"(p) : "memory")

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        perror("malloc");
        exit(1);
    }
    return p;
}

static volatile int64_t sink;

/* ---- locus_instantiation ---- */

typedef struct {
    int64_t v;
} cell;

static NOINLINE int64_t cell_read(cell *c) {
    return c->v;
}

static NOINLINE int64_t one(int64_t seed) {
    cell *c = xmalloc(sizeof *c);
    c->v = seed;
    KEEP(c);
    int64_t r = cell_read(c);
    free(c);
    return r;
}

static int64_t locus_instantiation(void) {
    int64_t seed = getpid(), best = INT64_MAX;
    for (int r = 0; r < 5; r++) {
        int64_t t0 = now_ns(), s = 0;
        for (int64_t i = 0; i < 100000; i++) {
            s ^= one(i + seed);
        }
        best = min64(best, now_ns() - t0);
        sink += s;
    }
    return best;
}

/* ---- coord_with_churn ---- */

typedef struct {
    int64_t n;
} worker;

typedef struct {
    int64_t batch, seen;
} coord;

static NOINLINE void worker_run(worker *w) {
    KEEP(w);
}
static NOINLINE void coord_accept(coord *c, worker *w) {
    KEEP(c);
    KEEP(w);
}
static NOINLINE void coord_release(coord *c, worker *w) {
    KEEP(w);
    c->seen++;
}

static NOINLINE void coord_run(coord *c) {
    for (int64_t i = 0; i < c->batch; i++) {
        worker *w = xmalloc(sizeof *w);
        w->n = i;
        coord_accept(c, w);
        worker_run(w);
        coord_release(c, w);
        free(w);
    }
}

static int64_t coord_with_churn(void) {
    int64_t best = INT64_MAX;
    for (int m = 0; m < 3; m++) {
        int64_t t0 = now_ns();
        for (int r = 0; r < 50; r++) {
            coord *c = xmalloc(sizeof *c);
            c->batch = 2000;
            c->seen = 0;
            coord_run(c);
            sink += c->seen;
            free(c);
        }
        best = min64(best, (now_ns() - t0) / 50);
    }
    return best;
}

/* ---- tree_fanout ---- */

typedef struct {
    int64_t id, items;
} fan_worker;

typedef struct {
    int64_t workers, items, total;
} fan_coord;

static NOINLINE int64_t fan_compute(fan_worker *w) {
    int64_t sum = 0;
    for (int64_t i = 0; i < w->items; i++) {
        sum += i;
        KEEP(sum); /* a loop, as in the other languages, not a closed form */
    }
    return sum;
}

static NOINLINE void fan_accept(fan_coord *c, fan_worker *w) {
    c->total += fan_compute(w);
}

static NOINLINE void fan_run(fan_coord *c) {
    for (int64_t i = 0; i < c->workers; i++) {
        fan_worker *w = xmalloc(sizeof *w);
        w->id = i;
        w->items = c->items;
        fan_accept(c, w);
        free(w);
    }
}

static int64_t tree_fanout(void) {
    int64_t best = INT64_MAX;
    for (int m = 0; m < 3; m++) {
        int64_t t0 = now_ns();
        for (int r = 0; r < 200; r++) {
            fan_coord *c = xmalloc(sizeof *c);
            *c = (fan_coord){.workers = 20, .items = 2000};
            fan_run(c);
            sink += c->total;
            free(c);
        }
        best = min64(best, (now_ns() - t0) / 200);
    }
    return best;
}

/* ---- form_hashmap_set: open addressing, linear probing, doubling past 0.7 load ---- */

typedef struct {
    int64_t id, v;
    int used;
} slot;

typedef struct {
    slot *slots;
    size_t cap, len;
} table;

static size_t hash64(int64_t k) {
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static void table_put(table *t, int64_t id, int64_t v);

static void table_grow(table *t) {
    table old = *t;
    t->cap = old.cap ? old.cap * 2 : 16;
    t->slots = calloc(t->cap, sizeof(slot));
    if (!t->slots) {
        perror("calloc");
        exit(1);
    }
    t->len = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i].used) {
            table_put(t, old.slots[i].id, old.slots[i].v);
        }
    }
    free(old.slots);
}

static void table_put(table *t, int64_t id, int64_t v) {
    if ((t->len + 1) * 10 > t->cap * 7) {
        table_grow(t);
    }
    size_t i = hash64(id) & (t->cap - 1);
    while (t->slots[i].used && t->slots[i].id != id) {
        i = (i + 1) & (t->cap - 1);
    }
    if (!t->slots[i].used) {
        t->len++;
    }
    t->slots[i] = (slot){id, v, 1};
}

static int64_t form_hashmap_set(void) {
    int64_t best = INT64_MAX;
    for (int r = 0; r < 3; r++) {
        table t = {0};
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < 1000000; i++) {
            table_put(&t, i, i + 1);
        }
        best = min64(best, now_ns() - t0);
        sink += (int64_t)t.len;
        free(t.slots);
    }
    return best;
}

/* ---- form_vec_push: realloc doubling, one cold run ---- */

static int64_t form_vec_push(void) {
    int64_t *v = NULL;
    size_t len = 0, cap = 0;
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < 500000; i++) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4;
            v = realloc(v, cap * sizeof *v);
            if (!v) {
                perror("realloc");
                exit(1);
            }
        }
        v[len++] = i;
    }
    int64_t ns = now_ns() - t0;
    sink += v[len - 1];
    free(v);
    return ns;
}

/* ---- json_parse: a parser written for the one record (what a schema-specialized parser
 * generated for Quote does), keys matched by name, unknown keys rejected ---- */

typedef struct {
    char *sym;
    int64_t bid, ask, bidsz, asksz, ts, seq;
} quote;

static const char *ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

static int parse_quote(const char *p, quote *q) {
    p = ws(p);
    if (*p++ != '{') {
        return -1;
    }
    for (;;) {
        p = ws(p);
        if (*p++ != '"') {
            return -1;
        }
        const char *k = p;
        while (*p && *p != '"') {
            p++;
        }
        size_t kn = (size_t)(p - k);
        if (*p++ != '"') {
            return -1;
        }
        p = ws(p);
        if (*p++ != ':') {
            return -1;
        }
        p = ws(p);
        if (kn == 3 && memcmp(k, "sym", 3) == 0) {
            if (*p++ != '"') {
                return -1;
            }
            const char *s = p;
            while (*p && *p != '"' && *p != '\\') {
                p++;
            }
            if (*p != '"') {
                return -1;
            }
            q->sym = xmalloc((size_t)(p - s) + 1);
            memcpy(q->sym, s, (size_t)(p - s));
            q->sym[p - s] = 0;
            p++;
        } else {
            char *end;
            int64_t v = strtoll(p, &end, 10);
            if (end == p) {
                return -1;
            }
            p = end;
            if (kn == 3 && memcmp(k, "bid", 3) == 0) {
                q->bid = v;
            } else if (kn == 3 && memcmp(k, "ask", 3) == 0) {
                q->ask = v;
            } else if (kn == 5 && memcmp(k, "bidsz", 5) == 0) {
                q->bidsz = v;
            } else if (kn == 5 && memcmp(k, "asksz", 5) == 0) {
                q->asksz = v;
            } else if (kn == 2 && memcmp(k, "ts", 2) == 0) {
                q->ts = v;
            } else if (kn == 3 && memcmp(k, "seq", 3) == 0) {
                q->seq = v;
            } else {
                return -1;
            }
        }
        p = ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        return *p == '}' ? 0 : -1;
    }
}

static int64_t json_parse(void) {
    static const char body[] = "{\"sym\": \"ETHUSD\", \"bid\": 50000, \"ask\": 50010, \"bidsz\": "
                               "12, \"asksz\": 8, \"ts\": 1765000000000, \"seq\": 42}";
    int64_t best = INT64_MAX;
    for (int r = 0; r < 3; r++) {
        int64_t t0 = now_ns(), total = 0;
        for (int i = 0; i < 200000; i++) {
            quote q = {0};
            if (parse_quote(body, &q) != 0) {
                fprintf(stderr, "json_parse: bad quote\n");
                exit(1);
            }
            total += q.bid + q.ask;
            free(q.sym);
        }
        best = min64(best, now_ns() - t0);
        sink += total;
    }
    return best;
}

/* ---- fn_call and fn_modular: calls through function pointers chosen at run time ---- */

static int64_t step(int64_t x) {
    return x * 2 + 1;
}
static int64_t step_odd(int64_t x) {
    return x * 2 + 3;
}

static NOINLINE int64_t call_round(int64_t (*f)(int64_t), int64_t n) {
    int64_t acc = 0;
    for (int64_t i = 0; i < n; i++) {
        acc ^= f(i);
    }
    return acc;
}

static int64_t fn_call(void) {
    int64_t (*f)(int64_t) = getpid() % 2 ? step_odd : step;
    int64_t best = INT64_MAX;
    for (int r = 0; r < 3; r++) {
        int64_t t0 = now_ns();
        sink += call_round(f, 10000000);
        best = min64(best, now_ns() - t0);
    }
    return best;
}

typedef int64_t (*inner_fn)(int64_t);
static int64_t inner(int64_t x) {
    return x + 1;
}
static int64_t inner_odd(int64_t x) {
    return x + 2;
}
static int64_t outer(int64_t x, inner_fn g) {
    return g(x) * 3;
}
static int64_t outer_odd(int64_t x, inner_fn g) {
    return g(x) * 5;
}

static NOINLINE int64_t modular_round(int64_t (*f)(int64_t, inner_fn), inner_fn g, int64_t n) {
    int64_t acc = 0;
    for (int64_t i = 0; i < n; i++) {
        acc ^= f(i, g);
    }
    return acc;
}

static int64_t fn_modular(void) {
    int odd = getpid() % 2;
    int64_t (*f)(int64_t, inner_fn) = odd ? outer_odd : outer;
    inner_fn g = odd ? inner_odd : inner;
    int64_t best = INT64_MAX;
    for (int r = 0; r < 3; r++) {
        int64_t t0 = now_ns();
        sink += modular_round(f, g, 10000000);
        best = min64(best, now_ns() - t0);
    }
    return best;
}

static const struct {
    const char *name;
    int64_t (*run)(void);
} shapes[] = {
    {"locus_instantiation", locus_instantiation},
    {"coord_with_churn", coord_with_churn},
    {"tree_fanout", tree_fanout},
    {"form_hashmap_set", form_hashmap_set},
    {"form_vec_push", form_vec_push},
    {"json_parse", json_parse},
    {"fn_call", fn_call},
    {"fn_modular", fn_modular},
};

int main(int argc, char **argv) {
    for (size_t i = 0; argc == 2 && i < sizeof shapes / sizeof shapes[0]; i++) {
        if (strcmp(argv[1], shapes[i].name) == 0) {
            printf("%s %lld\n", shapes[i].name, (long long)shapes[i].run());
            return 0;
        }
    }
    fprintf(stderr, "usage: shapes_c WORKLOAD\n");
    return 2;
}
