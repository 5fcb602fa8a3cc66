/* The bus: the topic table the compiler emits, the knobs and diagnostics, and the teardown hooks
 * (bus.h says what the bus does; bus_impl.h how it is laid out; subscriptions are in bus_sub.c,
 * the publish path in bus_publish.c).
 *
 * Topics are a dense array indexed by the compiler's topic ids; string subjects are found in an
 * open-addressing table built once at boot, so no publish ever compares a subject. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bus_impl.h"
#include "fatal.h"
#include "region.h"
#include "std.h"

hbus_settings hbus_cfg = {.mailbox_cap = 8192, .local_cap = 8192};
static bool booted;
static bool dump_at_exit;
static bool dumped;

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

bus_topic *hbus_topic_at(int id) {
    if (!booted || id < 0 || (size_t)id >= hbus_cfg.ntopics) {
        hale_fatal("bus: no topic %d (%s)", id, booted ? "out of range" : "bus not booted");
    }
    return &hbus_cfg.topics[id];
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

#define LOG_PER_SECOND 20

void hbus_log(bus_topic *tp, const char *what, const bus_key *key) {
    static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
    static int64_t window, in_window, suppressed;
    pthread_mutex_lock(&log_lock);
    int64_t now = hale_time_monotonic();
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
            hbus_key_print(tp->key_kind, key, stderr);
        }
        fprintf(stderr, ", %" PRId64 " subscribers)\n", atomic_load(&tp->live));
    } else {
        suppressed++;
    }
    pthread_mutex_unlock(&log_lock);
}

void hbus_drop(bus_topic *tp, const char *why) {
    bus_count(tp->id, BUS_C_DROPPED, 1);
    if (hbus_cfg.log_drop) {
        hbus_log(tp, why, NULL);
    }
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
    if (d->key_type && (hbus_key_kind(d->key_type) == BUS_KEY_NONE ||
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
    hbus_cfg.topics = hale_sys_calloc(n ? n : 1, sizeof *hbus_cfg.topics);
    if (!hbus_cfg.topics) {
        hale_oom(n * sizeof *hbus_cfg.topics, "the bus topic table");
    }
    for (size_t i = 0; i < n; i++) {
        hbus_cfg.topics[i].d = &d[i];
        hbus_cfg.topics[i].id = (int)i;
        hbus_cfg.topics[i].key_kind = hbus_key_kind(d[i].key_type);
        hbus_cfg.topics[i].size = d[i].payload->size;
        hbus_cfg.topics[i].lean = d[i].bound == 0;
        hbus_cfg.topics[i].flat_small = d[i].payload->flat && d[i].payload->size <= STACK_COPY;
    }
    hbus_cfg.ntopics = n;
    hbus_counters_reset(n);
    hale_sched_set_settle(hale_bus_settle_point);
    hale_sched_set_before_reset(hale_bus_materialize);
    hbus_cfg.mailbox_cap = env_int("HALE_BUS_MAILBOX_CAP", 8192);
    hbus_cfg.local_cap = env_int("HALE_BUS_LOCAL_CAP", 8192);
    hbus_cfg.log_drop = env_on("HALE_BUS_LOG_DROP");
    hbus_cfg.log_unmatched = hbus_cfg.log_drop || env_on("HALE_BUS_LOG_UNMATCHED");
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
        if (strcmp(hbus_cfg.topics[subject_ids[j]].d->subject, subject) == 0) {
            return subject_ids[j];
        }
    }
    return -1;
}

size_t hale_bus_topic_count(void) {
    return booted ? hbus_cfg.ntopics : 0;
}

const hale_bus_topic_desc *hale_bus_topic(int topic) {
    return hbus_topic_at(topic)->d;
}

hale_line_counter hale_bus_nsinks;

void hale_bus_set_sink(int topic, hale_bus_sink_fn send, void *ctx) {
    bus_topic *tp = hbus_topic_at(topic);
    hale_bus_sink_fn old = atomic_load(&tp->sink);
    atomic_store(&tp->sink_ctx, ctx);
    atomic_store_explicit(&tp->sink, send, memory_order_release);
    atomic_fetch_add(&hale_bus_nsinks.n, (send != NULL) - (old != NULL));
    hbus_topic_refresh(tp);
}

bool hale_bus_has_sink(int topic) {
    return atomic_load_explicit(&hbus_topic_at(topic)->sink, memory_order_acquire) != NULL;
}

/* ---- teardown ---- */

void hale_bus_seal(int topic) {
    atomic_store(&hbus_topic_at(topic)->sealed, 1);
    hbus_topic_refresh(hbus_topic_at(topic));
}

void hale_bus_seal_all(void) {
    for (size_t i = 0; i < hbus_cfg.ntopics; i++) {
        hale_bus_seal((int)i);
    }
}

int hale_bus_quiesce(int64_t timeout_ns) {
    bus_thread *bt = bus_thread_self();
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : hale_time_monotonic() + timeout_ns;
    for (;;) {
        hbus_settle(bt);
        if (atomic_load(&hbus_busy_mailboxes.n) == 0 && bt->q_len == 0) {
            return 0;
        }
        if (hale_time_monotonic() >= deadline) {
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
    hbus_index_free(&sl->index);
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
    for (size_t t = 0; t < hbus_cfg.ntopics; t++) {
        bus_topic *tp = &hbus_cfg.topics[t];
        bus_slice **arr = atomic_load(&tp->slices);
        size_t n = atomic_load(&tp->nslices);
        for (size_t i = 0; i < n; i++) {
            free_slice(arr[i]);
        }
        hale_sys_free(arr);
    }
    hbus_slices_free_retired();
    hale_sys_free(hbus_cfg.topics);
    hbus_cfg.topics = NULL;
    hale_sys_free(subject_ids);
    subject_ids = NULL;
    hbus_cfg.ntopics = 0;
    booted = false;
    hale_sched_set_settle(NULL);
    hale_sched_set_before_reset(NULL);
}
