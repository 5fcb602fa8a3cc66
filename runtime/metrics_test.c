/* A program's /metrics endpoint end to end, on its own thread, scraped over loopback TCP while
 * the scheduler runs: the knobs (HALE_METRICS, [metrics] in HALE_BUS_CONFIG, off by default, and
 * their errors), pool queue depths against work held up on purpose, region bytes following a
 * region's chunks, loci by type, added sections, the bus counters scraped during a flood from
 * one pool to another (the TSan build runs this), and the endpoint gone after stop. */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus.h"
#include "census.h"
#include "metrics.h"
#include "region.h"
#include "scheduler.h"
#include "test_http.h"

static char answer[1 << 18];
static char file[] = "/tmp/metrics_test_XXXXXX";

static const char *scrape(void) {
    int port = test_http_port(hale_metrics_address());
    assert_true(test_http(port, "GET /metrics HTTP/1.1\r\n\r\n", answer, sizeof answer) > 0);
    const char *b = test_http_body(answer);
    assert_non_null(b);
    return b;
}

/* The value of the sample whose line starts with `series` ("name{labels}"), or -1. */
static long long value_of(const char *text, const char *series) {
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            return atoll(p + n + 1);
        }
    }
    return -1;
}

static void write_config(const char *text) {
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    setenv("HALE_BUS_CONFIG", file, 1);
}

static void test_knobs(void **state) {
    (void)state;
    char err[512] = "";
    unsetenv("HALE_METRICS");
    unsetenv("HALE_BUS_CONFIG");
    assert_int_equal(hale_metrics_boot(err, sizeof err), 0);
    assert_null(hale_metrics_address());
    setenv("HALE_METRICS", "nope", 1);
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_string_equal(err, "HALE_METRICS: metrics address 'nope': expected HOST:PORT, e.g. "
                             "127.0.0.1:9464");
    unsetenv("HALE_METRICS");
    /* the bus configuration: no [metrics] is off */
    write_config("[bus]\nkey_file = \"k\"\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), 0);
    assert_null(hale_metrics_address());
    write_config("[bus]\n[metrics]\nlisen = \"127.0.0.1:0\"\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_non_null(strstr(err, "HALE_BUS_CONFIG: "));
    assert_non_null(strstr(err, ":3: "));
    assert_non_null(strstr(err, "did you mean 'listen'?"));
    write_config("[metrics]\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_non_null(strstr(err, "listen"));
    write_config("[metrics]\nlisten = 9464\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: "));
    write_config("[metrics]\nlisten = \"127.0.0.1:65536\"\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_non_null(strstr(err, "HALE_BUS_CONFIG [metrics]: metrics address '127.0.0.1:65536'"));
    write_config("[bus\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), -1);
    assert_non_null(strstr(err, "HALE_BUS_CONFIG: "));
    /* and on, from the file */
    write_config("[bus]\n[metrics]\nlisten = \"127.0.0.1:0\"\n");
    assert_int_equal(hale_metrics_boot(err, sizeof err), 0);
    assert_non_null(hale_metrics_address());
    assert_true(strncmp(hale_metrics_address(), "127.0.0.1:", 10) == 0);
    int port = test_http_port(hale_metrics_address());
    hale_metrics_stop();
    assert_null(hale_metrics_address());
    assert_int_equal(test_http_connect(port), -1); /* nobody listens any more */
    unsetenv("HALE_BUS_CONFIG");
    unlink(file);
}

/* ---- queue depths ---- */

static sem_t entered, release;

static void hold(void *arg) {
    (void)arg;
    sem_post(&entered);
    while (sem_wait(&release) != 0) {
    }
}

static void nothing(void *arg) {
    (void)arg;
}

static void section(hale_mtext *t, void *ctx) {
    hale_metric_family(t, "test_section_total", "counter", ctx);
    hale_metric_int(t, "test_section_total", 7, NULL);
}

static void test_scrape_while_running(void **state) {
    (void)state;
    char err[512];
    hale_sched_init(NULL);
    hale_pool *work = hale_pool_cooperative("work", NULL);
    setenv("HALE_METRICS", "127.0.0.1:0", 1);
    assert_int_equal(hale_metrics_boot(err, sizeof err), 0);
    assert_true(hale_metrics_counting_loci());
    hale_metrics_add_section(section, "From a test.");
    hale_metrics_add_section(section, "Twice.");

    /* one message holds the pool's thread; five more wait behind it */
    sem_init(&entered, 0, 0);
    sem_init(&release, 0, 0);
    hale_post_call(work, hold, NULL);
    while (sem_wait(&entered) != 0) {
    }
    for (int i = 0; i < 5; i++) {
        hale_post_call(work, nothing, NULL);
    }
    /* three coroutines ready on the main pool, not yet resumed */
    for (int i = 0; i < 3; i++) {
        hale_spawn(hale_pool_main(), nothing, NULL, NULL);
    }
    const char *m = scrape();
    assert_int_equal(value_of(m, "hale_pool_inbox_depth{pool=\"work\",kind=\"cooperative\"}"), 6);
    assert_int_equal(value_of(m, "hale_pool_run_queue_depth{pool=\"main\",kind=\"main\"}"), 3);
    assert_int_equal(value_of(m, "hale_pool_coroutines{pool=\"main\",kind=\"main\"}"), 3);
    assert_int_equal(value_of(m, "test_section_total"), 7);
    assert_null(strstr(m, "Twice."));
    assert_true(value_of(m, "process_resident_memory_bytes") > 0);
    assert_true(value_of(m, "process_threads") >= 3); /* main, work, metrics */
    sem_post(&release);
    assert_int_equal(hale_sched_run(), 0); /* everything ran out */
    m = scrape();
    assert_int_equal(value_of(m, "hale_pool_inbox_depth{pool=\"work\",kind=\"cooperative\"}"), 0);
    assert_int_equal(value_of(m, "hale_pool_run_queue_depth{pool=\"main\",kind=\"main\"}"), 0);
    assert_int_equal(value_of(m, "hale_pool_coroutines{pool=\"main\",kind=\"main\"}"), 0);
    assert_int_equal(
        value_of(m, "hale_pool_messages_handled_total{pool=\"work\",kind=\"cooperative\"}"), 6);

    /* regions: a region's chunks are live bytes until it is freed */
    long long before = value_of(m, "hale_region_live_bytes");
    hale_region *r = hale_region_new(NULL, "test");
    for (int i = 0; i < 640; i++) {
        hale_region_alloc(r, 1000, 16); /* about ten standard chunks */
    }
    hale_region_alloc(r, 1 << 20, 16); /* and a dedicated one */
    m = scrape();
    long long held = value_of(m, "hale_region_live_bytes");
    assert_true(held >= before + 640000 + (1 << 20));
    hale_region_free(r);
    m = scrape();
    assert_true(value_of(m, "hale_region_live_bytes") <= held - 640000 - (1 << 20));

    /* loci by type, as the locus runtime reports them */
    static const char type_a, type_b;
    hale_census_born(&type_a, "Conn");
    hale_census_born(&type_a, "Conn");
    hale_census_born(&type_b, "Room \"A\"");
    hale_census_freed(&type_a, "Conn");
    m = scrape();
    assert_int_equal(value_of(m, "hale_loci_alive{type=\"Conn\"}"), 1);
    assert_int_equal(value_of(m, "hale_loci_created_total{type=\"Conn\"}"), 2);
    assert_int_equal(value_of(m, "hale_loci_alive{type=\"Room \\\"A\\\"\"}"), 1);

    hale_metrics_stop();
    unsetenv("HALE_METRICS");
    hale_sched_shutdown();
    sem_destroy(&entered);
    sem_destroy(&release);
}

/* ---- the bus, scraped during a flood ---- */

#define FLOOD 20000

static const hale_field tick_fields[] = {{"n", 0, &hale_type_int}};
static const hale_type T_Tick = {.kind = HALE_T_RECORD,
                                 .name = "Tick",
                                 .size = sizeof(int64_t),
                                 .align = _Alignof(int64_t),
                                 .flat = true,
                                 .fields = tick_fields,
                                 .nfields = 1};
static const hale_bus_topic_desc topics[] = {
    {.name = "Ticks", .subject = "test.ticks", .payload = &T_Tick},
    {.name = "Quiet", .subject = "test.quiet", .payload = &T_Tick},
};

static _Atomic int64_t handled, published, scraped;

static void on_tick(void *locus, const void *payload) {
    (void)locus;
    (void)payload;
    atomic_fetch_add(&handled, 1);
}

static void subscribe_on_pool(void *arg) {
    hale_bus_sub_spec spec = {.locus = arg, .handler = on_tick};
    hale_bus_subscribe(0, &spec);
}

/* Halfway through, the flood waits for a scrape, so at least one lands while it is under way
 * (20,000 publishes can otherwise end before the test's first look). */
static void flood(void *arg) {
    (void)arg;
    for (int64_t i = 0; i < FLOOD; i++) {
        if (i == FLOOD / 2) {
            while (!atomic_load(&scraped)) {
                hale_sleep(100 * 1000);
            }
        }
        hale_bus_publish(0, &i, HALE_BUS_WAIT);
        atomic_fetch_add(&published, 1);
    }
}

static void test_bus_during_a_flood(void **state) {
    (void)state;
    char err[512];
    hale_sched_init(NULL);
    assert_int_equal(hale_bus_boot(topics, 2, err, sizeof err), 0);
    hale_pool *sub = hale_pool_cooperative("sub", NULL);
    hale_pool *pub = hale_pool_cooperative("pub", NULL);
    setenv("HALE_METRICS", "127.0.0.1:0", 1);
    assert_int_equal(hale_metrics_boot(err, sizeof err), 0);
    hale_post_call(sub, subscribe_on_pool, NULL);
    while (hale_bus_subscriber_count(0) == 0) {
        sched_yield();
    }
    hale_post_call(pub, flood, NULL);
    int scrapes = 0;
    long long last = 0;
    while (atomic_load(&handled) < FLOOD) {
        const char *m = scrape();
        long long p = value_of(m, "hale_bus_published_total{topic=\"test.ticks\"}");
        long long d = value_of(m, "hale_bus_delivered_total{topic=\"test.ticks\"}");
        assert_true(p >= last && p <= FLOOD); /* counters only grow, never past what happened */
        assert_true(d >= 0 && d <= FLOOD);
        last = p;
        scrapes++;
        atomic_store(&scraped, 1);
    }
    hale_sched_run();
    const char *m = scrape();
    assert_int_equal(value_of(m, "hale_bus_published_total{topic=\"test.ticks\"}"), FLOOD);
    assert_int_equal(value_of(m, "hale_bus_delivered_total{topic=\"test.ticks\"}"), FLOOD);
    assert_int_equal(value_of(m, "hale_bus_dropped_total{topic=\"test.ticks\"}"), 0);
    assert_int_equal(value_of(m, "hale_bus_published_total{topic=\"test.quiet\"}"), 0);
    assert_true(scrapes >= 1);
    hale_metrics_stop();
    unsetenv("HALE_METRICS");
    hale_bus_shutdown();
    hale_sched_shutdown();
}

int main(void) {
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_knobs),
        cmocka_unit_test(test_scrape_while_running),
        cmocka_unit_test(test_bus_during_a_flood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
