/* Unit tests of the locus runtime with hand-written types shaped like the compiler's output:
 * lifecycle order in nested trees, flows and residents, `let` deferral, supervision with the
 * restart intensity limit, faults inside hooks, and bounded memory under flow churn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "locus.h"
#include "locus_impl.h"

static char logbuf[4096];

static void logf_(const char *fmt, ...) {
    size_t n = strlen(logbuf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(logbuf + n, sizeof logbuf - n, fmt, ap);
    va_end(ap);
}

typedef struct {
    hale_locus h;
    const char *name;
    int64_t attempts;
    int64_t target;
    void *kid; /* a locus-typed parameter */
} node;

#define NODE(p) ((node *)(p))

static void h_birth(hale_region *ho, hale_region *hm, void *s) {
    (void)ho;
    (void)hm;
    NODE(s)->attempts++;
    logf_("%s.birth ", NODE(s)->name);
}
static void h_run(hale_region *ho, hale_region *hm, void *s) {
    (void)ho;
    (void)hm;
    logf_("%s.run ", NODE(s)->name);
}
static void h_drain(hale_region *ho, hale_region *hm, void *s) {
    (void)ho;
    (void)hm;
    logf_("%s.drain ", NODE(s)->name);
}
static void h_dissolve(hale_region *ho, hale_region *hm, void *s) {
    (void)ho;
    (void)hm;
    logf_("%s.dissolve ", NODE(s)->name);
}
static void h_release(hale_region *ho, hale_region *hm, void *s, void *c) {
    (void)ho;
    (void)hm;
    (void)s;
    logf_("release(%s) ", NODE(c)->name);
}
static void h_accept(hale_region *ho, hale_region *hm, void *s, void *c) {
    (void)ho;
    (void)hm;
    (void)s;
    logf_("accept(%s) ", NODE(c)->name);
}

static const hale_locus_type leaf_t = {.name = "Leaf",
                                       .size = sizeof(node),
                                       .birth = h_birth,
                                       .drain = h_drain,
                                       .dissolve = h_dissolve};

static const size_t kid_field[] = {offsetof(node, kid)};
static const hale_locus_type mid_t = {.name = "Mid",
                                      .size = sizeof(node),
                                      .birth = h_birth,
                                      .run = h_run,
                                      .drain = h_drain,
                                      .dissolve = h_dissolve,
                                      .locus_fields = kid_field,
                                      .nlocus_fields = 1};

static node *make(const hale_locus_type *t, hale_locus *at, const char *name, const char *label) {
    node proto;
    memset(&proto, 0, sizeof proto);
    proto.name = name;
    return hale_locus_new(t, at, &proto, label);
}

static void setup_log(void) {
    logbuf[0] = 0;
}

/* A parent holding a child in a parameter; the child holds its own. Statement position: the
 * whole lifecycle, then drain children-first, then dissolve children-first. */
static void nested_tree_order(void **state) {
    (void)state;
    setup_log();
    node *p = make(&mid_t, NULL, "p", NULL);
    node *a = make(&mid_t, &p->h, "a", "a");
    node *b = make(&leaf_t, &a->h, "b", "kid");
    a->kid = b;
    hale_locus_start(&b->h, HALE_HOW_FIELD, NULL);
    hale_locus_start(&a->h, HALE_HOW_FIELD, NULL);
    p->kid = a;
    node *c = make(&leaf_t, &p->h, "c", "c");
    hale_locus_start(&c->h, HALE_HOW_FIELD, NULL);
    hale_locus *defer = NULL;
    hale_locus_start(&p->h, HALE_HOW_STMT, &defer);
    assert_null(defer);
    assert_string_equal(logbuf, "b.birth a.birth a.run c.birth p.birth p.run "
                                "c.drain b.drain a.drain p.drain "
                                "c.dissolve b.dissolve a.dissolve p.dissolve ");
    assert_null(hale_locus_root()->first);
}

/* `let`: birth and run at once, drain and dissolve at the function's end, newest first. */
static void let_deferral(void **state) {
    (void)state;
    setup_log();
    hale_locus *defer = NULL;
    node *x = make(&mid_t, NULL, "x", NULL);
    hale_locus_start(&x->h, HALE_HOW_LET, &defer);
    node *y = make(&mid_t, NULL, "y", NULL);
    hale_locus_start(&y->h, HALE_HOW_LET, &defer);
    assert_string_equal(logbuf, "x.birth x.run y.birth y.run ");
    hale_locus_flush(&defer);
    assert_string_equal(logbuf,
                        "x.birth x.run y.birth y.run y.drain y.dissolve x.drain x.dissolve ");
    assert_null(hale_locus_root()->first);
}

/* A parent that accepts and releases Leaf: each child is a flow, reclaimed when its run()
 * returns, with release between drain and dissolve; the parent's heap blocks are reused, so
 * churn does not grow its region. */
static const hale_locus_accept flow_rule[] = {
    {.child = &leaf_t, .accept = h_accept, .release = h_release, .flow = true}};
static const hale_locus_type flow_parent_t = {
    .name = "Server", .size = sizeof(node), .accepts = flow_rule, .naccepts = 1};

static void flows_reclaimed(void **state) {
    (void)state;
    setup_log();
    node *srv = make(&flow_parent_t, NULL, "srv", NULL);
    hale_locus *defer = NULL;
    hale_locus_start(&srv->h, HALE_HOW_LET, &defer);
    node *c = make(&leaf_t, &srv->h, "c1", NULL);
    hale_locus_start(&c->h, HALE_HOW_STMT, &defer);
    assert_string_equal(logbuf, "accept(c1) c1.birth c1.drain release(c1) c1.dissolve ");
    assert_int_equal(srv->h.accepted, 0);
    size_t used = hale_region_used_bytes(hale_locus_region(&srv->h));
    for (int i = 0; i < 10000; i++) {
        logbuf[0] = 0;
        node *k = make(&leaf_t, &srv->h, "k", NULL);
        hale_locus_start(&k->h, HALE_HOW_STMT, &defer);
    }
    assert_int_equal(hale_region_used_bytes(hale_locus_region(&srv->h)), used);
    assert_null(srv->h.first);
    hale_locus_flush(&defer);
}

/* Residents of an owner that tracks its children stay until the owner dissolves; an owner that
 * does not track them lets them go at the end of their statement. A child instantiated by a
 * locus that does not accept it bubbles to the nearest ancestor that does. */
static const hale_locus_accept resident_rule[] = {{.child = &leaf_t, .accept = h_accept}};
static const hale_locus_type tracker_t = {.name = "Registry",
                                          .size = sizeof(node),
                                          .drain = h_drain,
                                          .dissolve = h_dissolve,
                                          .accepts = resident_rule,
                                          .naccepts = 1,
                                          .flags = HALE_LT_TRACKS};
static const hale_locus_type untracked_t = {
    .name = "Plain", .size = sizeof(node), .accepts = resident_rule, .naccepts = 1};

static void residents_kept(void **state) {
    (void)state;
    setup_log();
    hale_locus *defer = NULL;
    node *reg = make(&tracker_t, NULL, "reg", NULL);
    hale_locus_start(&reg->h, HALE_HOW_LET, &defer);
    node *mid = make(&mid_t, &reg->h, "mid", "mid"); /* does not accept Leaf */
    hale_locus_start(&mid->h, HALE_HOW_FIELD, NULL);
    for (int i = 0; i < 3; i++) {
        node *k = make(&leaf_t, &mid->h, "k", NULL); /* bubbles up to reg */
        assert_ptr_equal(k->h.parent, &reg->h);
        hale_locus_start(&k->h, HALE_HOW_STMT, &defer);
    }
    assert_int_equal(reg->h.accepted, 3);
    logbuf[0] = 0;
    hale_locus_flush(&defer);
    assert_string_equal(logbuf, "k.drain k.drain k.drain mid.drain reg.drain "
                                "k.dissolve k.dissolve k.dissolve mid.dissolve reg.dissolve ");

    setup_log();
    node *pl = make(&untracked_t, NULL, "pl", NULL);
    hale_locus_start(&pl->h, HALE_HOW_LET, &defer);
    node *k = make(&leaf_t, &pl->h, "k", NULL);
    hale_locus_start(&k->h, HALE_HOW_STMT, &defer);
    assert_string_equal(logbuf, "accept(k) k.birth k.drain k.dissolve ");
    assert_int_equal(pl->h.accepted, 0);
    hale_locus_flush(&defer);
}

/* Supervision: a birth closure that holds once birth has run `target` times; the parent
 * restarts the child each time. Hale's default intensity allows two restarts, so a target of 4
 * ends with three births and the child dissolved. */
static void closures(hale_region *ho, hale_region *hm, void *s, unsigned epochs) {
    (void)ho;
    (void)hm;
    node *n = s;
    if ((epochs & HALE_EPOCH_BIRTH) && n->attempts != n->target) {
        hale_closure_report r = {.closure = "reached",
                                 .epoch = HALE_EPOCH_BIRTH,
                                 .left = (double)n->attempts,
                                 .right = (double)n->target,
                                 .has_values = true};
        hale_locus_closure_failed(&n->h, &r);
    }
}

static const char *last_closure;
static double last_diff;

static void on_failure_restart(hale_region *ho, hale_region *hm, void *s, void *c,
                               const hale_violation *err) {
    (void)ho;
    (void)hm;
    (void)s;
    last_closure = err->closure.ptr;
    last_diff = err->diff;
    logf_("fail(%s) ", NODE(c)->name);
    hale_locus_restart(c);
}

static const hale_locus_type worker_t = {.name = "Worker",
                                         .size = sizeof(node),
                                         .birth = h_birth,
                                         .dissolve = h_dissolve,
                                         .closures = closures,
                                         .epochs = HALE_EPOCH_BIRTH};
static const hale_locus_type coord_t = {.name = "Coordinator",
                                        .size = sizeof(node),
                                        .failure_child = &worker_t,
                                        .on_failure = on_failure_restart};

static void restart_intensity(void **state) {
    (void)state;
    hale_locus_set_intensity(2, 0, HALE_EXCEEDED_DISSOLVE);
    setup_log();
    hale_locus *defer = NULL;
    node *co = make(&coord_t, NULL, "co", NULL);
    hale_locus_start(&co->h, HALE_HOW_LET, &defer);
    node proto = {.name = "w", .target = 2};
    node *w = hale_locus_new(&worker_t, &co->h, &proto, NULL);
    hale_locus_start(&w->h, HALE_HOW_STMT, &defer);
    /* a restart releases what birth acquired (dissolve) before birth runs again */
    assert_string_equal(logbuf, "w.birth fail(w) w.dissolve w.birth w.dissolve ");
    assert_string_equal(last_closure, "reached");
    assert_true(last_diff == 1.0);

    setup_log();
    node proto4 = {.name = "w", .target = 4};
    w = hale_locus_new(&worker_t, &co->h, &proto4, NULL);
    hale_locus_start(&w->h, HALE_HOW_STMT, &defer);
    assert_string_equal(logbuf, "w.birth fail(w) w.dissolve w.birth fail(w) w.dissolve "
                                "w.birth fail(w) w.dissolve ");
    assert_null(co->h.first);
    hale_locus_flush(&defer);
}

/* A runtime fault inside a hook becomes the locus's failure: the hook is left, the parent's
 * handler sees it, and (absorbed) the locus winds down. */
static void faulting_run(hale_region *ho, hale_region *hm, void *s) {
    (void)ho;
    (void)hm;
    logf_("%s.run ", NODE(s)->name);
    hale_fault("t.hl:3:5", "index %d is out of range for length %d", 7, 2);
}

static char fault_msg[256];
static void on_failure_absorb(hale_region *ho, hale_region *hm, void *s, void *c,
                              const hale_violation *err) {
    (void)ho;
    (void)hm;
    (void)s;
    (void)c;
    snprintf(fault_msg, sizeof fault_msg, "%.*s|%.*s|%.*s", (int)err->epoch.len, err->epoch.ptr,
             (int)err->path.len, err->path.ptr, (int)err->message.len, err->message.ptr);
}

static const hale_locus_type faulty_t = {.name = "Faulty",
                                         .size = sizeof(node),
                                         .birth = h_birth,
                                         .run = faulting_run,
                                         .drain = h_drain,
                                         .dissolve = h_dissolve};
static const hale_locus_type absorber_t = {.name = "Absorber",
                                           .size = sizeof(node),
                                           .failure_child = &faulty_t,
                                           .on_failure = on_failure_absorb};

static void fault_becomes_failure(void **state) {
    (void)state;
    hale_fault_set_hook(hale_locus_fault_hook);
    setup_log();
    hale_locus *defer = NULL;
    node *ab = make(&absorber_t, NULL, "ab", NULL);
    hale_locus_start(&ab->h, HALE_HOW_LET, &defer);
    node *f = make(&faulty_t, &ab->h, "f", NULL);
    hale_locus_start(&f->h, HALE_HOW_STMT, &defer);
    assert_string_equal(logbuf, "f.birth f.run f.drain f.dissolve ");
    assert_string_equal(fault_msg,
                        "fault|Absorber/Faulty|t.hl:3:5: runtime error: index 7 is out of range "
                        "for length 2");
    hale_locus_flush(&defer);
    hale_fault_set_hook(NULL);
}

/* `terminate;` from a method the parent called: the locus winds down at once; its memory stays
 * readable until its holder lets go. */
static void terminate_outside_run(void **state) {
    (void)state;
    setup_log();
    hale_locus *defer = NULL;
    node *x = make(&mid_t, NULL, "x", NULL);
    hale_locus_start(&x->h, HALE_HOW_LET, &defer);
    hale_locus_terminate(&x->h);
    assert_true(hale_locus_draining(&x->h));
    assert_string_equal(logbuf, "x.birth x.run x.drain x.dissolve ");
    assert_string_equal(x->name, "x");
    hale_locus_flush(&defer);
    assert_string_equal(logbuf, "x.birth x.run x.drain x.dissolve ");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_tree_order),     cmocka_unit_test(let_deferral),
        cmocka_unit_test(flows_reclaimed),       cmocka_unit_test(residents_kept),
        cmocka_unit_test(restart_intensity),     cmocka_unit_test(fault_becomes_failure),
        cmocka_unit_test(terminate_outside_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
