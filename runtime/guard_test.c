/* Guarded references, delivery origins, keeps and hoisting (guard.h), with hand-written types:
 * a guard is valid while its region lives and never after (even when the header is reused);
 * each keep takes over, references or copies exactly when it should and gives back only what
 * the holder owns; a read after the producer's region is gone is ActorTerminated (outside every
 * locus: the fault report and status 1); the counters add up across threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "copy.h"
#include "guard.h"
#include "locus_impl.h"
#include "test_types.h"

typedef struct {
    hale_locus h;
    Entry kept;
    hale_guard g;
} holder;

/* [Int] */
static const hale_type T_Ints = {.kind = HALE_T_ARRAY,
                                 .name = "[Int]",
                                 .size = sizeof(hale_array),
                                 .align = _Alignof(hale_array),
                                 .flat = false,
                                 .elem = &hale_type_int};

static const hale_locus_type holder_t = {.name = "Holder", .size = sizeof(holder)};
static const hale_locus_type producer_t = {.name = "Producer", .size = sizeof(hale_locus)};
static const hale_locus_type other_t = {.name = "Other", .size = sizeof(hale_locus)};

/* An Entry whose name lives in `r`. */
static Entry entry_in(hale_region *r, int64_t id, const char *name) {
    size_t n = strlen(name);
    char *p = hale_region_alloc(r, n, 1);
    memcpy(p, name, n);
    return (Entry){id, {p, (int64_t)n}};
}

static holder *new_holder(void) {
    holder proto;
    memset(&proto, 0, sizeof proto);
    return hale_locus_new(&holder_t, NULL, &proto, NULL);
}

static hale_locus *new_child(const hale_locus_type *t, hale_locus *parent) {
    hale_locus proto;
    memset(&proto, 0, sizeof proto);
    return hale_locus_new(t, parent, &proto, NULL);
}

static void generations(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "gen");
    hale_gen g = hale_region_generation(r);
    assert_true(hale_region_alive(r, g));
    hale_region_free(r);
    assert_false(hale_region_alive(r, g));
    /* the header may come back as another region: the old generation stays dead */
    hale_region *again = hale_region_new(NULL, "again");
    assert_false(hale_region_alive(r, g));
    assert_true(hale_region_alive(again, hale_region_generation(again)));
    hale_region_free(again);
}

static void checks_and_counters(void **state) {
    (void)state;
    int64_t checks = hale_guard_checks();
    hale_guard owned = {NULL, 0, NULL};
    assert_true(hale_guard_live(&owned));
    hale_region *r = hale_region_new(NULL, "producer");
    hale_guard g = {r, hale_region_generation(r), "Producer"};
    for (int i = 0; i < 1000; i++) {
        hale_guard_check(&g, "self.kept", "guard_test.c:1:1");
    }
    hale_region_free(r);
    assert_false(hale_guard_live(&g));
    assert_int_equal(hale_guard_checks() - checks, 1002);
    int64_t failures = hale_guard_failures();
    hale_guard_fallback();
    assert_int_equal(hale_guard_failures() - failures, 1);
}

static void origin_identity(void **state) {
    (void)state;
    Entry payload = {1, HALE_STR_LIT("x")}, copy = payload;
    hale_origin o = {.value = &payload};
    assert_null(hale_origin_of(&payload));
    hale_origin *prev = hale_origin_enter(&o);
    assert_ptr_equal(hale_origin_of(&payload), &o);
    assert_null(hale_origin_of(&copy)); /* a delivery copy is not the payload */
    hale_origin inner = {.value = &copy};
    hale_origin *p2 = hale_origin_enter(&inner);
    assert_ptr_equal(hale_origin_of(&copy), &inner);
    hale_origin_leave(p2);
    assert_ptr_equal(hale_origin_of(&payload), &o);
    hale_origin_leave(prev);
    assert_null(hale_origin_of(&payload));
}

/* A child's value kept by its ancestor: a reference under a guard, no copy, dead with the child. */
static void keep_by_reference(void **state) {
    (void)state;
    holder *a = new_holder();
    hale_locus *w = new_child(&producer_t, &a->h);
    hale_region *wr = hale_locus_region(w);
    Entry v = entry_in(wr, 7, "frame");
    hale_origin o = {.value = &v,
                     .region = wr,
                     .gen = hale_region_generation(wr),
                     .sender = w,
                     .from = "Producer"};
    int64_t copied = hale_escape_bytes_copied();
    hale_guard_keep(&T_Entry, &a->kept, &a->g, &v, &o, &a->h);
    assert_int_equal(hale_escape_bytes_copied(), copied);
    assert_ptr_equal(a->kept.name.ptr, v.name.ptr); /* the child's own bytes */
    assert_ptr_equal(a->g.r, wr);
    assert_true(hale_guard_live(&a->g));
    hale_locus_free(w); /* the child's region goes, and with it the guard */
    assert_false(hale_guard_live(&a->g));
    size_t live = a->h.heap.live_bytes;
    /* a new value over the dead one: nothing of the child's is given to the holder's heap */
    Entry fresh = {8, HALE_STR_LIT("fresh")};
    hale_guard_replace(&T_Entry, &a->kept, &a->g, &fresh, hale_locus_heap(&a->h));
    assert_null(a->g.r);
    assert_int_equal(a->h.heap.live_bytes, live + hale_heap_class_size(5)); /* only the copy */
    assert_int_equal(a->kept.id, 8);
    assert_memory_equal(a->kept.name.ptr, "fresh", 5);
    hale_locus_free(&a->h);
}

/* Not the sender's ancestor, no origin, or a region already gone: a copy into the holder. */
static void keep_by_copy(void **state) {
    (void)state;
    holder *a = new_holder();
    hale_locus *stranger = new_child(&other_t, NULL); /* a sibling of `a`, not its child */
    hale_region *sr = hale_locus_region(stranger);
    Entry v = entry_in(sr, 3, "message");
    hale_origin o = {.value = &v,
                     .region = sr,
                     .gen = hale_region_generation(sr),
                     .sender = stranger,
                     .from = "Other"};
    int64_t copied = hale_escape_bytes_copied();
    hale_guard_keep(&T_Entry, &a->kept, &a->g, &v, &o, &a->h);
    assert_null(a->g.r);
    assert_ptr_not_equal(a->kept.name.ptr, v.name.ptr);
    assert_int_equal(hale_escape_bytes_copied() - copied,
                     (int64_t)(sizeof(Entry) + hale_value_copy_extra(&T_Entry, &v)));
    hale_locus_free(stranger);
    assert_memory_equal(a->kept.name.ptr, "message", 7); /* still valid: it is a copy */
    Entry w2 = {4, HALE_STR_LIT("plain")};
    hale_guard_keep(&T_Entry, &a->kept, &a->g, &w2, NULL, &a->h); /* no origin */
    assert_null(a->g.r);
    assert_memory_equal(a->kept.name.ptr, "plain", 5);
    hale_locus_free(&a->h);
}

/* A value hoisted into the holder's heap: the keep takes it over; unkept, it goes back. */
static void hoisted(void **state) {
    (void)state;
    holder *a = new_holder();
    hale_locus *w = new_child(&producer_t, &a->h);
    assert_ptr_equal(hale_hoist_owner(w, &holder_t), &a->h);
    assert_null(hale_hoist_owner(w, &other_t));
    hale_heap *h = hale_locus_heap(&a->h);
    size_t before = h->live_bytes;
    int64_t hoists = hale_hoisted_allocations();
    hale_array arr = hale_array_new_heap(h, 512, sizeof(int64_t), 8);
    assert_int_equal(hale_hoisted_allocations() - hoists, 1);
    for (int i = 0; i < 512; i++) {
        ((int64_t *)arr.data)[i] = i;
    }
    /* not kept: the send gives it back */
    hale_origin o = {.value = &arr, .owner = &a->h, .sender = w};
    hale_hoist_settle(&T_Ints, &arr, &o);
    assert_int_equal(h->live_bytes, before);
    /* kept: taken over, nothing copied, and a second keep of the same value copies */
    Entry v = {9, {NULL, 0}};
    char *bytes = hale_heap_alloc(h, 6);
    memcpy(bytes, "hoisty", 6);
    v.name = (hale_str){bytes, 6};
    hale_origin o2 = {.value = &v, .owner = &a->h, .sender = w};
    int64_t copied = hale_escape_bytes_copied();
    hale_guard_keep(&T_Entry, &a->kept, &a->g, &v, &o2, &a->h);
    assert_true(o2.taken);
    assert_ptr_equal(a->kept.name.ptr, bytes);
    assert_int_equal(hale_escape_bytes_copied(), copied);
    hale_hoist_settle(&T_Entry, &v, &o2); /* taken: not given back */
    assert_memory_equal(a->kept.name.ptr, "hoisty", 6);
    holder *b = new_holder();
    hale_guard_keep(&T_Entry, &b->kept, &b->g, &v, &o2, &b->h); /* another holder: a copy */
    assert_ptr_not_equal(b->kept.name.ptr, bytes);
    hale_locus_free(&b->h);
    hale_locus_free(w);
    hale_locus_free(&a->h);
}

/* Before a store into a part: a guarded value is copied in, so the child is never written. */
static void own_before_writing(void **state) {
    (void)state;
    holder *a = new_holder();
    hale_locus *w = new_child(&producer_t, &a->h);
    hale_region *wr = hale_locus_region(w);
    Entry v = entry_in(wr, 1, "child");
    a->kept = v;
    a->g = (hale_guard){wr, hale_region_generation(wr), "Producer"};
    hale_guard_own(&T_Entry, &a->kept, &a->g, hale_locus_heap(&a->h), "self.kept", "t:1:1");
    assert_null(a->g.r);
    assert_ptr_not_equal(a->kept.name.ptr, v.name.ptr);
    ((char *)a->kept.name.ptr)[0] = 'C';
    assert_memory_equal(v.name.ptr, "child", 5); /* the child's bytes are untouched */
    hale_locus_free(w);
    assert_memory_equal(a->kept.name.ptr, "Child", 5);
    hale_locus_free(&a->h);
}

/* A contract field kept by reference while the child is alive. */
static void contract_reference(void **state) {
    (void)state;
    holder *a = new_holder();
    hale_locus *c = new_child(&producer_t, &a->h);
    Entry v = entry_in(hale_locus_region(c), 2, "stats");
    hale_guard_keep_contract(&T_Entry, &a->kept, &a->g, &v, c, &a->h);
    assert_ptr_equal(a->kept.name.ptr, v.name.ptr);
    assert_string_equal(a->g.from, "Producer");
    hale_locus_free(c);
    assert_false(hale_guard_live(&a->g));
    hale_locus_free(&a->h);
}

/* Outside every locus, reading a dead guard is a fault: report, exit 1. */
static void failure_outside_loci(void **state) {
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        hale_region *r = hale_region_new(NULL, "gone");
        hale_guard g = {r, hale_region_generation(r), "Worker"};
        hale_region_free(r);
        hale_guard_check(&g, "self.last", "main.hl:3:9");
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[512] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    assert_true(n > 0);
    if (!strstr(buf, "main.hl:3:9: runtime error: ActorTerminated: `self.last` was made by "
                     "`Worker`")) {
        fail_msg("unexpected report: %s", buf);
    }
}

static void *checker(void *arg) {
    hale_guard *g = arg;
    for (int i = 0; i < 100000; i++) {
        hale_guard_check(g, "self.kept", "t:1:1");
    }
    return NULL;
}

static void counters_across_threads(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "shared");
    hale_guard g = {r, hale_region_generation(r), "P"};
    int64_t before = hale_guard_checks();
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, checker, &g), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    assert_int_equal(hale_guard_checks() - before, 400000); /* ended threads still count */
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generations),          cmocka_unit_test(checks_and_counters),
        cmocka_unit_test(origin_identity),      cmocka_unit_test(keep_by_reference),
        cmocka_unit_test(keep_by_copy),         cmocka_unit_test(hoisted),
        cmocka_unit_test(own_before_writing),   cmocka_unit_test(contract_reference),
        cmocka_unit_test(failure_outside_loci), cmocka_unit_test(counters_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
