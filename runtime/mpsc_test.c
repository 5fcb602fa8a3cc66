/* The MPSC queue under real contention: several producer threads, one consumer; every node
 * arrives exactly once and each producer's nodes arrive in the order it pushed them. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mpsc.h"

#define PRODUCERS 4
#define PER 100000

typedef struct {
    hale_mpsc_node node;
    int producer;
    int seq;
} item;

static hale_mpsc q;
static item *items[PRODUCERS];

static void *produce(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < PER; i++) {
        items[id][i].producer = id;
        items[id][i].seq = i;
        hale_mpsc_push(&q, &items[id][i].node);
    }
    return NULL;
}

static void test_single_thread_fifo(void **state) {
    (void)state;
    hale_mpsc_init(&q);
    assert_true(hale_mpsc_empty(&q));
    assert_null(hale_mpsc_pop(&q));
    item a[3];
    for (int i = 0; i < 3; i++) {
        hale_mpsc_push(&q, &a[i].node);
    }
    assert_false(hale_mpsc_empty(&q));
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(hale_mpsc_pop(&q), &a[i].node);
    }
    assert_null(hale_mpsc_pop(&q));
    assert_true(hale_mpsc_empty(&q));
    hale_mpsc_push(&q, &a[1].node); /* reuse after drain */
    assert_ptr_equal(hale_mpsc_pop(&q), &a[1].node);
}

static void test_many_producers(void **state) {
    (void)state;
    hale_mpsc_init(&q);
    pthread_t t[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        items[i] = calloc(PER, sizeof(item));
        assert_non_null(items[i]);
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_create(&t[i], NULL, produce, (void *)(intptr_t)i);
    }
    int next[PRODUCERS] = {0};
    long got = 0;
    while (got < (long)PRODUCERS * PER) {
        hale_mpsc_node *n = hale_mpsc_pop(&q);
        if (!n) {
            continue; /* empty or a push in flux: spin */
        }
        item *it = (item *)n;
        assert_int_equal(it->seq, next[it->producer]);
        next[it->producer]++;
        got++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(next[i], PER);
        free(items[i]);
    }
    assert_null(hale_mpsc_pop(&q));
    assert_true(hale_mpsc_empty(&q));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_thread_fifo),
        cmocka_unit_test(test_many_producers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
