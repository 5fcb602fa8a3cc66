#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "residency.h"

static const hale_region_info *find(const hale_region_info *infos, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(infos[i].name, name) == 0) {
            return &infos[i];
        }
    }
    return NULL;
}

static void test_registry_tracks_live_regions(void **state) {
    (void)state;
    hale_arena_residency_set_enabled(1);
    hale_region *app = hale_region_new(NULL, "App");
    hale_region *server = hale_region_new(app, "Server");
    hale_alloc(server, 1000);
    hale_alloc(app, 50);
    hale_scratch *s = hale_scratch_new("scratch"); /* scratch sides are never listed */
    hale_region_info infos[16];
    size_t n = hale_arena_residency_snapshot(infos, 16);
    assert_int_equal(n, 2);
    const hale_region_info *si = find(infos, n, "Server");
    assert_non_null(si);
    assert_string_equal(si->parent, "App");
    assert_int_equal(si->used, 1000);
    assert_true(si->reserved >= 1000);
    const hale_region_info *ai = find(infos, n, "App");
    assert_non_null(ai);
    assert_null(ai->parent);
    assert_int_equal(ai->used, 50);

    char buf[4096] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_int_equal(hale_arena_residency_dump(f), 2);
    fclose(f);
    assert_non_null(strstr(buf, "hale: arena residency: 2 regions"));
    assert_non_null(strstr(buf, "used=1000 name=Server parent=App"));
    assert_non_null(strstr(buf, "used=50 name=App parent=-"));

    hale_region_free(app); /* frees Server too */
    assert_int_equal(hale_arena_residency_snapshot(infos, 16), 0);
    hale_scratch_free(s);

    hale_arena_residency_set_enabled(0);
    hale_region *quiet = hale_region_new(NULL, "quiet");
    assert_int_equal(hale_arena_residency_snapshot(infos, 16), 0);
    hale_region_free(quiet);
}

static void test_snapshot_reports_overflow(void **state) {
    (void)state;
    hale_arena_residency_set_enabled(1);
    hale_region *rs[40];
    for (int i = 0; i < 40; i++) {
        rs[i] = hale_region_new(NULL, "many");
    }
    hale_region_info infos[8];
    assert_int_equal(hale_arena_residency_snapshot(infos, 8), 40);
    char buf[8192] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_int_equal(hale_arena_residency_dump(f), 40); /* the dump sizes its own buffer */
    fclose(f);
    for (int i = 0; i < 40; i++) {
        hale_region_free(rs[i]);
    }
    hale_arena_residency_set_enabled(0);
}

static void test_heartbeat_prints_and_stops(void **state) {
    (void)state;
    hale_arena_residency_set_enabled(1);
    hale_region *r = hale_region_new(NULL, "Beating");
    hale_alloc(r, 777);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(hale_arena_residency_start(5, f), 0);
    assert_int_equal(hale_arena_residency_start(5, f), -1); /* one heartbeat at a time */
    /* Wait (bounded) for at least two beats. */
    char buf[8192];
    int beats = 0;
    for (int tries = 0; tries < 1000 && beats < 2; tries++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        hale_arena_residency_stop(); /* stop to read the file without racing the writer */
        rewind(f);
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        buf[got] = 0;
        beats = 0;
        for (char *p = buf; (p = strstr(p, "used=777 name=Beating")) != NULL; p++) {
            beats++;
        }
        if (beats < 2) {
            fseek(f, 0, SEEK_END);
            assert_int_equal(hale_arena_residency_start(5, f), 0);
        }
    }
    assert_true(beats >= 2);
    hale_arena_residency_stop(); /* harmless when stopped */
    fclose(f);
    hale_region_free(r);
    hale_arena_residency_set_enabled(0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_tracks_live_regions),
        cmocka_unit_test(test_snapshot_reports_overflow),
        cmocka_unit_test(test_heartbeat_prints_and_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
