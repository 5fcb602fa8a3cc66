#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scheduler.h"
#include "std_file.h"
#include "std_fs.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static char dir[64];

static int make_dir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hale-fs-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static hale_str in_dir(hale_region *r, const char *name) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return hale_str_copy(r, S(p));
}

static void test_whole_files(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "fs");
    hale_io_error e;
    hale_str a = in_dir(r, "a.txt");
    assert_true(hale_fs_write_file(a, S("hello"), NULL, &e));
    int64_t n;
    assert_true(hale_fs_write_file_append(a, S(" world"), &n, &e));
    assert_int_equal(n, 6);
    assert_true(hale_fs_file_size(a, &n, &e));
    assert_int_equal(n, 11);
    hale_str text;
    assert_true(hale_fs_read_file(r, a, &text, &e));
    assert_true(hale_str_eq(text, S("hello world")));
    hale_bytes bin = {(const uint8_t *)"\0\1\0", 3}, back;
    hale_str b = in_dir(r, "b.bin");
    assert_true(hale_fs_write_bytes(b, bin, NULL, &e));
    assert_true(hale_fs_read_bytes(r, b, &back, &e));
    assert_int_equal(back.len, 3);
    assert_memory_equal(back.ptr, "\0\1\0", 3);
    /* failures: the error names the path; the result is the bare call's sentinel */
    hale_str missing = in_dir(r, "missing");
    text = S("stale");
    assert_false(hale_fs_read_file(r, missing, &text, &e));
    assert_int_equal(text.len, 0);
    assert_string_equal(e.kind, "not_found");
    assert_non_null(strstr(e.path, "/missing"));
    n = 5;
    assert_false(hale_fs_file_size(missing, &n, &e));
    assert_int_equal(n, -1);
    assert_false(hale_fs_read_file(r, S("/"), &text, &e));
    assert_string_equal(e.kind, "is_dir");
    assert_false(hale_fs_write_file(S(""), S("x"), NULL, &e)); /* no path */
    assert_string_equal(e.kind, "invalid");
    assert_false(hale_fs_read_file(r, (hale_str){"a\0b", 3}, &text, &e)); /* embedded NUL */
    assert_string_equal(e.kind, "invalid");
    assert_true(hale_fs_file_exists(a));
    assert_false(hale_fs_file_exists(missing));
    hale_region_free(r);
}

static void test_directories(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "fs");
    hale_io_error e;
    hale_str sub = in_dir(r, "listing");
    assert_true(hale_fs_mkdir(sub, NULL, &e));
    assert_false(hale_fs_mkdir(sub, NULL, &e));
    assert_string_equal(e.kind, "already_exists");
    int64_t n = -1;
    assert_true(hale_fs_list_dir_count(sub, &n, &e));
    assert_int_equal(n, 0);
    const char *names[] = {"zeta", "Alpha", "beta", "b"};
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s/listing/%s", dir, names[i]);
        assert_true(hale_fs_write_file(S(p), S(""), NULL, &e));
    }
    assert_true(hale_fs_list_dir_count(sub, &n, &e));
    assert_int_equal(n, 4);
    const char *sorted[] = {"Alpha", "b", "beta", "zeta"};
    for (int64_t i = 0; i < 4; i++) {
        hale_str name;
        assert_true(hale_fs_list_dir_at(r, sub, i, &name, &e));
        assert_true(hale_str_eq(name, S(sorted[i])));
    }
    hale_str name = S("x");
    assert_false(hale_fs_list_dir_at(r, sub, 4, &name, &e));
    assert_int_equal(name.len, 0);
    assert_false(hale_fs_list_dir_at(r, sub, -1, &name, &e));
    n = 9;
    assert_false(hale_fs_list_dir_count(in_dir(r, "nope"), &n, &e));
    assert_int_equal(n, 0);
    /* rename names the destination; unlink and rmdir */
    hale_str from = in_dir(r, "listing/b"), to = in_dir(r, "listing/c");
    assert_true(hale_fs_rename(from, to, NULL, &e));
    assert_false(hale_fs_rename(from, to, NULL, &e));
    assert_non_null(strstr(e.path, "listing/c"));
    assert_false(hale_fs_rmdir(sub, NULL, &e)); /* not empty */
    const char *left[] = {"Alpha", "beta", "zeta", "c"};
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s/listing/%s", dir, left[i]);
        assert_true(hale_fs_unlink(S(p), NULL, &e));
    }
    assert_true(hale_fs_rmdir(sub, NULL, &e));
    assert_false(hale_fs_file_exists(sub));
    /* mktemp: unique names with the suffix, an error naming the template */
    hale_str t1, t2;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "%s/tmp_", dir);
    assert_true(hale_fs_mktemp(r, S(prefix), S(".log"), &t1, &e));
    assert_true(hale_fs_mktemp(r, S(prefix), S(".log"), &t2, &e));
    assert_false(hale_str_eq(t1, t2));
    assert_true(hale_str_ends_with(t1, S(".log")));
    assert_true(hale_fs_file_exists(t1));
    assert_false(hale_fs_mktemp(r, S("/no/such/dir/p_"), S(".x"), &t1, &e));
    assert_string_equal(e.path, "/no/such/dir/p_XXXXXX.x");
    hale_region_free(r);
}

static void test_extension(void **state) {
    (void)state;
    assert_true(hale_str_eq(hale_fs_extension(S("main.go")), S(".go")));
    assert_true(hale_str_eq(hale_fs_extension(S("a.tar.gz")), S(".gz")));
    assert_int_equal(hale_fs_extension(S("Makefile")).len, 0);
    assert_int_equal(hale_fs_extension(S("a.b/c")).len, 0);
    assert_int_equal(hale_fs_extension(S("src/.config")).len, 0);
    assert_true(hale_str_eq(hale_fs_extension(S("src/.config.toml")), S(".toml")));
    assert_true(hale_str_eq(hale_fs_extension(S("x.")), S(".")));
    assert_int_equal(hale_fs_extension(S("")).len, 0);
}

static void test_held_open_file(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "file");
    hale_io_error e;
    hale_file f;
    hale_file_init(&f);
    hale_str p = in_dir(r, "lines.txt");
    assert_false(hale_file_open(&f, p, S("q"), &e));
    assert_string_equal(e.kind, "invalid");
    assert_false(hale_file_open(&f, p, S("r"), &e));
    assert_string_equal(e.kind, "not_found");
    assert_false(hale_file_write_line(&f, S("x"), NULL, &e)); /* not open */
    assert_true(hale_file_at_eof(&f));
    assert_int_equal(hale_file_read_line(r, &f).len, 0);
    assert_true(hale_file_open(&f, p, S("w"), &e));
    /* a line longer than the read buffer, then short ones, the last without a newline */
    char big[10000];
    memset(big, 'x', sizeof big);
    assert_true(hale_file_write_line(&f, (hale_str){big, (int64_t)sizeof big}, NULL, &e));
    assert_true(hale_file_write_line(&f, S(""), NULL, &e));
    assert_true(hale_file_write_bytes(&f, (hale_bytes){(const uint8_t *)"end", 3}, NULL, &e));
    hale_file_close(&f);
    assert_true(hale_file_open(&f, p, S("r"), &e));
    assert_false(hale_file_at_eof(&f));
    hale_str l1 = hale_file_read_line(r, &f);
    assert_int_equal(l1.len, (int64_t)sizeof big + 1);
    assert_int_equal(l1.ptr[l1.len - 1], '\n');
    assert_true(hale_str_eq(hale_file_read_line(r, &f), S("\n")));
    assert_false(hale_file_at_eof(&f));
    assert_true(hale_str_eq(hale_file_read_line(r, &f), S("end")));
    assert_true(hale_file_at_eof(&f));
    assert_int_equal(hale_file_read_line(r, &f).len, 0);
    assert_true(hale_file_seek(&f, (int64_t)sizeof big, NULL, &e));
    assert_true(hale_str_eq(hale_file_read_line(r, &f), S("\n")));
    assert_false(hale_file_seek(&f, -1, NULL, &e));
    assert_false(hale_file_write_line(&f, S("read-only"), NULL, &e));
    assert_string_equal(e.kind, "io"); /* EBADF: opened for reading */
    hale_file_close(&f);
    hale_file_close(&f); /* twice is harmless */
    assert_true(hale_file_open(&f, p, S("a"), &e));
    assert_true(hale_file_write_line(&f, S("+more"), NULL, &e));
    hale_file_close(&f);
    int64_t n;
    assert_true(hale_fs_file_size(p, &n, &e));
    assert_int_equal(n, (int64_t)sizeof big + 1 + 1 + 3 + 6);
    hale_region_free(r);
}

/* A FIFO read parks until its first writer comes, while another coroutine goes on. */
static char fifo[96];
static int fifo_ticks;
static hale_str fifo_got;
static hale_region *fifo_region;

static void fifo_reader(void *arg) {
    (void)arg;
    hale_io_error e;
    hale_fs_read_file(fifo_region, S(fifo), &fifo_got, &e);
}

static void fifo_ticker(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        hale_sleep(10000000);
        fifo_ticks++;
    }
}

static void *fifo_writer(void *arg) {
    (void)arg;
    usleep(100000);
    FILE *f = fopen(fifo, "w");
    fputs("through a fifo", f);
    fclose(f);
    return NULL;
}

static void test_fifo_parks(void **state) {
    (void)state;
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fifo_region = hale_region_new(NULL, "fifo");
    pthread_t t;
    pthread_create(&t, NULL, fifo_writer, NULL);
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), fifo_reader, NULL, NULL);
    hale_spawn(hale_pool_main(), fifo_ticker, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    pthread_join(t, NULL);
    assert_int_equal(fifo_ticks, 3);
    assert_true(hale_str_eq(fifo_got, S("through a fifo")));
    hale_region_free(fifo_region);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_files), cmocka_unit_test(test_directories),
        cmocka_unit_test(test_extension),   cmocka_unit_test(test_held_open_file),
        cmocka_unit_test(test_fifo_parks),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
