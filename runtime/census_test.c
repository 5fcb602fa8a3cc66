/* The census of loci by type: counts per type from several threads at once, first-seen order,
 * and the types past the table's size counted together as "(other)". */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "census.h"

#define TYPES 300
static const char types[TYPES]; /* their addresses are the types */
static char names[TYPES][16];

typedef struct {
    const char *name;
    int64_t alive, created;
} row;

static row rows[TYPES + 1];
static int nrows;

static void collect(const char *name, int64_t alive, int64_t created, void *arg) {
    (void)arg;
    rows[nrows++] = (row){name, alive, created};
}

static const row *find(const char *name) {
    for (int i = 0; i < nrows; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            return &rows[i];
        }
    }
    return NULL;
}

static void *churn(void *arg) {
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        int t = i % 3;
        hale_census_born(&types[t], names[t]);
        hale_census_freed(&types[t], names[t]);
    }
    hale_census_born(&types[0], names[0]); /* each thread leaves one alive */
    return NULL;
}

static void test_threads_and_overflow(void **state) {
    (void)state;
    for (int i = 0; i < TYPES; i++) {
        snprintf(names[i], sizeof names[i], "T%d", i);
    }
    hale_census_enable();
    assert_true(hale_census_enabled());
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        pthread_create(&th[i], NULL, churn, NULL);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
    }
    nrows = 0;
    hale_census_foreach(collect, NULL);
    assert_int_equal(nrows, 3);
    assert_int_equal(find("T0")->alive, 4);
    assert_int_equal(find("T0")->created, 4 * (20000 / 3 + 1) + 4);
    assert_int_equal(find("T1")->alive, 0);
    assert_int_equal(find("T2")->created, 4 * (20000 / 3));
    /* more types than slots: the rest are counted together */
    for (int i = 0; i < TYPES; i++) {
        hale_census_born(&types[i], names[i]);
    }
    nrows = 0;
    hale_census_foreach(collect, NULL);
    assert_int_equal(nrows, 256);
    assert_string_equal(rows[0].name, "T0"); /* first seen first */
    const row *other = find("(other)");
    assert_non_null(other);
    int64_t sum = 0;
    for (int i = 0; i < nrows; i++) {
        sum += rows[i].alive;
    }
    assert_int_equal(sum, 4 + TYPES);
    assert_int_equal(other->alive, TYPES - 255);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
