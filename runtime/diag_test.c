#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "region.h"

static void test_syscall_counters(void **state) {
    (void)state;
    int64_t reads = hale_diag_syscall_count(HALE_STR_LIT("read"));
    int64_t sends = hale_diag_syscall_count(HALE_STR_LIT("send"));
    assert_true(reads >= 0);
    for (int i = 0; i < 3; i++) {
        hale_diag_count_syscall(HALE_SYSCALL_READ);
    }
    hale_diag_count_syscall(HALE_SYSCALL_SEND);
    assert_int_equal(hale_diag_syscall_count(HALE_STR_LIT("read")) - reads, 3);
    assert_int_equal(hale_diag_syscall_count(HALE_STR_LIT("send")) - sends, 1);
    assert_int_equal(hale_diag_syscall_count(HALE_STR_LIT("sendx")), -1);
    assert_int_equal(hale_diag_syscall_count(HALE_STR_LIT("rea")), -1);
    assert_int_equal(hale_diag_syscall_count(HALE_STR_LIT("")), -1);
    hale_diag_count_syscall((hale_syscall)999); /* ignored */
    assert_int_equal(hale_diag_syscall_count_id((hale_syscall)999), -1);
    for (int i = 0; i < HALE_SYSCALL_COUNT_; i++) {
        const char *n = hale_diag_syscall_name((hale_syscall)i);
        assert_non_null(n);
        hale_str s = {n, (int64_t)strlen(n)};
        assert_int_equal(hale_diag_syscall_count(s), hale_diag_syscall_count_id((hale_syscall)i));
    }
    assert_null(hale_diag_syscall_name(HALE_SYSCALL_COUNT_));
}

static void test_rss_tracks_touched_memory(void **state) {
    (void)state;
    int64_t before = hale_process_rss_bytes();
    assert_true(before > 0);
    int64_t allocs = hale_diag_heap_alloc_count();
    assert_true(hale_process_rss_bytes() > 0);
    assert_int_equal(hale_diag_heap_alloc_count(), allocs); /* reading rss allocates nothing */
    size_t n = (size_t)64 << 20;
    char *p = hale_sys_malloc(n);
    assert_non_null(p);
    memset(p, 1, n);
    int64_t after = hale_process_rss_bytes();
    assert_true(after - before >= (int64_t)(n / 2));
    hale_sys_free(p);
}

/* Runs `body` in a child process with stderr captured into buf. The knobs are read once per
 * process, so each knob test gets a fresh one (these tests run before any other touches them). */
static void run_child(void (*body)(void), char *buf, size_t cap) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        body();
        exit(0);
    }
    close(fds[1]);
    memset(buf, 0, cap);
    size_t got = 0;
    ssize_t n;
    while (got < cap - 1 && (n = read(fds[0], buf + got, cap - 1 - got)) > 0) {
        got += (size_t)n;
    }
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void pool_stats_child(void) {
    setenv("HALE_CHUNK_POOL_STATS", "1", 1);
    hale_diag_boot();
    hale_region *r = hale_region_new(NULL, "child");
    hale_alloc(r, 100);
    hale_region_free(r);
}

/* HALE_CHUNK_POOL_STATS=1 prints the pool report at exit. */
static void test_chunk_pool_stats_knob(void **state) {
    (void)state;
    char buf[1024];
    run_child(pool_stats_child, buf, sizeof buf);
    assert_non_null(strstr(buf, "hale: chunk pool: "));
    assert_non_null(strstr(buf, "hit_rate="));
}

static void residency_child(void) {
    setenv("HALE_ARENA_RESIDENCY", "1", 1);
    setenv("HALE_ARENA_RESIDENCY_INTERVAL_MS", "5", 1);
    hale_diag_boot();
    hale_region *r = hale_region_new(NULL, "Child");
    hale_alloc(r, 4321);
    usleep(100 * 1000);
    hale_diag_shutdown();
    hale_region_free(r);
}

/* HALE_ARENA_RESIDENCY=1 starts the heartbeat at boot; shutdown writes a last dump. */
static void test_residency_knob(void **state) {
    (void)state;
    char buf[16384];
    run_child(residency_child, buf, sizeof buf);
    char *first = strstr(buf, "used=4321 name=Child parent=-");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "used=4321 name=Child parent=-")); /* beats + final */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_pool_stats_knob),
        cmocka_unit_test(test_residency_knob),
        cmocka_unit_test(test_syscall_counters),
        cmocka_unit_test(test_rss_tracks_touched_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
