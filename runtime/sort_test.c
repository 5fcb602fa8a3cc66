#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sort.h"

static int cmp_i64(const void *a, const void *b, void *ctx) {
    (void)ctx;
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t sum(const int64_t *v, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s += v[i] * (int64_t)(v[i] % 7 + 1);
    }
    return s;
}

static void check_sorted(const int64_t *v, size_t n) {
    for (size_t i = 1; i < n; i++) {
        assert_true(v[i - 1] <= v[i]);
    }
}

static void test_shapes(void **state) {
    (void)state;
    enum { N = 20000 };
    static int64_t v[N];
    for (int shape = 0; shape < 5; shape++) {
        for (size_t i = 0; i < N; i++) {
            switch (shape) {
            case 0:
                v[i] = (int64_t)(next() % 1000000);
                break;
            case 1:
                v[i] = (int64_t)i;
                break; /* sorted */
            case 2:
                v[i] = (int64_t)(N - i);
                break; /* reversed */
            case 3:
                v[i] = (int64_t)(next() % 3);
                break; /* many equal */
            default:
                v[i] = (int64_t)(i % 2 ? i : N - i);
                break; /* organ pipe */
            }
        }
        int64_t before = sum(v, N);
        hale_sort(v, N, sizeof v[0], cmp_i64, NULL);
        check_sorted(v, N);
        assert_int_equal(sum(v, N), before);
    }
    hale_sort(v, 0, 8, cmp_i64, NULL);
    hale_sort(v, 1, 8, cmp_i64, NULL);
}

typedef struct {
    int64_t key;
    char payload[92];
} wide;

static int cmp_wide(const void *a, const void *b, void *ctx) {
    int *calls = ctx;
    (*calls)++;
    return cmp_i64(&((const wide *)a)->key, &((const wide *)b)->key, NULL);
}

static void test_wide_elements_and_context(void **state) {
    (void)state;
    enum { N = 3000 };
    static wide w[N];
    for (size_t i = 0; i < N; i++) {
        w[i].key = (int64_t)(next() % 500);
        memset(w[i].payload, (int)(w[i].key & 0x7f), sizeof w[i].payload);
    }
    int calls = 0;
    hale_sort(w, N, sizeof w[0], cmp_wide, &calls);
    assert_true(calls > 0);
    for (size_t i = 0; i < N; i++) {
        if (i) {
            assert_true(w[i - 1].key <= w[i].key);
        }
        assert_int_equal(w[i].payload[91], (char)(w[i].key & 0x7f)); /* moved whole */
    }
}

static int cmp_liar(const void *a, const void *b, void *ctx) {
    (void)a;
    (void)b;
    (void)ctx;
    return (int)(next() % 3) - 1;
}

static void test_inconsistent_comparator_is_safe(void **state) {
    (void)state;
    enum { N = 5000 };
    static int64_t v[N];
    for (size_t i = 0; i < N; i++) {
        v[i] = (int64_t)i;
    }
    hale_sort(v, N, sizeof v[0], cmp_liar, NULL); /* terminates, stays in bounds */
    hale_sort(v, N, sizeof v[0], cmp_i64, NULL);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(v[i], (int64_t)i); /* still a permutation of 0..N-1 */
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_wide_elements_and_context),
        cmocka_unit_test(test_inconsistent_comparator_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
